//! [`InterpretedSet`]: all instances of one compiled mechanism, executed by the chunked
//! interpreter. Storage is sized at creation; `init`, `current`, `jacobian`, `state` and
//! `net_receive` do not allocate (tables are rebuilt into preallocated arrays).

use std::sync::Arc;

use nmodl::ir::{self, Expr, IonVar, Place, Stmt};

use crate::compile::{compile, CompiledKernel};
use crate::exec::{run, Scratch, Storage};
use crate::lane::run_single;
use crate::math::{instance_seed, RandomStream};
use crate::solver::SolverScratch;
use crate::table::{check_table, BuildContext, TableData};
use crate::{Context, Error, IonStore, MechanismSet};

/// The interpreter backend's [`MechanismSet`].
pub struct InterpretedSet {
    mech: Arc<ir::Mechanism>,
    st: Storage,
    sc: Scratch,
    tables: Vec<TableData>,
    init: CompiledKernel,
    current: Option<CompiledKernel>,
    jacobian: Option<CompiledKernel>,
    state: Option<CompiledKernel>,
    /// Ion uses whose concentration this mechanism writes (for `nrn_wrote_conc`).
    conc_writes: Vec<usize>,
    build_fields: Vec<f64>,
    build_locals: Vec<f64>,
}

/// Checks every id in the IR against the mechanism's tables so execution can index freely.
fn validate(m: &ir::Mechanism) -> Result<(), Error> {
    fn bad(m: &ir::Mechanism, what: String) -> Error {
        Error::InvalidIr {
            mechanism: m.name.clone(),
            what,
        }
    }
    fn place(m: &ir::Mechanism, p: &Place, locals: usize) -> Result<(), Error> {
        match p {
            Place::Field(f) if *f as usize >= m.fields.len() => Err(bad(m, format!("field {f}"))),
            Place::FieldIndexed { base, len, index } => {
                if (*base as usize + *len as usize) > m.fields.len() {
                    return Err(bad(m, format!("field array {base}[{len}]")));
                }
                expr(m, index, locals)
            }
            Place::Global(g) if *g as usize >= m.globals.len() => {
                Err(bad(m, format!("global {g}")))
            }
            Place::Local(l) if *l as usize >= locals => Err(bad(m, format!("local {l}"))),
            Place::Ion { ion, .. } if *ion as usize >= m.ions.len() => {
                Err(bad(m, format!("ion {ion}")))
            }
            _ => Ok(()),
        }
    }
    fn expr(m: &ir::Mechanism, e: &Expr, locals: usize) -> Result<(), Error> {
        match e {
            Expr::Const(_) => Ok(()),
            Expr::Load(p) => place(m, p, locals),
            Expr::Unary(_, a) => expr(m, a, locals),
            Expr::Binary(_, a, b) => expr(m, a, locals).and(expr(m, b, locals)),
            Expr::Call(_, args) => args.iter().try_for_each(|a| expr(m, a, locals)),
            Expr::TableValue { table, arg } => {
                if *table as usize >= m.tables.len() {
                    return Err(bad(m, format!("table {table}")));
                }
                expr(m, arg, locals)
            }
        }
    }
    fn stmts(m: &ir::Mechanism, body: &[Stmt], locals: usize) -> Result<(), Error> {
        for s in body {
            match s {
                Stmt::Assign(p, e) => place(m, p, locals).and(expr(m, e, locals))?,
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    expr(m, cond, locals)?;
                    stmts(m, then, locals)?;
                    stmts(m, otherwise, locals)?;
                }
                Stmt::While { cond, body } => expr(m, cond, locals).and(stmts(m, body, locals))?,
                Stmt::TableCall { table, arg } => {
                    if *table as usize >= m.tables.len() {
                        return Err(bad(m, format!("table {table}")));
                    }
                    expr(m, arg, locals)?
                }
                Stmt::LinearSolve {
                    unknowns,
                    matrix,
                    rhs,
                } => {
                    unknowns.iter().try_for_each(|p| place(m, p, locals))?;
                    matrix
                        .iter()
                        .chain(rhs)
                        .try_for_each(|e| expr(m, e, locals))?;
                }
                Stmt::Newton {
                    unknowns,
                    residual,
                    residuals,
                    ..
                } => {
                    unknowns.iter().try_for_each(|p| place(m, p, locals))?;
                    stmts(m, residual, locals)?;
                    if residuals.iter().any(|l| *l as usize >= locals)
                        || residuals.len() != unknowns.len()
                    {
                        return Err(bad(m, "Newton residual locals".into()));
                    }
                }
                Stmt::NetSend { delay, flag } => {
                    expr(m, delay, locals).and(expr(m, flag, locals))?
                }
                Stmt::NetEvent { time } | Stmt::NetMove { time } => expr(m, time, locals)?,
                Stmt::Print { args, .. } => args.iter().try_for_each(|e| expr(m, e, locals))?,
            }
        }
        Ok(())
    }
    let kernels = [
        Some(&m.init),
        m.current.as_ref(),
        m.jacobian.as_ref(),
        m.state.as_ref(),
    ];
    for k in kernels.into_iter().flatten() {
        stmts(m, &k.body, k.locals.len())?;
    }
    if let Some(nr) = &m.net_receive {
        stmts(m, &nr.body.body, nr.body.locals.len())?;
        if let Some(k) = &nr.init {
            stmts(m, &k.body, k.locals.len())?;
        }
    }
    for t in &m.tables {
        if t.usetable as usize >= m.globals.len() || t.intervals == 0 {
            return Err(bad(m, format!("table `{}`", t.name)));
        }
        stmts(m, &t.body.body, t.body.locals.len().max(1))?;
        expr(m, &t.from, 0)?;
        expr(m, &t.to, 0)?;
        for o in &t.outputs {
            place(m, o, t.body.locals.len().max(1))?;
        }
    }
    for c in &m.currents {
        if c.field as usize >= m.fields.len() {
            return Err(bad(m, format!("current field {}", c.field)));
        }
    }
    Ok(())
}

