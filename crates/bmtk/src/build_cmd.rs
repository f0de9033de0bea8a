//! `bmtk build NETWORK.toml [--config circuit_config.json]`: builds SONATA node/edge files from
//! a declarative network file (crate `builder`) and keeps `circuit_config.json` listing them.

use std::path::{Path, PathBuf};

use anyhow::anyhow;

pub fn run(network_file: &Path, config: Option<&PathBuf>) -> anyhow::Result<()> {
    let report = builder::build_from_file(network_file, config.map(PathBuf::as_path))
        .map_err(|e| anyhow!("{e}"))?;
    println!(
        "built network `{}`: {} nodes, {} edges ({} synapses)",
        report.network, report.nodes, report.edges, report.synapses
    );
    println!("  {}", report.files.nodes_file.display());
    println!("  {}", report.files.node_types_file.display());
    if let Some((edges, types)) = &report.files.edges {
        println!("  {}", edges.display());
        println!("  {}", types.display());
    }
    let verb = if report.config_created {
        "created"
    } else {
        "updated"
    };
    println!("{verb} {}", report.config.display());
    Ok(())
}

/// Writes the seed's HCO-pair network file into a new model directory (`bmtk new
/// --network-example`), unless a file of that name exists.
pub fn write_example(dir: &Path) -> anyhow::Result<Option<PathBuf>> {
    let path = dir.join("network.toml");
    if path.exists() {
        return Ok(None);
    }
    let tmp = dir.join(".network.toml.tmp");
    std::fs::write(&tmp, builder::examples::HCO_PAIR)
        .map_err(|e| anyhow!("{}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, &path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
    Ok(Some(path))
}
