NEURON { SUFFIX undecl }
PARAMETER { gbar = 1 }
ASSIGNED { x }
BREAKPOINT {
    x = gbr * 2
}