/// Largest linear/Newton system in a statement list.
fn max_system(body: &[Stmt]) -> usize {
    body.iter()
        .map(|s| match s {
            Stmt::LinearSolve { unknowns, .. } => unknowns.len(),
            Stmt::Newton {
                unknowns, residual, ..
            } => unknowns.len().max(max_system(residual)),
            Stmt::If {
                then, otherwise, ..
            } => max_system(then).max(max_system(otherwise)),
            Stmt::While { body, .. } => max_system(body),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

impl InterpretedSet {
    /// Instantiates `mech` on `nodes` (one instance per entry; for artificial cells the node
    /// values are ignored). Every ion the mechanism uses must exist in `ions` at every node.
    pub fn new(
        mech: Arc<ir::Mechanism>,
        nodes: Vec<u32>,
        ions: &IonStore,
        set_id: usize,
    ) -> Result<Self, Error> {
        validate(&mech)?;
        let n = nodes.len();
        let artificial = mech.kind == ir::Kind::Artificial;
        let mut ion_map = Vec::with_capacity(mech.ions.len());
        let mut ion_index = Vec::with_capacity(mech.ions.len());
        for usage in &mech.ions {
            let store = ions
                .index_of(&usage.name)
                .ok_or_else(|| Error::MissingIon {
                    mechanism: mech.name.clone(),
                    ion: usage.name.clone(),
                    node: None,
                })?;
            let mut idx = Vec::with_capacity(n);
            for &node in &nodes {
                match ions.entry(store, node) {
                    Some(e) => idx.push(e as u32),
                    None if artificial => idx.push(u32::MAX),
                    None => {
                        return Err(Error::MissingIon {
                            mechanism: mech.name.clone(),
                            ion: usage.name.clone(),
                            node: Some(node),
                        })
                    }
                }
            }
            ion_map.push(store);
            ion_index.push(idx);
        }
        let conc_writes = mech
            .ions
            .iter()
            .enumerate()
            .filter(|(_, u)| {
                u.write
                    .iter()
                    .any(|v| matches!(v, IonVar::Inside | IonVar::Outside))
            })
            .map(|(i, _)| i)
            .collect();
        let st = Storage {
            fields: mech.fields.iter().map(|f| vec![f.default; n]).collect(),
            globals: mech.globals.iter().map(|g| g.default).collect(),
            nodes,
            ion_map,
            ion_index,
            // Until the owner supplies stable keys (`seed_random_streams`), instances are
            // keyed by their index in the set.
            rng: (0..n as u64)
                .map(|k| RandomStream::new(instance_seed(&mech.name, &[k])))
                .collect(),
            set_id,
            print: false,
        };
        let k = |k: &ir::Kernel| compile(&mech, &k.body, k.locals.len());
        let init = k(&mech.init);
        let current = mech.current.as_ref().map(k);
        let jacobian = mech.jacobian.as_ref().map(k);
        let state = mech.state.as_ref().map(k);
        let mut sc = Scratch::default();
        for c in [
            Some(&init),
            current.as_ref(),
            jacobian.as_ref(),
            state.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            sc.fit(c);
        }
        let mut largest = 0;
        for kern in [
            Some(&mech.init),
            mech.current.as_ref(),
            mech.jacobian.as_ref(),
            mech.state.as_ref(),
        ]
        .into_iter()
        .flatten()
        .chain(
            mech.net_receive
                .iter()
                .flat_map(|nr| std::iter::once(&nr.body).chain(nr.init.as_ref())),
        )
        .chain(mech.tables.iter().map(|t| &t.body))
        {
            largest = largest.max(max_system(&kern.body));
        }
        sc.solver = SolverScratch::with_size(largest);
        sc.table_locals = mech
            .tables
            .iter()
            .map(|t| vec![0.0; t.body.locals.len().max(1)])
            .collect();
        let nr_locals = mech
            .net_receive
            .as_ref()
            .map(|nr| {
                nr.body
                    .locals
                    .len()
                    .max(nr.init.as_ref().map_or(0, |k| k.locals.len()))
            })
            .unwrap_or(0);
        let need = nr_locals + mech.globals.len();
        if sc.regs.len() < need {
            sc.regs.resize(need, [0.0; crate::compile::LANES]);
        }
        if sc.writer.len() < mech.globals.len() {
            sc.writer.resize(mech.globals.len(), -1);
        }
        let tables = mech
            .tables
            .iter()
            .map(|t| TableData::new(t.outputs.len(), t.intervals, t.depend.len()))
            .collect();
        let build_fields = mech.fields.iter().map(|f| f.default).collect();
        let build_locals = vec![
            0.0;
            mech.tables
                .iter()
                .map(|t| t.body.locals.len())
                .max()
                .unwrap_or(0)
                .max(1)
        ];
        Ok(InterpretedSet {
            mech,
            st,
            sc,
            tables,
            init,
            current,
            jacobian,
            state,
            conc_writes,
            build_fields,
            build_locals,
        })
    }

    /// Enables or disables output of `printf` statements (off by default).
    pub fn set_print(&mut self, on: bool) {
        self.st.print = on;
    }

    /// Value of a per-mechanism global.
    pub fn global_value(&self, name: &str) -> Option<f64> {
        self.mech.global(name).map(|g| self.st.globals[g as usize])
    }

    /// Whether table `k` currently holds values (tests, diagnostics).
    pub fn table_built(&self, k: usize) -> bool {
        self.tables.get(k).is_some_and(|t| t.is_built())
    }

    /// The instance storage (read-only).
    pub fn storage(&self) -> &Storage {
        &self.st
    }

    /// The instance storage and the tables, for a backend that runs kernels itself on the
    /// interpreter's data (crate `jit`).
    pub fn parts_mut(&mut self) -> (&mut Storage, &[TableData]) {
        (&mut self.st, &self.tables)
    }

    /// Whether `printf` output is enabled.
    pub fn print_enabled(&self) -> bool {
        self.st.print
    }

    /// NEURON's `nrn_wrote_conc` for every concentration this mechanism writes (what `init`
    /// does after its kernel).
    pub fn wrote_concentrations(&mut self, ctx: &mut Context) {
        for &u in &self.conc_writes {
            let store = self.st.ion_map[u];
            for &entry in &self.st.ion_index[u] {
                if entry != u32::MAX {
                    ctx.ions
                        .wrote_concentration(store, entry as usize, ctx.celsius);
                }
            }
        }
    }

    fn tables_check(&mut self, celsius: f64, dt: f64) {
        let mech = &*self.mech;
        for (k, data) in self.tables.iter_mut().enumerate() {
            // Field defaults are what a body sees while the table is built.
            for (slot, f) in self.build_fields.iter_mut().zip(&mech.fields) {
                *slot = f.default;
            }
            let mut cx = BuildContext {
                globals: &mut self.st.globals,
                fields: &mut self.build_fields,
                locals: &mut self.build_locals,
                table_locals: &mut self.sc.table_locals,
                solver: &mut self.sc.solver,
                celsius,
                dt,
            };
            check_table(mech, k, data, &mut cx);
        }
    }
}

impl MechanismSet for InterpretedSet {
    fn mechanism(&self) -> &ir::Mechanism {
        &self.mech
    }

    fn len(&self) -> usize {
        self.st.len()
    }

    fn nodes(&self) -> &[u32] {
        &self.st.nodes
    }

    fn check_tables(&mut self, ctx: &mut Context) {
        self.tables_check(ctx.celsius, ctx.dt);
    }

    fn init(&mut self, ctx: &mut Context) {
        self.tables_check(ctx.celsius, ctx.dt);
        run(
            &self.init,
            &self.mech,
            &self.tables,
            &mut self.st,
            &mut self.sc,
            ctx,
        );
        self.wrote_concentrations(ctx);
    }

    fn current(&mut self, ctx: &mut Context) {
        if self.current.is_some() {
            self.tables_check(ctx.celsius, ctx.dt);
        }
        if let Some(k) = &self.current {
            run(k, &self.mech, &self.tables, &mut self.st, &mut self.sc, ctx);
        }
    }

    fn jacobian(&mut self, ctx: &mut Context) {
        if let Some(k) = &self.jacobian {
            run(k, &self.mech, &self.tables, &mut self.st, &mut self.sc, ctx);
        }
    }

    fn state(&mut self, ctx: &mut Context) {
        if self.state.is_some() && self.current.is_none() {
            self.tables_check(ctx.celsius, ctx.dt);
        }
        // nocmodl emits `nrn_wrote_conc` in `nrn_init` only: after `nrn_state` the new
        // concentration reaches e<ion> at the next `ion_cur` (eadvance), not here.
        if let Some(k) = &self.state {
            run(k, &self.mech, &self.tables, &mut self.st, &mut self.sc, ctx);
        }
    }

    fn net_receive(&mut self, ctx: &mut Context, instance: usize, args: &mut [f64], flag: f64) {
        let Some(nr) = &self.mech.net_receive else {
            return;
        };
        if instance >= self.st.len() {
            return;
        }
        run_single(
            &self.mech,
            &self.tables,
            &nr.body.body,
            &mut self.st,
            &mut self.sc,
            ctx,
            instance,
            args,
            flag,
            nr.body.locals.len(),
        );
    }

    fn net_receive_init(&mut self, ctx: &mut Context, instance: usize, args: &mut [f64]) {
        let Some(k) = self
            .mech
            .net_receive
            .as_ref()
            .and_then(|nr| nr.init.as_ref())
        else {
            return;
        };
        if instance >= self.st.len() {
            return;
        }
        run_single(
            &self.mech,
            &self.tables,
            &k.body,
            &mut self.st,
            &mut self.sc,
            ctx,
            instance,
            args,
            0.0,
            k.locals.len(),
        );
    }

    fn field_values(&self, name: &str) -> Option<&[f64]> {
        self.mech
            .field(name)
            .map(|f| self.st.fields[f as usize].as_slice())
    }

    fn field_values_mut(&mut self, name: &str) -> Option<&mut [f64]> {
        self.mech
            .field(name)
            .map(|f| self.st.fields[f as usize].as_mut_slice())
    }

    fn set_global(&mut self, name: &str, value: f64) -> bool {
        match self.mech.global(name) {
            Some(g) => {
                self.st.globals[g as usize] = value;
                true
            }
            None => false,
        }
    }

    fn global(&self, name: &str) -> Option<f64> {
        self.global_value(name)
    }

    fn seed_random_streams(&mut self, seeds: &[u64]) -> bool {
        if seeds.len() != self.st.rng.len() {
            return false;
        }
        for (rng, &seed) in self.st.rng.iter_mut().zip(seeds) {
            rng.seed(seed);
        }
        true
    }
}
