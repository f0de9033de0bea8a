//! The JIT against the interpreter, bit for bit: every built-in mechanism, the nine HCO
//! mechanisms and the reference-data `.mod` files run `init` and several
//! `current`/`jacobian`/`state` steps on the same random instance data with both backends; all
//! fields, globals, node arrays and ion arrays must carry identical bits after every kernel.
//!
//! The same cases run in fast-math mode (SIMD kernels, inline `exp`), where every value must
//! stay within a relative 10⁻⁸ of the interpreter's: a few ulp per `exp`, amplified by the
//! cancellations of cnexp's `1 − exp(−dt/τ)` and of the conductance estimate
//! `(i(v + 0.001) − i(v)) / 0.001` (up to ~10⁴ for GHK currents).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jit::{JitSet, KernelKind, Options};
use mech::{Catalogue, Context, InterpretedSet, IonStore, MechanismSet, BUILTIN_NAMES};
use nmodl::ir::{self, IonVar};

/// splitmix64 → uniform [0, 1).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Clone)]
struct World {
    v: Vec<f64>,
    rhs: Vec<f64>,
    d: Vec<f64>,
    area: Vec<f64>,
    diam: Vec<f64>,
    ions: IonStore,
}

#[derive(Default, Debug, PartialEq)]
struct Recorder(Vec<(usize, usize, u64, u64)>);
impl mech::EventSink for Recorder {
    fn net_send(&mut self, m: usize, i: usize, t: f64, f: f64) {
        self.0.push((m, i, t.to_bits(), f.to_bits()));
    }
    fn net_event(&mut self, m: usize, i: usize, t: f64) {
        self.0.push((m, i, t.to_bits(), 1));
    }
    fn net_move(&mut self, m: usize, i: usize, t: f64) {
        self.0.push((m, i, t.to_bits(), 2));
    }
}

fn with_ctx<R>(w: &mut World, ev: &mut Recorder, t: f64, f: impl FnOnce(&mut Context) -> R) -> R {
    let mut ctx = Context {
        t,
        dt: 0.025,
        celsius: 16.3,
        v: &w.v,
        rhs: &mut w.rhs,
        d: &mut w.d,
        area: &w.area,
        diam: &w.diam,
        ions: &mut w.ions,
        events: ev,
    };
    f(&mut ctx)
}

/// Relative tolerance of fast-math results (exact mode: identical bits).
const FAST_TOLERANCE: f64 = 1e-8;

thread_local! {
    /// The mode of the check running on this thread (each test runs on its own thread).
    static FAST: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Density instances sit on nodes 0, s, 2s, … (s > 1: gathered, not contiguous, in SIMD).
    static NODE_STRIDE: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
    /// With g > 0, one node is skipped after every g instances: runs of g consecutive nodes
    /// (some vector iterations see a run, others straddle a gap).
    static NODE_GAP_EVERY: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    /// Membrane potentials are drawn from [V_RANGE.0, V_RANGE.0 + V_RANGE.1) mV.
    static V_RANGE: std::cell::Cell<(f64, f64)> = const { std::cell::Cell::new((-80.0, 120.0)) };
}

fn same(a: f64, b: f64) -> bool {
    if a.to_bits() == b.to_bits() {
        return true;
    }
    FAST.with(|f| f.get())
        && ((a - b).abs() <= FAST_TOLERANCE * a.abs().max(b.abs()).max(1e-300)
            || (a.is_nan() && b.is_nan()))
}

fn compare(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(same(*x, *y), "{what}[{i}]: interpreter {x:e} vs jit {y:e}");
    }
}

