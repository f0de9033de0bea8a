"""Reference cases for the project's own NMODL mechanisms (tests/reference-data/mod/*.mod).

The .mod files are compiled with nrnivmodl into a temporary folder.
Usage: python gen_custom.py [case ...]   (no argument: every case, each in its own process)
"""

import glob
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import refcommon as rc  # noqa: E402
from refcommon import h  # noqa: E402

GEN = os.path.abspath(__file__)
DT = 0.025
MODS = sorted(glob.glob(os.path.join(rc.MOD_DIR, "*.mod")))


def soma_cell(L=20.0, diam=20.0):
    soma = h.Section(name="soma")
    soma.nseg, soma.L, soma.diam, soma.Ra, soma.cm = 1, L, diam, 100, 1
    return soma


def iclamp(seg, delay, dur, amp):
    stim = h.IClamp(seg)
    stim.delay, stim.dur, stim.amp = delay, dur, amp
    return stim


def stim_entry(name, stim):
    seg = stim.get_segment()
    return {"name": name, "type": "IClamp", "section": seg.sec.name(), "x": seg.x,
            "params": rc.pp_params(stim, ["del", "dur", "amp"])}


def globals_of(suffix, names):
    return {f"{n}_{suffix}": getattr(h, f"{n}_{suffix}") for n in names}


def record_mech(rec, seg, mech, names, prefix=""):
    for n in names:
        rec.add(f"{prefix}{n}_{mech}.npy", getattr(getattr(seg, mech), f"_ref_{n}"),
                what=f"{n}_{mech}", section=seg.sec.name(), x=seg.x)


def base_meta(description, celsius, v_init, tstop, steps, mods, stims, **extra):
    meta = {
        "description": description,
        "mod_files": [os.path.relpath(os.path.join(rc.MOD_DIR, m), rc.REPO) for m in mods],
        "mod_registration_order": [os.path.basename(m) for m in MODS],
        "celsius": celsius, "v_init": v_init, "dt": DT, "tstop": tstop, "steps": steps,
        "sections": rc.describe_all_sections(with_pt3d=False),
        "point_processes": stims,
    }
    meta.update(extra)
    return meta


def case_kinetic_nav():
    soma = soma_cell()
    soma.insert("hh")
    soma.insert("nakin")
    soma(0.5).hh.gnabar = 0  # sodium comes from the Markov channel only
    stim = iclamp(soma(0.5), 5, 30, 0.3)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    record_mech(rec, soma(0.5), "nakin", ["C1", "C2", "O", "I", "g"])
    rec.add("ina.npy", soma(0.5)._ref_ina, what="ina (mA/cm2)", section="soma", x=0.5)
    celsius, v_init, tstop = 6.3, -65, 50
    meta_pre = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, tstop, v_init, celsius)
    meta = base_meta("hh (gnabar 0) + linear 4-state KINETIC sodium channel nakin (sparse, CONSERVE, "
                     "STEADYSTATE sparse in INITIAL), IClamp 0.3 nA 5-35 ms", celsius, v_init, tstop, steps,
                     ["nakin.mod"], [stim_entry("stim", stim)],
                     globals=globals_of("nakin", ["a0", "va", "sa", "b0", "sb", "ko", "kc", "kr0", "vr", "sr"]))
    meta["sections"] = meta_pre
    return "kinetic-nav", meta, rec, [soma, stim]


def case_derivimplicit_k():
    soma = soma_cell()
    soma.insert("hh")
    soma.insert("kdi")
    soma(0.5).hh.gkbar = 0  # potassium comes from kdi only
    stim = iclamp(soma(0.5), 5, 60, 0.3)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    record_mech(rec, soma(0.5), "kdi", ["n", "w", "g"])
    rec.add("ik.npy", soma(0.5)._ref_ik, what="ik (mA/cm2)", section="soma", x=0.5)
    celsius, v_init, tstop = 6.3, -65, 80
    meta_pre = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, tstop, v_init, celsius)
    meta = base_meta("hh (gkbar 0) + kdi (derivimplicit, non-linear adaptation state w), "
                     "IClamp 0.3 nA 5-65 ms", celsius, v_init, tstop, steps, ["kdi.mod"],
                     [stim_entry("stim", stim)], globals=globals_of("kdi", ["tauw", "gamma"]))
    meta["sections"] = meta_pre
    return "derivimplicit-k", meta, rec, [soma, stim]


