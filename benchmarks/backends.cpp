// backends: the same algorithm text on the three backends, side by side in one run — Eigen (the
// reference), xtensor (xtensor-blas over the system BLAS/LAPACK) and LibTorch CPU — with the
// ratio of each backend's time to Eigen's printed after the Google Benchmark table.
// Every backend runs the same model text too: the backend-generic latentwalk::mlp_generator (the
// Eigen reference's weights), latentwalk::quadratic_potential, plain matrices for the Grassmann rows.
// One thread everywhere (at::set_num_threads(1); set OPENBLAS_NUM_THREADS=1 for the BLAS under
// xtensor-blas, as the program does before the first BLAS call).
// Rows (<backend> = eigen, xtensor, torch):
//   tangent_lanczos/<backend>     tangent_basis(lanczos, k = 8) of a 64 → 8×64 → 256 tanh MLP, one code
//   tangent_dense/<backend>       tangent_basis(dense, k = 8) of the same MLP (J from 64 JVPs, thin SVD)
//   principal_angles/<backend>    principal_angles of two 512×10 Gaussian bases
//   potential_flow/<backend>      potential_flow of a 64-d quadratic potential, RK4, 50 steps
// Compare the ratios of one run, not absolute times. Backends that are off at configure time are
// left out (LATENTWALK_BENCH_HAVE_XTENSOR / _TORCH).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/models/mlp_generator.hpp>
#include <latentwalk/potentials/quadratic_potential.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/traversal/potential_flow.hpp>
#if LATENTWALK_BENCH_HAVE_XTENSOR
#include <latentwalk/xtensor/backend.hpp>
#endif
#if LATENTWALK_BENCH_HAVE_TORCH
#include <ATen/Parallel.h>
#include <latentwalk/torch/backend.hpp>
#endif