fn compare_all(
    stage: &str,
    m: &ir::Mechanism,
    a: (&dyn MechanismSet, &World),
    b: (&dyn MechanismSet, &World),
) {
    for f in &m.fields {
        compare(
            &format!("{} {stage}: field {}", m.name, f.name),
            a.0.field_values(&f.name).unwrap(),
            b.0.field_values(&f.name).unwrap(),
        );
    }
    // Fast-math kernels read a TABLE's outputs from their rate tables and leave the output
    // GLOBALs (hh's minf …) as INITIAL set them.
    let table_output = |g: usize| {
        m.tables
            .iter()
            .any(|t| t.outputs.contains(&ir::Place::Global(g as u32)))
    };
    for (k, g) in m.globals.iter().enumerate() {
        if FAST.with(|f| f.get()) && table_output(k) {
            continue;
        }
        let (x, y) = (a.0.global(&g.name).unwrap(), b.0.global(&g.name).unwrap());
        assert!(
            same(x, y),
            "{} {stage}: global {} {x} vs {y}",
            m.name,
            g.name
        );
    }
    compare(&format!("{} {stage}: rhs", m.name), &a.1.rhs, &b.1.rhs);
    // Fast-math current kernels may already add the jacobian's terms to d (compared after
    // the jacobian step).
    if !(FAST.with(|f| f.get()) && stage.starts_with("current")) {
        compare(&format!("{} {stage}: d", m.name), &a.1.d, &b.1.d);
    }
    for (ia, ib) in a.1.ions.ions.iter().zip(&b.1.ions.ions) {
        for var in [
            IonVar::Inside,
            IonVar::Outside,
            IonVar::Current,
            IonVar::DCurrentDv,
            IonVar::Erev,
        ] {
            compare(
                &format!("{} {stage}: ion {} {var:?}", m.name, ia.name),
                ia.column(var),
                ib.column(var),
            );
        }
    }
}

/// Runs both backends on `n` instances of `name` and compares after every kernel.
/// Returns the JIT compile time in seconds.
fn check_mechanism(cat: &Catalogue, name: &str, n: usize, seed: u64) -> f64 {
    check_with_globals(cat, name, n, seed, &[])
}

