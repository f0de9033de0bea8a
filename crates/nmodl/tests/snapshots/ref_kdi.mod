COMMENT
Delayed-rectifier potassium channel with a slow, self-limiting adaptation gate,
integrated with METHOD derivimplicit (backward Euler solved by Newton).

The adaptation equation  w' = (n^2 (1 - w) - gamma w^2) / tauw  is non-linear in
w, so cnexp could not integrate it.
ENDCOMMENT

NEURON {
    SUFFIX kdi
    USEION k READ ek WRITE ik
    RANGE gbar, gw, g, ik, ninf, ntau
    GLOBAL tauw, gamma
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.036 (S/cm2)
    gw = 0.001 (S/cm2)    : maximal adaptation conductance
    tauw = 40 (ms)
    gamma = 0.6 (1)
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    g (S/cm2)
    ninf (1)
    ntau (ms)
}

STATE { n w }

BREAKPOINT {
    SOLVE states METHOD derivimplicit
    g = gbar * n^4 + gw * w
    ik = g * (v - ek)
}

INITIAL {
    rates(v)
    n = ninf
    w = 0
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n) / ntau
    w' = (n * n * (1 - w) - gamma * w * w) / tauw
}

PROCEDURE rates(v (mV)) {
    LOCAL x
    UNITSOFF
    ninf = 1 / (1 + exp(-(v + 54) / 11))
    x = (v + 55) / 25
    ntau = 0.8 + 6 / (exp(x) + exp(-x))
    UNITSON
}
