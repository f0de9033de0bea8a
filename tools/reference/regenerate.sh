#!/usr/bin/env bash
# Regenerate every NEURON 9.0.2 reference case under tests/reference-data/.
# Usage (from anywhere): bash tools/reference/regenerate.sh
#   PYTHON=/path/to/python  use an interpreter that already has neuron==9.0.2 and numpy
#   NEURON_VENV=dir         otherwise a venv is created/used here (default: <repo>/.venv)
#   BMTK_RS_SHARED=dir      folder with models/mc and models/hco (default: <repo>/../shared)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data="$repo/tests/reference-data"

if [ -z "${PYTHON:-}" ]; then
    venv="${NEURON_VENV:-$repo/.venv}"
    if [ ! -x "$venv/bin/python" ]; then
        python3 -m venv "$venv"
    fi
    if ! "$venv/bin/python" -c 'import neuron, numpy, sys; sys.exit(neuron.__version__ != "9.0.2")' 2>/dev/null; then
        "$venv/bin/pip" install -q 'neuron==9.0.2' numpy
    fi
    PYTHON="$venv/bin/python"
fi

# Generated folders are rebuilt from scratch; mod/ and hoc/ are inputs and stay.
for d in "$data"/*/; do
    case "$(basename "$d")" in
        mod|hoc) ;;
        *) rm -rf "$d" ;;
    esac
done

cd "$repo"
"$PYTHON" "$here/gen_builtins.py"
"$PYTHON" "$here/gen_custom.py"
"$PYTHON" "$here/gen_hoc.py"
echo "reference data written to tests/reference-data/ ($(du -sh "$data" | cut -f1))"
