#!/usr/bin/env bash
# Installs the Debian (bookworm) packages latentwalk builds and tests with. Idempotent: only
# missing packages are installed; uses sudo when not run as root.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache
  libeigen3-dev                     # Eigen 3.4: the reference backend
  libtorch-dev libopenblas0-pthread # LibTorch 1.13 (CPU); OpenBLAS, without which torch is 10-25x slower
  python3-torch                     # /usr/bin/python3 with torch, to regenerate the TorchScript fixtures
  xtensor-dev libxtensor-blas-dev   # the xtensor backend (xtensor has no linear algebra without -blas)
  libboost-dev libboost-math-dev    # Boost.Math (special functions, root finders, quadrature), Boost.Odeint
  catch2 nlohmann-json3-dev         # the test suite and its oracle reader
  libcairo2-dev pkg-config          # the pictures of the examples and the tour (PNG, SVG, PDF)
  libcli11-dev                      # the command lines of the examples (examples/train_dplase)
  fonts-dejavu-core                 # the pictures' text (DejaVu Sans, with Greek and sub/superscripts)
  libspectra-dev libbenchmark-dev   # partial-SVD cross-checks; Google Benchmark
  zlib1g-dev                        # latentwalk::data: the gzip layer; latentwalk::torch: CRC-32s of model files
  clang libclang-rt-14-dev          # libFuzzer and its sanitizer runtimes (fuzz/, scripts/fuzz.sh; the g++-built LibTorch targets link its runtime)
  dataset-fashion-mnist             # Fashion-MNIST's IDX files (latentwalk::data::load_fashion_mnist)
  python3-sklearn python3-numpy     # the UCI digits (digits.csv.gz); numpy for tests/datasets/make_facts.py
  python3-scipy                     # benchmarks/peers: scipy.linalg.subspace_angles, the principal-angle peer
  libcli11-dev                      # the command lines of the examples (train_generator, train_potentials)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages are installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
echo "setup: installing ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
