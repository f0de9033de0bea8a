//! Building a [`crate::Simulation`]: discretise the cells, lay out ions, instantiate every mechanism
//! in NEURON's `memb_order_`, apply range values, wire NetCons and detectors.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use model::CellDescription;
use nmodl::ir::{self, Kind};

use crate::events::EventQueue;
use crate::network::PartWiring;
use crate::node_array::NodeArray;
use crate::partition::{InstanceIndex, Partition, Shared};
use crate::{Discretization, Error, HinesMatrix, MechanismSource, NetConSpec};

/// An artificial cell (NetStim, VecStim, IntFire…) with parameter values.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtificialCellSpec {
    pub mechanism: String,
    pub values: BTreeMap<String, f64>,
}

/// A threshold detector: spikes when v at (section, x) of `cell` rises above `threshold`.
#[derive(Debug, Clone, PartialEq)]
pub struct SpikeDetectorSpec {
    pub cell: usize,
    pub section: usize,
    pub x: f64,
    pub threshold: f64,
}

/// Collects cells, stimuli and network objects, then builds a [`crate::Simulation`].
pub struct SimulationBuilder<'a> {
    pub(crate) source: &'a dyn MechanismSource,
    pub(crate) cells: Vec<CellDescription>,
    pub(crate) artificial: Vec<ArtificialCellSpec>,
    /// Event times of artificial cells that play a vector (VecStim), by artificial cell index.
    pub(crate) event_times: HashMap<usize, Vec<f64>>,
    pub(crate) detectors: Vec<SpikeDetectorSpec>,
    pub(crate) netcons: Vec<NetConSpec>,
    pub(crate) globals: Vec<(String, String, f64)>,
    pub(crate) ion_initial: Vec<(String, Option<f64>, Option<f64>)>,
    pub(crate) celsius: f64,
    pub(crate) dt: f64,
    pub(crate) v_init: f64,
    pub(crate) secondorder: u8,
    pub(crate) threads: usize,
    /// Cache block: compartments per partition (see `partitioning.rs`).
    pub(crate) partition_target: usize,
    /// Fast-math Hines sweeps and Nernst potentials (see [`SimulationBuilder::fast_math`]).
    pub(crate) fast_math: bool,
    /// Whether the ions' di/dv is zeroed every step (see [`SimulationBuilder::ion_slopes`]).
    pub(crate) ion_slopes: bool,
    pub(crate) cell_split: CellSplit,
    pub(crate) interleave: bool,
    /// Offer consecutive sets on the same nodes for kernel fusion (see `prepared.rs`).
    pub(crate) fuse: bool,
    /// The whole network is this one cell (see `crate::twisted`).
    pub(crate) only_cell: bool,
}

/// Whether a run with fewer partitions than threads shares the node-local kernels of its
/// partition out among the threads (see [`SimulationBuilder::cell_split`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CellSplit {
    /// Chunk by chunk, whichever of serial and shared-out steps measured faster (default).
    #[default]
    Auto,
    /// Always shared out when the partition allows it.
    Always,
    /// Never.
    Never,
}

/// One mechanism type's planned instances.
pub(crate) struct Plan {
    pub name: String,
    pub mech: Arc<ir::Mechanism>,
    /// (node, owner) sorted by node, stable.
    pub instances: Vec<(u32, Owner)>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Owner {
    Segment {
        cell: usize,
        section: usize,
        segment: usize,
    },
    Point {
        cell: usize,
        index: usize,
    },
    Artificial(usize),
}

impl<'a> SimulationBuilder<'a> {
    /// NEURON's defaults: celsius 6.3, dt 0.025, v_init −65, backward Euler.
    pub fn new(source: &'a dyn MechanismSource) -> Self {
        SimulationBuilder {
            source,
            cells: Vec::new(),
            artificial: Vec::new(),
            event_times: HashMap::new(),
            detectors: Vec::new(),
            netcons: Vec::new(),
            globals: Vec::new(),
            ion_initial: Vec::new(),
            celsius: 6.3,
            dt: 0.025,
            v_init: -65.0,
            secondorder: 0,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            partition_target: crate::partitioning::DEFAULT_TARGET_COMPARTMENTS,
            fast_math: false,
            ion_slopes: true,
            cell_split: CellSplit::Auto,
            interleave: true,
            fuse: true,
            only_cell: false,
        }
    }

    /// Adds a cell; returns its index.
    pub fn cell(&mut self, cell: CellDescription) -> usize {
        self.cells.push(cell);
        self.cells.len() - 1
    }

