NEURON { SUFFIX missp }
STATE { m }
BREAKPONT {
    SOLVE states METHOD cnexp
}
DERIVATIVE states { m' = -m }
