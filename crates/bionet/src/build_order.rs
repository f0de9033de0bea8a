//! The order in which BMTK 1.2.0 builds a BioNet model (`BioSimulator.from_config` in
//! `biosimulator.py`, `BioNetwork.build_nodes` / `build_recurrent_edges` / `add_spike_trains`
//! in `bionetwork.py`). Synapse positions depend on it (each target's stream is consumed edge
//! after edge), and so do NEURON's point-process and NetCon orders, which decide sums and
//! ties between simultaneous events.
//!
//! 1. **Cells**: node populations in gid-pool order (see [`crate::gids`]), rows in file order;
//!    virtual nodes are skipped. Each biophysical cell instantiates its template, gets the
//!    `dL` re-segmentation, then its spike detector NetCon.
//! 2. **Streams**: before the first connection every local cell gets
//!    `RandomState(gid)`, once (later input stages reuse it, they do not reseed).
//! 3. **Recurrent edges** (edge populations whose sources are not all virtual), in the circuit
//!    config's `networks.edges` order (HDF5 name order within a file): for every target cell
//!    in its population's row order, that target's edges in target-index order
//!    ([`target_edge_order`]); each edge makes its `nsyns` synapses and one NetCon per
//!    synapse, in draw order. Edges from virtual nodes of mixed populations are skipped.
//! 4. **Inputs**, in the config's `inputs` order: spike inputs attach VecStim sources through
//!    the edge populations whose source is the input's population (same target/edge order,
//!    continuing the same streams); `current_clamp` inputs only register a module whose IClamps
//!    are created when the run initialises, after every synapse.

use crate::Error;

/// Edge rows of one edge population onto the targets `target_node_ids` (row order), using the
/// SONATA `indices/target_to_source` index (`node_id_to_range`, `range_to_edge_id`), as
/// bmtk's `EdgePopulation._get_index` walks it: a target beyond the index has no edges.
/// Returns (target node id, edge row) pairs in visiting order.
pub fn target_edge_order(
    target_node_ids: &[u64],
    node_id_to_range: &[(u64, u64)],
    range_to_edge_id: &[(u64, u64)],
) -> Result<Vec<(u64, u64)>, Error> {
    let mut order = Vec::new();
    for &node in target_node_ids {
        let Some(&(first_range, end_range)) = usize::try_from(node)
            .ok()
            .and_then(|i| node_id_to_range.get(i))
        else {
            continue;
        };
        let ranges = usize::try_from(first_range)
            .ok()
            .zip(usize::try_from(end_range).ok())
            .and_then(|(a, b)| range_to_edge_id.get(a..b))
            .ok_or(Error::BadEdgeIndex {
                node_id: node,
                first: first_range,
                end: end_range,
            })?;
        for &(first_edge, end_edge) in ranges {
            if first_edge > end_edge {
                return Err(Error::BadEdgeIndex {
                    node_id: node,
                    first: first_edge,
                    end: end_edge,
                });
            }
            order.extend((first_edge..end_edge).map(|edge| (node, edge)));
        }
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_targets_in_row_order_and_ranges_in_index_order() {
        // hco-pair's index: edge 0 targets node 0, edge 1 targets node 1.
        assert_eq!(
            target_edge_order(&[0, 1], &[(0, 1), (1, 2)], &[(0, 1), (1, 2)]).unwrap(),
            vec![(0, 0), (1, 1)]
        );
        // Rows listed out of id order, two ranges for node 1, node 5 beyond the index.
        let order =
            target_edge_order(&[1, 0, 5], &[(0, 1), (1, 3)], &[(2, 4), (0, 1), (5, 6)]).unwrap();
        assert_eq!(order, vec![(1, 0), (1, 5), (0, 2), (0, 3)]);
        assert!(target_edge_order(&[0], &[(0, 9)], &[(0, 1)]).is_err());
    }
}
