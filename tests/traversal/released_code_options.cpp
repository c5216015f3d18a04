// traversal: released-code conventions beside the papers' — WarpedGANSpace's initial radii r_k = 1 + 3k/K,
// and L_J at the potential-flow code's shifted point with a per-output mean.
#include <cmath>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
using B = lw::eigen::backend<double>;
}  // namespace

CATCH_TEST_CASE("traversal: WarpedGANSpace's initial warp k of K puts its dipoles at radius 1 + 3k/K") {
    const long long K = 4;
    const double expected[] = {1.0, 1.75, 2.5, 3.25};  // torch.arange(1, 4, 3/4)
    auto rng = lw::test::rng(501);
    const Eigen::MatrixXd axes = lw::test::random_matrix(5, 3, rng);  // N = 3 dipoles in d = 5
    for (long long k = 0; k < K; ++k) {
        CATCH_CHECK(lw::rbf_dipole_potential<B>::warped_gan_space_radius(k, K) == expected[k]);
        const auto u = lw::rbf_dipole_potential<B>::warped_gan_space(axes, k, K, 0.2);
        CATCH_REQUIRE(u.centers().cols() == 6);
        for (Eigen::Index i = 0; i < 3; ++i) {
            CATCH_CHECK(u.centers().col(2 * i).norm() == Catch::Approx(expected[k]).epsilon(1e-14));
            CATCH_CHECK((u.centers().col(2 * i) + u.centers().col(2 * i + 1)).norm() == 0.0);  // antipodal
            CATCH_CHECK((u.centers().col(2 * i).normalized() - axes.col(i).normalized()).norm() <= 1e-14);
            CATCH_CHECK(u.weights()[static_cast<std::size_t>(2 * i)] == 1.0);
            CATCH_CHECK(u.weights()[static_cast<std::size_t>(2 * i + 1)] == -1.0);
        }
    }
    CATCH_CHECK_THROWS_AS(lw::rbf_dipole_potential<B>::warped_gan_space_radius(4, 4), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::rbf_dipole_potential<B>::warped_gan_space_radius(0, 0), lw::invalid_argument_error);
}

// u = t aᵀz (∇u = t a), g = A z: the paper's L_J at (z, t) is −t²‖A a‖²; the released code steps to
// z′ = z + t a and takes ∇u(z′, t + 1) = (t + 1) a, averaged over the m outputs: −(t + 1)²‖A a‖²/m.
CATCH_TEST_CASE("traversal: L_J at the released code's shifted point with a per-output mean differs from the paper's") {
    auto rng = lw::test::rng(502);
    const Eigen::MatrixXd A = lw::test::random_matrix(6, 3, rng);
    const lw::eigen::linear_generator<double> g(A);
    const Eigen::VectorXd a = lw::test::random_vector(3, rng), z = lw::test::random_vector(3, rng);
    const auto u = lw::linear_potential<B>::time_scaled(a);
    const double t = 2.0, Aa = (A * a).squaredNorm();
    CATCH_CHECK(lw::jacobian_regularizer(g, u, z, t) == Catch::Approx(-t * t * Aa).epsilon(1e-14));
    const auto code = lw::jacobian_regularizer_options::released_code();
    CATCH_CHECK(lw::jacobian_regularizer(g, u, z, t, code) == Catch::Approx(-(t + 1) * (t + 1) * Aa / 6.0).epsilon(1e-14));
    lw::jacobian_regularizer_options shifted_only;
    shifted_only.point = lw::jacobian_regularizer_point::shifted;
    CATCH_CHECK(lw::jacobian_regularizer(g, u, z, t, shifted_only) == Catch::Approx(-(t + 1) * (t + 1) * Aa).epsilon(1e-14));
    // on a non-linear potential the shifted point matters: ∇u(z′, t + 1) is not ∇u(z, t + 1)
    const auto m = lw::eigen::mlp_potential<double>::random(3, {}, 4, 1.0);
    const Eigen::VectorXd zp = z + m.gradient(z, t);
    CATCH_CHECK(lw::jacobian_regularizer(g, m, z, t, shifted_only) ==
                Catch::Approx(-(A * m.gradient(zp, t + 1)).squaredNorm()).epsilon(1e-13));
}
