// traversal: guided and stochastic curve traversal against the closed form on a linear generator.
#include <latentwalk/traversal/guided_curve_traversal.hpp>

#include <cmath>
#include <vector>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

/// The candidate j < k with the largest |u_jᵀ d| and the signed latent direction sign(u_jᵀ d) v_j.
struct best_match {
    Eigen::Index j;
    Vec v, u;
    double sigma;
};
best_match closed_form(const Mat& A, const Vec& d, Eigen::Index k) {
    Eigen::JacobiSVD<Mat> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    Eigen::Index j = 0;
    for (Eigen::Index i = 1; i < k; ++i)
        if (std::abs(svd.matrixU().col(i).dot(d)) > std::abs(svd.matrixU().col(j).dot(d))) j = i;
    const double s = svd.matrixU().col(j).dot(d) < 0 ? -1.0 : 1.0;
    return {j, s * svd.matrixV().col(j), s * svd.matrixU().col(j), svd.singularValues()[j]};
}
}  // namespace

CATCH_TEST_CASE("traversal: guided traversal on a linear generator follows the guide's best projection exactly") {
    auto rng = lw::test::rng(131);
    const Mat A = lw::test::random_matrix(6, 3, rng);
    const le::linear_generator<double> g(A, lw::test::random_vector(6, rng));
    const Vec z0 = lw::test::random_vector(3, rng);
    const Vec d = lw::test::random_vector(6, rng);
    const long long N = 6;
    const double eps = 0.07;
    for (long long k : {0LL, 1LL, 2LL}) {
        lw::guided_traversal_options o;
        o.candidates = k;
        const auto m = closed_form(A, d, k == 0 ? 3 : k);
        const auto path = lw::guided_curve_traversal(g, z0, d, N, eps, o);
        CATCH_REQUIRE(path.size() == static_cast<std::size_t>(2 * N + 1));
        for (std::size_t i = 0; i < path.size(); ++i) {
            const double steps_taken = static_cast<double>(static_cast<long long>(i) - N);
            CATCH_CHECK((path.points[i] - (z0 + steps_taken * eps * m.v)).norm() <= 1e-12);  // no 1/σ: ε per step
            CATCH_CHECK((path.outputs[i] - (g(z0) + steps_taken * eps * m.sigma * m.u)).norm() <= 1e-12);
            CATCH_CHECK(path.diagnostic("component")[i] == static_cast<double>(m.j));
            CATCH_CHECK(path.diagnostic("abs_cos")[i] == Catch::Approx(std::abs(m.u.dot(d)) / d.norm()).epsilon(1e-12));
            CATCH_CHECK(path.times[i] == Catch::Approx(steps_taken * eps));
        }
        o.match_previous = true;  // on a linear generator the previous choice is the guide's choice
        const auto prev = lw::guided_curve_traversal(g, z0, d, N, eps, o);
        CATCH_CHECK((prev.points.back() - path.points.back()).norm() <= 1e-12);
        CATCH_CHECK(prev.diagnostic("abs_cos").back() == Catch::Approx(1.0).epsilon(1e-12));
    }
}

CATCH_TEST_CASE("traversal: stochastic guided traversal moves by rho eps with rho uniform in [a, 2 - a], seeded") {
    auto rng = lw::test::rng(132);
    const Mat A = lw::test::random_matrix(5, 4, rng);
    const le::linear_generator<double> g(A);
    const Vec z0 = lw::test::random_vector(4, rng);
    const Vec d = lw::test::random_vector(5, rng);
    const auto m = closed_form(A, d, 4);
    lw::guided_traversal_options o;
    o.stochastic = true;
    o.rho_low = 0.3;
    o.seed = 9;
    o.both_sides = false;
    const long long N = 40;
    const auto path = lw::guided_curve_traversal(g, z0, d, N, 0.05, o);
    const auto& rho = path.diagnostic("rho");
    double sum = 0, lo = 2, hi = 0;
    for (std::size_t i = 1; i < path.size(); ++i) {
        sum += rho[i];
        lo = std::min(lo, rho[i]);
        hi = std::max(hi, rho[i]);
        CATCH_CHECK((path.points[i] - (z0 + 0.05 * sum * m.v)).norm() <= 1e-12);
        CATCH_CHECK(path.times[i] == Catch::Approx(0.05 * sum));
    }
    CATCH_CHECK(lo >= 0.3);
    CATCH_CHECK(hi <= 1.7);
    CATCH_CHECK(hi - lo > 0.5);  // 40 draws spread over most of [0.3, 1.7]
    CATCH_CHECK(lw::guided_curve_traversal(g, z0, d, N, 0.05, o).points.back() == path.points.back());  // reproducible
    o.seed = 10;
    CATCH_CHECK(lw::guided_curve_traversal(g, z0, d, N, 0.05, o).points.back() != path.points.back());
    o.rho_low = 0.0;
    CATCH_CHECK_THROWS_AS(lw::guided_curve_traversal(g, z0, d, N, 0.05, o), lw::invalid_argument_error);
}

CATCH_TEST_CASE("traversal: guided traversal with one guide per layer equals one call per guide, and checks its guides") {
    const le::sphere_embedding<double> sphere;
    const Vec z0 = (Vec(2) << 1.1, 0.3).finished();
    const std::vector<Vec> guides = {(Vec(3) << 0, 0, -1).finished(), (Vec(3) << -0.3, 1, 0).finished()};
    lw::guided_traversal_options o;
    o.stochastic = true;
    const auto layers = lw::guided_curve_traversal(sphere, z0, guides, 8, 0.1, o);
    CATCH_REQUIRE(layers.size() == 2);
    for (std::size_t l = 0; l < 2; ++l) {
        const auto one = lw::guided_curve_traversal(sphere, z0, guides[l], 8, 0.1, o);
        CATCH_CHECK(one.points == layers[l].points);
        CATCH_CHECK(one.diagnostic("rho") == layers[0].diagnostic("rho"));  // one ρ sequence for all layers
    }
    // the first guide (−e₃ from θ = 1.1) is the θ direction: the walk stays on φ = 0.3
    CATCH_CHECK(layers[0].diagnostic("component")[layers[0].start_index] == 0.0);
    CATCH_CHECK(std::abs(layers[0].points.back()[1] - 0.3) <= 1e-12);
    CATCH_CHECK(layers[1].diagnostic("component")[layers[1].start_index] == 1.0);
    CATCH_CHECK_THROWS_AS(lw::guided_curve_traversal(sphere, z0, Vec(Vec::Zero(3)), 8, 0.1), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::guided_curve_traversal(sphere, z0, Vec(Vec::Ones(2)), 8, 0.1), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::guided_curve_traversal(sphere, z0, std::vector<Vec>{}, 8, 0.1), lw::invalid_argument_error);
}
