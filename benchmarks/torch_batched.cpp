// torch_batched: the LibTorch backend (CPU, one thread) against the Eigen reference, in one run.
// Model: StyleGAN2's mapping network shape, 512 → 512, 8 layers, leaky ReLU 0.2, PixelNorm first,
// the same random weights in both backends (torch: a module_generator over at::linear).
// Rows:
//   dense_basis_eigen_loop/B      B latent codes one after the other: tangent_basis(dense), which
//                                 uses the Eigen model's own chain-product Jacobian and a thin SVD
//   dense_basis_torch_batched/B   the same B codes in one batch on torch: J from 512 batched
//                                 forward-mode JVPs (the derivation layer), then one batched thin SVD
//   local_basis_reference_torch   the Local Basis authors' method on torch for one code: the full
//                                 Jacobian by autograd through an identity (one VJP with a batch of
//                                 the m unit covectors), then a full SVD
//   lanczos_torch, dense_torch    latentwalk's tangent_basis (k = 10, Lanczos / dense) on torch, one code
//   tangent_basis_torch_batched/M/B  latentwalk's tangent_basis (k = 10) on a batch of B codes in one
//                                 call, M = 0 dense, 1 randomized (defaults), 2 lanczos, 3 automatic;
//                                 (lanczos: one recurrence per code in lock step)
//   randomized_basis_eigen_loop/B tangent_basis(randomized, k = 10) on Eigen, one code after the other
//   fixture_local_basis_reference the Local Basis method on the TorchScript mapping fixture
//                                 (tests/torch/fixtures/mapping.pt, 8 → 8): full Jacobian by autograd
//                                 through an identity, then a full SVD, one code at a time (B = 8)
//   fixture_tangent_basis/M       tangent_basis (k = 3) on the same fixture: M = 0 lanczos one code at a
//                                 time, M = 1 randomized on the batch of 8 in one call
//   jvp_eigen_loop/B, jvp_torch/B, vjp_torch/B   one product for B codes (a loop on Eigen, one
//                                 batched call on torch): the cost per product and what batching saves
// Counters: sv_rel_error = largest relative difference of the top-10 singular values from the Eigen
// reference; products = JVPs + VJPs spent; converged = the report's flag. Compare rows of one run (ratios), not absolute times.
#include <benchmark/benchmark.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <latentwalk/derivatives.hpp>
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/torch.hpp>

#include "bench_models.hpp"

