// Principal angles and the Grassmann distance family, latentwalk vs the textbook method, and the
// Local Basis warpage table for a StyleGAN2-mapping-like MLP.
//
//   principal angles   batches of 64 pairs of 512×k bases (k = 1, 10, 50), Gaussian entries.
//     ours:  thin QR of both, SVD of Q_AᵀQ_B (cosines) + SVD of the residual (sines), atan2.
//     naive: thin QR of both, SVD of Q_AᵀQ_B, θ = arccos(σ) (scipy.linalg.subspace_angles before
//            its sine branch; most Python code), distances by their textbook formulas.
//   all distances      the same pairs, the nine metrics from one angle computation each.
//   warpage            mapping-like MLP 512 → 512, 8 layers, leaky ReLU, PixelNorm first; random
//                      pairs, latent local bases of dimension k ≤ 5. Ours: tangent_basis (automatic
//                      → Lanczos); the Local Basis authors' method: full Jacobian + full SVD
//                      (tangent_method::dense), measured per pair in the same run.
//   tall pair          one pair of 4096×50 Gaussian bases (the scipy row of benchmarks/peers).
//   warpage threads    the warpage table on 1 and 2 threads (wall time).
// Before the timings the program prints the accuracy of both angle methods on known tiny, mixed
// and near-π/2 angles.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/random_subspace.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>

#include "bench_models.hpp"

