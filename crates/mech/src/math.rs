//! NEURON's numeric helpers as mechanisms see them: `hoc_Exp`, Nernst, GHK, the physical
//! constants of NEURON 9 (codata 2018), and the per-set random stream behind `scop_random`.
//!
//! Every formula keeps the operation order of NEURON's C source so results are bit-identical
//! (no fused multiply-add, no reassociation).

/// Faraday constant e·N_A (C/mol), codata 2018, as NEURON 9 uses it.
pub const FARADAY: f64 = 96485.33212331001;
/// Gas constant k·N_A (J/(K·mol)), codata 2018.
pub const GAS_CONSTANT: f64 = 8.31446261815324;

/// NEURON's `hoc_Exp`: `0` for `x < −700`, `exp(700)` for `x > 700` (NEURON also prints a
/// one-time warning there; we only clamp), libm `exp` otherwise. NaN passes through `exp`.
#[inline]
pub fn hoc_exp(x: f64) -> f64 {
    hoc_exp_with(libm_exp(), x)
}

/// [`hoc_exp`] with the C `exp` already resolved (for loops that call it many times).
#[inline]
pub fn hoc_exp_with(exp: ExpFn, x: f64) -> f64 {
    if x < -700.0 {
        0.0
    } else {
        let x = if x > 700.0 { 700.0 } else { x };
        // SAFETY: `exp` is a C `exp(double)` (from `libm_exp`).
        unsafe { exp(x) }
    }
}

/// A C `exp`.
pub type ExpFn = unsafe extern "C" fn(f64) -> f64;

unsafe extern "C" fn std_exp(x: f64) -> f64 {
    x.exp()
}

