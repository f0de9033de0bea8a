: Integrate-and-fire artificial cell with WATCH, net_send in INITIAL and FOR_NETCONS
NEURON {
    ARTIFICIAL_CELL IafCell
    RANGE tau, m, refrac
    GLOBAL thresh
    POINTER drive
    BBCOREPOINTER handle
    RANDOM noise
}
PARAMETER {
    tau = 10 (ms)
    refrac = 5 (ms)
    thresh = 1
}
ASSIGNED { m t0 (ms) drive handle }
INITIAL {
    m = 0
    t0 = t
    net_send(0, 3)
}
FUNCTION mstate() {
    mstate = m*exp(-(t - t0)/tau)
}
NET_RECEIVE(w, count) {
    INITIAL { count = 0 }
    if (flag == 0) {
        m = mstate() + w
        t0 = t
        count = count + 1
        if (m > thresh) {
            net_event(t)
            net_send(refrac, 1)
        }
    } else if (flag == 3) {
        WATCH (m > thresh) 2
    } else {
        FOR_NETCONS(w2, c2) {
            c2 = 0
        }
        m = 0
    }
    printf("flag %g at t=%g\n", flag, t)
}
