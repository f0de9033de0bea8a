NEURON {
  POINT_PROCESS Syn2
  RANGE tau, e, i
  NONSPECIFIC_CURRENT i
}
PARAMETER { tau = 0.1 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) }
STATE { g }
INITIAL { g = 0 net_send(1, 2) }
BREAKPOINT {
  SOLVE state METHOD cnexp
  i = g*(v - e)
}
DERIVATIVE state { g' = -g/tau }
NET_RECEIVE(weight, n) {
  INITIAL { n = 0 }
  if (flag == 2) { net_event(t) } else {
  g = g + weight
  n = n + 1 }
}
