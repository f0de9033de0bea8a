//! One test per HOC construct family, each running a small program or template.

mod common;

use common::{build, section, value, TestRegistry};

/// Runs top-level code and returns the interpreter's numeric global `name`.
fn global(src: &str, name: &str) -> f64 {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp
        .run_source(src, "g.hoc")
        .unwrap_or_else(|e| panic!("{e}"));
    interp
        .global(name)
        .unwrap_or_else(|| panic!("no global {name}"))
}

fn output(src: &str) -> String {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp
        .run_source(src, "o.hoc")
        .unwrap_or_else(|e| panic!("{e}"));
    interp.output().to_string()
}

#[test]
fn arithmetic_precedence_and_math() {
    assert_eq!(global("x = -2^2 + 7 % 3 * 2", "x"), -2.0);
    assert_eq!(global("x = 2^3^2", "x"), 512.0);
    assert_eq!(
        global("x = int(-2.7) + floor(-2.5) + ceil(1.2) + abs(-3)", "x"),
        -2.0 - 3.0 + 2.0 + 3.0
    );
    assert_eq!(global("x = (1 < 2) && !(3 == 4) || 0", "x"), 1.0);
    assert_eq!(
        global("x = 0.1 + 0.2 == 0.3", "x"),
        1.0,
        "HOC compares with float_epsilon"
    );
    assert_eq!(global("x = 10\nx += 5\nx *= 2\nx -= 1\nx /= 29", "x"), 1.0);
    assert_eq!(global("x = atan2(1, 1) * 4 - PI", "x"), 0.0);
    assert_eq!(
        global(
            "x = sqrt(16) + exp(0) + log(E) + log10(100) + pow(2, 10) + tanh(0)",
            "x"
        ),
        4.0 + 1.0 + 1.0 + 2.0 + 1024.0
    );
}

#[test]
fn control_flow() {
    assert_eq!(
        global("s = 0\nfor i = 1, 4 s += i", "s"),
        10.0,
        "for i=a,b is inclusive"
    );
    assert_eq!(global("s = 0\nfor (i = 0; i < 10; i += 1) { if (i == 5) break\n if (i % 2) continue\n s += i }", "s"), 6.0);
    assert_eq!(global("s = 0\nwhile (s < 7) { s = s + 3 }", "s"), 9.0);
    assert_eq!(
        global("if (0) { s = 1 } else if (1) { s = 2 } else { s = 3 }", "s"),
        2.0
    );
    assert_eq!(
        global(
            "func f() { if ($1 <= 1) return 1\n return $1 * f($1 - 1) }\ns = f(5)",
            "s"
        ),
        120.0
    );
    assert_eq!(
        global(
            "proc p() { local a\n a = 5\n r = a + numarg() }\np(1, 2)",
            "r"
        ),
        7.0
    );
    assert_eq!(global("a = b = 4\ns = a + b", "s"), 8.0);
}

#[test]
fn strings_and_formatting() {
    assert_eq!(output("strdef s\nsprint(s, \"%s-%d-%g\", \"a\", 3.7, 0.5)\nprint s\nprintf(\"%5.2f|%e\\n\", 3.14159, 1234.5)\n"), "a-3-0.5\n 3.14|1.234500e+03\n");
    assert_eq!(
        global("strdef a\na = \"abc\"\nx = strcmp(a, \"abd\")", "x"),
        -1.0
    );
    assert_eq!(
        global(
            "strdef s\nn = sscanf(\"12 2.5\", \"%d %lf\", &a, &b)\nx = n * 100 + a + b",
            "x"
        ),
        214.5
    );
    assert_eq!(global("objref sf\nstrdef h, t\nsf = new StringFunctions()\nsf.head(\"dend[12]\", \"\\\\[\", h)\nsf.tail(\"dend[12]\", \"\\\\[\", t)\nx = sf.len(h) * 10 + sf.len(t) + sf.substr(\"abcdef\", \"cd\") * 100", "x"), 243.0);
    assert_eq!(global("objref s\ns = new String(\"hello\")\nobjref sf\nsf = new StringFunctions()\nx = sf.len(s.s)", "x"), 5.0);
    assert_eq!(
        global(
            "strdef c\nsprint(c, \"y = %d\", 7)\nexecute(c)\nx = y\nx += execute1(\"nosuch(\")",
            "x"
        ),
        7.0
    );
}

