//! Rate table data: piecewise-cubic representations of a kernel's pure functions of `v`
//! (see [`crate::simd::rate_table`]), built at run time for the run's `dt`, `celsius` and
//! global values, and shared by every set that needs the same table.
//!
//! The table covers [`LO`] ≤ v < [`LO`] + [`INTERVALS`]·[`STEP`] in intervals of [`STEP`] mV.
//! On interval i (from xᵢ = LO + i·h) each function is the cubic Hermite interpolant of its
//! values fᵢ, fᵢ₊₁ and slopes dᵢ, dᵢ₊₁, stored in the local coordinate t = (v − xᵢ)/h ∈ [0, 1):
//!
//! p(t) = c₀ + c₁t + c₂t² + c₃t³, c₀ = fᵢ, c₁ = h·dᵢ, c₂ = 3(fᵢ₊₁ − fᵢ) − h(2dᵢ + dᵢ₊₁),
//! c₃ = 2(fᵢ − fᵢ₊₁) + h(dᵢ + dᵢ₊₁),
//!
//! with slopes from fourth-order central differences, dᵢ = (fᵢ₋₂ − 8fᵢ₋₁ + 8fᵢ₊₁ − fᵢ₊₂)/(12h).
//! Interpolation error is O(h⁴·f⁽⁴⁾): about 10⁻¹¹ relative for rate functions whose
//! exponentials have slopes of a few mV. Every interval is checked at its midpoint against the
//! function itself; a function that misses [`TOLERANCE`] anywhere (a jump, a pole, a
//! non-finite value) is flagged and the kernels evaluate it directly.
//!
//! Layout (f64): a header ([`header_len`]: `[LO, 1/h, INTERVALS, all]` and a validity flag per
//! function, all = 1 when every flag is), then one row per interval. A row holds the functions
//! in pairs (2q, 2q + 1) — an odd count is padded with a zero function — and each pair's
//! coefficients interleaved, `[c₀(f₂q), c₀(f₂q₊₁), c₁(f₂q), c₁(f₂q₊₁), …, c₃(f₂q₊₁)]`
//! ([`coefficient_at`]): one instance evaluates two functions with one `f64x2` multiply-add
//! chain, and an instance's lookups touch one or two cache lines. When no function is tabulated the header's interval
//! count is −1: no v passes the range check `0 ≤ (v − LO)/h < INTERVALS` and the kernels skip
//! the table altogether.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use crate::simd::rate_table::Pure;

/// Lowest potential of the table (mV).
pub const LO: f64 = -128.0;
/// Interval width (mV); a power of two, so index arithmetic is exact.
pub const STEP: f64 = 0.0625;
/// Number of intervals: the table ends at +128 mV.
pub const INTERVALS: usize = 4096;
/// f64 values before the first interval.
pub const HEADER: usize = 4;
/// Largest accepted interpolation error at an interval midpoint, relative to the larger of the
/// function's value there and 10⁻⁶ of its largest magnitude on the table.
pub const TOLERANCE: f64 = 1e-8;

/// What a built table depends on besides its functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub dt: f64,
    pub celsius: f64,
    /// Values of the globals the functions read, by global id (others 0).
    pub globals: Vec<f64>,
}

/// The globals `functions` read (their values are part of a table's [`Inputs`]).
pub fn globals_read(functions: &[Pure]) -> Vec<u32> {
    let mut set = BTreeSet::new();
    functions.iter().for_each(|f| f.globals(&mut set));
    set.into_iter().collect()
}

/// f64 values before the first interval of a table of `nf` functions: `[LO, 1/h, N, all]`
/// (all = 1 when every function is tabulated, else 0), then
/// one validity flag per function (1: tabulated, 0: evaluate directly), padded to a multiple
/// of four so rows start 32-byte aligned relative to the table.
pub fn header_len(nf: usize) -> usize {
    HEADER + nf.div_ceil(4) * 4
}

