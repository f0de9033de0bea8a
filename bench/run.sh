#!/bin/sh
# Side-by-side benchmark of bmtk-rs against BMTK 1.2.0, NEURON 9.0.2, CoreNEURON and Arbor;
# see bench/README.md and `bench/run.sh --help`.
exec python3 "$(dirname "$0")/run.py" "$@"