    /// Adds an artificial cell; returns its index.
    pub fn artificial_cell(&mut self, spec: ArtificialCellSpec) -> usize {
        self.artificial.push(spec);
        self.artificial.len() - 1
    }

    /// `VecStim.play(times)`: the event times (ms, ascending) of artificial cell `cell`, whose
    /// mechanism must take a vector of times. Later calls replace earlier ones.
    pub fn artificial_event_times(&mut self, cell: usize, times: Vec<f64>) -> &mut Self {
        self.event_times.insert(cell, times);
        self
    }

    /// Adds a threshold detector; returns its index (for [`crate::SpikeSource::Detector`]).
    pub fn detector(&mut self, spec: SpikeDetectorSpec) -> usize {
        self.detectors.push(spec);
        self.detectors.len() - 1
    }

    /// Adds a NetCon; returns its index.
    pub fn netcon(&mut self, spec: NetConSpec) -> usize {
        self.netcons.push(spec);
        self.netcons.len() - 1
    }

    /// Sets a mechanism global (`usetable` of `hh`, …).
    pub fn global(&mut self, mechanism: &str, name: &str, value: f64) -> &mut Self {
        self.globals.push((mechanism.into(), name.into(), value));
        self
    }

    /// Sets `<ion>i0_<ion>_ion` / `<ion>o0_<ion>_ion`.
    pub fn ion_initial(
        &mut self,
        ion: &str,
        inside0: Option<f64>,
        outside0: Option<f64>,
    ) -> &mut Self {
        self.ion_initial.push((ion.into(), inside0, outside0));
        self
    }

    pub fn celsius(&mut self, celsius: f64) -> &mut Self {
        self.celsius = celsius;
        self
    }

    pub fn dt(&mut self, dt: f64) -> &mut Self {
        self.dt = dt;
        self
    }

    pub fn v_init(&mut self, v_init: f64) -> &mut Self {
        self.v_init = v_init;
        self
    }

    /// 0 = backward Euler (default); 2 = Crank–Nicolson with ion current correction.
    pub fn secondorder(&mut self, order: u8) -> &mut Self {
        self.secondorder = order;
        self
    }

    /// Number of threads integrating cells (default: all cores). Results do not depend on it.
    pub fn threads(&mut self, threads: usize) -> &mut Self {
        self.threads = threads.max(1);
        self
    }

    /// Cache block size: the network is cut into partitions of about `compartments`
    /// compartments each (never splitting cells joined by NetCons shorter than the exchange
    /// interval), and every partition is advanced through a whole exchange interval while its
    /// state stays in cache. The default (2048) keeps a partition's node arrays and mechanism
    /// storage within a typical L2 cache; `usize::MAX` gives one partition per thread. Results
    /// do not depend on it.
    pub fn partition_target_compartments(&mut self, compartments: usize) -> &mut Self {
        self.partition_target = compartments.max(1);
        self
    }

    /// Fast-math mode of the engine (default off: NEURON's arithmetic, bit for bit). When on,
    /// every partition
    /// - solves the tree matrix with one reciprocal per node instead of two divisions
    ///   ([`HinesMatrix::set_fast_math`]), and
    /// - recomputes the eadvance Nernst potentials of `ion_cur` with a vectorised logarithm
    ///   ([`mech::IonStore::set_fast_math`]).
    ///
    /// Each changes results by a few roundings (≈ 1e-15 relative); over a run, v stays within
    /// the fast-math contract (0.1 mV, spikes within one dt; measured ≪ 1e-6 mV). Mechanism
    /// kernels are not affected: their fast-math mode belongs to the backend (`jit`).
    /// Results still do not depend on threads or partitioning.
    pub fn fast_math(&mut self, on: bool) -> &mut Self {
        self.fast_math = on;
        self
    }

    /// Whether anything reads the ions' di/dv (default on). Off — for a backend whose kernels
    /// do not accumulate it (`jit::Options::ion_slopes` off) — each step no longer zeroes it;
    /// Crank–Nicolson (`secondorder` ≠ 0), which reads it, keeps the zeroing regardless.
    pub fn ion_slopes(&mut self, on: bool) -> &mut Self {
        self.ion_slopes = on;
        self
    }

