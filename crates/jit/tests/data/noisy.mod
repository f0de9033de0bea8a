: Random draws in compiled kernels: INITIAL and the state update each draw once per
: instance (one ordered unit each, so the JIT compiles them).
NEURON {
    SUFFIX noisy
    RANGE x, y, g
    NONSPECIFIC_CURRENT i
}
PARAMETER { g = 0.001 }
ASSIGNED { v (mV) i (mA/cm2) y }
STATE { x }
INITIAL {
    x = exprand(2) + normrand(0, 3) + scop_random()
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g * (v - x)
}
DERIVATIVE states {
    x' = -x + 10 * unirand()
}
