#!/usr/bin/env python3
"""Check that every SONATA output bmtk-rs wrote is read identically by h5py, libsonata and
BMTK 1.2.0.

Usage: check_sonata_outputs.py OUTPUT_DIR [--sample] [--config SIMULATION_CONFIG]

For each *.h5 in OUTPUT_DIR:
  /spikes files: h5py, libsonata.SpikeReader and bmtk SpikeTrains must agree on populations,
    node ids and times; `sorting` must be the SONATA enum; a spikes CSV next to it (same stem)
    must hold the same spikes, sorted by time then node id.
  /report files: h5py, libsonata.ElementReportReader and bmtk CompartmentReport must agree on
    node ids, element ids, data and the time axis (row k at tstart + k*dt, len(times) == rows),
    and the `variable` attribute must match the file name rule (first variable -> file_name,
    others -> <stem>_<var>.h5).
--config: bmtk.analyzer must find the report and spikes through that config (plot_traces,
  to_dataframe), as a BMTK user would.
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
        if rows:
            csv_df = SpikeTrains.load(csv).to_dataframe()
            check(len(csv_df) == len(want), f"{csv}: bmtk reads {len(csv_df)} spikes")
        else:
            # BMTK 1.2.0's CSV reader raises KeyError on a header-only file, its own
            # spikes.csv of a silent run included; there is nothing to compare.
            print(f"note: {csv}: no spikes, bmtk CSV read skipped (BMTK 1.2.0 cannot read an empty CSV)")


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
            known_units = {"v": "mV", "cai": "mM", "cao": "mM", "nai": "mM", "ki": "mM"}
            if variable in known_units:
                check(units == known_units[variable], f"{path}: {variable} in {units!r}, not {known_units[variable]}")
            check(text(m["time"].attrs.get("units", b"ms")) == "ms", f"{path}: mapping/time units")
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
                # libsonata's ElementReportReader reads only float32 data (we write float64 so
                # traces keep NEURON's precision); its mapping and time axis must still agree.
                lp = libsonata.ElementReportReader(path)[pop]
                lt = lp.times
                check(np.isclose(lt[0], tstart) and np.isclose(lt[2], dt)
                      and int(round((lt[1] - lt[0]) / lt[2])) == n_rows,
                      f"{path}: libsonata time axis {lt} for {n_rows} rows")
                check(sorted(lp.get_node_ids()) == sorted(m["node_ids"][()].tolist()), f"{path}: libsonata node ids")
                check(lp.data_units == units and lp.time_units == "ms",
                      f"{path}: libsonata units {lp.data_units}/{lp.time_units}")
                print(f"note: {path}: float64 data, libsonata checked mapping/time/units only (it reads float32 data only)")

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


def check_analyzer(config_file):
    """bmtk.analyzer finds our outputs through the simulation config, as a BMTK user's
    `plot_traces(config_file=...)` / `to_dataframe(config_file=...)` would."""
    import matplotlib
    matplotlib.use("Agg")
    import tempfile
    from bmtk.analyzer.compartment import _get_report, plot_traces
    from bmtk.analyzer.spike_trains import to_dataframe
    from bmtk.utils.sonata.config import SonataConfig

    config = SonataConfig.from_json(config_file)
    try:
        name, report = _get_report(config=config)
        for pop in report.populations:
            all_data = np.asarray(report.data(population=pop))
            ptr = report[pop].index_pointer()
            for i, nid in enumerate(report[pop].node_ids()):
                trace = np.asarray(report.data(node_id=nid, population=pop, sections="origin")).ravel()
                check(np.array_equal(trace, all_data[:, ptr[i]]),
                      f"{config_file}: bmtk.analyzer soma trace of {pop} node {nid}")
        with tempfile.TemporaryDirectory() as tmp:
            png = os.path.join(tmp, "traces.png")
            plot_traces(config_file=config_file, show=False, save_as=png)
            check(os.path.getsize(png) > 0, f"{config_file}: bmtk.analyzer plot_traces wrote nothing")
        print(f"checked bmtk.analyzer report `{name}` of {config_file}")
    except ValueError as exc:
        if "Could not find a report" not in str(exc):
            raise
        print(f"note: {config_file}: no membrane report for bmtk.analyzer")
    df = to_dataframe(config_file=config_file)
    spikes_path = config["output"]["spikes_file"]
    if not os.path.exists(spikes_path):  # BMTK's config normally resolves it already
        spikes_path = os.path.join(config["output"]["output_dir"], spikes_path)
    with h5py.File(spikes_path, "r") as h5:
        n = sum(len(h5["spikes"][p]["timestamps"]) for p in h5["spikes"])
    check(len(df) == n, f"{config_file}: bmtk.analyzer to_dataframe has {len(df)} spikes, file {n}")
    print(f"checked bmtk.analyzer spikes of {config_file}: {len(df)}")


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
    if "--config" in sys.argv[2:]:
        config_file = sys.argv[sys.argv.index("--config") + 1]
        try:
            check_analyzer(config_file)
        except Exception as exc:
            check(False, f"{config_file}: bmtk.analyzer: {type(exc).__name__}: {exc}")
    if sample:
        check(os.path.exists(os.path.join(out, "cell_vars_v.h5")), "sample: cell_vars_v.h5 missing")
    print(f"{len(files)} files, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
