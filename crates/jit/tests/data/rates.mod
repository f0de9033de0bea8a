COMMENT
Rate-table constructs for the fast-math tests: a guarded formula (vtrap: an IF that folds
into a select), a GLOBAL and celsius in a rate, a pure local reassigned inside an IF that does
not fold (its old value must survive in lanes that skip the branch), a rate mixed with a
per-instance value, and a discontinuous rate (the table must refuse it and evaluate directly).
ENDCOMMENT
NEURON {
    SUFFIX rates
    USEION k READ ek WRITE ik
    RANGE gbar, minf, mtau, hinf, htau, s
    GLOBAL q10base
}
PARAMETER {
    gbar = 0.01
    q10base = 3
    shift = 2
}
ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    minf
    mtau
    hinf
    htau
    s
}
STATE { m h }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar * m * m * h * (v - ek)
}
INITIAL {
    rates(v)
    m = minf
    h = hinf
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
}
PROCEDURE rates(v (mV)) {
    LOCAL a, b, q, r
    q = q10base ^ ((celsius - 6.3) / 10)
    a = 0.1 * vtrap(-(v + 40), 10)
    b = 4 * exp(-(v + 65) / 18)
    minf = a / (a + b)
    mtau = 1 / (q * (a + b))
    r = exp(-(v + 60) / 7)
    if (m > 0.5) {
        r = r * 2
    }
    hinf = 1 / (1 + r)
    htau = (1 + m) / (0.07 * exp(-(v + 65) / 20) + 1 / (exp(-(v + 35) / 10) + 1))
    if (v < -50) {
        s = 1
    } else {
        s = 2
    }
    htau = htau * s
}
FUNCTION vtrap(x, y) {
    if (fabs(x / y) < 1e-6) {
        vtrap = y * (1 - x / y / 2)
    } else {
        vtrap = x / (exp(x / y) - 1)
    }
}
