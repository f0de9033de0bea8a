COMMENT
nocmodl pastes a rate's text before `*A…`: a bare `a + b` forward rate gives
`f_flux = a + b*A`, while `(a + b)` gives `(a + b)*B` and `(a) + (b)` is bare again.
ENDCOMMENT
NEURON { SUFFIX krate }
PARAMETER { a = 1 b = 2 }
STATE { A B C }
INITIAL { A = 1 }
BREAKPOINT { SOLVE kin METHOD sparse }
KINETIC kin {
    ~ A <-> B (a + b, (a + b))
    ~ B <-> C ((a) + (b), b)
}
