"""Timing helpers shared by the benchmarks/*.py drivers that put a C++ Google Benchmark row beside the same
work in Python (train_throughput.py, flow_step.py, peers/peers.py)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time


def seconds_per_step(step, seconds, warmup=3, min_steps=5, clock=time.perf_counter):
    """Mean time of step() on `clock` (wall time; time.process_time for CPU time) after `warmup` calls, over at
    least `seconds` and `min_steps` calls."""
    for _ in range(warmup):
        step()
    steps, start = 0, clock()
    while True:
        step()
        steps += 1
        elapsed = clock() - start
        if elapsed >= seconds and steps >= min_steps:
            return elapsed / steps


def google_benchmark_rows(binary, name_filter, seconds):
    """The JSON rows of one run of `binary` over the rows matching `name_filter` (written to a file, so that a
    program that prints before its table, as grassmann's accuracy report, does not disturb the JSON)."""
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        run = subprocess.run([binary, f"--benchmark_filter={name_filter}", f"--benchmark_min_time={seconds}",
                              f"--benchmark_out={f.name}", "--benchmark_out_format=json"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            sys.exit(f"{binary} --benchmark_filter={name_filter} failed (exit status {run.returncode}):\n"
                     + run.stderr[-2000:])
        return json.load(f)["benchmarks"]


def google_benchmark_ms(binary, name_filter, seconds, what):
    """real_time (ms, the benchmarks' unit) of the first row of `binary` matching `name_filter`."""
    runs = google_benchmark_rows(binary, name_filter, seconds)
    if not runs:
        sys.exit(f"{binary} ran no benchmark for {what}.")
    return runs[0]["real_time"]


def driver_arguments(description):
    """The drivers' common options: --threads, --seconds, --build (add more to the parser it returns)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--seconds", type=float, default=3.0, help="minimum measuring time per cell")
    p.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "build"))
    return p


def benchmark_binary(build, target):
    """build/benchmarks/<target>, or exit with the command that builds it."""
    binary = os.path.join(build, "benchmarks", target)
    if not os.path.exists(binary):
        sys.exit(f"{binary} is missing; build it with `cmake --build build -j1 --target {target}`.")
    return binary
