// Time per potential-flow training step (Song et al., ICML 2023) of latentwalk's flow_trainer: the C++
// side of benchmarks/flow_step.py, which runs the same step the authors' way in Python (python3-torch:
// autograd for ∇u, ∂²u/∂t² and the Laplacian) with the same batch and threads, and prints the ratio.
//
//     cmake --build build -j1 --target latentwalk_bench_torch_flow_step
//     /usr/bin/python3 benchmarks/flow_step.py          # both sides (benchmarks/flow_step.sh does both)
//
// One iteration is one flow_trainer<potential_bank, lenet_pair_classifier>::step with the paper's
// defaults (flow_loss_options{}: T = 10 collocation points with u_tt and the exact Laplacian, L_u,
// L_J through the generator by double backward, the pair (x_t, x_{t+1}) through LeNet, one Adam step
// each for the bank and the classifier), in double. Generator: a frozen MLP d → 256 (leaky ReLU 0.2)
// → 784 (sigmoid), 1×28×28 images, weights from manual_seed(1) (the values do not change the cost).
// Arguments: {d, threads}; K = 16 potentials, batch 32 (the trainer's default).
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include <memory>

#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

namespace lt = latentwalk::torch;

namespace {

constexpr std::int64_t potentials = 16, batch = 32, hidden = 256, side = 28;

void flow_step(benchmark::State& state) {
    const std::int64_t d = state.range(0);
    at::set_num_threads(static_cast<int>(state.range(1)));
    at::manual_seed(1);
    auto fc1 = std::make_shared<::torch::nn::LinearImpl>(d, hidden);
    auto fc2 = std::make_shared<::torch::nn::LinearImpl>(hidden, side * side);
    fc1->to(at::kDouble);
    fc2->to(at::kDouble);
    for (auto& p : fc1->parameters()) p.set_requires_grad(false);
    for (auto& p : fc2->parameters()) p.set_requires_grad(false);
    lt::tensor_function G = [fc1, fc2](const at::Tensor& z) {
        return at::sigmoid(fc2->forward(at::leaky_relu(fc1->forward(z), 0.2)));
    };
    auto bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = potentials});
    auto clf = std::make_shared<lt::lenet_pair_classifier>(1, potentials);
    lt::flow_trainer<lt::potential_bank, lt::lenet_pair_classifier> trainer(bank, clf, G, {1, side, side},
                                                                            {.batch = batch});
    for (int i = 0; i < 3; ++i) trainer.step();  // warm-up
    for (auto _ : state) benchmark::DoNotOptimize(trainer.step());
    state.SetItemsProcessed(state.iterations());
}

}  // namespace

BENCHMARK(flow_step)
    ->ArgsProduct({{16, 64}, {1, 2}})
    ->ArgNames({"d", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
