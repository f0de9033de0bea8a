COMMENT
Submembrane calcium shell: inward calcium current fills a shell of thickness
depth, which relaxes to cainf with time constant taur. Writes cai, so NEURON
recomputes eca by Nernst after every update.
ENDCOMMENT

NEURON {
    SUFFIX cadyn
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf, drive
}

UNITS {
    (mM) = (milli/liter)
    (mA) = (milliamp)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.5 (um)
    taur = 80 (ms)
    cainf = 1e-4 (mM)
}

ASSIGNED {
    ica (mA/cm2)
    drive (mM/ms)
}

STATE { cai (mM) <1e-6> }

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE shell METHOD cnexp
}

DERIVATIVE shell {
    drive = -(10000) * ica / (2 * FARADAY * depth)
    cai' = drive + (cainf - cai) / taur
}
