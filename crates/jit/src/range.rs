//! [`JitRange`]: a compiled kernel with its own copy of the kernel environment, which threads
//! run on disjoint instance ranges of one set (intra-cell threading, see
//! `mech::MechanismSet::range_kernels`).

use std::sync::Arc;

use crate::abi::{Host, KernelEnv};
use crate::cache::CompiledMechanism;
use crate::compile::KernelFn;

/// One prepared kernel: the function, its environment and the code that keeps it alive.
pub(crate) struct JitRange {
    f: KernelFn,
    frame: Box<Frame>,
    _code: Arc<CompiledMechanism>,
    /// Storage the environment points into that the kernel owns (fused kernels, see
    /// `crate::fuse`).
    _keep: Option<Box<dyn Send>>,
}

/// The environment and host block a thread writes `t` into before each call, on cache lines
/// of their own (another thread's frame next to it would make every call a cache miss).
#[repr(C, align(128))]
struct Frame {
    env: KernelEnv,
    /// `env.host` points here; range-safe kernels read nothing from it but `t`.
    host: Host,
}

// SAFETY: the environment points into storage owned by the set and the engine, which the
// `RangeKernel::run` contract keeps alive and unaliased outside disjoint instance ranges.
unsafe impl Send for JitRange {}

impl JitRange {
    pub(crate) fn new(
        f: KernelFn,
        env: KernelEnv,
        host: Host,
        code: Arc<CompiledMechanism>,
    ) -> Self {
        let mut frame = Box::new(Frame { env, host });
        frame.env.host = &mut frame.host;
        JitRange {
            f,
            frame,
            _code: code,
            _keep: None,
        }
    }

    /// Keeps `storage` alive as long as the kernel.
    pub(crate) fn keeping(mut self, storage: Box<dyn Send>) -> Self {
        self._keep = Some(storage);
        self
    }
}

impl mech::RangeKernel for JitRange {
    unsafe fn run(&mut self, t: f64, start: usize, end: usize) {
        self.frame.env.t = t;
        self.frame.host.t = t;
        // SAFETY: the caller upholds `RangeKernel::run`'s contract; indices were checked
        // against the arrays when the environment was prepared.
        unsafe { (self.f)(&self.frame.env, start as i64, end as i64) };
    }
}
