//! The declarative network file (TOML) read by `bmtk build`.
//!
//! ```toml
//! [network]
//! name = "hco_net"          # node population name; files are named after it
//! output_dir = "network"    # where the SONATA files go, relative to this file
//! seed = 1                  # default seed of every random rule / position generator
//! compression = "none"      # or "gzip" (BMTK's default; libsonata's wheels cannot read it)
//!
//! [[nodes]]
//! N = 2                     # number of nodes (default 1)
//! positions = { box = { min = [0, 0, 0], max = [100, 100, 100] }, seed = 3 }
//! [nodes.properties]        # scalar → node-types CSV column; array of N → h5 column
//! pop_name = "hco"
//! model_template = "hoc:HCOcell"
//!
//! [[edges]]
//! source = { pop_name = "hco" }   # all conditions must hold; an array means "any of"
//! target = { pop_name = "hco" }   # omitted → every node
//! rule = { probability = 0.1, symmetric = true, seed = 7 }
//! autapses = false
//! [edges.properties]              # constants → edge-types CSV (arrays allowed)
//! syn_weight = 0.04
//! target_sections = ["soma"]
//! [edges.per_edge]                # one float64 per synapse → h5 group
//! delay = { uniform = [0.5, 1.5], seed = 2 }
//! ```
//!
//! Rules (`rule = …`), each with optional `nsyns` (default 1):
//! `{ constant = N }` (N synapses between every pair; a bare integer `rule = N` means the
//! same), `{ probability = p, symmetric = false, seed = s }`,
//! `{ distance = { p0 = 1.0, sigma = 50.0, max = 200.0 }, seed = s }`,
//! `{ pairs = [[src, tgt], …] }` (node ids), `{ one_to_one = true }`.
//! Positions: `{ box = { min, max } }`, `{ column = { center, radius, height } }`,
//! `{ grid = { origin, shape, spacing } }` (each with optional `seed`), or an array of N
//! `[x, y, z]` rows. Per-edge values: `{ uniform = [low, high] }`, `{ normal = [mean, sd] }`
//! (with optional `seed`), or `{ values = [...] }`.
//!
//! Every problem — TOML syntax, unknown keys, wrong types, lists of the wrong length, rules
//! that cannot be parsed, queries that match no node — is reported with line and column.

mod fields;
mod items;
mod rules;
mod tree;

use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::network::Network;
use fields::{as_str, as_table, as_u64, check_keys, missing};
use tree::{Ctx, Kind};

/// A parsed network file: the network to build and where its files go.
#[derive(Debug, Clone)]
pub struct NetworkFile {
    pub path: PathBuf,
    pub network: Network,
    /// Absolute or relative to the working directory (resolved against the file's folder).
    pub output_dir: PathBuf,
    /// `compression = "none"` (default, readable by every SONATA reader) or `"gzip"`.
    pub compression: sonata::Compression,
    text: String,
    /// Per edge type id: the span of its `rule` and of each per-edge property.
    edge_spans: Vec<items::EdgeSpans>,
    node_spans: Vec<Range<usize>>,
}

impl NetworkFile {
    /// Reads and checks a network file.
    pub fn read(path: &Path) -> Result<NetworkFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::io(path, "cannot read the network file", e))?;
        Self::parse(path, &text)
    }

    /// Checks network-file text (`path` is used for messages and relative paths).
    pub fn parse(path: &Path, text: &str) -> Result<NetworkFile> {
        let mut ctx = Ctx::new(path, text);
        let parsed = tree::parse(&mut ctx).and_then(|root| parse_root(&mut ctx, &root));
        match parsed {
            Some((network, output_dir, compression, edge_spans, node_spans))
                if ctx.diagnostics.is_empty() =>
            {
                let base = path.parent().unwrap_or(Path::new("."));
                Ok(NetworkFile {
                    path: path.to_path_buf(),
                    network,
                    output_dir: base.join(output_dir),
                    compression,
                    text: text.to_string(),
                    edge_spans,
                    node_spans,
                })
            }
            _ => {
                if ctx.diagnostics.is_empty() {
                    ctx.error(&(0..0), "the network file describes no network");
                }
                Err(Error::Spec(ctx.diagnostics))
            }
        }
    }

    /// Turns a build error about an edge type or node set into a diagnostic at its place in
    /// the file; other errors pass through.
    pub fn locate(&self, error: Error) -> Error {
        let ctx = Ctx::new(&self.path, &self.text);
        let diagnostic: Option<Diagnostic> = match &error {
            Error::Edges { edge_type, message } => self
                .edge_spans
                .iter()
                .find(|(id, _, _)| id == edge_type)
                .map(|(_, rule, per_edge)| {
                    let span = per_edge
                        .iter()
                        .find(|(name, _)| {
                            message.starts_with(&format!("per-edge property `{name}`"))
                        })
                        .map(|(_, s)| s)
                        .unwrap_or(rule);
                    ctx.diagnostic(span, message.clone())
                }),
            Error::Nodes { node_set, message } => self
                .node_spans
                .get(*node_set)
                .map(|s| ctx.diagnostic(s, message.clone())),
            _ => None,
        };
        match diagnostic {
            Some(d) => Error::Spec(vec![d]),
            None => error,
        }
    }
}

