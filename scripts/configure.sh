#!/usr/bin/env bash
# Configures the build tree ./build (Release, Ninja, every backend on AUTO). Used by tour.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so a fresh clone in another folder reuses the cache.
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
