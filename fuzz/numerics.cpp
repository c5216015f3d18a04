// libFuzzer target: latentwalk's numeric entry points on arbitrary shapes and values (Eigen backend,
// double). The input is decoded with FuzzedDataProvider: an operation, then sizes (0..12, so shapes
// that do not fit are tried too), then a value mode — moderate numbers, any finite double, raw bit
// patterns (NaN, ±Inf, subnormals) or moderate numbers times 10^e for |e| ≤ 300 (extreme scales).
//   0 principal_angles(A, B)               angles finite, ascending, in [0, π/2]; sines, cosines in [0, 1]
//   1 grassmann_distance(A, B, metric)     finite and ≥ 0, every metric
//   2 tangent_basis(linear_generator(A, b), z, k, method)
//                                          σ finite, ≥ 0, descending; bases finite, of the right shape,
//                                          V orthonormal
//   3 density_preserving_walk(p, z0, γ, steps, ε, scheme), p one of standard_gaussian,
//     diagonal_gaussian, uniform_box, truncated_normal
//                                          steps + 1 finite points and log-densities
//   4 project_to_level_set(p, z, c, method) a finite point with a finite log-density
// Refusals must be latentwalk::error; anything else — another exception, a broken property above, a
// crash or a sanitizer report — is a finding (fuzz_support.hpp).
#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include <latentwalk/eigen.hpp>
#include <latentwalk/models/linear_generator.hpp>

#include "fuzz_support.hpp"

namespace lw = latentwalk;
using lw::fuzz::finding;
using B = lw::eigen::backend<double>;

