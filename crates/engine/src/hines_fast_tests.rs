//! The fast-math sweeps against the exact ones on random trees: agreement to rounding, and the
//! same bits from the vector and the portable kernels.

use super::*;
use model::{CellDescription, Section};

/// xorshift64*: reproducible random trees.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A cell of up to `max_sections` sections of random length, diameter and nseg, each joined
/// at a random point of a random earlier section.
fn random_cell(r: &mut Stream, max_sections: usize) -> CellDescription {
    let mut c = CellDescription::new("random");
    let sections = 1 + r.below(max_sections);
    for k in 0..sections {
        let mut s = Section::new(format!("s{k}"));
        s.length = 5.0 + 300.0 * r.unit();
        s.set_nseg(1 + r.below(15)).unwrap();
        s.set_range("diam", 0.3 + 10.0 * r.unit()).unwrap();
        let i = c.add_section(s);
        if k > 0 {
            let parent = r.below(k);
            let x = [0.0, 0.5, 1.0, r.unit()][r.below(4)];
            c.connect(i, 0.0, parent, x).unwrap();
        }
    }
    c
}

/// An unbranched cable of `nseg` segments (one long path: chain rounds).
fn cable(nseg: usize) -> CellDescription {
    let mut c = CellDescription::new("cable");
    let mut s = Section::new("s");
    s.length = 1000.0;
    s.set_nseg(nseg).unwrap();
    s.set_range("diam", 1.0).unwrap();
    c.add_section(s);
    c
}

/// Assembles and solves one system with `m` as configured; returns (d, rhs).
fn assemble_and_solve(m: &mut HinesMatrix, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let n = m.len();
    let mut r = Stream(seed);
    let v: Vec<f64> = (0..n).map(|_| -80.0 + 60.0 * r.unit()).collect();
    // Membrane conductances (mS/cm²-like) on the diagonal, currents in rhs.
    let mut d: Vec<f64> = (0..n).map(|_| 100.0 * r.unit()).collect();
    let mut rhs: Vec<f64> = (0..n).map(|_| 2.0 * r.unit() - 1.0).collect();
    m.assemble(0.001 / 0.025, &v, &mut d, &mut rhs);
    m.solve(&mut d, &mut rhs);
    (d, rhs)
}

/// Fast against exact on `cells`, on the host's kernels and on the portable ones.
fn assert_fast_agrees(cells: &[CellDescription], seed: u64) {
    let disc = Discretization::new(cells).unwrap();
    let mut m = HinesMatrix::new(&disc).unwrap();
    let host = (m.avx, m.assembly.avx2);
    let mut fast_results = Vec::new();
    for (avx, avx2) in [host, (false, false)] {
        (m.avx, m.assembly.avx2) = (avx, avx2);
        m.set_fast_math(false);
        let (_, exact) = assemble_and_solve(&mut m, seed);
        m.set_fast_math(true);
        assert!(m.fast_math());
        let (_, fast) = assemble_and_solve(&mut m, seed);
        let scale = exact.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        for (i, (x, y)) in exact.iter().zip(&fast).enumerate() {
            let tol = 1e-12 * x.abs() + 1e-14 * scale;
            assert!(
                (x - y).abs() <= tol,
                "node {i}: fast {y:e}, exact {x:e}, avx {avx}"
            );
        }
        fast_results.push(fast);
    }
    let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(&fast_results[0]),
        bits(&fast_results[1]),
        "vector and portable fast kernels differ"
    );
}

#[test]
fn fast_sweeps_agree_with_exact_on_random_trees() {
    let mut r = Stream(0x5eed);
    for trial in 0..40 {
        let count = [1, 2, 5, 9, 40][trial % 5];
        let cells: Vec<CellDescription> = (0..count).map(|_| random_cell(&mut r, 12)).collect();
        assert_fast_agrees(&cells, trial as u64 + 1);
    }
}

#[test]
fn fast_sweeps_agree_with_exact_on_interleaved_and_path_schedules() {
    let mut r = Stream(77);
    let many: Vec<CellDescription> = (0..3 * INTERLEAVE + 1)
        .map(|_| random_cell(&mut r, 6))
        .collect();
    let disc = Discretization::new(&many).unwrap();
    let m = HinesMatrix::new(&disc).unwrap();
    assert!(m.quads.len() > INTERLEAVE, "quads are exercised");
    assert_fast_agrees(&many, 3);
    let disc = Discretization::new(&[cable(301)]).unwrap();
    let m = HinesMatrix::new(&disc).unwrap();
    assert!(m.rounds.iter().any(|r| r.chain), "a cable is one path");
    assert_fast_agrees(&[cable(301)], 4);
    let mut mixed = vec![cable(57), random_cell(&mut r, 20)];
    mixed.extend((0..9).map(|_| random_cell(&mut r, 3)));
    assert_fast_agrees(&mixed, 5);
}

#[test]
fn fast_math_is_off_by_default_and_exact_when_off() {
    let mut r = Stream(9);
    let cells: Vec<CellDescription> = (0..7).map(|_| random_cell(&mut r, 8)).collect();
    let disc = Discretization::new(&cells).unwrap();
    let mut m = HinesMatrix::new(&disc).unwrap();
    assert!(!m.fast_math());
    let before = assemble_and_solve(&mut m, 11);
    m.set_fast_math(true);
    let fast = assemble_and_solve(&mut m, 11);
    assert_ne!(before.1, fast.1, "fast-math changes some rounding");
    m.set_fast_math(false);
    assert_eq!(
        before,
        assemble_and_solve(&mut m, 11),
        "switching back is exact"
    );
}
