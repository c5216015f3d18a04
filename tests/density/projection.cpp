// density: projection onto level sets — closed forms, score-ray root finding, and its failures.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <limits>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;

namespace {

/// A smooth non-Gaussian density without a closed-form projection: independent standard logistic
/// coordinates, log p = Σ −|x| − 2 log(1 + e^{−|x|}), score = −tanh(x/2), maximum d log(1/4) at 0.
struct logistic_density {
    using backend = B;
    Eigen::Index d;
    Eigen::Index dim() const { return d; }
    double log_density(const Eigen::VectorXd& z) const {
        return (-z.array().abs() - 2.0 * (-z.array().abs()).exp().log1p()).sum();
    }
    Eigen::VectorXd score(const Eigen::VectorXd& z) const { return -(0.5 * z.array()).tanh().matrix(); }
    double max_log_density() const { return static_cast<double>(d) * std::log(0.25); }
};
static_assert(lw::DensityModel<logistic_density> && !lw::ProvidesLevelProjection<logistic_density>);

Eigen::VectorXd normal_vector(Eigen::Index d, std::uint64_t salt, double scale = 1.0) {
    auto rng = lw::test::rng(salt);
    std::normal_distribution<double> nd(0.0, scale);
    return Eigen::VectorXd::NullaryExpr(d, [&] { return nd(rng); });
}

bool reached(double value, double c) { return std::abs(value - c) <= 1e-12 * std::max(1.0, std::abs(c)); }

}  // namespace

CATCH_TEST_CASE("density: score-ray projection reaches the level to 1e-12 for non-Gaussian models, in few Newton steps") {
    const Eigen::Index d = 8;
    const logistic_density p{d};
    const Eigen::VectorXd z = normal_vector(d, 11, 1.5);
    const double c0 = p.log_density(z);
    const double gap = p.max_log_density() - c0;  // uphill moves stay well below the maximum
    for (double delta : {-6.0, -1.0, -1e-3, 1e-3, 0.1 * gap, 0.2 * gap}) {
        const double c = c0 + delta;
        CATCH_CAPTURE(delta);
        const auto r = lw::project_to_level_set(p, z, c);
        CATCH_CHECK(r.report.method == lw::level_projection_method::score_ray);
        CATCH_CHECK(r.report.converged);
        CATCH_CHECK(reached(p.log_density(r.point), c));
        CATCH_CHECK(r.report.residual == std::abs(p.log_density(r.point) - c));
        CATCH_CHECK(r.report.iterations <= 12);
        // The point lies on the score ray: z + σ t s/‖s‖ with t = the reported distance.
        const Eigen::VectorXd s = p.score(z).normalized();
        const Eigen::VectorXd expected = z + (delta > 0 ? 1.0 : -1.0) * r.report.distance * s;
        CATCH_CHECK((r.point - expected).norm() <= 1e-13 * (1.0 + z.norm()));
    }
    // Already on the level: z itself, no iteration.
    const auto same = lw::project_to_level_set(p, z, c0);
    CATCH_CHECK(same.point == z);
    CATCH_CHECK(same.report.iterations == 0);

    // Diagonal Gaussian through root finding (its score ray does not pass through the mean): level reached.
    const Eigen::VectorXd mu = Eigen::VectorXd::LinSpaced(d, -1, 1), sigma = Eigen::VectorXd::LinSpaced(d, 0.3, 3.0);
    const lw::diagonal_gaussian<B> g(mu, sigma);
    lw::level_projection_options ray;
    ray.method = lw::level_projection_method::score_ray;
    const Eigen::VectorXd zg = mu + sigma.cwiseProduct(normal_vector(d, 12));
    // Uphill, log p along the ray z + t s/‖s‖ (s the score) peaks ‖s‖⁴/(2 sᵀΣ⁻¹s) above log p(z).
    const Eigen::VectorXd s = g.score(zg);
    const double rise = std::pow(s.squaredNorm(), 2) / (2.0 * s.dot(s.cwiseQuotient(sigma.cwiseProduct(sigma))));
    for (double delta : {-3.0, -0.2, 0.2 * rise, 0.999 * rise}) {
        const double c = g.log_density(zg) + delta;
        const auto r = lw::project_to_level_set(g, zg, c, ray);
        CATCH_CHECK(reached(g.log_density(r.point), c));
        const auto closed = lw::project_to_level_set(g, zg, c);
        CATCH_CHECK(closed.report.method == lw::level_projection_method::closed_form);
        CATCH_CHECK(reached(g.log_density(closed.point), c));
    }
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(g, zg, g.log_density(zg) + 1.001 * rise, ray), lw::numerical_error);
}

