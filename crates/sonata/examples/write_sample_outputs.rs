//! Writes a sample spikes file pair and a two-variable membrane report into a folder, for the
//! interop check script (`tests/interop/check_sonata_outputs.py`) to read back.
//!
//! Usage: `cargo run -p sonata --example write_sample_outputs -- OUT_DIR`

use std::path::PathBuf;

use sonata::report::{variable_file_paths, ReportCell, ReportDtype, ReportSpec, ReportWriter};
use sonata::spikes::{SortOrder, SpikeWriter};

/// The value the sample report holds for variable `var`, row `k`, element `e` (the check
/// script recomputes the same formula).
fn sample_value(var: usize, k: usize, e: usize) -> f64 {
    -65.0 + 10.0 * var as f64 + 0.001 * k as f64 + e as f64
}

fn main() -> Result<(), sonata::Error> {
    let out: PathBuf = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| "sample_out".into());
    std::fs::create_dir_all(&out).map_err(|e| sonata::Error::Io {
        path: out.clone(),
        action: "cannot create",
        source: e,
    })?;

    let mut spikes = SpikeWriter::new();
    let pop = spikes.add_population("hco_net");
    for (node, t) in [(1u64, 12.5), (0, 3.25), (2, 12.5), (0, 50.0), (1, 0.1)] {
        spikes.record(pop, node, t);
    }
    spikes.write_h5(&out.join("spikes.h5"), SortOrder::ByTime)?;
    spikes.write_csv(&out.join("spikes.csv"))?;

    let cells = vec![
        ReportCell {
            node_id: 0,
            element_ids: vec![0],
            element_pos: vec![0.5],
        },
        ReportCell {
            node_id: 1,
            element_ids: vec![0, 0, 1],
            element_pos: vec![0.25, 0.75, 0.5],
        },
        ReportCell {
            node_id: 2,
            element_ids: vec![0],
            element_pos: vec![0.5],
        },
    ];
    let n_elements = 5;
    let (tstart, dt, n_times) = (0.0, 0.025, 40_001);
    let variables = vec!["cai".to_string(), "v".to_string()];
    let mut files: Vec<(usize, String, PathBuf, ReportDtype)> =
        variable_file_paths(&out.join("cell_vars.h5"), &variables)
            .into_iter()
            .enumerate()
            .map(|(vi, (var, path))| (vi, var, path, ReportDtype::F64))
            .collect();
    // libsonata's ElementReportReader reads float32 data only: one file in that type too.
    files.push((1, "v".into(), out.join("v_float32.h5"), ReportDtype::F32));
    for (vi, var, path, dtype) in files {
        let spec = ReportSpec {
            population: "hco_net".into(),
            variable: var.clone(),
            units: None,
            tstart,
            dt,
            n_times,
            dtype,
            cells: cells.clone(),
        };
        let mut writer = ReportWriter::create(&path, &spec)?;
        let mut row = vec![0.0; n_elements];
        for k in 0..n_times {
            for (e, slot) in row.iter_mut().enumerate() {
                *slot = sample_value(vi, k, e);
            }
            writer.write_row(&row)?;
        }
        println!("{}", writer.finish()?.display());
    }
    Ok(())
}
