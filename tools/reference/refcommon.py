"""Shared helpers for the NEURON 9.0.2 reference-data generators.

Every generator builds a model in NEURON, runs it the way stdrun does
(finitialize(v_init), then fadvance while t < tstop - dt/2) and writes, per case,
float64 .npy traces plus a case.json that describes the model completely enough
for the Rust tests to rebuild it without NEURON.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(REPO, "tests", "reference-data")
MOD_DIR = os.path.join(DATA, "mod")
HOC_DIR = os.path.join(DATA, "hoc")
SHARED = os.environ.get("BMTK_RS_SHARED", os.path.join(REPO, "..", "shared"))

from neuron import h  # noqa: E402

REQUIRED_NEURON = "9.0.2"


def check_version():
    import neuron

    if neuron.__version__ != REQUIRED_NEURON:
        sys.exit(f"need NEURON {REQUIRED_NEURON}, found {neuron.__version__}")


def compile_mods(mod_files, tag):
    """Compile .mod files with nrnivmodl in a fresh temp folder; return (build dir, library, notices).

    The compiled output never lands in the repo. nrnivmodl registers the mechanisms in
    alphabetical file order (that order matters for memb_order_).
    """
    import glob

    build = tempfile.mkdtemp(prefix=f"bmtkrs-ref-{tag}-")
    src = os.path.join(build, "mods")
    os.makedirs(src)
    for f in mod_files:
        shutil.copy(f, src)
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    if not os.path.exists(nrnivmodl):
        nrnivmodl = "nrnivmodl"
    res = subprocess.run([nrnivmodl, "mods"], cwd=build, capture_output=True, text=True)
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        sys.exit(f"nrnivmodl failed for {tag}")
    notices = sorted({l.strip() for l in (res.stdout + res.stderr).splitlines()
                      if "Notice" in l or "arning" in l or "Could not" in l or "ignores" in l})
    libs = glob.glob(os.path.join(build, "*", "libnrnmech.so")) + glob.glob(
        os.path.join(build, "*", ".libs", "libnrnmech.so"))
    if not libs:
        sys.exit(f"no libnrnmech.so produced in {build}")
    return build, libs[0], notices


def with_compiled_mods(mod_files, tag, gen, cases):
    """Parent process: compile once, run each case in its own process, remove the build."""
    build, lib, notices = compile_mods(mod_files, tag)
    env = dict(os.environ, BMTKRS_MECHLIB=lib, BMTKRS_NMODL_NOTICES=json.dumps(notices))
    try:
        for n in cases:
            subprocess.run([sys.executable, gen, n], check=True, env=env)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def load_compiled_mods(mod_files, tag):
    """Child process: load the library the parent built, or build one now (single-case runs)."""
    lib = os.environ.get("BMTKRS_MECHLIB")
    if lib:
        notices = json.loads(os.environ.get("BMTKRS_NMODL_NOTICES", "[]"))
        build = None
    else:
        build, lib, notices = compile_mods(mod_files, tag)
    h.nrn_load_dll(lib)
    if build:
        import atexit

        atexit.register(shutil.rmtree, build, True)
    return notices


def run(dt, tstop, v_init, celsius=None):
    """stdrun-equivalent fixed-step run: returns the number of fadvance calls."""
    h.secondorder = 0
    h.dt = dt
    if celsius is not None:
        h.celsius = celsius
    h.finitialize(v_init)
    steps = 0
    while h.t < tstop - dt / 2:
        h.fadvance()
        steps += 1
    return steps


class Recorder:
    """Collects Vector.record handles; t=0 is captured by finitialize."""

    def __init__(self, record_t=True):
        self.items = []  # (file, vector, description dict)
        self.t = None
        if record_t:  # Vector.record needs a section to exist
            self.t = h.Vector()
            self.t.record(h._ref_t)

    def add(self, file, ref, **desc):
        vec = h.Vector()
        vec.record(ref)
        self.items.append((file, vec, desc))

    def save(self, case_dir):
        os.makedirs(case_dir, exist_ok=True)
        if self.t is None:
            return [], 0
        out = [{"file": "t.npy", "what": "t (NEURON's accumulated time, ms)"}]
        np.save(os.path.join(case_dir, "t.npy"), np.array(self.t, dtype=np.float64))
        n = len(self.t)
        for file, vec, desc in self.items:
            arr = np.array(vec, dtype=np.float64)
            assert len(arr) == n, (file, len(arr), n)
            np.save(os.path.join(case_dir, file), arr)
            out.append(dict(file=file, **desc))
        return out, n


def node_x(sec, x):
    """Centre of the segment NEURON uses for location x (0 and 1 are the end nodes)."""
    if x <= 0 or x >= 1:
        return float(x)
    i = min(int(x * sec.nseg), sec.nseg - 1)
    return (i + 0.5) / sec.nseg


def seg_values(sec, fn):
    return [fn(seg) for seg in sec]


def describe_section(sec, with_pt3d=True):
    """Everything NEURON reports about one section (values per segment)."""
    ps = sec.psection()
    parent = sec.parentseg()
    d = {
        "name": sec.name(),
        "nseg": sec.nseg,
        "L": sec.L,
        "Ra": sec.Ra,
        "seg_x": seg_values(sec, lambda s: s.x),
        "diam": seg_values(sec, lambda s: s.diam),
        "cm": seg_values(sec, lambda s: s.cm),
        "area": seg_values(sec, lambda s: s.area()),
        "ri": seg_values(sec, lambda s: s.ri()),
        "parent": None if parent is None else parent.sec.name(),
        "parent_x": None if parent is None else parent.x,
        "orientation": h.section_orientation(sec=sec),
        "mechanisms": {m: {k: list(v) for k, v in vals.items()} for m, vals in ps["density_mechs"].items()},
        "ions": {m: {k: list(v) for k, v in vals.items()} for m, vals in ps["ions"].items()},
    }
    if with_pt3d:
        d["pt3d"] = [
            [sec.x3d(i), sec.y3d(i), sec.z3d(i), sec.diam3d(i), sec.arc3d(i)] for i in range(sec.n3d())
        ]
    return d


def describe_all_sections(with_pt3d=True):
    return [describe_section(s, with_pt3d) for s in h.allsec()]


def pp_params(pp, names):
    """Parameter values of a point process; IClamp/SEClamp 'del' is 'delay' in Python."""
    out = {}
    for n in names:
        attr = "delay" if n == "del" else n
        out[n] = getattr(pp, attr)
    return out


def write_case(case, meta, rec, generator):
    import neuron

    case_dir = os.path.join(DATA, case)
    recordings, n = rec.save(case_dir)
    meta = dict(meta)
    meta_out = {
        "case": case,
        "generator": os.path.relpath(generator, REPO),
        "neuron_version": neuron.__version__,
        "secondorder": 0,
        "rows": n,
        "row_meaning": "row k is the state at t = k*dt (k = 0 is after finitialize); "
        "steps = fadvance calls while t < tstop - dt/2",
    }
    meta_out.update(meta)
    meta_out["recordings"] = recordings
    with open(os.path.join(case_dir, "case.json"), "w") as f:
        json.dump(meta_out, f, indent=1)
        f.write("\n")
    return case_dir


def clear_model():
    """Delete every section and forget Python objects from a previous case."""
    for sec in list(h.allsec()):
        h.delete_section(sec=sec)