def case_calcium():
    soma = soma_cell()
    for m in ["hh", "cadyn", "cahva", "cal", "kca"]:
        soma.insert(m)
    stim = iclamp(soma(0.5), 5, 50, 0.3)
    rec = rc.Recorder()
    seg = soma(0.5)
    rec.add("v.npy", seg._ref_v, what="v", section="soma", x=0.5)
    for n in ["cai", "cao", "eca", "ica", "ik"]:
        rec.add(f"{n}.npy", getattr(seg, f"_ref_{n}"), what=n, section="soma", x=0.5)
    record_mech(rec, seg, "cahva", ["m", "ica"])
    record_mech(rec, seg, "cal", ["s", "h", "ica"])
    record_mech(rec, seg, "kca", ["q", "ik"])
    record_mech(rec, seg, "cadyn", ["drive"])
    celsius, v_init, tstop = 6.3, -65, 100
    meta_pre = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, tstop, v_init, celsius)
    meta = base_meta("hh + calcium shell cadyn (WRITE cai, FARADAY=(faraday)) + cahva (GHK from cai/cao, "
                     "R=(k-mole)) + cal (Nernst eca) + kca (reads cai), IClamp 0.3 nA 5-55 ms",
                     celsius, v_init, tstop, steps, ["cadyn.mod", "cahva.mod", "cal.mod", "kca.mod"],
                     [stim_entry("stim", stim)],
                     globals={**globals_of("kca", ["kd", "nh", "tauq"]),
                              "cai0_ca_ion": h.cai0_ca_ion, "cao0_ca_ion": h.cao0_ca_ion,
                              "ki0_k_ion": h.ki0_k_ion, "ko0_k_ion": h.ko0_k_ion},
                     ion_style_ca=h.ion_style("ca_ion", sec=soma),
                     note="ca_ion: cadyn WRITEs cai, so finitialize resets cai/cao to cai0_ca_ion/cao0_ca_ion, "
                     "then cadyn INITIAL sets cai = cainf; eca follows Nernst every step")
    meta["sections"] = meta_pre
    return "calcium", meta, rec, [soma, stim]


