#!/usr/bin/env python3
"""Side-by-side wall times: bmtk-rs (interpreter and JIT backends) against NEURON 9.0.2 on the
same cases, in one invocation, printed as a table with ratios.

Cases are `name@dt`, e.g. `hco-single@0.001`. `hco-single` runs the reference folder of
`shared/reference/hco-single` with bmtk-rs (dt overridden) and a plain-NEURON replica of the
HCO cell (`neuron_hco.py`, identical traces to BMTK+NEURON) for the NEURON column.

Usage (from the repository root):
    bench/run.sh                                   # hco-single at dt 0.025 and 0.001
    bench/run.sh --cases hco-single@0.025 --repeat 3
Options: --bmtk PATH (default: build `--release -p bmtk`), --neuron-python PATH (default: a venv
with neuron==9.0.2: $NEURON_VENV, /work/.venv-neuron, or bench/.venv-neuron created here),
--backends interp,jit, --shared DIR (default ../shared next to the repo, or /work/shared).

Backend selection: `bmtk run --backend B` when the CLI has the flag, else the environment
variable BMTK_BACKEND=B (binaries without a JIT hook ignore it: both columns are then the same).
Timings are wall times of whole processes (compile, setup, output included) plus the
simulation-only time each tool reports; peak RSS comes from wait4.
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


def run_timed(cmd, cwd=None, env=None):
    """Runs cmd; returns (wall seconds, CPU seconds, peak RSS MiB, stdout+stderr text)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    # Read everything before waiting so a chatty child cannot block on a full pipe.
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    text = out.decode(errors="replace")
    if p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{text[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, text


def find_shared(arg):
    for c in [arg, os.path.join(os.path.dirname(ROOT), "shared"), "/work/shared"]:
        if c and os.path.isdir(os.path.join(c, "reference")):
            return c
    sys.exit("cannot find the shared folder (reference/, models/); pass --shared")


def neuron_python(arg):
    if arg:
        return arg
    for venv in [os.environ.get("NEURON_VENV"), "/work/.venv-neuron", os.path.join(HERE, ".venv-neuron")]:
        if venv and os.path.exists(os.path.join(venv, "bin", "python")):
            r = subprocess.run([os.path.join(venv, "bin", "python"), "-c", "import neuron; print(neuron.__version__)"],
                               capture_output=True, text=True)
            if r.returncode == 0 and r.stdout.strip().startswith("9.0.2"):
                return os.path.join(venv, "bin", "python")
    venv = os.path.join(HERE, ".venv-neuron")
    print(f"creating {venv} with neuron==9.0.2 …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "neuron==9.0.2", "numpy"], check=True)
    return os.path.join(venv, "bin", "python")


def bmtk_binary(arg):
    if arg:
        return arg
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    print("building bmtk (release) …", flush=True)
    subprocess.run(["cargo", "build", "--release", "-q", "-p", "bmtk"], cwd=ROOT, check=True)
    return os.path.join(target, "release", "bmtk")


def backend_args(bmtk, backend):
    """(extra argv, extra env) selecting a backend."""
    help_text = subprocess.run([bmtk, "run", "--help"], capture_output=True, text=True).stdout
    if "--backend" in help_text:
        return ["--backend", backend], {}
    return [], {"BMTK_BACKEND": backend}


def prepare_hco(shared, work, dt):
    """A runnable copy of reference/hco-single with run.dt = dt; returns (dir, config)."""
    ref = os.path.join(work, "reference", "hco-single")
    if not os.path.isdir(ref):
        shutil.copytree(os.path.join(shared, "reference", "hco-single"), ref)
        shutil.copytree(os.path.join(shared, "models"), os.path.join(work, "models"))
    with open(os.path.join(ref, "simulation_config.json")) as f:
        cfg = json.load(f)
    cfg["run"]["dt"] = dt
    name = f"bench_dt{dt}.json"
    with open(os.path.join(ref, name), "w") as f:
        json.dump(cfg, f, indent=2)
    return ref, name


def neuron_hco(py, shared, work, dt, tstop):
    mods = os.path.join(work, "nrnmech")
    if not os.path.isdir(os.path.join(mods, "x86_64")):
        os.makedirs(mods, exist_ok=True)
        src = os.path.join(shared, "models", "hco", "mechanisms", "modfiles")
        for f in os.listdir(src):
            if f.endswith(".mod"):
                shutil.copy(os.path.join(src, f), mods)
        nrnivmodl = os.path.join(os.path.dirname(py), "nrnivmodl")
        subprocess.run([nrnivmodl, "."], cwd=mods, check=True, capture_output=True)
    template = os.path.join(shared, "models", "hco", "hoc_templates", "HCOCell.hoc")
    wall, cpu, rss, out = run_timed([py, os.path.join(HERE, "neuron_hco.py"), "--template", template,
                                     "--dt", str(dt), "--tstop", str(tstop)], cwd=mods)
    m = re.search(r"sim_seconds ([0-9.]+)", out)
    return wall, float(m.group(1)) if m else float("nan"), cpu, rss


def bmtk_hco(bmtk, shared, work, dt, backend):
    ref, cfg = prepare_hco(shared, work, dt)
    argv, extra_env = backend_args(bmtk, backend)
    env = dict(os.environ, **extra_env)
    wall, cpu, rss, out = run_timed([bmtk, "run", cfg] + argv, cwd=ref, env=env)
    m = re.search(r"Simulation completed in ([0-9.]+) seconds", out)
    return wall, float(m.group(1)) if m else float("nan"), cpu, rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default="hco-single@0.025,hco-single@0.001")
    ap.add_argument("--backends", default="interp,jit")
    ap.add_argument("--repeat", type=int, default=1, help="runs per measurement (minimum kept)")
    ap.add_argument("--bmtk")
    ap.add_argument("--neuron-python")
    ap.add_argument("--shared")
    ap.add_argument("--tstop", type=float, default=1000.0)
    a = ap.parse_args()

    shared = find_shared(a.shared)
    bmtk = bmtk_binary(a.bmtk)
    py = neuron_python(a.neuron_python)
    backends = [b for b in a.backends.split(",") if b]
    work = tempfile.mkdtemp(prefix="bmtk-bench-")
    rows = []
    for case in a.cases.split(","):
        name, dt = case.split("@")
        dt = float(dt)
        if name != "hco-single":
            print(f"skipping unknown case {name}", file=sys.stderr)
            continue
        res = {}
        for b in backends:
            runs = [bmtk_hco(bmtk, shared, work, dt, b) for _ in range(a.repeat)]
            res[b] = min(runs)
            print(f"{case} bmtk-rs {b}: {res[b][0]:.2f} s wall, {res[b][1]:.2f} s sim, "
                  f"{res[b][2]:.2f} s CPU, {res[b][3]:.0f} MiB", flush=True)
        runs = [neuron_hco(py, shared, work, dt, a.tstop) for _ in range(a.repeat)]
        res["neuron"] = min(runs)
        r = res["neuron"]
        print(f"{case} NEURON: {r[0]:.2f} s wall, {r[1]:.2f} s sim, {r[2]:.2f} s CPU, {r[3]:.0f} MiB", flush=True)
        rows.append((case, res))
    shutil.rmtree(work, ignore_errors=True)

    cols = backends + ["neuron"]
    print()
    print("| case | " + " | ".join(f"{c} wall / sim / CPU s" for c in cols) + " | "
          + " | ".join(f"NEURON/{b} wall (CPU)" for b in backends) + " | peak RSS MiB (" + "/".join(cols) + ") |")
    print("|---" * (1 + len(cols) + len(backends) + 1) + "|")
    for case, res in rows:
        cells = [f"{res[c][0]:.2f} / {res[c][1]:.2f} / {res[c][2]:.2f}" for c in cols]
        ratios = [f"{res['neuron'][0] / res[b][0]:.2f}× ({res['neuron'][2] / res[b][2]:.2f}×)" for b in backends]
        rss = "/".join(f"{res[c][3]:.0f}" for c in cols)
        print(f"| {case} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {rss} |")
    print("\nratios: NEURON time / bmtk-rs time for the whole process, wall (CPU = user + sys, "
          "steadier on a shared machine); > 1 means bmtk-rs is faster")

if __name__ == "__main__":
    main()
