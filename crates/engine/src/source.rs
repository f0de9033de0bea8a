//! Where compiled mechanisms come from. The `mech` crate's catalogue implements this trait
//! (through a small adapter); tests may implement it with hand-written mechanism sets.

use std::sync::Arc;

use mech::{Catalogue, IonStore, MechanismSet};
use nmodl::ir;

/// A provider of compiled mechanisms and of their instance sets.
pub trait MechanismSource {
    /// The compiled mechanism `name` (SUFFIX or point-process/artificial-cell name).
    fn mechanism(&self, name: &str) -> Option<Arc<ir::Mechanism>>;
    /// NEURON's registration position of `name` (built-ins first, then user `.mod` files in
    /// the order given to `nrnivmodl`); it decides `memb_order_` and so the summation order.
    fn registration_index(&self, name: &str) -> Option<usize>;
    /// Creates the instance set of `name` with one instance per entry of `nodes` (sorted by
    /// node; repeated for several point processes at one node; ignored for artificial cells).
    /// `ions` is already laid out, so instances can find their ion entries. `set_id` is the
    /// set's position in execution order.
    fn instantiate(
        &self,
        name: &str,
        nodes: &[u32],
        ions: &IonStore,
        set_id: usize,
    ) -> Result<Box<dyn MechanismSet>, String>;
}

/// The `mech` catalogue (built-ins plus user `.mod` files) as a mechanism source.
impl MechanismSource for Catalogue {
    fn mechanism(&self, name: &str) -> Option<Arc<ir::Mechanism>> {
        Catalogue::mechanism(self, name).ok()
    }

    fn registration_index(&self, name: &str) -> Option<usize> {
        self.names().iter().position(|n| *n == name)
    }

    fn instantiate(
        &self,
        name: &str,
        nodes: &[u32],
        ions: &IonStore,
        set_id: usize,
    ) -> Result<Box<dyn MechanismSet>, String> {
        Catalogue::instantiate(self, name, nodes.to_vec(), ions, set_id).map_err(|e| e.to_string())
    }
}
