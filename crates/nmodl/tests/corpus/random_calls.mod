: Random-number built-ins and at_time
NEURON {
    POINT_PROCESS Noisy
    RANGE mean, x
}
PARAMETER { mean = 1 (ms) seed = 1 }
ASSIGNED { x }
INITIAL {
    set_seed(seed)
    x = exprand(mean) + normrand(0, 1) + scop_random() + poisrand(2)
}
BREAKPOINT {
    if (at_time(5)) { x = 0 }
    x = x + 0*floor(1.5) + ceil(0.2)*0 + fmod(5, 2)*0 + atan2(1, 2)*0 + tanh(0)
}
