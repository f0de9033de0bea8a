#!/usr/bin/env bash
# Full BioNet run (BMTK 1.2.0 + NEURON 9.0.2 from /work/.venv-interop) of the HCO pair built
# by bmtk-rs from examples/networks/hco_pair.toml, next to the same run on BMTK's own
# reference network and `bmtk run` (bmtk-rs) on the built pair. Prints the three spike sets.
# usage: bionet_pair.sh WORK_DIR [BMTK_RS_BINARY]
# (compiles the HCO .mod files with nrnivmodl; needs a C compiler)
set -euo pipefail
WORK="$1"; BMTK_RS="${2:-}"
PY=/work/.venv-interop/bin/python
HERE="$(cd "$(dirname "$0")" && pwd)"
MODELS="$HERE/../../../../../shared/models/hco"
REF="$HERE/../../../../../shared/reference/hco-pair"
mkdir -p "$WORK/mechanisms" && cd "$WORK"
cp "$MODELS"/mechanisms/modfiles/*.mod mechanisms/
(cd mechanisms && PATH="$(dirname $PY):$PATH" nrnivmodl . > nrnivmodl.log 2>&1)
cp "$HERE/../../examples/networks/hco_pair.toml" "$HERE/run_bionet.py" "$REF/simulation_config.json" .
circuit() {  # $1 network dir, $2 mechanisms dir, $3 "listed" to name the network files
  local nodes="" edges=""
  if [ "${3:-}" = listed ]; then
    nodes='{ "nodes_file": "$NETWORK_DIR/hco_net_nodes.h5", "node_types_file": "$NETWORK_DIR/hco_net_node_types.csv" }'
    edges='{ "edges_file": "$NETWORK_DIR/hco_net_hco_net_edges.h5", "edge_types_file": "$NETWORK_DIR/hco_net_hco_net_edge_types.csv" }'
  fi
  cat <<JSON
{
  "manifest": { "\$BASE_DIR": ".", "\$COMPONENTS_DIR": "$MODELS", "\$NETWORK_DIR": "$1" },
  "components": {
    "morphologies_dir": "\$COMPONENTS_DIR/morphologies",
    "synaptic_models_dir": "\$COMPONENTS_DIR/synaptic_models",
    "mechanisms_dir": "$2",
    "templates_dir": "\$COMPONENTS_DIR/hoc_templates"
  },
  "networks": { "nodes": [$nodes], "edges": [$edges] }
}
JSON
}
circuit "\$BASE_DIR/network" "$WORK/mechanisms" > circuit_config.json
cargo run -q --manifest-path "$HERE/../../Cargo.toml" --example build_file -- hco_pair.toml circuit_config.json
$PY run_bionet.py simulation_config.json > bionet.log 2>&1
mkdir -p ref && cp simulation_config.json run_bionet.py ref/
circuit "$(cd "$REF/network" && pwd)" "$WORK/mechanisms" listed > ref/circuit_config.json
(cd ref && $PY run_bionet.py simulation_config.json > bionet.log 2>&1)
cmp output/spikes.csv ref/output/spikes.csv && echo "BioNet: built pair and BMTK's reference network give byte-identical spikes"
if [ -n "$BMTK_RS" ]; then
  mkdir -p rs && cp simulation_config.json rs/
  sed "s#\"\\\$BASE_DIR/network\"#\"$WORK/network\"#; s#\"$WORK/mechanisms\"#\"\$COMPONENTS_DIR/mechanisms\"#" circuit_config.json > rs/circuit_config.json
  (cd rs && "$BMTK_RS" run simulation_config.json > rs.log 2>&1)
  $PY - <<PYEOF
spikes = lambda f: sorted((float(l.split()[0]), int(l.split()[2])) for l in open(f).readlines()[1:])
a, b = spikes('output/spikes.csv'), spikes('rs/output/spikes.csv')
print('BioNet vs bmtk run on the built pair: %d vs %d spikes, max |dt| = %.3g ms'
      % (len(a), len(b), max(abs(x[0] - y[0]) for x, y in zip(a, b)) if len(a) == len(b) else float('nan')))
PYEOF
fi