#[test]
fn objects_vectors_lists_random() {
    assert_eq!(global("objref v\nv = new Vector(4)\nv.indgen()\nv.append(10)\nx = v.sum() + v.size() * 100 + v.max() * 1000 + v.min()", "x"), 16.0 + 500.0 + 10000.0);
    assert_eq!(global("objref v, w\nv = new Vector(3, 2)\nw = v.c()\nw.x[1] = 5\nv.resize(2)\nx = v.size() * 100 + w.x[1] + v.x[0]", "x"), 207.0);
    assert_eq!(global("objref l, a, b\nl = new List()\na = new Vector(1)\nb = new Vector(2)\nl.append(a)\nl.append(b)\nl.remove(0)\nx = l.count() * 10 + l.o(0).size()", "x"), 12.0);
    let u = global(
        "objref r\nr = new Random(5)\nx = r.uniform(2, 3)\ny = r.repick()",
        "y",
    );
    assert!((2.0..3.0).contains(&u));
    assert_eq!(
        global(
            "objref a, b\na = new Vector()\nb = a\nx = (a == b) + (a != b) * 10",
            "x"
        ),
        1.0
    );
}

#[test]
fn obfunc_this_and_template_members() {
    let src = "begintemplate P\npublic get, v, set\nobjref v, this\nproc init() { v = new Vector($1) }\nobfunc get() { return this }\nproc set() { w = $2 }\nfunc w2() { return w }\nendtemplate P\nobjref p, q\np = new P(3)\nq = p.get()\nx = q.v.size()\n";
    assert_eq!(global(src, "x"), 3.0);
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    let err = interp
        .run_source(&(src.to_string() + "p.w2()\n"), "t.hoc")
        .unwrap_err();
    assert!(err.to_string().contains("not a public member"), "{err}");
}

#[test]
fn template_body_runs_once_and_objects_start_zeroed() {
    let src = "begintemplate T\npublic n, soma, k\nn = 2\ncreate soma[n]\nproc init() { k = n }\nendtemplate T\n";
    let cell = build(src, "T").unwrap();
    assert_eq!(cell.sections.len(), 2, "array size fixed at definition");
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "t.hoc").unwrap();
    let obj = interp.new_object("T", &[]).unwrap();
    assert_eq!(interp.member_number(&obj, "n"), Some(0.0));
    assert_eq!(interp.member_number(&obj, "k"), Some(0.0));
    assert_eq!(obj.name(), "T[0]");
}

#[test]
fn template_arguments_reach_init() {
    let src = "begintemplate M\npublic path, nseg_arg\nstrdef path\ncreate soma\nproc init() { path = $s1\n nseg_arg = $2\n soma.nseg = $2 }\nendtemplate M\n";
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "m.hoc").unwrap();
    let cell = interp
        .instantiate("M", &[hoc::Arg::Str("cell.swc".into()), hoc::Arg::Num(3.0)])
        .unwrap();
    assert_eq!(cell.sections[0].nseg(), 3);
    let err = interp.instantiate("M", &[]).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
}

#[test]
fn a_forgotten_template_cannot_be_instantiated_until_defined_again() {
    let src =
        "begintemplate F\npublic soma\ncreate soma\nproc init() { soma.L = 42 }\nendtemplate F\n";
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "f.hoc").unwrap();
    let live = interp.new_object("F", &[]).unwrap();
    assert!(interp.forget_template("F"));
    assert!(!interp.forget_template("F"), "already forgotten");
    assert!(interp.template_names().is_empty());
    // An object made before keeps its template's code.
    assert_eq!(interp.cell(&live).sections[0].length, 42.0);
    let err = interp.new_object("F", &[]).unwrap_err();
    assert!(err.to_string().contains('F'), "{err}");
    interp.run_source(src, "f.hoc").unwrap();
    let again = interp.instantiate("F", &[]).unwrap();
    assert_eq!(again.sections[0].length, 42.0);
}

