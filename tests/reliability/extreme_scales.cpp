// reliability: algorithms that are scale-invariant in exact arithmetic stay so in floating point:
// bases scaled towards the ends of the double range, columns of wildly different lengths.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <numbers>
#include <random>
#include <string>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

namespace {

using vec = Eigen::VectorXd;
using mat = Eigen::MatrixXd;

/// Two 3-dimensional subspaces of R^8 at the known angles (1e-9, 1e-5, 0.7).
std::pair<mat, mat> bases_at_known_angles() {
    auto rng = lw::test::rng(31);
    std::normal_distribution<double> nd;
    mat G(8, 8);
    for (Eigen::Index i = 0; i < G.size(); ++i) G.data()[i] = nd(rng);
    const mat Q = Eigen::HouseholderQR<mat>(G).householderQ() * mat::Identity(8, 8);
    const double th[3] = {1e-9, 1e-5, 0.7};
    mat A = Q.leftCols(3), B(8, 3);
    for (int j = 0; j < 3; ++j) B.col(j) = std::cos(th[j]) * Q.col(j) + std::sin(th[j]) * Q.col(3 + j);
    // mix the columns so that neither basis is orthonormal
    mat M(3, 3);
    M << 2, 1, 0, 0, 1, 0.5, 0.25, 0, 3;
    return {A * M, B * M.transpose()};
}

}  // namespace

CATCH_TEST_CASE("reliability: principal angles are invariant under scaling the bases by 1e-300 .. 1e300") {
    const auto [A, B] = bases_at_known_angles();
    const vec expected = (vec(3) << 1e-9, 1e-5, 0.7).finished();
    for (double c : {1.0, 1e-300, 1e-150, 1e-30, 1e30, 1e154, 1e200, 1e300}) {
        CATCH_CAPTURE(c);
        const auto r = lw::principal_angles(mat(c * A), mat(B / c));
        for (int j = 0; j < 3; ++j) {
            CATCH_CAPTURE(j);
            CATCH_CAPTURE(r.angles[j]);
            CATCH_CHECK(std::abs(r.angles[j] - expected[j]) <= 1e-14);  // the sines' floor: a few ε
        }
    }
}

CATCH_TEST_CASE("reliability: the rank test does not depend on the columns' lengths") {
    const auto [A, B] = bases_at_known_angles();
    const vec scales = (vec(3) << 1e-200, 1.0, 1e200).finished();
    const mat As = A * scales.asDiagonal();
    const auto r = lw::principal_angles(As, B);
    CATCH_CHECK(std::abs(r.angles[2] - 0.7) <= 1e-12);
    // a truly rank-deficient basis is still refused, whatever its scale
    mat D = A;
    D.col(2) = D.col(0) + D.col(1);
    for (double c : {1e-250, 1.0, 1e250}) {
        CATCH_CAPTURE(c);
        CATCH_CHECK_THROWS_AS(lw::principal_angles(mat(c * D), B), lw::dimension_error);
    }
    mat Z = A;
    Z.col(1).setZero();
    CATCH_CHECK_THROWS_WITH(lw::principal_angles(Z, B),
                            Catch::Contains("column 1 is zero"));
}

CATCH_TEST_CASE("reliability: a diagonal Gaussian with σ = 1e-200 has finite scores and the exact log-density") {
    using B = le::backend<double>;
    const vec mu = vec::Zero(3);
    const vec sd = vec::Constant(3, 1e-200);
    const lw::diagonal_gaussian<B> p(mu, sd);
    const vec z = (vec(3) << 1e-200, -2e-200, 0.5e-200).finished();  // whitened (1, −2, 0.5)
    const vec s = p.score(z);
    CATCH_CHECK(s[0] == Catch::Approx(-1e200).epsilon(1e-15));
    CATCH_CHECK(s[1] == Catch::Approx(2e200).epsilon(1e-15));
    // log p = −‖w‖²/2 − Σ log σ − (d/2) log 2π, with −Σ log σ = 3 · 200 log 10
    const double expected = -0.5 * 5.25 + 600.0 * std::log(10.0) - 1.5 * std::log(2.0 * std::numbers::pi);
    CATCH_CHECK(p.log_density(z) == Catch::Approx(expected).epsilon(1e-14));
    // a point whose exact score exceeds DBL_MAX is a sentence, not −inf
    CATCH_CHECK_THROWS_WITH(p.score(vec::Constant(3, 1e-50)), Catch::Contains("outside the double range"));
    CATCH_CHECK_THROWS_AS(p.log_density(vec::Constant(3, 1e-40)), lw::numerical_error);
}

