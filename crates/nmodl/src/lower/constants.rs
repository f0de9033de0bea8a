//! Physical constants of the UNITS block (`FARADAY = (faraday) (coulomb)`).
//!
//! NEURON 9 uses the 2018 CODATA values. The unit written after the constant scales it the
//! way nrnunits does: `(faraday) (kilocoulombs)` is the Faraday constant expressed in kC,
//! i.e. divided by 1000.

/// Faraday constant e·N_A in C/mol (CODATA 2018), as nocmodl 9 emits it.
pub const FARADAY: f64 = 96485.33212331001;
/// Gas constant k·N_A in J/(K·mol) (CODATA 2018).
pub const GAS_CONSTANT: f64 = 8.31446261815324;

/// Value of `(constant) (unit)`; None when the constant is unknown.
pub(crate) fn named_constant(constant: &str, unit: Option<&str>) -> Option<f64> {
    let c = constant.trim().to_ascii_lowercase();
    let (value, base_unit) = match c.as_str() {
        "faraday" => (FARADAY, "coulomb"),
        "k-mole" | "r" => (GAS_CONSTANT, "joule"),
        "pi" => (std::f64::consts::PI, ""),
        "e" | "electron_charge" => (1.602176634e-19, "coulomb"),
        "avogadro" | "mole" => (6.02214076e23, ""),
        "boltzmann" | "k" => (1.380649e-23, "joule"),
        _ => return None,
    };
    let Some(unit) = unit else { return Some(value) };
    let scale = unit_scale(unit.trim(), base_unit);
    Some(match scale {
        Scale::Identity => value,
        Scale::Divide(d) => value / d,
        Scale::Multiply(m) => value * m,
    })
}

enum Scale {
    Identity,
    Divide(f64),
    Multiply(f64),
}

/// How a value in `base` units converts to `unit` (only SI-prefixed forms of the base unit).
fn unit_scale(unit: &str, base: &str) -> Scale {
    let u = unit.to_ascii_lowercase();
    let u = u.trim_end_matches('s');
    let aliases: &[&str] = match base {
        "coulomb" => &["coulomb", "coul", "c"],
        "joule" => &["joule", "j"],
        _ => &[],
    };
    for a in aliases {
        if let Some(prefix) = u.strip_suffix(a) {
            return match prefix {
                "" => Scale::Identity,
                "kilo" | "k" => Scale::Divide(1e3),
                "mega" => Scale::Divide(1e6),
                "milli" | "m" => Scale::Multiply(1e3),
                "micro" | "u" => Scale::Multiply(1e6),
                "nano" | "n" => Scale::Multiply(1e9),
                "pico" | "p" => Scale::Multiply(1e12),
                _ => Scale::Identity,
            };
        }
    }
    // Composite units such as `(joule/degC)` or `(coulomb/mole)` keep the value as is.
    Scale::Identity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faraday_in_coulomb_and_kilocoulomb() {
        assert_eq!(
            named_constant("faraday", Some("coulomb")),
            Some(96485.33212331001)
        );
        assert_eq!(
            named_constant("faraday", Some("kilocoulombs")),
            Some(96485.33212331001 / 1e3)
        );
        assert_eq!(
            named_constant("k-mole", Some("joule/degC")),
            Some(8.31446261815324)
        );
        assert_eq!(named_constant("nonsense", None), None);
    }
}
