//! Sets of the same mechanism share compiled code; different options or index layouts do not.

use std::sync::Arc;

use jit::{JitSet, KernelKind, Options};
use mech::{Catalogue, InterpretedSet, IonStore};

fn set(cat: &Catalogue, name: &str, nodes: Vec<u32>, fast_math: bool) -> JitSet {
    let m = cat.mechanism(name).unwrap();
    let mut b = IonStore::builder();
    b.add_mechanism(&m, &nodes).unwrap();
    let ions = b.build().unwrap();
    let inner = InterpretedSet::new(Arc::clone(&m), nodes, &ions, 0).unwrap();
    JitSet::with_options(
        inner,
        Options {
            fast_math,
            rate_tables: fast_math,
            observed: None,
            ion_slopes: true,
        },
    )
    .unwrap()
}

#[test]
fn second_set_of_a_mechanism_reuses_the_code() {
    let mut cat = Catalogue::new();
    // A mechanism no other test in this binary compiles, so the first set must compile it.
    cat.add_user(
        "cachetest.mod",
        "NEURON { SUFFIX cachetest NONSPECIFIC_CURRENT i RANGE g }\n\
         PARAMETER { g = 0.001 }\nASSIGNED { v i }\n\
         BREAKPOINT { i = g * exp(v / 50) * (v + 65) }\n",
    )
    .unwrap();
    let first = set(&cat, "cachetest", (0..10).collect(), false);
    assert!(first.is_compiled(KernelKind::Current));
    assert!(first.compile_time().as_nanos() > 0);
    let second = set(&cat, "cachetest", (20..45).collect(), false);
    assert!(second.is_compiled(KernelKind::Current));
    assert_eq!(second.compile_time().as_nanos(), 0, "code not shared");
    // Fast-math code is different code.
    let fast = set(&cat, "cachetest", (0..10).collect(), true);
    assert!(fast.compile_time().as_nanos() > 0);
    assert!(fast.is_vectorised(KernelKind::Current));
    // Gathered (non-consecutive) nodes need other vector code than runs.
    let strided = set(&cat, "cachetest", (0..10).map(|i| 2 * i).collect(), true);
    assert!(strided.compile_time().as_nanos() > 0);
}