CATCH_TEST_CASE("reliability: a uniform box of width 2e308 has the finite log-density −Σ log(width)") {
    using B = le::backend<double>;
    const lw::uniform_box<B> box(vec::Constant(2, -1e308), vec::Constant(2, 1e308));
    const double expected = -2.0 * (std::log(2.0) + 308.0 * std::log(10.0));
    CATCH_CHECK(box.max_log_density() == Catch::Approx(expected).epsilon(1e-14));
    CATCH_CHECK(box.log_density(vec::Constant(2, 3.0)) == Catch::Approx(expected).epsilon(1e-14));
    std::mt19937_64 rng(5);
    for (int i = 0; i < 20; ++i) {
        const vec x = box.sample(rng, vec::Zero(2));
        CATCH_CHECK(x.allFinite());
    }
}

CATCH_TEST_CASE("reliability: Gaussian level sets at extreme levels and steps give finite points or a sentence") {
    using B = le::backend<double>;
    const lw::standard_gaussian<B> p(4);
    // the level −1e300 has radius √(2e300) = 1.414e150: representable, so the projection is finite
    const vec z = (vec(4) << 1, 2, -1, 0.5).finished();
    const vec y = p.project_to_level(z, -1e300);
    CATCH_CHECK(y.allFinite());
    CATCH_CHECK(y.norm() == Catch::Approx(std::sqrt(2e300)).epsilon(1e-12));
    // the level −1.7e308: radius 1.84e154, still finite (2|c| would overflow)
    CATCH_CHECK(std::isfinite(p.level_radius(-1.7e308)));
    // a step of 1e308 along γ: z + tγ overflows — a sentence, not NaN
    CATCH_CHECK_THROWS_WITH(p.density_preserving_step(z, vec::Constant(4, 10.0), 1e308),
                            Catch::Contains("overflows to Inf"));
    const lw::diagonal_gaussian<B> q(vec::Zero(4), vec::Constant(4, 2.0));
    CATCH_CHECK_THROWS_AS(q.density_preserving_step(z, vec::Constant(4, 10.0), 1e308), lw::numerical_error);
    CATCH_CHECK(std::isfinite(q.level_radius(-1.7e308)));
}

CATCH_TEST_CASE("reliability: chi_statistics at extreme radii and dimensions: finite log-densities or a sentence") {
    const le::chi_statistics chi(10);
    // log f(r) = log r + (a − 1) log(r²/2) − r²/2 − log Γ(a), a = 5, in closed form
    auto closed = [](double r) {
        return std::log(r) + 4.0 * (2.0 * std::log(r) - std::log(2.0)) - 0.5 * r * r - std::lgamma(5.0);
    };
    for (double r : {1e-200, 1e-100, 1e-10, 1e10, 1e150}) {
        CATCH_CAPTURE(r);
        const double v = chi.log_pdf(r);
        CATCH_CHECK(std::isfinite(v));
        CATCH_CHECK(v == Catch::Approx(closed(r)).epsilon(1e-12));
    }
    CATCH_CHECK_THROWS_AS(chi.log_pdf(1e160), lw::numerical_error);  // exact value below −DBL_MAX
    CATCH_CHECK(chi.cdf(1e200) == 1.0);
    CATCH_CHECK(chi.survival(1e200) == 0.0);
    // very large d: whatever Boost.Math cannot evaluate is the library's numerical_error
    const le::chi_statistics huge(4'000'000'000'000'000'000LL);
    for (double r : {1.0, 1e9, 2e9, 1e12}) {
        CATCH_CAPTURE(r);
        try {
            const double v = huge.log_pdf(r);
            CATCH_CHECK(!std::isnan(v));
            const double c = huge.cdf(r);
            CATCH_CHECK((c >= 0.0 && c <= 1.0));
        } catch (const lw::error&) {
            CATCH_SUCCEED("a library sentence");
        }
    }
}

