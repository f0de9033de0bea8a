"""Reference cases for NEURON's built-in mechanisms and the two shared test cells.

Usage: python gen_builtins.py [case ...]   (no argument: every case, each in its own process)
"""

import math
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402
from refcommon import h  # noqa: E402

GEN = os.path.abspath(__file__)
DT = 0.025


def one_compartment(name="soma", L=18.8, diam=18.8):
    sec = h.Section(name=name)
    sec.nseg = 1
    sec.L = L
    sec.diam = diam
    sec.Ra = 100
    sec.cm = 1
    return sec


def iclamp(seg, delay, dur, amp):
    stim = h.IClamp(seg)
    stim.delay = delay
    stim.dur = dur
    stim.amp = amp
    return stim


def pp_entry(name, kind, seg, params):
    return {"name": name, "type": kind, "section": seg.sec.name(), "x": seg.x, "params": params}


def case_passive_cable():
    cab = h.Section(name="cable")
    cab.L, cab.diam, cab.nseg, cab.Ra, cab.cm = 1000, 2, 101, 100, 1
    cab.insert("pas")
    for seg in cab:
        seg.pas.g = 1e-4
        seg.pas.e = -65
    stim = iclamp(cab(0), 5, 1e9, 0.1)
    rec = rc.Recorder()
    locs = [0, 0.25, 0.5, 0.75, 1]
    node_xs = [rc.node_x(cab, x) for x in locs]
    for x in locs:
        rec.add(f"v_x{x}.npy", cab(x)._ref_v, what="v", section="cable", x=x,
                node_x=rc.node_x(cab, x))
    rec.add("i_stim.npy", stim._ref_i, what="IClamp i (nA)", point_process="stim")
    model = rc.describe_all_sections(with_pt3d=False)
    tstop, v_init = 200, -65
    steps = rc.run(DT, tstop, v_init)
    # Analytic steady state of a sealed-end finite cable fed at x=0.
    Rm = 1 / 1e-4  # ohm cm2
    d_cm = 2e-4
    ra_per_cm = 4 * 100 / (math.pi * d_cm**2)  # ohm / cm
    lam_cm = math.sqrt(Rm * d_cm / (4 * 100))
    Lc = 1000e-4
    rin_ohm = ra_per_cm * lam_cm / math.tanh(Lc / lam_cm)
    analytic = {
        "formula": "v(x) = e_pas + I * r_a * lambda * cosh((L - x*L)/lambda) / sinh(L/lambda); "
        "r_a = 4 Ra / (pi d^2) [ohm/cm], lambda = sqrt(Rm d / (4 Ra)), Rm = 1/g_pas; "
        "R_in = r_a lambda coth(L/lambda) (sealed far end, current into x=0)",
        "Rm_ohm_cm2": Rm, "Ra_ohm_cm": 100, "diam_um": 2, "L_um": 1000, "I_nA": 0.1, "e_pas_mV": -65,
        "lambda_um": lam_cm * 1e4, "r_a_ohm_per_cm": ra_per_cm, "R_in_Mohm": rin_ohm / 1e6,
        "v_ss_at_node_x": {str(x): -65 + 0.1e-9 * ra_per_cm * lam_cm
                           * math.cosh((Lc - nx * Lc) / lam_cm) / math.sinh(Lc / lam_cm) * 1e3
                           for x, nx in zip(locs, node_xs)},
    }
    meta = {
        "description": "1 mm passive cable, nseg 101, constant 0.1 nA IClamp at x=0 from 5 ms; "
        "reaches steady state by 200 ms",
        "celsius": h.celsius, "v_init": v_init, "dt": DT, "tstop": tstop, "steps": steps,
        "sections": model,
        "point_processes": [pp_entry("stim", "IClamp", stim.get_segment(), rc.pp_params(stim, ["del", "dur", "amp"]))],
        "analytic_steady_state": analytic,
    }
    return "passive-cable", meta, rec, {"stim": stim, "cab": cab}


def check_passive_cable(case_dir, meta):
    for x, v_ss in meta["analytic_steady_state"]["v_ss_at_node_x"].items():
        v = np.load(os.path.join(case_dir, f"v_x{float(x) if '.' in x else int(x)}.npy"))
        print(f"  cable x={x}: NEURON {v[-1]:.6f} analytic {v_ss:.6f} rel {(v[-1]-v_ss)/(v_ss+65):.2e}; "
              f"last-100-rows drift {v[-1]-v[-101]:.2e}")


