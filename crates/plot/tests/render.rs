//! Rendering traces and rasters end to end: PNG decoded back, SVG text checked, files saved.

use plot::{Error, Figure, Format, Marker, Options, Panel, Series, SpikeSeries};

/// Decodes PNG bytes into (width, height, RGBA pixels).
fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(bytes);
    let mut reader = decoder.read_info().expect("valid PNG header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("valid PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgba);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

/// Pixels clearly of the first series colour (blue): blue well above red.
fn is_series_blue(px: &[u8]) -> bool {
    px[2] as i32 - px[0] as i32 > 80
}

fn ramp() -> (Vec<f64>, Vec<f64>) {
    let t: Vec<f64> = (0..=2000).map(|k| k as f64 * 0.5).collect();
    let y: Vec<f64> = t.iter().map(|t| -80.0 + t * 0.1).collect();
    (t, y)
}

#[test]
fn png_has_requested_size_and_the_trace_where_expected() {
    let (t, y) = ramp();
    let panels = [Panel::new("v (mV)", vec![Series::new("node 0", &t, &y)])];
    let opts = Options {
        width: 640,
        height: 360,
        ..Options::default()
    };
    let (w, h, rgba) = decode(&plot::traces(&panels, &opts).unwrap());
    assert_eq!((w, h), (640, 360));
    // For every column that has trace pixels, record the mean row of blue pixels.
    let mut columns = Vec::new();
    for x in 0..w as usize {
        let rows: Vec<usize> = (0..h as usize)
            .filter(|&y| is_series_blue(&rgba[(y * w as usize + x) * 4..]))
            .collect();
        if !rows.is_empty() {
            columns.push((x, rows.iter().sum::<usize>() as f64 / rows.len() as f64));
        }
    }
    // The legend swatch is blue too; the trace is the long run.
    assert!(
        columns.len() > 300,
        "trace covers only {} columns",
        columns.len()
    );
    let trace: Vec<&(usize, f64)> = columns.iter().filter(|(x, _)| *x < 520).collect();
    // A rising ramp: rows go up the image (decrease) from left to right, strictly overall.
    let first = trace.first().unwrap();
    let last = trace.last().unwrap();
    assert!(
        first.1 - last.1 > 150.0,
        "ramp from row {} to {}",
        first.1,
        last.1
    );
    assert!(
        trace.windows(2).all(|p| p[1].1 <= p[0].1 + 1.5),
        "ramp not monotone"
    );
    // Background stays white in a corner.
    assert_eq!(&rgba[0..4], &[255, 255, 255, 255]);
}

#[test]
fn stacked_panels_share_time_axis_and_svg_has_labels() {
    let (t, v0) = ramp();
    let v1: Vec<f64> = v0.iter().map(|v| v + 5.0).collect();
    let cai0: Vec<f64> = t.iter().map(|t| 5e-5 + 1e-7 * t).collect();
    let cai1: Vec<f64> = t.iter().map(|t| 5e-5 + 2e-7 * t).collect();
    let panels = [
        Panel::new(
            "v (mV)",
            vec![
                Series::new("node 0", &t, &v0),
                Series::new("node 1", &t, &v1),
            ],
        ),
        Panel::new(
            "cai (mM)",
            vec![
                Series::new("node 0", &t, &cai0),
                Series::new("node 1", &t, &cai1),
            ],
        ),
    ];
    let opts = Options {
        format: Format::Svg,
        title: Some("hco <pair>".into()),
        ..Options::default()
    };
    let svg = String::from_utf8(plot::traces(&panels, &opts).unwrap()).unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.trim_end().ends_with("</svg>"));
    for label in [
        ">time (ms)<",
        ">v (mV)<",
        ">cai (mM)<",
        ">node 0<",
        ">node 1<",
        "hco &lt;pair&gt;",
    ] {
        assert!(svg.contains(label), "missing {label}");
    }
    // Same names in both panels: one legend, so each name appears once.
    assert_eq!(svg.matches(">node 1<").count(), 1);
    // The time tick labels appear once (bottom panel only).
    assert_eq!(svg.matches(">400<").count(), 1);
    // Concentrations get a common factor instead of long decimals.
    assert!(svg.contains("×1e-"), "no exponent label");
}

#[test]
fn rendering_is_deterministic() {
    let (t, y) = ramp();
    let panels = [Panel::new("v (mV)", vec![Series::new("a", &t, &y)])];
    for format in [Format::Png, Format::Svg] {
        let opts = Options {
            format,
            ..Options::default()
        };
        assert_eq!(
            plot::traces(&panels, &opts).unwrap(),
            plot::traces(&panels, &opts).unwrap()
        );
    }
}

