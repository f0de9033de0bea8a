//! The kernel phases of one partition on one thread, with every set's kernels prepared once
//! per run instead of once per call.
//!
//! A set's `current`/`jacobian`/`state` entry points re-derive their whole kernel environment on
//! every call — node and ion column pointers with their bounds, the rate table for the
//! context's dt and celsius, TABLE switches — because between calls anything may have changed.
//! Inside one `continue_run` nothing can: no array is resized, no parameter, global, dt or
//! celsius is set from outside. So [`units`] asks each set once for its [`RangeKernels`] (the
//! same prepared kernels intra-cell threading shares out, see [`crate::split`]) and the steps
//! call them over every instance. On a small cell that per-call preparation was about a sixth
//! of the run.
//!
//! Consecutive sets on the same nodes (the channels of a section) are then offered to their
//! backend as one group ([`MechanismSet::fused_kernels`]); when it fuses them, the group is one
//! unit whose kernels make one pass over the nodes per phase, running the members' statements
//! in `memb_order_` per node (`jit::fuse`). Off with
//! [`crate::SimulationBuilder::fuse_mechanisms`].
//!
//! Sets that cannot hand out range kernels (interpreted sets, kernels that send events, write
//! globals or solve systems …) are called through [`MechanismSet`] exactly as in the plain
//! serial loop. Each unit runs in `memb_order_` within each phase, with the same compiled
//! arithmetic on the same instances, so results are bit-identical to the unprepared loop.

use mech::{MechanismSet, RangeKernels};
use nmodl::ir;
use nmodl::places::Access;

use crate::partition::{with_context, Partition, Shared};
use crate::split::StepKernels;

/// The kernel phases: current, jacobian, state.
pub(crate) const PHASES: usize = 3;

/// The per-step work of one set, or of a fused group of sets, for one thread.
pub(crate) struct Unit {
    /// The set (the group's first member): its `nodes()` are the unit's instances' nodes.
    pub set: usize,
    /// Prepared kernels, or None to call the set itself.
    pub kernels: Option<RangeKernels>,
    pub len: usize,
    /// Sets whose work the unit does (more than one for a fused group).
    pub members: usize,
    /// Per phase, the set in whose `memb_order_` place the unit runs (a group runs each phase
    /// where its first member with work in that phase would).
    pub at: [usize; PHASES],
    /// Per phase, whether the set's IR has work in it (for grouping, before any kernel is
    /// prepared; a fusion candidate's jacobian terms count in the current phase, where
    /// fast-math kernels add them).
    works: [bool; PHASES],
}

impl Unit {
    /// Whether the unit has work in phase `p` (an unprepared set may have work in any).
    fn works_in(&self, p: usize) -> bool {
        self.works[p] && self.len > 0
    }
}

/// Per phase, the indices of `units` in the order they run (by [`Unit::at`]).
pub(crate) fn phase_orders(units: &[Unit]) -> [Vec<usize>; PHASES] {
    std::array::from_fn(|p| {
        let mut order: Vec<usize> = (0..units.len()).collect();
        order.sort_by_key(|&u| units[u].at[p]);
        order
    })
}

/// The units of `part` in `memb_order_` at time `t` (kernels prepared for `part`'s arrays and
/// sets as they are now; see [`Prepared::new`]), fusing groups when `part.fuse`. Groups are
/// formed before any kernel is prepared, so that a backend that compiles on demand never
/// compiles a fused set's own kernels.
pub(crate) fn units(part: &mut Partition, t: f64) -> Vec<Unit> {
    let mut out: Vec<Unit> = part
        .sets
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let m = set.mechanism();
            let candidate = set.fusion_candidate();
            Unit {
                set: i,
                len: set.len(),
                members: 1,
                at: [i; PHASES],
                kernels: None,
                works: [
                    m.current.is_some() || m.jacobian.is_some(),
                    m.jacobian.is_some() && !candidate,
                    m.state.is_some(),
                ],
            }
        })
        .collect();
    if part.fuse {
        fuse(part, t, &mut out);
    }
    for u in out.iter_mut().filter(|u| u.members == 1) {
        let set = &mut part.sets[u.set];
        u.kernels = with_context(&mut part.sh, u.set as u32, None, t, |ctx| {
            set.range_kernels(ctx)
        });
    }
    out
}

