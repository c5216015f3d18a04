// density: DP-LaSE's density-preserving walk — the Gaussian rule P(z, γ, t) and step-then-project.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <limits>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;

namespace {
constexpr double eps = std::numeric_limits<double>::epsilon();

Eigen::VectorXd normal_vector(Eigen::Index d, std::uint64_t salt) {
    auto rng = lw::test::rng(salt);
    std::normal_distribution<double> nd;
    return Eigen::VectorXd::NullaryExpr(d, [&] { return nd(rng); });
}
}  // namespace

CATCH_TEST_CASE("density: the Gaussian walk keeps the log-density to machine precision at every step (d = 512)") {
    const Eigen::Index d = 512;
    const lw::standard_gaussian<B> p(d);
    const Eigen::VectorXd z0 = normal_vector(d, 1), gamma = normal_vector(d, 2);
    for (auto scheme : {lw::walk_scheme::from_start, lw::walk_scheme::iterated}) {
        lw::density_walk_options o;
        o.scheme = scheme;
        const auto walk = lw::density_preserving_walk(p, z0, gamma, 200, 0.25, o);
        CATCH_REQUIRE(walk.points.size() == 201);
        CATCH_REQUIRE(walk.log_densities.size() == 201);
        CATCH_CHECK(walk.times[200] == 50.0);
        CATCH_CHECK(walk.projections.empty());  // the Gaussian rule needs no root finding
        const double c0 = p.log_density(z0);
        double worst = 0;
        for (std::size_t j = 0; j < walk.points.size(); ++j) {
            worst = std::max(worst, std::abs(walk.log_densities[j] - c0));
            CATCH_CHECK(walk.log_densities[j] == p.log_density(walk.points[j]));
        }
        CATCH_CHECK(worst <= 8 * eps * std::abs(c0));
        CATCH_CHECK(walk.max_level_drift == worst);
        // The walk moves: the last point is far from z0 (‖z0‖ ≈ 22.6, t = 50).
        CATCH_CHECK((walk.points.back() - z0).norm() > 10.0);
    }
    // The linear traversal it replaces drifts: log p(z0 + tγ) − c0 = −tγᵀz0 − t²‖γ‖²/2.
    const double t = 50.0;
    const double linear_drift = p.log_density(Eigen::VectorXd(z0 + t * gamma)) - p.log_density(z0);
    CATCH_CHECK(std::abs(linear_drift - (-t * gamma.dot(z0) - 0.5 * t * t * gamma.squaredNorm())) <=
                1e-12 * std::abs(linear_drift));
    CATCH_CHECK(linear_drift < -1e5);
}

CATCH_TEST_CASE("density: DP-LaSE's map P(z, gamma, t): identity at t = 0, saturation at |z| gamma-hat, angle arctan(t/|z|)") {
    const Eigen::Index d = 64;
    const lw::standard_gaussian<B> p(d);
    const Eigen::VectorXd z = normal_vector(d, 3), g = normal_vector(d, 4);
    CATCH_CHECK((p.density_preserving_step(z, g, 0.0) - z).norm() <= 4 * eps * z.norm());

    // Saturation: P → ‖z‖ γ/‖γ‖, with distance ≈ ‖z‖ ‖z_⟂‖/(t‖γ‖) (z_⟂: z's part orthogonal to γ).
    const Eigen::VectorXd limit = z.norm() * g.normalized();
    const Eigen::VectorXd z_perp = z - z.dot(g.normalized()) * g.normalized();
    double previous = std::numeric_limits<double>::infinity();
    for (double t : {1.0, 10.0, 1e2, 1e3, 1e4, 1e6}) {
        const double dist = (p.density_preserving_step(z, g, t) - limit).norm();
        CATCH_CHECK(dist < previous);
        previous = dist;
        if (t >= 1e3) CATCH_CHECK(std::abs(dist - z.norm() * z_perp.norm() / (t * g.norm())) <= 1e-2 * dist);
    }

    // γ ⟂ z: P(z, γ, t) turns z in the plane (z, γ) by arctan(t‖γ‖/‖z‖), keeping the norm.
    Eigen::VectorXd gamma = g - g.dot(z) / z.squaredNorm() * z;  // γ ⟂ z
    gamma.normalize();
    for (double t : {0.1, 1.0, 5.0, 40.0, 1e3}) {
        const Eigen::VectorXd q = p.density_preserving_step(z, gamma, t);
        const double angle = std::atan2(q.dot(gamma), q.dot(z.normalized()));
        CATCH_CHECK(std::abs(angle - std::atan(t / z.norm())) <= 1e-14);
        CATCH_CHECK(std::abs(q.norm() - z.norm()) <= 4 * eps * z.norm());
        // And it stays in the plane spanned by z and γ.
        const Eigen::VectorXd off = q - q.dot(gamma) * gamma - q.dot(z.normalized()) * z.normalized();
        CATCH_CHECK(off.norm() <= 1e-14 * z.norm());
    }
    // The walk is the same map at t_j = j ε.
    const auto walk = lw::density_preserving_walk(p, z, gamma, 5, 0.5);
    for (int j = 0; j <= 5; ++j)
        CATCH_CHECK((walk.points[static_cast<std::size_t>(j)] - p.density_preserving_step(z, gamma, 0.5 * j)).norm() == 0.0);
}