namespace {

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
namespace lt = latentwalk::torch;
using TT = lw::backend_traits<lt::backend<double>>;

const le::mlp_generator<double>& model() { return latentwalk::bench::mapping_like_mlp(); }

at::Tensor tensor_of(const Eigen::MatrixXd& A) {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> R = A;
    return at::from_blob(R.data(), {A.rows(), A.cols()}, at::kDouble).clone();
}

const lt::module_generator<double>& torch_model() {
    static const auto g = [] {
        std::vector<std::pair<at::Tensor, at::Tensor>> layers;
        for (const auto& L : model().layers()) layers.emplace_back(tensor_of(L.weight), tensor_of(L.bias).squeeze(-1));
        const auto o = model().settings();
        auto f = [layers, o](const at::Tensor& z) {
            at::Tensor x = z / ((z * z).mean(-1, true) + o.pixel_norm_epsilon).sqrt();
            for (std::size_t l = 0; l < layers.size(); ++l) {
                x = at::linear(x, layers[l].first, layers[l].second);
                if (l + 1 < layers.size()) x = at::leaky_relu(x, o.leaky_slope);
            }
            return x;
        };
        return lt::module_generator<double>(f, 512, 512);
    }();
    return g;
}

lw::tangent_basis_options dense() {
    lw::tangent_basis_options o;
    o.method = lw::tangent_method::dense;
    return o;
}

std::vector<Eigen::VectorXd> codes(int count) {
    const Eigen::MatrixXd Z = latentwalk::bench::gaussian_codes(count, 512, 7);
    std::vector<Eigen::VectorXd> zs;
    for (int b = 0; b < count; ++b) zs.push_back(Z.row(b).transpose());
    return zs;
}

/// The Eigen dense top-10 singular values of code b of codes(64), the reference of every sv_rel_error.
const Eigen::VectorXd& reference_sigma(std::size_t b) {
    static std::map<std::size_t, Eigen::VectorXd> cache;
    auto it = cache.find(b);
    if (it == cache.end()) it = cache.emplace(b, lw::tangent_basis(model(), codes(static_cast<int>(b) + 1)[b], 10, dense()).singular_values).first;
    return it->second;
}

lt::vector<double> batch_of(const std::vector<Eigen::VectorXd>& zs) {
    std::vector<at::Tensor> rows;
    for (const auto& z : zs) rows.push_back(tensor_of(z).squeeze(-1));
    return at::stack(rows);
}

double sv_error(const at::Tensor& S, const Eigen::VectorXd& ref) {
    double worst = 0;
    for (Eigen::Index i = 0; i < ref.size(); ++i)
        worst = std::max(worst, std::abs(S[i].item<double>() - ref[i]) / ref[0]);
    return worst;
}

void dense_basis_eigen_loop(benchmark::State& state) {
    at::set_num_threads(1);
    const auto zs = codes(static_cast<int>(state.range(0)));
    for (auto _ : state)
        for (const auto& z : zs) benchmark::DoNotOptimize(lw::tangent_basis(model(), z, 10, dense()).singular_values);
    state.counters["samples"] = static_cast<double>(zs.size());
}

void dense_basis_torch_batched(benchmark::State& state) {
    at::set_num_threads(1);
    const auto zs = codes(static_cast<int>(state.range(0)));
    const auto z = batch_of(zs);
    TT::svd_result svd;
    for (auto _ : state) {
        svd = TT::thin_svd(lw::jacobian(torch_model(), z));
        benchmark::DoNotOptimize(svd.S.tensor().data_ptr());
    }
    double worst = 0;
    for (std::size_t b = 0; b < zs.size(); ++b)
        worst = std::max(worst, sv_error(svd.S.tensor()[static_cast<long>(b)], reference_sigma(b)));
    state.counters["samples"] = static_cast<double>(zs.size());
    state.counters["sv_rel_error"] = worst;
    state.counters["products"] = 512;
}

void local_basis_reference_torch(benchmark::State& state) {
    at::set_num_threads(1);
    const auto z0 = codes(1)[0];
    const at::Tensor z = tensor_of(z0).squeeze(-1);
    const at::Tensor identity = at::eye(512, at::kDouble);
    at::Tensor S;
    for (auto _ : state) {
        // Row i of J is (Jᵀ e_i)ᵀ: one VJP over the batch of the 512 unit covectors.
        const auto J = torch_model().vjp(z.expand({512, 512}), identity).tensor();
        S = std::get<1>(at::linalg_svd(J, /*full_matrices=*/true));
        benchmark::DoNotOptimize(S.data_ptr());
    }
    state.counters["sv_rel_error"] = sv_error(S, reference_sigma(0));
    state.counters["products"] = 512;
}

/// tangent_basis (k = 10) of one code (a 1-D tensor) on torch with the given method.
void single_code_torch(benchmark::State& state, lw::tangent_method method) {
    at::set_num_threads(1);
    const auto z0 = codes(1)[0];
    const lt::vector<double> z = tensor_of(z0).squeeze(-1);
    lw::tangent_basis_options o;
    o.method = method;
    lw::tangent_basis_result<lt::backend<double>> tb;
    for (auto _ : state) {
        tb = lw::tangent_basis(torch_model(), z, 10, o);
        benchmark::DoNotOptimize(tb.singular_values.tensor().data_ptr());
    }
    state.counters["sv_rel_error"] = sv_error(tb.singular_values.tensor(), reference_sigma(0));
    state.counters["products"] = static_cast<double>(tb.report.products());
    state.counters["converged"] = tb.report.converged ? 1 : 0;
}
void lanczos_torch(benchmark::State& state) { single_code_torch(state, lw::tangent_method::lanczos); }
/// The dense method on one code: J through the derivation layer, then a thin SVD.
void dense_torch(benchmark::State& state) { single_code_torch(state, lw::tangent_method::dense); }

void tangent_basis_torch_batched(benchmark::State& state) {
    at::set_num_threads(1);
    const auto zs = codes(static_cast<int>(state.range(1)));
    const auto z = batch_of(zs);
    constexpr lw::tangent_method methods[] = {lw::tangent_method::dense, lw::tangent_method::randomized,
                                              lw::tangent_method::lanczos, lw::tangent_method::automatic};
    lw::tangent_basis_options o;
    o.method = methods[state.range(0)];
    state.SetLabel(lw::to_string(o.method));
    lw::tangent_basis_result<lt::backend<double>> tb;
    try {
        for (auto _ : state) {
            tb = lw::tangent_basis(torch_model(), z, 10, o);
            benchmark::DoNotOptimize(tb.singular_values.tensor().data_ptr());
        }
    } catch (const lw::error& e) {  // a method that refuses a batch is a skipped row, not a crash
        state.SkipWithError(e.what());
        return;
    }
    double worst = 0;
    for (std::size_t b = 0; b < zs.size(); ++b)
        worst = std::max(worst, sv_error(tb.singular_values.tensor()[static_cast<long>(b)], reference_sigma(b)));
    state.counters["samples"] = static_cast<double>(zs.size());
    state.counters["sv_rel_error"] = worst;
    state.counters["products"] = static_cast<double>(tb.report.products());
    state.counters["converged"] = tb.report.converged ? 1 : 0;
}

void randomized_basis_eigen_loop(benchmark::State& state) {
    const auto zs = codes(static_cast<int>(state.range(0)));
    lw::tangent_basis_options o;
    o.method = lw::tangent_method::randomized;
    long long products = 0;
    for (auto _ : state) {
        products = 0;
        for (const auto& z : zs) {
            const auto tb = lw::tangent_basis(model(), z, 10, o);
            products += tb.report.products();
            benchmark::DoNotOptimize(tb.singular_values.data());
        }
    }
    state.counters["samples"] = static_cast<double>(zs.size());
    state.counters["products"] = static_cast<double>(products);
}

const lt::torchscript_generator<double>& mapping_fixture() {
    static const lt::torchscript_generator<double> g(std::string(LATENTWALK_TORCH_FIXTURES_DIR) + "/mapping.pt", 8);
    return g;
}

at::Tensor fixture_codes() {
    std::mt19937_64 rng(9);
    std::normal_distribution<double> nd;
    auto z = at::empty({8, 8}, at::kDouble);
    double* p = z.data_ptr<double>();
    for (int i = 0; i < 64; ++i) p[i] = nd(rng);
    return z;
}

void fixture_local_basis_reference(benchmark::State& state) {
    at::set_num_threads(1);
    const auto z = fixture_codes();
    const at::Tensor identity = at::eye(8, at::kDouble);
    at::Tensor S;
    for (auto _ : state) {
        for (int b = 0; b < 8; ++b) {  // the reference runs one code at a time
            const auto J = mapping_fixture().vjp(z[b].expand({8, 8}), identity).tensor();  // rows (Jᵀ e_i)ᵀ
            S = std::get<1>(at::linalg_svd(J, /*full_matrices=*/true));
            benchmark::DoNotOptimize(S.data_ptr());
        }
    }
    state.counters["samples"] = 8;
    state.counters["products"] = 8;  // one VJP over a batch of 8 covectors per code
}

void fixture_tangent_basis(benchmark::State& state) {
    at::set_num_threads(1);
    const auto z = fixture_codes();
    const at::Tensor identity = at::eye(8, at::kDouble);
    lw::tangent_basis_options o;
    const bool batched = state.range(0) == 1;
    o.method = batched ? lw::tangent_method::randomized : lw::tangent_method::lanczos;
    o.oversampling = 2;  // ℓ = 5 < 8: matrix-free on a part of the latent space
    o.power_iterations = 2;
    std::vector<at::Tensor> S(8);
    long long products = 0;
    for (auto _ : state) {
        if (batched) {
            const auto tb = lw::tangent_basis(mapping_fixture(), lt::vector<double>(z), 3, o);
            for (int b = 0; b < 8; ++b) S[b] = tb.singular_values.tensor()[b];
            products = tb.report.products();
        } else {
            products = 0;
            for (int b = 0; b < 8; ++b) {
                const auto tb = lw::tangent_basis(mapping_fixture(), lt::vector<double>(z[b].clone()), 3, o);
                S[b] = tb.singular_values.tensor();
                products += tb.report.products();
            }
        }
        benchmark::DoNotOptimize(S[0].data_ptr());
    }
    double worst = 0;  // against the reference's full SVD
    for (int b = 0; b < 8; ++b) {
        const auto J = mapping_fixture().vjp(z[b].expand({8, 8}), identity).tensor();
        const auto ref = at::linalg_svdvals(J);
        worst = std::max(worst, ((S[b] - ref.narrow(0, 0, 3)).abs().max() / ref[0]).item<double>());
    }
    state.SetLabel(lw::to_string(o.method));
    state.counters["samples"] = 8;
    state.counters["products"] = static_cast<double>(products);
    state.counters["sv_rel_error"] = worst;
}

void jvp_torch(benchmark::State& state) {
    at::set_num_threads(1);
    const auto zs = codes(static_cast<int>(state.range(0)));
    const auto z = batch_of(zs);
    const lt::vector<double> v = at::ones({512}, at::kDouble);
    for (auto _ : state) benchmark::DoNotOptimize(torch_model().jvp(z, v).tensor().data_ptr());
    state.counters["samples"] = static_cast<double>(zs.size());
}

void vjp_torch(benchmark::State& state) {
    at::set_num_threads(1);
    const auto zs = codes(static_cast<int>(state.range(0)));
    const auto z = batch_of(zs);
    const lt::vector<double> u = at::ones({512}, at::kDouble);
    for (auto _ : state) benchmark::DoNotOptimize(torch_model().vjp(z, u).tensor().data_ptr());
    state.counters["samples"] = static_cast<double>(zs.size());
}

void jvp_eigen_loop(benchmark::State& state) {
    const auto zs = codes(static_cast<int>(state.range(0)));
    const Eigen::VectorXd v = Eigen::VectorXd::Ones(512);
    for (auto _ : state)
        for (const auto& z : zs) benchmark::DoNotOptimize(model().jvp(z, v).data());
    state.counters["samples"] = static_cast<double>(zs.size());
}

}  // namespace