#[test]
fn a_million_samples_make_a_small_svg() {
    let n = 1_000_001;
    let t: Vec<f64> = (0..n).map(|k| k as f64 * 0.001).collect();
    let y: Vec<f64> = t
        .iter()
        .map(|t| -50.0 + 40.0 * (t * 0.3).sin().powi(31))
        .collect();
    let panels = [Panel::new("v (mV)", vec![Series::new("node 0", &t, &y)])];
    let opts = Options {
        format: Format::Svg,
        ..Options::default()
    };
    let svg = plot::traces(&panels, &opts).unwrap();
    assert!(svg.len() < 150_000, "SVG is {} bytes", svg.len());
}

#[test]
fn raster_png_marks_spikes() {
    let times = [100.0, 200.0, 300.0, 400.0, 500.0];
    let ids = [0u64, 1, 2, 3, 4];
    let pops = [SpikeSeries {
        name: "net".into(),
        times: &times,
        node_ids: &ids,
    }];
    for marker in [Marker::Dot, Marker::Tick] {
        let opts = Options {
            width: 500,
            height: 300,
            marker,
            ..Options::default()
        };
        let bytes = plot::raster(&pops, &opts).unwrap();
        if let Ok(dir) = std::env::var("PLOT_DEMO_DIR") {
            std::fs::write(format!("{dir}/raster_{marker:?}.png"), &bytes).unwrap();
        }
        let (w, h, rgba) = decode(&bytes);
        assert_eq!((w, h), (500, 300));
        // Five separate groups of blue columns, left to right.
        let blue_cols: Vec<usize> = (0..w as usize)
            .filter(|&x| (0..h as usize).any(|y| is_series_blue(&rgba[(y * w as usize + x) * 4..])))
            .collect();
        let groups = 1 + blue_cols.windows(2).filter(|p| p[1] > p[0] + 1).count();
        assert_eq!(groups, 5, "{marker:?}: columns {blue_cols:?}");
    }
    let svg = String::from_utf8(
        plot::raster(
            &pops,
            &Options {
                format: Format::Svg,
                ..Options::default()
            },
        )
        .unwrap(),
    )
    .unwrap();
    assert!(svg.contains(">node id<") && svg.contains(">time (ms)<"));
}

#[test]
fn empty_raster_still_draws_axes() {
    let pops = [SpikeSeries {
        name: "net".into(),
        times: &[],
        node_ids: &[],
    }];
    let (w, h, _) = decode(&plot::raster(&pops, &Options::default()).unwrap());
    assert_eq!((w, h), (900, 420));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let t = [0.0, 1.0, 2.0];
    let y = [0.0, 1.0];
    let panels = [Panel::new("v", vec![Series::new("bad", &t, &y)])];
    assert!(matches!(
        plot::traces(&panels, &Options::default()),
        Err(Error::LengthMismatch { t: 3, y: 2, .. })
    ));
    assert!(matches!(
        plot::traces(&[], &Options::default()),
        Err(Error::NoData)
    ));
    let ok = [Panel::new("v", vec![Series::new("ok", &t, &t)])];
    let tiny = Options {
        width: 5,
        ..Options::default()
    };
    assert!(matches!(
        plot::traces(&ok, &tiny),
        Err(Error::InvalidSize { .. })
    ));
    let reversed = Options {
        x_range: Some((2.0, 1.0)),
        ..Options::default()
    };
    assert!(matches!(
        plot::traces(&ok, &reversed),
        Err(Error::InvalidRange { .. })
    ));
    // All-NaN and constant data still plot.
    let nan = [f64::NAN; 3];
    let flat = [1.0; 3];
    let odd = [Panel::new(
        "v",
        vec![Series::new("nan", &t, &nan), Series::new("flat", &t, &flat)],
    )];
    assert!(plot::traces(&odd, &Options::default()).is_ok());
}

