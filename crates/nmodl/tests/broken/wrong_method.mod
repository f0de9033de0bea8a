NEURON { SUFFIX wm }
STATE { C O }
BREAKPOINT {
    SOLVE scheme METHOD cnexp
}
KINETIC scheme {
    ~ C <-> O (1, 2)
}
