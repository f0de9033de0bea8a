NEURON {
  SUFFIX lay
  USEION na READ ena WRITE ina
  NONSPECIFIC_CURRENT il
  RANGE gbar, ina2
  GLOBAL gg
}
PARAMETER { gbar = 0.1 p2 = 3 gg = 2 }
ASSIGNED { v ena ina il a1 ina2 }
STATE { s }
BREAKPOINT { SOLVE st METHOD cnexp
  a1 = v*2
  ina = gbar*s*(v-ena)
  il = p2*(v - 0)
}
INITIAL { s = 0 }
DERIVATIVE st { s' = (a1 - s)/p2 + 0 - 0.0*s }
