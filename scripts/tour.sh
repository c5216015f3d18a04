#!/usr/bin/env bash
# The main job: installs what is missing, builds examples/tour and runs it on its built-in data.
# The text report goes to the terminal; the pictures (PNG and SVG), report.md and a copy of the text
# report (tour.txt) go to build/tour/ (another folder: scripts/tour.sh --pictures DIR; none: --no-pictures).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/configure.sh
export CCACHE_BASEDIR="$PWD"  # see configure.sh
cmake --build build --target tour
if [ "$#" -eq 0 ]; then
  set -- --pictures build/tour
fi
./build/examples/tour "$@"
for arg in "$@"; do
  if [ "$arg" = "--no-pictures" ]; then exit 0; fi
done
folder=build/tour
while [ "$#" -gt 0 ]; do
  if [ "$1" = "--pictures" ] && [ "$#" -ge 2 ]; then folder=$2; fi
  shift
done
if [ -f "$folder/report.md" ]; then
  echo "tour: pictures and the report are in $folder/ (open $folder/report.md)"
fi
