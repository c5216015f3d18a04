// core: the derivation layer (jacobian / jvp / vjp from what a generator provides),
// finite differences on request, and check_derivatives.
#include <latentwalk/detail/counting_generator.hpp>
#include <latentwalk/eigen.hpp>

#include <cmath>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

namespace {

/// Wraps a model and exposes only the chosen derivatives, counting the products used.
template <bool WithJvp, bool WithVjp>
struct partial_model;

struct counting_base {
    le::mlp_generator<double> g;
    mutable long jvps = 0, vjps = 0;
    Eigen::Index latent_dim() const { return g.latent_dim(); }
    Eigen::Index output_dim() const { return g.output_dim(); }
    Eigen::VectorXd operator()(const Eigen::VectorXd& z) const { return g(z); }
};
template <>
struct partial_model<true, false> : counting_base {
    using backend = le::backend<double>;
    Eigen::VectorXd jvp(const Eigen::VectorXd& z, const Eigen::VectorXd& v) const { return ++jvps, g.jvp(z, v); }
};
template <>
struct partial_model<false, true> : counting_base {
    using backend = le::backend<double>;
    Eigen::VectorXd vjp(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const { return ++vjps, g.vjp(z, u); }
};
template <>
struct partial_model<true, true> : counting_base {
    using backend = le::backend<double>;
    Eigen::VectorXd jvp(const Eigen::VectorXd& z, const Eigen::VectorXd& v) const { return ++jvps, g.jvp(z, v); }
    Eigen::VectorXd vjp(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const { return ++vjps, g.vjp(z, u); }
};

le::mlp_generator<double> mlp(Eigen::Index n, Eigen::Index m) {
    le::mlp_generator<double>::options o;
    o.hidden = le::activation::tanh;
    return le::mlp_generator<double>::random({n, 8, m}, o, 17);
}

}  // namespace

CATCH_TEST_CASE("core: jacobian is assembled from n JVPs or m VJPs, whichever the generator offers") {
    auto rng = lw::test::rng(10);
    const auto g = mlp(4, 9);
    const Eigen::VectorXd z = lw::test::random_vector(4, rng);
    const Eigen::MatrixXd J = g.jacobian(z);

    partial_model<true, false> only_jvp{{g}};
    CATCH_CHECK((lw::jacobian(only_jvp, z) - J).norm() <= 1e-14 * J.norm());
    CATCH_CHECK(only_jvp.jvps == 4);

    partial_model<false, true> only_vjp{{g}};
    CATCH_CHECK((lw::jacobian(only_vjp, z) - J).norm() <= 1e-14 * J.norm());
    CATCH_CHECK(only_vjp.vjps == 9);

    CATCH_SECTION("with both, the cheaper side is used") {
        partial_model<true, true> both{{g}};
        lw::jacobian(both, z);
        CATCH_CHECK(both.jvps == 4);
        CATCH_CHECK(both.vjps == 0);
        partial_model<true, true> wide{{mlp(9, 4)}};
        lw::jacobian(wide, lw::test::random_vector(9, rng));
        CATCH_CHECK(wide.vjps == 4);
        CATCH_CHECK(wide.jvps == 0);
        CATCH_CHECK(lw::detail::jacobian_product_count(wide) == 4);
    }
}

CATCH_TEST_CASE("core: jvp and vjp are derived from the other product or from a Jacobian") {
    auto rng = lw::test::rng(11);
    const auto g = mlp(5, 3);
    const Eigen::VectorXd z = lw::test::random_vector(5, rng), v = lw::test::random_vector(5, rng),
                          u = lw::test::random_vector(3, rng);
    const Eigen::MatrixXd J = g.jacobian(z);
    partial_model<true, false> only_jvp{{g}};
    partial_model<false, true> only_vjp{{g}};
    CATCH_CHECK((lw::vjp(only_jvp, z, u) - J.transpose() * u).norm() <= 1e-14 * J.norm() * u.norm());
    CATCH_CHECK((lw::jvp(only_vjp, z, v) - J * v).norm() <= 1e-14 * J.norm() * v.norm());
    const le::sphere_embedding<double> s;  // provides a Jacobian
    Eigen::VectorXd zs(2);
    zs << 1.0, 2.0;
    CATCH_CHECK((lw::jvp(s, zs, Eigen::Vector2d(1, 0)) - s.jacobian(zs).col(0)).norm() == 0.0);
}

CATCH_TEST_CASE("core: finite_differences follows its documented step rule and error order") {
    const le::sphere_embedding<double> s(1.0);
    Eigen::VectorXd z(2);
    z << 0.7, 2.5;
    const lw::finite_differences fd(s);
    CATCH_CHECK(fd.step(z) == Catch::Approx(std::cbrt(std::numeric_limits<double>::epsilon()) * 2.5).epsilon(1e-15));
    const Eigen::MatrixXd err = lw::jacobian(fd, z) - s.jacobian(z);
    // truncation h²/6 |f'''| with h ≈ 1.5e-5 → ~4e-11; rounding ε/h ≈ 1.5e-11
    CATCH_CHECK(err.norm() < 2e-10);
    CATCH_CHECK(err.norm() > 0.0);  // it really is an approximation
    // Halving the relative step divides the truncation error by 4 when it dominates.
    lw::finite_difference_options big{1e-2}, half{5e-3};
    const double e1 = (lw::jacobian(lw::finite_differences(s, big), z) - s.jacobian(z)).norm();
    const double e2 = (lw::jacobian(lw::finite_differences(s, half), z) - s.jacobian(z)).norm();
    CATCH_CHECK(e1 / e2 == Catch::Approx(4.0).epsilon(0.01));
}

CATCH_TEST_CASE("core: check_derivatives passes for exact models and reports order 2 or exactness") {
    auto rng = lw::test::rng(12);
    Eigen::VectorXd z(2);
    z << 1.1, -0.4;
    const auto rs = lw::check_derivatives(le::sphere_embedding<double>(2.0), z);
    CATCH_CHECK(rs.passed());
    CATCH_CHECK(rs.jvp.order == Catch::Approx(2.0).margin(0.05));
    CATCH_CHECK(rs.vjp.order == Catch::Approx(2.0).margin(0.05));
    CATCH_CHECK(rs.adjoint_error < 1e-15);
    const auto rt = lw::check_derivatives(le::torus_embedding<double>(), z);
    CATCH_CHECK(rt.passed());
    const auto g = mlp(6, 5);
    CATCH_CHECK(lw::check_derivatives(g, lw::test::random_vector(6, rng)).passed());
    const le::linear_generator<double> lin(lw::test::random_matrix(4, 3, rng));
    const auto rl = lw::check_derivatives(lin, lw::test::random_vector(3, rng));
    CATCH_CHECK(rl.passed());
    CATCH_CHECK(rl.jvp.exact);
    CATCH_CHECK(rl.vjp.exact);
}

namespace {
struct buggy_sphere {
    using backend = le::backend<double>;
    le::sphere_embedding<double> s;
    double jvp_scale = 1.0;
    bool swap_vjp = false;
    Eigen::Index latent_dim() const { return 2; }
    Eigen::Index output_dim() const { return 3; }
    Eigen::VectorXd operator()(const Eigen::VectorXd& z) const { return s(z); }
    Eigen::VectorXd jvp(const Eigen::VectorXd& z, const Eigen::VectorXd& v) const { return jvp_scale * s.jvp(z, v); }
    Eigen::VectorXd vjp(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const {
        Eigen::VectorXd r = s.vjp(z, u);
        if (swap_vjp) std::swap(r[0], r[1]);
        return r;
    }
};
}  // namespace

CATCH_TEST_CASE("core: check_derivatives detects wrong JVPs and VJPs and can throw") {
    Eigen::VectorXd z(2);
    z << 0.9, 0.3;
    buggy_sphere slightly{le::sphere_embedding<double>(), 1.0 + 1e-4};  // a 0.01% error in J v: below the Taylor test's
    CATCH_CHECK_FALSE(lw::check_derivatives(slightly, z).adjoint_passed);  // resolution, not the adjoint's
    buggy_sphere scaled{le::sphere_embedding<double>(), 1.0 + 1e-2};  // a 1% error in J v
    const auto r1 = lw::check_derivatives(scaled, z);
    CATCH_CHECK_FALSE(r1.jvp.passed);
    CATCH_CHECK(r1.jvp.order == Catch::Approx(1.0).margin(0.1));
    CATCH_CHECK(r1.vjp.passed);
    CATCH_CHECK_FALSE(r1.adjoint_passed);
    buggy_sphere swapped{le::sphere_embedding<double>(), 1.0, true};
    const auto r2 = lw::check_derivatives(swapped, z);
    CATCH_CHECK(r2.jvp.passed);
    CATCH_CHECK_FALSE(r2.vjp.passed);
    CATCH_CHECK_FALSE(r2.passed());
    lw::derivative_check_options strict;
    strict.throw_on_failure = true;
    CATCH_CHECK_THROWS_AS(lw::check_derivatives(swapped, z, strict), lw::numerical_error);
    CATCH_CHECK_THROWS_WITH(lw::check_derivatives(swapped, z, strict), Catch::Contains("VJP Taylor remainder"));
    CATCH_CHECK_NOTHROW(lw::check_derivatives(le::sphere_embedding<double>(), z, strict));
}

CATCH_TEST_CASE("core: mlp_generator's linearization gives the same products as jvp and vjp, from one forward pass") {
    static_assert(lw::ProvidesLinearization<le::mlp_generator<double>>);
    static_assert(!lw::ProvidesLinearization<le::sphere_embedding<double>>);
    auto rng = lw::test::rng(13);
    le::mlp_generator<double>::options o;
    o.pixel_norm_first = true;
    for (auto [n, m] : {std::pair<Eigen::Index, Eigen::Index>{6, 11}, {11, 6}}) {
        const auto g = le::mlp_generator<double>::random({n, 9, m}, o, 23);
        const Eigen::VectorXd z = lw::test::random_vector(n, rng);
        const auto L = g.linearize(z);
        CATCH_CHECK((L.value() - g(z)).norm() == 0.0);
        const Eigen::MatrixXd J = g.jacobian(z);
        for (int trial = 0; trial < 3; ++trial) {
            const Eigen::VectorXd v = lw::test::random_vector(n, rng), u = lw::test::random_vector(m, rng);
            CATCH_CHECK((L.jvp(v) - J * v).norm() <= 1e-14 * J.norm() * v.norm());
            CATCH_CHECK((L.vjp(u) - J.transpose() * u).norm() <= 1e-14 * J.norm() * u.norm());
        }
        // The counting adaptor used by the matrix-free algorithms answers from the linearization.
        const lw::detail::counting_generator<le::mlp_generator<double>> cg(g, "test");
        const Eigen::VectorXd v = lw::test::random_vector(n, rng);
        CATCH_CHECK((cg.jvp(z, v) - g.jvp(z, v)).norm() <= 1e-14 * J.norm() * v.norm());
        const Eigen::VectorXd z2 = lw::test::random_vector(n, rng);  // a new point relinearizes
        CATCH_CHECK((cg.jvp(z2, v) - g.jvp(z2, v)).norm() <= 1e-14 * g.jacobian(z2).norm() * v.norm());
        CATCH_CHECK(cg.jvps == 2);
        CATCH_CHECK_THROWS_AS(L.jvp(Eigen::VectorXd::Ones(n + 1)), lw::dimension_error);
    }
}
