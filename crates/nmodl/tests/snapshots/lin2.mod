NEURON { SUFFIX lin2 }
PARAMETER { p = 2 q = 3 }
STATE { zb ya xc }
INITIAL { SOLVE eqs }
LINEAR eqs {
    ~ ya + 4 * zb - 2 = p * q - xc
    ~ 2 * xc + ya = p
    ~ xc - q * ya / 2 + zb = 1
}
