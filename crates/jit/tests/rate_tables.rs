//! Rate tables (fast-math): which parts of the HCO kernels become table functions, and how
//! closely the built tables reproduce the functions they replace.

use std::path::PathBuf;

use jit::rate_data::{self, Inputs, INTERVALS, LO, STEP};
use jit::simd::rate_table::{tabulate, Pure};
use mech::Catalogue;

fn hco() -> (Catalogue, Vec<String>) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/hco/biophys_components/mechanisms/modfiles");
    let mut cat = Catalogue::new();
    let names = cat.add_user_dir(&dir).unwrap();
    (cat, names)
}

#[test]
fn hco_state_kernels_tabulate_and_tables_match_their_functions() {
    let (cat, names) = hco();
    for name in &names {
        let m = cat.mechanism(name).unwrap();
        let Some(k) = m.state.as_ref() else {
            continue;
        };
        let Some(t) = tabulate(&m, &k.body, k.locals.len(), &Default::default()) else {
            eprintln!("{name}: nothing tabulated");
            continue;
        };
        let inputs = Inputs {
            dt: 0.001,
            celsius: 34.0,
            globals: vec![0.0; m.globals.len()],
        };
        eprintln!("{name}: {} functions", t.functions.len());
        let worst = worst_table_error(&t.functions, &inputs, 1e-300);
        eprintln!("{name}: worst relative error {worst:e}");
        assert!(worst < 1e-8, "{name}: {worst}");
    }
}

/// Builds the table of `functions` for `inputs`, checks that every function is tabulated, and
/// returns the largest error of the cubic pieces against the functions on 20,000 potentials
/// across the table, relative to |f| (at least `floor`).
fn worst_table_error(functions: &[Pure], inputs: &Inputs, floor: f64) -> f64 {
    let table = rate_data::build(functions, inputs);
    let nf = functions.len();
    for j in 0..nf {
        assert!(
            rate_data::is_tabulated(&table, j),
            "function {j} not tabulated"
        );
    }
    let mut worst = 0.0f64;
    for s in 0..20_000 {
        let v = LO + (s as f64 + 0.37) * (INTERVALS as f64 * STEP) / 20_000.0;
        let xi = (v - LO) / STEP;
        let i = xi.floor() as usize;
        let x = xi - i as f64;
        for (j, f) in functions.iter().enumerate() {
            let c = [0, 1, 2, 3].map(|k| table[rate_data::coefficient_at(nf, i, j, k)]);
            let approx = c[0] + x * (c[1] + x * (c[2] + x * c[3]));
            let exact = f.eval(v, &inputs.globals, inputs.dt, inputs.celsius);
            worst = worst.max((approx - exact).abs() / exact.abs().max(floor));
        }
    }
    worst
}

fn has_select(p: &Pure) -> bool {
    match p {
        Pure::Select(..) => true,
        Pure::Unary(_, a) => has_select(a),
        Pure::Binary(_, a, b) => has_select(a) || has_select(b),
        Pure::Call(_, args) => args.iter().any(has_select),
        _ => false,
    }
}

#[test]
fn guards_fold_into_selects_and_discontinuous_rates_stay_direct() {
    let mut cat = Catalogue::new();
    cat.add_user("rates.mod", include_str!("data/rates.mod"))
        .unwrap();
    let m = cat.mechanism("rates").unwrap();
    let k = m.state.as_ref().unwrap();
    let t = tabulate(&m, &k.body, k.locals.len(), &Default::default())
        .expect("rates has pure functions of v");
    // vtrap's IF folds into a select, so the m rates are functions of v alone.
    assert!(t.functions.iter().any(has_select), "{:?}", t.functions);
    let mut globals = vec![0.0; m.globals.len()];
    globals[m.global("q10base").unwrap() as usize] = 3.0;
    let inputs = Inputs {
        dt: 0.025,
        celsius: 16.3,
        globals,
    };
    let table = rate_data::build(&t.functions, &inputs);
    let flags: Vec<bool> = (0..t.functions.len())
        .map(|j| rate_data::is_tabulated(&table, j))
        .collect();
    // The step of `s` at −50 mV cannot be represented by cubic pieces: that function (and only
    // functions with such a jump) is evaluated directly.
    let direct: Vec<_> = t
        .functions
        .iter()
        .zip(&flags)
        .filter(|(_, ok)| !**ok)
        .map(|(f, _)| f)
        .collect();
    assert!(
        !direct.is_empty() && direct.len() < t.functions.len(),
        "{flags:?}"
    );
    for f in direct {
        let (below, above) = (
            f.eval(-50.01, &inputs.globals, 0.025, 16.3),
            f.eval(-49.99, &inputs.globals, 0.025, 16.3),
        );
        assert!(
            (below - above).abs() > 1e-3 * below.abs(),
            "{f:?} has no jump at -50 mV"
        );
    }
    // A different global value is a different table.
    let mut other = inputs.clone();
    other.globals[m.global("q10base").unwrap() as usize] = 2.0;
    let (a, b) = (
        rate_data::shared(&t.functions, &inputs),
        rate_data::shared(&t.functions, &other),
    );
    assert!(a[..] != b[..], "q10base is an input of the table");
    assert!(std::sync::Arc::ptr_eq(
        &a,
        &rate_data::shared(&t.functions, &inputs)
    ));
}

