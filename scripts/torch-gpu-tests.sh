#!/usr/bin/env bash
# Builds and runs latentwalk's torch tests (area `torch:`) on a machine with a GPU, against that
# machine's own PyTorch installation (pip or conda): nothing is downloaded at build time.
#
#   scripts/torch-gpu-tests.sh                 # python3 on PATH must import torch
#   PYTHON=/opt/conda/bin/python scripts/torch-gpu-tests.sh
#   BUILD_DIR=/tmp/lw-gpu scripts/torch-gpu-tests.sh
#
# Needs: cmake ≥ 3.25, a C++20 compiler (g++ ≥ 11 or clang ≥ 14), ninja (or make), and the header
# libraries of the test suite: Eigen 3.4, Catch2 v2, nlohmann/json (Debian/Ubuntu: libeigen3-dev
# catch2 nlohmann-json3-dev). The CUDA test cases run when torch::cuda::is_available(); otherwise
# they print that they were skipped, and the script says so at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
build=${BUILD_DIR:-build-torch-gpu}

if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "torch-gpu-tests: '$python' cannot import torch; set PYTHON to the interpreter of your PyTorch installation." >&2
  exit 1
fi
prefix=$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')
abi=$("$python" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
info=$("$python" -c 'import torch; print("PyTorch", torch.__version__, "| CUDA", torch.version.cuda, "| GPUs", torch.cuda.device_count())')
echo "torch-gpu-tests: $info"
echo "torch-gpu-tests: CMake prefix $prefix, _GLIBCXX_USE_CXX11_ABI=$abi"

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
# pip wheels of PyTorch are often built with the old libstdc++ string ABI; every translation unit of
# the test executable must then use it too. Examples and benchmarks (which link the system's Google
# Benchmark, built with the new ABI) are not needed here and are left out.
cmake -S . -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$abi" \
  -DLATENTWALK_WITH_TORCH=ON -DLATENTWALK_WITH_XTENSOR=OFF \
  -DLATENTWALK_BUILD_EXAMPLES=OFF -DLATENTWALK_BUILD_BENCHMARKS=OFF
cmake --build "$build" --target latentwalk_tests_torch -j "$(nproc 2>/dev/null || echo 2)"

log="$build/torch-tests.log"
"$build/tests/latentwalk_tests_torch" --use-colour no "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if grep -q "CUDA case skipped" "$log"; then
  echo "torch-gpu-tests: NOTE: the CUDA cases were skipped (torch::cuda::is_available() is false in this build)."
else
  echo "torch-gpu-tests: the CUDA cases ran."
fi
exit "$status"