    /// Intra-cell threading: when there are fewer partitions than threads (a single cell, or
    /// cells joined by zero-delay synapses), each step's `current`, `jacobian` and `state`
    /// kernels, the zeroing of rhs and d and the ions' `current_begin` run on node ranges in
    /// parallel, while the calling thread keeps events, thresholds, the axial terms, the tree
    /// solve and recording. Traces stay bit-identical to a serial run. It needs sets that can
    /// run on ranges (JIT kernels without events, random draws, systems or global writes;
    /// otherwise the run stays serial) and at least 8 nodes per thread. With
    /// [`CellSplit::Auto`] (default) the run measures chunks of 1000 steps of both kinds and
    /// takes the faster, probing the other kind again now and then: on a small cell or a busy
    /// machine the hand-offs can cost more than they save.
    pub fn cell_split(&mut self, mode: CellSplit) -> &mut Self {
        self.cell_split = mode;
        self
    }

    /// Node layout within a partition (default on): the nodes of cells with the same tree
    /// shape are interleaved, node k of four such cells side by side, so that the tree solve
    /// and the axial assembly work on whole vectors of independent nodes (see
    /// [`Discretization::interleave`]). Results are bit-identical either way; off keeps
    /// NEURON's node order, which is what [`crate::Simulation::v`] then lists.
    pub fn interleave_cells(&mut self, on: bool) -> &mut Self {
        self.interleave = on;
        self
    }

    /// Kernel fusion (default on): consecutive mechanism sets on the same nodes — the channels
    /// of a section — run each phase as one pass over the nodes when their backend can fuse
    /// them (the JIT in fast-math mode, see [`mech::MechanismSet::fused_kernels`]). Results
    /// are bit-identical either way.
    pub fn fuse_mechanisms(&mut self, on: bool) -> &mut Self {
        self.fuse = on;
        self
    }

