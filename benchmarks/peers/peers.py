#!/usr/bin/python3
"""latentwalk against its Python peers, on the same weights, in one run: the ratio table of issue 18.

    benchmarks/peers/run.sh [--reps 3] [--seconds 1] [--codes 8|64] [--json FILE] [--smoke]

(run.sh builds the C++ side, exports its weights and codes with latentwalk_bench_peer_inputs, and runs this
file with Debian's /usr/bin/python3, which has python3-torch and python3-scipy.)

The Python side is written here from the references' descriptions, in plain PyTorch / SciPy, one thread:
  authors' method   the Local Basis method (Choi et al.): replicate the code n times, push the n unit vectors
                    through the network as one batch of forward-mode tangents (torch.autograd.forward_ad), which
                    gives the whole Jacobian in one pass, then torch.linalg.svd; truncated to the top 10
  subspace_angles   scipy.linalg.subspace_angles (QR of both, SVD, its sine branch for small angles)
  potential         the PDETraversal potential MLP (flow_step.Potentials, one potential, latentwalk's weights);
                    the exact Laplacian as d Hessian-vector products (one double-backward per coordinate, batched
                    over the codes), one Euler step z + ∇u(z, 0) by autograd
The C++ side is the Google Benchmark rows named in ROWS below (benchmarks/*.cpp). Every measurement is CPU time
of one thread (the C++ rows' cpu_time, time.process_time here; wall time for the threads row), each side run in
turn (C++ row group, then its Python peer) `reps` times, and the table shows medians. Ratios are peer / ours:
above 1 latentwalk is faster. Agreement columns compare the Python answers with the ones latentwalk exported.

--smoke checks only the agreement (no timing, a few codes) and exits non-zero when the two sides disagree:
the test suite runs it as "bench: the Python peers agree with latentwalk on the exported inputs".
"""
import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.linalg  # noqa: E402
import torch  # noqa: E402
import torch.autograd.forward_ad as fwAD  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from bench_timing import benchmark_binary, google_benchmark_rows, seconds_per_step  # noqa: E402
import flow_step  # noqa: E402

torch.set_num_threads(1)


# ---------------------------------------------------------------- the inputs latentwalk exported
class Inputs:
    def __init__(s, folder):
        s.folder = folder
        with open(os.path.join(folder, "manifest.json")) as f:
            s.manifest = json.load(f)

    def array(s, name):
        e = s.manifest[name]
        a = np.fromfile(os.path.join(s.folder, e["file"]), dtype="<f8")
        return torch.from_numpy(a.reshape(e["shape"]).copy())

    def scalar(s, name):
        return s.manifest[name]


class Mapping:
    """StyleGAN2's mapping network shape with latentwalk's weights: PixelNorm, 8 linear layers, leaky ReLU."""

    def __init__(s, inputs):
        n = int(inputs.scalar("mapping.layers"))
        s.layers = [(inputs.array(f"mapping.W{l}"), inputs.array(f"mapping.b{l}").reshape(-1)) for l in range(n)]
        s.slope, s.eps = inputs.scalar("mapping.leaky_slope"), inputs.scalar("mapping.pixel_norm_epsilon")

    def __call__(s, z):
        x = z / torch.sqrt((z * z).mean(-1, keepdim=True) + s.eps)
        for i, (W, b) in enumerate(s.layers):
            x = F.linear(x, W, b)
            if i + 1 < len(s.layers):
                x = F.leaky_relu(x, s.slope)
        return x


def local_basis(G, z, k=10):
    """The Local Basis authors' method at one code z: J by one batched forward-mode pass, then a full SVD."""
    n = z.numel()
    with fwAD.dual_level():
        out = G(fwAD.make_dual(z.reshape(1, n).repeat(n, 1), torch.eye(n, dtype=z.dtype)))
        Jt = fwAD.unpack_dual(out).tangent  # row i: J e_i
    U, S, Vh = torch.linalg.svd(Jt.T, full_matrices=False)
    return U[:, :k], S[:k], Vh[:k].T


def potential(inputs):
    """flow_step.Potentials with one potential carrying latentwalk's weights (same field names)."""
    d = int(inputs.scalar("potential.d"))
    u = flow_step.Potentials(d, count=1)
    with torch.no_grad():
        for name, attr in [("W_z", "Wz"), ("b_z", "bz"), ("W_t1", "Wt1"), ("b_t1", "bt1"), ("W_t2", "Wt2"),
                           ("b_t2", "bt2"), ("W_f", "Wf"), ("b_f", "bf"), ("w_out", "wout")]:
            p = getattr(u, attr)
            p.copy_(inputs.array(f"potential.{name}").reshape(p.shape))
        u.bout.fill_(inputs.scalar("potential.b_out"))
    for p in u.parameters():
        p.requires_grad_(False)
    return lambda z, t: u(0, z, t)


