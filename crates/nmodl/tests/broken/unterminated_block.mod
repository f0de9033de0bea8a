NEURON { SUFFIX unterm }
PARAMETER { g = 1 }
BREAKPOINT {
    g = g + 1

DERIVATIVE states { }