    /// Builds one partition from a builder holding only its cells (local numbering).
    pub(crate) fn build_partition(&self, pw: &PartWiring) -> Result<Partition, Error> {
        let mut disc = Discretization::new(&self.cells)?;
        if self.interleave {
            disc.interleave();
        }
        let mut plans = self.plan_instances(&disc)?;
        // memb_order_: concentration writers (reverse registration), then the others.
        let reg = |p: &Plan| {
            self.source
                .registration_index(&p.name)
                .unwrap_or(usize::MAX)
        };
        plans.sort_by_key(|p| {
            let r = reg(p);
            if p.mech.writes_concentration {
                (0, usize::MAX - r)
            } else {
                (1, r)
            }
        });
        let mut store = self.ion_store(&disc, &plans)?;
        for (ion, i0, o0) in &self.ion_initial {
            if let Some(arr) = store.ions.iter_mut().find(|a| &a.name == ion) {
                arr.inside0 = i0.unwrap_or(arr.inside0);
                arr.outside0 = o0.unwrap_or(arr.outside0);
            }
        }
        self.apply_ion_values(&disc, &mut store);
        store.set_fast_math(self.fast_math);
        store.set_ion_slopes(self.ion_slopes || self.secondorder != 0);

        let mut sets = Vec::with_capacity(plans.len());
        let mut index = InstanceIndex {
            artificial: vec![(u32::MAX, u32::MAX); self.artificial.len()],
            ..Default::default()
        };
        for (si, plan) in plans.iter().enumerate() {
            let nodes: Vec<u32> = plan.instances.iter().map(|&(n, _)| n).collect();
            let mut set = self
                .source
                .instantiate(&plan.name, &nodes, &store, si)
                .map_err(|reason| Error::Instantiate {
                    mechanism: plan.name.clone(),
                    reason,
                })?;
            let seeds: Vec<u64> = plan
                .instances
                .iter()
                .map(|&(_, owner)| random_seed(&plan.name, owner, pw))
                .collect();
            // Native sets without random streams decline, which is fine.
            set.seed_random_streams(&seeds);
            for (k, &(node, owner)) in plan.instances.iter().enumerate() {
                let (si, k) = (si as u32, k as u32);
                match owner {
                    Owner::Segment {
                        cell,
                        section,
                        segment,
                    } => {
                        index.density.insert((si, node), k);
                        let sec = &self.cells[cell].sections[section];
                        for field in &plan.mech.fields {
                            let key = format!("{}_{}", field.name, plan.name);
                            if let Some(values) = sec.range(&key) {
                                if let Some(col) = set.field_values_mut(&field.name) {
                                    col[k as usize] = values[segment];
                                }
                            }
                        }
                    }
                    Owner::Point { cell, index: pi } => {
                        index.point.insert((cell, pi), (si, k));
                        let values = &self.cells[cell].point_processes[pi].values;
                        apply_values(set.as_mut(), k as usize, values, &plan.name)?;
                    }
                    Owner::Artificial(ai) => {
                        index.artificial[ai] = (si, k);
                        apply_values(
                            set.as_mut(),
                            k as usize,
                            &self.artificial[ai].values,
                            &plan.name,
                        )?;
                        if let Some(times) = self.event_times.get(&ai) {
                            if !set.set_event_times(k as usize, times) {
                                return Err(Error::Instantiate {
                                    mechanism: plan.name.clone(),
                                    reason: "it does not play a vector of event times".into(),
                                });
                            }
                        }
                    }
                }
            }
            for (m, name, value) in &self.globals {
                if m == &plan.name && !set.set_global(name, *value) {
                    return Err(Error::UnknownVariable {
                        name: name.clone(),
                        place: format!("mechanism `{m}`"),
                    });
                }
            }
            index.names.push(plan.name.clone());
            sets.push(set);
        }
        let artificial_set = plans
            .iter()
            .map(|p| p.mech.kind == Kind::Artificial)
            .collect();
        let (wiring, detectors, weights) = self.wire(&disc, &index, &plans, pw)?;
        let max_weights = weights.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let n = disc.len();
        // Room for a few events per NetCon and self-event sender, and a few spikes per source
        // and interval, so that the time loop rarely grows them; small partitions (cache
        // blocks) stay small.
        let senders = wiring.target.len() + sets.len() + self.artificial.len();
        let queue_capacity = (64 + 4 * senders).min(1 << 16);
        let spike_capacity = (16 + 4 * wiring.sources.len()).min(1 << 16);
        let mut part = Partition {
            sh: Shared {
                tree: {
                    let mut tree = HinesMatrix::new(&disc)?;
                    tree.set_fast_math(self.fast_math);
                    tree
                },
                // The first non-root node starts a cache line: the rows of interleaved cells
                // (four nodes from there on) then never straddle two lines.
                v: NodeArray::new(n, self.v_init).line_at(disc.roots),
                rhs: NodeArray::new(n, 0.0).line_at(disc.roots),
                d: NodeArray::new(n, 0.0).line_at(disc.roots),
                disc,
                ions: store,
                queue: EventQueue::with_capacity(queue_capacity),
                wiring,
                spikes: Vec::with_capacity(spike_capacity),
                t: 0.0,
                dt: self.dt,
                celsius: self.celsius,
                cfac: 0.001 / self.dt,
                axial_done: false,
            },
            sets,
            artificial_set,
            weights,
            scratch_weights: vec![0.0; max_weights],
            detectors,
            instances: index,
            probes: Vec::new(),
            samples: Vec::new(),
            row_t: Vec::new(),
            rows: Vec::new(),
            secondorder: self.secondorder,
            prepared: None,
            fuse: self.fuse,
            fused: (0, 0),
        };
        // The two-ended solve of a path meets where two threads would split the nodes, whether
        // or not they do; only for a network of one cell, which is one partition whatever the
        // thread count: the same bits for any number of threads (see `crate::twisted`).
        match self
            .only_cell
            .then(|| crate::split::twist_bound(&part))
            .flatten()
        {
            Some(bound) => {
                part.sh.tree.set_twist(bound.saturating_sub(1));
                // Two threads may own the nodes before and after `bound`.
                let sh = &mut part.sh;
                (sh.v, sh.rhs, sh.d) = (
                    sh.v.line_at(bound),
                    sh.rhs.line_at(bound),
                    sh.d.line_at(bound),
                );
            }
            _ => part.sh.tree.twisted = None,
        }
        Ok(part)
    }

    fn mechanism(&self, name: &str) -> Result<Arc<ir::Mechanism>, Error> {
        self.source
            .mechanism(name)
            .ok_or_else(|| Error::UnknownMechanism(name.to_string()))
    }

    fn plan_instances(&self, disc: &Discretization) -> Result<Vec<Plan>, Error> {
        let mut plans: Vec<Plan> = Vec::new();
        let mut by_name: HashMap<String, usize> = HashMap::new();
        let mut add = |name: &str, node: u32, owner: Owner, this: &Self| -> Result<(), Error> {
            let i = match by_name.get(name) {
                Some(&i) => i,
                None => {
                    let mech = this.mechanism(name)?;
                    plans.push(Plan {
                        name: name.to_string(),
                        mech,
                        instances: Vec::new(),
                    });
                    by_name.insert(name.to_string(), plans.len() - 1);
                    plans.len() - 1
                }
            };
            plans[i].instances.push((node, owner));
            Ok(())
        };
        for (cell, c) in self.cells.iter().enumerate() {
            for (section, s) in c.sections.iter().enumerate() {
                let nodes = disc.section(cell, section)?;
                for m in &s.mechanisms {
                    for segment in 0..s.nseg() {
                        add(
                            m,
                            nodes.segment_node(segment),
                            Owner::Segment {
                                cell,
                                section,
                                segment,
                            },
                            self,
                        )?;
                    }
                }
            }
            for (index, pp) in c.point_processes.iter().enumerate() {
                let node = disc.node_at(cell, pp.section, pp.x)?;
                add(&pp.mechanism, node, Owner::Point { cell, index }, self)?;
            }
        }
        for (i, a) in self.artificial.iter().enumerate() {
            add(&a.mechanism, 0, Owner::Artificial(i), self)?;
        }
        for p in &mut plans {
            p.instances.sort_by_key(|&(n, _)| n);
        }
        Ok(plans)
    }

