NEURON {
  POINT_PROCESS IC2
  RANGE del, dur, amp, i
  ELECTRODE_CURRENT i
}
PARAMETER { del = 0 dur = 1 amp = 0.1 }
ASSIGNED { i }
BREAKPOINT {
  at_time(del)
  if (t < del + dur && t >= del) { i = amp } else { i = 0 }
}
