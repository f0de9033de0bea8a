#!/usr/bin/env python3
"""Runs one BMTK 1.2.0 BioNet config under NEURON 9.0.2 in one of three modes and prints
machine-readable result lines for bench/run.py.

    python bmtk_driver.py CONFIG --mode bmtk|neuron|coreneuron [--threads N]

Run it with the model folder as the working directory (BMTK resolves `$BASE_DIR: "."` from it)
and with the config's mechanisms compiled by this venv's `nrnivmodl` (`-coreneuron` for the
coreneuron mode; CORENEURONLIB may name the CoreNEURON library).

Modes (the network is always built by BMTK: BioNetwork + BioSimulator.from_config):
  bmtk        `sim.run()` exactly as `python run_bionet.py` does: BMTK's h.run(tstop) with its
              spike/report modules. `sim_seconds` = wall time of sim.run().
  neuron      the same NEURON model, simulated without BMTK's run loop: BMTK's stimulus modules
              (IClamp, SEClamp, xstim) are initialised as sim.run() would, then h.stdinit()
              (finitialize at BMTK's v_init) + pc.psolve(tstop); spikes counted by
              pc.spike_record; no report or spike file is written.
              `sim_seconds` = wall time of stdinit + psolve.
  coreneuron  as `neuron`, with h.cvode.cache_efficient(1) and coreneuron.enable = True, so psolve
              hands the model to CoreNEURON (in-memory transfer included in sim_seconds).

Printed lines: `build_seconds X`, `sim_seconds X`, `spikes N`, `compartments N` (sum of nseg over
every section NEURON holds), `synapses N` (NetCons with a target point process).
"""
import argparse
import os
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("config")
ap.add_argument("--mode", choices=["bmtk", "neuron", "coreneuron"], default="bmtk")
ap.add_argument("--threads", type=int, default=1)
a = ap.parse_args()

t0 = time.perf_counter()
from bmtk.simulator import bionet  # noqa: E402
from neuron import h  # noqa: E402

conf = bionet.Config.from_json(a.config)
conf.build_env()
net = bionet.BioNetwork.from_config(conf)
sim = bionet.BioSimulator.from_config(conf, network=net)
pc = h.ParallelContext()
if a.threads != 1:
    pc.nthread(a.threads)
print(f"build_seconds {time.perf_counter() - t0:.3f}", flush=True)

ncomp = sum(int(sec.nseg) for sec in h.allsec())
nsyn = sum(1 for nc in h.List("NetCon") if nc.syn() is not None)

if a.mode == "bmtk":
    t1 = time.perf_counter()
    sim.run()
    sim_s = time.perf_counter() - t1
    nspk = None
else:
    # BMTK creates current/voltage clamps when its run loop initialises its modules; do the
    # same for the stimulus modules only (no spike or report writers).
    from bmtk.simulator.bionet import modules as mods
    stimuli = tuple(getattr(mods, n) for n in ("IClampMod", "SEClamp", "XStimMod") if hasattr(mods, n))
    for mod in sim._sim_mods:
        if isinstance(mod, stimuli):
            mod.initialize(sim)
    tvec, idvec = h.Vector(), h.Vector()
    pc.spike_record(-1, tvec, idvec)
    if a.mode == "coreneuron":
        from neuron import coreneuron
        h.cvode.cache_efficient(1)
        coreneuron.enable = True
        coreneuron.verbose = 0
    t1 = time.perf_counter()
    h.stdinit()
    pc.psolve(h.tstop)
    sim_s = time.perf_counter() - t1
    nspk = int(tvec.size())

print(f"sim_seconds {sim_s:.3f}")
if nspk is not None:
    print(f"spikes {nspk}")
print(f"compartments {ncomp}")
print(f"synapses {nsyn}")
sys.stdout.flush()
# BMTK's io leaves MPI/ParallelContext state that can hang at exit under some launchers.
os._exit(0)