def case_mc_cell():
    h.load_file(os.path.join(rc.SHARED, "models", "mc", "hoc_templates", "MultiCompCell.hoc"))
    cell = h.MultiCompCell()
    soma, dend = cell.soma[0], cell.dend
    stim = iclamp(soma(0.5), 5, 50, 1.0)
    rec = rc.Recorder()
    rec.add("v_soma.npy", soma(0.5)._ref_v, what="v", section=soma.name(), x=0.5)
    rec.add("v_dend0_0.5.npy", dend[0](0.5)._ref_v, what="v", section=dend[0].name(), x=0.5)
    rec.add("v_dend1_0.95.npy", dend[1](0.95)._ref_v, what="v", section=dend[1].name(), x=0.95,
            node_x=rc.node_x(dend[1], 0.95))
    rec.add("v_dend2_1.npy", dend[2](1)._ref_v, what="v", section=dend[2].name(), x=1)
    for var in ["m", "h", "n"]:
        rec.add(f"{var}_hh_soma.npy", getattr(soma(0.5).hh, f"_ref_{var}"), what=f"{var}_hh", section=soma.name(), x=0.5)
    model = rc.describe_all_sections()
    steps = rc.run(DT, 100, -65, celsius=6.3)
    meta = {
        "description": "MultiCompCell (shared/models/mc) instantiated from its HOC template "
        "(which calls define_shape), 1 nA IClamp at soma(0.5) 5-55 ms",
        "template": "shared/models/mc/hoc_templates/MultiCompCell.hoc",
        "celsius": 6.3, "v_init": -65, "dt": DT, "tstop": 100, "steps": steps,
        "sections": model,
        "point_processes": [pp_entry("stim", "IClamp", stim.get_segment(), rc.pp_params(stim, ["del", "dur", "amp"]))],
    }
    return "mc-cell", meta, rec, {"cell": cell, "stim": stim}


def hh_case(celsius, amp, case):
    soma = one_compartment()
    soma.insert("hh")
    stim = iclamp(soma(0.5), 5, 40, amp)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    for var in ["m", "h", "n", "gna", "gk", "il"]:
        rec.add(f"{var}_hh.npy", getattr(soma(0.5).hh, f"_ref_{var}"), what=f"{var}_hh", section="soma", x=0.5)
    rec.add("ina.npy", soma(0.5)._ref_ina, what="ina (mA/cm2)", section="soma", x=0.5)
    rec.add("ik.npy", soma(0.5)._ref_ik, what="ik (mA/cm2)", section="soma", x=0.5)
    model = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, 60, -65, celsius=celsius)
    meta = {
        "description": f"one-compartment hh soma (defaults), IClamp {amp} nA 5-45 ms, celsius {celsius}",
        "celsius": celsius, "v_init": -65, "dt": DT, "tstop": 60, "steps": steps,
        "globals": {"usetable_hh": h.usetable_hh},
        "sections": model,
        "point_processes": [pp_entry("stim", "IClamp", stim.get_segment(), rc.pp_params(stim, ["del", "dur", "amp"]))],
    }
    return case, meta, rec, {"soma": soma, "stim": stim}


def case_hh_6p3():
    return hh_case(6.3, 0.1, "hh-6.3")


def case_hh_34():
    return hh_case(34, 1.0, "hh-34")


def passive_soma(g=1e-3, e=-70):
    soma = one_compartment()
    soma.insert("pas")
    soma(0.5).pas.g = g
    soma(0.5).pas.e = e
    return soma


def case_pas():
    soma = passive_soma()
    stim = iclamp(soma(0.5), 5, 20, 0.05)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    rec.add("i_pas.npy", soma(0.5)._ref_i_pas, what="i_pas (mA/cm2)", section="soma", x=0.5)
    model = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, 50, -65)
    meta = {
        "description": "one-compartment pas soma (g 1e-3, e -70) started at v_init -65, IClamp 0.05 nA 5-25 ms",
        "celsius": h.celsius, "v_init": -65, "dt": DT, "tstop": 50, "steps": steps,
        "sections": model,
        "point_processes": [pp_entry("stim", "IClamp", stim.get_segment(), rc.pp_params(stim, ["del", "dur", "amp"]))],
    }
    return "pas", meta, rec, {"soma": soma, "stim": stim}


