// tangent_basis: dense (the Local Basis method: form J, full SVD) vs Lanczos vs randomized.
//   mapping: 512 → 512, 8 layers, leaky ReLU 0.2, PixelNorm first (StyleGAN2's mapping network)
//   wide:    512 → 16384, 8 layers (a wide partial generator)
// For k ∈ {1, 10, 50}. Rows:
//   local_basis     the Local Basis authors' method: form J (here the model's own chain-product
//                   Jacobian), then a full thin SVD of J (Eigen BDCSVD), truncated to k; the baseline
//   local_basis_identity  the same, with J formed as the authors do: reverse mode through the m×m
//                   identity (m VJPs), then a full SVD
//   dense           tangent_basis's dense method: the same J, then a QR-preconditioned thin SVD
//   dense_products  J from min(n, m) = 512 JVPs (a generator with products only, as with autodiff)
//   lanczos         Golub–Kahan–Lanczos, default options (tolerance 1e-10·σ₁)
//   randomized      Halko–Martinsson–Tropp, default options (q = 1, p = 10)
// Counters: products (JVPs + VJPs; "jacobians" counts calls of the model's own jacobian),
// geodesic_error = sqrt(Σθᵢ²) of the principal angles between the latent bases and the dense one
// (output_error likewise for the output bases), speedup = (CPU time of `local_basis`) / (this
// row's CPU time), with the local_basis time measured once per model in the same process.
#include <benchmark/benchmark.h>

#include <cmath>
#include <ctime>
#include <map>

#include <latentwalk/eigen.hpp>

#include "bench_models.hpp"
#include <latentwalk/tangent/tangent_basis.hpp>