type Parsed = (
    Network,
    PathBuf,
    sonata::Compression,
    Vec<items::EdgeSpans>,
    Vec<Range<usize>>,
);

fn parse_root(ctx: &mut Ctx, root: &tree::Node) -> Option<Parsed> {
    let entries = as_table(ctx, root, "network file")?;
    let top = check_keys(
        ctx,
        entries,
        &["network", "nodes", "edges"],
        "the network file",
    );
    let Some(header) = top.get("network") else {
        missing(ctx, &(0..0), "network", "the network file");
        return None;
    };
    let header_entries = as_table(ctx, &header.value, "[network]")?;
    let h = check_keys(
        ctx,
        header_entries,
        &["name", "output_dir", "seed", "compression"],
        "[network]",
    );
    let name = match h.get("name") {
        Some(e) => as_str(ctx, &e.value, "name").map(str::to_string),
        None => {
            missing(ctx, &header.key_span, "name", "[network]");
            None
        }
    };
    if let (Some(n), Some(e)) = (&name, h.get("name")) {
        if n.is_empty() || n.contains(['/', '\\']) {
            ctx.error(
                &e.value.span,
                "name: must be non-empty and contain no path separators",
            );
        }
    }
    let output_dir = match h.get("output_dir") {
        Some(e) => as_str(ctx, &e.value, "output_dir")
            .map(PathBuf::from)
            .unwrap_or_default(),
        None => PathBuf::from("network"),
    };
    let compression = match h.get("compression") {
        None => sonata::Compression::None,
        Some(e) => match as_str(ctx, &e.value, "compression") {
            Some("none") | None => sonata::Compression::None,
            Some("gzip") => sonata::Compression::Gzip,
            Some(other) => {
                ctx.error(
                    &e.value.span,
                    format!("compression: expected \"none\" or \"gzip\", found \"{other}\""),
                );
                sonata::Compression::None
            }
        },
    };
    let seed = h
        .get("seed")
        .and_then(|e| as_u64(ctx, &e.value, "seed"))
        .unwrap_or(0);
    let mut network = Network::new(name.as_deref().unwrap_or("network"));

    let mut node_spans = Vec::new();
    if let Some(nodes) = top.get("nodes") {
        match &nodes.value.kind {
            Kind::Array(list) => {
                for (i, item) in list.iter().enumerate() {
                    node_spans.push(item.span.clone());
                    items::add_node_set(ctx, &mut network, item, i, seed);
                }
            }
            _ => ctx.error(&nodes.value.span, "nodes: expected [[nodes]] tables"),
        }
    } else {
        ctx.error(&(0..0), "the network file has no [[nodes]]");
    }
    let mut edge_spans = Vec::new();
    if let Some(edges) = top.get("edges") {
        match &edges.value.kind {
            Kind::Array(list) => {
                for (i, item) in list.iter().enumerate() {
                    if let Some(spans) = items::add_edge_type(ctx, &mut network, item, i, seed) {
                        edge_spans.push(spans);
                    }
                }
            }
            _ => ctx.error(&edges.value.span, "edges: expected [[edges]] tables"),
        }
    }
    Some((network, output_dir, compression, edge_spans, node_spans))
}
