COMMENT
Low-threshold calcium current in conductance form, driven by the Nernst eca
that NEURON keeps up to date because another mechanism writes cai.
Inactivation uses a first-order gate with a voltage-independent time constant.
ENDCOMMENT

NEURON {
    SUFFIX cal
    USEION ca READ eca WRITE ica
    RANGE gbar, ica
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0002 (S/cm2)
    tauh = 30 (ms)
}

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
    sinf (1)
    hinf (1)
}

STATE { s h }

BREAKPOINT {
    SOLVE gates METHOD cnexp
    ica = gbar * s * s * h * (v - eca)
}

INITIAL {
    steady(v)
    s = sinf
    h = hinf
}

DERIVATIVE gates {
    steady(v)
    s' = (sinf - s) / 2.0
    h' = (hinf - h) / tauh
}

PROCEDURE steady(v (mV)) {
    UNITSOFF
    sinf = 1 / (1 + exp(-(v + 55) / 6.2))
    hinf = 1 / (1 + exp((v + 75) / 4))
    UNITSON
}