/// f64 values per interval row: the functions in pairs, four coefficients each.
pub fn row_len(nf: usize) -> usize {
    nf.div_ceil(2) * 8
}

/// Index of coefficient `k` (0…3) of function `j` on interval `i` in a table of `nf` functions.
pub fn coefficient_at(nf: usize, i: usize, j: usize, k: usize) -> usize {
    header_len(nf) + i * row_len(nf) + (j / 2) * 8 + 2 * k + j % 2
}

/// Builds the table of `functions` (layout in the module docs).
pub fn build(functions: &[Pure], inputs: &Inputs) -> Vec<f64> {
    let nf = functions.len();
    let head = header_len(nf);
    let mut out = vec![0.0; head + INTERVALS * row_len(nf)];
    out[..HEADER].copy_from_slice(&[LO, 1.0 / STEP, INTERVALS as f64, 0.0]);
    for (j, f) in functions.iter().enumerate() {
        if let Some(coefficients) = &*pieces(f, inputs) {
            out[HEADER + j] = 1.0;
            for (i, c) in coefficients.iter().enumerate() {
                for (k, &ck) in c.iter().enumerate() {
                    out[coefficient_at(nf, i, j, k)] = ck;
                }
            }
        }
    }
    let flags = &out[HEADER..HEADER + nf];
    if flags.iter().all(|&valid| valid == 0.0) {
        out[2] = -1.0;
    } else if flags.iter().all(|&valid| valid == 1.0) {
        out[3] = 1.0;
    }
    out
}

type Pieces = Arc<Option<Vec<[f64; 4]>>>;

/// The cubic pieces of one function for `inputs` (None: not representable), fitted once per
/// process: a function appears in the table of its mechanism's kernel and again in that of a
/// fused group (`crate::fuse`).
fn pieces(f: &Pure, inputs: &Inputs) -> Pieces {
    let mut read = BTreeSet::new();
    f.globals(&mut read);
    let mut bits = vec![inputs.dt.to_bits(), inputs.celsius.to_bits()];
    bits.extend(read.iter().map(|&g| inputs.globals[g as usize].to_bits()));
    let key = (format!("{f:?}"), bits);
    let cache = pieces_cache();
    if let Some(hit) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(hit);
    }
    let eval = |f: &Pure, v: f64| f.eval(v, &inputs.globals, inputs.dt, inputs.celsius);
    let f = &f.with_knots(&eval);
    // Values at x_{-PAD} … x_{N+PAD}.
    let fv: Vec<f64> = (0..INTERVALS + 1 + 2 * PAD)
        .map(|k| eval(f, LO + (k as f64 - PAD as f64) * STEP))
        .collect();
    let mut coefficients = vec![[0.0; 4]; INTERVALS];
    let segment = match f.breaks() {
        None => Some(None),
        Some(grid) => grid.and_then(segments).map(Some),
    };
    let fitted = segment
        .filter(|&segment| fit(f, &fv, segment, &eval, &mut coefficients))
        .map(|_| coefficients);
    let fitted = Arc::new(fitted);
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, Arc::clone(&fitted));
    fitted
}

/// Grid values [`fit`] gets beyond each end of the table (for one-sided stencils).
const PAD: usize = 4;

/// The smooth pieces of a function whose kinks lie on the grid tmin + i·dx (a TABLE's, see
/// [`Pure::breaks`]): (offset, length) in table intervals, each piece covering intervals
/// offset + j·length … offset + (j + 1)·length − 1; None when the kinks are not table points
/// at least four intervals apart (the function is then evaluated directly).
fn segments((tmin, dx): (f64, f64)) -> Option<(i64, i64)> {
    let length = dx / STEP;
    let offset = (tmin - LO) / STEP;
    let whole = |x: f64| x.is_finite() && x == x.round();
    (whole(length) && whole(offset) && length >= 4.0).then(|| {
        let (o, l) = (offset as i64, length as i64);
        (o.rem_euclid(l), l)
    })
}

