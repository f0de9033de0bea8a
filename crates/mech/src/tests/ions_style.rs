//! Ion style promotion as `nrn_promote` does it.

use nmodl::ir::{IonUse, IonVar};

use crate::ions::{promote, STYLE_CINIT, STYLE_EADVANCE, STYLE_EINIT};
use crate::{Catalogue, IonStore};

const HCO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/hco/biophys_components/mechanisms/modfiles"
);

fn usage(name: &str, read: &[IonVar], write: &[IonVar]) -> IonUse {
    IonUse {
        name: name.into(),
        read: read.to_vec(),
        write: write.to_vec(),
        valence: None,
    }
}

#[test]
fn hco_calcium_gets_style_0367() {
    // capool READs ica, cai, cao and WRITEs cai; cat/cas READ eca WRITE ica; kca READs cai.
    use IonVar::*;
    let uses = [
        usage("ca", &[Current, Inside, Outside], &[Inside]),
        usage("ca", &[Erev], &[Current]),
        usage("ca", &[Erev], &[Current]),
        usage("ca", &[Inside], &[]),
    ];
    let mut b = IonStore::builder();
    for u in &uses {
        b.use_ion(u, &[0, 1]).unwrap();
    }
    let ions = b.build().unwrap();
    assert_eq!(ions.ions[0].styles, vec![0o367, 0o367]);
    assert_eq!(ions.ions[0].style, 0o367);
}

#[test]
fn hco_mod_files_promote_calcium_when_compiled() {
    let mut cat = Catalogue::new();
    let mut b = IonStore::builder();
    for f in ["capool", "cat", "cas", "kca"] {
        let path = std::path::Path::new(HCO).join(format!("{f}.mod"));
        if !path.exists() {
            return; // shared models absent on this checkout
        }
        let name = cat.add_user_file(&path).unwrap();
        b.add_mechanism(&cat.mechanism(&name).unwrap(), &[3])
            .unwrap();
    }
    let ions = b.build().unwrap();
    let ca = &ions.ions[ions.index_of("ca").unwrap()];
    assert_eq!(ca.styles, vec![0o367]);
    assert_eq!(ca.valence, 2.0);
    // capool writes a concentration, so it comes first in memb_order.
    assert_eq!(
        cat.memb_order(&["cat", "capool", "kca"]).unwrap()[0],
        "capool"
    );
}

#[test]
fn hh_reads_reversal_potentials_only() {
    let cat = Catalogue::new();
    let hh = cat.mechanism("hh").unwrap();
    let mut b = IonStore::builder();
    b.add_mechanism(&hh, &[0]).unwrap();
    let mut ions = b.build().unwrap();
    for ion in &ions.ions {
        assert_eq!(ion.styles, vec![0o10], "{}", ion.name); // rev = 1 (constant), nothing else
    }
    // ek assigned by the cell survives init and current_begin (no einit/eadvance).
    assert!(ions.set_value("k", 0, IonVar::Erev, -80.0));
    ions.init(6.3);
    ions.current_begin(6.3);
    assert_eq!(ions.value("k", 0, IonVar::Erev), Some(-80.0));
    assert_eq!(ions.value("na", 0, IonVar::Erev), Some(50.0));
}

#[test]
fn promotion_rules() {
    assert_eq!(promote(0, 1, 0), 1 + 0o20 + STYLE_EINIT);
    assert_eq!(
        promote(0, 3, 0),
        3 + 0o20 + STYLE_CINIT + STYLE_EINIT + STYLE_EADVANCE
    );
    assert_eq!(promote(0, 3, 3), 3 + 0o30 + STYLE_CINIT);
    assert_eq!(promote(0, 0, 1), 0o10);
}

#[test]
fn cinit_overwrites_assigned_concentrations_and_einit_uses_nernst() {
    use IonVar::*;
    let mut b = IonStore::builder();
    b.use_ion(&usage("ca", &[Current, Inside, Outside], &[Inside]), &[0])
        .unwrap();
    let mut ions = b.build().unwrap();
    ions.set_value("ca", 0, Outside, 3.0);
    ions.set_value("ca", 0, Inside, 50e-6);
    ions.init(6.3);
    assert_eq!(ions.value("ca", 0, Outside), Some(2.0));
    assert_eq!(ions.value("ca", 0, Inside), Some(5e-5));
    let e = ions.value("ca", 0, Erev).unwrap();
    assert_eq!(e, crate::math::nernst(5e-5, 2.0, 2.0, 6.3));
    // eadvance: current_begin recomputes e after a concentration change.
    ions.set_value("ca", 0, Inside, 1e-4);
    ions.current_begin(6.3);
    assert_eq!(
        ions.value("ca", 0, Erev).unwrap(),
        crate::math::nernst(1e-4, 2.0, 2.0, 6.3)
    );
}

#[test]
fn unknown_valence_is_an_error() {
    let mut b = IonStore::builder();
    b.use_ion(&usage("h", &[IonVar::Erev], &[IonVar::Current]), &[0])
        .unwrap();
    assert!(matches!(b.build(), Err(crate::Error::MissingValence(_))));
}