/// Whether a unit may join a fused group: a candidate of its backend with work in some phase.
fn fusable(part: &Partition, u: &Unit) -> bool {
    u.len > 0 && (u.works[0] || u.works[2]) && part.sets[u.set].fusion_candidate()
}

/// Offers groups of fusable units on the same nodes to the first member's backend; a fused
/// group becomes one unit (at its first member's index) that runs each phase where its first
/// member with work in that phase would.
///
/// A group may pass over other units: over one with no work in a phase, on other nodes (units
/// on disjoint nodes touch disjoint node and ion entries), or whose work in that phase touches
/// no node or ion value the candidate's writes, nor writes one it reads (a synapse's `state`
/// kernel, which updates its own fields only): the members' work is unchanged by running
/// together. A candidate stays out if, in a phase it works in, a conflicting unit on the
/// group's nodes (a point process's current, a channel on part of them, a group formed before)
/// runs between the group's first member with work in that phase and the candidate.
fn fuse(part: &mut Partition, t: f64, units: &mut Vec<Unit>) {
    let mut i = 0;
    while i < units.len() {
        if !fusable(part, &units[i]) {
            i += 1;
            continue;
        }
        let nodes = part.sets[units[i].set].nodes().to_vec();
        let mut on_group = vec![false; part.sh.v.len()];
        for &n in &nodes {
            on_group[n as usize] = true;
        }
        let mut members = vec![i];
        for j in i + 1..units.len() {
            let u = &units[j];
            if !fusable(part, u) || part.sets[u.set].nodes() != nodes.as_slice() {
                continue;
            }
            // For each phase j works in: no unit whose work in it conflicts with j's on the
            // group's nodes may run between the group's first member with work in it and j.
            let blocked = (0..PHASES).any(|p| {
                let Some(lo) = members.iter().find(|&&m| units[m].works_in(p)) else {
                    return false;
                };
                let (lo, hi) = (units[*lo].at[p], u.at[p]);
                let mine = Touches::of(part.sets[u.set].mechanism(), p);
                u.works_in(p)
                    && units.iter().enumerate().any(|(k, w)| {
                        k != j
                            && !members.contains(&k)
                            && (lo..hi).contains(&w.at[p])
                            && w.works_in(p)
                            && !part.artificial_set[w.set]
                            && part.sets[w.set]
                                .nodes()
                                .iter()
                                .any(|&n| on_group.get(n as usize) == Some(&true))
                            && unit_touches(part, w, p).conflicts(&mine)
                    })
            });
            if !blocked {
                members.push(j);
            }
        }
        if members.len() >= 2 {
            let sets: Vec<usize> = members.iter().map(|&m| units[m].set).collect();
            let at: [usize; PHASES] = std::array::from_fn(|p| {
                members
                    .iter()
                    .find(|&&m| units[m].works_in(p))
                    .map_or(units[i].set, |&m| units[m].set)
            });
            let mut refs: Vec<&mut Box<dyn MechanismSet>> = part
                .sets
                .iter_mut()
                .enumerate()
                .filter(|(k, _)| sets.contains(k))
                .map(|(_, s)| s)
                .collect();
            let (head, tail) = refs.split_first_mut().expect("two members");
            let first = sets[0];
            let fused = with_context(&mut part.sh, first as u32, None, t, |ctx| {
                head.fused_kernels(tail, ctx)
            });
            if let Some(k) = fused {
                let u = &mut units[i];
                u.kernels = Some(k);
                u.members = members.len();
                u.at = at;
                // The other members' work is the group's now.
                for &m in members[1..].iter().rev() {
                    units.remove(m);
                }
            }
        }
        i += 1;
    }
}

/// Node and ion values one phase of a mechanism's kernels reads and writes.
#[derive(Default)]
struct Touches {
    reads: Vec<Touched>,
    writes: Vec<Touched>,
}

#[derive(PartialEq)]
enum Touched {
    Node(ir::NodeVar),
    Ion(String, ir::IonVar),
}

