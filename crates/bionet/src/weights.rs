//! Synaptic weights of BioNet connections (`SonataBaseEdge.syn_weight` /
//! `syn_weight_function` in `bmtk/simulator/core/sonata_reader/edge_adaptor.py`, functions in
//! `bmtk/simulator/bionet/default_setters/synaptic_weights.py`).
//!
//! The NetCon weight is the edge's `syn_weight` (an edge-group column overrides the edge-type
//! value) unless the edges have a `weight_function` column, whose named function computes it.
//! The built-in names `default_weight_fnc`, `set_syn_weight` and `wmax` all return
//! `syn_weight` unchanged (an empty `weight_function` means `default_weight_fnc`);
//! `gaussianLL` scales it by orientation tuning. `nsyns` does **not** scale the weight: each of
//! the `nsyns` synapses of an edge gets its own NetCon carrying the full weight and the edge's
//! `delay`.

use crate::Error;

/// What a `weight_function` needs from the edge and its two end nodes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightInputs {
    pub syn_weight: Option<f64>,
    /// Edge property `weight_sigma` (gaussianLL).
    pub weight_sigma: Option<f64>,
    /// Node property `tuning_angle` of the source and target (gaussianLL).
    pub source_tuning_angle: Option<f64>,
    pub target_tuning_angle: Option<f64>,
}

/// The NetCon weight BMTK assigns. `weight_function` is the edge's value of that column, if
/// the column exists.
pub fn synaptic_weight(weight_function: Option<&str>, inputs: &WeightInputs) -> Result<f64, Error> {
    let need = |value: Option<f64>, name: &str| {
        value.ok_or_else(|| Error::MissingEdgeProperty(name.to_string()))
    };
    match weight_function.filter(|name| !name.is_empty()) {
        None | Some("default_weight_fnc") | Some("set_syn_weight") | Some("wmax") => {
            need(inputs.syn_weight, "syn_weight")
        }
        Some("gaussianLL") => Ok(gaussian_ll(
            need(inputs.syn_weight, "syn_weight")?,
            need(inputs.weight_sigma, "weight_sigma")?,
            need(inputs.source_tuning_angle, "tuning_angle")?,
            need(inputs.target_tuning_angle, "tuning_angle")?,
        )),
        Some(other) => Err(Error::UnknownWeightFunction(other.to_string())),
    }
}

/// BMTK's `gaussianLL`: $w_0 \exp(-(\Delta/\sigma)^2)$ with the tuning difference folded into
/// [0°, 90°]: $\Delta = \big|\,\big|\,|180 - (|t - s| \bmod 360)| - 90\big| - 90\big|$ (in Python's
/// expression the `%` binds tighter than the subtraction).
pub fn gaussian_ll(w0: f64, sigma: f64, source_tuning: f64, target_tuning: f64) -> f64 {
    let folded = (180.0 - (target_tuning - source_tuning).abs() % 360.0).abs();
    let delta = ((folded - 90.0).abs() - 90.0).abs();
    w0 * (-(delta / sigma).powi(2)).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_functions_return_syn_weight() {
        let inputs = WeightInputs {
            syn_weight: Some(0.04),
            ..Default::default()
        };
        for f in [
            None,
            Some(""),
            Some("wmax"),
            Some("default_weight_fnc"),
            Some("set_syn_weight"),
        ] {
            assert_eq!(synaptic_weight(f, &inputs).unwrap(), 0.04);
        }
        assert!(synaptic_weight(Some("my_fn"), &inputs).is_err());
        assert!(synaptic_weight(None, &WeightInputs::default()).is_err());
    }

    #[test]
    fn gaussian_tuning_peaks_at_equal_angles() {
        assert_eq!(gaussian_ll(2.0, 30.0, 45.0, 45.0), 2.0);
        // 90° apart → Δ = 90.
        assert!((gaussian_ll(2.0, 30.0, 0.0, 90.0) - 2.0 * (-9.0f64).exp()).abs() < 1e-15);
        // Opposite directions count as the same orientation: 180° apart → Δ = 0.
        assert_eq!(gaussian_ll(1.0, 30.0, 10.0, 190.0), 1.0);
        // 300° apart: |180 − 300| = 120 → Δ = 60.
        assert!(
            (gaussian_ll(1.0, 30.0, 0.0, 300.0) - (-(60.0f64 / 30.0).powi(2)).exp()).abs() < 1e-15
        );
    }
}
