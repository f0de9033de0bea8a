//! The seed tutorial as a new user does it with bmtk-rs: `bmtk new`, copy the HCO mechanisms
//! and template in, add the network files, `bmtk new` again to list them, `bmtk run`,
//! `bmtk plot`.

mod support;

use std::path::Path;

use support::{bmtk, copy_dir, files_under, shared};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Decodes a PNG fully; returns (width, height).
fn decode_png(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    // A plot is not a blank canvas: several distinct colours are drawn.
    let mut colours: Vec<&[u8]> = buf[..info.buffer_size()]
        .chunks(info.color_type.samples())
        .collect();
    colours.sort();
    colours.dedup();
    assert!(
        colours.len() > 3,
        "{}: only {} colours",
        path.display(),
        colours.len()
    );
    (info.width, info.height)
}

#[test]
fn new_user_flow_new_copy_run_plot() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    bmtk(&[
        "new",
        "bionet",
        s(&model),
        "--tstop",
        "50",
        "--dt",
        "0.025",
        "--v-init=-50",
        "--report",
        "v,cai",
    ])
    .assert_ok();
    for dir in [
        "components/mechanisms/modfiles",
        "components/hoc_templates",
        "network",
    ] {
        assert!(model.join(dir).is_dir(), "{dir} not created");
    }
    let models = shared().join("models/hco");
    copy_dir(
        &models.join("mechanisms/modfiles"),
        &model.join("components/mechanisms/modfiles"),
    );
    copy_dir(
        &models.join("hoc_templates"),
        &model.join("components/hoc_templates"),
    );
    // The tutorial's builder step produced these files; here they come from the reference case.
    copy_dir(
        &shared().join("reference/hco-single/network"),
        &model.join("network"),
    );

    let again = bmtk(&["new", "bionet", s(&model)]);
    again.assert_ok();
    assert!(
        again.stdout.contains("hco_net_nodes.h5"),
        "network files not listed:\n{}",
        again.stdout
    );

    let config = model.join("simulation_config.json");
    let run = bmtk(&["run", s(&config)]);
    run.assert_ok();
    assert!(
        run.stderr
            .contains("[INFO] Running simulation for 50.000 ms"),
        "{}",
        run.stderr
    );
    let output = model.join("output");
    for file in [
        "cell_vars.h5",
        "cell_vars_cai.h5",
        "spikes.h5",
        "spikes.csv",
        "log.txt",
    ] {
        assert!(
            output.join(file).is_file(),
            "{file} missing: {:?}",
            files_under(&output)
        );
    }
    let log = std::fs::read_to_string(output.join("log.txt")).unwrap();
    assert!(
        log.contains("[INFO] Created log file") && log.contains("Simulation completed"),
        "{log}"
    );
    // Nothing but the outputs: no temporary files left.
    assert_eq!(files_under(&output).len(), 5, "{:?}", files_under(&output));

    let png = model.join("cell_vars.png");
    bmtk(&["plot", s(&config), "-o", s(&png)]).assert_ok();
    let (w, h) = decode_png(&png);
    assert_eq!(w, 1000);
    assert!(h > 200, "{h}");
    // The default output name is next to the report.
    bmtk(&["plot", s(&config), "--variable", "v"]).assert_ok();
    decode_png(&output.join("cell_vars.png"));
    // An SVG names both panels with their units and the time axis.
    let svg = model.join("traces.svg");
    bmtk(&["plot", s(&config), "-o", s(&svg)]).assert_ok();
    let text = std::fs::read_to_string(&svg).unwrap();
    for label in ["v (mV)", "cai (mM)", "time (ms)"] {
        assert!(text.contains(label), "{label} missing from the SVG");
    }
    // The spike raster of a silent cell still draws (empty axes, labelled).
    let raster = model.join("raster.png");
    bmtk(&[
        "plot",
        s(&output.join("spikes.h5")),
        "--spikes",
        "-o",
        s(&raster),
    ])
    .assert_ok();
    decode_png(&raster);
}

#[test]
fn running_new_twice_keeps_user_edited_files() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    bmtk(&["new", "bionet", s(&model)]).assert_ok();
    let config = model.join("simulation_config.json");
    let circuit = model.join("circuit_config.json");
    let edited = std::fs::read_to_string(&config)
        .unwrap()
        .replace("1000.0", "123.0");
    std::fs::write(&config, &edited).unwrap();
    let user_mod = model.join("components/mechanisms/modfiles/mine.mod");
    std::fs::write(&user_mod, "NEURON { SUFFIX mine }\n").unwrap();
    let circuit_before = std::fs::read_to_string(&circuit).unwrap();

    let again = bmtk(&["new", "bionet", s(&model), "--tstop", "999"]);
    again.assert_ok();
    assert!(again.stdout.contains("kept"), "{}", again.stdout);
    assert_eq!(std::fs::read_to_string(&config).unwrap(), edited);
    assert_eq!(
        std::fs::read_to_string(&user_mod).unwrap(),
        "NEURON { SUFFIX mine }\n"
    );
    assert_eq!(std::fs::read_to_string(&circuit).unwrap(), circuit_before);

    // --force regenerates only the generated files; the user's .mod stays.
    bmtk(&["new", "bionet", s(&model), "--tstop", "999", "--force"]).assert_ok();
    assert!(std::fs::read_to_string(&config).unwrap().contains("999"));
    assert!(user_mod.is_file());
}

#[test]
fn new_with_invalid_options_fails_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    let out = bmtk(&["new", "bionet", s(&model), "--dt", "0"]);
    out.assert_one_error(&["dt"]);
    assert!(!model.exists(), "nothing is created for invalid options");
    let out = bmtk(&["new", "bionet", s(&model), "--iclamp", "1,2"]);
    out.assert_one_error(&["--iclamp"]);
    // A regular file where the model folder should be.
    std::fs::write(tmp.path().join("file"), b"").unwrap();
    let out = bmtk(&["new", "bionet", s(&tmp.path().join("file/m"))]);
    out.assert_one_error(&["file"]);
}

#[test]
fn plot_of_a_missing_report_says_to_run_first() {
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("m");
    bmtk(&["new", "bionet", s(&model), "--report", "v"]).assert_ok();
    let out = bmtk(&["plot", s(&model.join("simulation_config.json"))]);
    out.assert_one_error(&["cell_vars.h5", "bmtk run"]);
}

#[test]
fn example_model_configs_point_at_existing_files() {
    // examples/hco is the README's first command; check it is complete without the 1 s run.
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/hco");
    let mods = files_under(&example.join("biophys_components/mechanisms"));
    assert_eq!(
        mods.iter()
            .filter(|p| p.extension().is_some_and(|e| e == "mod"))
            .count(),
        9
    );
    assert!(example
        .join("biophys_components/hoc_templates/HCOCell.hoc")
        .is_file());
    let out = bmtk(&[
        "check",
        s(&example.join("biophys_components/hoc_templates/HCOCell.hoc")),
    ]);
    out.assert_ok();
    for ours in &mods {
        let name = ours.file_name().unwrap();
        let shared_mod = shared().join("models/hco/mechanisms/modfiles").join(name);
        assert_eq!(
            std::fs::read(ours).unwrap(),
            std::fs::read(&shared_mod).unwrap(),
            "{name:?} differs from the shared model"
        );
    }
    for file in ["hco_net_nodes.h5", "hco_net_node_types.csv"] {
        let ours = std::fs::read(example.join("network").join(file)).unwrap();
        let reference =
            std::fs::read(shared().join("reference/hco-single/network").join(file)).unwrap();
        assert_eq!(ours, reference, "{file} differs from reference/hco-single");
    }
}