fn check_with_globals(
    cat: &Catalogue,
    name: &str,
    n: usize,
    seed: u64,
    globals: &[(&str, f64)],
) -> f64 {
    let m = cat.mechanism(name).unwrap();
    let point = m.kind != ir::Kind::Density;
    // Point processes: two instances on some nodes (shared rhs/d/ion entries).
    let nodes: Vec<u32> = (0..n as u32)
        .map(|i| {
            if point {
                i - i % 2 * u32::from(i % 4 == 1)
            } else {
                let gap = NODE_GAP_EVERY.with(|g| g.get());
                i * NODE_STRIDE.with(|s| s.get()) + i.checked_div(gap).unwrap_or(0)
            }
        })
        .collect();
    let n_nodes = nodes.iter().copied().max().unwrap_or(0) as usize + 1;
    let mut b = IonStore::builder();
    b.add_mechanism(&m, &nodes).unwrap();
    let mut ions = b.build().unwrap();
    let mut rng = Rng(seed);
    for k in 0..ions.ions.len() {
        let name = ions.ions[k].name.clone();
        let entries = ions.ions[k].nodes.clone();
        for node in entries {
            let ci = 1e-4 * (0.5 + rng.next());
            let co = 2.0 + rng.next();
            ions.set_value(&name, node, IonVar::Inside, ci);
            ions.set_value(&name, node, IonVar::Outside, co);
            ions.set_value(&name, node, IonVar::Erev, -90.0 + 150.0 * rng.next());
        }
    }
    let mut world = World {
        v: {
            let (lo, span) = V_RANGE.with(|r| r.get());
            (0..n_nodes).map(|_| lo + span * rng.next()).collect()
        },
        rhs: vec![0.0; n_nodes],
        d: vec![0.0; n_nodes],
        area: (0..n_nodes).map(|_| 100.0 + 500.0 * rng.next()).collect(),
        diam: (0..n_nodes).map(|_| 0.5 + 5.0 * rng.next()).collect(),
        ions,
    };
    let mut interp: Box<dyn MechanismSet> =
        Box::new(InterpretedSet::new(Arc::clone(&m), nodes.clone(), &world.ions, 3).unwrap());
    let jit_inner = InterpretedSet::new(Arc::clone(&m), nodes.clone(), &world.ions, 3).unwrap();
    let fast_math = FAST.with(|f| f.get());
    let jit_set = JitSet::with_options(
        jit_inner,
        Options {
            fast_math,
            rate_tables: fast_math,
            observed: None,
            ion_slopes: true,
        },
    )
    .unwrap();
    if fast_math {
        let simd: Vec<KernelKind> = [KernelKind::Current, KernelKind::Jacobian, KernelKind::State]
            .into_iter()
            .filter(|k| jit_set.is_vectorised(*k))
            .collect();
        eprintln!("{name}: fast-math SIMD kernels {simd:?}");
    }
    let compile = jit_set.compile_time().as_secs_f64();
    for kind in [
        KernelKind::Init,
        KernelKind::Current,
        KernelKind::Jacobian,
        KernelKind::State,
    ] {
        if let Some(why) = jit_set.interpreted_reason(kind) {
            eprintln!("{name}: {kind:?} stays interpreted ({why:?})");
            // Only Newton solves (derivimplicit, sparse) are expected to stay interpreted.
            assert_eq!(*why, jit::Unsupported::Newton, "{name} {kind:?}");
        }
    }
    let mut jit: Box<dyn MechanismSet> = Box::new(jit_set);
    // Random parameters, the same in both sets.
    for f in &m.fields {
        let vals: Vec<f64> = (0..n)
            .map(|_| f.default * (0.75 + 0.5 * rng.next()) + 0.01 * rng.next())
            .collect();
        interp
            .field_values_mut(&f.name)
            .unwrap()
            .copy_from_slice(&vals);
        jit.field_values_mut(&f.name)
            .unwrap()
            .copy_from_slice(&vals);
    }
    for (g, v) in globals {
        assert!(
            interp.set_global(g, *v) && jit.set_global(g, *v),
            "global {g}"
        );
    }
    let mut w2 = world.clone();
    let (mut ea, mut eb) = (Recorder::default(), Recorder::default());
    with_ctx(&mut world, &mut ea, 0.0, |c| interp.init(c));
    with_ctx(&mut w2, &mut eb, 0.0, |c| jit.init(c));
    compare_all("init", &m, (&*interp, &world), (&*jit, &w2));
    for step in 0..5 {
        let t = step as f64 * 0.025;
        for w in [&mut world, &mut w2] {
            w.rhs.iter_mut().for_each(|x| *x = 0.0);
            w.d.iter_mut().for_each(|x| *x = 0.0);
            w.ions.current_begin(16.3);
        }
        with_ctx(&mut world, &mut ea, t + 0.0125, |c| interp.current(c));
        with_ctx(&mut w2, &mut eb, t + 0.0125, |c| jit.current(c));
        compare_all(
            &format!("current {step}"),
            &m,
            (&*interp, &world),
            (&*jit, &w2),
        );
        with_ctx(&mut world, &mut ea, t + 0.0125, |c| interp.jacobian(c));
        with_ctx(&mut w2, &mut eb, t + 0.0125, |c| jit.jacobian(c));
        compare_all(
            &format!("jacobian {step}"),
            &m,
            (&*interp, &world),
            (&*jit, &w2),
        );
        // Move v so the next step sees new values.
        for w in [&mut world, &mut w2] {
            for (k, v) in w.v.iter_mut().enumerate() {
                *v += 0.5 * ((k + step) % 7) as f64 - 1.5;
            }
        }
        with_ctx(&mut world, &mut ea, t + 0.025, |c| interp.state(c));
        with_ctx(&mut w2, &mut eb, t + 0.025, |c| jit.state(c));
        if std::env::var("JIT_DEBUG").is_ok() {
            for (ia, ib) in world.ions.ions.iter().zip(&w2.ions.ions) {
                eprintln!(
                    "{} e {:?} {:?} in {:?} {:?} out {:?} {:?} styles {:?} {:?}",
                    ia.name,
                    &ia.erev[..2],
                    &ib.erev[..2],
                    &ia.inside[..2],
                    &ib.inside[..2],
                    &ia.outside[..2],
                    &ib.outside[..2],
                    &ia.styles[..2],
                    &ib.styles[..2]
                );
            }
        }
        compare_all(
            &format!("state {step}"),
            &m,
            (&*interp, &world),
            (&*jit, &w2),
        );
    }
    assert_eq!(ea, eb, "{name}: events");
    compile
}

fn mod_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mod"))
        .collect();
    v.sort();
    v
}

