COMMENT
Nonlinear KINETIC scheme: second-order binding, a dimerisation, a flux, COMPARTMENT volumes
and a CONSERVE; STEADYSTATE sparse in INITIAL.
ENDCOMMENT
NEURON {
    SUFFIX kinnl
    RANGE kf, kb, kd, ku, influx, vol
}
PARAMETER {
    kf = 0.5 (/mM-ms)
    kb = 0.1 (/ms)
    kd = 0.2 (/mM-ms)
    ku = 0.05 (/ms)
    influx = 1e-3 (mM/ms)
    vol = 2 (um3)
    total = 1 (mM)
}
ASSIGNED { v (mV) }
STATE { A (mM) B (mM) C (mM) D (mM) }
INITIAL {
    A = 0.2
    B = 0.5
    SOLVE bind STEADYSTATE sparse
}
BREAKPOINT { SOLVE bind METHOD sparse }
KINETIC bind {
    COMPARTMENT vol {A C}
    COMPARTMENT 1 {B D}
    ~ A + B <-> C (kf, kb)
    ~ 2 C <-> D (kd, ku)
    ~ A << (influx)
    CONSERVE B + C + D = total
}