BENCHMARK(jvp_eigen_loop)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond);
BENCHMARK(jvp_torch)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond);
BENCHMARK(vjp_torch)->Arg(1)->Arg(8)->Unit(benchmark::kMicrosecond);
BENCHMARK(dense_basis_eigen_loop)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(dense_basis_torch_batched)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(tangent_basis_torch_batched)->Args({0, 8})->Args({1, 8})->Unit(benchmark::kMillisecond);
// Every method on 8 and 64 codes in one call (a method that refuses a batch shows as a skipped row):
// the batched row of benchmarks/peers (vs the Local Basis authors' loop over the same codes).
BENCHMARK(tangent_basis_torch_batched)->ArgsProduct({{2, 3}, {8}})->Unit(benchmark::kMillisecond);
BENCHMARK(tangent_basis_torch_batched)->ArgsProduct({{0, 1, 2, 3}, {64}})->Unit(benchmark::kMillisecond);
BENCHMARK(randomized_basis_eigen_loop)->Arg(8)->Unit(benchmark::kMillisecond);
BENCHMARK(local_basis_reference_torch)->Unit(benchmark::kMillisecond);
BENCHMARK(lanczos_torch)->Unit(benchmark::kMillisecond);
BENCHMARK(dense_torch)->Unit(benchmark::kMillisecond);
BENCHMARK(fixture_local_basis_reference)->Unit(benchmark::kMicrosecond);
BENCHMARK(fixture_tangent_basis)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);
BENCHMARK_MAIN();
