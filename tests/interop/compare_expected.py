#!/usr/bin/env python3
"""Compare what `bmtk run` wrote with the NEURON 9.0.2 results in a reference case's expected/.

Usage:
  compare_expected.py OUTPUT_DIR [--trace VAR:NODES=FILE.npy]... [--spikes FILE.csv]

--trace v:0=expected/v_dt0025.npy     node 0's `v` (1-D .npy, one row per step incl. t = 0)
--trace v:0-9=expected/v_soma_nodes0-9.npy   nodes 0..9 (2-D .npy, one column per node)
--spikes expected/spikes_dt0025.csv   spikes.csv in OUTPUT_DIR must hold the same spikes

Traces are read from every membrane report in OUTPUT_DIR (by the `variable` attribute of
/report/<pop>/data, at each node's first element = soma(0.5)). Tolerances: v within 1e-6 mV,
any other variable within 1e-9 relative; spike times within 1e-9 ms, same nodes, same count.
Exits 1 on any mismatch.
"""
import glob
import os
import sys

import h5py
import numpy as np

V_ABS_TOL = 1e-6
REL_TOL = 1e-9
SPIKE_TOL = 1e-9

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def read_traces(out_dir):
    """{variable: {node_id: 1-D array}} from every report file in out_dir."""
    traces = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "*.h5"))):
        with h5py.File(path, "r") as h5:
            if "report" not in h5:
                continue
            for pop in h5["report"]:
                g = h5["report"][pop]
                variable = text(g["data"].attrs["variable"])
                data = g["data"][()]
                ids = g["mapping/node_ids"][()]
                ptr = g["mapping/index_pointer"][()]
                for i, nid in enumerate(ids):
                    traces.setdefault(variable, {})[int(nid)] = data[:, ptr[i]]
    return traces


def parse_nodes(text_nodes):
    if "-" in text_nodes:
        lo, hi = text_nodes.split("-")
        return list(range(int(lo), int(hi) + 1))
    return [int(n) for n in text_nodes.split(",")]


def compare_trace(traces, spec):
    key, path = spec.split("=", 1)
    variable, nodes = key.split(":")
    nodes = parse_nodes(nodes)
    want = np.load(path)
    if want.ndim == 1:
        want = want[:, None]
    if want.shape[1] != len(nodes):
        fail(f"{path}: {want.shape[1]} columns for nodes {nodes}")
        return
    got_var = traces.get(variable)
    if got_var is None:
        fail(f"no report records `{variable}` (have {sorted(traces)})")
        return
    for col, nid in enumerate(nodes):
        got = got_var.get(nid)
        if got is None:
            fail(f"`{variable}` report has no node {nid}")
            continue
        exp = want[:, col]
        if len(got) != len(exp):
            fail(f"{variable} node {nid}: {len(got)} rows, {path} has {len(exp)}")
            continue
        diff = np.abs(got - exp)
        worst = int(np.argmax(diff))
        if variable == "v":
            ok = diff[worst] <= V_ABS_TOL
            what = f"max |dv| {diff[worst]:.3g} mV"
        else:
            rel = diff / np.maximum(np.abs(exp), np.finfo(float).tiny)
            worst = int(np.argmax(rel))
            ok = rel[worst] <= REL_TOL
            what = f"max relative d{variable} {rel[worst]:.3g}"
        identical = np.array_equal(got, exp)
        line = f"{variable} node {nid}: {len(got)} rows, {what}{' (bit-identical)' if identical else ''}"
        if ok:
            print("ok:", line)
        else:
            fail(f"{line} at row {worst}: {got[worst]!r} vs {exp[worst]!r} ({path})")


def read_spikes_csv(path):
    lines = open(path).read().splitlines()
    if not lines or lines[0].split() != ["timestamps", "population", "node_ids"]:
        fail(f"{path}: header {lines[:1]}")
        return []
    rows = []
    for line in lines[1:]:
        t, pop, nid = line.split()
        rows.append((float(t), pop, int(nid)))
    return rows


def compare_spikes(out_dir, expected):
    got = read_spikes_csv(os.path.join(out_dir, "spikes.csv"))
    want = read_spikes_csv(expected)
    if len(got) != len(want):
        fail(f"spikes: {len(got)} written, {expected} has {len(want)}")
        return
    for (tg, pg, ng), (tw, pw, nw) in zip(got, want):
        if (pg, ng) != (pw, nw) or abs(tg - tw) > SPIKE_TOL:
            fail(f"spikes: got {tg!r} {pg} {ng}, expected {tw!r} {pw} {nw} ({expected})")
            return
    worst = max((abs(a[0] - b[0]) for a, b in zip(got, want)), default=0.0)
    print(f"ok: {len(got)} spikes match {os.path.basename(expected)} (max |dt| {worst:.3g} ms)")


def main():
    args = sys.argv[1:]
    if not args or args[0].startswith("-"):
        print(__doc__)
        return 2
    out_dir = args[0]
    traces = read_traces(out_dir)
    i = 1
    while i < len(args):
        flag, value = args[i], args[i + 1] if i + 1 < len(args) else None
        if value is None:
            print(__doc__)
            return 2
        if flag == "--trace":
            compare_trace(traces, value)
        elif flag == "--spikes":
            compare_spikes(out_dir, value)
        else:
            print(__doc__)
            return 2
        i += 2
    print(f"{out_dir}: {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
