TITLE LINEAR block solved from INITIAL, NONLINEAR block, derivimplicit and euler
NEURON {
    SUFFIX linsys
    RANGE x, y, p, q
}
CONSTANT {
    K = 2.5 (1)
}
PARAMETER { a = 1 b = 2 }
STATE { x y s1 s2 p q }
ASSIGNED { v (mV) }
INITIAL {
    SOLVE seqinitial
    SOLVE nonlin
    s1 = 0
    s2 = 0
}
BREAKPOINT {
    SOLVE d1 METHOD derivimplicit
    SOLVE d2 METHOD euler
}
LINEAR seqinitial {
    ~ x + y = a
    ~ x - 2*y = b*K
}
NONLINEAR nonlin {
    ~ p*p = q
    ~ q = a + 1
}
DERIVATIVE d1 { s1' = -s1 + x }
DERIVATIVE d2 { s2' = -s2 + y }
