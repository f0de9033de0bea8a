//! Random draws in compiled kernels: every instance draws from its own stream, so the JIT
//! (which passes the instance to `jit_random`) gives the interpreter's bits, and re-seeding
//! one instance changes only that instance.

use std::sync::Arc;

use jit::{JitSet, KernelKind};
use mech::{Catalogue, Context, InterpretedSet, IonStore, MechanismSet};

const N: usize = 70;

struct NoEvents;
impl mech::EventSink for NoEvents {
    fn net_send(&mut self, _: usize, _: usize, _: f64, _: f64) {}
    fn net_event(&mut self, _: usize, _: usize, _: f64) {}
    fn net_move(&mut self, _: usize, _: usize, _: f64) {}
}

/// `init` then 5 × (current, state); returns the `x` column after every kernel.
fn run(set: &mut dyn MechanismSet, ions: &mut IonStore) -> Vec<Vec<f64>> {
    let v: Vec<f64> = (0..N).map(|k| -70.0 + k as f64).collect();
    let (mut rhs, mut d) = (vec![0.0; N], vec![0.0; N]);
    let (area, diam) = (vec![100.0; N], vec![1.0; N]);
    let mut events = NoEvents;
    let mut out = Vec::new();
    for step in 0..6 {
        let mut ctx = Context {
            t: step as f64 * 0.025,
            dt: 0.025,
            celsius: 6.3,
            v: &v,
            rhs: &mut rhs,
            d: &mut d,
            area: &area,
            diam: &diam,
            ions,
            events: &mut events,
        };
        if step == 0 {
            set.init(&mut ctx);
        } else {
            set.current(&mut ctx);
            set.state(&mut ctx);
        }
        out.push(set.field_values("x").unwrap().to_vec());
    }
    out
}

fn sets(seeds: Option<&[u64]>) -> (InterpretedSet, JitSet) {
    sets_of("noisy", include_str!("data/noisy.mod"), seeds)
}

fn sets_of(name: &str, source: &str, seeds: Option<&[u64]>) -> (InterpretedSet, JitSet) {
    let mut cat = Catalogue::new();
    cat.add_user(&format!("{name}.mod"), source).unwrap();
    let m = cat.mechanism(name).unwrap();
    let nodes: Vec<u32> = (0..N as u32).collect();
    let ions = IonStore::builder().build().unwrap();
    let mut a = InterpretedSet::new(Arc::clone(&m), nodes.clone(), &ions, 0).unwrap();
    // A different set index must not matter.
    let mut b = InterpretedSet::new(m, nodes, &ions, 7).unwrap();
    if let Some(s) = seeds {
        assert!(a.seed_random_streams(s));
        assert!(b.seed_random_streams(s));
    }
    (a, JitSet::new(b).unwrap())
}

#[test]
fn compiled_draws_match_the_interpreter_bit_for_bit() {
    let seeds: Vec<u64> = (0..N as u64)
        .map(|k| mech::math::instance_seed("noisy", &[k * 3, 1]))
        .collect();
    for seeds in [None, Some(seeds.as_slice())] {
        let (mut interp, mut jit) = sets(seeds);
        assert!(
            jit.is_compiled(KernelKind::Init),
            "INITIAL should be compiled"
        );
        assert!(
            jit.is_compiled(KernelKind::State),
            "the state update should be compiled"
        );
        let mut ions = IonStore::builder().build().unwrap();
        let a = run(&mut interp, &mut ions.clone());
        let b = run(&mut jit, &mut ions);
        assert_same_bits(&a, &b);
        // The draws really differ between instances.
        let first = &a[0];
        assert!(first.iter().skip(1).all(|x| *x != first[0]));
    }
}

#[test]
fn reseeding_one_instance_changes_only_that_instance() {
    let base: Vec<u64> = (0..N as u64)
        .map(|k| mech::math::instance_seed("noisy", &[k]))
        .collect();
    let mut changed = base.clone();
    changed[5] = mech::math::instance_seed("noisy", &[1000]);
    let mut ions = IonStore::builder().build().unwrap();
    let (_, mut a) = sets(Some(&base));
    let (_, mut b) = sets(Some(&changed));
    let xa = run(&mut a, &mut ions.clone());
    let xb = run(&mut b, &mut ions);
    for k in 0..N {
        let same = xa
            .iter()
            .zip(&xb)
            .all(|(p, q)| p[k].to_bits() == q[k].to_bits());
        assert_eq!(same, k != 5, "instance {k}");
    }
    assert!(
        !sets(None).0.seed_random_streams(&base[..3]),
        "wrong length"
    );
}

#[test]
fn kernels_with_several_random_statements_compile_and_draw_the_same_bits() {
    let (mut interp, mut jit) = sets_of("noisy2", include_str!("data/noisy2.mod"), None);
    for kind in [KernelKind::Init, KernelKind::State] {
        assert!(
            jit.is_compiled(kind),
            "{kind:?}: {:?}",
            jit.interpreted_reason(kind)
        );
    }
    let mut ions = IonStore::builder().build().unwrap();
    let a = run(&mut interp, &mut ions.clone());
    let b = run(&mut jit, &mut ions);
    assert_same_bits(&a, &b);
}

/// Both runs recorded the same bits at every step for every instance.
fn assert_same_bits(a: &[Vec<f64>], b: &[Vec<f64>]) {
    assert_eq!(a.len(), b.len());
    for (step, (x, y)) in a.iter().zip(b).enumerate() {
        for (k, (p, q)) in x.iter().zip(y).enumerate() {
            assert_eq!(p.to_bits(), q.to_bits(), "step {step}, instance {k}");
        }
    }
}
