#!/usr/bin/env bash
# Time per potential-flow training step, latentwalk's flow_trainer (closed-form derivatives) vs the same
# step in Python the authors' way (autograd for ∇u, u_tt and the Laplacian), same batch, same threads.
# Builds the C++ side (one target, -j1) and runs benchmarks/flow_step.py with /usr/bin/python3 (Debian's
# interpreter, which has torch). Extra arguments go to the Python driver (--threads 1 2 --dims 16 64).
exec "$(dirname "$0")/run_python_side.sh" latentwalk_bench_torch_flow_step flow_step.py "$@"
