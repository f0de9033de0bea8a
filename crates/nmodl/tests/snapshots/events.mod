COMMENT
NET_RECEIVE with extra arguments and INITIAL, self events with flags, net_move, net_event,
at_time and state_discontinuity.
ENDCOMMENT
NEURON {
    POINT_PROCESS Evt
    RANGE tau, e, i, del
    NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 2 (ms) e = 0 (mV) del = 5 (ms) }
ASSIGNED { v (mV) i (nA) tlast (ms) }
STATE { g (uS) }
INITIAL {
    g = 0
    tlast = -1e9
    net_send(del, 3)
}
BREAKPOINT {
    SOLVE st METHOD cnexp
    if (at_time(del)) { tlast = t }
    i = g * (v - e)
}
DERIVATIVE st { g' = -g / tau }
NET_RECEIVE (w (uS), count, tsyn (ms)) {
    INITIAL { count = 0 tsyn = t }
    if (flag == 0) {
        count = count + 1
        state_discontinuity(g, g + w * exp(-(t - tsyn) / tau))
        tsyn = t
        net_send(1, 1)
    } else if (flag == 1) {
        net_move(t + 0.5)
    } else if (flag == 3) {
        net_event(t)
        net_send(del, 3)
    }
}
