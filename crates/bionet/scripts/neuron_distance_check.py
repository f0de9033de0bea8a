"""Prints NEURON's h.distance values for the tree used in src/topology.rs's unit test.

Usage: python neuron_distance_check.py  (venv with neuron==9.0.2)
"""
from neuron import h

soma = h.Section(name='soma'); soma.L = 20; soma.nseg = 1
dend = h.Section(name='dend'); dend.L = 200; dend.nseg = 11; dend.connect(soma(1))
rev = h.Section(name='rev'); rev.L = 100; rev.nseg = 3; rev.connect(soma(0.5), 1)  # attached by its 1 end
mid = h.Section(name='mid'); mid.L = 50; mid.nseg = 5; mid.connect(dend(0.3))
h.distance(sec=soma)  # origin: soma(0)
for sec in (soma, dend, rev, mid):
    print(sec.name(), [h.distance(seg) for seg in sec])
print('soma(0), soma(1):', h.distance(soma(0)), h.distance(soma(1)))
