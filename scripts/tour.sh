#!/usr/bin/env bash
# The main job: installs what is missing, builds examples/tour and runs it on its built-in data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/configure.sh
cmake --build build --target tour
./build/examples/tour
