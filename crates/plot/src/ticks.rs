//! Axis ranges and "nice" tick values in 1–2–5 steps, with their labels.
//!
//! For a span `s` and a wish of about `n` ticks, the step is the member of `{1, 2, 5} · 10^k`
//! nearest to `s / n` on a log scale (switching at √2, √10, √50); ticks are the multiples of the
//! step inside the range.
//! Labels use the fewest decimals the step needs. When the numbers would be very small or very
//! large (step < 10⁻³ or |value| ≥ 10⁶) the axis gets a common factor `×1e<k>` instead, so that
//! `cai` in mM reads `1, 2, 3 ×1e-4` rather than `0.0001, 0.0002, 0.0003`.

/// Tick positions and labels of one axis.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ticks {
    pub values: Vec<f64>,
    pub labels: Vec<String>,
    /// Common power of ten shown once beside the axis, if any.
    pub exponent: Option<i32>,
}

/// The 1–2–5 step nearest to `rough` (log scale).
pub(crate) fn nice_step(rough: f64) -> f64 {
    if !(rough.is_finite() && rough > 0.0) {
        return 1.0;
    }
    let power = 10f64.powf(rough.log10().floor());
    let fraction = rough / power;
    let m = if fraction < 2f64.sqrt() {
        1.0
    } else if fraction < 10f64.sqrt() {
        2.0
    } else if fraction < 50f64.sqrt() {
        5.0
    } else {
        10.0
    };
    m * power
}

/// A usable (lo, hi) for data spanning `min..=max`: padded by `pad` of the span each side, and
/// widened around a constant or missing signal so the axis never has zero length.
pub(crate) fn padded_range(min: f64, max: f64, pad: f64) -> (f64, f64) {
    if !(min.is_finite() && max.is_finite()) || min > max {
        return (0.0, 1.0);
    }
    let span = max - min;
    if span <= f64::EPSILON * max.abs().max(min.abs()).max(f64::MIN_POSITIVE) {
        let half = if min == 0.0 { 1.0 } else { min.abs() * 0.1 };
        return (min - half, max + half);
    }
    (min - pad * span, max + pad * span)
}

/// About `target` ticks covering `lo..=hi`.
pub(crate) fn ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    // Bounded because step ≥ span/target; the cap only guards against pathological floats.
    let values: Vec<f64> = (first..=last.min(first + 100))
        .map(|k| {
            let v = k as f64 * step;
            if v.abs() < step * 1e-9 {
                0.0
            } else {
                v
            }
        })
        .collect();
    let biggest = values.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let exponent = if step < 1e-3 || biggest >= 1e6 {
        Some(step.log10().floor() as i32)
    } else {
        None
    };
    let factor = 10f64.powi(-exponent.unwrap_or(0));
    let scaled_step = step * factor;
    let decimals = (-(scaled_step.log10().floor()) as i32).max(0) as usize;
    let labels = values
        .iter()
        .map(|v| format_fixed(v * factor, decimals))
        .collect();
    Ticks {
        values,
        labels,
        exponent,
    }
}

/// Fixed-point text without a "-0".
fn format_fixed(v: f64, decimals: usize) -> String {
    let text = format!("{v:.decimals$}");
    if text
        .trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        text.trim_start_matches('-').to_string()
    } else {
        text
    }
}

/// Integer ticks for node ids: like [`ticks`] but never a fractional step.
pub(crate) fn integer_ticks(lo: f64, hi: f64, target: usize) -> Ticks {
    let mut t = ticks(lo, hi, target);
    if t.exponent.is_none() && nice_step((hi - lo) / target.max(1) as f64) < 1.0 {
        let first = lo.ceil() as i64;
        let last = hi.floor() as i64;
        t.values = (first..=last).map(|v| v as f64).collect();
        t.labels = (first..=last).map(|v| v.to_string()).collect();
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_one_two_five() {
        assert_eq!(nice_step(0.9), 1.0);
        assert_eq!(nice_step(1.2), 1.0);
        assert_eq!(nice_step(1.5), 2.0);
        assert_eq!(nice_step(3.0), 2.0);
        assert_eq!(nice_step(3.3), 5.0);
        assert_eq!(nice_step(7.5), 10.0);
        assert_eq!(nice_step(180.0), 200.0);
        assert!((nice_step(0.00031) - 0.0002).abs() < 1e-15);
    }

    #[test]
    fn membrane_potential_axis() {
        let t = ticks(-72.0, 38.0, 5);
        assert_eq!(t.labels, ["-60", "-40", "-20", "0", "20"]);
        assert_eq!(t.exponent, None);
    }

    #[test]
    fn time_axis_includes_both_ends() {
        let t = ticks(0.0, 1000.0, 6);
        assert_eq!(t.labels, ["0", "200", "400", "600", "800", "1000"]);
    }

    #[test]
    fn fractional_steps_get_decimals() {
        let t = ticks(0.0, 1.0, 2);
        assert_eq!(t.labels, ["0.0", "0.5", "1.0"]);
        let t = ticks(0.0, 1.0, 5);
        assert_eq!(t.labels, ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        let t = ticks(-0.35, 0.35, 6);
        assert!(t.labels.contains(&"0.0".to_string()), "{:?}", t.labels);
    }

    #[test]
    fn tiny_values_use_a_common_exponent() {
        let t = ticks(5e-5, 4.2e-4, 4);
        assert_eq!(t.exponent, Some(-4));
        assert_eq!(t.labels, ["1", "2", "3", "4"]);
    }

    #[test]
    fn constant_and_empty_data_still_give_an_axis() {
        let (lo, hi) = padded_range(-65.0, -65.0, 0.05);
        assert!(lo < -65.0 && hi > -65.0);
        assert_eq!(padded_range(f64::NAN, 1.0, 0.05), (0.0, 1.0));
        assert!(!ticks(lo, hi, 5).values.is_empty());
    }

    #[test]
    fn node_ids_are_integers() {
        let t = integer_ticks(-0.5, 1.5, 5);
        assert_eq!(t.labels, ["0", "1"]);
    }
}