namespace {

namespace lw = latentwalk;

/// Host data shared by every backend, built once: the reference numbers each backend converts.
struct host_problem {
    std::vector<std::vector<double>> columns_A, columns_B, columns_H;  // 512×10, 512×10, 64×64
    std::vector<double> z, h;
};
const host_problem& problem() {
    static const host_problem p = [] {
        host_problem q;
        std::mt19937_64 rng(2026);
        std::normal_distribution<double> nd;
        auto cols = [&](int r, int c) {
            std::vector<std::vector<double>> out(c, std::vector<double>(r));
            for (auto& col : out)
                for (auto& x : col) x = nd(rng);
            return out;
        };
        q.columns_A = cols(512, 10);
        q.columns_B = cols(512, 10);
        const auto M = cols(64, 64);
        q.columns_H.assign(64, std::vector<double>(64, 0.0));
        for (int i = 0; i < 64; ++i)  // H = −(M Mᵀ / 64 + I), symmetric negative definite
            for (int j = 0; j < 64; ++j) {
                double s = 0;
                for (int k = 0; k < 64; ++k) s += M[k][i] * M[k][j];
                q.columns_H[j][i] = -(s / 64.0 + (i == j ? 1.0 : 0.0));
            }
        for (int i = 0; i < 64; ++i) q.z.push_back(nd(rng));
        for (int i = 0; i < 64; ++i) q.h.push_back(0.01 * (i - 32));
        return q;
    }();
    return p;
}

template <class B>
lw::matrix_t<B> matrix_from(const std::vector<std::vector<double>>& columns, const lw::vector_t<B>& like) {
    using T = lw::backend_traits<B>;
    auto M = T::zeros(like, static_cast<lw::index_t<B>>(columns.at(0).size()), static_cast<lw::index_t<B>>(columns.size()));
    for (std::size_t j = 0; j < columns.size(); ++j)
        T::set_col(M, static_cast<lw::index_t<B>>(j), T::from_values(like, std::span<const double>(columns[j])));
    return M;
}

/// A default-constructed `like`: on torch, CPU and the backend's dtype, no batch.
template <class B> lw::vector_t<B> like() { return lw::vector_t<B>{}; }

template <class B>
const lw::mlp_generator<B>& mlp() {
    static const auto g = [] {
        typename lw::mlp_generator<B>::options o;
        o.hidden = lw::activation::tanh;
        return lw::mlp_generator<B>::random({64, 64, 64, 64, 64, 64, 64, 64, 256}, o, 42, like<B>());
    }();
    return g;
}

template <class B>
void BM_tangent(benchmark::State& state, lw::tangent_method method) {
    using T = lw::backend_traits<B>;
    const auto& g = mlp<B>();
    const auto z = T::from_values(like<B>(), std::span<const double>(problem().z));
    lw::tangent_basis_options o;
    o.method = method;
    for (auto _ : state) {
        auto tb = lw::tangent_basis(g, z, 8, o);
        benchmark::DoNotOptimize(tb.singular_values);
    }
}
template <class B> void BM_tangent_lanczos(benchmark::State& s) { BM_tangent<B>(s, lw::tangent_method::lanczos); }
template <class B> void BM_tangent_dense(benchmark::State& s) { BM_tangent<B>(s, lw::tangent_method::dense); }

template <class B>
void BM_principal_angles(benchmark::State& state) {
    const auto A = matrix_from<B>(problem().columns_A, like<B>());
    const auto Bm = matrix_from<B>(problem().columns_B, like<B>());
    for (auto _ : state) {
        auto pa = lw::principal_angles(A, Bm);
        benchmark::DoNotOptimize(pa.angles);
    }
}

template <class B>
void BM_potential_flow(benchmark::State& state) {
    using T = lw::backend_traits<B>;
    const lw::quadratic_potential<B> u(matrix_from<B>(problem().columns_H, like<B>()),
                                       T::from_values(like<B>(), std::span<const double>(problem().h)));
    const auto z = T::from_values(like<B>(), std::span<const double>(problem().z));
    lw::potential_flow_options<B> o;
    o.ode.method = lw::ode_method::rk4;
    o.ode.steps = 50;
    for (auto _ : state) {
        auto flow = lw::potential_flow(u, z, o);
        benchmark::DoNotOptimize(flow.path.points.back());
    }
}

template <class B>
void register_backend(const std::string& name) {
    benchmark::RegisterBenchmark(("tangent_lanczos/" + name).c_str(), BM_tangent_lanczos<B>)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("tangent_dense/" + name).c_str(), BM_tangent_dense<B>)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("principal_angles/" + name).c_str(), BM_principal_angles<B>)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("potential_flow/" + name).c_str(), BM_potential_flow<B>)->Unit(benchmark::kMicrosecond);
}

/// The console table, then one line per algorithm: each backend's time as a multiple of Eigen's.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs) {
            const std::string n = r.benchmark_name();
            const auto slash = n.find('/');
            times_[n.substr(0, slash)][n.substr(slash + 1)] = r.GetAdjustedRealTime();
        }
        ConsoleReporter::ReportRuns(runs);
    }
    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\ntime / Eigen's time (same algorithm text, one thread):\n");
        for (const auto& [algorithm, by_backend] : times_) {
            const auto e = by_backend.find("eigen");
            if (e == by_backend.end()) continue;
            std::printf("  %-18s", algorithm.c_str());
            for (const auto& [backend, t] : by_backend) std::printf("  %s %.2f", backend.c_str(), t / e->second);
            std::printf("\n");
        }
    }

private:
    std::map<std::string, std::map<std::string, double>> times_;
};

}  // namespace

int main(int argc, char** argv) {
    setenv("OPENBLAS_NUM_THREADS", "1", 0);  // before the first BLAS call
#if LATENTWALK_BENCH_HAVE_TORCH
    at::set_num_threads(1);
#endif
    register_backend<lw::eigen::backend<double>>("eigen");
#if LATENTWALK_BENCH_HAVE_XTENSOR
    register_backend<lw::xtensor::backend<double>>("xtensor");
#endif
#if LATENTWALK_BENCH_HAVE_TORCH
    register_backend<lw::torch::backend<double>>("torch");
#endif
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    ratio_reporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}
