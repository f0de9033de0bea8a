TITLE Hodgkin-Huxley style channel with TABLE rates, FUNCTION vtrap and else-if
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}
NEURON {
    SUFFIX hhtab
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gkbar, gl, el
    GLOBAL minf, mtau
    THREADSAFE
}
PARAMETER {
    gnabar = .12 (S/cm2) <0,1e9>
    gkbar = .036 (S/cm2) <0,1e9>
    gl = .0003 (S/cm2) <0,1e9>
    el = -54.3 (mV)
    celsius = 6.3 (degC)
}
STATE { m n }
ASSIGNED {
    v (mV)
    ena (mV)
    ek (mV)
    ina (mA/cm2)
    ik (mA/cm2)
    il (mA/cm2)
    minf ninf
    mtau (ms) ntau (ms)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gnabar*m^3*(v - ena)
    ik = gkbar*n^4*(v - ek)
    il = gl*(v - el)
}
INITIAL {
    rates(v)
    m = minf
    n = ninf
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    n' = (ninf - n)/ntau
}
PROCEDURE rates(v (mV)) {
    LOCAL alpha, beta, sum, q10
    TABLE minf, mtau, ninf, ntau DEPEND celsius FROM -100 TO 100 WITH 200
UNITSOFF
    q10 = 3^((celsius - 6.3)/10)
    alpha = .1 * vtrap(-(v+40), 10)
    beta = 4 * exp(-(v+65)/18)
    sum = alpha + beta
    mtau = 1/(q10*sum)
    minf = alpha/sum
    alpha = .01*vtrap(-(v+55), 10)
    beta = .125*exp(-(v+65)/80)
    sum = alpha + beta
    ntau = 1/(q10*sum)
    ninf = alpha/sum
UNITSON
}
FUNCTION vtrap(x, y) {
    if (fabs(x/y) < 1e-6) {
        vtrap = y*(1 - x/y/2)
    } else if (x > 1e3) {
        vtrap = x
    } else {
        vtrap = x/(exp(x/y) - 1)
    }
}
