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
// Also the rows benchmarks/peers compares with PyTorch on the same weights (one thread):
//   laplacian_torch/B    torch::mlp_potential::laplacian of B = 2, 64 codes (d = 512), one call: the
//                        closed form (one batched GEMM chain, the default)
//   laplacian_torch_autograd/B   the same by autograd (d HVPs in one double backward), the path it replaced
//   euler_step_torch     one Euler step of potential_flow on torch::mlp_potential (d = 512, batch 1)
#include <benchmark/benchmark.h>

#include <torch/torch.h>

#include <memory>

#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>
#include <latentwalk/torch/mlp_potential.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include "bench_flow.hpp"
#include "bench_models.hpp"

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

// ---- the peers' potential rows (benchmarks/peers runs the same work in PyTorch on the same weights) ----
// flow_potential(512) of bench_models.hpp as torch::mlp_potential, at the 64 codes gaussian_codes(64, 512, 13).
const lt::mlp_potential<double>& torch_potential() {
    static const lt::mlp_potential<double> u(512, latentwalk::bench::flow_potential_weights(512));
    return u;
}
const lt::mlp_potential<double>& torch_potential_autograd() {
    static const lt::mlp_potential<double> u(512, latentwalk::bench::flow_potential_weights(512),
                                             {.derivatives = lt::mlp_derivatives::autograd});
    return u;
}
at::Tensor peer_codes(std::int64_t count) {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Z = latentwalk::bench::gaussian_codes(64, 512, 13);
    return at::from_blob(Z.data(), {64, 512}, at::kDouble).narrow(0, 0, count).clone();
}

/// torch::mlp_potential::laplacian (exact trace) of a batch of B codes at t = 0.5, one call.
void laplacian_torch(benchmark::State& state) {
    at::set_num_threads(1);
    const lt::vector<double> z = peer_codes(state.range(0));
    const auto t = at::full({state.range(0)}, 0.5, at::kDouble);
    for (auto _ : state) benchmark::DoNotOptimize(torch_potential().laplacian(z, t).data_ptr());
    state.counters["samples"] = static_cast<double>(state.range(0));
}

/// The same by autograd (mlp_derivatives::autograd), the path the closed form replaced.
void laplacian_torch_autograd(benchmark::State& state) {
    at::set_num_threads(1);
    const lt::vector<double> z = peer_codes(state.range(0));
    const auto t = at::full({state.range(0)}, 0.5, at::kDouble);
    for (auto _ : state) benchmark::DoNotOptimize(torch_potential_autograd().laplacian(z, t).data_ptr());
    state.counters["samples"] = static_cast<double>(state.range(0));
}

/// One Euler step of the potential flow (dz/dt = ∇u, t 0 → 1) from the first code, a 1-D tensor.
void euler_step_torch(benchmark::State& state) {
    at::set_num_threads(1);
    const lt::vector<double> z0 = peer_codes(1).squeeze(0);
    const auto o = latentwalk::bench::one_euler_step<lt::backend<double>>();
    long long evals = 0;
    for (auto _ : state) {
        const auto sol = latentwalk::potential_flow(torch_potential(), z0, o);
        evals = sol.function_evaluations;
        benchmark::DoNotOptimize(sol.path.back().tensor().data_ptr());
    }
    state.counters["gradients"] = static_cast<double>(evals);
}

}  // namespace

BENCHMARK(laplacian_torch)->Arg(2)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(laplacian_torch_autograd)->Arg(2)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(euler_step_torch)->Unit(benchmark::kMicrosecond);

BENCHMARK(flow_step)
    ->ArgsProduct({{16, 64}, {1, 2}})
    ->ArgNames({"d", "threads"})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
