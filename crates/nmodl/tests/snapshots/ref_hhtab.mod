COMMENT
Hodgkin-Huxley squid-axon channels with temperature scaling, written the way
many published models are: rate constants in a PROCEDURE with a TABLE that
depends on celsius, and a vtrap FUNCTION that avoids 0/0 at the singular
voltages. Steady states and time constants are GLOBAL.
ENDCOMMENT

NEURON {
    SUFFIX hhtab
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gkbar, gl, el
    GLOBAL minf, hinf, ninf, mtau, htau, ntau
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gnabar = 0.12 (S/cm2)
    gkbar = 0.036 (S/cm2)
    gl = 0.0003 (S/cm2)
    el = -54.3 (mV)
}

ASSIGNED {
    v (mV)
    celsius (degC)
    ena (mV)
    ek (mV)
    ina (mA/cm2)
    ik (mA/cm2)
    il (mA/cm2)
    minf hinf ninf
    mtau (ms)
    htau (ms)
    ntau (ms)
}

STATE { m h n }

BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gnabar * m * m * m * h * (v - ena)
    ik = gkbar * n * n * n * n * (v - ek)
    il = gl * (v - el)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
    n = ninf
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m) / mtau
    h' = (hinf - h) / htau
    n' = (ninf - n) / ntau
}

PROCEDURE rates(v (mV)) {
    LOCAL alpha, beta, sum, q10
    TABLE minf, mtau, hinf, htau, ninf, ntau DEPEND celsius FROM -120 TO 80 WITH 400
    UNITSOFF
    q10 = 3^((celsius - 6.3) / 10)
    alpha = 0.1 * vtrap(-(v + 40), 10)
    beta = 4 * exp(-(v + 65) / 18)
    sum = alpha + beta
    mtau = 1 / (q10 * sum)
    minf = alpha / sum
    alpha = 0.07 * exp(-(v + 65) / 20)
    beta = 1 / (exp(-(v + 35) / 10) + 1)
    sum = alpha + beta
    htau = 1 / (q10 * sum)
    hinf = alpha / sum
    alpha = 0.01 * vtrap(-(v + 55), 10)
    beta = 0.125 * exp(-(v + 65) / 80)
    sum = alpha + beta
    ntau = 1 / (q10 * sum)
    ninf = alpha / sum
    UNITSON
}

FUNCTION vtrap(x, y) {
    if (fabs(x / y) < 1e-6) {
        vtrap = y * (1 - x / y / 2)
    } else {
        vtrap = x / (exp(x / y) - 1)
    }
}
