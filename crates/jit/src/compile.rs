//! Cranelift module setup: one [`JitModule`] per mechanism set holds the native code of its
//! kernels (freed when the set is dropped).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use cranelift_codegen::ir::{types, AbiParam, Signature, UserFuncName};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context as CodegenContext;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};
use nmodl::ir::{Mechanism, Stmt};

use crate::abi::{self, KernelEnv};
use crate::analysis::Usage;
use crate::codegen::{Gen, Helpers};
use crate::simd::VecGen;
use crate::Error;

/// A compiled kernel: `f(env, start, end)` over instances `start..end`.
pub type KernelFn = unsafe extern "C" fn(*const KernelEnv, i64, i64);

/// Native code of one mechanism's kernels.
pub struct JitModule {
    module: Option<JITModule>,
    ctx: CodegenContext,
    fctx: FunctionBuilderContext,
    helpers: Vec<(FuncId, &'static str)>,
    /// Time spent compiling so far.
    pub compile_time: Duration,
    pending: Vec<FuncId>,
}

fn jit_error(e: impl std::fmt::Display) -> Error {
    Error::Codegen(e.to_string())
}

/// The host CPU's code generator, detected and configured once per process (it is immutable
/// and shared by every module).
fn host_isa() -> Result<OwnedTargetIsa, Error> {
    static ISA: OnceLock<Result<OwnedTargetIsa, Error>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        flags.set("opt_level", "speed").map_err(jit_error)?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(jit_error)?;
        flags.set("is_pic", "false").map_err(jit_error)?;
        // The IR verifier costs a sizeable share of compile time; debug builds (and so the
        // test suite's debug runs) keep it.
        let verify = if cfg!(debug_assertions) {
            "true"
        } else {
            "false"
        };
        flags.set("enable_verifier", verify).map_err(jit_error)?;
        cranelift_native::builder()
            .map_err(jit_error)?
            .finish(settings::Flags::new(flags))
            .map_err(jit_error)
    })
    .clone()
}

/// Whether the host code generator may emit fused multiply-add (read once per process).
fn host_has_fma() -> bool {
    static FMA: OnceLock<bool> = OnceLock::new();
    *FMA.get_or_init(|| {
        host_isa().is_ok_and(|isa| {
            isa.isa_flags()
                .iter()
                .any(|f| f.name == "has_fma" && f.as_bool() == Some(true))
        })
    })
}

