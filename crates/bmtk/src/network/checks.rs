//! Checks of node and edge populations before anything is connected.

use anyhow::{anyhow, bail};
use sonata::edges::EdgePopulation;
use sonata::network::Network;
use sonata::nodes::NodePopulation;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Biophysical,
    Virtual,
}

/// Whether a population's nodes are all virtual or all simulated; mixed ones are refused
/// (BMTK raises `NotImplementedError` for their edges).
pub(super) fn population_kind(population: &NodePopulation) -> anyhow::Result<Kind> {
    let is_virtual = |i: usize| {
        population
            .property(i, "model_type")
            .is_some_and(|p| p.as_str() == "virtual")
    };
    let n_virtual = (0..population.len()).filter(|&i| is_virtual(i)).count();
    match n_virtual {
        0 => Ok(Kind::Biophysical),
        n if n == population.len() => Ok(Kind::Virtual),
        _ => bail!(
            "node population `{}` mixes virtual and simulated nodes, which BMTK cannot connect from",
            population.name
        ),
    }
}

/// Both ends of every edge must be nodes of populations listed in networks.nodes.
pub(super) fn check_edge_population(
    network: &Network,
    edges: &EdgePopulation,
) -> anyhow::Result<()> {
    for (end, population, ids) in [
        ("source", &edges.source_population, &edges.source_node_ids),
        ("target", &edges.target_population, &edges.target_node_ids),
    ] {
        let nodes = network.node_population(population).ok_or_else(|| {
            anyhow!(
                "edge population `{}` ({}): its {end} population `{population}` is not in networks.nodes",
                edges.name,
                edges.file.display()
            )
        })?;
        if let Some((row, id)) = ids
            .iter()
            .enumerate()
            .find(|(_, id)| nodes.index_of(**id).is_none())
        {
            bail!(
                "edge population `{}` ({}), row {row}: {end} node id {id} is not a node of population `{population}` ({} nodes)",
                edges.name,
                edges.file.display(),
                nodes.len()
            );
        }
    }
    Ok(())
}