/// The C library's `exp` computation without its error-reporting wrapper.
///
/// glibc's `exp` is a wrapper that calls the CPU-specific core (`__exp_fma` here) and then
/// checks for overflow/underflow to set `errno`; the core alone is still exported as the
/// compatibility symbol `__exp_finite@GLIBC_2.15`. Its results are the same bits (the wrapper
/// returns the core's value unchanged; checked at resolution time, and 2·10⁸ random arguments
/// matched when this was written) at about half the cost per call — and `exp` dominates the
/// exact mode. Anywhere else, or if the symbol is missing or disagrees, this is `f64::exp`.
pub fn libm_exp() -> ExpFn {
    static RESOLVED: std::sync::OnceLock<ExpFn> = std::sync::OnceLock::new();
    *RESOLVED.get_or_init(resolve_core_exp)
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn resolve_core_exp() -> ExpFn {
    // SAFETY: dlvsym with NUL-terminated names; the symbol, when present, is glibc's
    // `double __exp_finite(double)`.
    let f: Option<ExpFn> = unsafe {
        let p = libc::dlvsym(
            libc::RTLD_DEFAULT,
            c"__exp_finite".as_ptr(),
            c"GLIBC_2.15".as_ptr(),
        );
        (!p.is_null()).then(|| std::mem::transmute::<*mut libc::c_void, ExpFn>(p))
    };
    match f {
        Some(f) if agrees_with_exp(f) => f,
        _ => std_exp,
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn resolve_core_exp() -> ExpFn {
    std_exp
}

/// Spot check of a candidate `exp` against `f64::exp` over [−700, 700].
#[cfg_attr(not(all(target_os = "linux", target_env = "gnu")), allow(dead_code))]
fn agrees_with_exp(f: ExpFn) -> bool {
    (0..=20_000).all(|k| {
        let x = -700.0 + 0.07 * k as f64 + 1e-7 * (k % 13) as f64;
        // SAFETY: `f` is a C `exp`.
        unsafe { f(x) }.to_bits() == x.exp().to_bits()
    })
}

/// `ktf` of `eion.cpp` in mV: 1000·R·(celsius + 273.15)/F, evaluated left to right.
#[inline]
pub fn ktf(celsius: f64) -> f64 {
    1000.0 * GAS_CONSTANT * (celsius + 273.15) / FARADAY
}

/// `nrn_nernst(ci, co, z)` in mV: (ktf/z)·ln(co/ci); 0 for z = 0, +1e6 for ci ≤ 0 and −1e6 for
/// co ≤ 0.
pub fn nernst(ci: f64, co: f64, z: f64, celsius: f64) -> f64 {
    if z == 0.0 {
        return 0.0;
    }
    if ci <= 0.0 {
        1e6
    } else if co <= 0.0 {
        -1e6
    } else {
        ktf(celsius) / z * (co / ci).ln()
    }
}

/// `efun(x)` of `eion.cpp`: x/(eˣ − 1), replaced by 1 − x/2 for |x| < 1e-4 (libm `exp`, not
/// `hoc_Exp`).
fn efun(x: f64) -> f64 {
    if x.abs() < 1e-4 {
        1.0 - x / 2.0
    } else {
        x / (x.exp() - 1.0)
    }
}

/// `nrn_ghk(v, ci, co, z)`: 1e-3·z·F·(ci·efun(−zv/ktf) − co·efun(zv/ktf)).
pub fn ghk(v: f64, ci: f64, co: f64, z: f64, celsius: f64) -> f64 {
    let temp = z * v / ktf(celsius);
    let eco = co * efun(temp);
    let eci = ci * efun(-temp);
    0.001 * z * FARADAY * (eci - eco)
}

/// splitmix64's output function: a bijective 64-bit mixer.
fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Seed of one instance's [`RandomStream`], from the instance's stable identity: the
/// mechanism name and the components of its owner's key (the engine uses its global artificial
/// cell index, (cell, point process) or (cell, section, segment); see `engine::setup`).
///
/// The name is hashed with 64-bit FNV-1a, then every component is folded in with the
/// splitmix64 mixer: $h \leftarrow \mathrm{mix}(h \oplus (c + \gamma))$. The result depends
/// only on its arguments (never on the platform, thread count or partitioning), and hashing
/// keeps instances with neighbouring indices on unrelated streams.
pub fn instance_seed(mechanism: &str, owner: &[u64]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325;
    for b in mechanism.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h = mix64(h);
    for &c in owner {
        h = mix64(h ^ c.wrapping_add(0x9E37_79B9_7F4A_7C15));
    }
    h
}

/// A small deterministic random stream (splitmix64) standing in for scopmath's generator.
/// NEURON 9's NetStim uses Random123, so noisy streams cannot match NEURON bit for bit anyway.
/// Every mechanism instance owns one stream (seeded with [`instance_seed`]), so its draws do
/// not depend on which other instances share its set.
#[derive(Debug, Clone)]
pub struct RandomStream {
    state: u64,
}

impl RandomStream {
    pub fn new(seed: u64) -> Self {
        RandomStream { state: seed }
    }

    /// Re-seeds the stream (`set_seed`).
    pub fn seed(&mut self, seed: u64) {
        self.state = seed;
    }

    /// Uniform in the open interval (0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let z = mix64(self.state);
        ((z >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponentially distributed with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    /// Normally distributed (Box–Muller).
    pub fn normal(&mut self, mean: f64, std: f64) -> f64 {
        let u1 = self.uniform();
        let u2 = self.uniform();
        mean + std * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// Poisson distributed with the given mean (Knuth's product method; fine for small means).
    pub fn poisson(&mut self, mean: f64) -> f64 {
        if mean.is_nan() || mean <= 0.0 {
            return 0.0;
        }
        let limit = (-mean).exp();
        let mut k = 0.0;
        let mut p = self.uniform();
        while p > limit && k < 1e7 {
            k += 1.0;
            p *= self.uniform();
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hoc_exp_clamps_like_neuron() {
        assert_eq!(hoc_exp(-700.5), 0.0);
        assert_eq!(hoc_exp(-699.0), (-699f64).exp());
        assert_eq!(hoc_exp(800.0), 700f64.exp());
        assert!(hoc_exp(f64::NAN).is_nan());
    }

    #[test]
    fn nernst_matches_neuron_edge_cases_and_hco_eca() {
        assert_eq!(nernst(0.0, 2.0, 2.0, 6.3), 1e6);
        assert_eq!(nernst(1.0, 0.0, 2.0, 6.3), -1e6);
        assert_eq!(nernst(1.0, 2.0, 0.0, 6.3), 0.0);
        // neuron-semantics §8: eca = 127.5895 mV for cai 5e-5, cao 2 at 6.3 °C.
        let e = nernst(5e-5, 2.0, 2.0, 6.3);
        assert!((e - 127.5895).abs() < 1e-4, "{e}");
    }

    #[test]
    fn ghk_is_continuous_at_zero_voltage() {
        let a = ghk(1e-9, 1e-4, 2.0, 2.0, 6.3);
        let b = ghk(-1e-9, 1e-4, 2.0, 2.0, 6.3);
        assert!((a - b).abs() < 1e-6 * a.abs());
        // At v = 0 the flux is z·F·1e-3·(ci − co).
        let c = ghk(0.0, 1e-4, 2.0, 2.0, 6.3);
        assert!((c - 0.001 * 2.0 * FARADAY * (1e-4 - 2.0)).abs() < 1e-9);
    }

    #[test]
    fn instance_seeds_separate_names_owners_and_component_order() {
        let a = instance_seed("NetStim", &[0, 3]);
        assert_eq!(a, instance_seed("NetStim", &[0, 3]));
        assert_ne!(a, instance_seed("NetStim", &[3, 0]));
        assert_ne!(a, instance_seed("NetStim", &[0, 4]));
        assert_ne!(a, instance_seed("NetStin", &[0, 3]));
        assert_ne!(instance_seed("x", &[]), instance_seed("x", &[0]));
        // Neighbouring instances start unrelated streams, not shifted copies of one another.
        let mut s0 = RandomStream::new(instance_seed("NetStim", &[0, 0]));
        let mut s1 = RandomStream::new(instance_seed("NetStim", &[0, 1]));
        let d0: Vec<f64> = (0..64).map(|_| s0.uniform()).collect();
        let d1: Vec<f64> = (0..64).map(|_| s1.uniform()).collect();
        assert!(d0.iter().all(|x| !d1.contains(x)));
    }
}

#[cfg(test)]
mod exp_tests {
    use super::*;

    /// The resolved C `exp` must give `f64::exp`'s bits everywhere `hoc_Exp` calls it.
    #[test]
    fn resolved_exp_matches_the_standard_exp_bit_for_bit() {
        let f = libm_exp();
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..2_000_000u32 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            // Wide range, plus the narrow ranges rate functions live in.
            let x = match i % 3 {
                0 => -700.0 + 1400.0 * u,
                1 => -40.0 + 80.0 * u,
                _ => -1e-3 + 2e-3 * u,
            };
            // SAFETY: a C `exp`.
            let got = unsafe { f(x) };
            assert_eq!(got.to_bits(), x.exp().to_bits(), "exp({x:e})");
        }
        assert_eq!(hoc_exp(-701.0), 0.0);
        assert_eq!(hoc_exp(701.0).to_bits(), 700f64.exp().to_bits());
        assert!(hoc_exp(f64::NAN).is_nan());
    }
}
