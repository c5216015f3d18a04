#!/usr/bin/env bash
# latentwalk against its Python peers on the same weights, in one run (see peers.py for what each side does):
#   benchmarks/peers/run.sh [--reps 3] [--seconds 1] [--codes 8|64] [--json FILE] [--smoke]
# Builds the C++ rows (-j1, one target at a time), writes the benchmarks' weights and codes with
# latentwalk_bench_peer_inputs into build/peer-inputs, then runs peers.py with /usr/bin/python3 (Debian's
# interpreter, which has python3-torch and python3-scipy), which prints the ratio table.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CCACHE_BASEDIR="$PWD" OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
[ -f build/build.ninja ] || scripts/configure.sh -DLATENTWALK_BUILD_BENCHMARKS=ON >/dev/null
targets=(latentwalk_bench_peer_inputs)
case " $* " in
  *" --smoke "*) ;;
  *) targets+=(latentwalk_bench_tangent_basis latentwalk_bench_torch_batched latentwalk_bench_grassmann
               latentwalk_bench_potential_flow latentwalk_bench_torch_flow_step) ;;
esac
for t in "${targets[@]}"; do cmake --build build -j1 --target "$t" >/dev/null; done
build/benchmarks/latentwalk_bench_peer_inputs build/peer-inputs
exec /usr/bin/python3 benchmarks/peers/peers.py --inputs build/peer-inputs --build build "$@"
