#!/usr/bin/env python3
"""Side-by-side benchmark: bmtk-rs against BMTK 1.2.0, NEURON 9.0.2, CoreNEURON and Arbor 0.12.2
on the same cases, in one invocation, printed as tables of times, ratios, memory and spike counts.

Usage (from anywhere):
    bench/run.sh                                     # quick: hco-single@0.025 hco-pair mc-net100 busyring@64
    bench/run.sh --cases hco-single,hco-net100,busyring@1024 --threads 2
    bench/run.sh --cases full                        # the five reference cases + busyring@1024
    bench/run.sh --tools bmtk-rs,neuron --cases busyring@256

Cases: hco-single (dt 0.001, its simulation_config.json), hco-single@DT (dt overridden; 0.01 and
0.025 use the shipped _dt001/_dt0025 configs), hco-pair, hco-net100, hco-net1000 (dL 1e6),
hco-net1000@dL20, mc-net100, busyring@N (nsuite ring, N cells, N = 64 … 4096), busyring@N:split
(bmtk-rs and BMTK get make_sonata.py --split; see bench/README.md).

Tools (--tools, comma list; default all): bmtk-rs (`bmtk run CONFIG --quiet --threads N`, one
column per --backends entry, plus a fast-math column when `bmtk run --help` offers
`--fast-math`), bmtk (the BMTK process), neuron, coreneuron, arbor (busyring only). What each
column measures is in bench/README.md ("Cases" and "Columns").

Options: --bmtk PATH (default: `cargo build --release -p bmtk` of this checkout), --python PATH
(a venv python with neuron==9.0.2 bmtk==1.2.0 'pandas<3' h5py arbor==0.12.2 numpy; default
$BENCH_VENV, /work/.venv-bench, or bench/.venv created on demand), --threads N (bmtk-rs
--threads, NEURON pc.nthread, Arbor context threads; default 1), --repeat K (minimum of K
runs), --shared DIR, --keep (keep the temporary work folder).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = "hco-single@0.025,hco-pair,mc-net100,busyring@64"
FULL = "hco-single,hco-single@0.025,hco-pair,hco-net100,hco-net1000,mc-net100,busyring@1024"
# Spike counts of shared/bench/busyring/README.md (NEURON, CoreNEURON and Arbor agree).
BUSYRING_SPIKES = {64: 231, 256: 858, 1024: 3399, 4096: 13530}
VENV_PACKAGES = ["neuron==9.0.2", "bmtk==1.2.0", "pandas<3", "h5py", "arbor==0.12.2", "numpy"]


class Failed(Exception):
    """A tool could not produce a result for a case; the message is shown under the table."""


def run_timed(cmd, cwd=None, env=None):
    """Runs cmd; returns dict(wall, cpu, rss, out). Raises Failed on a non-zero exit."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = p.stdout.read()  # read all before waiting: a chatty child must not block on the pipe
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    text = out.decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        lines = [l for l in text.splitlines() if l.strip() and "[INFO]" not in l]
        raise Failed(f"exit {code}: " + " | ".join(lines[-3:])[-400:])
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024.0,
            "out": text}


def parse_float(pattern, text):
    m = re.search(pattern, text, re.M)
    return float(m.group(1)) if m else None


def find_shared(arg):
    for c in [arg, os.path.join(os.path.dirname(ROOT), "shared"), "/work/shared"]:
        if c and os.path.isdir(os.path.join(c, "reference")):
            return c
    sys.exit("cannot find the shared folder (reference/, models/, bench/busyring); pass --shared")


def venv_python(arg):
    """A python with NEURON 9.0.2 + BMTK 1.2.0 (+ Arbor, h5py): --python, $BENCH_VENV,
    /work/.venv-bench, or bench/.venv (created here)."""
    check = "import neuron, bmtk, h5py; print(neuron.__version__, bmtk.__version__)"
    if arg:
        return arg
    for venv in [os.environ.get("BENCH_VENV"), "/work/.venv-bench", os.path.join(HERE, ".venv")]:
        py = venv and os.path.join(venv, "bin", "python")
        if py and os.path.exists(py):
            r = subprocess.run([py, "-c", check], capture_output=True, text=True)
            if r.returncode == 0 and r.stdout.split()[:2] == ["9.0.2", "1.2.0"]:
                return py
    venv = os.path.join(HERE, ".venv")
    print(f"creating {venv} ({' '.join(VENV_PACKAGES)}) …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q"] + VENV_PACKAGES, check=True)
    return os.path.join(venv, "bin", "python")


