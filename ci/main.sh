#!/usr/bin/env bash
# The main job (README quick start, command 1): set up, build and run nvmf-sim.
# Until the fabric layer lands (issue 5) it builds everything and prints the
# version; it will then run the conformance suite against the embedded
# simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
./build/sim/cli/nvmfsim --version
