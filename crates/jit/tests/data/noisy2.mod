: Several random statements per kernel: each instance draws from its own stream, so the
: instance-major JIT reproduces the interpreter's statement-major draws bit for bit.
NEURON {
    SUFFIX noisy2
    RANGE x, y, g
    NONSPECIFIC_CURRENT i
}
PARAMETER { g = 0.001 }
ASSIGNED { v (mV) i (mA/cm2) y }
STATE { x }
INITIAL {
    x = exprand(2)
    y = normrand(0, 3)
    if (unirand() > 0.5) {
        y = y + scop_random()
    }
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g * (v - x - y)
}
DERIVATIVE states {
    y = normrand(0, 1)
    x' = -x + 10 * unirand() + y
}