namespace {

constexpr double half_pi = 1.5707963267948966;

double value(FuzzedDataProvider& in, int mode) {
    switch (mode) {
        case 0: return in.ConsumeFloatingPointInRange<double>(-4.0, 4.0);
        case 1: return in.ConsumeFloatingPoint<double>();
        case 2: {
            const auto bits = in.ConsumeIntegral<std::uint64_t>();
            double d;
            std::memcpy(&d, &bits, sizeof d);
            return d;
        }
        default: {
            const double m = in.ConsumeFloatingPointInRange<double>(-4.0, 4.0);
            return m * std::pow(10.0, in.ConsumeIntegralInRange<int>(-300, 300));
        }
    }
}

Eigen::MatrixXd matrix(FuzzedDataProvider& in, Eigen::Index r, Eigen::Index c, int mode) {
    Eigen::MatrixXd M(r, c);
    for (Eigen::Index j = 0; j < c; ++j)
        for (Eigen::Index i = 0; i < r; ++i) M(i, j) = value(in, mode);
    return M;
}

Eigen::VectorXd vector(FuzzedDataProvider& in, Eigen::Index n, int mode) {
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v[i] = value(in, mode);
    return v;
}

bool finite(const Eigen::MatrixXd& M) { return M.allFinite(); }

// LATENTWALK_FUZZ_EXPLAIN=1 prints each decoded argument (full precision) before the call: replaying a
// finding with it set gives the reproducer's inputs.
const bool explain = std::getenv("LATENTWALK_FUZZ_EXPLAIN") != nullptr;

void show(const char* name, const Eigen::MatrixXd& M) {
    if (!explain) return;
    std::fprintf(stderr, "%s (%lld x %lld) =", name, static_cast<long long>(M.rows()), static_cast<long long>(M.cols()));
    for (Eigen::Index i = 0; i < M.rows(); ++i) {
        std::fprintf(stderr, "\n ");
        for (Eigen::Index j = 0; j < M.cols(); ++j) std::fprintf(stderr, " %.17g", M(i, j));
    }
    std::fprintf(stderr, "\n");
}

void show(const char* name, double v) {
    if (explain) std::fprintf(stderr, "%s = %.17g\n", name, v);
}

void require(bool ok, const std::string& what) {
    if (!ok) finding(what);
}

void angles_case(FuzzedDataProvider& in, int mode) {
    const auto n = in.ConsumeIntegralInRange<Eigen::Index>(0, 12);
    const auto p = in.ConsumeIntegralInRange<Eigen::Index>(0, 12), q = in.ConsumeIntegralInRange<Eigen::Index>(0, 12);
    const auto nb = in.ConsumeBool() ? n : in.ConsumeIntegralInRange<Eigen::Index>(0, 12);
    const Eigen::MatrixXd A = matrix(in, n, p, mode), Bm = matrix(in, nb, q, mode);
    const Eigen::MatrixXd A0 = A, B0 = Bm;
    show("principal_angles A", A);
    show("principal_angles B", Bm);
    const auto r = lw::principal_angles(A, Bm);
    require(A == A0 && Bm == B0, "principal_angles changed its arguments");
    const auto m = std::min(p, q);
    require(r.angles.size() == m && r.sines.size() == m && r.cosines.size() == m,
            "principal_angles returned " + std::to_string(r.angles.size()) + " angles for bases of " + std::to_string(p) +
                " and " + std::to_string(q) + " columns");
    for (Eigen::Index i = 0; i < m; ++i) {
        require(std::isfinite(r.angles[i]) && r.angles[i] >= 0.0 && r.angles[i] <= half_pi + 1e-12,
                "principal_angles returned the angle " + std::to_string(r.angles[i]) + " (outside [0, pi/2])");
        require(i == 0 || r.angles[i] >= r.angles[i - 1], "principal_angles returned angles out of ascending order");
        require(r.sines[i] >= 0.0 && r.sines[i] <= 1.0 + 1e-12 && r.cosines[i] >= 0.0 && r.cosines[i] <= 1.0 + 1e-12,
                "principal_angles returned a sine or cosine outside [0, 1]");
    }
}

void distance_case(FuzzedDataProvider& in, int mode) {
    const auto n = in.ConsumeIntegralInRange<Eigen::Index>(0, 10);
    const auto p = in.ConsumeIntegralInRange<Eigen::Index>(0, 10), q = in.ConsumeIntegralInRange<Eigen::Index>(0, 10);
    const auto metric = lw::all_grassmann_metrics[in.ConsumeIntegralInRange<std::size_t>(
        0, std::size(lw::all_grassmann_metrics) - 1)];
    const Eigen::MatrixXd A = matrix(in, n, p, mode), Bm = matrix(in, n, q, mode);
    show("grassmann_distance metric", static_cast<double>(static_cast<int>(metric)));
    show("grassmann_distance A", A);
    show("grassmann_distance B", Bm);
    const double d = lw::grassmann_distance(A, Bm, metric);
    // Documented: martin is +inf for p ≠ q and for an angle of π/2 (cos θ = 0).
    const bool infinite_martin = metric == lw::grassmann_metric::martin && d == std::numeric_limits<double>::infinity();
    require((std::isfinite(d) || infinite_martin) && d >= 0.0,
            "grassmann_distance (metric " + std::to_string(static_cast<int>(metric)) + ") returned " + std::to_string(d));
}

void tangent_case(FuzzedDataProvider& in, int mode) {
    const auto m = in.ConsumeIntegralInRange<Eigen::Index>(0, 12), n = in.ConsumeIntegralInRange<Eigen::Index>(0, 12);
    const auto k = in.ConsumeIntegralInRange<long long>(-1, 13);
    lw::tangent_basis_options opts;
    opts.method = static_cast<lw::tangent_method>(in.ConsumeIntegralInRange<int>(0, 3));
    const Eigen::MatrixXd A = matrix(in, m, n, mode);
    const Eigen::VectorXd b = vector(in, m, mode);
    const Eigen::VectorXd z = vector(in, in.ConsumeBool() ? n : in.ConsumeIntegralInRange<Eigen::Index>(0, 12), mode);
    show("tangent_basis method", static_cast<double>(static_cast<int>(opts.method)));
    show("tangent_basis k", static_cast<double>(k));
    show("linear_generator A", A);
    show("linear_generator b", b);
    show("z", z);
    const lw::linear_generator<B> g(A, b);
    const auto tb = lw::tangent_basis(g, z, k, opts);
    const std::string where = "tangent_basis (method " + std::to_string(static_cast<int>(opts.method)) + ")";
    require(tb.singular_values.size() == k && tb.output_basis.rows() == m && tb.output_basis.cols() == k &&
                tb.latent_basis.rows() == n && tb.latent_basis.cols() == k,
            where + " returned results of the wrong shape");
    require(finite(tb.output_basis) && finite(tb.latent_basis) && finite(tb.singular_values),
            where + " returned NaN or Inf without an exception");
    for (Eigen::Index i = 0; i < k; ++i) {
        require(tb.singular_values[i] >= 0.0, where + " returned a negative singular value");
        require(i == 0 || tb.singular_values[i] <= tb.singular_values[i - 1], where + " returned ascending singular values");
    }
    const double orth = (tb.latent_basis.transpose() * tb.latent_basis - Eigen::MatrixXd::Identity(k, k)).cwiseAbs().maxCoeff();
    require(k == 0 || orth <= 1e-6, where + " returned a latent basis that is not orthonormal (|VᵀV − I| = " +
                                        std::to_string(orth) + ")");
}

template <class D>
void walk_case(FuzzedDataProvider& in, const D& p, Eigen::Index d, int mode) {
    const Eigen::VectorXd z0 = vector(in, in.ConsumeBool() ? d : in.ConsumeIntegralInRange<Eigen::Index>(0, 8), mode);
    const Eigen::VectorXd gamma = vector(in, in.ConsumeBool() ? d : in.ConsumeIntegralInRange<Eigen::Index>(0, 8), mode);
    const auto steps = in.ConsumeIntegralInRange<long long>(-1, 12);
    const double eps = value(in, mode);
    lw::density_walk_options opts;
    opts.scheme = static_cast<lw::walk_scheme>(in.ConsumeIntegralInRange<int>(0, 2));
    opts.tangent_direction = in.ConsumeBool();
    show("walk z0", z0);
    show("walk direction", gamma);
    show("walk steps", static_cast<double>(steps));
    show("walk eps", eps);
    show("walk scheme", static_cast<double>(static_cast<int>(opts.scheme)));
    show("walk tangent_direction", opts.tangent_direction ? 1.0 : 0.0);
    const auto walk = lw::density_preserving_walk(p, z0, gamma, steps, eps, opts);
    require(static_cast<long long>(walk.points.size()) == steps + 1 &&
                walk.log_densities.size() == walk.points.size() && walk.times.size() == walk.points.size(),
            "density_preserving_walk returned " + std::to_string(walk.points.size()) + " points for " +
                std::to_string(steps) + " steps");
    for (std::size_t j = 0; j < walk.points.size(); ++j)
        require(walk.points[j].size() == d && finite(walk.points[j]) && std::isfinite(walk.log_densities[j]),
                "density_preserving_walk returned a non-finite point or log-density at step " + std::to_string(j) +
                    " without an exception");
    require(std::isfinite(walk.level) && std::isfinite(walk.max_level_drift),
            "density_preserving_walk returned a non-finite level or drift");
}

template <class D>
void projection_case(FuzzedDataProvider& in, const D& p, Eigen::Index d, int mode) {
    const Eigen::VectorXd z = vector(in, in.ConsumeBool() ? d : in.ConsumeIntegralInRange<Eigen::Index>(0, 8), mode);
    const Eigen::VectorXd z_kept = z;
    const double c = value(in, mode);
    lw::level_projection_options opts;
    opts.method = static_cast<lw::level_projection_method>(in.ConsumeIntegralInRange<int>(0, 2));
    show("projection z", z);
    show("projection c", c);
    show("projection method", static_cast<double>(static_cast<int>(opts.method)));
    const auto r = lw::project_to_level_set(p, z, c, opts);
    require(z.size() == z_kept.size() && (z.array() == z_kept.array()).all(), "project_to_level_set changed z");
    require(r.point.size() == d && finite(r.point), "project_to_level_set returned a non-finite point without an exception");
    require(std::isfinite(p.log_density(r.point)), "project_to_level_set returned a point whose log-density is not finite");
    require(std::isfinite(r.report.residual), "project_to_level_set reported a non-finite residual");
}

template <class Body>
void with_density(FuzzedDataProvider& in, int mode, Body&& body) {
    const auto d = in.ConsumeIntegralInRange<Eigen::Index>(0, 8);
    switch (in.ConsumeIntegralInRange<int>(0, 3)) {
        case 0:
            show("standard_gaussian d", static_cast<double>(d));
            body(lw::eigen::standard_gaussian<double>(d), d);
            break;
        case 1: {
            const Eigen::VectorXd mean = vector(in, d, mode), sd = vector(in, d, mode);
            show("diagonal_gaussian mean", mean);
            show("diagonal_gaussian stddev", sd);
            body(lw::diagonal_gaussian<B>(mean, sd), d);
            break;
        }
        case 2: {
            const Eigen::VectorXd lo = vector(in, d, mode), hi = vector(in, d, mode);
            show("uniform_box lower", lo);
            show("uniform_box upper", hi);
            body(lw::uniform_box<B>(lo, hi), d);
            break;
        }
        default: {
            const double tau = value(in, mode);
            show("truncated_normal d", static_cast<double>(d));
            show("truncated_normal tau", tau);
            body(lw::truncated_normal<B>(d, tau), d);
            break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    const int op = in.ConsumeIntegralInRange<int>(0, 4);
    const int mode = in.ConsumeIntegralInRange<int>(0, 3);
    lw::fuzz::library_exceptions_only("numerics", [&] {
        switch (op) {
            case 0: angles_case(in, mode); break;
            case 1: distance_case(in, mode); break;
            case 2: tangent_case(in, mode); break;
            case 3: with_density(in, mode, [&](const auto& p, Eigen::Index d) { walk_case(in, p, d, mode); }); break;
            default: with_density(in, mode, [&](const auto& p, Eigen::Index d) { projection_case(in, p, d, mode); }); break;
        }
    });
    return 0;
}
