COMMENT
Three-state Markov channel: KINETIC with CONSERVE, sparse, STEADYSTATE in INITIAL,
a flux term, COMPARTMENT, f_flux/b_flux and a state array.
ENDCOMMENT
NEURON {
    SUFFIX markov3
    USEION k READ ek WRITE ik
    RANGE gbar, kf, kb
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
}
DEFINE NB 3
PARAMETER {
    gbar = 0.01 (mho/cm2)
    kf = 0.1 (/ms)
    kb = 0.05 (/ms)
    leak = 0.001 (/ms)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) flux1 }
STATE { C1 C2 O b[NB] (mM) }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    ik = gbar*O*(v - ek)
}
INITIAL {
    SOLVE scheme STEADYSTATE sparse
}
KINETIC scheme {
    LOCAL a
    a = kf*exp(v/20)
    COMPARTMENT 1 {C1 C2 O}
    COMPARTMENT i, 1 + i {b}
    ~ C1 <-> C2 (a, kb)
    ~ C2 <-> O (kf, kb)
    flux1 = f_flux - b_flux
    ~ 2 b[0] + b[1] <-> b[2] (kf, kb)
    ~ b[0] << (leak)
    FROM i = 0 TO NB - 2 {
        ~ b[i] <-> b[i+1] (kf, kb)
    }
    CONSERVE C1 + C2 + O = 1
}