#[test]
fn sections_connect_and_geometry() {
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp
        .load_file(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/templates/constructs.hoc"
        ))
        .unwrap();
    let obj = interp.new_object("Constructs", &[]).unwrap();
    let num = |n: &str| interp.member_number(&obj, n).unwrap();
    assert_eq!(num("nd"), 4.0, "forsec regex matches every dend");
    assert_eq!(num("total"), 1.0 + 3.0 + 5.0 + 7.0 + 9.0);
    // indgen(2) uses 2 as the step: mean(0,2,4,6,100) + len("abc") + numarg()
    assert_eq!(num("report"), 112.0 / 5.0 + 3.0 + 3.0);
    assert!((num("area_soma") - std::f64::consts::PI * 20.0 * 20.0).abs() < 1e-9);
    // distance from soma(0) to axon[1](1): axon[0] hangs on soma(0): 30 + 30.
    assert_eq!(num("dist_end"), 60.0);
    assert_eq!(interp.global("celsius"), Some(34.0));
    let cell = interp.cell(&obj);
    let parent = |n: &str| {
        section(&cell, n)
            .parent
            .map(|a| (cell.sections[a.parent].name.clone(), a.child_x, a.parent_x))
    };
    assert_eq!(parent("axon[0]"), Some(("soma".into(), 0.0, 0.0)));
    assert_eq!(
        parent("axon[1]"),
        Some(("axon[0]".into(), 0.0, 1.0)),
        "`a connect b(0), 1` hangs b on a"
    );
    assert_eq!(section(&cell, "axon[0]").nseg(), 1);
    // diam(0:1) = 2:1 over 5 segments: values at the centres.
    let d = value(&cell, "dend[0]", "diam");
    let expected: Vec<f64> = (0..5).map(|i| 2.0 - (i as f64 + 0.5) / 5.0).collect();
    for (a, b) in d.iter().zip(&expected) {
        assert!((a - b).abs() < 1e-12);
    }
    // The C-style loop broke at i == 2: dend[3] got no pas.
    assert_eq!(value(&cell, "dend[2]", "g_pas"), vec![1e-4 * 3.0; 5]);
    assert!(section(&cell, "dend[3]").mechanisms.is_empty());
}

#[test]
fn range_variables_ions_and_nseg_remap() {
    let src = "begintemplate R\ncreate a\nproc init() {\n a { nseg = 2  insert pas  g_pas(0.25) = 1  g_pas(0.75) = 2  nseg = 4  cai = 1e-4  ek = -90 }\n}\nendtemplate R\n";
    let cell = build(src, "R").unwrap();
    assert_eq!(value(&cell, "a", "g_pas"), vec![1.0, 1.0, 2.0, 2.0]);
    assert_eq!(value(&cell, "a", "cai"), vec![1e-4; 4]);
    assert_eq!(
        value(&cell, "a", "cao"),
        vec![2.0; 4],
        "ion created with NEURON's defaults"
    );
    assert_eq!(value(&cell, "a", "ek"), vec![-90.0; 4]);
    assert_eq!(cell.sections[0].ions, ["ca", "k"]);
    let err = build(
        "begintemplate R\ncreate a\nproc init() { a { gnabar_hh = 1 } }\nendtemplate R\n",
        "R",
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("hh mechanism not inserted"),
        "{err}"
    );
}

#[test]
fn for_x_loops_and_uninsert() {
    let src = "begintemplate F\ncreate a\nproc init() { local n\n a { nseg = 3  insert pas  insert hh\n n = 0\n for (x) n += 1\n for (x, 0) g_pas(x) = x\n uninsert hh }\n count = n\n}\npublic count\nendtemplate F\n";
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "f.hoc").unwrap();
    let obj = interp.new_object("F", &[]).unwrap();
    assert_eq!(interp.member_number(&obj, "count"), Some(5.0));
    let cell = interp.cell(&obj);
    assert_eq!(value(&cell, "a", "g_pas"), vec![1.0 / 6.0, 0.5, 5.0 / 6.0]);
    assert_eq!(cell.sections[0].mechanisms, ["pas"]);
}

#[test]
fn pt3d_functions_and_define_shape() {
    let src = "begintemplate G\npublic n, arc, dia, len\ncreate s, c\nproc init() {\n s { pt3dclear()  pt3dadd(0, 0, 0, 2)  pt3dadd(3, 4, 0, 2)  pt3dadd(3, 4, 12, 4)\n n = n3d()  arc = arc3d(2)  dia = diam3d(2)  len = L }\n connect c(0), s(1)\n c { L = 10  diam = 1 }\n define_shape()\n}\nendtemplate G\n";
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "g.hoc").unwrap();
    let obj = interp.new_object("G", &[]).unwrap();
    let m = |n: &str| interp.member_number(&obj, n).unwrap();
    assert_eq!(
        (m("n"), m("arc"), m("dia"), m("len")),
        (3.0, 17.0, 4.0, 17.0)
    );
    let cell = interp.cell(&obj);
    let s = section(&cell, "s");
    // diam is the integral of the piecewise-linear diameter over the single segment / L.
    let expected = ((2.0 + 2.0) * 5.0 + (2.0 + 4.0) * 12.0) * 0.5 / 17.0;
    assert!((value(&cell, "s", "diam")[0] - expected).abs() < 1e-12);
    assert_eq!(s.pt3d.len(), 3, "define_shape keeps existing points");
    // The child continues the parent's direction from its end point.
    let c = section(&cell, "c");
    assert_eq!((c.pt3d[0].x, c.pt3d[0].y, c.pt3d[0].z), (3.0, 4.0, 12.0));
    assert_eq!(c.pt3d.len(), 3);
}