/// A catalogue with the reference-data `.mod` files, and their mechanism names.
fn reference_catalogue() -> (Catalogue, Vec<String>) {
    let dir = workspace().join("tests/reference-data/mod");
    let mut cat = Catalogue::new();
    let names = mod_files(&dir)
        .iter()
        .map(|f| cat.add_user_file(f).unwrap())
        .collect();
    (cat, names)
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn builtins_match_the_interpreter_bit_for_bit() {
    let cat = Catalogue::new();
    for name in BUILTIN_NAMES.iter().filter(|n| **n != "VecStim") {
        for n in [1, 64, 150] {
            check_mechanism(&cat, name, n, 7 + n as u64);
        }
    }
}

#[test]
fn hco_mechanisms_match_the_interpreter_bit_for_bit() {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/hco/biophys_components/mechanisms/modfiles"
    ));
    if !dir.exists() {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    let mut cat = Catalogue::new();
    let names = cat.add_user_dir(dir).unwrap();
    assert_eq!(names.len(), 9);
    let mut total = 0.0;
    for name in &names {
        total += check_mechanism(&cat, name, 51, 11);
        check_mechanism(&cat, name, 130, 12);
    }
    eprintln!(
        "JIT compile time, nine HCO mechanisms: {:.1} ms",
        total * 1e3
    );
}

#[test]
fn reference_data_mechanisms_match_the_interpreter_bit_for_bit() {
    let (cat, names) = reference_catalogue();
    for name in &names {
        for n in [3, 100] {
            check_mechanism(&cat, name, n, 99 + n as u64);
        }
    }
}

#[test]
fn every_compiled_construct_matches_the_interpreter_bit_for_bit() {
    let mut cat = Catalogue::new();
    cat.add_user("edge.mod", include_str!("data/edge.mod"))
        .unwrap();
    for n in [1, 63, 64, 65, 200] {
        check_mechanism(&cat, "edge", n, 1000 + n as u64);
        check_with_globals(&cat, "edge", n, 2000 + n as u64, &[("usetable", 0.0)]);
    }
}

#[test]
fn fast_math_rate_tables_fold_guards_keep_conditional_values_and_fall_back_out_of_range() {
    let mut cat = Catalogue::new();
    cat.add_user("rates.mod", include_str!("data/rates.mod"))
        .unwrap();
    fast_math(|| {
        for n in [1, 7, 64] {
            check_mechanism(&cat, "rates", n, 3000 + n as u64);
        }
        // Potentials beyond the table (±128 mV) in some lanes: those iterations evaluate the
        // functions directly.
        V_RANGE.with(|r| r.set((-300.0, 600.0)));
        for n in [5, 64] {
            check_mechanism(&cat, "rates", n, 4000 + n as u64);
            check_mechanism(&cat, "hh", n, 4100 + n as u64);
        }
        V_RANGE.with(|r| r.set((-80.0, 120.0)));
        // hh's TABLE looked up inline, and (usetable = 0) its kernel left to the interpreter.
        for n in [3, 64] {
            check_mechanism(&cat_builtin(), "hh", n, 4200 + n as u64);
            check_with_globals(
                &cat_builtin(),
                "hh",
                n,
                4300 + n as u64,
                &[("usetable", 0.0)],
            );
        }
    });
}

fn cat_builtin() -> Catalogue {
    Catalogue::new()
}

/// Runs `f` with fast-math checks (tolerance instead of identical bits).
fn fast_math(f: impl FnOnce()) {
    FAST.with(|x| x.set(true));
    f();
    FAST.with(|x| x.set(false));
}

#[test]
fn fast_math_builtins_stay_close_to_the_interpreter() {
    fast_math(|| {
        let cat = Catalogue::new();
        for name in BUILTIN_NAMES.iter().filter(|n| **n != "VecStim") {
            for n in [1, 5, 64, 151] {
                check_mechanism(&cat, name, n, 7 + n as u64);
            }
            NODE_GAP_EVERY.with(|g| g.set(7));
            check_mechanism(&cat, name, 64, 5);
            NODE_GAP_EVERY.with(|g| g.set(0));
        }
    });
}