namespace {

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using eb = le::backend<double>;

constexpr int batch = 64;

struct pair_set {
    std::vector<MatrixXd> A, B;
};

const pair_set& pairs(int k) {
    static std::vector<std::pair<int, pair_set>> cache;
    for (const auto& [kk, s] : cache)
        if (kk == k) return s;
    std::mt19937_64 rng(1234 + static_cast<unsigned>(k));
    std::normal_distribution<double> nd;
    pair_set s;
    for (int i = 0; i < batch; ++i) {
        s.A.push_back(MatrixXd::NullaryExpr(512, k, [&] { return nd(rng); }));
        s.B.push_back(MatrixXd::NullaryExpr(512, k, [&] { return nd(rng); }));
    }
    cache.emplace_back(k, std::move(s));
    return cache.back().second;
}

MatrixXd thin_q(const MatrixXd& A) { return A.householderQr().householderQ() * MatrixXd::Identity(A.rows(), A.cols()); }

/// The textbook method: arccos of the singular values of Q_AᵀQ_B (ascending angles).
VectorXd naive_angles(const MatrixXd& A, const MatrixXd& B) {
    const MatrixXd M = thin_q(A).transpose() * thin_q(B);
    const VectorXd c = Eigen::BDCSVD<MatrixXd>(M).singularValues();
    return c.cwiseMin(1.0).array().acos().matrix();
}

/// Textbook distance formulas from naive angles (the nine of the family).
double naive_distances(const VectorXd& th) {
    const VectorXd s = th.array().sin().matrix(), c = th.array().cos().matrix();
    const double prod_c = c.prod();
    double acc = 0;
    acc += th.norm();                                              // geodesic
    acc += s.norm();                                               // projection_frobenius
    acc += s.maxCoeff();                                           // projection_2
    acc += 2 * (th / 2).array().sin().matrix().norm();             // procrustes
    acc += 2 * std::sin(th.maxCoeff() / 2);                        // spectral
    acc += std::acos(std::min(1.0, prod_c));                       // fubini_study
    acc += std::sqrt(std::max(0.0, 1 - prod_c * prod_c));          // binet_cauchy
    acc += std::sqrt(std::max(0.0, -2 * c.array().log().sum()));   // martin
    acc += th.maxCoeff();                                          // asimov
    return acc;
}

void BM_principal_angles_latentwalk(benchmark::State& state) {
    const auto& s = pairs(static_cast<int>(state.range(0)));
    for (auto _ : state)
        for (int i = 0; i < batch; ++i) benchmark::DoNotOptimize(lw::principal_angles(s.A[i], s.B[i]).angles.data());
    state.SetItemsProcessed(state.iterations() * batch);
    state.SetLabel("512xk pairs, batch 64");
}
void BM_principal_angles_naive_arccos(benchmark::State& state) {
    const auto& s = pairs(static_cast<int>(state.range(0)));
    for (auto _ : state)
        for (int i = 0; i < batch; ++i) benchmark::DoNotOptimize(naive_angles(s.A[i], s.B[i]).data());
    state.SetItemsProcessed(state.iterations() * batch);
    state.SetLabel("512xk pairs, batch 64");
}
/// One tall pair, 4096×50 Gaussian bases (gaussian_codes seeds 11 and 12): benchmarks/peers puts
/// scipy.linalg.subspace_angles on the same matrices beside it.
const pair_set& tall_pair() {
    static const pair_set s{{latentwalk::bench::gaussian_codes(4096, 50, 11)}, {latentwalk::bench::gaussian_codes(4096, 50, 12)}};
    return s;
}
void BM_principal_angles_tall(benchmark::State& state) {
    const auto& s = tall_pair();
    for (auto _ : state) benchmark::DoNotOptimize(lw::principal_angles(s.A[0], s.B[0]).angles.data());
    state.SetLabel("one 4096x50 pair");
}
void BM_all_distances_latentwalk(benchmark::State& state) {
    const auto& s = pairs(static_cast<int>(state.range(0)));
    for (auto _ : state)
        for (int i = 0; i < batch; ++i) {
            const auto pa = lw::principal_angles(s.A[i], s.B[i]);
            double acc = 0;
            for (auto m : lw::all_grassmann_metrics) acc += lw::grassmann_distance_from_angles<eb>(pa, m);
            benchmark::DoNotOptimize(acc);
        }
    state.SetItemsProcessed(state.iterations() * batch);
    state.SetLabel("9 metrics per pair");
}
void BM_all_distances_naive(benchmark::State& state) {
    const auto& s = pairs(static_cast<int>(state.range(0)));
    for (auto _ : state)
        for (int i = 0; i < batch; ++i) benchmark::DoNotOptimize(naive_distances(naive_angles(s.A[i], s.B[i])));
    state.SetItemsProcessed(state.iterations() * batch);
    state.SetLabel("9 metrics per pair");
}

const le::mlp_generator<double>& mapping() { return latentwalk::bench::mapping_like_mlp(); }

void BM_warpage_mapping_mlp(benchmark::State& state) {
    lw::warpage_options o;
    o.pairs = state.range(0);
    o.k_max = 5;
    o.metrics = {lw::grassmann_metric::geodesic, lw::grassmann_metric::projection_2};
    const bool dense = state.range(1) == 1;
    if (dense) o.tangent.method = lw::tangent_method::dense;
    lw::warpage_table t;
    for (auto _ : state) t = lw::warpage_random_pairs(mapping(), o);
    state.SetItemsProcessed(state.iterations() * o.pairs);
    state.SetLabel(dense ? "dense J + SVD (Local Basis authors' method)" : "tangent_basis automatic (Lanczos)");
    static bool printed[2] = {false, false};
    if (!printed[dense ? 1 : 0]) {
        printed[dense ? 1 : 0] = true;
        std::cerr << t << "\n";
    }
}

template <class O>
constexpr bool has_thread_count = requires(O o) { o.threads = 2; };
/// Sets o.threads where the options have it (a template, so that the branch without it is discarded).
template <class O>
void set_thread_count(O& o, long long threads) {
    if constexpr (has_thread_count<O>)
        o.threads = static_cast<decltype(o.threads)>(threads);
    else
        (void)threads;
}

/// The warpage table (16 pairs, k ≤ 5, automatic) on `threads` threads, wall time: the threads row
/// of benchmarks/peers (2 threads vs 1). Without a thread-count option in warpage_options the row
/// runs on one thread whatever it asks for, and says so in its label.
void BM_warpage_threads(benchmark::State& state) {
    lw::warpage_options o;
    o.pairs = 16;
    o.k_max = 5;
    const auto threads = state.range(0);
    std::string label = "16 pairs, k<=5, ";
    set_thread_count(o, threads);
    if constexpr (has_thread_count<lw::warpage_options>) {
        label += std::to_string(threads) + " thread(s)";
    } else {
        label += "1 thread (warpage_options has no thread count)";
    }
    lw::warpage_table t;
    for (auto _ : state) t = lw::warpage_random_pairs(mapping(), o);
    state.SetItemsProcessed(state.iterations() * o.pairs);
    state.SetLabel(label);
}

/// Accuracy on known angles: A = Q[:, 0:k], B_i = cos t_i Q e_i + sin t_i Q e_{k+i} (Q Haar 512×2k).
void print_accuracy() {
    std::mt19937_64 rng(7);
    struct family {
        const char* name;
        std::vector<double> t;
    };
    std::vector<double> tiny, mixed, right;
    for (int e = -16; e <= -1; ++e) tiny.push_back(std::pow(10.0, e));
    for (int e = -12; e <= -5; ++e) mixed.push_back(std::pow(10.0, e));
    for (double v : {0.5, 1.0, 1.4, 1.5}) mixed.push_back(v);
    for (int e = -12; e <= -4; ++e) right.push_back(std::numbers::pi / 2 - std::pow(10.0, e));
    const family families[] = {{"tiny angles 1e-16..1e-1", tiny}, {"mixed 1e-12..1e-5 with 0.5..1.5", mixed},
                               {"near pi/2 (pi/2 - 1e-12..1e-4)", right}};
    std::printf("Accuracy of principal angles on exactly known angles (512-dimensional ambient space):\n");
    std::printf("(relative errors over the angles >= 1e-8 only: below that, rounding the inputs B to double moves\n"
                " the exact angles by ~1e-16 absolute, so only absolute errors are meaningful there)\n");
    std::printf("%-36s %14s %14s %18s %18s\n", "family", "ours max|err|", "naive max|err|", "ours max rel err",
                "naive max rel err");
    for (const auto& f : families) {
        const auto k = static_cast<Eigen::Index>(f.t.size());
        const MatrixXd Q = lw::random_subspace<eb>(512, 2 * k, rng);
        MatrixXd A = Q.leftCols(k), B(512, k);
        for (Eigen::Index i = 0; i < k; ++i) B.col(i) = std::cos(f.t[i]) * Q.col(i) + std::sin(f.t[i]) * Q.col(k + i);
        VectorXd exact = Eigen::Map<const VectorXd>(f.t.data(), k);
        std::sort(exact.data(), exact.data() + k);
        const VectorXd ours = lw::principal_angles(A, B).angles;
        VectorXd naive = naive_angles(A, B);
        std::sort(naive.data(), naive.data() + k);
        const double ours_abs = (ours - exact).cwiseAbs().maxCoeff(), naive_abs = (naive - exact).cwiseAbs().maxCoeff();
        double ours_rel = 0, naive_rel = 0;
        for (Eigen::Index i = 0; i < k; ++i)
            if (exact[i] >= 1e-8) {
                ours_rel = std::max(ours_rel, std::abs(ours[i] - exact[i]) / exact[i]);
                naive_rel = std::max(naive_rel, std::abs(naive[i] - exact[i]) / exact[i]);
            }
        std::printf("%-36s %14.3g %14.3g %18.3g %18.3g\n", f.name, ours_abs, naive_abs, ours_rel, naive_rel);
    }
    // Distances from tiny angles: geodesic distance of angles (1e-10, 3e-10), exact 3.1623e-10.
    MatrixXd A = MatrixXd::Zero(6, 2), B = MatrixXd::Zero(6, 2);
    A(0, 0) = A(1, 1) = 1;
    B(0, 0) = B(1, 1) = 1, B(2, 0) = 1e-10, B(3, 1) = 3e-10;
    const double exact = std::hypot(std::atan(1e-10), std::atan(3e-10));
    std::printf("geodesic / binet_cauchy / martin distance for angles (1e-10, 3e-10), exact %.6g:\n", exact);
    std::printf("  ours:  %.6g / %.6g / %.6g\n", lw::grassmann_distance(A, B, lw::grassmann_metric::geodesic),
                lw::grassmann_distance(A, B, lw::grassmann_metric::binet_cauchy),
                lw::grassmann_distance(A, B, lw::grassmann_metric::martin));
    const VectorXd th = naive_angles(A, B);
    const double pc = th.array().cos().prod();
    std::printf("  naive: %.6g / %.6g / %.6g\n\n", th.norm(), std::sqrt(std::max(0.0, 1 - pc * pc)),
                std::sqrt(std::max(0.0, -2 * th.array().cos().log().sum())));
}

}  // namespace

BENCHMARK(BM_principal_angles_latentwalk)->Arg(1)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_principal_angles_naive_arccos)->Arg(1)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_principal_angles_tall)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_all_distances_latentwalk)->Arg(1)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_all_distances_naive)->Arg(1)->Arg(10)->Arg(50)->Unit(benchmark::kMicrosecond);
// 1000 pairs with the matrix-free local basis; the dense reference at 10 pairs (per-item time compares).
BENCHMARK(BM_warpage_mapping_mlp)->Args({1000, 0})->Args({10, 1})->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_warpage_threads)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
    print_accuracy();
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
}