def bmtk_binary(arg):
    if arg:
        return arg
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    print("building bmtk (release) …", flush=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "bmtk"], cwd=ROOT, check=True)
    return os.path.join(target, "release", "bmtk")


class Bench:
    def __init__(self, a):
        self.a = a
        self.shared = find_shared(a.shared)
        self.work = tempfile.mkdtemp(prefix="bmtk-bench-")
        self.tools = set(t for t in a.tools.split(",") if t)
        self.py = venv_python(a.python) if self.tools & {"bmtk", "neuron", "coreneuron", "arbor"} else None
        self.nrnivmodl = self.py and os.path.join(os.path.dirname(self.py), "nrnivmodl")
        self.bmtk = bmtk_binary(a.bmtk) if "bmtk-rs" in self.tools else None
        self.rs_columns = []  # (column name, extra argv)
        if self.bmtk:
            help_text = subprocess.run([self.bmtk, "run", "--help"], capture_output=True, text=True).stdout
            for b in [b for b in a.backends.split(",") if b]:
                argv = ["--backend", b] if "--backend" in help_text else []
                self.rs_columns.append((f"bmtk-rs {b}", argv))
            if "--fast-math" in help_text and not a.no_fast_math:
                self.rs_columns.append(("bmtk-rs fast-math", ["--backend", "jit", "--fast-math"]
                                        if "--backend" in help_text else ["--fast-math"]))
        self.compiled = {}  # model folder → (ok, coreneuron_ok, note)
        self.notes = []

    # ---------- preparation ----------
    def tree(self, side):
        """work/<side>/{reference,models}: `rs` is a pristine copy for bmtk-rs (which reads every
        .mod under mechanisms_dir, so NEURON's build folders must not be there), `nrn` gets the
        mechanisms compiled by nrnivmodl."""
        base = os.path.join(self.work, side)
        if not os.path.isdir(base):
            shutil.copytree(os.path.join(self.shared, "models"), os.path.join(base, "models"))
            os.makedirs(os.path.join(base, "reference"))
        return base

    def ref_case(self, side, name, variant):
        """(case dir, config file name, expected spikes file) of a reference case copy."""
        base = self.tree(side)
        d = os.path.join(base, "reference", name)
        if not os.path.isdir(d):
            shutil.copytree(os.path.join(self.shared, "reference", name), d,
                            ignore=shutil.ignore_patterns("*.npy", "output"))
        cfg, exp = "simulation_config.json", "spikes.csv"
        if name == "hco-net1000" and variant == "dL20":
            cfg, exp = "simulation_config_dL20.json", "spikes_dL20.csv"
        elif name == "hco-single" and variant is not None:
            dt = float(variant)
            suffix = {0.001: "", 0.01: "_dt001", 0.025: "_dt0025"}.get(dt)
            if suffix is not None:
                cfg, exp = f"simulation_config{suffix}.json", f"spikes{suffix}.csv"
            else:
                with open(os.path.join(d, "simulation_config.json")) as f:
                    c = json.load(f)
                c["run"]["dt"] = dt
                cfg, exp = f"bench_dt{dt}.json", None
                with open(os.path.join(d, cfg), "w") as f:
                    json.dump(c, f, indent=2)
        exp = exp and os.path.join(self.shared, "reference", name, "expected", exp)
        return d, cfg, exp

    def compile_mechanisms(self, mech_dir, want_coreneuron):
        """nrnivmodl (with -coreneuron when CoreNEURON runs) in mech_dir on modfiles/; returns
        (ok, coreneuron library or None, note)."""
        key = (mech_dir, want_coreneuron)
        if key in self.compiled:
            return self.compiled[key]
        os.makedirs(os.path.join(mech_dir, "modfiles"), exist_ok=True)
        res = None
        if want_coreneuron:
            r = subprocess.run([self.nrnivmodl, "-coreneuron", "modfiles"], cwd=mech_dir,
                               capture_output=True, text=True)
            lib = os.path.join(mech_dir, "x86_64", "libcorenrnmech.so")
            if r.returncode == 0 and os.path.exists(lib):
                res = (True, lib, None)
            else:
                err = [l for l in (r.stdout + r.stderr).splitlines() if "error" in l.lower()]
                note = "nrnivmodl -coreneuron failed: " + (err[0].strip() if err else "see log")
                shutil.rmtree(os.path.join(mech_dir, "x86_64"), ignore_errors=True)
                res = (None, None, note)
        if res is None or res[0] is None:
            note = res[2] if res else None
            r = subprocess.run([self.nrnivmodl, "modfiles"], cwd=mech_dir, capture_output=True, text=True)
            res = (r.returncode == 0, None, note or (None if r.returncode == 0 else "nrnivmodl failed"))
        self.compiled[key] = res
        return res

    # ---------- tools ----------
    def best(self, fn):
        """Minimum over --repeat runs (by sim time when known, else wall)."""
        runs = [fn() for _ in range(self.a.repeat)]
        return min(runs, key=lambda r: r["sim"] if r.get("sim") is not None else r["wall"])

    def run_rs(self, case_dir, cfg, argv):
        cmd = [self.bmtk, "run", cfg, "--quiet", "--threads", str(self.a.threads)] + argv
        r = run_timed(cmd, cwd=case_dir)
        with open(os.path.join(case_dir, "output", "log.txt")) as f:
            log = f.read()
        r["sim"] = parse_float(r"Simulation completed in ([0-9.]+) seconds", log)
        r["codegen_ms"] = parse_float(r"Native code generated in ([0-9.]+) ms", log)
        m = re.search(r"Done: \d+ cells, (\d+) spikes", log)
        r["spikes"] = int(m.group(1)) if m else count_csv(os.path.join(case_dir, "output", "spikes.csv"))
        r["trains"] = read_spikes_csv(os.path.join(case_dir, "output", "spikes.csv"))
        return r

    def run_driver(self, case_dir, cfg, mode, corelib=None):
        env = dict(os.environ)
        if corelib:
            env["CORENEURONLIB"] = corelib
        cmd = [self.py, os.path.join(HERE, "bmtk_driver.py"), cfg, "--mode", mode,
               "--threads", str(self.a.threads)]
        r = run_timed(cmd, cwd=case_dir, env=env)
        out = r["out"]
        r["sim"] = parse_float(r"^sim_seconds ([0-9.]+)", out)
        r["ncomp"] = parse_float(r"^compartments (\d+)", out)
        r["nsyn"] = parse_float(r"^synapses (\d+)", out)
        if mode == "bmtk":
            r["spikes"] = count_csv(os.path.join(case_dir, "output", "spikes.csv"))
            r["trains"] = read_spikes_csv(os.path.join(case_dir, "output", "spikes.csv"))
        else:
            s = parse_float(r"^spikes (\d+)", out)
            r["spikes"] = int(s) if s is not None else None
        return r

    def run_neuron_hco(self, dt):
        """Plain-NEURON replica of hco-single (neuron_hco.py), mechanisms built apart."""
        mods = os.path.join(self.work, "nrnmech-hco")
        if not os.path.isdir(os.path.join(mods, "x86_64")):
            os.makedirs(mods, exist_ok=True)
            src = os.path.join(self.shared, "models", "hco", "mechanisms", "modfiles")
            for f in os.listdir(src):
                if f.endswith(".mod"):
                    shutil.copy(os.path.join(src, f), mods)
            subprocess.run([self.nrnivmodl, "."], cwd=mods, check=True, capture_output=True)
        template = os.path.join(self.shared, "models", "hco", "hoc_templates", "HCOCell.hoc")
        r = run_timed([self.py, os.path.join(HERE, "neuron_hco.py"), "--template", template,
                       "--dt", str(dt), "--tstop", "1000"], cwd=mods)
        r["sim"] = parse_float(r"sim_seconds ([0-9.]+)", r["out"])
        r["spikes"] = None
        return r

    def run_busyring_driver(self, script, model, extra, cwd):
        out_json = os.path.join(self.work, "busyring", f"res_{time.time_ns()}.json")
        spk = out_json[:-5] + ".spk"
        r = run_timed([self.py, os.path.join(self.shared, "bench", "busyring", script), "--model", model,
                       "--threads", str(self.a.threads), "--reps", "1", "--out", out_json,
                       "--spikes", spk] + extra,
                      cwd=cwd, env=dict(os.environ, OMP_NUM_THREADS=str(self.a.threads)))
        with open(out_json) as f:
            res = json.load(f)
        r["sim"] = res["sim_min_s"]
        r["spikes"] = res["spikes"][0]
        trains = {}
        with open(spk) as f:
            for line in f:
                gid, t = line.split()
                trains.setdefault(int(gid), []).append(float(t))
        r["trains"] = trains
        return r

    # ---------- cases ----------
    def attempt(self, results, col, fn):
        try:
            results[col] = self.best(fn)
            r = results[col]
            print(f"  {col:18s} wall {r['wall']:8.2f} s  sim {fmt(r.get('sim'))} s  CPU {r['cpu']:8.2f} s  "
                  f"RSS {r['rss']:7.0f} MiB  spikes {fmt_int(r.get('spikes'))}", flush=True)
        except Failed as e:
            results[col] = None
            self.notes.append(f"{self.current}: {col}: {e}")
            print(f"  {col:18s} failed: {e}", flush=True)
        except (OSError, subprocess.SubprocessError, ValueError, KeyError) as e:
            results[col] = None
            self.notes.append(f"{self.current}: {col}: {type(e).__name__}: {e}")
            print(f"  {col:18s} failed: {e}", flush=True)

    def reference_case(self, name, variant):
        res, meta = {}, {}
        rs_dir, cfg, expected = self.ref_case("rs", name, variant)
        meta["expected"] = count_csv(expected) if expected and os.path.exists(expected) else None
        meta["trains"] = read_spikes_csv(expected) if meta["expected"] is not None else None
        for col, argv in self.rs_columns:
            self.attempt(res, col, lambda argv=argv: self.run_rs(rs_dir, cfg, argv))
        nrn_tools = self.tools & {"bmtk", "neuron", "coreneuron"}
        if nrn_tools:
            nrn_dir, cfg, _ = self.ref_case("nrn", name, variant)
            with open(os.path.join(nrn_dir, "circuit_config.json")) as f:
                model = os.path.basename(json.load(f)["manifest"]["$COMPONENTS_DIR"])
            mech_dir = os.path.join(self.tree("nrn"), "models", model, "mechanisms")
            ok, corelib, note = self.compile_mechanisms(mech_dir, "coreneuron" in self.tools)
            if note:
                self.notes.append(f"{self.current}: {note}")
            if "bmtk" in self.tools:
                self.attempt(res, "BMTK", lambda: self.run_driver(nrn_dir, cfg, "bmtk"))
            if "neuron" in self.tools:
                if name == "hco-single":
                    dt = float(variant) if variant else 0.001
                    self.attempt(res, "NEURON", lambda: self.run_neuron_hco(dt))
                else:
                    self.attempt(res, "NEURON", lambda: self.run_driver(nrn_dir, cfg, "neuron"))
            if "coreneuron" in self.tools:
                if corelib:
                    self.attempt(res, "CoreNEURON", lambda: self.run_driver(nrn_dir, cfg, "coreneuron", corelib))
                else:
                    res["CoreNEURON"] = None
            for r in res.values():
                if r and r.get("ncomp"):
                    meta["ncomp"], meta["nsyn"] = int(r["ncomp"]), int(r["nsyn"])
        if "arbor" in self.tools:
            res["Arbor"] = None
        return res, meta

    def busyring_case(self, n, split):
        res, meta = {}, {}
        d = os.path.join(self.work, "busyring")
        os.makedirs(d, exist_ok=True)
        model = os.path.join(d, f"ring_large_{n}.json")
        py = self.py or sys.executable
        if not os.path.exists(model):
            subprocess.run([py, os.path.join(self.shared, "bench", "busyring", "gen_trees.py"),
                            "--cells", str(n), "-o", model], check=True, capture_output=True)
        with open(model) as f:
            params = json.load(f)["params"]
        meta["ncomp"] = params["total-compartments"]
        meta["nsyn"] = n + (n + 9) // 10  # ring synapses + the kick synapses
        meta["expected"] = BUSYRING_SPIKES.get(n)
        tag = f"{n}_split" if split else f"{n}"
        sonata = os.path.join(d, f"sonata_{tag}")
        if not os.path.isdir(sonata):
            if not self.py:
                raise SystemExit("busyring needs the venv (h5py) to write the SONATA model; pass --python")
            subprocess.run([self.py, os.path.join(HERE, "busyring", "make_sonata.py"), "--model", model,
                            "-o", sonata] + (["--split"] if split else []), check=True, capture_output=True)
        if self.rs_columns:
            rs_dir = os.path.join(d, f"rs_{tag}")
            if not os.path.isdir(rs_dir):
                # BMTK's vecevent.mod stays: bmtk-rs replaces it by its built-in VecStim.
                shutil.copytree(sonata, rs_dir)
            for col, argv in self.rs_columns:
                self.attempt(res, col, lambda argv=argv: self.run_rs(rs_dir, "simulation_config.json", argv))
        if "bmtk" in self.tools:
            nrn_dir = os.path.join(d, f"nrn_{tag}")
            if not os.path.isdir(nrn_dir):
                shutil.copytree(sonata, nrn_dir)
            # BMTK's vecevent.mod (VecStim for the virtual kick cells) does not build for
            # CoreNEURON, so only the plain NEURON library is compiled here.
            ok, _, note = self.compile_mechanisms(os.path.join(nrn_dir, "components", "mechanisms"), False)
            if not ok:
                self.notes.append(f"{self.current}: BMTK: {note}")
            self.attempt(res, "BMTK", lambda: self.run_driver(nrn_dir, "simulation_config.json", "bmtk"))
        if "neuron" in self.tools:
            self.attempt(res, "NEURON", lambda: self.run_busyring_driver("run_neuron.py", model, [], d))
        if "coreneuron" in self.tools:
            cn = os.path.join(d, "coreneuron-builtin")
            ok, corelib, note = self.compile_mechanisms(cn, True)
            if corelib:
                self.attempt(res, "CoreNEURON", lambda: self.run_busyring_driver(
                    "run_neuron.py", model, ["--coreneuron"], cn))
            else:
                res["CoreNEURON"] = None
                self.notes.append(f"{self.current}: CoreNEURON: {note}")
        if "arbor" in self.tools:
            self.attempt(res, "Arbor", lambda: self.run_busyring_driver("run_arbor.py", model, [], d))
        if res.get("NEURON"):
            meta["trains"] = res["NEURON"]["trains"]
        return res, meta

    def run(self, cases):
        rows = []
        for case in cases:
            self.current = case
            name, _, variant = case.partition("@")
            print(f"{case}:", flush=True)
            if name == "busyring":
                size, _, form = variant.partition(":")
                res, meta = self.busyring_case(int(size or 64), form == "split")
            elif name in ("hco-single", "hco-pair", "hco-net100", "hco-net1000", "mc-net100"):
                res, meta = self.reference_case(name, variant or None)
            else:
                print(f"  unknown case {case}", file=sys.stderr)
                continue
            rows.append((case, res, meta))
        return rows


