#!/usr/bin/env bash
# The main job (README quick start, command 1): set up, build, and run
# nvmf-sim against the embedded simulator over the in-process RDMA fake:
# discovery, Identify, and a write/read/verify run over 8 queues.  (The
# conformance suite joins here when it lands, issue 6.)
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
nvmfsim=./build/sim/cli/nvmfsim
$nvmfsim --version
$nvmfsim discover
$nvmfsim identify
$nvmfsim io --queues 8 --depth 128 --size 64M
