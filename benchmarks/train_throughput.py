#!/usr/bin/python3
"""Training throughput of latentwalk's C++ training loop against the same models and optimizers in Python.

    cmake --build build -j1 --target latentwalk_bench_torch_train_throughput
    /usr/bin/python3 benchmarks/train_throughput.py [--threads 1 2] [--seconds 3] [--build build]

(benchmarks/train_throughput.sh does both.) Run it with Debian's /usr/bin/python3, which has python3-torch.

The C++ side is build/benchmarks/latentwalk_bench_torch_train_throughput (Google Benchmark, one iteration =
one vae_trainer / gan_trainer step); the Python side below rebuilds the same layers in torch.nn (the
layer plan of conv_geometry.hpp, the losses of vae.hpp and gan.hpp, torch.nn.utils.spectral_norm with one
power iteration as spectral_norm.hpp, Adam with the trainers' settings) and times the same step: a batch
from a shuffled permutation, forward, backward, Adam. Both run on uniform random images of the data set's
shape, batch 64, with the same number of intra-op threads (at::set_num_threads / torch.set_num_threads),
one configuration at a time, so the two never compete for the cores. Prints images/s and C++ / Python.
"""
import os

from bench_timing import benchmark_binary, driver_arguments, google_benchmark_ms, seconds_per_step
import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = [  # (name, side, latent, width, gan) — the order of torch_train_throughput.cpp
    ("digits VAE 8x8", 8, 8, 16, False),
    ("Fashion-MNIST VAE 28x28", 28, 16, 32, False),
    ("Fashion-MNIST GAN 28x28", 28, 16, 32, True),
]
BATCH = 64


def plan(side, width, max_width=256):
    levels, h = 0, side
    while h % 2 == 0 and h // 2 >= 4:
        h //= 2
        levels += 1
    return levels, h, [min(width << i, max_width) for i in range(levels)]


class Decoder(nn.Module):
    def __init__(s, n, side, width):
        super().__init__()
        s.levels, s.base, s.widths = plan(side, width)
        s.fc = nn.Linear(n, s.widths[-1] * s.base * s.base)
        s.up = nn.ModuleList(nn.ConvTranspose2d(s.widths[j], s.widths[max(j - 1, 0)], 4, 2, 1)
                             for j in range(s.levels - 1, -1, -1))
        s.out = nn.Conv2d(s.widths[0], 1, 3, padding=1)

    def logits(s, z):
        h = F.leaky_relu(s.fc(z), 0.2).reshape(-1, s.widths[-1], s.base, s.base)
        for u in s.up:
            h = F.leaky_relu(u(h), 0.2)
        return s.out(h)


class VAE(nn.Module):
    def __init__(s, n, side, width):
        super().__init__()
        s.n = n
        s.decoder = Decoder(n, side, width)
        levels, base, widths = plan(side, width)
        s.convs = nn.ModuleList(nn.Conv2d(1 if i == 0 else widths[i - 1], widths[i], 4, 2, 1) for i in range(levels))
        s.fc = nn.Linear(widths[-1] * base * base, 2 * n)

    def loss(s, x, eps):
        h = x
        for c in s.convs:
            h = F.leaky_relu(c(h), 0.2)
        o = s.fc(h.flatten(1))
        mu, logvar = o[:, :s.n], o[:, s.n:]
        z = mu + torch.exp(0.5 * logvar) * eps
        nll = F.binary_cross_entropy_with_logits(s.decoder.logits(z), x, reduction="none").flatten(1).sum(1).mean()
        kl = (0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(1)).mean()
        return nll + kl


class Discriminator(nn.Module):
    def __init__(s, side, width):
        super().__init__()
        levels, base, widths = plan(side, width)
        sn = nn.utils.spectral_norm
        layers = []
        for i in range(levels):
            cin = 1 if i == 0 else widths[i - 1]
            layers += [sn(nn.Conv2d(cin, widths[i], 3, 1, 1)), sn(nn.Conv2d(widths[i], widths[i], 4, 2, 1))]
        s.convs = nn.ModuleList(layers)
        s.fc = sn(nn.Linear(widths[-1] * base * base, 1))

    def forward(s, x):
        h = 2.0 * x - 1.0
        for c in s.convs:
            h = F.leaky_relu(c(h), 0.1)
        return s.fc(h.flatten(1)).squeeze(1)


class Sampler:
    def __init__(s, count, gen):
        s.count, s.gen, s.perm, s.pos = count, gen, None, count

    def next(s):
        if s.pos + BATCH > s.count:
            s.perm, s.pos = torch.randperm(s.count, generator=s.gen), 0
        idx = s.perm[s.pos:s.pos + BATCH]
        s.pos += BATCH
        return idx


def python_rate(cfg, threads, seconds):
    _, side, n, width, gan = cfg
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    images = torch.rand(2048, 1, side, side)
    sampler = Sampler(images.shape[0], gen)
    if gan:
        G, D = Decoder(n, side, width), Discriminator(side, width)
        og = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
        od = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))

        def step():
            x = images.index_select(0, sampler.next())
            with torch.no_grad():
                fake = torch.sigmoid(G.logits(torch.randn(BATCH, n, generator=gen)))
            od.zero_grad()
            ld = F.relu(1.0 - D(x)).mean() + F.relu(1.0 + D(fake)).mean()
            ld.backward()
            od.step()
            og.zero_grad()
            lg = -D(torch.sigmoid(G.logits(torch.randn(BATCH, n, generator=gen)))).mean()
            lg.backward()
            og.step()
            return ld.item(), lg.item()
    else:
        model = VAE(n, side, width)
        opt = torch.optim.Adam(model.parameters(), 1e-3)

        def step():
            x = images.index_select(0, sampler.next())
            opt.zero_grad()
            loss = model.loss(x, torch.randn(BATCH, n, generator=gen))
            loss.backward()
            opt.step()
            return loss.item()

    return BATCH / seconds_per_step(step, seconds)


def cxx_rate(binary, index, threads, seconds):
    ms = google_benchmark_ms(binary, f"^train_step/config:{index}/threads:{threads}/real_time$", seconds,
                             f"config {index}, threads {threads}")
    return BATCH * 1000.0 / ms


def main():
    p = driver_arguments(__doc__.splitlines()[0])
    a = p.parse_args()
    binary = benchmark_binary(a.build, "latentwalk_bench_torch_train_throughput")
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; "
          f"batch {BATCH}; images/s of optimization steps")
    print(f"{'model':26} {'threads':>7} {'C++ loop':>10} {'Python':>10} {'C++/Python':>11}")
    for i, cfg in enumerate(CONFIGS):
        for t in a.threads:
            c = cxx_rate(binary, i, t, a.seconds)
            py = python_rate(cfg, t, a.seconds)
            print(f"{cfg[0]:26} {t:7d} {c:10.0f} {py:10.0f} {c / py:11.2f}", flush=True)


if __name__ == "__main__":
    main()
