//! Micro-benchmarks, interpreter vs JIT (plain timing, `harness = false`; prints ratios, asserts
//! nothing about speed):
//! 1. JIT compile time of the nine HCO mechanisms (each on its own, and fast-math as one fused
//!    group, which is what a fast-math run compiles);
//! 2. ns per instance for each kernel of the HCO mechanisms, hh and pas (51 and 1024 instances);
//! 3. whole `fadvance` steps of the HCO cell (51 segments, dt 0.001) and of a passive cable with
//!    1001 segments, where the Hines solve and the engine's own work dominate.
//!
//! `cargo bench -p jit` (set `BENCH_QUICK=1` for a short run).

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use engine::SimulationBuilder;
use jit::JitSet;
use mech::{Catalogue, Context, InterpretedSet, IonStore, MechanismSet, NoEvents};
use model::{CellDescription, Section};

const HCO_MODS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/hco/biophys_components/mechanisms/modfiles"
);

fn quick() -> bool {
    std::env::var("BENCH_QUICK").is_ok()
}

struct World {
    v: Vec<f64>,
    rhs: Vec<f64>,
    d: Vec<f64>,
    area: Vec<f64>,
    diam: Vec<f64>,
    ions: IonStore,
}

fn ctx<'a>(w: &'a mut World, ev: &'a mut NoEvents) -> Context<'a> {
    Context {
        t: 1.0,
        dt: 0.001,
        celsius: 34.0,
        v: &w.v,
        rhs: &mut w.rhs,
        d: &mut w.d,
        area: &w.area,
        diam: &w.diam,
        ions: &mut w.ions,
        events: ev,
    }
}

/// ns per instance of `f` over `reps` calls on `n` instances (best of 3).
fn time_kernel(n: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t0 = Instant::now();
        for _ in 0..reps {
            f();
        }
        best = best.min(t0.elapsed().as_secs_f64() * 1e9 / (reps * n) as f64);
    }
    best
}

fn kernels(cat: &Catalogue, name: &str, n: usize) {
    let m = cat.mechanism(name).unwrap();
    let nodes: Vec<u32> = (0..n as u32).collect();
    let mut b = IonStore::builder();
    b.add_mechanism(&m, &nodes).unwrap();
    let ions = b.build().unwrap();
    let make_world = || World {
        v: (0..n).map(|i| -65.0 + (i % 13) as f64).collect(),
        rhs: vec![0.0; n],
        d: vec![0.0; n],
        area: vec![314.0; n],
        diam: vec![10.0; n],
        ions: ions.clone(),
    };
    let mut wi = make_world();
    let mut wj = make_world();
    let mut interp = InterpretedSet::new(Arc::clone(&m), nodes.clone(), &ions, 0).unwrap();
    let mut jit =
        JitSet::new(InterpretedSet::new(Arc::clone(&m), nodes.clone(), &ions, 0).unwrap()).unwrap();
    let mut fast = JitSet::with_options(
        InterpretedSet::new(Arc::clone(&m), nodes.clone(), &ions, 0).unwrap(),
        jit::Options::fast(),
    )
    .unwrap();
    let mut wf = make_world();
    let mut ev = NoEvents;
    interp.init(&mut ctx(&mut wi, &mut ev));
    jit.init(&mut ctx(&mut wj, &mut ev));
    fast.init(&mut ctx(&mut wf, &mut ev));
    let reps = if quick() {
        200
    } else {
        200_000 / n.max(1) * 10
    };
    let mut line = format!("{name:>8} n={n:<5}");
    type Kernel = fn(&mut dyn MechanismSet, &mut Context);
    let kinds: [(&str, bool, Kernel); 3] = [
        ("current", m.current.is_some(), |s, c| s.current(c)),
        ("jacobian", m.jacobian.is_some(), |s, c| s.jacobian(c)),
        ("state", m.state.is_some(), |s, c| s.state(c)),
    ];
    for (label, present, run) in kinds {
        if !present {
            continue;
        }
        let ti = time_kernel(n, reps, || run(&mut interp, &mut ctx(&mut wi, &mut ev)));
        let tj = time_kernel(n, reps, || run(&mut jit, &mut ctx(&mut wj, &mut ev)));
        let tf = time_kernel(n, reps, || run(&mut fast, &mut ctx(&mut wf, &mut ev)));
        line += &format!(
            "  {label} {ti:6.1} / {tj:5.1} / {tf:5.1} ns ({:4.1}x, fast {:4.1}x)",
            ti / tj.max(1e-9),
            ti / tf.max(1e-9)
        );
    }
    println!("{line}");
}