#[test]
fn section_ref_and_section_list() {
    let src = "create soma, d1, d2\nconnect d1(0), soma(1)\nconnect d2(0), soma(1)\nobjref sr, sl\nsoma sr = new SectionRef()\nn = sr.nchild\nsr.child[0] { L = 7 }\nd2 { sr = new SectionRef() }\nhp = sr.has_parent()\nsr.parent { L = 9 }\nsl = new SectionList()\nsoma sl.wholetree()\nm = 0\nforsec sl m += 1\nd1 sl.remove()\nk = 0\nforsec sl k += 1\nsoma { ifsec \"som\" hit = 1 }\nsoma x = L\n";
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "s.hoc").unwrap();
    let g = |n: &str| interp.global(n).unwrap();
    assert_eq!(
        (g("n"), g("hp"), g("m"), g("k"), g("hit"), g("x")),
        (2.0, 1.0, 3.0, 2.0, 1.0, 9.0)
    );
}

#[test]
fn top_level_access_and_print() {
    let out = output("create soma\naccess soma\nL = 12\nnseg = 3\nprint L, nseg, secname()\n{ print \"braces\" }\n");
    assert_eq!(out, "12 3 soma\nbraces\n");
}

#[test]
fn load_file_is_relative_to_the_including_file() {
    let dir = std::env::temp_dir().join(format!("hoc-load-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/lib.hoc"), "libval = 42\n").unwrap();
    std::fs::write(dir.join("main.hoc"), "load_file(\"nrngui.hoc\")\nload_file(\"sub/lib.hoc\")\nload_file(\"sub/lib.hoc\")\nx = libval\n").unwrap();
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.load_file(dir.join("main.hoc")).unwrap();
    assert_eq!(interp.global("x"), Some(42.0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn point_processes() {
    let src = "begintemplate S\npublic stim\ncreate soma\nobjref stim\nproc init() { soma stim = new IClamp(0.5)\n stim.amp = 0.2\n stim.del = 5 }\nendtemplate S\n";
    let cell = build(src, "S").unwrap();
    assert_eq!(cell.point_processes.len(), 1);
    let p = &cell.point_processes[0];
    assert_eq!(
        (p.mechanism.as_str(), p.x, p.values["amp"], p.values["del"]),
        ("IClamp", 0.5, 0.2, 5.0)
    );
}

#[test]
fn create_in_a_method_recreates_an_array() {
    // BMTK's BioAxonStub pattern: replace the axon by two fresh sections.
    let src = "begintemplate A\npublic axon\ncreate soma, axon[1]\nproc init() {\n soma L = 10\n create axon[2]\n for i = 0, 1 axon[i] { L = 30  diam = 1  nseg = 1 + 2 * int(L / 40) }\n connect axon[0](0), soma(1)\n connect axon[1](0), axon[0](1)\n axon[1] delete_section()\n}\nendtemplate A\n";
    let cell = build(src, "A").unwrap();
    let names: Vec<&str> = cell.sections.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["soma", "axon[0]"]);
    assert_eq!(section(&cell, "axon[0]").length, 30.0);
}

#[test]
fn public_scalars_lists_only_public_numeric_scalars_in_declaration_order() {
    let src = "begintemplate T\npublic z, soma, a, arr, s, o\nobjref o\nstrdef s\ndouble arr[3]\ncreate soma\nproc init() { z = 7  a = $1  hidden = 3 }\nendtemplate T\n";
    let reg = TestRegistry;
    let mut interp = hoc::Interpreter::new(&reg);
    interp.run_source(src, "t.hoc").unwrap();
    let obj = interp.new_object("T", &[hoc::Arg::Num(2.5)]).unwrap();
    assert_eq!(
        interp.public_scalars(&obj),
        vec![("z".to_string(), 7.0), ("a".to_string(), 2.5)]
    );
}
