#!/usr/bin/env bash
# Installs every Debian package nvmf-sim needs to build and test.
# Non-interactive and idempotent: safe to run again; installs only what is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config git
  # spec structures and status strings
  libnvme-dev libjson-c-dev
  # real verbs backend (rdma-core); the rxe provider lives in ibverbs-providers
  libibverbs-dev librdmacm-dev ibverbs-providers rdma-core
  # unit tests
  libcmocka-dev
  # libFuzzer and sanitizer runtimes
  clang libclang-rt-14-dev
  # report validation: xmllint (JUnit XML), jq (JSON), prove from perl (TAP 13)
  libxml2-utils jq perl
  # the VM lab (fixtures/vm): QEMU booting Debian's kernel with soft-RoCE and
  # nvmet as real peers, a busybox initramfs, and the guest's tools
  qemu-system-x86 busybox-static kmod cpio iproute2 nvme-cli ibverbs-utils rdmacm-utils
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "ci/setup.sh: run as root or install sudo" >&2; exit 1; }
  SUDO="sudo"
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "ci/setup.sh: all ${#packages[@]} packages present"
  exit 0
fi

echo "ci/setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