impl Touches {
    /// Phase `p` of `m` (the current phase counts the jacobian's terms too: fast-math current
    /// kernels add them).
    fn of(m: &ir::Mechanism, p: usize) -> Self {
        let kernels: Vec<&ir::Kernel> = match p {
            0 => [&m.current, &m.jacobian].into_iter().flatten().collect(),
            1 => m.jacobian.iter().collect(),
            _ => m.state.iter().collect(),
        };
        let mut out = Touches::default();
        for k in kernels {
            nmodl::places::for_each_place(&k.body, &mut |place, access| {
                let t = match place {
                    ir::Place::Node(v) => Touched::Node(*v),
                    ir::Place::Ion { ion, var } => {
                        Touched::Ion(m.ions[*ion as usize].name.clone(), *var)
                    }
                    _ => return,
                };
                let list = match access {
                    Access::Read => &mut out.reads,
                    Access::Write => &mut out.writes,
                };
                if !list.contains(&t) {
                    list.push(t);
                }
            });
        }
        out
    }

    /// Whether running `self` and `other` (on the same nodes) in the other order could change
    /// a value: one writes what the other reads or writes.
    fn conflicts(&self, other: &Touches) -> bool {
        let hits = |a: &[Touched], b: &[Touched]| a.iter().any(|x| b.contains(x));
        hits(&self.writes, &other.reads)
            || hits(&self.writes, &other.writes)
            || hits(&other.writes, &self.reads)
    }
}

/// What unit `u` touches in phase `p`: its set's, or every member's for a fused group (whose
/// members follow its first set in `memb_order_`; conservatively, every set on its nodes).
fn unit_touches(part: &Partition, u: &Unit, p: usize) -> Touches {
    if u.members == 1 {
        return Touches::of(part.sets[u.set].mechanism(), p);
    }
    let nodes = part.sets[u.set].nodes();
    let mut out = Touches::default();
    for set in part.sets.iter().filter(|s| s.nodes() == nodes) {
        let t = Touches::of(set.mechanism(), p);
        out.reads.extend(t.reads);
        out.writes.extend(t.writes);
    }
    out
}

/// A partition's units, prepared for one run of steps on the calling thread.
pub(crate) struct Prepared {
    units: Vec<Unit>,
    order: [Vec<usize>; PHASES],
}

impl Prepared {
    /// Prepares the kernels of every set of `part` that can hand them out. The result is valid
    /// until any of `part`'s arrays or sets is resized or replaced, or a parameter, global, dt
    /// or celsius changes from outside the kernels: build it for one run of steps only.
    pub(crate) fn new(part: &mut Partition) -> Self {
        let t = part.sh.t;
        let units = units(part, t);
        Prepared {
            order: phase_orders(&units),
            units,
        }
    }

    /// Fused groups, and the sets in them.
    pub(crate) fn fused(&self) -> (usize, usize) {
        let groups = self.units.iter().filter(|u| u.members > 1);
        (groups.clone().count(), groups.map(|u| u.members).sum())
    }

    /// Runs phase `pick` of every unit: its prepared kernel over every instance, or the set's
    /// own entry point `call`.
    fn run(
        &mut self,
        sets: &mut [Box<dyn MechanismSet>],
        sh: &mut Shared,
        t: f64,
        phase: usize,
        pick: fn(&mut RangeKernels) -> &mut Option<Box<dyn mech::RangeKernel>>,
        call: fn(&mut dyn MechanismSet, &mut mech::Context),
    ) {
        for &k in &self.order[phase] {
            let u = &mut self.units[k];
            match &mut u.kernels {
                Some(kernels) => {
                    if let Some(k) = pick(kernels) {
                        // SAFETY: prepared for this partition's arrays and sets, which nothing
                        // has resized since (the `new` contract); this thread is the only user.
                        unsafe { k.run(t, 0, u.len) };
                    }
                }
                None => with_context(sh, u.set as u32, None, t, |ctx| {
                    call(sets[u.set].as_mut(), ctx)
                }),
            }
        }
    }
}

impl StepKernels for Prepared {
    fn currents(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        sh.begin_currents();
        self.run(sets, sh, t, 0, |k| &mut k.current, |s, c| s.current(c));
        self.run(sets, sh, t, 1, |k| &mut k.jacobian, |s, c| s.jacobian(c));
    }

    fn states(&mut self, sets: &mut [Box<dyn MechanismSet>], sh: &mut Shared, t: f64) {
        self.run(sets, sh, t, 2, |k| &mut k.state, |s, c| s.state(c));
    }
}
