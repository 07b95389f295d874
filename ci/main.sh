#!/usr/bin/env bash
# The main job: set up, build and run nvmf-sim.  Until the fabric layer lands
# (issue 5) this builds everything and prints the version; it will then run
# the conformance suite against the embedded simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
./build/sim/cli/nvmfsim --version
