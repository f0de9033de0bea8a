//! The kernel phases of one partition on one thread, with every set's kernels prepared once
//! per run instead of once per call.
//!
//! A set's `current`/`jacobian`/`state` entry points re-derive their whole kernel environment on
//! every call — node and ion column pointers with their bounds, the rate table for the
//! context's dt and celsius, TABLE switches — because between calls anything may have changed.
//! Inside one `continue_run` nothing can: no array is resized, no parameter, global, dt or
//! celsius is set from outside. So [`Prepared::new`] asks each set once for its
//! [`RangeKernels`] (the same prepared kernels intra-cell threading shares out, see
//! [`crate::split`]) and the steps call them over every instance. On a small cell that per-call
//! preparation was about a sixth of the run.
//!
//! Sets that cannot hand out range kernels (interpreted sets, kernels that send events, write
//! globals or solve systems …) are called through [`MechanismSet`] exactly as in the plain
//! serial loop. Each set still runs in `memb_order_` within each phase, with the same compiled
//! code on the same instances, so results are bit-identical to the unprepared loop.

use mech::{MechanismSet, RangeKernels};

use crate::partition::{with_context, Partition, Shared};
use crate::split::StepKernels;

/// Per set: its prepared kernels and instance count, or None to call the set itself.
pub(crate) struct Prepared {
    sets: Vec<Option<(RangeKernels, usize)>>,
}

impl Prepared {
    /// Prepares the kernels of every set of `part` that can hand them out. The result is valid
    /// until any of `part`'s arrays or sets is resized or replaced, or a parameter, global, dt
    /// or celsius changes from outside the kernels: build it for one run of steps only.
    pub(crate) fn new(part: &mut Partition) -> Self {
        let t = part.sh.t;
        let sets = part
            .sets
            .iter_mut()
            .enumerate()
            .map(|(i, set)| {
                let len = set.len();
                with_context(&mut part.sh, i as u32, None, t, |ctx| {
                    set.range_kernels(ctx)
                })
                .map(|k| (k, len))
            })
            .collect();
        Prepared { sets }
    }

    /// Runs phase `pick` of set `i`: its prepared kernel over every instance, or the set's own
    /// entry point `call`.
    fn run(
        &mut self,
        i: usize,
        set: &mut Box<dyn MechanismSet>,
        sh: &mut Shared,
        t: f64,
        pick: fn(&mut RangeKernels) -> &mut Option<Box<dyn mech::RangeKernel>>,
        call: fn(&mut dyn MechanismSet, &mut mech::Context),
    ) {
        match &mut self.sets[i] {
            Some((kernels, len)) => {
                if let Some(k) = pick(kernels) {
                    // SAFETY: prepared for this partition's arrays and sets, which nothing has
                    // resized since (the `new` contract); this thread is the only user.
                    unsafe { k.run(t, 0, *len) };
                }
            }
            None => with_context(sh, i as u32, None, t, |ctx| call(set.as_mut(), ctx)),
        }
    }
}

impl StepKernels for Prepared {
    fn currents(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        sh.begin_currents();
        for (i, set) in sets.iter_mut().enumerate() {
            self.run(i, set, sh, t, |k| &mut k.current, |s, c| s.current(c));
        }
        for (i, set) in sets.iter_mut().enumerate() {
            self.run(i, set, sh, t, |k| &mut k.jacobian, |s, c| s.jacobian(c));
        }
    }

    fn states(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        for (i, set) in sets.iter_mut().enumerate() {
            self.run(i, set, sh, t, |k| &mut k.state, |s, c| s.state(c));
        }
    }
}
