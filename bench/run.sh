#!/bin/sh
# Side-by-side benchmark of bmtk-rs (interpreter, JIT) and NEURON 9.0.2; see bench/run.py.
exec python3 "$(dirname "$0")/run.py" "$@"
