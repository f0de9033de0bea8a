TITLE IClamp: current pulse of amplitude amp from del to del + dur

COMMENT
An electrode current: positive amp depolarises. The pulse test runs at the midpoint time
t + dt/2 that NEURON's current evaluation sees.
ENDCOMMENT

NEURON {
    POINT_PROCESS IClamp
    RANGE del, dur, amp, i
    ELECTRODE_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
}

PARAMETER {
    del (ms)
    dur (ms) <0,1e9>
    amp (nA)
}

ASSIGNED { i (nA) }

INITIAL {
    i = 0
}

BREAKPOINT {
    at_time(del)
    at_time(del+dur)
    if (t < del + dur && t >= del) {
        i = amp
    } else {
        i = 0
    }
}