def laplacian_hvp_loop(u, Z, t):
    """Exact Laplacian of each row of Z: the d Hessian-vector products with e_j, one double-backward each."""
    z = Z.clone().requires_grad_(True)
    tt = torch.full((Z.shape[0],), t, dtype=Z.dtype)
    g = torch.autograd.grad(u(z, tt).sum(), z, create_graph=True)[0]
    lap = torch.zeros(Z.shape[0], dtype=Z.dtype)
    for j in range(Z.shape[1]):
        lap += torch.autograd.grad(g[:, j].sum(), z, retain_graph=True)[0][:, j]
    return lap


def euler_step(u, z0):
    """One Euler step of dz/dt = ∇u from t = 0 to 1: z0 + ∇u(z0, 0), by autograd."""
    z = z0.clone().requires_grad_(True)
    g = torch.autograd.grad(u(z, torch.zeros(z.shape[0], dtype=z.dtype)).sum(), z)[0]
    return z0 + g


# ---------------------------------------------------------------- timing
def cpu_seconds(work, seconds):
    """Mean CPU time of work() after one warm-up call, over at least `seconds` of CPU and one call."""
    return seconds_per_step(work, seconds, warmup=1, min_steps=1, clock=time.process_time)


def row_seconds(rows, pattern, field="cpu_time"):
    """Seconds of the JSON row whose name is `pattern` (a prefix ending at '/' or the end), or None."""
    for r in rows:
        name = r["name"]
        if name == pattern or name.startswith(pattern + "/"):
            if r.get("error_occurred"):
                return None
            unit = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[r["time_unit"]]
            return r[field] * unit
    return None


def row_counter(rows, pattern, counter):
    for r in rows:
        if r["name"] == pattern or r["name"].startswith(pattern + "/"):
            return r.get(counter)
    return None


# Each group: one C++ binary run over `filter`, then its Python peers. Rows are looked up by name prefix.
GROUPS = [
    ("latentwalk_bench_tangent_basis", "^BM_(dense|lanczos|randomized)/0/10(/|$)"),
    ("latentwalk_bench_torch_batched", "^(dense_torch|tangent_basis_torch_batched/[0-3]/{codes})(/|$)"),
    ("latentwalk_bench_grassmann", "^BM_(principal_angles_tall|warpage_threads)(/|$)"),
    ("latentwalk_bench_potential_flow", "^BM_(euler_step|laplacian_forward_loop/64)(/|$)"),
    ("latentwalk_bench_torch_flow_step", "^(laplacian_torch(_autograd)?/64|euler_step_torch)(/|$)"),
]
BATCH_METHODS = ["dense", "randomized", "lanczos", "automatic"]


