#!/usr/bin/python3
"""Time per potential-flow training step: latentwalk's flow_trainer against the same step in Python.

    cmake --build build -j1 --target latentwalk_bench_torch_flow_step
    /usr/bin/python3 benchmarks/flow_step.py [--threads 1 2] [--dims 16 64] [--seconds 3] [--build build]

(benchmarks/flow_step.sh does both.) Run it with Debian's /usr/bin/python3, which has python3-torch.

The C++ side is build/benchmarks/latentwalk_bench_torch_flow_step (Google Benchmark, one iteration = one
flow_trainer step: closed-form ∇u, u_tt and Laplacian of the potential MLP, see torch_flow_step.cpp). The
Python side below is the same step written the authors' way (PDETraversal): the same potential MLP
(mlp_potential.hpp: tanh latent branch, sinusoidal time embedding with a GELU MLP, tanh fusion, tanh output),
∇u = autograd.grad(u.sum(), z, create_graph=True), ∂²u/∂t² by two grads in a per-sample t, the exact
Laplacian as the d diagonal entries of the Hessian by d more grads, z ← z + ∇u for T = 10 steps back-propagated
through, L_f, L_u, L_J = −‖J_G ∇u‖² by double backward, the LeNet classifier on (x_t, x_{t+1}), Adam on the
bank and the classifier. Same sizes (K = 16, batch 32, 28×28 MLP generator), double precision, the same
number of intra-op threads (at::set_num_threads / torch.set_num_threads), one configuration at a time.
Prints ms per step and Python / C++ (how many times faster latentwalk's step is).
"""
import math
import os

from bench_timing import benchmark_binary, driver_arguments, google_benchmark_ms, seconds_per_step
import torch
import torch.nn as nn
import torch.nn.functional as F

K, BATCH, HIDDEN, SIDE, T = 16, 32, 256, 28, 10


class Potentials(nn.Module):
    """`count` (K) potential MLPs (H = d, E = d rounded up to even, tanh output) and their wave speeds."""

    def __init__(s, d, count=K):
        super().__init__()
        H, E = d, d + d % 2
        s.d, s.half = d, E // 2
        mk = lambda *shape: nn.Parameter(torch.empty(count, *shape, dtype=torch.double).uniform_(-0.3, 0.3))
        s.Wz, s.bz, s.Wt1, s.bt1 = mk(H, d), mk(H), mk(H, E), mk(H)
        s.Wt2, s.bt2, s.Wf, s.bf, s.wout, s.bout = mk(H, H), mk(H), mk(H, H), mk(H), mk(H), mk()
        s.c = nn.Parameter(torch.ones(count, dtype=torch.double))
        s.register_buffer("omega", torch.exp(-torch.arange(s.half, dtype=torch.double) * math.log(10000.0) / max(s.half - 1, 1)))

    def forward(s, k, z, t):  # z [B, d], t [B]
        h1 = torch.tanh(F.linear(z, s.Wz[k], s.bz[k]))
        ph = t.unsqueeze(-1) * s.omega
        tau = torch.cat([ph.sin(), ph.cos()], -1)
        p = F.linear(F.gelu(F.linear(tau, s.Wt1[k], s.bt1[k])), s.Wt2[k], s.bt2[k])
        h3 = torch.tanh(F.linear(h1 + p, s.Wf[k], s.bf[k]))
        return torch.tanh((h3 * s.wout[k]).sum(-1) + s.bout[k])


class LeNet(nn.Module):
    def __init__(s):
        super().__init__()
        s.c1, s.c2, s.c3 = nn.Conv2d(2, 6, 5), nn.Conv2d(6, 16, 5), nn.Conv2d(16, 120, 5)
        s.l1, s.l2 = nn.Linear(120, 84), nn.Linear(84, K)

    def forward(s, a, b):
        x = F.interpolate(torch.cat([a, b], 1), size=(32, 32), mode="bilinear", align_corners=False)
        x = F.max_pool2d(F.relu(s.c1(x)), 2)
        x = F.max_pool2d(F.relu(s.c2(x)), 2)
        x = F.relu(s.c3(x)).mean((-1, -2))
        return s.l2(F.relu(s.l1(x)))


def python_ms(d, threads, seconds):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    fc1, fc2 = nn.Linear(d, HIDDEN).double(), nn.Linear(HIDDEN, SIDE * SIDE).double()
    for p in list(fc1.parameters()) + list(fc2.parameters()):
        p.requires_grad_(False)
    G = lambda z: torch.sigmoid(fc2(F.leaky_relu(fc1(z), 0.2)))
    bank, clf = Potentials(d), LeNet().double()
    ob, oc = torch.optim.Adam(bank.parameters(), 1e-4), torch.optim.Adam(clf.parameters(), 1e-4)
    grad = torch.autograd.grad

    def step():
        k = int(torch.randint(K, ()))
        t = int(torch.randint(T - 1, ()))  # 0 … T − 2
        z = torch.randn(BATCH, d, dtype=torch.double, requires_grad=True)
        ob.zero_grad()
        oc.zero_grad()
        path, vel, wave = [z], [], 0.0
        for i in range(T):
            ti = torch.full((BATCH,), float(i), dtype=torch.double, requires_grad=True)
            u = bank(k, z, ti)
            gz, gt = grad(u.sum(), (z, ti), create_graph=True)
            utt = grad(gt.sum(), ti, create_graph=True)[0]
            lap = sum(grad(gz[:, j].sum(), z, create_graph=True)[0][:, j] for j in range(d))
            f = utt - bank.c[k] ** 2 * lap
            wave = wave + (f * f).mean()
            vel.append(gz)
            if i < T - 1:
                z = z + gz
                path.append(z)
        wave = wave / T
        initial = (vel[0] ** 2).sum(-1).mean()
        zt = path[t]
        y = G(zt)
        w = torch.zeros_like(y, requires_grad=True)
        jt = grad(y, zt, w, create_graph=True)[0]
        jv = grad(jt, w, vel[t], create_graph=True)[0]
        jac = -(jv * jv).sum(-1).mean()
        xa, xb = G(path[t]).view(BATCH, 1, SIDE, SIDE), G(path[t + 1]).view(BATCH, 1, SIDE, SIDE)
        ce = F.cross_entropy(clf(xa, xb), torch.full((BATCH,), k, dtype=torch.long))
        total = wave + initial + jac + ce
        total.backward()
        ob.step()
        oc.step()
        return total.item()

    return 1000.0 * seconds_per_step(step, seconds)


def cxx_ms(binary, d, threads, seconds):
    return google_benchmark_ms(binary, f"^flow_step/d:{d}/threads:{threads}/real_time$", seconds,
                               f"d {d}, threads {threads} (the C++ side has d 16, 64)")


def main():
    p = driver_arguments(__doc__.splitlines()[0])
    p.add_argument("--dims", type=int, nargs="+", default=[16, 64])
    a = p.parse_args()
    binary = benchmark_binary(a.build, "latentwalk_bench_torch_flow_step")
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"K {K}, batch {BATCH}, T {T}, 28x28 MLP generator, double; ms per training step")
    print(f"{'d':>4} {'threads':>7} {'C++ flow_trainer':>17} {'Python autograd':>16} {'Python/C++':>11}")
    for d in a.dims:
        for t in a.threads:
            c = cxx_ms(binary, d, t, a.seconds)
            py = python_ms(d, t, a.seconds)
            print(f"{d:4d} {t:7d} {c:17.1f} {py:16.1f} {py / c:11.2f}", flush=True)


if __name__ == "__main__":
    main()
