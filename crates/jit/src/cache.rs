//! Compiled kernels shared by every set of the same mechanism in the process.
//!
//! A network split into many partitions instantiates one set per mechanism per partition; the
//! native code depends only on the mechanism's IR, the compile options and what the code
//! generator assumed about the set's indices (distinct nodes, runs of consecutive entries), so
//! it is compiled once per such key and shared. Code lives as long as any set uses it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use nmodl::ir::{self, Kernel};

use crate::analysis::{self, Unsupported, Usage};
use crate::compile::{JitModule, KernelFn};
use crate::set::{KernelKind, Options};
use crate::simd::Layout;
use crate::Error;

/// One compiled kernel and what it touches.
pub(crate) struct Compiled {
    pub f: KernelFn,
    pub usage: Usage,
    /// `usage.nodes` and `usage.ions` as slices (walked on every call).
    pub node_slots: Vec<usize>,
    pub ion_slots: Vec<(u32, usize)>,
    /// Pure functions of v the kernel reads from a rate table (fast-math), and the globals
    /// they read.
    pub rate: Option<RateFunctions>,
    /// Fast-math SIMD code: its globals are lane-local and it inlines the lookups of
    /// `simd_tables`, which must be built and switched on for it to run.
    pub simd: bool,
    pub simd_tables: Vec<u32>,
}

/// The functions of a kernel's rate table (see [`crate::rate_data`]).
pub(crate) struct RateFunctions {
    pub functions: Vec<crate::simd::rate_table::Pure>,
    pub globals: Vec<u32>,
}

impl RateFunctions {
    /// What the table depends on, for a set with global values `globals` (those the
    /// functions do not read count as 0, so they do not split the cache).
    pub fn inputs(&self, globals: &[f64], dt: f64, celsius: f64) -> crate::rate_data::Inputs {
        let mut values = vec![0.0; globals.len()];
        for &g in &self.globals {
            values[g as usize] = globals[g as usize];
        }
        crate::rate_data::Inputs {
            dt,
            celsius,
            globals: values,
        }
    }
}

/// The native code of one mechanism's kernels.
pub(crate) struct CompiledMechanism {
    /// Keeps the kernels' code alive.
    _module: Option<JitModule>,
    pub kernels: [Option<Compiled>; 4],
    /// Computes the hidden fields (hoisted invariants, see
    /// [`crate::simd::rate_table::hoist_invariants`]) of instances `start..end`.
    pub invariants: Option<Compiled>,
    /// Number of hidden fields (ids after the mechanism's own fields).
    pub hidden_fields: usize,
    /// The compiled current kernel also adds the jacobian's terms (fast-math).
    pub fused_jacobian: bool,
    /// Why each kernel that exists is interpreted (None = compiled or absent).
    pub interpreted: [Option<Unsupported>; 4],
    /// Which kernels run as fast-math SIMD code.
    pub simd: [bool; 4],
    pub compile_time: Duration,
    /// Largest `LinearSolve` system of the compiled kernels.
    pub max_system: usize,
}

// SAFETY: after `finish` the module's code and the function pointers are immutable; kernels
// are reentrant (all state goes through their `KernelEnv` argument).
unsafe impl Send for CompiledMechanism {}
unsafe impl Sync for CompiledMechanism {}

/// What the generated code depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    ir: String,
    options: Options,
    distinct: bool,
    print: bool,
    layout: Layout,
}

type Cache = Mutex<HashMap<Key, Arc<CompiledMechanism>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Nanoseconds of code generation since the process started or [`clear`] was called.
static CODEGEN_NANOS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Time spent generating native code in this process (every compilation that was not a cache
/// hit, fused groups included) since it started or [`clear`] was called.
pub fn codegen_time() -> Duration {
    Duration::from_nanos(CODEGEN_NANOS.load(std::sync::atomic::Ordering::Relaxed))
}

/// Forgets every cached compilation and rate table (sets keep the code and tables they
/// hold), and zeroes [`codegen_time`]. For benchmarks of the compiler itself, and long-lived
/// processes that run many models.
pub fn clear() {
    cache().lock().unwrap_or_else(|e| e.into_inner()).clear();
    crate::rate_data::clear();
    CODEGEN_NANOS.store(0, std::sync::atomic::Ordering::Relaxed);
}

pub(crate) fn kernel_of(m: &ir::Mechanism, k: KernelKind) -> Option<&Kernel> {
    match k {
        KernelKind::Init => Some(&m.init),
        KernelKind::Current => m.current.as_ref(),
        KernelKind::Jacobian => m.jacobian.as_ref(),
        KernelKind::State => m.state.as_ref(),
    }
}

/// `k` without its top-level accumulations into ion `DCurrentDv`, nor into ion `Current` for
/// ions whose `i<ion>` `observed` does not name (all kept when `observed` is None).
fn without_unread_ion_values(
    mech: &ir::Mechanism,
    k: &Kernel,
    observed: Option<&std::collections::BTreeSet<String>>,
) -> Kernel {
    let unread = |s: &ir::Stmt| match s {
        ir::Stmt::Assign(ir::Place::Ion { ion, var }, _) => match var {
            ir::IonVar::DCurrentDv => true,
            ir::IonVar::Current => observed
                .is_some_and(|o| !o.contains(&format!("i{}", mech.ions[*ion as usize].name))),
            _ => false,
        },
        _ => false,
    };
    Kernel {
        locals: k.locals.clone(),
        body: k.body.iter().filter(|s| !unread(s)).cloned().collect(),
    }
}

const KINDS: [KernelKind; 4] = [
    KernelKind::Init,
    KernelKind::Current,
    KernelKind::Jacobian,
    KernelKind::State,
];

/// The compiled kernels of `mech` for a set with these properties; true when they were
/// compiled by this call (false: taken from the cache).
pub(crate) fn compiled(
    mech: &ir::Mechanism,
    options: &Options,
    distinct: bool,
    print: bool,
    layout: &Layout,
    table_local_offset: &[usize],
) -> Result<(Arc<CompiledMechanism>, bool), Error> {
    let key = Key {
        ir: nmodl::dump::dump(mech),
        options: options.clone(),
        distinct,
        print,
        layout: layout.clone(),
    };
    if let Some(hit) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok((Arc::clone(hit), false));
    }
    let fresh = Arc::new(compile(mech, &key, table_local_offset)?);
    CODEGEN_NANOS.fetch_add(
        fresh.compile_time.as_nanos() as u64,
        std::sync::atomic::Ordering::Relaxed,
    );
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&fresh));
    Ok((fresh, true))
}