#[test]
fn fast_math_vectorises_the_hco_mechanisms_and_stays_close() {
    let dir = workspace().join("examples/hco/biophys_components/mechanisms/modfiles");
    let mut cat = Catalogue::new();
    let names = cat.add_user_dir(&dir).unwrap();
    fast_math(|| {
        for name in &names {
            for n in [3, 51, 130] {
                check_mechanism(&cat, name, n, 11 + n as u64);
            }
            NODE_STRIDE.with(|s| s.set(3));
            check_mechanism(&cat, name, 51, 17);
            NODE_STRIDE.with(|s| s.set(1));
            for gap in [5, 11] {
                NODE_GAP_EVERY.with(|g| g.set(gap));
                check_mechanism(&cat, name, 51, 19 + u64::from(gap));
            }
            NODE_GAP_EVERY.with(|g| g.set(0));
            let m = cat.mechanism(name).unwrap();
            let nodes: Vec<u32> = (0..8).collect();
            let mut b = IonStore::builder();
            b.add_mechanism(&m, &nodes).unwrap();
            let ions = b.build().unwrap();
            let inner = InterpretedSet::new(Arc::clone(&m), nodes, &ions, 3).unwrap();
            let set = JitSet::with_options(inner, Options::fast()).unwrap();
            // Every HCO kernel is straight-line: all of them must take the SIMD path.
            for kind in [KernelKind::Current, KernelKind::Jacobian, KernelKind::State] {
                if set.is_compiled(kind) {
                    assert!(set.is_vectorised(kind), "{name} {kind:?} not vectorised");
                }
            }
        }
    });
}

#[test]
fn fast_math_reference_mechanisms_and_constructs_stay_close() {
    let (mut cat, names) = reference_catalogue();
    cat.add_user("edge.mod", include_str!("data/edge.mod"))
        .unwrap();
    fast_math(|| {
        for name in &names {
            for n in [3, 100] {
                check_mechanism(&cat, name, n, 99 + n as u64);
            }
        }
        for n in [1, 6, 65] {
            check_mechanism(&cat, "edge", n, 1000 + n as u64);
        }
    });
}

#[test]
fn fast_math_hoisted_synapse_invariants_follow_parameter_changes() {
    let cat = Catalogue::new();
    let m = cat.mechanism("Exp2Syn").unwrap();
    let nodes: Vec<u32> = (0..6).collect();
    let mut world = World {
        v: vec![-65.0; 6],
        rhs: vec![0.0; 6],
        d: vec![0.0; 6],
        area: vec![500.0; 6],
        diam: vec![1.0; 6],
        ions: IonStore::builder().build().unwrap(),
    };
    let mut interp = InterpretedSet::new(Arc::clone(&m), nodes.clone(), &world.ions, 3).unwrap();
    let inner = InterpretedSet::new(Arc::clone(&m), nodes, &world.ions, 3).unwrap();
    let mut jit = JitSet::with_options(inner, Options::fast()).unwrap();
    // 1 − exp(−dt/τ) for both time constants: hoisted (τ₁ and τ₂ compiled in as the
    // constants every instance holds, `jit::specialize`), so a new τ₁ must reach both the
    // specialisation (recompiled) and the hidden field.
    assert!(jit.hidden_fields() >= 1, "{}", jit.hidden_fields());
    let mut ev = Recorder::default();
    let sets: [&mut dyn MechanismSet; 2] = [&mut interp, &mut jit];
    let mut a_after = Vec::new();
    for set in sets {
        with_ctx(&mut world, &mut ev, 0.0, |c| set.init(c));
        let mut values = Vec::new();
        for round in 0..2 {
            set.field_values_mut("A").unwrap().fill(1.0);
            set.field_values_mut("B").unwrap().fill(2.0);
            if round == 1 {
                // A new time constant must reach the hidden 1 − exp(−dt/τ₁).
                set.field_values_mut("tau1").unwrap().fill(3.0);
            }
            for step in 0..3 {
                with_ctx(&mut world, &mut ev, step as f64 * 0.025, |c| set.state(c));
            }
            values.push(set.field_values("A").unwrap()[0]);
            values.push(set.field_values("B").unwrap()[0]);
        }
        a_after.push(values);
    }
    for (x, y) in a_after[0].iter().zip(&a_after[1]) {
        assert!((x - y).abs() <= 1e-12 * x.abs(), "{:?}", a_after);
    }
    assert!(
        (a_after[0][0] - a_after[0][2]).abs() > 1e-6,
        "tau1 change had no effect"
    );
}

