//! Broken HOC gives diagnostics with file:line:col, never a panic or a hang.

mod common;

use common::{build, TestRegistry};

fn runtime_error(src: &str, template: &str) -> hoc::Diagnostic {
    match build(src, template) {
        Err(hoc::Error::Runtime(d)) => d,
        other => panic!("expected a runtime error, got {other:?}"),
    }
}

#[test]
fn unknown_mechanism_names_file_and_line() {
    let d = runtime_error("begintemplate T\ncreate soma\nproc init() {\n  soma {\n    insert nosuch\n  }\n}\nendtemplate T\n", "T");
    assert_eq!((d.file.as_str(), d.line, d.col), ("test.hoc", 5, 5));
    assert!(d.message.contains("nosuch"), "{d}");
    assert!(d.to_string().starts_with("test.hoc:5:5: "), "{d}");
}

#[test]
fn syntax_errors_are_all_reported() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let err = interp
        .run_source(
            "x = 1 +\ny = )\nproc p() {\n  z = (2\n}\nw = 3 3\n",
            "bad.hoc",
        )
        .unwrap_err();
    let hoc::Error::Syntax(diags) = err else {
        panic!("{err:?}")
    };
    assert!(diags.len() >= 2, "{diags:?}");
    assert!(diags.iter().all(|d| d.file == "bad.hoc" && d.line >= 1));
}

#[test]
fn unterminated_template() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let err = interp
        .run_source("begintemplate A\ncreate soma\nproc init() {\n}\n", "t.hoc")
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("t.hoc:1:1") && text.contains("endtemplate"),
        "{text}"
    );
}

#[test]
fn out_of_range_section_and_undefined_names() {
    let d = runtime_error(
        "begintemplate T\ncreate soma[1]\nproc init() {\n soma[1] { L = 3 }\n}\nendtemplate T\n",
        "T",
    );
    assert!(d.message.contains("out of range") && d.line == 4, "{d}");
    let d = runtime_error(
        "begintemplate T\nproc init() {\n x = nothere + 1\n}\nendtemplate T\n",
        "T",
    );
    assert!(d.message.contains("nothere") && d.line == 3, "{d}");
    let d = runtime_error(
        "begintemplate T\nproc init() {\n  nosuchfunc(1)\n}\nendtemplate T\n",
        "T",
    );
    assert!(d.message.contains("undefined function `nosuchfunc`"), "{d}");
}

#[test]
fn missing_load_file_target() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let err = interp
        .run_source(
            "load_file(\"stdrun.hoc\")\n{load_file(\"does/not/exist.hoc\")}\n",
            "main.hoc",
        )
        .unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!((d.line, d.file.as_str()), (2, "main.hoc"));
    assert!(d.message.contains("does/not/exist.hoc"));
    assert!(matches!(
        interp.load_file("/no/such/file.hoc"),
        Err(hoc::Error::Io { .. })
    ));
}

#[test]
fn load_file_of_a_device_or_directory_is_refused() {
    // Reading /dev/zero would never end; a directory is not a HOC file either.
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let err = interp
        .run_source("x = 1\nload_file(\"/dev/zero\")\n", "main.hoc")
        .unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(d.line, 2, "{d}");
    assert!(d.message.contains("not a regular file"), "{d}");
    let dir = std::env::temp_dir();
    assert!(matches!(
        interp.load_file(&dir),
        Err(hoc::Error::Io { message, .. }) if message.contains("not a regular file")
    ));
}

#[test]
fn binary_garbage_is_diagnosed() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let garbage: Vec<u8> = (0..4000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let src = String::from_utf8_lossy(&garbage);
    let err = interp.run_source(&src, "garbage.bin").unwrap_err();
    assert!(!err.diagnostics().is_empty());
}

#[test]
fn runaway_loops_and_recursion_stop() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.set_step_limit(100_000);
    let err = interp
        .run_source("x = 0\nwhile (1) { x += 1 }\n", "loop.hoc")
        .unwrap_err();
    assert!(err.to_string().contains("step limit"), "{err}");
    let err = interp
        .run_source("func f() { return f($1 + 1) }\nf(1)\n", "rec.hoc")
        .unwrap_err();
    assert!(err.to_string().contains("too deep"), "{err}");
    assert!(err.to_string().lines().count() < 4, "{err}");
    let err = interp
        .run_source("execerror(\"bad\", \"thing\")\n", "e.hoc")
        .unwrap_err();
    assert!(err.to_string().contains("bad thing"), "{err}");
}

#[test]
fn unknown_template_and_create_in_method() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    assert!(matches!(
        interp.instantiate("Nope", &[]),
        Err(hoc::Error::UnknownTemplate(_))
    ));
    let d = runtime_error(
        "begintemplate T\nproc init() {\n create axon[2]\n}\nendtemplate T\n",
        "T",
    );
    assert!(d.message.contains("top level"), "{d}");
}

/// A cheap stand-in for a fuzzer: mutated templates must never panic or hang.
#[test]
fn mutated_templates_never_panic() {
    let reg = TestRegistry;
    let seeds = [
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/hco/biophys_components/hoc_templates/HCOCell.hoc"
        )),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/reference-data/hoc/MultiCompCell.hoc"
        )),
        include_str!("templates/constructs.hoc"),
    ];
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pieces = [
        "{", "}", "(", ")", "[", "]", "\n", "=", "$o1", "soma", "0", "-1", "1e999", "\"", "for",
        "if", ",", "connect", "insert", "forsec", "this", ".",
    ];
    // HOC_MUTATION_ROUNDS=20000 runs a longer campaign.
    let rounds = std::env::var("HOC_MUTATION_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(300);
    for round in 0..rounds {
        let seed = seeds[round % seeds.len()];
        let mut text: Vec<char> = seed.chars().collect();
        for _ in 0..(1 + next() % 6) {
            let pos = (next() as usize) % (text.len() + 1);
            match next() % 3 {
                0 => {
                    let end = (pos + (next() as usize % 20)).min(text.len());
                    text.drain(pos..end);
                }
                _ => {
                    let p = pieces[(next() as usize) % pieces.len()];
                    for (k, c) in p.chars().enumerate() {
                        text.insert(pos + k, c);
                    }
                }
            }
        }
        let src: String = text.into_iter().collect();
        let mut interp = hoc::Interpreter::new(&reg);
        interp.set_step_limit(200_000);
        if interp.run_source(&src, "m.hoc").is_ok() {
            for t in interp.template_names() {
                let _ = interp.instantiate(&t, &[]);
                let _ =
                    interp.instantiate(&t, &[hoc::Arg::Str("x.swc".into()), hoc::Arg::Num(1.0)]);
            }
        }
    }
}