/// Compiles `mech` for the set properties in `key` (its `ir` is `mech`'s dump).
fn compile(
    mech: &ir::Mechanism,
    key: &Key,
    table_local_offset: &[usize],
) -> Result<CompiledMechanism, Error> {
    let Key {
        ref options,
        distinct,
        print,
        ref layout,
        ..
    } = *key;
    let dead = match (&options.observed, options.rate_tables) {
        (Some(observed), true) => crate::simd::rate_table::dead_fields(mech, observed),
        _ => Default::default(),
    };
    let keep_all = std::collections::BTreeSet::new();
    let mut module = None;
    let mut kernels: [Option<Compiled>; 4] = Default::default();
    let mut interpreted: [Option<Unsupported>; 4] = Default::default();
    let mut simd = [false; 4];
    let mut ids = Vec::new();
    let mut max_system = 0;
    // Hoisted invariants of every kernel, in hidden-field order.
    let mut invariants = Vec::new();
    let mut fused_jacobian = false;
    for (slot, kind) in KINDS.iter().enumerate() {
        let Some(k) = kernel_of(mech, *kind) else {
            continue;
        };
        // Fast-math with rate tables: affine currents get their exact derivative instead of
        // a second BREAKPOINT evaluation (see `simd::conductance`).
        let analytic = (options.fast_math && options.rate_tables && *kind == KernelKind::Current)
            .then(|| crate::simd::conductance::analytic_current(k))
            .flatten();
        let k = analytic.as_ref().unwrap_or(k);
        // Fast-math without ion slopes: the di/dv accumulations go (nothing reads them), and so
        // do those of ion currents nobody observes or reads.
        let sloped = (options.fast_math && !options.ion_slopes && *kind == KernelKind::Current)
            .then(|| without_unread_ion_values(mech, k, options.observed.as_deref()));
        let k = sloped.as_ref().unwrap_or(k);
        // INITIAL runs once: in fast-math mode the interpreter runs it (the same bits as
        // compiled code) and the compile time goes to the per-step kernels.
        if options.fast_math && *kind == KernelKind::Init {
            continue;
        }
        // The jacobian's terms went into the fused current kernel (see below).
        if fused_jacobian && *kind == KernelKind::Jacobian {
            continue;
        }
        // Fast-math: a vectorisable current kernel also adds the jacobian's terms to d (the
        // engine zeroes d before the currents), saving a call and a pass per step.
        let fused: Option<(Vec<ir::Stmt>, Usage)> = mech
            .jacobian
            .as_ref()
            .filter(|j| options.fast_math && *kind == KernelKind::Current && j.locals.is_empty())
            .and_then(|j| {
                let b: Vec<ir::Stmt> = k.body.iter().chain(&j.body).cloned().collect();
                analysis::check(mech, &b, distinct, print).ok()?;
                let u = analysis::usage(mech, &b);
                crate::simd::vectorisable(mech, &b, &u, distinct).then_some((b, u))
            });
        fused_jacobian |= fused.is_some();
        let (source, usage, vector): (&[ir::Stmt], Usage, _) = match &fused {
            Some((b, u)) => (b, u.clone(), Some(layout)),
            None => {
                if let Err(why) = analysis::check(mech, &k.body, distinct, print) {
                    interpreted[slot] = Some(why);
                    continue;
                }
                let u = analysis::usage(mech, &k.body);
                let vector = (options.fast_math
                    && crate::simd::vectorisable(mech, &k.body, &u, distinct))
                .then_some(layout);
                (&k.body, u, vector)
            }
        };
        max_system = max_system.max(usage.max_system);
        simd[slot] = vector.is_some();
        let tabulated = vector.filter(|_| options.rate_tables).and_then(|_| {
            let dead = if *kind == KernelKind::State {
                &dead
            } else {
                &keep_all
            };
            crate::simd::rate_table::tabulate(mech, source, k.locals.len(), dead)
        });
        // A vector state kernel with nothing to tabulate still drops its dead stores (a
        // synapse's copy of v).
        let pruned = (tabulated.is_none()
            && *kind == KernelKind::State
            && vector.is_some()
            && !dead.is_empty())
        .then(|| crate::simd::rate_table::without_dead_stores(source.to_vec(), &dead));
        let (body, n_locals) = match (&tabulated, &pruned) {
            (Some(t), _) => (&t.body[..], t.n_locals),
            (None, Some(p)) => (&p[..], k.locals.len()),
            (None, None) => (source, k.locals.len()),
        };
        let first_hidden = (mech.fields.len() + invariants.len()) as u32;
        let hoisted = vector
            .filter(|_| options.rate_tables)
            .and_then(|_| crate::simd::rate_table::hoist_invariants(mech, body, first_hidden));
        // The pruned body may read less (no node access at all).
        let mut usage = match &pruned {
            Some(p) => analysis::usage(mech, p),
            None => usage,
        };
        let body = match hoisted {
            Some(h) => {
                usage
                    .fields
                    .extend(first_hidden..first_hidden + h.invariants.len() as u32);
                invariants.extend(h.invariants);
                std::borrow::Cow::Owned(h.body)
            }
            None => std::borrow::Cow::Borrowed(body),
        };
        if module.is_none() {
            module = Some(JitModule::new()?);
        }
        let unstored = match (&options.observed, vector, *kind) {
            (Some(observed), Some(_), KernelKind::Current) => {
                crate::simd::unstored_by_current(mech, observed, &body, fused.is_some())
            }
            _ => Default::default(),
        };
        let plan = vector.map(|layout| crate::simd::VectorPlan {
            layout,
            rate: tabulated.as_ref(),
            unstored: &unstored,
        });
        let jm = module.as_mut().expect("created above");
        let id = jm.add_kernel(
            &format!("{}_{kind:?}", mech.name),
            mech,
            &body,
            n_locals,
            &usage,
            table_local_offset,
            plan.as_ref(),
        )?;
        // A vector kernel runs only while the TABLEs it calls or reads through its rate
        // functions are built and switched on (the set interprets it otherwise).
        let simd_tables = match vector {
            Some(_) => {
                let mut t = analysis::tables_used(&body);
                if let Some(r) = &tabulated {
                    r.functions.iter().for_each(|f| f.tables(&mut t));
                }
                t.into_iter().collect()
            }
            None => Vec::new(),
        };
        let rate = tabulated.map(|t| RateFunctions {
            globals: crate::rate_data::globals_read(&t.functions),
            functions: t.functions,
        });
        ids.push((slot, id, usage, rate, vector.is_some(), simd_tables));
    }
    // One vector kernel computes every hidden field: `hidden_k = invariant_k`.
    let mut invariants_id = None;
    if !invariants.is_empty() {
        let body: Vec<ir::Stmt> = invariants
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let e = p.to_expr().expect("invariants hold no selects");
                ir::Stmt::Assign(ir::Place::Field((mech.fields.len() + k) as u32), e)
            })
            .collect();
        let usage = analysis::usage(mech, &body);
        let jm = module
            .as_mut()
            .expect("kernels reading invariants were compiled");
        let id = jm.add_kernel(
            &format!("{}_invariants", mech.name),
            mech,
            &body,
            0,
            &usage,
            table_local_offset,
            Some(&crate::simd::VectorPlan {
                layout,
                rate: None,
                unstored: &keep_all,
            }),
        )?;
        invariants_id = Some((id, usage));
    }
    let mut compile_time = Duration::ZERO;
    let mut invariants_kernel = None;
    if let Some(jm) = module.as_mut() {
        jm.finish()?;
        if let Some((id, usage)) = invariants_id {
            invariants_kernel = Some(Compiled {
                rate: None,
                simd: true,
                simd_tables: Vec::new(),
                f: jm.function(id),
                node_slots: Vec::new(),
                ion_slots: Vec::new(),
                usage,
            });
        }
        for (slot, id, usage, rate, simd, simd_tables) in ids {
            kernels[slot] = Some(Compiled {
                rate,
                simd,
                simd_tables,
                f: jm.function(id),
                node_slots: usage.nodes.iter().copied().collect(),
                ion_slots: usage.ions.iter().copied().collect(),
                usage,
            });
        }
        compile_time = jm.compile_time;
    }
    Ok(CompiledMechanism {
        fused_jacobian,
        _module: module,
        hidden_fields: invariants.len(),
        invariants: invariants_kernel,
        kernels,
        interpreted,
        simd,
        compile_time,
        max_system,
    })
}
