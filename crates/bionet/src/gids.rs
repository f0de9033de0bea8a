//! How BioNet numbers cells (`GidPool` in `bmtk/simulator/bionet/gids.py`, filled by
//! `BioNetwork.add_nodes` in the order `SimNetwork.from_config` loads node populations).
//!
//! Populations are added in the order of the circuit config's `networks.nodes` list and,
//! within one nodes file, in HDF5 name order (h5py iterates `/nodes` alphabetically); virtual
//! populations take part too. Each population reserves `max(node_id) + 1` gids starting where
//! the previous one ended: gid = offset(population) + node_id. The gid is also the seed of the
//! cell's synapse-placement stream.

use crate::Error;

/// Gid offsets of node populations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GidPool {
    /// (population, first gid, gids reserved), in insertion order.
    pools: Vec<(String, u64, u64)>,
    next: u64,
}

impl GidPool {
    pub fn new() -> Self {
        GidPool::default()
    }

    /// Reserves gids for a population with these node ids (any order).
    pub fn add_population(&mut self, name: &str, node_ids: &[u64]) -> Result<(), Error> {
        if self.pools.iter().any(|(n, _, _)| n == name) {
            return Err(Error::DuplicatePopulation(name.to_string()));
        }
        let max = node_ids
            .iter()
            .max()
            .ok_or_else(|| Error::EmptyPopulation(name.to_string()))?;
        let count = max + 1;
        self.pools.push((name.to_string(), self.next, count));
        self.next += count;
        Ok(())
    }

    /// gid of (population, node id).
    pub fn gid(&self, population: &str, node_id: u64) -> Result<u64, Error> {
        let (_, offset, count) = self
            .pools
            .iter()
            .find(|(n, _, _)| n == population)
            .ok_or_else(|| Error::UnknownPopulation(population.to_string()))?;
        if node_id >= *count {
            return Err(Error::NodeIdOutOfRange {
                population: population.to_string(),
                node_id,
            });
        }
        Ok(offset + node_id)
    }

    /// (population, node id) of a gid.
    pub fn population_of(&self, gid: u64) -> Option<(&str, u64)> {
        self.pools
            .iter()
            .find(|(_, offset, count)| gid >= *offset && gid < offset + count)
            .map(|(name, offset, _)| (name.as_str(), gid - offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_accumulate_max_id_plus_one() {
        let mut pool = GidPool::new();
        pool.add_population("v1", &[0, 1, 2]).unwrap();
        pool.add_population("lgn", &[4, 0]).unwrap(); // sparse ids reserve up to the max
        pool.add_population("bkg", &[0]).unwrap();
        assert_eq!(pool.gid("v1", 2).unwrap(), 2);
        assert_eq!(pool.gid("lgn", 0).unwrap(), 3);
        assert_eq!(pool.gid("lgn", 4).unwrap(), 7);
        assert_eq!(pool.gid("bkg", 0).unwrap(), 8);
        assert_eq!(pool.population_of(7), Some(("lgn", 4)));
        assert_eq!(pool.population_of(9), None);
        assert!(pool.gid("lgn", 5).is_err());
        assert!(pool.gid("x", 0).is_err());
        assert!(pool.add_population("v1", &[0]).is_err());
        assert!(pool.add_population("empty", &[]).is_err());
    }
}
