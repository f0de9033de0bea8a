COMMENT
Calcium-activated potassium current: the gate relaxes towards a Hill function
of the internal calcium concentration written by another mechanism.
ENDCOMMENT

NEURON {
    SUFFIX kca
    USEION k READ ek WRITE ik
    USEION ca READ cai
    RANGE gbar, ik, q
    GLOBAL kd, nh, tauq
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
    kd = 1e-3 (mM)
    nh = 2
    tauq = 10 (ms)
}

ASSIGNED {
    v (mV)
    ek (mV)
    cai (mM)
    ik (mA/cm2)
    qinf (1)
}

STATE { q }

BREAKPOINT {
    SOLVE gate METHOD cnexp
    ik = gbar * q * (v - ek)
}

INITIAL {
    qinf = hill(cai)
    q = qinf
}

DERIVATIVE gate {
    qinf = hill(cai)
    q' = (qinf - q) / tauq
}

FUNCTION hill(c (mM)) {
    hill = c^nh / (c^nh + kd^nh)
}
