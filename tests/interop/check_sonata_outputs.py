#!/usr/bin/env python3
"""Check that every SONATA output bmtk-rs wrote is read identically by h5py, libsonata and
BMTK 1.2.0.

Usage: check_sonata_outputs.py OUTPUT_DIR [--sample]

For each *.h5 in OUTPUT_DIR:
  /spikes files: h5py, libsonata.SpikeReader and bmtk SpikeTrains must agree on populations,
    node ids and times; `sorting` must be the SONATA enum; a spikes CSV next to it (same stem)
    must hold the same spikes, sorted by time then node id.
  /report files: h5py, libsonata.ElementReportReader and bmtk CompartmentReport must agree on
    node ids, element ids, data and the time axis (row k at tstart + k*dt, len(times) == rows),
    and the `variable` attribute must match the file name rule (first variable -> file_name,
    others -> <stem>_<var>.h5).
--sample additionally checks the values written by `cargo run -p sonata --example
write_sample_outputs`. Exits 1 on any mismatch.
"""
import glob
import os
import sys

import h5py
import numpy as np
import libsonata
from bmtk.utils.reports import CompartmentReport
from bmtk.utils.reports.spike_trains import SpikeTrains

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


def text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def check_spikes(path):
    with h5py.File(path, "r") as h5:
        pops = list(h5["spikes"].keys())
        ref = {}
        for pop in pops:
            g = h5["spikes"][pop]
            check(g["timestamps"].dtype == np.float64, f"{path}: {pop} timestamps not float64")
            check(g["node_ids"].dtype == np.uint64, f"{path}: {pop} node_ids not uint64")
            sorting_type = h5py.check_enum_dtype(g.attrs.get_id("sorting").dtype)
            check(sorting_type == {"none": 0, "by_id": 1, "by_time": 2},
                  f"{path}: {pop} sorting is not the SONATA enum: {sorting_type}")
            ref[pop] = (np.asarray(g["timestamps"][()]), np.asarray(g["node_ids"][()]),
                        int(g.attrs["sorting"]))
    reader = libsonata.SpikeReader(path)
    check(sorted(reader.get_population_names()) == sorted(pops), f"{path}: libsonata populations")
    for pop, (ts, ids, sorting) in ref.items():
        lp = reader[pop]
        got = lp.get()
        lt = np.array([s[1] for s in got])
        li = np.array([s[0] for s in got])
        check(len(got) == len(ts), f"{path}: libsonata count {len(got)} != {len(ts)}")
        check(sorted(zip(li.tolist(), lt.tolist())) == sorted(zip(ids.tolist(), ts.tolist())),
              f"{path}: libsonata spikes differ")
        names = {0: "none", 1: "by_id", 2: "by_time"}
        check(str(lp.sorting).endswith(names[sorting]), f"{path}: libsonata sorting {lp.sorting}")
        if sorting == 2:
            check(np.all(np.diff(ts) >= 0), f"{path}: {pop} not sorted by time")
    st = SpikeTrains.load(path)
    df = st.to_dataframe()
    for pop, (ts, ids, _) in ref.items():
        sub = df[df["population"] == pop]
        check(sorted(zip(sub["node_ids"].tolist(), sub["timestamps"].tolist()))
              == sorted(zip(ids.tolist(), ts.tolist())), f"{path}: bmtk spikes differ")
    csv = os.path.splitext(path)[0] + ".csv"
    if os.path.exists(csv):
        lines = open(csv).read().splitlines()
        check(lines[0] == "timestamps population node_ids", f"{csv}: header {lines[0]!r}")
        rows = [l.split(" ") for l in lines[1:]]
        keys = [(float(r[0]), int(r[2])) for r in rows]
        check(keys == sorted(keys), f"{csv}: not sorted by time then node")
        want = sorted((float(t), p, int(i)) for p, (ts, ids, _) in ref.items()
                      for t, i in zip(ts, ids))
        got = sorted((float(r[0]), r[1], int(r[2])) for r in rows)
        check(got == want, f"{csv}: differs from {path}")
        csv_df = SpikeTrains.load(csv).to_dataframe()
        check(len(csv_df) == len(want), f"{csv}: bmtk reads {len(csv_df)} spikes")