#[test]
fn save_picks_format_from_extension_and_writes_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let (t, y) = ramp();
    let panels = [Panel::new("v (mV)", vec![Series::new("node 0", &t, &y)])];
    let png_path = dir.path().join("v.PNG");
    plot::save(&png_path, Figure::Traces(&panels), &Options::default()).unwrap();
    assert_eq!(
        &std::fs::read(&png_path).unwrap()[..8],
        b"\x89PNG\r\n\x1a\n"
    );
    let svg_path = dir.path().join("v.svg");
    plot::save(&svg_path, Figure::Traces(&panels), &Options::default()).unwrap();
    assert!(std::fs::read_to_string(&svg_path)
        .unwrap()
        .starts_with("<svg"));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "leftover files: {names:?}");

    let bad = dir.path().join("v.jpg");
    assert!(matches!(
        plot::save(&bad, Figure::Traces(&panels), &Options::default()),
        Err(Error::UnknownFormat { .. })
    ));
    let missing = dir.path().join("no/such/dir/v.png");
    let err = plot::save(&missing, Figure::Traces(&panels), &Options::default()).unwrap_err();
    assert!(err.to_string().contains("no/such/dir/v.png"), "{err}");
}

/// Reads a 1-D little-endian float64 `.npy` file (format versions 1 and 2).
fn read_npy(path: &std::path::Path) -> Option<Vec<f64>> {
    let bytes = std::fs::read(path).ok()?;
    let (header_len, start) = match bytes.get(6)? {
        1 => (u16::from_le_bytes([bytes[8], bytes[9]]) as usize, 10),
        _ => (
            u32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?) as usize,
            12,
        ),
    };
    let data = bytes.get(start + header_len..)?;
    Some(
        data.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect(),
    )
}

/// Writes demo figures of the reference HCO runs to `$PLOT_DEMO_DIR` for a human to look at.
#[test]
fn demo_figures_when_asked() {
    let Ok(out) = std::env::var("PLOT_DEMO_DIR") else {
        return;
    };
    let out = std::path::Path::new(&out);
    let refdir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/reference");
    let pair = refdir.join("hco-pair/expected");
    let (Some(v0), Some(v1), Some(c0), Some(c1)) = (
        read_npy(&pair.join("v_0.npy")),
        read_npy(&pair.join("v_1.npy")),
        read_npy(&pair.join("cai_0.npy")),
        read_npy(&pair.join("cai_1.npy")),
    ) else {
        return;
    };
    let t: Vec<f64> = (0..v0.len()).map(|k| k as f64 * 0.01).collect();
    let panels = [
        Panel::new(
            "v (mV)",
            vec![
                Series::new("node 0", &t, &v0),
                Series::new("node 1", &t, &v1),
            ],
        ),
        Panel::new(
            "cai (mM)",
            vec![
                Series::new("node 0", &t, &c0),
                Series::new("node 1", &t, &c1),
            ],
        ),
    ];
    let opts = Options {
        title: Some("hco-pair: soma(0.5)".into()),
        ..Options::default()
    };
    plot::save(&out.join("pair.png"), Figure::Traces(&panels), &opts).unwrap();
    plot::save(&out.join("pair.svg"), Figure::Traces(&panels), &opts).unwrap();

    let single = refdir.join("hco-single/expected");
    if let (Some(v), Some(cai)) = (
        read_npy(&single.join("v.npy")),
        read_npy(&single.join("cai.npy")),
    ) {
        let t: Vec<f64> = (0..v.len()).map(|k| k as f64 * 0.001).collect();
        let panels = [
            Panel::new("v (mV)", vec![Series::new("node 0", &t, &v)]),
            Panel::new("cai (mM)", vec![Series::new("node 0", &t, &cai)]),
        ];
        let opts = Options {
            width: 700,
            ..Options::default()
        };
        plot::save(&out.join("single.png"), Figure::Traces(&panels), &opts).unwrap();
        plot::save(&out.join("single.svg"), Figure::Traces(&panels), &opts).unwrap();
    }
    let spikes =
        std::fs::read_to_string(refdir.join("hco-net100/expected/spikes.csv")).unwrap_or_default();
    let (mut times, mut ids) = (Vec::new(), Vec::new());
    for line in spikes.lines().skip(1) {
        let f: Vec<&str> = line.split_whitespace().collect();
        if let (Some(t), Some(id)) = (
            f.first().and_then(|s| s.parse().ok()),
            f.last().and_then(|s| s.parse().ok()),
        ) {
            times.push(t);
            ids.push(id);
        }
    }
    let pops = [SpikeSeries {
        name: "hco_net".into(),
        times: &times,
        node_ids: &ids,
    }];
    let opts = Options {
        title: Some("hco-net100 spikes".into()),
        x_range: Some((0.0, 1000.0)),
        ..Options::default()
    };
    plot::save(&out.join("raster.png"), Figure::Raster(&pops), &opts).unwrap();
    plot::save(&out.join("raster.svg"), Figure::Raster(&pops), &opts).unwrap();
}
