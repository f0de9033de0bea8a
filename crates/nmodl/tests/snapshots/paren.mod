NEURON { SUFFIX par RANGE a, b }
PARAMETER { a = 1 b = 2 }
STATE { X Y }
BREAKPOINT { SOLVE k METHOD sparse }
KINETIC k {
    ~ X <-> Y (a + b, (a - b))
    CONSERVE X + Y = 1
}
