COMMENT
Facilitating synapse with a transmitter "pulse".

Each NetCon keeps its own facilitation factor F and last spike time tlast in
extra NET_RECEIVE arguments (initialised by the INITIAL block inside
NET_RECEIVE). Every incoming spike adds weight*F to an exponentially decaying
conductance, and also opens a fixed pulse conductance for pulse_dur ms, closed
again by a self-event (net_send with flag 1).
ENDCOMMENT

NEURON {
    POINT_PROCESS FacSyn
    RANGE tau, e, i, g, f, tauF, gpulse, pulse_dur, npending
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
    f = 0.5 (1)            : facilitation increment per spike
    tauF = 40 (ms)         : facilitation decay
    gpulse = 0.0005 (uS)
    pulse_dur = 2 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
    npending (1)
}

STATE { gs (uS) }

INITIAL {
    gs = 0
    npending = 0
}

BREAKPOINT {
    SOLVE decay METHOD cnexp
    if (npending > 0) {
        g = gs + gpulse
    } else {
        g = gs
    }
    i = g * (v - e)
}

DERIVATIVE decay {
    gs' = -gs / tau
}

NET_RECEIVE (weight (uS), F (1), tlast (ms)) {
    INITIAL {
        F = 1
        tlast = t
    }
    if (flag == 0) {
        F = 1 + (F - 1) * exp(-(t - tlast) / tauF)
        gs = gs + weight * F
        F = F + f
        tlast = t
        npending = npending + 1
        net_send(pulse_dur, 1)
    } else if (flag == 1) {
        npending = npending - 1
    }
}
