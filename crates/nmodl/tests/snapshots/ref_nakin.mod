COMMENT
Markov model of a sodium-like channel with four states.

    C1 <-> C2 <-> O <-> I
            \__________/^
             closed-state inactivation C2 <-> I

Every reaction is first order, so the scheme is linear: NEURON's sparse solver
does a single linear solve per step. INITIAL finds the steady state of the same
scheme with STEADYSTATE sparse.
ENDCOMMENT

NEURON {
    SUFFIX nakin
    USEION na READ ena WRITE ina
    RANGE gbar, g, ina
    GLOBAL a0, va, sa, b0, sb, ko, kc, kr0, vr, sr
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.12 (S/cm2)
    a0 = 4 (/ms)        : forward activation rate at v = va
    va = -32 (mV)
    sa = 9 (mV)
    b0 = 2 (/ms)        : backward activation rate at v = va
    sb = 18 (mV)
    ko = 1.2 (/ms)      : inactivation from the open state
    kc = 0.05 (/ms)     : inactivation from the last closed state
    kr0 = 0.05 (/ms)    : recovery from inactivation at v = vr
    vr = -70 (mV)
    sr = 12 (mV)
}

ASSIGNED {
    v (mV)
    ena (mV)
    ina (mA/cm2)
    g (S/cm2)
    a (/ms)
    b (/ms)
    kr (/ms)
}

STATE { C1 C2 O I }

BREAKPOINT {
    SOLVE scheme METHOD sparse
    g = gbar * O
    ina = g * (v - ena)
}

INITIAL {
    SOLVE scheme STEADYSTATE sparse
}

KINETIC scheme {
    rates(v)
    ~ C1 <-> C2 (2 * a, b)
    ~ C2 <-> O  (a, 2 * b)
    ~ O  <-> I  (ko, kr)
    ~ C2 <-> I  (kc, kr)
    CONSERVE C1 + C2 + O + I = 1
}

PROCEDURE rates(v (mV)) {
    UNITSOFF
    a = a0 * exp((v - va) / sa)
    b = b0 * exp(-(v - va) / sb)
    kr = kr0 * exp(-(v - vr) / sr)
    UNITSON
}
