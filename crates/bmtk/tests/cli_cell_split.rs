//! `bmtk run --cell-split`: a single cell (hco-single; in fast-math, one end of its cable per
//! thread) and a zero-delay pair (hco-pair, one partition, synaptic events) run with their
//! kernels shared out over two threads write the same reports and spikes, bit for bit, as one
//! thread; the log says how many steps were shared out, and how.

mod support;

use std::path::Path;

use support::{bmtk_run_with, read_spikes_csv, reference_copy, report_trace, short_config};

/// Traces, spikes and log file of one run.
type Run = (Vec<Vec<f64>>, Vec<(String, u64, f64)>, String);

/// Runs `config` in `dir` with `args`; returns the traces of `nodes` in `report`, the spikes
/// and the run's log file.
fn run(dir: &Path, config: &str, args: &[&str], report: &str, nodes: &[u64]) -> Run {
    let out = bmtk_run_with(dir, config, args);
    out.assert_ok();
    let traces = nodes
        .iter()
        .map(|&n| report_trace(&dir.join("output").join(report), n))
        .collect();
    let spikes = read_spikes_csv(&dir.join("output/spikes.csv"));
    // `--quiet` keeps INFO off the terminal; the config's log file has it.
    let log = std::fs::read_to_string(dir.join("output/log.txt")).unwrap_or_default();
    (traces, spikes, log)
}

fn same_bits(a: &[Vec<f64>], b: &[Vec<f64>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        })
}

#[test]
fn a_single_cell_shared_out_gives_the_one_thread_bits() {
    let root = tempfile::tempdir().unwrap();
    let dir = reference_copy(root.path(), "hco-single", "hco");
    short_config(&dir, "short.json", |c| c["run"]["tstop"] = 100.0.into());
    for fast in [false, true] {
        let extra: &[&str] = if fast { &["--fast-math"] } else { &[] };
        let one = [&["--threads", "1"][..], extra].concat();
        let (serial, _, _) = run(&dir, "short.json", &one, "cell_vars_v.h5", &[0]);
        assert_eq!(serial[0].len(), 4001);
        let two = [&["--threads", "2", "--cell-split", "always"][..], extra].concat();
        let (split, _, log) = run(&dir, "short.json", &two, "cell_vars_v.h5", &[0]);
        assert!(
            same_bits(&serial, &split),
            "fast-math {fast}: traces differ"
        );
        // The seed's soma is one cable: in fast-math each of its ends runs on its own thread.
        let how = if fast {
            "with each end of the cable on its own thread"
        } else {
            "with the kernels shared out"
        };
        assert!(
            log.contains(&format!(
                "Intra-cell threading: 4000 of 4000 steps ran {how}"
            )),
            "fast-math {fast}: log\n{log}"
        );
        let never = [&["--threads", "2", "--cell-split", "never"][..], extra].concat();
        let (_, _, log) = run(&dir, "short.json", &never, "cell_vars_v.h5", &[0]);
        assert!(!log.contains("Intra-cell threading"), "{log}");
    }
}

#[test]
fn a_zero_delay_pair_with_synaptic_events_shared_out_gives_the_one_thread_bits() {
    let root = tempfile::tempdir().unwrap();
    let dir = reference_copy(root.path(), "hco-pair", "hco");
    let one = ["--threads", "1", "--fast-math"];
    let (serial, spikes, _) = run(
        &dir,
        "simulation_config.json",
        &one,
        "cell_vars_v.h5",
        &[0, 1],
    );
    assert_eq!(spikes.len(), 12, "the pair's reference spikes");
    let two = ["--threads", "2", "--fast-math", "--cell-split", "always"];
    let (split, split_spikes, log) = run(
        &dir,
        "simulation_config.json",
        &two,
        "cell_vars_v.h5",
        &[0, 1],
    );
    assert!(same_bits(&serial, &split), "traces differ");
    assert_eq!(spikes, split_spikes);
    assert!(log.contains("Intra-cell threading:"), "{log}");
}
