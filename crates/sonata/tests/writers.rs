//! Writers round-trip through our own readers, and unfinished outputs leave nothing behind.

use sonata::report::{read_report, time_axis, ReportCell, ReportDtype, ReportSpec, ReportWriter};
use sonata::spikes::{read_spikes, SortOrder, SpikeWriter};

#[test]
fn spikes_round_trip_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = SpikeWriter::new();
    let p = w.add_population("net");
    for (id, t) in [(2u64, 5.0), (1, 5.0), (0, 1.5)] {
        w.record(p, id, t);
    }
    w.write_h5(&dir.path().join("s.h5"), SortOrder::ByTime)
        .unwrap();
    w.write_csv(&dir.path().join("s.csv")).unwrap();
    for f in ["s.h5", "s.csv"] {
        let s = read_spikes(&dir.path().join(f)).unwrap();
        assert_eq!(s[0].timestamps, [1.5, 5.0, 5.0], "{f}");
        assert_eq!(s[0].node_ids, [0, 1, 2], "{f}");
    }
    assert_eq!(
        read_spikes(&dir.path().join("s.h5")).unwrap()[0].sorting,
        Some(SortOrder::ByTime)
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

fn spec(n_times: usize) -> ReportSpec {
    ReportSpec {
        population: "net".into(),
        variable: "v".into(),
        units: None,
        tstart: 0.0,
        dt: 0.001,
        n_times,
        dtype: ReportDtype::F64,
        cells: vec![ReportCell {
            node_id: 7,
            element_ids: vec![0, 1],
            element_pos: vec![0.5, 0.25],
        }],
    }
}

#[test]
fn report_round_trip_and_time_axis() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.h5");
    let n = 300_001;
    let mut w = ReportWriter::create(&path, &spec(n)).unwrap();
    for k in 0..n {
        w.write_row(&[k as f64, -(k as f64)]).unwrap();
    }
    assert!(w.write_row(&[0.0, 0.0]).is_err());
    w.finish().unwrap();
    let r = &read_report(&path).unwrap()[0];
    assert_eq!((r.n_times, r.n_elements), (n, 2));
    assert_eq!(r.column(1)[12345], -12345.0);
    assert_eq!(r.variable.as_deref(), Some("v"));
    assert_eq!(r.units.as_deref(), Some("mV"));
    assert_eq!(((r.time[1] - r.time[0]) / r.time[2]).floor() as usize, n);
    assert_eq!(r.time, time_axis(0.0, 0.001, n));
}

#[test]
fn unfinished_report_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.h5");
    {
        let mut w = ReportWriter::create(&path, &spec(10)).unwrap();
        w.write_row(&[1.0, 2.0]).unwrap();
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    let mut w = ReportWriter::create(&path, &spec(10)).unwrap();
    w.write_row(&[1.0, 2.0]).unwrap();
    assert!(w.finish().is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn npy_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.npy");
    sonata::npy::write_npy(&path, &[2, 3], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
    let a = sonata::npy::read_npy(&path).unwrap();
    assert_eq!(a.shape, [2, 3]);
    assert_eq!(a.column(2), [3.0, 6.0]);
}
