// Level-set projection: the closed form against the score-ray root finding it replaces for models
// without one, on the same model and inputs, plus the density-preserving walk per step.
//   closed_form/<d>: standard_gaussian::project_to_level (rescale onto the sphere)
//   score_ray/<d>:   project_to_level_set with method score_ray on the same Gaussian (bracket + Newton)
//   cdf_score_ray:   score-ray projection on a fitted monotone CDF model (d = 64, 48 bins)
//   walk_gaussian / walk_cdf: one density-preserving step (DP-LaSE rule / step then projection)
#include <benchmark/benchmark.h>

#include <random>

#include <latentwalk/eigen.hpp>

namespace {

namespace lw = latentwalk;
using B = latentwalk::eigen::backend<double>;

Eigen::VectorXd normal_vector(Eigen::Index d, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> nd;
    return Eigen::VectorXd::NullaryExpr(d, [&] { return nd(rng); });
}

void BM_closed_form(benchmark::State& state) {
    const auto d = static_cast<Eigen::Index>(state.range(0));
    const lw::standard_gaussian<B> p(d);
    const Eigen::VectorXd z = normal_vector(d, 1);
    const double c = p.log_density(z) - 3.0;
    for (auto _ : state) benchmark::DoNotOptimize(p.project_to_level(z, c));
}
void BM_score_ray(benchmark::State& state) {
    const auto d = static_cast<Eigen::Index>(state.range(0));
    const lw::standard_gaussian<B> p(d);
    const Eigen::VectorXd z = normal_vector(d, 1);
    const double c = p.log_density(z) - 3.0;
    lw::level_projection_options o;
    o.method = lw::level_projection_method::score_ray;
    int evaluations = 0;
    for (auto _ : state) {
        auto r = lw::project_to_level_set(p, z, c, o);
        evaluations = r.report.log_density_evaluations + r.report.score_evaluations;
        benchmark::DoNotOptimize(r.point);
    }
    state.counters["evals"] = evaluations;
}

const lw::monotone_cdf_model<B>& cdf_model() {
    static const auto m = [] {
        std::mt19937_64 rng(3);
        std::normal_distribution<double> nd;
        Eigen::MatrixXd S(64, 2000);
        for (Eigen::Index j = 0; j < S.cols(); ++j)
            for (Eigen::Index i = 0; i < S.rows(); ++i) S(i, j) = nd(rng) + (i % 2 ? 0.5 * nd(rng) : 0.0);
        return lw::monotone_cdf_model<B>::fit(S);
    }();
    return m;
}
void BM_cdf_score_ray(benchmark::State& state) {
    const auto& m = cdf_model();
    const Eigen::VectorXd z = 0.5 * normal_vector(64, 4);
    const double c = m.log_density(z) - 3.0;
    int evaluations = 0;
    for (auto _ : state) {
        auto r = lw::project_to_level_set(m, z, c);
        evaluations = r.report.log_density_evaluations + r.report.score_evaluations;
        benchmark::DoNotOptimize(r.point);
    }
    state.counters["evals"] = evaluations;
}
void BM_cdf_log_density(benchmark::State& state) {
    const auto& m = cdf_model();
    const Eigen::VectorXd z = 0.5 * normal_vector(64, 4);
    for (auto _ : state) benchmark::DoNotOptimize(m.log_density(z));
}
void BM_walk_gaussian(benchmark::State& state) {
    const lw::standard_gaussian<B> p(512);
    const Eigen::VectorXd z = normal_vector(512, 5), g = normal_vector(512, 6);
    for (auto _ : state) benchmark::DoNotOptimize(lw::density_preserving_walk(p, z, g, 10, 0.1));
    state.SetItemsProcessed(state.iterations() * 10);
}
void BM_walk_cdf(benchmark::State& state) {
    const auto& m = cdf_model();
    const Eigen::VectorXd z = 0.5 * normal_vector(64, 7), g = normal_vector(64, 8);
    for (auto _ : state) benchmark::DoNotOptimize(lw::density_preserving_walk(m, z, g, 10, 0.01));
    state.SetItemsProcessed(state.iterations() * 10);
}

}  // namespace

BENCHMARK(BM_closed_form)->Arg(512)->Arg(16384);
BENCHMARK(BM_score_ray)->Arg(512)->Arg(16384);
BENCHMARK(BM_cdf_log_density);
BENCHMARK(BM_cdf_score_ray);
BENCHMARK(BM_walk_gaussian);
BENCHMARK(BM_walk_cdf);
BENCHMARK_MAIN();
