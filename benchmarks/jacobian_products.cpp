// JVP vs VJP vs full-Jacobian assembly for mapping-network-like MLPs.
//   mapping: 512 → 512, 8 layers, leaky ReLU 0.2, PixelNorm first (StyleGAN2's mapping network)
//   wide:    512 → 16384, 8 layers (a wide partial generator)
// Rows: one JVP, one VJP, one JVP and one VJP from a linearization at z (what tangent_basis's
// matrix-free methods pay per product after the first), the Jacobian from min(n, m) JVPs (what the derivation layer does for a
// generator that only has products), and the model's own chain-product Jacobian. The ratios
// jacobian/jvp show what a matrix-free method saves per product it does not need.
#include <benchmark/benchmark.h>

#include <latentwalk/eigen.hpp>

#include "bench_models.hpp"

namespace {

namespace le = latentwalk::eigen;

const le::mlp_generator<double>& model(int which) { return latentwalk::bench::mapping_like_mlp(which == 0 ? 512 : 16384); }

/// Only jvp is visible: the library assembles J from n JVPs.
struct jvp_only {
    using backend = le::backend<double>;
    const le::mlp_generator<double>* g;
    Eigen::Index latent_dim() const { return g->latent_dim(); }
    Eigen::Index output_dim() const { return g->output_dim(); }
    Eigen::VectorXd operator()(const Eigen::VectorXd& z) const { return (*g)(z); }
    Eigen::VectorXd jvp(const Eigen::VectorXd& z, const Eigen::VectorXd& v) const { return g->jvp(z, v); }
};

void set_label(benchmark::State& state) { state.SetLabel(state.range(0) == 0 ? "512->512" : "512->16384"); }

void BM_jvp(benchmark::State& state) {
    const auto& g = model(static_cast<int>(state.range(0)));
    const Eigen::VectorXd z = Eigen::VectorXd::Random(512), v = Eigen::VectorXd::Random(512);
    for (auto _ : state) benchmark::DoNotOptimize(g.jvp(z, v));
    set_label(state);
}
void BM_vjp(benchmark::State& state) {
    const auto& g = model(static_cast<int>(state.range(0)));
    const Eigen::VectorXd z = Eigen::VectorXd::Random(512), u = Eigen::VectorXd::Random(g.output_dim());
    for (auto _ : state) benchmark::DoNotOptimize(g.vjp(z, u));
    set_label(state);
}
void BM_linearized_jvp(benchmark::State& state) {
    const auto& g = model(static_cast<int>(state.range(0)));
    const Eigen::VectorXd z = Eigen::VectorXd::Random(512), v = Eigen::VectorXd::Random(512);
    const auto L = g.linearize(z);
    for (auto _ : state) benchmark::DoNotOptimize(L.jvp(v));
    set_label(state);
}
void BM_linearized_vjp(benchmark::State& state) {
    const auto& g = model(static_cast<int>(state.range(0)));
    const Eigen::VectorXd z = Eigen::VectorXd::Random(512), u = Eigen::VectorXd::Random(g.output_dim());
    const auto L = g.linearize(z);
    for (auto _ : state) benchmark::DoNotOptimize(L.vjp(u));
    set_label(state);
}
void BM_jacobian_from_jvps(benchmark::State& state) {
    const auto& g = model(static_cast<int>(state.range(0)));
    const Eigen::VectorXd z = Eigen::VectorXd::Random(512);
    const jvp_only wrapped{&g};
    for (auto _ : state) benchmark::DoNotOptimize(latentwalk::jacobian(wrapped, z));
    set_label(state);
}
void BM_jacobian_chain_product(benchmark::State& state) {
    const auto& g = model(static_cast<int>(state.range(0)));
    const Eigen::VectorXd z = Eigen::VectorXd::Random(512);
    for (auto _ : state) benchmark::DoNotOptimize(g.jacobian(z));
    set_label(state);
}

}  // namespace

BENCHMARK(BM_jvp)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_vjp)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_linearized_jvp)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_linearized_vjp)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_jacobian_from_jvps)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_jacobian_chain_product)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