def case_facsyn():
    soma = soma_cell()
    soma.insert("pas")
    soma(0.5).pas.g, soma(0.5).pas.e = 1e-4, -65
    syn = h.FacSyn(soma(0.5))
    ns1, ns2 = h.NetStim(), h.NetStim()
    ns1.start, ns1.interval, ns1.number, ns1.noise = 5, 6, 8, 0
    ns2.start, ns2.interval, ns2.number, ns2.noise = 20.3, 1.5, 5, 0  # shorter than pulse_dur: overlaps
    nc1, nc2 = h.NetCon(ns1, syn), h.NetCon(ns2, syn)
    nc1.weight[0], nc1.delay = 0.002, 1
    nc2.weight[0], nc2.delay = 0.003, 2.5
    sp1, sp2 = h.Vector(), h.Vector()
    nc1.record(sp1)
    nc2.record(sp2)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    for n in ["i", "g", "gs", "npending"]:
        rec.add(f"{n}_syn.npy", getattr(syn, f"_ref_{n}"), what=f"FacSyn {n}", point_process="syn")
    celsius, v_init, tstop = 6.3, -65, 80
    meta_pre = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, tstop, v_init, celsius)
    syn_params = rc.pp_params(syn, ["tau", "e", "f", "tauF", "gpulse", "pulse_dur"])
    meta = base_meta("pas soma + FacSyn (NET_RECEIVE with per-NetCon F and tlast, INITIAL in NET_RECEIVE, "
                     "net_send self-events with flag 1) driven by two NetStims", celsius, v_init, tstop, steps,
                     ["facsyn.mod"],
                     [{"name": "syn", "type": "FacSyn", "section": "soma", "x": 0.5, "params": syn_params}],
                     artificial_cells=[{"name": n, "type": "NetStim", "params": {k: getattr(ns, k) for k in
                                        ["start", "interval", "number", "noise"]}} for n, ns in (("ns1", ns1), ("ns2", ns2))],
                     netcons=[{"source": s, "target": "syn", "weight_initial": [w, 0, 0], "delay": nc.delay,
                               "weight_after_run": [nc.weight[j] for j in range(3)],
                               "spike_times_file": f"spikes_{s}.npy"}
                              for s, nc, w in (("ns1", nc1, 0.002), ("ns2", nc2, 0.003))])
    meta["sections"] = meta_pre
    meta["event_files"] = {"spikes_ns1.npy": "ns1 spike times", "spikes_ns2.npy": "ns2 spike times"}
    return "facsyn", meta, rec, [soma, syn, ns1, ns2, nc1, nc2, {"spikes_ns1.npy": sp1, "spikes_ns2.npy": sp2}]


def hhtab_case(celsius, case):
    soma = soma_cell()
    soma.insert("hhtab")
    stim = iclamp(soma(0.5), 5, 40, 0.3)
    rec = rc.Recorder()
    rec.add("v.npy", soma(0.5)._ref_v, what="v", section="soma", x=0.5)
    record_mech(rec, soma(0.5), "hhtab", ["m", "h", "n"])
    rec.add("il_hhtab.npy", soma(0.5).hhtab._ref_il, what="il_hhtab", section="soma", x=0.5)
    for g in ["minf", "mtau"]:
        rec.add(f"{g}_hhtab.npy", getattr(h, f"_ref_{g}_hhtab"), what=f"GLOBAL {g}_hhtab (last value computed)")
    v_init, tstop = -65, 60
    meta_pre = rc.describe_all_sections(with_pt3d=False)
    steps = rc.run(DT, tstop, v_init, celsius)
    meta = base_meta(f"hhtab (TABLE in PROCEDURE, DEPEND celsius, vtrap with if/else) at celsius {celsius}, "
                     "IClamp 0.3 nA 5-45 ms", celsius, v_init, tstop, steps, ["hhtab.mod"],
                     [stim_entry("stim", stim)], globals={"usetable_hhtab": h.usetable_hhtab})
    meta["sections"] = meta_pre
    return case, meta, rec, [soma, stim]


def case_hhtab_16():
    return hhtab_case(16.0, "hhtab-16")


CASES = {
    "kinetic-nav": case_kinetic_nav,
    "derivimplicit-k": case_derivimplicit_k,
    "calcium": case_calcium,
    "facsyn": case_facsyn,
    "hhtab-16": case_hhtab_16,
}


def run_case(name):
    rc.check_version()
    warnings = rc.load_compiled_mods(MODS, "custom")
    case, meta, rec, keep = CASES[name]()
    meta["nrnivmodl_notices"] = warnings
    events = keep[-1] if isinstance(keep[-1], dict) else {}
    case_dir = rc.write_case(case, meta, rec, GEN)
    for file, vec in events.items():
        np.save(os.path.join(case_dir, file), np.array(vec, dtype=np.float64))
    print(f"{case}: {meta['steps']} steps -> {os.path.relpath(case_dir, rc.REPO)}")


if __name__ == "__main__":
    names = sys.argv[1:]
    if not names:
        rc.with_compiled_mods(MODS, "custom", GEN, list(CASES))
    else:
        for n in names:
            run_case(n)