def read_spikes_csv(path):
    """gid → spike times from a SONATA spikes.csv (`timestamps population node_ids`); for
    busyring only the `busy` population (the kick cells are inputs)."""
    trains = {}
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        next(f, None)
        for line in f:
            parts = line.split()
            if len(parts) >= 3 and parts[1] != "kick":
                trains.setdefault(int(parts[2]), []).append(float(parts[0]))
    return trains


def max_time_shift(a, b):
    """Largest |t_a − t_b| over spikes matched per gid in order; None when counts differ."""
    if a is None or b is None:
        return None
    if set(a) != set(b) or any(len(a[g]) != len(b[g]) for g in a):
        return None
    return max((abs(x - y) for g in a for x, y in zip(sorted(a[g]), sorted(b[g]))), default=0.0)


def count_csv(path):
    """Spikes in a BMTK/bmtk-rs spikes.csv (lines after the header), None if absent."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        return max(0, sum(1 for l in f if l.strip()) - 1)


def fmt(x, spec="8.2f"):
    return format(x, spec) if x is not None else "–".rjust(int(spec.split(".")[0]) if spec[0].isdigit() else 1)


def fmt_int(x):
    return str(int(x)) if x is not None else "–"


def cell(r, key, spec=".2f"):
    return format(r[key], spec) if r and r.get(key) is not None else "–"


def ratio(num, den):
    if num is None or den is None or den <= 0:
        return "–"
    return f"{num / den:.2f}×"


def print_tables(rows, rs_columns, threads):
    cols = [c for c, _ in rs_columns] + ["BMTK", "NEURON", "CoreNEURON", "Arbor"]
    present = [c for c in cols if any(c in res for _, res, _ in rows)]
    print(f"\n### Times (threads {threads}): process wall s / sim-only s / process CPU s (user + sys)\n")
    print("| case | " + " | ".join(present) + " |")
    print("|---" * (1 + len(present)) + "|")
    for case, res, _ in rows:
        cells = []
        for c in present:
            r = res.get(c)
            cells.append(f"{cell(r, 'wall')} / {cell(r, 'sim')} / {cell(r, 'cpu')}" if r else "–")
        print(f"| {case} | " + " | ".join(cells) + " |")

    for ref in [c for c, _ in rs_columns if c in present]:
        print_ratios(rows, present, ref)

    if any(res.get(c) and res[c].get("codegen_ms") is not None for _, res, _ in rows for c, _ in rs_columns):
        print("\n### bmtk-rs native code generation (ms; the run's log: every mechanism compiled, "
              "or in fast-math the fused groups and unfused sets)\n")
        rs = [c for c, _ in rs_columns if c in present]
        print("| case | " + " | ".join(rs) + " |")
        print("|---" * (1 + len(rs)) + "|")
        for case, res, _ in rows:
            cells = []
            for c in rs:
                ms = res.get(c) and res[c].get("codegen_ms")
                cells.append(f"{ms:.1f}" if ms is not None else "–")
            print(f"| {case} | " + " | ".join(cells) + " |")
    print_memory_and_spikes(rows, present)


def print_ratios(rows, present, ref):
    """Ratios of the other columns against bmtk-rs column `ref`."""
    others = [c for c in present if c != ref]
    if ref:
        print(f"\n### Ratios against {ref} (> 1: bmtk-rs faster). BMTK: process wall (process CPU); "
              "others: sim-only\n")
        print("| case | " + " | ".join(f"{c}/{ref}" if c.startswith("bmtk-rs") else f"{c}/bmtk-rs"
                                     for c in others) + " |")
        print("|---" * (1 + len(others)) + "|")
        for case, res, _ in rows:
            base = res.get(ref)
            cells = []
            for c in others:
                r = res.get(c)
                if c == "BMTK":
                    cells.append(ratio(r and r["wall"], base and base["wall"]) + " ("
                                 + ratio(r and r["cpu"], base and base["cpu"]) + ")")
                else:
                    cells.append(ratio(r and r.get("sim"), base and base.get("sim")))
            print(f"| {case} | " + " | ".join(cells) + " |")


def print_memory_and_spikes(rows, present):
    """The memory and spike-count tables."""
    print("\n### Memory: peak RSS MiB (KiB per compartment / per synapse = peak RSS ÷ count, "
          "fixed overhead included)\n")
    print("| case | compartments | synapses | " + " | ".join(present) + " |")
    print("|---" * (3 + len(present)) + "|")
    for case, res, meta in rows:
        nc, ns = meta.get("ncomp"), meta.get("nsyn")
        cells = []
        for c in present:
            r = res.get(c)
            if not r:
                cells.append("–")
                continue
            per = []
            per.append(f"{r['rss'] * 1024 / nc:.1f}" if nc else "–")
            per.append(f"{r['rss'] * 1024 / ns:.1f}" if ns else "–")
            cells.append(f"{r['rss']:.0f} ({' / '.join(per)})")
        print(f"| {case} | {fmt_int(nc)} | {fmt_int(ns)} | " + " | ".join(cells) + " |")

    print("\n### Spike counts (expected: shared/reference expected/ or busyring README; "
          "\"Δt X\": same count but spike times differ from expected/NEURON by up to X ms)\n")
    print("| case | expected | " + " | ".join(present) + " |")
    print("|---" * (2 + len(present)) + "|")
    for case, res, meta in rows:
        exp = meta.get("expected")
        cells = []
        for c in present:
            s = res.get(c) and res[c].get("spikes")
            mark = " ≠" if s is not None and exp is not None and s != exp else ""
            if not mark and res.get(c) and res[c].get("trains") is not None and meta.get("trains") is not None:
                shift = max_time_shift(res[c]["trains"], meta["trains"])
                if shift is not None and shift > 1e-3:  # NEURON driver files keep 4 decimals
                    mark = f" (Δt {shift:.3f})"
            cells.append(fmt_int(s) + mark if res.get(c) else "–")
        print(f"| {case} | {fmt_int(exp)} | " + " | ".join(cells) + " |")


def print_marginal_memory(rows):
    """Bytes per compartment from two busyring sizes: (RSS_big − RSS_small) / (comp_big −
    comp_small), which cancels each tool's fixed overhead (binary, Python, libraries)."""
    ring = [(meta["ncomp"], res) for case, res, meta in rows
            if case.startswith("busyring") and ":" not in case and meta.get("ncomp")]
    ring.sort(key=lambda x: x[0])
    if len(ring) < 2 or ring[0][0] == ring[-1][0]:
        return
    (c0, r0), (c1, r1) = ring[0], ring[-1]
    parts = []
    for col in r1:
        if r0.get(col) and r1.get(col) and c1 > c0:
            parts.append(f"{col} {(r1[col]['rss'] - r0[col]['rss']) * 1048576 / (c1 - c0):.0f}")
    print(f"\nMarginal memory per compartment (busyring, bytes, {c0} → {c1} compartments): " + ", ".join(parts))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="quick", help=f"comma list, or quick ({QUICK}) or full ({FULL})")
    ap.add_argument("--tools", default="bmtk-rs,bmtk,neuron,coreneuron,arbor")
    ap.add_argument("--backends", default="jit", help="bmtk-rs backends, one column each (jit,interp)")
    ap.add_argument("--no-fast-math", action="store_true", help="skip the bmtk-rs --fast-math column")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (minimum kept)")
    ap.add_argument("--bmtk")
    ap.add_argument("--python", "--neuron-python", dest="python")
    ap.add_argument("--shared")
    ap.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    a = ap.parse_args()
    cases = {"quick": QUICK, "full": FULL}.get(a.cases, a.cases).split(",")

    b = Bench(a)
    print(f"work folder {b.work}; bmtk-rs {b.bmtk}; python {b.py}; threads {a.threads}", flush=True)
    try:
        rows = b.run([c for c in cases if c])
    finally:
        if not a.keep:
            shutil.rmtree(b.work, ignore_errors=True)
    print_tables(rows, b.rs_columns, a.threads)
    print_marginal_memory(rows)
    print("\nNotes (– cells):")
    for n in b.notes:
        print(f"- {n}")
    if "arbor" in b.tools and any(not c.startswith("busyring") for c in cases):
        print("- Arbor runs only busyring here: the reference cases need HOC templates and their "
              "NMODL files, which Arbor does not read.")


if __name__ == "__main__":
    main()