namespace {

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

/// CPU seconds of this thread: the build machine is shared, so wall time would count other jobs.
double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

const le::mlp_generator<double>& model(int which) { return latentwalk::bench::mapping_like_mlp(which == 0 ? 512 : 16384); }

const Eigen::VectorXd& latent() {
    static const Eigen::VectorXd z = [] {
        std::mt19937_64 rng(7);
        std::normal_distribution<double> nd;
        return Eigen::VectorXd(Eigen::VectorXd::NullaryExpr(512, [&] { return nd(rng); }));
    }();
    return z;
}

/// Only jvp and vjp are visible: dense must assemble J from products.
struct products_only {
    using backend = le::backend<double>;
    const le::mlp_generator<double>* g;
    Eigen::Index latent_dim() const { return g->latent_dim(); }
    Eigen::Index output_dim() const { return g->output_dim(); }
    Eigen::VectorXd operator()(const Eigen::VectorXd& z) const { return (*g)(z); }
    Eigen::VectorXd jvp(const Eigen::VectorXd& z, const Eigen::VectorXd& v) const { return g->jvp(z, v); }
    Eigen::VectorXd vjp(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const { return g->vjp(z, u); }
};

struct local_basis_result {
    Eigen::MatrixXd U, V;  // top 50
    Eigen::VectorXd S;
};

/// The Local Basis method: J, then a direct thin SVD of the whole m×n matrix.
local_basis_result local_basis(const le::mlp_generator<double>& g, const Eigen::VectorXd& z, Eigen::Index k) {
    const Eigen::MatrixXd J = g.jacobian(z);
    Eigen::BDCSVD<Eigen::MatrixXd> svd(J, Eigen::ComputeThinU | Eigen::ComputeThinV);
    return {svd.matrixU().leftCols(k), svd.matrixV().leftCols(k), svd.singularValues().head(k)};
}

struct dense_reference {
    local_basis_result result;
    double seconds = 0;
};

/// The Local Basis result and its CPU time, once per model.
const dense_reference& reference(int which) {
    static std::map<int, dense_reference> cache;
    auto it = cache.find(which);
    if (it != cache.end()) return it->second;
    const auto& g = model(which);  // build the models (and z) outside the timed region
    (void)latent();
    (void)local_basis(g, latent(), 50);  // warm-up run (first-touch allocations), not timed
    const double t0 = cpu_seconds();
    auto r = local_basis(g, latent(), 50);
    const double s = cpu_seconds() - t0;
    return cache.emplace(which, dense_reference{std::move(r), s}).first->second;
}

/// sqrt(Σ θᵢ²) for the principal angles between span(P) and span(Q) (orthonormal columns).
double geodesic(const Eigen::MatrixXd& P, const Eigen::MatrixXd& Q) {
    const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(Q - P * (P.transpose() * Q)).singularValues();
    double sum = 0;
    for (Eigen::Index i = 0; i < s.size(); ++i) {
        const double t = std::asin(std::min(1.0, s[i]));
        sum += t * t;
    }
    return std::sqrt(sum);
}

template <class G>
void run(benchmark::State& state, const G& g, lw::tangent_method method) {
    const int which = static_cast<int>(state.range(0));
    const long long k = state.range(1);
    const auto& ref = reference(which);
    lw::tangent_basis_options o;
    o.method = method;
    lw::tangent_basis_result<le::backend<double>> r;
    double seconds = 0;
    long long iterations = 0;
    for (auto _ : state) {
        const double t0 = cpu_seconds();
        r = lw::tangent_basis(g, latent(), k, o);
        seconds += cpu_seconds() - t0;
        ++iterations;
        benchmark::DoNotOptimize(r.singular_values.data());
    }
    state.counters["products"] = static_cast<double>(r.report.products());
    state.counters["jacobians"] = static_cast<double>(r.report.jacobian_count);
    state.counters["geodesic_error"] = geodesic(ref.result.V.leftCols(k), r.latent_basis);
    state.counters["output_error"] = geodesic(ref.result.U.leftCols(k), r.output_basis);
    state.counters["speedup"] = ref.seconds / (seconds / static_cast<double>(iterations));
    state.counters["converged"] = r.report.converged ? 1 : 0;
    state.SetLabel(std::string(which == 0 ? "512->512" : "512->16384") + " k=" + std::to_string(k));
}

void BM_local_basis(benchmark::State& state) {
    const int which = static_cast<int>(state.range(0));
    const long long k = state.range(1);
    const auto& ref = reference(which);
    local_basis_result r;
    double seconds = 0;
    long long iterations = 0;
    for (auto _ : state) {
        const double t0 = cpu_seconds();
        r = local_basis(model(which), latent(), k);
        seconds += cpu_seconds() - t0;
        ++iterations;
        benchmark::DoNotOptimize(r.S.data());
    }
    state.counters["products"] = 0;
    state.counters["jacobians"] = 1;
    state.counters["geodesic_error"] = geodesic(ref.result.V.leftCols(k), r.V);
    state.counters["output_error"] = geodesic(ref.result.U.leftCols(k), r.U);
    state.counters["speedup"] = ref.seconds / (seconds / static_cast<double>(iterations));
    state.SetLabel(std::string(which == 0 ? "512->512" : "512->16384") + " k=" + std::to_string(k));
}
/// The Local Basis construction as its authors describe it: J by reverse mode through the m×m
/// identity (one VJP per output coordinate, from a single linearization at z, as autograd with a
/// batch of one-hot cotangents does), then a full thin SVD. Shown once, for the ratio against the
/// matrix-free rows; the `speedup` counter of the other rows stays relative to `local_basis`.
void BM_local_basis_identity(benchmark::State& state) {
    const int which = static_cast<int>(state.range(0));
    const long long k = state.range(1);
    const auto& g = model(which);
    const auto& ref = reference(which);
    Eigen::MatrixXd V;
    double seconds = 0;
    for (auto _ : state) {
        const double t0 = cpu_seconds();
        const auto L = g.linearize(latent());
        Eigen::MatrixXd Jt(g.latent_dim(), g.output_dim());
        for (Eigen::Index i = 0; i < g.output_dim(); ++i) Jt.col(i) = L.vjp(Eigen::VectorXd::Unit(g.output_dim(), i));
        Eigen::BDCSVD<Eigen::MatrixXd> svd(Jt.transpose(), Eigen::ComputeThinU | Eigen::ComputeThinV);
        V = svd.matrixV().leftCols(k);
        seconds += cpu_seconds() - t0;
    }
    state.counters["products"] = static_cast<double>(g.output_dim());
    state.counters["geodesic_error"] = geodesic(ref.result.V.leftCols(k), V);
    state.counters["seconds"] = seconds;
    state.SetLabel(std::string(which == 0 ? "512->512" : "512->16384") + " k=" + std::to_string(k));
}
void BM_dense(benchmark::State& state) { run(state, model(static_cast<int>(state.range(0))), lw::tangent_method::dense); }
void BM_dense_products(benchmark::State& state) {
    const products_only g{&model(static_cast<int>(state.range(0)))};
    run(state, g, lw::tangent_method::dense);
}
void BM_lanczos(benchmark::State& state) {
    run(state, model(static_cast<int>(state.range(0))), lw::tangent_method::lanczos);
}
void BM_randomized(benchmark::State& state) {
    run(state, model(static_cast<int>(state.range(0))), lw::tangent_method::randomized);
}

void shapes(benchmark::internal::Benchmark* b) {
    for (int which : {0, 1})
        for (int k : {1, 10, 50}) b->Args({which, k});
}

}  // namespace

BENCHMARK(BM_local_basis)->Args({0, 10})->Args({1, 10})->Unit(benchmark::kMillisecond)->Iterations(1)->MeasureProcessCPUTime();
BENCHMARK(BM_local_basis_identity)->Args({0, 10})->Args({1, 10})->Unit(benchmark::kMillisecond)->Iterations(1)->MeasureProcessCPUTime();
BENCHMARK(BM_dense)->Apply(shapes)->Unit(benchmark::kMillisecond)->Iterations(1)->MeasureProcessCPUTime();
BENCHMARK(BM_dense_products)->Args({0, 10})->Args({1, 10})->Unit(benchmark::kMillisecond)->Iterations(1)->MeasureProcessCPUTime();
BENCHMARK(BM_lanczos)->Apply(shapes)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK(BM_randomized)->Apply(shapes)->Unit(benchmark::kMillisecond)->MeasureProcessCPUTime();
BENCHMARK_MAIN();
