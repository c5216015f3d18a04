// Training throughput of latentwalk's LibTorch trainers (images per second of optimization steps):
// the C++ side of benchmarks/train_throughput.py, which runs the same models and optimizers in
// Python (python3-torch) with the same thread count and prints both side by side with their ratio.
//
//     cmake --build build -j1 --target latentwalk_bench_torch_train_throughput
//     /usr/bin/python3 benchmarks/train_throughput.py        # both sides, the table and the ratios
//
// One benchmark iteration is one trainer step (vae_trainer or gan_trainer: sample a batch, forward,
// backward, Adam) on uniform random images of the data set's shape (the content does not change
// the cost). Arguments: {configuration, threads}; configurations (the defaults of
// examples/train_generator): 0 digits VAE (8×8, latent 8, width 16), 1 Fashion-MNIST VAE (28×28,
// latent 16, width 32), 2 Fashion-MNIST GAN (28×28, latent 16, width 32, SN discriminator, one D
// and one G step); batch 64. Read images/s as 64 / real time per iteration.
#include <benchmark/benchmark.h>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <random>

#include <latentwalk/torch/models/gan.hpp>
#include <latentwalk/torch/models/vae.hpp>
#include <latentwalk/torch/training/gan_trainer.hpp>
#include <latentwalk/torch/training/vae_trainer.hpp>

namespace m = latentwalk::torch::models;
namespace tr = latentwalk::torch::training;

namespace {

struct config {
    std::int64_t side, latent, width;
    bool gan;
};
constexpr config configs[] = {{8, 8, 16, false}, {28, 16, 32, false}, {28, 16, 32, true}};

template <class Trainer>
void run_steps(benchmark::State& state, Trainer& trainer) {
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(1);
    std::mt19937_64 engine(1);
    std::int64_t k = 0;
    for (int i = 0; i < 3; ++i) {  // warm-up (allocator, first-call dispatch)
        tr::step_context ctx{++k, 1 << 30, gen, engine};
        trainer.step(ctx);
    }
    for (auto _ : state) {
        tr::step_context ctx{++k, 1 << 30, gen, engine};
        benchmark::DoNotOptimize(trainer.step(ctx));
    }
    state.SetItemsProcessed(state.iterations() * 64);
}

void train_step(benchmark::State& state) {
    const auto c = configs[state.range(0)];
    at::set_num_threads(static_cast<int>(state.range(1)));
    tr::manual_seed(1);
    const auto images = at::rand({2048, 1, c.side, c.side});
    if (c.gan) {
        m::gan net(m::gan_options{.latent_dim = c.latent, .height = c.side, .width = c.side, .base_width = c.width});
        tr::gan_trainer trainer(net, images, {.batch_size = 64});
        run_steps(state, trainer);
    } else {
        m::vae model(m::vae_options{.latent_dim = c.latent, .height = c.side, .width = c.side, .base_width = c.width});
        tr::vae_trainer trainer(model, images, {.batch_size = 64});
        run_steps(state, trainer);
    }
}

}  // namespace

BENCHMARK(train_step)
    ->ArgsProduct({{0, 1, 2}, {1, 2}})
    ->ArgNames({"config", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