impl JitModule {
    /// A module for the host CPU with all helpers linked in.
    pub fn new() -> Result<Self, Error> {
        let started = Instant::now();
        let isa = host_isa()?;
        let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
        let symbols: [(&'static str, *const u8); 7] = [
            // The interpreter's `exp` (see `mech::math::libm_exp`), so results carry its bits.
            ("bmtk_libm_exp", mech::math::libm_exp() as *const u8),
            ("bmtk_jit_pow", abi::jit_pow as *const u8),
            ("bmtk_jit_math", abi::jit_math as *const u8),
            ("bmtk_jit_random", abi::jit_random as *const u8),
            ("bmtk_jit_event", abi::jit_event as *const u8),
            ("bmtk_jit_lookup", abi::jit_table_lookup as *const u8),
            ("bmtk_jit_simeq", abi::jit_simeq as *const u8),
        ];
        for (name, ptr) in symbols {
            builder.symbol(name, ptr);
        }
        let mut module = JITModule::new(builder);
        let ptr = module.target_config().pointer_type();
        let f64t = types::F64;
        let i64t = types::I64;
        let sig = |m: &JITModule, params: &[types::Type], ret: Option<types::Type>| {
            let mut s = m.make_signature();
            s.params.extend(params.iter().map(|t| AbiParam::new(*t)));
            s.returns.extend(ret.map(AbiParam::new));
            s
        };
        let decls: [(&'static str, Signature); 7] = [
            ("bmtk_libm_exp", sig(&module, &[f64t], Some(f64t))),
            ("bmtk_jit_pow", sig(&module, &[f64t, f64t], Some(f64t))),
            (
                "bmtk_jit_math",
                sig(&module, &[i64t, f64t, f64t, f64t, f64t, f64t], Some(f64t)),
            ),
            (
                "bmtk_jit_random",
                sig(&module, &[ptr, i64t, i64t, f64t, f64t], Some(f64t)),
            ),
            (
                "bmtk_jit_event",
                sig(&module, &[ptr, i64t, i64t, f64t, f64t], None),
            ),
            (
                "bmtk_jit_lookup",
                sig(&module, &[ptr, i64t, i64t, f64t], Some(f64t)),
            ),
            (
                "bmtk_jit_simeq",
                sig(&module, &[ptr, i64t, ptr], Some(i64t)),
            ),
        ];
        let mut helpers = Vec::new();
        for (name, s) in decls {
            let id = module
                .declare_function(name, Linkage::Import, &s)
                .map_err(jit_error)?;
            helpers.push((id, name));
        }
        Ok(JitModule {
            ctx: module.make_context(),
            module: Some(module),
            fctx: FunctionBuilderContext::new(),
            helpers,
            compile_time: started.elapsed(),
            pending: Vec::new(),
        })
    }

    fn module(&mut self) -> &mut JITModule {
        self.module.as_mut().expect("module lives until drop")
    }

    /// Compiles one kernel body; call [`JitModule::finish`] before taking pointers.
    #[allow(clippy::too_many_arguments)]
    pub fn add_kernel(
        &mut self,
        name: &str,
        m: &Mechanism,
        body: &[Stmt],
        n_locals: usize,
        usage: &Usage,
        table_local_offset: &[usize],
        simd: Option<&crate::simd::VectorPlan>,
    ) -> Result<FuncId, Error> {
        let started = Instant::now();
        let ptr = self.module().target_config().pointer_type();
        let mut sig = self.module().make_signature();
        sig.params.push(AbiParam::new(ptr));
        sig.params.push(AbiParam::new(types::I64));
        sig.params.push(AbiParam::new(types::I64));
        let id = self
            .module()
            .declare_function(name, Linkage::Local, &sig)
            .map_err(jit_error)?;
        let mut ctx = std::mem::replace(&mut self.ctx, CodegenContext::new());
        ctx.func.signature = sig;
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        let mut refs = Vec::new();
        for (hid, _) in &self.helpers {
            let module = self.module.as_mut().expect("module");
            refs.push(module.declare_func_in_func(*hid, &mut ctx.func));
        }
        let helpers = Helpers {
            exp: refs[0],
            pow: refs[1],
            math: refs[2],
            random: refs[3],
            event: refs[4],
            lookup: refs[5],
            simeq: refs[6],
        };
        {
            let config = self.module().target_config();
            let b = FunctionBuilder::new(&mut ctx.func, &mut self.fctx);
            if let Some(plan) = simd {
                VecGen::build(
                    b,
                    m,
                    helpers,
                    ptr,
                    body,
                    n_locals,
                    usage,
                    config,
                    host_has_fma(),
                    plan,
                );
            } else {
                Gen::build(
                    b,
                    m,
                    helpers,
                    ptr,
                    body,
                    n_locals,
                    usage,
                    table_local_offset,
                    config,
                );
            }
        }
        // BMTK_JIT_DISASM=1 prints each kernel's machine code (for tuning the code generator).
        let disasm = std::env::var_os("BMTK_JIT_DISASM").is_some();
        ctx.set_disasm(disasm);
        let result = self.module().define_function(id, &mut ctx);
        if disasm {
            if let Some(code) = ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
                eprintln!("; kernel {name}\n{code}");
            }
        }
        ctx.clear();
        self.ctx = ctx;
        result.map_err(|e| Error::Codegen(format!("{name}: {e:?}")))?;
        self.pending.push(id);
        self.compile_time += started.elapsed();
        Ok(id)
    }

    /// Finalises all defined functions (makes them executable).
    pub fn finish(&mut self) -> Result<(), Error> {
        let started = Instant::now();
        self.module().finalize_definitions().map_err(jit_error)?;
        self.pending.clear();
        self.compile_time += started.elapsed();
        Ok(())
    }

    /// Entry point of a finished kernel.
    pub fn function(&mut self, id: FuncId) -> KernelFn {
        let p = self.module().get_finalized_function(id);
        // SAFETY: `id` was defined by `add_kernel` with exactly this signature.
        unsafe { std::mem::transmute::<*const u8, KernelFn>(p) }
    }
}

impl Drop for JitModule {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: the owning set drops its function pointers together with this module.
            unsafe { m.free_memory() };
        }
    }
}
