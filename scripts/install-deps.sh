#!/usr/bin/env bash
# Installs the Debian 12 packages trainctl needs to build, test and run its example project.
# Idempotent: when everything is already installed it changes nothing and asks no server.
set -euo pipefail

packages=(
  make g++ cmake pkg-config                      # build
  libcli11-dev libfmt-dev nlohmann-json3-dev     # the CLI, formatting, JSON
  zlib1g-dev                                     # CRC-32 of checkpoint records
  libtomlplusplus-dev                            # trainctl.toml (project settings, safety tightening)
  libhyperscan-dev libre2-dev                    # explain: one-pass multi-pattern log scan; exact matching and extraction
  libyaml-cpp-dev                                # training configs (YAML), linked from its static archive
  libsqlite3-dev                                 # run records (.trainctl/runs.db, WAL: concurrent runs write at once)
  libgtest-dev libgmock-dev                      # tests
  clang-14 libclang-rt-14-dev                    # libFuzzer targets (scripts/fuzz.sh)
  python3 python3-torch python3-yaml python3-numpy  # the example project (real PyTorch, CPU)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
