//! Ion variable names as cell descriptions and probes spell them (`ek`, `cai`, `ina` …).
//! Ion storage and behaviour (style bits, `ion_init`, `ion_cur`) live in `mech::IonStore`.

use nmodl::ir::IonVar;

/// Splits an ion variable name (`ek`, `cai`, `nao`, `ina`, `dica_dv_`) for one of `ions`.
pub fn split_variable<'a>(
    name: &str,
    ions: impl IntoIterator<Item = &'a str>,
) -> Option<(String, IonVar)> {
    for ion in ions {
        let var = if name == format!("e{ion}") {
            IonVar::Erev
        } else if name == format!("{ion}i") {
            IonVar::Inside
        } else if name == format!("{ion}o") {
            IonVar::Outside
        } else if name == format!("i{ion}") {
            IonVar::Current
        } else if name == format!("di{ion}_dv_") {
            IonVar::DCurrentDv
        } else {
            continue;
        };
        return Some((ion.to_string(), var));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ion_variable_names() {
        let ions = ["na", "ca"];
        assert_eq!(
            split_variable("cai", ions),
            Some(("ca".into(), IonVar::Inside))
        );
        assert_eq!(
            split_variable("ena", ions),
            Some(("na".into(), IonVar::Erev))
        );
        assert_eq!(
            split_variable("dina_dv_", ions),
            Some(("na".into(), IonVar::DCurrentDv))
        );
        assert_eq!(split_variable("ek", ions), None);
    }
}
