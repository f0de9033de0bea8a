//! Unit tests of the exact Hines solve: the scheduled sweeps give the bits of a plain
//! node-order elimination, a node before its parent is refused, and the solve inverts the
//! tree matrix.

use super::*;
use model::{CellDescription, Section};

/// A soma with two 5-segment dendrites.
fn cell() -> CellDescription {
    let mut c = CellDescription::new("t");
    let mut soma = Section::new("soma");
    soma.length = 20.0;
    soma.set_range("diam", 20.0).unwrap();
    c.add_section(soma);
    for k in 0..2 {
        let mut dend = Section::new(format!("dend{k}"));
        dend.length = 200.0;
        dend.set_nseg(5).unwrap();
        dend.set_range("diam", 2.0 + k as f64).unwrap();
        let i = c.add_section(dend);
        c.connect(i, 0.0, 0, 1.0).unwrap();
    }
    c
}

/// Cells of different sizes: a soma with `k` dendrites of 3 + k segments.
fn cells(count: usize) -> Vec<CellDescription> {
    (0..count)
        .map(|k| {
            let mut c = CellDescription::new("t");
            let mut soma = Section::new("soma");
            soma.length = 20.0;
            soma.set_range("diam", 20.0).unwrap();
            c.add_section(soma);
            for j in 0..k % 4 + 1 {
                let mut dend = Section::new(format!("dend{j}"));
                dend.length = 100.0 + 10.0 * k as f64;
                dend.set_nseg(3 + k).unwrap();
                dend.set_range("diam", 1.0 + j as f64).unwrap();
                let i = c.add_section(dend);
                c.connect(i, 0.0, (i - 1) * (j % 2), 1.0).unwrap();
            }
            c
        })
        .collect()
}

/// NEURON's sweeps in plain node order.
fn reference(disc: &Discretization, v: &[f64], cfac: f64, d: &mut [f64], rhs: &mut [f64]) {
    let n = disc.len();
    for i in disc.roots..n {
        let p = disc.parent[i] as usize;
        let dv = v[p] - v[i];
        rhs[i] -= disc.b[i] * dv;
        rhs[p] += disc.a[i] * dv;
    }
    for i in (0..n).filter(|&i| disc.segment[i].is_some()) {
        d[i] += cfac * disc.cm[i];
    }
    for i in disc.roots..n {
        d[i] -= disc.b[i];
        d[disc.parent[i] as usize] -= disc.a[i];
    }
    for i in (disc.roots..n).rev() {
        let p = disc.a[i] / d[i];
        let pi = disc.parent[i] as usize;
        d[pi] -= p * disc.b[i];
        rhs[pi] -= p * rhs[i];
    }
    for i in 0..disc.roots {
        rhs[i] /= d[i];
    }
    for i in disc.roots..n {
        rhs[i] -= disc.b[i] * rhs[disc.parent[i] as usize];
        rhs[i] /= d[i];
    }
}

/// Assembly and solve on `cells`, by the vector kernels and by the portable ones, against
/// NEURON's node order, bit for bit.
fn assert_node_order_bitwise(cells: &[CellDescription]) {
    let disc = Discretization::new(cells).unwrap();
    let mut m = HinesMatrix::new(&disc).unwrap();
    let n = m.len();
    let v: Vec<f64> = (0..n).map(|i| -65.0 + (i as f64 * 1.3).sin()).collect();
    let d0: Vec<f64> = (0..n).map(|i| 30.0 + (i as f64 * 0.37).cos()).collect();
    let r0: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).sin() * 1e-3).collect();
    let (mut d1, mut r1) = (d0.clone(), r0.clone());
    let cfac = 0.001 / 0.025;
    reference(&disc, &v, cfac, &mut d1, &mut r1);
    let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let host = (m.avx, m.assembly.avx2);
    for (avx, avx2) in [host, (false, false)] {
        (m.avx, m.assembly.avx2) = (avx, avx2);
        let (mut d2, mut r2) = (d0.clone(), r0.clone());
        m.assemble(cfac, &v, &mut d2, &mut r2);
        m.solve(&mut d2, &mut r2);
        assert_eq!(bits(&r1), bits(&r2), "rhs, avx {avx}, avx2 {avx2}");
        assert_eq!(bits(&d1), bits(&d2), "d, avx {avx}, avx2 {avx2}");
    }
}

#[test]
fn interleaved_sweeps_match_node_order_bitwise() {
    assert_node_order_bitwise(&cells(2 * INTERLEAVE + 3));
}

#[test]
fn paths_and_small_rounds_match_node_order_bitwise() {
    let mut cable = CellDescription::new("cable");
    let mut s = Section::new("s");
    s.length = 500.0;
    s.set_nseg(51).unwrap();
    s.set_range("diam", 1.5).unwrap();
    cable.add_section(s);
    let disc = Discretization::new(std::slice::from_ref(&cable)).unwrap();
    let m = HinesMatrix::new(&disc).unwrap();
    assert!(m.rounds.iter().any(|r| r.chain), "a cable is one path");
    assert_node_order_bitwise(&[cable.clone()]);
    assert_node_order_bitwise(&[cell()]);
    assert_node_order_bitwise(&[cell(), cable]);
}

#[test]
fn a_node_before_its_parent_is_an_error() {
    let mut disc = Discretization::new(&[cell()]).unwrap();
    let last = disc.len() - 1;
    disc.parent[3] = last as u32;
    assert_eq!(
        HinesMatrix::new(&disc),
        Err(Error::BadLayout {
            node: 3,
            what: "a node precedes its parent"
        })
    );
}

#[test]
fn solve_inverts_the_tree_matrix() {
    let disc = Discretization::new(&[cell()]).unwrap();
    let mut m = HinesMatrix::new(&disc).unwrap();
    let n = m.len();
    let d0: Vec<f64> = (0..n).map(|i| 50.0 + i as f64).collect();
    let mut d = d0.clone();
    let mut zero = vec![0.0; n];
    m.assemble(0.0, &d0, &mut d, &mut zero);
    let diag = d.clone();
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.7).sin()).collect();
    // rhs = A·x with A(i,i) = diag(i), A(p,i) = a(i), A(i,p) = b(i).
    let mut rhs: Vec<f64> = (0..n).map(|i| diag[i] * x[i]).collect();
    for i in disc.roots..n {
        let p = disc.parent[i] as usize;
        rhs[p] += disc.a[i] * x[i];
        rhs[i] += disc.b[i] * x[p];
    }
    m.solve(&mut d, &mut rhs);
    for (got, want) in rhs.iter().zip(&x) {
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
}
