// Potential flows: the cost of the PDE terms of the PDETraversal MLP potential and the work of the
// flow integrators.
//   gradient          one ∇u (the unit of cost)
//   laplacian_forward the exact trace-mode Laplacian by forward propagation (mlp_potential::laplacian)
//   laplacian_hvps    the exact Laplacian from d Hessian-vector products (what an autograd
//                     framework does: one double-backward per coordinate)
//   hessian_row_sum   H·1, the released code's substitute (one HVP)
//   hutchinson_16     16 Rademacher probes (an estimate)
// for d = H = E ∈ {128, 512} (the released code sets every width to d).
// Peers: the exact Laplacian at 64 codes one after the other, and one Euler step of the flow (d = 512,
// bench_models.hpp's flow_potential: the Python side of benchmarks/peers runs on the same weights).
// Work: dopri5 vs rk4 on the MLP potential's gradient flow (d = 16, t ∈ [0, 4]) at matched final
// accuracy; counters give f-evaluations and the achieved error.
#include <benchmark/benchmark.h>

#include <cmath>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>
#include <latentwalk/pde/hutchinson_laplacian.hpp>
#include <latentwalk/pde/laplacian.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include "bench_flow.hpp"
#include "bench_models.hpp"

namespace {

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;
using Vec = Eigen::VectorXd;

const le::mlp_potential<double>& model(Eigen::Index d) {
    static const auto m128 = le::mlp_potential<double>::random(128, {}, 7);
    static const auto m512 = le::mlp_potential<double>::random(512, {}, 7);
    return d == 128 ? m128 : m512;
}

/// The same potential with its laplacian member hidden: the library takes d HVPs.
struct hvp_only {
    using backend = B;
    const le::mlp_potential<double>* u;
    Eigen::Index dim() const { return u->dim(); }
    double value(const Vec& z, double t) const { return u->value(z, t); }
    Vec gradient(const Vec& z, double t) const { return u->gradient(z, t); }
    Vec hessian_vector(const Vec& z, double t, const Vec& v) const { return u->hessian_vector(z, t, v); }
};

Vec point(Eigen::Index d) { return Vec::LinSpaced(d, -1.0, 1.0); }

void BM_gradient(benchmark::State& state) {
    const auto& u = model(state.range(0));
    const Vec z = point(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(u.gradient(z, 1.5));
}
void BM_laplacian_forward(benchmark::State& state) {
    const auto& u = model(state.range(0));
    const Vec z = point(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(u.laplacian(z, 1.5));
}
void BM_laplacian_hvps(benchmark::State& state) {
    const hvp_only u{&model(state.range(0))};
    const Vec z = point(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(lw::laplacian(u, z, 1.5));
}
void BM_hessian_row_sum(benchmark::State& state) {
    const auto& u = model(state.range(0));
    const Vec z = point(state.range(0));
    const Vec ones = Vec::Ones(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(u.hessian_vector(z, 1.5, ones));
}
void BM_hutchinson_16(benchmark::State& state) {
    const auto& u = model(state.range(0));
    const Vec z = point(state.range(0));
    lw::hutchinson_options o;
    o.probes = 16;
    for (auto _ : state) benchmark::DoNotOptimize(lw::hutchinson_laplacian(u, z, 1.5, o).value);
}

/// The peers' rows (benchmarks/peers, same weights and codes in Python): flow_potential(512) at the 64
/// codes gaussian_codes(64, 512, 13), t = 0.5.
const Eigen::MatrixXd& peer_codes() {
    static const Eigen::MatrixXd Z = latentwalk::bench::gaussian_codes(64, 512, 13);
    return Z;
}
/// The exact Laplacian (forward propagation) at each of the B codes, one after the other.
void BM_laplacian_forward_loop(benchmark::State& state) {
    const auto& u = latentwalk::bench::flow_potential(512);
    const auto B = state.range(0);
    for (auto _ : state)
        for (Eigen::Index b = 0; b < B; ++b) benchmark::DoNotOptimize(u.laplacian(peer_codes().row(b).transpose(), 0.5));
    state.counters["samples"] = static_cast<double>(B);
}
/// One Euler step of the potential flow, dz/dt = ∇u, from t = 0 to 1 at the first code.
void BM_euler_step(benchmark::State& state) {
    const auto& u = latentwalk::bench::flow_potential(512);
    const Vec z0 = peer_codes().row(0).transpose();
    const auto o = latentwalk::bench::one_euler_step<B>();
    long long evals = 0;
    for (auto _ : state) {
        const auto sol = lw::potential_flow(u, z0, o);
        evals = sol.function_evaluations;
        benchmark::DoNotOptimize(sol.path.back().data());
    }
    state.counters["gradients"] = static_cast<double>(evals);
}
BENCHMARK(BM_laplacian_forward_loop)->Arg(64)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_euler_step)->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_gradient)->Arg(128)->Arg(512);
BENCHMARK(BM_laplacian_forward)->Arg(128)->Arg(512);
BENCHMARK(BM_laplacian_hvps)->Arg(128)->Arg(512);
BENCHMARK(BM_hessian_row_sum)->Arg(128)->Arg(512);
BENCHMARK(BM_hutchinson_16)->Arg(128)->Arg(512);

// ---- integrator work at matched accuracy ----
const le::mlp_potential<double>& flow_model() {
    static const auto m = le::mlp_potential<double>::random(16, {}, 11, 3.0);
    return m;
}
const Vec& flow_start() {
    static const Vec z = Vec::LinSpaced(16, -0.5, 0.5);
    return z;
}
const Vec& flow_reference() {
    static const Vec ref = [] {
        lw::potential_flow_options<B> o;
        o.ode.t1 = 4.0;
        o.ode.rtol = 1e-14;
        o.ode.atol = 1e-15;
        return lw::potential_flow(flow_model(), flow_start(), o).path.back();
    }();
    return ref;
}

/// Range: target accuracy 10^-k. dopri5 runs with rtol = atol = 10^-k; rk4 with the fewest steps
/// (doubling, then bisection) that reach an error at least as small as dopri5's.
void BM_dopri5_work(benchmark::State& state) {
    const double tol = std::pow(10.0, -static_cast<double>(state.range(0)));
    lw::potential_flow_options<B> o;
    o.ode.t1 = 4.0;
    o.ode.rtol = tol;
    o.ode.atol = tol;
    long long evals = 0;
    double err = 0.0;
    for (auto _ : state) {
        const auto sol = lw::potential_flow(flow_model(), flow_start(), o);
        evals = sol.function_evaluations;
        err = (sol.path.back() - flow_reference()).norm();
    }
    state.counters["evals"] = static_cast<double>(evals);
    state.counters["error"] = err;
}
void BM_rk4_work(benchmark::State& state) {
    const double tol = std::pow(10.0, -static_cast<double>(state.range(0)));
    lw::potential_flow_options<B> d;
    d.ode.t1 = 4.0;
    d.ode.rtol = tol;
    d.ode.atol = tol;
    const double target = (lw::potential_flow(flow_model(), flow_start(), d).path.back() - flow_reference()).norm();
    lw::potential_flow_options<B> o;
    o.ode.method = lw::ode_method::rk4;
    o.ode.t1 = 4.0;
    o.ode.steps = 1;
    auto error_with = [&](long long steps) {
        o.ode.steps = steps;
        return (lw::potential_flow(flow_model(), flow_start(), o).path.back() - flow_reference()).norm();
    };
    long long hi = 1;
    while (error_with(hi) > target && hi < (1 << 20)) hi *= 2;
    long long lo = hi / 2;  // error_with(lo) > target (or lo = 0)
    while (hi - lo > 1) {
        const long long mid = (lo + hi) / 2;
        (error_with(mid) > target ? lo : hi) = mid;
    }
    o.ode.steps = hi;
    long long evals = 0;
    double err = 0.0;
    for (auto _ : state) {
        const auto sol = lw::potential_flow(flow_model(), flow_start(), o);
        evals = sol.function_evaluations;
        err = (sol.path.back() - flow_reference()).norm();
    }
    state.counters["evals"] = static_cast<double>(evals);
    state.counters["error"] = err;
    state.counters["steps"] = static_cast<double>(o.ode.steps);
}
BENCHMARK(BM_dopri5_work)->Arg(6)->Arg(9)->Arg(12);
BENCHMARK(BM_rk4_work)->Arg(6)->Arg(9)->Arg(12);

}  // namespace

BENCHMARK_MAIN();
