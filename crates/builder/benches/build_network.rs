//! Benchmark (not a test): builds and saves N nodes with a probability rule (default 10,000
//! nodes, p = 0.01 → ~1,000,000 edges) and prints the wall time. `build_network.sh` runs it
//! next to the equivalent BMTK NetworkBuilder script and prints the ratio.
//!
//! `cargo bench -p builder --bench build_network -- [N] [P]`

use std::time::Instant;

use builder::{ConnectionRule, EdgeTypeSpec, Network, NodeProperties, Query};

fn main() {
    // `cargo bench` passes `--bench`; keep only the positional numbers.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let p: f64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(0.01);
    let dir = tempfile::tempdir().expect("temporary folder");

    let start = Instant::now();
    let mut net = Network::new("bench");
    let positions = builder::positions::random_box(n, [0.0; 3], [1000.0; 3], 1);
    net.add_nodes(
        n,
        NodeProperties::new()
            .constant("pop_name", "exc")
            .constant("model_type", "biophysical")
            .constant("model_template", "hoc:HCOcell")
            .positions(positions),
    )
    .expect("nodes");
    net.add_edges(
        EdgeTypeSpec::new(
            Query::all().eq("pop_name", "exc"),
            Query::all().eq("pop_name", "exc"),
            ConnectionRule::Probability {
                p,
                nsyns: 1,
                seed: 42,
                symmetric: false,
            },
        )
        .property("syn_weight", 0.04)
        .property("model_template", "Exp2Syn")
        .property("dynamics_params", "GABA_InhToInh.json")
        .property("delay", 1.0),
    )
    .expect("edges");
    let built = net.build().expect("build");
    let build_time = start.elapsed().as_secs_f64();
    built.save(dir.path()).expect("save");
    let total = start.elapsed().as_secs_f64();
    println!(
        "bmtk-rs builder: {n} nodes, {} edges: build {build_time:.3} s, build+save {total:.3} s",
        built.edges.len()
    );
    println!("RUST_SECONDS {total:.6}");
}
