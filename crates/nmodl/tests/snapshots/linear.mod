NEURON {
    SUFFIX lin
    RANGE p, q
}
PARAMETER { p = 2 q = 3 }
ASSIGNED { v (mV) }
STATE { x y z }
INITIAL { SOLVE eqs }
BREAKPOINT { SOLVE eqs }
LINEAR eqs {
    ~ 2 * x + y = p
    ~ x - q * y + z = 1
    ~ y + 4 * z = p * q
}
