TITLE two nonlinear states by derivimplicit
NEURON {
    SUFFIX dimp
    NONSPECIFIC_CURRENT i
    RANGE gmax, k
}
PARAMETER {
    gmax = 0.001 (S/cm2)
    k = 0.2 (/ms)
    tau = 3 (ms)
}
ASSIGNED { v (mV) i (mA/cm2) r (/ms) }
STATE { x y }
INITIAL { x = 0.1 y = 0.3 }
BREAKPOINT {
    SOLVE pair METHOD derivimplicit
    i = gmax * x * y * (v + 60)
}
DERIVATIVE pair {
    r = k * exp(v / 50)
    x' = r * (1 - x) - x * x / tau
    y' = (x - y) / tau + 0.01 * y * y
}
