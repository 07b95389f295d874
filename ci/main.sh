#!/usr/bin/env bash
# The main job (README quick start, command 1): set up, build, and run the
# conformance suite against the embedded simulator (an NVMe-oF target served
# over the in-process RDMA fake), then a write/read/verify run over 8 queues.
set -euo pipefail
cd "$(dirname "$0")/.."
./ci/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default
nvmfsim=./build/sim/cli/nvmfsim
$nvmfsim --version
$nvmfsim conform --junit build/conformance.xml --tap build/conformance.tap
$nvmfsim io --queues 8 --depth 128 --size 64M