def check_report(path, sample):
    with h5py.File(path, "r") as h5:
        pops = list(h5["report"].keys())
        for pop in pops:
            g = h5["report"][pop]
            m = g["mapping"]
            data = g["data"][()]
            time = m["time"][()]
            ip = m["index_pointer"][()]
            check(np.array_equal(ip, m["index_pointers"][()]), f"{path}: index_pointer(s) differ")
            check(len(ip) == len(m["node_ids"]) + 1, f"{path}: index_pointer length")
            check(ip[-1] == data.shape[1], f"{path}: index_pointer end {ip[-1]} != {data.shape[1]}")
            variable = text(g["data"].attrs["variable"])
            units = text(g["data"].attrs["units"])
            tstart, tstop, dt = time
            n_rows = data.shape[0]
            # BMTK's row count rule and libsonata's (t < tstop) must both give the row count.
            check(int((tstop - tstart) / dt) == n_rows, f"{path}: int((tstop-tstart)/dt) != rows {n_rows}")

            if data.dtype == np.float32:
                rr = libsonata.ElementReportReader(path)
                lp = rr[pop]
                frame = lp.get()
                lt = np.asarray(frame.times)
                check(len(lt) == n_rows, f"{path}: libsonata sees {len(lt)} times, file has {n_rows} rows")
                check(np.allclose(lt, tstart + dt * np.arange(len(lt)), atol=1e-6),
                      f"{path}: libsonata times are not tstart + k*dt")
                ldata = np.asarray(frame.data)
                check(ldata.shape == data.shape and np.array_equal(ldata, data), f"{path}: libsonata data differ")
                check(sorted(lp.get_node_ids()) == sorted(m["node_ids"][()].tolist()), f"{path}: libsonata node ids")
                check(lp.data_units == units and lp.time_units == "ms",
                      f"{path}: libsonata units {lp.data_units}/{lp.time_units}")
            else:
                # libsonata's ElementReportReader only accepts float32 data; BMTK writes float64.
                print(f"note: {path}: float64 data, libsonata data read skipped (it reads float32 only)")

            rep = CompartmentReport(path, mode="r")
            check(rep.variable() is not None and text(rep.variable()) == variable, f"{path}: bmtk variable {rep.variable()}")
            check(rep[pop].n_steps() == n_rows, f"{path}: bmtk n_steps {rep[pop].n_steps()} != {n_rows}")
            bdata = rep.data()
            check(np.array_equal(bdata, data), f"{path}: bmtk data differ")
            for i, nid in enumerate(m["node_ids"][()]):
                cols = rep.data(node_id=nid, sections="all")
                check(np.array_equal(np.asarray(cols).reshape(n_rows, -1), data[:, ip[i]:ip[i + 1]]),
                      f"{path}: bmtk data of node {nid}")

            stem = os.path.splitext(os.path.basename(path))[0]
            if "_" in stem and stem.rsplit("_", 1)[1] == variable:
                pass  # a further variable: <stem>_<var>.h5
            elif sample and stem == "cell_vars":
                check(variable == "cai", f"{path}: first variable file holds {variable}")
            if sample:
                vi = 0 if variable == "cai" else 1
                k = np.arange(n_rows)[:, None]
                e = np.arange(data.shape[1])[None, :]
                want = -65.0 + 10.0 * vi + 0.001 * k + e
                check(np.array_equal(data, want.astype(data.dtype)), f"{path}: sample values differ")
                check((tstart, dt) == (0.0, 0.025) and n_rows == 40001, f"{path}: sample time axis {time}")
                check(units == ("mM" if variable == "cai" else "mV"), f"{path}: units {units}")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    out = sys.argv[1]
    sample = "--sample" in sys.argv[2:]
    files = sorted(glob.glob(os.path.join(out, "**", "*.h5"), recursive=True))
    check(len(files) > 0, f"no .h5 files in {out}")
    for path in files:
        with h5py.File(path, "r") as h5:
            kind = "spikes" if "spikes" in h5 else "report" if "report" in h5 else None
        try:
            if kind == "spikes":
                check_spikes(path)
            elif kind == "report":
                check_report(path, sample)
            else:
                check(False, f"{path}: neither /spikes nor /report")
        except Exception as exc:  # a reader refusing the file is a failure, not a crash
            check(False, f"{path}: {type(exc).__name__}: {exc}")
        print("checked", path, kind)
    if sample:
        check(os.path.exists(os.path.join(out, "cell_vars_v.h5")), "sample: cell_vars_v.h5 missing")
    print(f"{len(files)} files, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
