COMMENT
TABLE in a PROCEDURE (DEPEND celsius) and a FUNCTION (DEPEND a PARAMETER), FROM and WHILE
loops, else-if chains, arrays, GLOBAL, top-level LOCAL, printf and the math built-ins.
ENDCOMMENT
NEURON {
    SUFFIX misc
    USEION k READ ek WRITE ik
    RANGE gbar, acc
    GLOBAL minf, mtau, q10
    THREADSAFE
}
PARAMETER { gbar = 0.01 (S/cm2) q10 = 3 vh = -40 (mV) }
ASSIGNED { celsius (degC) v (mV) ek (mV) ik (mA/cm2) minf mtau (ms) acc w[3] }
STATE { m c[2] }
LOCAL scratch
INITIAL {
    LOCAL i
    rates(v)
    m = minf
    FROM i = 0 TO 2 { w[i] = i * 0.5 }
    FROM i = 0 TO 1 { c[i] = 0 }
    i = 0
    while (i < 3) { i = i + 1 }
    scratch = i
    if (v < -80) {
        acc = 1
    } else if (v < -40) {
        acc = 2
    } else if (v < 0) {
        acc = 3
    } else {
        acc = 4
        printf("v = %g\n", v)
    }
    acc = acc + sqrt(fabs(v)) + log(2) + log10(100) + sin(v) + cos(v) + tan(0.1) + floor(1.5) + ceil(1.5) + atan(1) + atan2(1, 2) + sinh(0.1) + cosh(0.1) + tanh(0.1) + fmod(7, 3) + acos(0.5) + asin(0.5) + exp(-1) + pow(2, 0.5) + 2^3 + tau(v)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * m * (v - ek) * (1 + c[0])
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
}
PROCEDURE rates(v (mV)) {
    LOCAL qt
    TABLE minf, mtau DEPEND celsius FROM -100 TO 100 WITH 200
    qt = q10 ^ ((celsius - 22) / 10)
    minf = 1 / (1 + exp(-(v - vh) / 5))
    mtau = tau(v) / qt
}
FUNCTION tau(v (mV)) (ms) {
    TABLE DEPEND vh FROM -100 TO 100 WITH 50
    tau = 1 + 4 / (1 + exp((v - vh) / 10))
}