def smoke(inputs):
    """Agreement only: the Python peers against latentwalk's exported answers; False on a disagreement."""
    G, Z, sigma = Mapping(inputs), inputs.array("codes"), inputs.array("sigma")
    u, FZ = potential(inputs), inputs.array("flow_codes")
    checks = []
    for b in range(2):
        _, S, _ = local_basis(G, Z[b])
        checks.append((f"local basis sigma, code {b} (rel. to sigma_1)", ((S - sigma[b]).abs().max() / S[0]).item(), 1e-12))
    lap = laplacian_hvp_loop(u, FZ[:2], 0.5)
    ref = inputs.array("laplacian")[:2]
    checks.append(("exact Laplacian, 2 codes (rel.)", ((lap - ref).abs() / ref.abs()).max().item(), 1e-12))
    z1 = euler_step(u, FZ[:1])
    checks.append(("Euler step (max abs)", (z1 - inputs.array("euler")).abs().max().item(), 1e-13))
    th = np.sort(scipy.linalg.subspace_angles(inputs.array("tall_A").numpy(), inputs.array("tall_B").numpy()))
    checks.append(("principal angles 4096x50 (max abs)", float(np.abs(th - inputs.array("angles").numpy().ravel()).max()), 1e-12))
    ok = True
    for name, err, tol in checks:
        good = err <= tol
        ok &= good
        print(f"{'ok  ' if good else 'FAIL'} {name}: {err:.2e} (tolerance {tol:.0e})")
    return ok


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--inputs", required=True, help="the folder latentwalk_bench_peer_inputs wrote")
    p.add_argument("--build", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "build"))
    p.add_argument("--reps", type=int, default=3, help="interleaved repetitions (the table shows medians)")
    p.add_argument("--seconds", type=float, default=1.0, help="minimum measuring time per cell and repetition")
    p.add_argument("--codes", type=int, default=8, choices=[8, 64],
                   help="codes of the batched basis rows (the issue's target is stated for 64)")
    p.add_argument("--smoke", action="store_true", help="agreement checks only, no timing")
    p.add_argument("--json", help="also write the medians and the table to this file")
    a = p.parse_args()
    inputs = Inputs(a.inputs)
    if a.smoke:
        sys.exit(0 if smoke(inputs) else 1)

    binaries = {g[0]: benchmark_binary(a.build, g[0]) for g in GROUPS}
    G, Z, sigma = Mapping(inputs), inputs.array("codes"), inputs.array("sigma")
    u, FZ = potential(inputs), inputs.array("flow_codes")
    A, B = inputs.array("tall_A").numpy(), inputs.array("tall_B").numpy()
    codes = a.codes

    def python_group(binary):
        if binary == "latentwalk_bench_tangent_basis":
            return {"authors": cpu_seconds(lambda: local_basis(G, Z[0]), a.seconds)}
        if binary == "latentwalk_bench_torch_batched":
            def loop():
                for b in range(codes):
                    local_basis(G, Z[b])
            start = time.process_time()
            loop()
            return {"authors_loop": time.process_time() - start}
        if binary == "latentwalk_bench_grassmann":
            return {"scipy": cpu_seconds(lambda: scipy.linalg.subspace_angles(A, B), a.seconds)}
        if binary == "latentwalk_bench_potential_flow":
            start = time.process_time()
            laplacian_hvp_loop(u, FZ, 0.5)
            return {"hvp_loop": time.process_time() - start,
                    "euler": cpu_seconds(lambda: euler_step(u, FZ[:1]), a.seconds)}
        return {}

    samples = {}  # key -> list over reps

    def add(key, value):
        samples.setdefault(key, []).append(value)

    load_before = os.getloadavg()
    for rep in range(a.reps):
        for binary, name_filter in GROUPS:
            rows = google_benchmark_rows(binaries[binary], name_filter.format(codes=a.codes), a.seconds)
            for r in rows:
                add(("cxx", r["name"]), r)
            for key, value in python_group(binary).items():
                add(("py", key), value)
        print(f"repetition {rep + 1} of {a.reps} done", file=sys.stderr, flush=True)
    load_after = os.getloadavg()

    def cxx(pattern, field="cpu_time"):
        vals = []
        for (side, name), rs in samples.items():
            if side == "cxx" and (name == pattern or name.startswith(pattern + "/")):
                vals = [row_seconds([r], name, field) for r in rs]
        vals = [v for v in vals if v is not None]
        return statistics.median(vals) if vals else None

    def counter(pattern, c):
        for (side, name), rs in samples.items():
            if side == "cxx" and (name == pattern or name.startswith(pattern + "/")):
                return rs[-1].get(c)
        return None

    def py(key):
        return statistics.median(samples[("py", key)])

    # Agreement of the Python answers with latentwalk's.
    _, S0, _ = local_basis(G, Z[0])
    sigma_err = ((S0 - sigma[0]).abs().max() / S0[0]).item()
    lap_err = ((laplacian_hvp_loop(u, FZ[:4], 0.5) - inputs.array("laplacian")[:4]).abs()
               / inputs.array("laplacian")[:4].abs()).max().item()
    euler_err = (euler_step(u, FZ[:1]) - inputs.array("euler")).abs().max().item()
    angle_err = float(np.abs(np.sort(scipy.linalg.subspace_angles(A, B)) - inputs.array("angles").numpy().ravel()).max())

    table = []  # (measure, ours label, ours s, peer label, peer s, ratio, target, agreement)

    def row(measure, ours_label, ours, peer_label, peer, target, agreement=""):
        ratio = peer / ours if (ours and peer) else None
        table.append((measure, ours_label, ours, peer_label, peer, ratio, target, agreement))

    row("dense local basis on torch, 512->512", "tangent_basis(dense), torch", cxx("dense_torch"),
        "authors' method (torch)", py("authors"), ">= 1.5x",
        f"sigma {counter('dense_torch', 'sv_rel_error'):.0e}; peer {sigma_err:.0e}")
    best = None
    for m in ["dense", "lanczos", "randomized"]:
        t = cxx(f"BM_{m}/0/10")
        ok = m == "dense" or counter(f"BM_{m}/0/10", "converged") == 1
        if t and ok and (best is None or t < best[1]):
            best = (m, t)
    row("top-10 basis on Eigen, 512->512 (best converged method)", f"tangent_basis({best[0]}), Eigen", best[1],
        "authors' method (torch)", py("authors"), ">= 6x",
        f"subspace {counter(f'BM_{best[0]}/0/10', 'geodesic_error'):.0e} rad")
    fastest_converged, fastest_any = None, None
    for i, m in enumerate(BATCH_METHODS):
        name = f"tangent_basis_torch_batched/{i}/{codes}"
        t = cxx(name)
        if t is None:
            continue
        err, conv = counter(name, "sv_rel_error"), counter(name, "converged")
        if fastest_any is None or t < fastest_any[1]:
            fastest_any = (m, t, err, conv)
        if conv == 1 and err is not None and err < 1e-8 and (fastest_converged is None or t < fastest_converged[1]):
            fastest_converged = (m, t, err, conv)
    if fastest_converged:
        m, t, err, _ = fastest_converged
        row(f"batched top-10 bases, {codes} codes, torch (converged)", f"tangent_basis({m}), one call", t,
            "authors' loop (torch)", py("authors_loop"), ">= 5x", f"sigma {err:.0e}")
    if fastest_any and (not fastest_converged or fastest_any[0] != fastest_converged[0]):
        m, t, err, conv = fastest_any
        row("  (fastest batched row, any)", f"tangent_basis({m}){'' if conv == 1 else ', NOT converged'}", t,
            "authors' loop (torch)", py("authors_loop"), "", f"sigma {err:.0e}")
    row("principal angles 4096x50", "principal_angles, Eigen", cxx("BM_principal_angles_tall"),
        f"scipy {scipy.__version__} subspace_angles", py("scipy"), ">= 1.5x", f"angles {angle_err:.0e} rad")
    row("exact Laplacian, batch 64, d = 512", "torch::mlp_potential::laplacian (closed form)", cxx("laplacian_torch/64"),
        "PyTorch d-HVP loop", py("hvp_loop"), ">= 10x", f"peer vs Eigen {lap_err:.0e}")
    row("  (before: the same by autograd)", "torch::mlp_potential::laplacian (autograd)",
        cxx("laplacian_torch_autograd/64"), "PyTorch d-HVP loop", py("hvp_loop"), "")
    row("  (the same on Eigen, a loop over the 64 codes)", "eigen::mlp_potential::laplacian",
        cxx("BM_laplacian_forward_loop/64"), "PyTorch d-HVP loop", py("hvp_loop"), "")
    row("Euler flow step, d = 512, batch 1", f"potential_flow(euler), Eigen, {counter('BM_euler_step', 'gradients'):.0f} gradient(s)",
        cxx("BM_euler_step"), "PyTorch z + grad u", py("euler"), ">= 1.5x", f"z1 {euler_err:.0e}")
    row("  (the same on torch)", f"potential_flow(euler), torch, {counter('euler_step_torch', 'gradients'):.0f} gradient(s)",
        cxx("euler_step_torch"), "PyTorch z + grad u", py("euler"), "")
    t1, t2 = cxx("BM_warpage_threads/1", "real_time"), cxx("BM_warpage_threads/2", "real_time")
    labels = [r.get("label", "") for (side, name), rs in samples.items() if side == "cxx" and name.startswith("BM_warpage_threads/2") for r in rs[:1]]
    threads_note = "no thread option yet: both rows one thread" if labels and "no thread count" in labels[0] else ""
    row("warpage table (16 pairs), 2 threads vs 1 (wall)", "2 threads", t2, "1 thread", t1, ">= 1.8x", threads_note)

    def fmt(x):
        if x is None:
            return "n/a"
        return f"{x * 1e3:.3g} ms" if x < 1 else f"{x:.3g} s"

    print(f"torch {torch.__version__}, scipy {scipy.__version__}, numpy {np.__version__}; {os.cpu_count()} CPUs; "
          f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after; median of {a.reps}, one thread each "
          f"(CPU time; the threads row wall time)")
    print("| measure | latentwalk | time | peer | time | ratio (peer / ours) | target | agreement |")
    print("|---|---|---|---|---|---|---|---|")
    for measure, ol, o, pl, pt, ratio, target, agreement in table:
        rs = f"{ratio:.2f}x" if ratio else "n/a"
        print(f"| {measure} | {ol} | {fmt(o)} | {pl} | {fmt(pt)} | {rs} | {target} | {agreement} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"load_before": load_before, "load_after": load_after, "table": table}, f, indent=1)


if __name__ == "__main__":
    main()
