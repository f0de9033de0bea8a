//! Micro-benchmark of the Hines solve (plain timing, `harness = false`; asserts nothing about
//! speed): ns per node of [`HinesMatrix::solve`] against the same sweeps in plain node order,
//! of the fast-math solve ([`HinesMatrix::set_fast_math`]: one reciprocal per node instead of
//! two divisions), and of the per-step tree setup, on
//! 1. one unbranched cable of 1001 segments (a single dependency chain: nothing to weave);
//! 2. one and 64 busyring-like cells (soma + 10 branching dendrites of 32 segments, ≈ 330 nodes);
//! 3. 8 cells of 51 segments (a cache block of HCO-like somata);
//! 4. 50 mc-net100 cells (soma + 3 dendrites of 11 segments: one partition of that network),
//!    as they come and interleaved four by four (`Discretization::interleave`, as the engine
//!    lays out networks).
//!
//! `cargo bench -p engine --bench hines` (set `BENCH_QUICK=1` for a short run).

use std::hint::black_box;
use std::time::Instant;

use engine::{Discretization, HinesMatrix};
use model::{CellDescription, Section};

fn quick() -> bool {
    std::env::var("BENCH_QUICK").is_ok()
}

fn section(name: &str, nseg: usize, length: f64, diam: f64) -> Section {
    let mut s = Section::new(name);
    s.length = length;
    s.set_nseg(nseg).expect("nseg > 0");
    s.set_range("diam", diam).expect("diam is a range variable");
    s
}

/// Soma with `dends` dendrites of `nseg` segments; dendrite j hangs off dendrite j / 2 (a
/// binary tree), the first off the soma.
fn cell(dends: usize, nseg: usize) -> CellDescription {
    cell_with(dends, nseg, |j| if j == 0 { 0 } else { 1 + (j - 1) / 2 })
}

/// Soma with `dends` dendrites of `nseg` segments all attached to it (mc-net100's cells).
fn star_cell(dends: usize, nseg: usize) -> CellDescription {
    cell_with(dends, nseg, |_| 0)
}

/// Soma and `dends` dendrites of `nseg` segments; dendrite j's 0 end joins section
/// `parent(j)`'s 1 end (section 0 is the soma, dendrite j is section j + 1).
fn cell_with(dends: usize, nseg: usize, parent: impl Fn(usize) -> usize) -> CellDescription {
    let mut c = CellDescription::new("bench");
    c.add_section(section("soma", 1, 20.0, 20.0));
    for j in 0..dends {
        let i = c.add_section(section(
            &format!("dend{j}"),
            nseg,
            200.0,
            1.0 + 0.1 * j as f64,
        ));
        c.connect(i, 0.0, parent(j), 1.0).expect("sections exist");
    }
    c
}

/// The sweeps in plain node order, as `treeset.cpp` and `solve.cpp` write them.
fn node_order_solve(disc: &Discretization, d: &mut [f64], rhs: &mut [f64]) {
    for i in (disc.roots..disc.len()).rev() {
        let p = disc.a[i] / d[i];
        let pi = disc.parent[i] as usize;
        d[pi] -= p * disc.b[i];
        rhs[pi] -= p * rhs[i];
    }
    for i in 0..disc.roots {
        rhs[i] /= d[i];
    }
    for i in disc.roots..disc.len() {
        rhs[i] -= disc.b[i] * rhs[disc.parent[i] as usize];
        rhs[i] /= d[i];
    }
}

/// Least ns per node over the timed batches (the machine is shared: the minimum is the
/// measure least disturbed by other processes).
fn time(nodes: usize, mut f: impl FnMut()) -> f64 {
    let (batches, per) = if quick() { (5, 20) } else { (21, 200) };
    let mut samples: Vec<f64> = (0..batches)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..per {
                f();
            }
            start.elapsed().as_nanos() as f64 / (per * nodes) as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[0]
}

fn bench(name: &str, cells: &[CellDescription]) {
    bench_with(name, cells, false);
}

/// [`bench`], with the copies of one shape interleaved first if `interleave` (as the engine
/// does for networks).
fn bench_with(name: &str, cells: &[CellDescription], interleave: bool) {
    let mut disc = Discretization::new(cells).expect("valid cells");
    if interleave {
        disc.interleave();
    }
    let mut m = HinesMatrix::new(&disc).expect("a valid layout");
    let n = disc.len();
    let v: Vec<f64> = (0..n).map(|i| -65.0 + (i as f64 * 0.3).sin()).collect();
    let d0: Vec<f64> = (0..n).map(|i| 40.0 + (i as f64 * 0.7).cos()).collect();
    let r0: Vec<f64> = (0..n).map(|i| 1e-3 * (i as f64 * 0.1).sin()).collect();
    let (mut d, mut rhs) = (d0.clone(), r0.clone());
    let copy = time(n, || {
        d.copy_from_slice(&d0);
        rhs.copy_from_slice(&r0);
        black_box((&mut d, &mut rhs));
    });
    let plain = time(n, || {
        d.copy_from_slice(&d0);
        rhs.copy_from_slice(&r0);
        node_order_solve(&disc, black_box(&mut d), black_box(&mut rhs));
    }) - copy;
    let woven = time(n, || {
        d.copy_from_slice(&d0);
        rhs.copy_from_slice(&r0);
        m.solve(black_box(&mut d), black_box(&mut rhs));
    }) - copy;
    m.set_fast_math(true);
    let fast = time(n, || {
        d.copy_from_slice(&d0);
        rhs.copy_from_slice(&r0);
        m.solve(black_box(&mut d), black_box(&mut rhs));
    }) - copy;
    m.set_fast_math(false);
    let setup = time(n, || {
        m.assemble(0.04, black_box(&v), black_box(&mut d), black_box(&mut rhs));
    });
    println!(
        "{name:<28} {n:>7} nodes  solve {woven:6.2} ns/node (node order {plain:6.2}, ×{:.2})  \
         fast-math {fast:6.2} (×{:.2})  tree setup {setup:6.2} ns/node",
        plain / woven,
        woven / fast
    );
}

fn main() {
    println!("Hines solve, ns per node (least of the batches)");
    bench("cable, 1001 segments", &[cell(1, 1001)]);
    bench("cable, 51 segments", &[cell(1, 51)]);
    bench("busyring-like, 1 cell", &[cell(10, 32)]);
    bench("busyring-like, 64 cells", &vec![cell(10, 32); 64]);
    bench("8 cells of 51 segments", &vec![cell(1, 51); 8]);
    bench("50 mc-net100 cells", &vec![star_cell(3, 11); 50]);
    bench_with(
        "50 mc-net100 cells, woven",
        &vec![star_cell(3, 11); 50],
        true,
    );
}
