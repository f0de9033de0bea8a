COMMENT
SOLVE of a PROCEDURE without METHOD: a hand-written exponential update using dt.
ENDCOMMENT
NEURON {
    SUFFIX psol
    USEION ca READ ica WRITE cai
    RANGE tau, cainf
}
DEFINE NSEG 3
CONSTANT { scale = 2.5 }
UNITS {
    FARADAY = (faraday) (coulomb)
    FKC = (faraday) (kilocoulombs)
    R = (k-mole) (joule/degC)
    PI = (pi) (1)
    (mM) = (milli/liter)
}
PARAMETER { tau = 20 (ms) cainf = 5e-5 (mM) depth = 0.1 (um) }
ASSIGNED { v (mV) ica (mA/cm2) cai (mM) drive (mM/ms) }
LOCAL fac
INITIAL { fac = scale * NSEG cai = cainf }
BREAKPOINT { SOLVE upd }
PROCEDURE upd() {
    drive = -ica / (2 * FARADAY * depth) * 1e4 + 0 * FKC * R * PI
    cai = cainf + (cai - cainf) * exp(-dt / tau) + drive * dt * fac / NSEG / scale
}