fn hco_cell() -> CellDescription {
    let mut s = Section::new("soma[0]");
    s.length = 1000.0;
    s.set_range("diam", 9.99593).unwrap();
    s.set_range("cm", 1.0).unwrap();
    common::insert_hco(&mut s);
    s.insert_ion("ca", &[("cao".into(), 3.0), ("cai".into(), 50e-6)]);
    s.insert_ion("na", &[("ena".into(), 50.0)]);
    s.set_nseg(51).unwrap();
    let mut c = CellDescription::new("HCOcell");
    c.add_section(s);
    c
}

fn passive_cable(nseg: usize) -> CellDescription {
    let mut s = Section::new("cable");
    s.length = 20.0 * nseg as f64;
    s.set_range("diam", 2.0).unwrap();
    s.insert_mechanism("pas", &[("g_pas".into(), 1e-4), ("e_pas".into(), -65.0)]);
    s.set_nseg(nseg).unwrap();
    let mut c = CellDescription::new("cable");
    c.add_section(s);
    c
}

/// µs per fadvance for `cell` with the catalogue's backend.
fn steps(cat: &Catalogue, cell: CellDescription, dt: f64, n: usize) -> f64 {
    let mut b = SimulationBuilder::new(cat);
    b.cell(cell);
    b.celsius(34.0).dt(dt).v_init(-50.0);
    let mut sim = b.build().unwrap();
    sim.finitialize(-50.0);
    let t0 = Instant::now();
    for _ in 0..n {
        sim.fadvance();
    }
    t0.elapsed().as_secs_f64() * 1e6 / n as f64
}

