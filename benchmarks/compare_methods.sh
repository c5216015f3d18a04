#!/usr/bin/env bash
# The method comparison at full size (examples/compare_methods --full) on both committed generators:
# 128 starts per direction, VP 3 runs of 10 000 pairs / 100 epochs, 3000 training steps per bank and
# 2000 for DP-LaSE's Γ. Hours on one shared core (README: the measured cost per stage and the extrapolated
# total); the default (short) run is what the README reports. Writes OUT/<data>.log and OUT/durations.txt.
# Usage: benchmarks/compare_methods.sh [OUT] [extra compare_methods arguments, e.g. --threads 2]
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
out="${1:-runs/compare-full}"
shift || true
[ -f build/build.ninja ] || scripts/configure.sh -DLATENTWALK_BUILD_EXAMPLES=ON >/dev/null
cmake --build build -j1 --target compare_methods >/dev/null
mkdir -p "$out"
for data in sprites fashion-mnist; do
  t0=$(date +%s)
  OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" build/examples/compare_methods --data "$data" --full --out "$out/$data" "$@" \
    | tee "$out/$data.log"
  echo "compare_methods --full --data $data: $(( $(date +%s) - t0 )) s" | tee -a "$out/durations.txt"
done
