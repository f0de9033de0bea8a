//! A bit-exact port of the parts of numpy's legacy random API that BMTK's BioNet uses
//! (`np.random.RandomState(gid)` and its `choice`), plus the numpy reductions whose rounding
//! decides which segment a synapse lands on.
//!
//! Checked against numpy itself: `tests/fixtures/numpy_random.json`, written by
//! `scripts/make_numpy_fixture.py`.

mod mt19937;
mod random_state;
mod reductions;

pub use mt19937::Mt19937;
pub use random_state::RandomState;
pub use reductions::{cumsum, kahan_sum, numpy_sum, pairwise_sum, searchsorted_right};
