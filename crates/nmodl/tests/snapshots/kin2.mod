NEURON {
  SUFFIX kin
  USEION k READ ek WRITE ik
  RANGE gbar
}
PARAMETER { gbar = 0.1 a0 = 0.5 b0 = 0.2 }
ASSIGNED { v ek ik a b }
STATE { c o i1 }
BREAKPOINT { SOLVE scheme METHOD sparse
  ik = gbar*o*(v-ek)
}
INITIAL { SOLVE scheme STEADYSTATE sparse }
KINETIC scheme {
  rates(v)
  ~ c <-> o (a+b0, b)
  ~ o <-> i1 (2*a, b0)
  CONSERVE c + o + i1 = 1
  ~ o << (a*3)
 COMPARTMENT 2 {o}
}
PROCEDURE rates(v) {
  a = a0*exp(v/10)
  b = b0*exp(-v/20)
}
