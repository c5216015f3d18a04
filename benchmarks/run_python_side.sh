#!/usr/bin/env bash
# Builds one C++ benchmark target (-j1) and runs its Python driver with /usr/bin/python3 (Debian's
# interpreter, which has torch): run_python_side.sh TARGET DRIVER.py [driver arguments]. Used by
# train_throughput.sh and flow_step.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
target=$1 driver=$2
shift 2
[ -f build/build.ninja ] || scripts/configure.sh -DLATENTWALK_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build -j1 --target "$target" >/dev/null
exec /usr/bin/python3 "benchmarks/$driver" --build build "$@"