CATCH_TEST_CASE("density: truncated normal and uniform box projections reach the level or throw") {
    const Eigen::Index d = 6;
    const lw::truncated_normal<B> t(d, 2.0);
    Eigen::VectorXd z(d);
    z << 0.3, -0.5, 1.0, 0.2, -1.2, 0.7;
    lw::level_projection_options ray;
    ray.method = lw::level_projection_method::score_ray;
    for (double delta : {-1.0, -0.1, 0.1, 1.0}) {
        const double c = t.log_density(z) + delta;
        const auto closed = lw::project_to_level_set(t, z, c);
        const auto root = lw::project_to_level_set(t, z, c, ray);
        CATCH_CHECK(reached(t.log_density(closed.point), c));
        CATCH_CHECK(reached(t.log_density(root.point), c));
        CATCH_CHECK((closed.point - root.point).norm() <= 1e-12);  // both rescale along the ray from 0
    }
    // The sphere of this level exists inside the box, but the ray through z leaves the box first (z_5 is the
    // largest coordinate in modulus and reaches τ = 2 at radius 2‖z‖/1.2 ≈ 3.5 < r).
    const double r = 3.8, c_far = t.max_log_density() - 0.5 * r * r;
    CATCH_REQUIRE(c_far > t.min_log_density());
    CATCH_REQUIRE_THROWS_AS(t.project_to_level(z, c_far), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(t, z, c_far), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(t, z, c_far, ray), lw::numerical_error);
    // Levels outside [min, max]: no point of the box has them.
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(t, z, t.max_log_density() + 1e-9), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(t.level_radius(t.min_log_density() - 1e-9), lw::invalid_argument_error);

    // Uniform box: the maximum's level set is the box itself (clamping), every other level is empty.
    const Eigen::VectorXd lo = Eigen::VectorXd::Constant(3, -1.0), hi = Eigen::VectorXd::Constant(3, 2.0);
    const lw::uniform_box<B> u(lo, hi);
    CATCH_CHECK(std::abs(u.max_log_density() + 3.0 * std::log(3.0)) <= 1e-15);
    Eigen::VectorXd y(3);
    y << -3.0, 0.5, 7.0;
    const auto onto = lw::project_to_level_set(u, y, u.max_log_density());
    CATCH_CHECK(onto.point == Eigen::Vector3d(-1.0, 0.5, 2.0));
    CATCH_CHECK(onto.report.residual == 0.0);
    CATCH_CHECK(u.log_density(y) == -std::numeric_limits<double>::infinity());
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(u, y, u.max_log_density() - 1.0), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(u, y, u.max_log_density() + 1.0), lw::invalid_argument_error);
    // Root finding on a flat density: the score vanishes, there is no direction.
    const Eigen::Vector3d inside(0.0, 0.5, 1.0);
    ray.method = lw::level_projection_method::score_ray;
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(u, inside, u.max_log_density() - 1.0, ray), lw::numerical_error);
}

CATCH_TEST_CASE("density: projection rejects bad input and unreachable levels with the library's exceptions") {
    const logistic_density p{4};
    const Eigen::VectorXd z = Eigen::VectorXd::Constant(4, 0.5);
    const Eigen::VectorXd copy = z;
    // A level above the maximum.
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, z, p.max_log_density() + 1e-6), lw::invalid_argument_error);
    // The mode: the score vanishes, no usable direction.
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, Eigen::VectorXd::Zero(4), p.max_log_density() - 1.0),
                            lw::numerical_error);
    const lw::standard_gaussian<B> g(4);
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(g, Eigen::VectorXd::Zero(4), -5.0), lw::numerical_error);
    // Non-finite and mismatched inputs.
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, Eigen::VectorXd::Zero(3), -5.0), lw::dimension_error);
    Eigen::VectorXd bad = z;
    bad[0] = std::numeric_limits<double>::infinity();
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, bad, -6.0), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, z, std::numeric_limits<double>::quiet_NaN()), lw::numerical_error);
    // A density whose maximum along the score ray lies below the level: a ridge. log p = −(x₀² + 4(x₁ − x₀²)²)/2
    // has its maximum 0 on the parabola; the score ray from (1, 0) cannot climb to −1e-6 ... but can reach −0.3.
    struct banana {
        using backend = B;
        Eigen::Index dim() const { return 2; }
        double log_density(const Eigen::VectorXd& x) const {
            const double r = x[1] - x[0] * x[0];
            return -0.5 * (x[0] * x[0] + 4.0 * r * r);
        }
        Eigen::VectorXd score(const Eigen::VectorXd& x) const {
            const double r = x[1] - x[0] * x[0];
            return Eigen::Vector2d(-x[0] + 8.0 * r * x[0], -4.0 * r);
        }
    };
    const Eigen::Vector2d start(1.0, 0.0);
    const auto ok = lw::project_to_level_set(banana{}, start, -0.3);
    CATCH_CHECK(reached(banana{}.log_density(ok.point), -0.3));
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(banana{}, start, -1e-6), lw::numerical_error);
    // Options that cannot work.
    lw::level_projection_options o;
    o.tolerance = 0.0;
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, z, -6.0, o), lw::invalid_argument_error);
    o = {};
    o.method = lw::level_projection_method::closed_form;
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(p, z, -6.0, o), lw::invalid_argument_error);
    CATCH_CHECK(z == copy);
}
