#!/usr/bin/env bash
# The test suite under AddressSanitizer + UndefinedBehaviorSanitizer: configures the preset `sanitize`
# (build-sanitize/: g++, -O1 -g, LATENTWALK_SANITIZE=address,undefined, -fno-sanitize-recover=all, so
# the first report fails its test), builds the chosen areas' test executables and runs them under ctest.
#
#   scripts/sanitize.sh                  the core areas (no LibTorch): core tangent grassmann traversal
#                                        density reliability conformance datasets xtensor pictures
#   scripts/sanitize.sh --torch          the LibTorch areas too: torch train train_flows train_dplase compare
#   scripts/sanitize.sh --only AREA...   just these areas (test folder names, e.g. --only tangent torch)
#   --jobs N                             build and test jobs (default: nproc)
#
# Options for the sanitizers' runtimes are set here (an ASAN_OPTIONS/UBSAN_OPTIONS already in the
# environment is appended, so it wins), leak detection included, with the rules of scripts/lsan-*.supp:
# LibTorch 1.13 leaks a few hundred bytes inside libtorch_cpu.so on some of its own error paths, and
# fontconfig (under cairo's text) keeps its cache until exit (each file says which); the rules hide leaks
# with a frame in libtorch_cpu.so or libfontconfig.so only. Results per area: README.md, "Reliability".
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"  # see configure.sh

core_areas=(core tangent grassmann traversal density reliability conformance datasets xtensor pictures)
torch_areas=(torch train train_flows train_dplase compare)
areas=("${core_areas[@]}")
jobs=$(nproc 2>/dev/null || echo 2)
while [ $# -gt 0 ]; do
  case "$1" in
    --torch) areas+=("${torch_areas[@]}"); shift ;;
    --only) shift; areas=(); while [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; do areas+=("$1"); shift; done ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "sanitize.sh: unknown argument '$1' (see the comment at the top of the script)" >&2; exit 2 ;;
  esac
done

cmake --preset sanitize > build-sanitize.configure.log 2>&1 || { cat build-sanitize.configure.log; exit 1; }
rm -f build-sanitize.configure.log
targets=()
labels=()
for area in "${areas[@]}"; do
  if [ ! -d "tests/$area" ]; then
    echo "sanitize.sh: there is no test area tests/$area" >&2
    exit 2
  fi
  if ninja -C build-sanitize -t query "latentwalk_tests_$area" > /dev/null 2>&1; then
    targets+=("latentwalk_tests_$area")
    labels+=("$area")
  else
    echo "sanitize.sh: area '$area' is not built in this configuration (its backend is off); skipped"
  fi
done
[ ${#targets[@]} -gt 0 ] || { echo "sanitize.sh: nothing to build" >&2; exit 1; }

start=$(date +%s)
cmake --build build-sanitize -j "$jobs" --target "${targets[@]}"
built=$(date +%s)

asan="abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_init_order=1:check_initialization_order=1"
ubsan="print_stacktrace=1:halt_on_error=1"
# LSan takes one suppressions file: the rules of scripts/lsan-*.supp together.
cat scripts/lsan-*.supp > build-sanitize/lsan.supp
lsan="suppressions=$PWD/build-sanitize/lsan.supp"
regex="^($(IFS='|'; echo "${labels[*]}"))\$"
status=0
ASAN_OPTIONS="$asan${ASAN_OPTIONS:+:$ASAN_OPTIONS}" UBSAN_OPTIONS="$ubsan${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}" \
  LSAN_OPTIONS="$lsan${LSAN_OPTIONS:+:$LSAN_OPTIONS}" OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" \
  ctest --test-dir build-sanitize -L "$regex" --output-on-failure -j "$jobs" || status=1
done_at=$(date +%s)
echo "sanitize.sh: areas ${labels[*]}: build $((built - start)) s, tests $((done_at - built)) s ($jobs jobs): $([ $status -eq 0 ] && echo clean || echo FAILED)"
exit $status