#[test]
fn unobserved_rate_copies_are_not_stored_by_state_kernels() {
    use std::collections::BTreeSet;
    let (cat, _) = hco();
    let m = cat.mechanism("cas").unwrap();
    let field = |name: &str| m.field(name).unwrap();
    let observed: BTreeSet<String> = ["v", "cai", "qtau_cas"].map(String::from).into();
    let dead = jit::simd::rate_table::dead_fields(&m, &observed);
    // pinf/ptau/qinf are copies nobody reads; qtau is reported; the states, the parameter and
    // the fields the current kernel reads before writing (none here but g's inputs) stay.
    for name in ["pinf", "ptau", "qinf"] {
        assert!(dead.contains(&field(name)), "{name} {dead:?}");
    }
    for name in ["qtau", "p", "q", "gbar"] {
        assert!(!dead.contains(&field(name)), "{name} {dead:?}");
    }
    let k = m.state.as_ref().unwrap();
    let all = tabulate(&m, &k.body, k.locals.len(), &Default::default()).unwrap();
    let some = tabulate(&m, &k.body, k.locals.len(), &dead).unwrap();
    let stores = |t: &jit::simd::rate_table::Tabulated| {
        t.body
            .iter()
            .filter_map(|s| match s {
                nmodl::ir::Stmt::Assign(nmodl::ir::Place::Field(f), _) => Some(*f),
                _ => None,
            })
            .collect::<BTreeSet<u32>>()
    };
    assert!(stores(&all).contains(&field("pinf")) && !stores(&some).contains(&field("pinf")));
    assert!(stores(&some).contains(&field("qtau")) && stores(&some).contains(&field("p")));
    // ptau's own table function goes with its store (the cnexp factor 1 − exp(−dt/ptau) has
    // its own); pinf and qinf remain as the steady states of the update.
    assert_eq!(
        some.functions.len(),
        all.functions.len() - 1,
        "{:?}",
        some.functions
    );
}

#[test]
fn hh_table_outputs_tabulate_as_neurons_interpolation() {
    // hh computes its rates through `TABLE … FROM -100 TO 100 WITH 200`: the fast-math state
    // kernel reads each gate's cnexp factor and steady state from the rate table, fitted to
    // NEURON's piecewise-linear lookup (kinks every 1 mV) rather than to the smooth rates.
    let cat = Catalogue::new();
    let m = cat.mechanism("hh").unwrap();
    let k = m.state.as_ref().unwrap();
    let t = tabulate(&m, &k.body, k.locals.len(), &Default::default())
        .expect("hh's TABLE call is inlined");
    assert!(
        !t.body
            .iter()
            .any(|s| matches!(s, nmodl::ir::Stmt::TableCall { .. })),
        "no TABLE call is left"
    );
    assert_eq!(t.functions.len(), 6, "{:?}", t.functions);
    assert!(t
        .functions
        .iter()
        .all(|f| f.breaks() == Some(Some((-100.0, 1.0)))));
    let inputs = Inputs {
        dt: 0.025,
        celsius: 6.3,
        globals: m.globals.iter().map(|g| g.default).collect(),
    };
    let worst = worst_table_error(&t.functions, &inputs, 1e-12);
    assert!(worst < 1e-8, "{worst}");
    // The lookup is NEURON's: at a grid point the value is the function's, halfway between
    // two it is their mean (linear, not the smooth rate).
    let minf_like = &t.functions[1];
    let at = |v: f64| minf_like.eval(v, &inputs.globals, inputs.dt, inputs.celsius);
    let mid = at(-40.5);
    assert!((mid - 0.5 * (at(-41.0) + at(-40.0))).abs() <= 1e-15 * mid.abs().max(1.0));
}

#[test]
fn a_point_process_divides_by_its_area_once_per_run() {
    // Exp2Syn's current kernel scales by 100/area: fast-math hoists that into a hidden field.
    let cat = Catalogue::new();
    let m = cat.mechanism("Exp2Syn").unwrap();
    let k = m.current.as_ref().unwrap();
    let first = m.fields.len() as u32;
    let h = jit::simd::rate_table::hoist_invariants(&m, &k.body, first).expect("invariants");
    assert!(h
        .invariants
        .iter()
        .any(|p| format!("{p:?}").contains("Area")));
    let mut reads_area = false;
    jit::analysis::for_each_expr(&h.body, &mut |e| {
        reads_area |= matches!(
            e,
            nmodl::ir::Expr::Load(nmodl::ir::Place::Node(nmodl::ir::NodeVar::Area))
        );
    });
    assert!(!reads_area, "the per-step body no longer reads the area");
}
