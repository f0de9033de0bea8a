//! Unit tests of [`Discretization::interleave`]: a valid renumbering that keeps every node's
//! data, and a tree solve on the interleaved layout that gives every node the bits of NEURON's
//! node order, through whole-vector quads.

use model::{CellDescription, Section};

use crate::{Discretization, HinesMatrix};

/// A soma with a `nseg`-segment dendrite that branches into two 3-segment ones.
fn cell(nseg: usize, diam: f64) -> CellDescription {
    let mut c = CellDescription::new("t");
    let mut soma = Section::new("soma");
    soma.length = 20.0;
    soma.set_range("diam", diam).unwrap();
    c.add_section(soma);
    let mut trunk = Section::new("trunk");
    trunk.length = 150.0;
    trunk.set_nseg(nseg).unwrap();
    trunk.set_range("diam", 2.0).unwrap();
    let t = c.add_section(trunk);
    c.connect(t, 0.0, 0, 1.0).unwrap();
    for k in 0..2 {
        let mut b = Section::new(format!("branch{k}"));
        b.length = 80.0;
        b.set_nseg(3).unwrap();
        b.set_range("diam", 1.0 + k as f64).unwrap();
        let i = c.add_section(b);
        c.connect(i, 0.0, t, 1.0).unwrap();
    }
    c
}

/// Seven copies of one shape (different diameters: other coefficients), two of another, one
/// odd cell.
fn cells() -> Vec<CellDescription> {
    let mut out: Vec<CellDescription> = (0..7).map(|k| cell(5, 10.0 + k as f64)).collect();
    out.insert(3, cell(4, 12.0));
    out.push(cell(4, 15.0));
    out.push(cell(9, 8.0));
    out
}

#[test]
fn interleaving_renumbers_nodes_and_keeps_their_data() {
    let cells = cells();
    let old = Discretization::new(&cells).unwrap();
    let mut new = old.clone();
    let map = new.interleave();
    let n = old.len();
    let mut seen = vec![false; n];
    map.iter().for_each(|&i| seen[i as usize] = true);
    assert!(seen.iter().all(|&s| s), "a permutation");
    assert!(
        (0..old.roots).all(|i| map[i] == i as u32),
        "roots stay first"
    );
    assert_ne!(map, (0..n as u32).collect::<Vec<_>>());
    for i in 0..n {
        let j = map[i] as usize;
        assert_eq!(new.area[j].to_bits(), old.area[i].to_bits());
        assert_eq!(new.a[j].to_bits(), old.a[i].to_bits());
        assert_eq!(new.b[j].to_bits(), old.b[i].to_bits());
        assert_eq!(new.segment[j], old.segment[i]);
        if i >= old.roots {
            assert_eq!(new.parent[j], map[old.parent[i] as usize]);
            assert!(new.parent[j] < j as u32, "parents first");
        }
    }
    for (c, cell) in cells.iter().enumerate() {
        for s in 0..cell.sections.len() {
            for x in [0.0, 0.3, 0.5, 1.0] {
                let (a, b) = (old.node_at(c, s, x).unwrap(), new.node_at(c, s, x).unwrap());
                assert_eq!(b, map[a as usize]);
            }
        }
    }
    // Cells 0, 1, 2 and 4 (the first four of the main shape, 14 non-root nodes each) share rows: their soma nodes
    // (the first non-root node of each) are consecutive.
    let first = |c: usize| new.section(c, 0).unwrap().nodes[0];
    assert_eq!(
        [first(0), first(1), first(2), first(4)].map(|x| x - first(0)),
        [0, 1, 2, 3]
    );
}

#[test]
fn interleaved_solve_gives_each_node_the_bits_of_node_order() {
    let cells = cells();
    let old = Discretization::new(&cells).unwrap();
    let mut new = old.clone();
    let map = new.interleave();
    let n = old.len();
    for fast in [false, true] {
        let mut m_old = HinesMatrix::new(&old).unwrap();
        let mut m_new = HinesMatrix::new(&new).unwrap();
        m_old.set_fast_math(fast);
        m_new.set_fast_math(fast);
        assert!(
            m_new.contiguous_quads() >= 12,
            "interleaved rows solve as whole vectors: {}",
            m_new.contiguous_quads()
        );
        assert_eq!(m_old.contiguous_quads(), 0);
        let v: Vec<f64> = (0..n).map(|i| -65.0 + (i as f64 * 1.3).sin()).collect();
        let d: Vec<f64> = (0..n).map(|i| 30.0 + (i as f64 * 0.37).cos()).collect();
        let r: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).sin() * 1e-3).collect();
        let moved = |x: &[f64]| {
            let mut out = vec![0.0; n];
            (0..n).for_each(|i| out[map[i] as usize] = x[i]);
            out
        };
        let (mut d1, mut r1) = (d.clone(), r.clone());
        m_old.assemble(0.04, &v, &mut d1, &mut r1);
        m_old.solve(&mut d1, &mut r1);
        let (mut d2, mut r2) = (moved(&d), moved(&r));
        m_new.assemble(0.04, &moved(&v), &mut d2, &mut r2);
        m_new.solve(&mut d2, &mut r2);
        let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&moved(&r1)), bits(&r2), "fast {fast}");
    }
}

#[test]
fn first_assembly_writes_every_node_as_the_adding_one_does_from_zero() {
    // Rows of interleaved copies (runs, chain and leaf rows, rows of roots and branch points)
    // and the scalar groups must give each node the same bits either way, and write all of
    // them (the arrays start as NaN).
    let cells = cells();
    let old = Discretization::new(&cells).unwrap();
    let mut new = old.clone();
    new.interleave();
    for disc in [&old, &new] {
        let m = HinesMatrix::new(disc).unwrap();
        let n = disc.len();
        let v: Vec<f64> = (0..n).map(|i| -65.0 + (i as f64 * 0.7).sin()).collect();
        let (mut d0, mut r0) = (vec![0.0; n], vec![0.0; n]);
        m.assemble(0.04, &v, &mut d0, &mut r0);
        let (mut d1, mut r1) = (vec![f64::NAN; n], vec![f64::NAN; n]);
        m.assemble_first(0.04, &v, &mut d1, &mut r1);
        let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&d0), bits(&d1));
        assert_eq!(bits(&r0), bits(&r1));
    }
}
