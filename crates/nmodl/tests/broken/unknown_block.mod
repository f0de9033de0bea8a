NEURON { SUFFIX unk }
PARAMETER { g = 1 }
GIBBERISH {
    g = 2
}
