#!/usr/bin/env bash
# Builds latentwalk's libFuzzer targets (fuzz/; ASan + UBSan, -fno-sanitize-recover=all) and runs each for
# a number of executions. numerics, data_readers, zip_archive and pickle_tensors: the preset `fuzz`
# (clang, build-fuzz/).
# torchscript_load and checkpoint_load: the preset `fuzz-torch` (g++, build-fuzz-torch/; clang 14 cannot
# compile LibTorch's C++20 headers): GCC's trace-pc/trace-cmp coverage fed to clang's libFuzzer runtime
# (fuzz/gcc_coverage.cpp), run with -use_value_profile=1; LibTorch's own libraries are not instrumented.
#
#   scripts/fuzz.sh                      every target, 2000 executions each (the smoke run)
#   scripts/fuzz.sh --runs 300000        a longer campaign
#   scripts/fuzz.sh --runs 0 --time 600  by time instead: 600 s each
#   scripts/fuzz.sh --jobs N             build jobs (default: nproc)
#   scripts/fuzz.sh [options] TARGET...  only these (numerics, data_readers, zip_archive, pickle_tensors,
#                                        torchscript_load, checkpoint_load; the last two when LibTorch is
#                                        installed)
#
# Seeds come from fuzz/corpus/<target>/ (and tests/torch/fixtures for the zip targets); what a run adds
# goes to <build>/corpus/<target>/, never into the source tree. A finding stops that target: libFuzzer
# prints the report and saves the input as <build>/findings/<target>/crash-<sha1> (replay it with
# `<build>/fuzz/latentwalk_fuzz_<target> FILE`); the script goes on with the next target and exits
# non-zero. The last line per target gives its executions and time. <build> is build-fuzz or
# build-fuzz-torch.
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"  # see configure.sh

runs=2000
seconds=0
jobs=$(nproc 2>/dev/null || echo 2)
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --time) seconds="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --*) echo "fuzz.sh: unknown option '$1' (see the comment at the top of the script)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done

clang_targets=()
gcc_targets=()
# LibTorch installed: Debian libtorch-dev's CMake package, or Torch_DIR set.
torch_installed() { [ -n "${Torch_DIR:-}" ] || compgen -G "/usr/lib/*/cmake/Torch/TorchConfig.cmake" > /dev/null; }
if [ ${#targets[@]} -eq 0 ]; then
  targets=(numerics data_readers zip_archive pickle_tensors)
  torch_installed && targets+=(torchscript_load checkpoint_load)
fi
for t in "${targets[@]}"; do
  case "$t" in
    numerics|data_readers|zip_archive|pickle_tensors) clang_targets+=("$t") ;;
    torchscript_load|checkpoint_load) gcc_targets+=("$t") ;;
    *) echo "fuzz.sh: no fuzz target '$t' (numerics, data_readers, zip_archive, pickle_tensors, torchscript_load, checkpoint_load)" >&2; exit 2 ;;
  esac
done
if [ ${#clang_targets[@]} -gt 0 ]; then
  if ! command -v clang++ > /dev/null; then
    echo "fuzz.sh: clang++ is not installed (Debian: clang and libclang-rt-14-dev; scripts/setup.sh installs them)" >&2
    exit 1
  fi
  cmake --preset fuzz > build-fuzz.configure.log 2>&1 || { cat build-fuzz.configure.log; exit 1; }
  rm -f build-fuzz.configure.log
  cmake --build build-fuzz -j "$jobs" --target "${clang_targets[@]/#/latentwalk_fuzz_}"
fi
if [ ${#gcc_targets[@]} -gt 0 ]; then
  cmake --preset fuzz-torch > build-fuzz-torch.configure.log 2>&1 || { cat build-fuzz-torch.configure.log; exit 1; }
  rm -f build-fuzz-torch.configure.log
  cmake --build build-fuzz-torch -j "$jobs" --target "${gcc_targets[@]/#/latentwalk_fuzz_}"
fi

status=0
summary=()
for t in "${targets[@]}"; do
  build=build-fuzz
  extra=()
  case "$t" in torchscript_load|checkpoint_load) build=build-fuzz-torch; extra=(-use_value_profile=1) ;; esac
  work="$build/corpus/$t"
  findings="$build/findings/$t"
  mkdir -p "$work" "$findings"
  case "$t" in
    torchscript_load) seeds=("fuzz/corpus/$t" tests/torch/fixtures) ;;
    zip_archive) seeds=(fuzz/corpus/torchscript_load fuzz/corpus/checkpoint_load tests/torch/fixtures) ;;
    *) seeds=("fuzz/corpus/$t") ;;
  esac
  log="$build/fuzz-$t.log"
  limits=(-runs="$runs")
  [ "$seconds" -eq 0 ] || limits=(-max_total_time="$seconds")
  [ "$runs" -ne 0 ] || [ "$seconds" -ne 0 ] || { echo "fuzz.sh: --runs 0 needs --time" >&2; exit 2; }
  echo "fuzz.sh: $t ($([ "$seconds" -eq 0 ] && echo "$runs executions" || echo "$seconds s")), log $log"
  if ASAN_OPTIONS="abort_on_error=1:detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
     "$build/fuzz/latentwalk_fuzz_$t" "${limits[@]}" "${extra[@]}" -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
       -artifact_prefix="$findings/" "$work" "${seeds[@]}" > "$log" 2>&1; then
    result="no finding"
  else
    result="FINDING (see $log and $findings/)"
    status=1
  fi
  done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -n 1 || true)
  execs=$(grep -E '^stat::number_of_executed_units' "$log" | tail -n 1 | awk '{print $2}' || true)
  summary+=("$t: ${execs:-?} executions, ${done_line:-stopped early}: $result")
  tail -n 3 "$log"
done
printf 'fuzz.sh: %s\n' "${summary[@]}"
exit $status
