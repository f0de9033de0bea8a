#!/usr/bin/env bash
# Benchmark (not a test): bmtk-rs's builder vs BMTK 1.2.0's NetworkBuilder on the same spec,
# N nodes (default 10,000) × probability P (default 0.01) ≈ N²·P edges (~1,000,000).
# usage: crates/builder/benches/build_network.sh [N] [P]
# env: PYTHON (default /work/.venv-interop/bin/python, which has bmtk 1.2.0),
#      CARGO_TARGET_DIR (as usual).
set -euo pipefail
N="${1:-10000}"
P="${2:-0.01}"
PYTHON="${PYTHON:-/work/.venv-interop/bin/python}"
HERE="$(cd "$(dirname "$0")" && pwd)"
cd "$HERE/../../.."

rust_out="$(cargo bench -q -p builder --bench build_network -- "$N" "$P")"
echo "$rust_out" | grep -v SECONDS
bmtk_out="$("$PYTHON" "$HERE/bmtk_build_network.py" "$N" "$P")"
echo "$bmtk_out" | grep -v SECONDS

rust_s="$(echo "$rust_out" | awk '/RUST_SECONDS/ {print $2}')"
bmtk_s="$(echo "$bmtk_out" | awk '/BMTK_SECONDS/ {print $2}')"
awk -v r="$rust_s" -v b="$bmtk_s" 'BEGIN { printf "time ratio BMTK / bmtk-rs = %.1f (%.3f s vs %.3f s)\n", b / r, b, r }'