def case_iclamp():
    soma = passive_soma()
    # del/dur deliberately not multiples of dt, and a pulse that starts exactly on a
    # half step (midpoint test: NEURON evaluates at t + dt/2 with accumulated t).
    s1 = iclamp(soma(0.5), 5.01, 3.33, 0.2)
    s2 = iclamp(soma(0.5), 12.0125, 10, -0.1)
    s3 = iclamp(soma(0.5), 30, 0.1, 1.0)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    for n, s in (("s1", s1), ("s2", s2), ("s3", s3)):
        rec.add(f"i_{n}.npy", s._ref_i, what="IClamp i (nA)", point_process=n)
    model = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, 50, -70)
    meta = {
        "description": "pas soma with three IClamps: odd del/dur, a start on a half step, a 0.1 ms pulse",
        "celsius": h.celsius, "v_init": -70, "dt": DT, "tstop": 50, "steps": steps,
        "sections": model,
        "point_processes": [pp_entry(n, "IClamp", s.get_segment(), rc.pp_params(s, ["del", "dur", "amp"]))
                            for n, s in (("s1", s1), ("s2", s2), ("s3", s3))],
    }
    return "iclamp", meta, rec, {"soma": soma, "s": [s1, s2, s3]}


def case_seclamp():
    soma = one_compartment()
    soma.insert("hh")
    clamp = h.SEClamp(soma(0.5))
    clamp.dur1, clamp.amp1 = 10, -65
    clamp.dur2, clamp.amp2 = 20, -20
    clamp.dur3, clamp.amp3 = 20.01, -80
    clamp.rs = 1
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    rec.add("i_clamp.npy", clamp._ref_i, what="SEClamp i (nA)", point_process="clamp")
    rec.add("vc_clamp.npy", clamp._ref_vc, what="SEClamp vc (mV)", point_process="clamp")
    for var in ["m", "h", "n"]:
        rec.add(f"{var}_hh.npy", getattr(soma(0.5).hh, f"_ref_{var}"), what=f"{var}_hh", section="soma", x=0.5)
    model = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, 60, -65, celsius=6.3)
    meta = {
        "description": "hh soma under SEClamp (-65 for 10 ms, -20 for 20 ms, -80 for 20.01 ms, then off), rs 1 MOhm",
        "celsius": 6.3, "v_init": -65, "dt": DT, "tstop": 60, "steps": steps,
        "sections": model,
        "point_processes": [pp_entry("clamp", "SEClamp", clamp.get_segment(),
                                     rc.pp_params(clamp, ["dur1", "amp1", "dur2", "amp2", "dur3", "amp3", "rs"]))],
    }
    return "seclamp", meta, rec, {"soma": soma, "clamp": clamp}


def netstim(start, interval, number, noise=0):
    ns = h.NetStim()
    ns.start, ns.interval, ns.number, ns.noise = start, interval, number, noise
    return ns


def ns_entry(name, ns):
    return {"name": name, "type": "NetStim",
            "params": {k: getattr(ns, k) for k in ["start", "interval", "number", "noise"]}}


def syn_case(kind, case):
    soma = passive_soma(g=1e-4, e=-65)
    syn = getattr(h, kind)(soma(0.5))
    if kind == "ExpSyn":
        syn.tau, syn.e = 2, 0
        params = ["tau", "e"]
    else:
        syn.tau1, syn.tau2, syn.e = 0.5, 5, 0
        params = ["tau1", "tau2", "e"]
    ns = netstim(5.0, 10.3, 5)
    nc = h.NetCon(ns, syn)
    nc.weight[0], nc.delay = 0.005, 1.0
    spikes = h.Vector()
    nc.record(spikes)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    rec.add("i_syn.npy", syn._ref_i, what=f"{kind} i (nA)", point_process="syn")
    rec.add("g_syn.npy", syn._ref_g, what=f"{kind} g (uS)", point_process="syn")
    if kind == "Exp2Syn":
        rec.add("A_syn.npy", syn._ref_A, what="Exp2Syn state A", point_process="syn")
        rec.add("B_syn.npy", syn._ref_B, what="Exp2Syn state B", point_process="syn")
    model = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, 80, -65)
    meta = {
        "description": f"pas soma (g 1e-4, e -65) with an {kind} driven by a regular NetStim through a NetCon",
        "celsius": h.celsius, "v_init": -65, "dt": DT, "tstop": 80, "steps": steps,
        "sections": model,
        "point_processes": [pp_entry("syn", kind, syn.get_segment(), rc.pp_params(syn, params))],
        "artificial_cells": [ns_entry("ns", ns)],
        "netcons": [{"source": "ns", "target": "syn", "weight": [nc.weight[0]], "delay": nc.delay,
                     "threshold": nc.threshold, "spike_times_file": "ns_spikes.npy"}],
    }
    return case, meta, rec, {"soma": soma, "syn": syn, "ns": ns, "nc": nc, "events": {"ns_spikes.npy": spikes}}


