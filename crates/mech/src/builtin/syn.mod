TITLE AlphaSynapse: alpha-function conductance starting at onset

COMMENT
g = gmax * (t - onset)/tau * exp(1 - (t - onset)/tau) for 0 <= (t - onset)/tau <= 10,
else 0; its peak gmax is reached at t = onset + tau. i = g*(v - e) in nA.
ENDCOMMENT

NEURON {
    POINT_PROCESS AlphaSynapse
    RANGE onset, tau, gmax, e, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    onset = 0 (ms)
    tau = .1 (ms) <1e-3,1e6>
    gmax = 0 (uS) <0,1e9>
    e = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
}

BREAKPOINT {
    if (gmax) { at_time(onset) }
    g = gmax * alpha((t - onset)/tau)
    i = g*(v - e)
}

FUNCTION alpha(x) {
    if (x < 0 || x > 10) {
        alpha = 0
    } else {
        alpha = x * exp(1 - x)
    }
}