/// Runs INITIAL and then two rounds of `round` (given the set, the world, the recorder and the
/// round's number; it returns the values to compare) on `name`'s interpreter set and on its
/// fast-math JIT set over nodes with potentials `v`; checks the two agree value by value in
/// every round (relative 1e-9) and returns the JIT's values per round.
fn interpreter_and_fast_jit_agree(
    cat: &Catalogue,
    name: &str,
    v: Vec<f64>,
    round: impl Fn(&mut dyn MechanismSet, &mut World, &mut Recorder, usize) -> Vec<f64>,
) -> Vec<Vec<f64>> {
    let m = cat.mechanism(name).unwrap();
    let n = v.len();
    let nodes: Vec<u32> = (0..n as u32).collect();
    let mut world = World {
        v,
        rhs: vec![0.0; n],
        d: vec![0.0; n],
        area: vec![500.0; n],
        diam: vec![1.0; n],
        ions: IonStore::builder().build().unwrap(),
    };
    let mut interp = InterpretedSet::new(Arc::clone(&m), nodes.clone(), &world.ions, 5).unwrap();
    let inner = InterpretedSet::new(Arc::clone(&m), nodes, &world.ions, 5).unwrap();
    let mut jit = JitSet::with_options(inner, Options::fast()).unwrap();
    let mut ev = Recorder::default();
    let mut results = Vec::new();
    let sets: [&mut dyn MechanismSet; 2] = [&mut interp, &mut jit];
    for set in sets {
        with_ctx(&mut world, &mut ev, 0.0, |c| set.init(c));
        results.push(
            (0..2)
                .map(|r| round(set, &mut world, &mut ev, r))
                .collect::<Vec<_>>(),
        );
    }
    for (r, (a, b)) in results[0].iter().zip(&results[1]).enumerate() {
        for (k, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= 1e-9 * x.abs().max(1e-12),
                "{name} round {r} value {k}: {x} vs {y}"
            );
        }
    }
    results.pop().expect("the JIT's rounds")
}

#[test]
fn fast_math_specialised_parameters_follow_changes_on_some_instances() {
    // pas compiled with g and e as the constants all instances hold; then one instance's g
    // changes, and the set must stop using the constant (recompile), matching the
    // interpreter instance by instance (rhs, then d).
    let v = (0..9).map(|i| -70.0 + i as f64).collect();
    let jit = interpreter_and_fast_jit_agree(&Catalogue::new(), "pas", v, |set, world, ev, r| {
        if r == 1 {
            set.field_values_mut("g").unwrap()[4] = 0.5;
        }
        world.rhs.fill(0.0);
        world.d.fill(0.0);
        with_ctx(world, ev, 0.0, |c| set.current(c));
        with_ctx(world, ev, 0.0, |c| set.jacobian(c));
        world.rhs.iter().chain(&world.d).copied().collect()
    });
    assert!(
        (jit[1][4] - jit[0][4]).abs() > 1e-3,
        "the new g reached the compiled kernel"
    );
}

#[test]
fn fast_math_rate_functions_of_specialised_parameters_follow_changes() {
    // m's steady state is a rate function of v that reads the parameter vh: compiled with vh
    // as a constant, its rate table must be rebuilt when a new vh makes the set recompile.
    let mut cat = Catalogue::new();
    cat.add_user(
        "shift.mod",
        "NEURON { SUFFIX shift RANGE vh } PARAMETER { vh = -40 } STATE { m } ASSIGNED { v }
         BREAKPOINT { SOLVE s METHOD cnexp } INITIAL { m = 0 }
         DERIVATIVE s { m' = (1 / (1 + exp((vh - v) / 5)) - m) / 2 }",
    )
    .unwrap();
    let v = (0..8).map(|i| -60.0 + 5.0 * i as f64).collect();
    interpreter_and_fast_jit_agree(&cat, "shift", v, |set, world, ev, r| {
        if r == 1 {
            set.field_values_mut("vh").unwrap().fill(-20.0);
        }
        set.field_values_mut("m").unwrap().fill(0.0);
        with_ctx(world, ev, 0.0, |c| set.state(c));
        set.field_values("m").unwrap().to_vec()
    });
}
