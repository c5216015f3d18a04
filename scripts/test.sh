#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds everything and runs ctest.
# Run one area with e.g.  ctest --test-dir build -R '^tangent:'
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/configure.sh
export CCACHE_BASEDIR="$PWD"  # see configure.sh
jobs=$(nproc 2>/dev/null || echo 2)
cmake --build build -j "$jobs"
ctest --test-dir build --output-on-failure -j "$jobs"