/// Fourth-order stencils for f′(x_k) from the five points x_{k+a} … x_{k+a+4}, a = −4 … 0
/// (row a + 4), in units of 1/(12h).
const STENCILS: [[f64; 5]; 5] = [
    [3.0, -16.0, 36.0, -48.0, 25.0],
    [-1.0, 6.0, -18.0, 10.0, 3.0],
    [1.0, -8.0, 0.0, 8.0, -1.0],
    [-3.0, -10.0, 18.0, -6.0, 1.0],
    [-25.0, 48.0, -36.0, 16.0, -3.0],
];

/// Hermite pieces of one function from its grid values `fv` (x_{−PAD} … x_{N+PAD}); false when
/// the function is not finite on the grid or a midpoint misses [`TOLERANCE`]. Slopes come
/// from central differences, or, for a function with kinks (`segment`, see [`segments`]),
/// from stencils that stay inside the smooth piece of the interval they serve.
fn fit(
    f: &Pure,
    fv: &[f64],
    segment: Option<(i64, i64)>,
    eval: &dyn Fn(&Pure, f64) -> f64,
    out: &mut [[f64; 4]],
) -> bool {
    let h = STEP;
    if fv.iter().any(|x| !x.is_finite()) {
        return false;
    }
    // f′ at table point k for interval i (k = i or i + 1).
    let slope = |i: usize, k: usize| {
        let a = match segment {
            None => -2,
            Some((offset, length)) => {
                let start = i as i64 - (i as i64 - offset).rem_euclid(length);
                let (lo, hi) = (start - k as i64, start + length - k as i64 - 4);
                (-2i64).min(hi).max(lo).clamp(-4, 0)
            }
        };
        let first = (k as i64 + a + PAD as i64) as usize;
        let w = &STENCILS[(a + 4) as usize];
        (0..5).map(|j| w[j] * fv[first + j]).sum::<f64>() / (12.0 * h)
    };
    let scale = fv.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    for (i, c) in out.iter_mut().enumerate() {
        let k = i + PAD;
        let (f0, f1) = (fv[k], fv[k + 1]);
        let (d0, d1) = (slope(i, i), slope(i, i + 1));
        *c = [
            f0,
            h * d0,
            3.0 * (f1 - f0) - h * (2.0 * d0 + d1),
            2.0 * (f0 - f1) + h * (d0 + d1),
        ];
        let mid = eval(f, LO + (i as f64 + 0.5) * h);
        let approx = c[0] + 0.5 * (c[1] + 0.5 * (c[2] + 0.5 * c[3]));
        let tolerance = TOLERANCE * mid.abs().max(1e-6 * scale);
        if !mid.is_finite() || (approx - mid).abs() > tolerance {
            return false;
        }
    }
    true
}

/// Whether function `j` of a built table is tabulated.
pub fn is_tabulated(table: &[f64], j: usize) -> bool {
    table.get(2).is_some_and(|&n| n > 0.0) && table.get(HEADER + j) == Some(&1.0)
}

type Key = (String, Vec<u64>);
type Cache = Mutex<HashMap<Key, Arc<Vec<f64>>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn pieces_cache() -> &'static Mutex<HashMap<Key, Pieces>> {
    static CACHE: OnceLock<Mutex<HashMap<Key, Pieces>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Forgets every shared table and fitted function (sets keep the tables they hold).
pub(crate) fn clear() {
    cache().lock().unwrap_or_else(|e| e.into_inner()).clear();
    pieces_cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clear();
}

/// The table of `functions` for `inputs`, built once per process and shared.
pub fn shared(functions: &[Pure], inputs: &Inputs) -> Arc<Vec<f64>> {
    let mut bits = vec![inputs.dt.to_bits(), inputs.celsius.to_bits()];
    bits.extend(inputs.globals.iter().map(|g| g.to_bits()));
    let key = (format!("{functions:?}"), bits);
    let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
    Arc::clone(
        cache
            .entry(key)
            .or_insert_with(|| Arc::new(build(functions, inputs))),
    )
}