CATCH_TEST_CASE("reliability: PixelNorm is scale-invariant up to 1e300 (no overflow of ‖z‖²), on both MLP generators") {
    le::mlp_generator<double>::options o;
    o.pixel_norm_first = true;
    o.pixel_norm_epsilon = 0.0;
    const auto g = le::mlp_generator<double>::random({3, 6, 4}, o, 9);
    lw::mlp_generator<le::backend<double>>::options og;
    og.pixel_norm_first = true;
    og.pixel_norm_epsilon = 0.0;
    const auto h = lw::mlp_generator<le::backend<double>>::random({3, 6, 4}, og, 9);
    const vec z = (vec(3) << 1.0, -2.0, 0.5).finished();
    const vec w = g(z), wh = h(z);
    for (double c : {1e-300, 1e-160, 1e160, 1e300}) {
        CATCH_CAPTURE(c);
        CATCH_CHECK((g(c * z) - w).norm() <= 1e-14 * w.norm());
        CATCH_CHECK((h(c * z) - wh).norm() <= 1e-14 * wh.norm());
        CATCH_CHECK(g.jacobian(c * z).allFinite());
    }
}

CATCH_TEST_CASE("reliability: tangent_basis at Jacobian entries near DBL_MAX: exact σ when it fits, a sentence when it does not (fuzz findings)") {
    // found by fuzz/numerics: a 1×2 linear map with entries ~1e308 gave NaN/Inf singular values
    Eigen::MatrixXd A(1, 2);
    A << -1.4256460374419428e308, -6.4604597024435351e307;
    const le::linear_generator<double> g(A, (vec(1) << 6.8725543578792952e307).finished());
    const vec z = (vec(2) << 3.470363910599401e307, 1.6052879822921143e296).finished();
    for (auto m : {lw::tangent_method::dense, lw::tangent_method::automatic}) {
        const auto tb = lw::tangent_basis(g, z, 1, {.method = m});
        CATCH_CHECK(tb.singular_values[0] == Catch::Approx(std::hypot(A(0, 0), A(0, 1))).epsilon(1e-15));
        const vec a = A.row(0).transpose() / A.row(0).stableNorm();  // normalized() would overflow
        CATCH_CHECK(std::abs(tb.latent_basis.col(0).dot(a)) ==
                    Catch::Approx(1.0).epsilon(1e-15));
    }
    // σ = ‖A‖ ≈ 2.04e308 > DBL_MAX: not representable
    Eigen::MatrixXd H(4, 1);
    H << -7.02e305, 1.177e308, 1.177e308, 1.177e308;
    const le::linear_generator<double> h(H);
    CATCH_CHECK_THROWS_WITH(lw::tangent_basis(h, vec::Ones(1), 1, {.method = lw::tangent_method::dense}),
                            Catch::Contains("exceeds the double range"));
    CATCH_CHECK_THROWS_AS(lw::tangent_basis(h, vec::Ones(1), 1), lw::numerical_error);
}

CATCH_TEST_CASE("reliability: a rank-deficient basis at scale 1e-300 is a dimension_error, not NaN (fuzz finding)") {
    const mat A = mat::Constant(10, 2, -4e-300);  // two identical columns
    mat Bm = mat::Zero(10, 2);
    Bm(0, 0) = Bm(1, 1) = 1.0;
    CATCH_CHECK_THROWS_AS(lw::grassmann_distance(A, Bm, lw::grassmann_metric::fubini_study), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::grassmann_distance(Bm, A, lw::grassmann_metric::geodesic), lw::dimension_error);
}