    /// Ions: every user's nodes (promoting styles per node) plus sections declaring the ion.
    fn ion_store(&self, disc: &Discretization, plans: &[Plan]) -> Result<mech::IonStore, Error> {
        let err = |e: mech::Error| Error::Instantiate {
            mechanism: "ions".into(),
            reason: e.to_string(),
        };
        let mut b = mech::IonStore::builder();
        for plan in plans.iter().filter(|p| p.mech.kind != Kind::Artificial) {
            let nodes: Vec<u32> = plan.instances.iter().map(|&(n, _)| n).collect();
            b.add_mechanism(&plan.mech, &nodes).map_err(err)?;
        }
        for (ci, c) in self.cells.iter().enumerate() {
            for (si, s) in c.sections.iter().enumerate() {
                let nodes = disc.section(ci, si)?;
                let nodes: Vec<u32> = (0..s.nseg()).map(|k| nodes.segment_node(k)).collect();
                for ion in &s.ions {
                    b.declare(ion, &nodes).map_err(err)?;
                }
            }
        }
        b.build().map_err(err)
    }

    fn apply_ion_values(&self, disc: &Discretization, store: &mut mech::IonStore) {
        let names: std::collections::BTreeSet<String> =
            store.ions.iter().map(|a| a.name.clone()).collect();
        for (ci, c) in self.cells.iter().enumerate() {
            for (si, s) in c.sections.iter().enumerate() {
                let Ok(nodes) = disc.section(ci, si) else {
                    continue;
                };
                for (var, values) in s.range_values() {
                    let Some((ion, which)) = mech::ions::split_ion_variable(var, &names) else {
                        continue;
                    };
                    let arr = store
                        .ions
                        .iter_mut()
                        .find(|a| a.name == ion)
                        .expect("ion listed above");
                    for (k, &value) in values.iter().enumerate() {
                        let node = nodes.segment_node(k);
                        if let Ok(pos) = arr.nodes.binary_search(&node) {
                            arr.column_mut(which)[pos] = value;
                        }
                    }
                }
            }
        }
    }
}

/// Seed of an instance's random stream (`scop_random`, `exprand`, … ; NetStim's `noise`):
/// [`mech::math::instance_seed`] of the mechanism name and the owner's global key —
/// `[cell, section, segment]` for density mechanisms, `[cell, point process]` (index in the
/// cell's list) for point processes, `[artificial cell]` for artificial cells, with cell and
/// artificial cell indices as given to the [`SimulationBuilder`]. The key never involves the
/// partition, set or thread, so spike trains do not depend on threads or partitioning.
fn random_seed(mechanism: &str, owner: Owner, pw: &PartWiring) -> u64 {
    let cell = |c: usize| pw.global_cell.get(c).copied().unwrap_or(c) as u64;
    match owner {
        Owner::Segment {
            cell: c,
            section,
            segment,
        } => mech::math::instance_seed(mechanism, &[cell(c), section as u64, segment as u64]),
        Owner::Point { cell: c, index } => {
            mech::math::instance_seed(mechanism, &[cell(c), index as u64])
        }
        Owner::Artificial(a) => {
            let a = pw.global_artificial.get(a).copied().unwrap_or(a);
            mech::math::instance_seed(mechanism, &[a as u64])
        }
    }
}

fn apply_values(
    set: &mut dyn mech::MechanismSet,
    instance: usize,
    values: &BTreeMap<String, f64>,
    mechanism: &str,
) -> Result<(), Error> {
    for (name, &value) in values {
        let col = set
            .field_values_mut(name)
            .ok_or_else(|| Error::UnknownVariable {
                name: name.clone(),
                place: format!("`{mechanism}`"),
            })?;
        col[instance] = value;
    }
    Ok(())
}