def case_expsyn():
    return syn_case("ExpSyn", "expsyn")


def case_exp2syn():
    return syn_case("Exp2Syn", "exp2syn")


def case_netstim():
    a = netstim(3.3, 7.7, 6)
    b = netstim(0, 5, 3)
    c = netstim(10, 0.7, 4)  # interval shorter than nothing special; fractional steps
    vecs, ncs = {}, []
    for n, ns in (("a", a), ("b", b), ("c", c)):
        nc = h.NetCon(ns, None)
        v = h.Vector()
        nc.record(v)
        vecs[f"spikes_{n}.npy"] = v
        ncs.append(nc)
    rec = rc.Recorder(record_t=False)
    steps = rc.run(DT, 100, -65)
    meta = {
        "description": "three regular NetStims (noise 0), spike times recorded with NetCon.record (no cell)",
        "celsius": h.celsius, "v_init": -65, "dt": DT, "tstop": 100, "steps": steps,
        "sections": [],
        "artificial_cells": [ns_entry(n, ns) for n, ns in (("a", a), ("b", b), ("c", c))],
    }
    return "netstim", meta, rec, {"ns": [a, b, c], "ncs": ncs, "events": vecs}


def case_netstim_noise():
    a = netstim(5, 5, 15, noise=0.5)
    b = netstim(5, 5, 15, noise=0.5)
    c = netstim(5, 5, 15, noise=1.0)
    c.noiseFromRandom123(1, 2, 3)
    vecs, ncs, streams = {}, [], {}
    for n, ns in (("a", a), ("b", b), ("c", c)):
        nc = h.NetCon(ns, None)
        v = h.Vector()
        nc.record(v)
        vecs[f"spikes_{n}.npy"] = v
        ncs.append(nc)
    rec = rc.Recorder(record_t=False)
    steps = rc.run(DT, 100, -65)
    for n, ns in (("a", a), ("b", b), ("c", c)):
        r = ns.ranvar
        streams[n] = {"ids": list(r.get_ids()), "seq": r.get_seq()}
    meta = {
        "description": "NetStims with noise (Random123 via NMODL RANDOM ranvar; INITIAL calls seed(0) = "
        "random_setseq(ranvar, 0)); a and b use default stream ids, c uses noiseFromRandom123(1,2,3). "
        "ranvar ids/seq below were read after the run.",
        "celsius": h.celsius, "v_init": -65, "dt": DT, "tstop": 100, "steps": steps,
        "sections": [],
        "artificial_cells": [ns_entry(n, ns) for n, ns in (("a", a), ("b", b), ("c", c))],
        "random123": {"streams_after_run": streams, "globalindex": h.Random().Random123_globalindex()},
    }
    return "netstim-noise", meta, rec, {"ns": [a, b, c], "ncs": ncs, "events": vecs}


CASES = {
    "passive-cable": case_passive_cable,
    "mc-cell": case_mc_cell,
    "hh-6.3": case_hh_6p3,
    "hh-34": case_hh_34,
    "pas": case_pas,
    "iclamp": case_iclamp,
    "seclamp": case_seclamp,
    "expsyn": case_expsyn,
    "exp2syn": case_exp2syn,
    "netstim": case_netstim,
    "netstim-noise": case_netstim_noise,
}


def save_events(case_dir, meta, keep):
    events = keep.get("events", {})
    for file, vec in events.items():
        np.save(os.path.join(case_dir, file), np.array(vec, dtype=np.float64))
    if events:
        meta["event_files"] = {f: "spike times (ms) from NetCon.record, variable length" for f in events}


def run_case(name):
    rc.check_version()
    case, meta, rec, keep = CASES[name]()
    case_dir = rc.write_case(case, meta, rec, GEN)
    save_events(case_dir, meta, keep)
    if keep.get("events"):
        # rewrite case.json with the event file list
        import json
        full = json.load(open(os.path.join(case_dir, "case.json")))
        full["event_files"] = meta["event_files"]
        with open(os.path.join(case_dir, "case.json"), "w") as f:
            json.dump(full, f, indent=1)
            f.write("\n")
    if name == "passive-cable":
        check_passive_cable(case_dir, meta)
    print(f"{case}: {meta['steps']} steps -> {os.path.relpath(case_dir, rc.REPO)}")


if __name__ == "__main__":
    names = sys.argv[1:]
    if not names:
        for n in CASES:
            subprocess.run([sys.executable, GEN, n], check=True)
    else:
        for n in names:
            run_case(n)