CATCH_TEST_CASE("density: step-then-project walks keep the level of non-isotropic and non-Gaussian models") {
    const Eigen::Index d = 16;
    Eigen::VectorXd mu = Eigen::VectorXd::LinSpaced(d, -1.0, 1.0), sigma = Eigen::VectorXd::LinSpaced(d, 0.5, 2.0);
    const lw::diagonal_gaussian<B> diag(mu, sigma);
    const Eigen::VectorXd z0 = mu + sigma.cwiseProduct(normal_vector(d, 5)), gamma = normal_vector(d, 6);
    const double c0 = diag.log_density(z0);
    for (bool tangent : {false, true}) {
        for (auto scheme : {lw::walk_scheme::from_start, lw::walk_scheme::iterated}) {
            lw::density_walk_options o;
            o.scheme = scheme;
            o.tangent_direction = tangent;
            const auto walk = lw::density_preserving_walk(diag, z0, gamma, 40, 0.1, o);
            CATCH_CHECK(walk.max_level_drift <= 1e-13 * std::abs(c0));
            // from_start uses the whitened DP-LaSE rule; iterated projects after every step.
            CATCH_CHECK(walk.projections.size() == (scheme == lw::walk_scheme::iterated ? 40u : 0u));
            if (scheme == lw::walk_scheme::from_start && !tangent)
                CATCH_CHECK((walk.points[40] - diag.density_preserving_step(z0, gamma, 4.0)).norm() == 0.0);
        }
    }
    // Root finding (no closed form used): score-ray projections. From the start point, the far points
    // z0 + tγ of this anisotropic Gaussian see log p pass a maximum below c0 on their score ray, which
    // is reported; the iterated scheme takes short steps and stays on the level set.
    lw::density_walk_options o;
    o.projection.method = lw::level_projection_method::score_ray;
    o.scheme = lw::walk_scheme::from_start;
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(diag, z0, gamma, 40, 0.1, o), lw::numerical_error);
    o.scheme = lw::walk_scheme::iterated;
    const auto walk = lw::density_preserving_walk(diag, z0, gamma, 40, 0.1, o);
    CATCH_CHECK(walk.scheme == lw::walk_scheme::iterated);
    CATCH_CHECK(walk.max_level_drift <= 1e-12 * std::max(1.0, std::abs(c0)));
    for (const auto& r : walk.projections) {
        CATCH_CHECK(r.converged);
        CATCH_CHECK(r.method == lw::level_projection_method::score_ray);
    }
    // Tangent steps of a small ε need only a small correction: the projection distance is O(ε²).
    lw::density_walk_options tangent;
    tangent.tangent_direction = true;
    tangent.scheme = lw::walk_scheme::iterated;
    const auto w1 = lw::density_preserving_walk(diag, z0, gamma, 1, 1e-2, tangent);
    const auto w2 = lw::density_preserving_walk(diag, z0, gamma, 1, 5e-3, tangent);
    const double ratio = w1.projections[0].distance / w2.projections[0].distance;
    CATCH_CHECK(ratio > 3.8);
    CATCH_CHECK(ratio < 4.2);
}

CATCH_TEST_CASE("density: walks reject bad input with the library's exceptions") {
    const lw::standard_gaussian<B> p(3);
    const Eigen::VectorXd z = Eigen::VectorXd::Ones(3), g = Eigen::VectorXd::Unit(3, 0);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, Eigen::VectorXd::Zero(3), g, 3, 0.1), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, z, Eigen::VectorXd::Zero(3), 3, 0.1), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, z, g, -1, 0.1), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, Eigen::VectorXd::Ones(4), g, 3, 0.1), lw::dimension_error);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, z, Eigen::VectorXd::Ones(2), 3, 0.1), lw::dimension_error);
    Eigen::VectorXd bad = z;
    bad[1] = std::numeric_limits<double>::quiet_NaN();
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, bad, g, 3, 0.1), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, z, g, 3, std::numeric_limits<double>::infinity()),
                            lw::numerical_error);
    // A step onto the mode: z + tγ = 0.
    CATCH_REQUIRE_THROWS_AS(p.density_preserving_step(z, Eigen::VectorXd(-z), 1.0), lw::numerical_error);
    // Tangent direction along the normal: nothing left to walk along.
    lw::density_walk_options o;
    o.tangent_direction = true;
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(p, z, z, 2, 0.1, o), lw::numerical_error);
    // A start point outside the support of a truncated normal.
    const lw::truncated_normal<B> t(3, 1.0);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(t, Eigen::VectorXd::Constant(3, 1.5), g, 2, 0.1),
                            lw::invalid_argument_error);
    // The mode of a diagonal Gaussian; a truncated-normal walk whose rule leaves the box.
    const lw::diagonal_gaussian<B> dg(Eigen::VectorXd::Constant(3, 0.5), Eigen::VectorXd::Constant(3, 2.0));
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(dg, Eigen::VectorXd::Constant(3, 0.5), g, 2, 0.1),
                            lw::invalid_argument_error);
    const Eigen::VectorXd inside = Eigen::Vector3d(0.6, 0.0, 0.0);
    const auto short_walk = lw::density_preserving_walk(t, inside, Eigen::VectorXd(Eigen::Vector3d(0.0, 1.0, 0.0)), 3, 0.5);
    CATCH_CHECK(short_walk.max_level_drift <= 1e-15);
    CATCH_CHECK(std::abs(short_walk.points[3][1] - 0.6 * std::sin(std::atan(1.5 / 0.6))) <= 1e-15);
    CATCH_REQUIRE_THROWS_AS(lw::density_preserving_walk(t, Eigen::VectorXd(Eigen::Vector3d(0.9, 0.9, 0.0)),
                                                        Eigen::VectorXd(Eigen::Vector3d(1.0, 0.0, 0.0)), 30, 1.0),
                            lw::numerical_error);
    // The caller's vectors are untouched.
    CATCH_CHECK(z == Eigen::VectorXd::Ones(3));
}
