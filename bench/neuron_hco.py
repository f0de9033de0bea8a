"""Plain-NEURON replica of the `hco-single` case: the HCO template, nseg by BMTK's dL rule,
celsius 34, v_init -50, one second; prints the wall time of finitialize + run (seconds) and,
with --save, the soma v/cai traces for checking against the reference."""
import argparse, sys, time

p = argparse.ArgumentParser()
p.add_argument("--template", required=True)
p.add_argument("--dt", type=float, default=0.025)
p.add_argument("--tstop", type=float, default=1000.0)
p.add_argument("--dl", type=float, default=20.0)
p.add_argument("--save", default=None, help="write v and cai (npz) here")
a = p.parse_args()

from neuron import h
h.load_file("stdrun.hoc")
h.load_file(a.template)
cell = h.HCOcell()
for sec in cell.all:
    # BMTK's set_nseg: odd number of segments, at most dL long.
    sec.nseg = 1 + 2 * int(sec.L / (2 * a.dl))
h.celsius = 34.0
h.dt = a.dt
h.steps_per_ms = 1.0 / a.dt
h.tstop = a.tstop
rec = []
if a.save:
    rv = h.Vector().record(cell.soma[0](0.5)._ref_v)
    rc = h.Vector().record(cell.soma[0](0.5)._ref_cai)
start = time.perf_counter()
h.finitialize(-50.0)
h.continuerun(a.tstop)
elapsed = time.perf_counter() - start
print(f"sim_seconds {elapsed:.3f}")
if a.save:
    import numpy as np
    np.savez(a.save, v=np.array(rv), cai=np.array(rc))