fn main() {
    let mut cat = Catalogue::new();
    let hco: Vec<String> = if Path::new(HCO_MODS).exists() {
        cat.add_user_dir(Path::new(HCO_MODS)).unwrap()
    } else {
        eprintln!("{HCO_MODS} missing: HCO benchmarks skipped");
        Vec::new()
    };

    println!("== JIT compile time (nine HCO mechanisms, 51 instances each)");
    let ions = {
        let mut b = IonStore::builder();
        let nodes: Vec<u32> = (0..51).collect();
        for name in &hco {
            b.add_mechanism(&cat.mechanism(name).unwrap(), &nodes)
                .unwrap();
        }
        b.build().unwrap()
    };
    // Best of 5 (the machine is shared); the first round also pays the one-time ISA setup.
    for (label, fast_math) in [("exact", false), ("fast-math", true)] {
        let (mut codegen, mut wall) = (f64::INFINITY, f64::INFINITY);
        for _ in 0..5 {
            jit::cache::clear();
            let t0 = Instant::now();
            let mut sum = 0.0;
            for name in &hco {
                let m = cat.mechanism(name).unwrap();
                let inner = InterpretedSet::new(m, (0..51).collect(), &ions, 0).unwrap();
                let set = JitSet::with_options(
                    inner,
                    jit::Options {
                        fast_math,
                        rate_tables: fast_math,
                        observed: None,
                        ion_slopes: true,
                    },
                )
                .unwrap();
                sum += set.compile_time().as_secs_f64();
            }
            codegen = codegen.min(sum);
            wall = wall.min(t0.elapsed().as_secs_f64());
        }
        println!(
            "   {label:>9}: codegen {:.1} ms, wall incl. set creation {:.1} ms (best of 5)",
            codegen * 1e3,
            wall * 1e3
        );
    }

    // What `bmtk run --fast-math` compiles: the nine sets run as one fused group, compiled when
    // the simulation is first initialised (the sets on their own never are).
    if !hco.is_empty() {
        let mut fcat = Catalogue::new();
        jit::install_with(&mut fcat, jit::Backend::Jit, jit::Options::fast());
        fcat.add_user_dir(Path::new(HCO_MODS)).unwrap();
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            jit::cache::clear();
            let mut b = SimulationBuilder::new(&fcat);
            b.cell(hco_cell());
            b.celsius(34.0).dt(0.001).v_init(-50.0).fast_math(true);
            let mut sim = b.build().unwrap();
            sim.finitialize(-50.0);
            assert_eq!(sim.fused_kernels(), (1, 9), "the nine HCO sets fuse");
            best = best.min(jit::cache::codegen_time().as_secs_f64());
        }
        println!(
            "   fast-math as `bmtk run` compiles it (one fused group of the nine): codegen {:.1} ms (best of 5)",
            best * 1e3
        );
    }

    println!("== ns per instance per call: interpreter / JIT / JIT fast-math (ratios)");
    let mut names: Vec<&str> = hco.iter().map(|s| s.as_str()).collect();
    names.extend(["hh", "pas"]);
    for n in [51, 1024] {
        for name in &names {
            kernels(&cat, name, n);
        }
    }

    // The floor of bit-compatible mode: every hoc_Exp is a libm call.
    let xs: Vec<f64> = (0..1024).map(|i| -5.0 + i as f64 * 0.01).collect();
    let mut acc = 0.0;
    let reps = if quick() { 100 } else { 5_000 };
    let t0 = Instant::now();
    for _ in 0..reps {
        for x in &xs {
            acc += mech::math::hoc_exp(std::hint::black_box(*x));
        }
    }
    let per_exp = t0.elapsed().as_secs_f64() * 1e9 / (reps * xs.len()) as f64;
    std::hint::black_box(acc);
    println!(
        "== libm exp: {per_exp:.1} ns per call; the HCO cell's state kernels call it 38× per \
         segment, 1938× per step ≈ {:.1} µs per step",
        per_exp * 1938.0 / 1e3
    );

    println!("== whole steps (engine fadvance): interpreter / JIT");
    let n = if quick() { 2_000 } else { 50_000 };
    let mut jcat = Catalogue::new();
    jit::install(&mut jcat, jit::Backend::Jit);
    let mut fcat = Catalogue::new();
    jit::install_with(&mut fcat, jit::Backend::Jit, jit::Options::fast());
    if !hco.is_empty() {
        jcat.add_user_dir(Path::new(HCO_MODS)).unwrap();
        fcat.add_user_dir(Path::new(HCO_MODS)).unwrap();
        let ti = steps(&cat, hco_cell(), 0.001, n);
        let tj = steps(&jcat, hco_cell(), 0.001, n);
        let tf = steps(&fcat, hco_cell(), 0.001, n);
        println!(
            "   HCO cell (51 seg, 9 mechs): {ti:.2} / {tj:.2} / {tf:.2} µs per step (interp / jit / fast-math); 1M steps ≈ {ti:.1} s / {tj:.1} s / {tf:.1} s",
        );
    }
    let ti = steps(&cat, passive_cable(1001), 0.025, n / 5);
    let tj = steps(&jcat, passive_cable(1001), 0.025, n / 5);
    println!(
        "   passive cable (1001 seg, pas): {:.1} / {:.1} ns per compartment-step ({:.2}x) — Hines solve + engine",
        ti * 1e3 / 1002.0,
        tj * 1e3 / 1002.0,
        ti / tj
    );
}
