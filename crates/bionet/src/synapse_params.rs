//! From an edge's `model_template` and `dynamics_params` JSON to a point process and its
//! parameter values (`bmtk/simulator/bionet/default_setters/synapse_models.py`, looked up by
//! `model_template` through `nrn.py_modules.synapse_model`).
//!
//! BMTK 1.2.0's working loaders:
//! * `Exp2Syn` and `exp2syn` → `Exp2Syn` with `e = erev`, `tau1`, `tau2` (all three required);
//! * `expsyn` → `ExpSyn` with `e = erev`, `tau = tau1`.
//!
//! Everything else in `dynamics_params` is ignored — `level_of_detail` included: BMTK never
//! reads it, the template name alone picks the loader. Other names (`ExpSyn` with a capital,
//! custom mechanisms) have no loader in BMTK (a `KeyError` unless Python code registers one),
//! and BMTK's `stp*syn`, `tmgsyn`, `exp1syn` loaders expect lists and fail on the scalar
//! position BMTK passes. bmtk-rs instead maps them generically: the mechanism named
//! `model_template`, every numeric entry set by name, `erev` renamed `e`.

use serde_json::{Map, Value};

use crate::Error;

/// A point process to create for each synapse, with parameters in assignment order.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapseModel {
    /// NMODL POINT_PROCESS name.
    pub mechanism: String,
    pub parameters: Vec<(String, f64)>,
    /// `dynamics_params` entries that were not applied (for a warning).
    pub ignored: Vec<String>,
}

/// Maps `dynamics_params` onto the point process for `model_template` (see module docs).
/// `mechanism_parameters`, when known, lists the settable names of a generic mechanism;
/// an entry that is none of them is then an error rather than a silent no-op.
pub fn synapse_model(
    model_template: &str,
    dynamics_params: &Map<String, Value>,
    mechanism_parameters: Option<&[&str]>,
) -> Result<SynapseModel, Error> {
    let fixed: Option<(&str, &[(&str, &str)])> = match model_template {
        "Exp2Syn" | "exp2syn" => Some((
            "Exp2Syn",
            &[("e", "erev"), ("tau1", "tau1"), ("tau2", "tau2")],
        )),
        "expsyn" => Some(("ExpSyn", &[("e", "erev"), ("tau", "tau1")])),
        _ => None,
    };
    if let Some((mechanism, mapping)) = fixed {
        let mut parameters = Vec::with_capacity(mapping.len());
        for &(target, source) in mapping {
            let value = dynamics_params
                .get(source)
                .and_then(number)
                .ok_or_else(|| Error::MissingSynapseParameter {
                    model: model_template.to_string(),
                    name: source.to_string(),
                })?;
            parameters.push((target.to_string(), value));
        }
        let used: Vec<&str> = mapping.iter().map(|&(_, source)| source).collect();
        let ignored = dynamics_params
            .keys()
            .filter(|k| !used.contains(&k.as_str()))
            .cloned()
            .collect();
        return Ok(SynapseModel {
            mechanism: mechanism.to_string(),
            parameters,
            ignored,
        });
    }

    let mut parameters = Vec::new();
    let mut ignored = Vec::new();
    for (key, value) in dynamics_params {
        let name = if key == "erev" { "e" } else { key.as_str() };
        match number(value) {
            Some(v) if key != "level_of_detail" => {
                if let Some(known) = mechanism_parameters {
                    if !known.contains(&name) {
                        return Err(Error::UnknownSynapseParameter {
                            model: model_template.to_string(),
                            name: key.clone(),
                        });
                    }
                }
                parameters.push((name.to_string(), v));
            }
            _ => ignored.push(key.clone()),
        }
    }
    Ok(SynapseModel {
        mechanism: model_template.to_string(),
        parameters,
        ignored,
    })
}

/// JSON numbers (and booleans, which Python treats as 0/1 when assigned) as f64.
fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(text: &str) -> Map<String, Value> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn exp2syn_renames_erev_and_ignores_level_of_detail() {
        let p =
            params(r#"{"level_of_detail": "exp2syn", "tau1": 0.2, "tau2": 8.0, "erev": -70.0}"#);
        for template in ["Exp2Syn", "exp2syn"] {
            let m = synapse_model(template, &p, None).unwrap();
            assert_eq!(m.mechanism, "Exp2Syn");
            assert_eq!(
                m.parameters,
                vec![
                    ("e".to_string(), -70.0),
                    ("tau1".to_string(), 0.2),
                    ("tau2".to_string(), 8.0)
                ]
            );
            assert_eq!(m.ignored, vec!["level_of_detail".to_string()]);
        }
        let missing = params(r#"{"tau1": 0.2, "erev": 0}"#);
        assert!(matches!(
            synapse_model("Exp2Syn", &missing, None),
            Err(Error::MissingSynapseParameter { name, .. }) if name == "tau2"
        ));
    }

    #[test]
    fn expsyn_takes_tau_from_tau1() {
        let p = params(r#"{"tau1": 2.0, "tau2": 9.0, "erev": 0.0}"#);
        let m = synapse_model("expsyn", &p, None).unwrap();
        assert_eq!(m.mechanism, "ExpSyn");
        assert_eq!(
            m.parameters,
            vec![("e".to_string(), 0.0), ("tau".to_string(), 2.0)]
        );
    }

    #[test]
    fn other_mechanisms_map_by_name() {
        let p = params(
            r#"{"level_of_detail": "x", "erev": -80, "tau_d": 5.5, "note": "hi", "flag": true}"#,
        );
        let m = synapse_model("InhSyn", &p, None).unwrap();
        assert_eq!(m.mechanism, "InhSyn");
        assert_eq!(
            m.parameters,
            vec![
                ("e".to_string(), -80.0),
                ("tau_d".to_string(), 5.5),
                ("flag".to_string(), 1.0)
            ]
        );
        assert_eq!(
            m.ignored,
            vec!["level_of_detail".to_string(), "note".to_string()]
        );
        assert!(synapse_model("InhSyn", &p, Some(&["e", "tau_d"])).is_err());
        assert!(synapse_model("InhSyn", &p, Some(&["e", "tau_d", "flag"])).is_ok());
    }
}
