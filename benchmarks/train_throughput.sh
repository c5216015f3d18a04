#!/usr/bin/env bash
# Training throughput, C++ loop vs the same model and optimizer in Python (python3-torch), same threads.
# Builds the C++ side (one target, -j1) and runs benchmarks/train_throughput.py with /usr/bin/python3
# (Debian's interpreter, which has torch). Extra arguments go to the Python driver (--threads 1 2 --seconds 3).
exec "$(dirname "$0")/run_python_side.sh" latentwalk_bench_torch_train_throughput train_throughput.py "$@"
