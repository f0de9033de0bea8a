NEURON {
    SUFFIX eul
    RANGE a, b
}
PARAMETER { a = 2 (/ms) b = 0.5 }
ASSIGNED { v (mV) }
STATE { s u }
INITIAL { s = 1 u = 0 }
BREAKPOINT { SOLVE d METHOD euler }
DERIVATIVE d {
    s' = -a * s * s + u
    u' = b * (s - u)
}
