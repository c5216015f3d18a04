// core: the Eigen reference models and their exact derivatives.
#include <latentwalk/eigen.hpp>

#include <cmath>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

CATCH_TEST_CASE("core: linear_generator gives A z + b and Jacobian A exactly") {
    auto rng = lw::test::rng(1);
    const Eigen::MatrixXd A = lw::test::random_matrix(5, 3, rng);
    const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(5, -1, 1);
    const le::linear_generator<double> g(A, b);
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(3, 0.5, 2.0);
    CATCH_CHECK((g(z) - (A * z + b)).norm() == 0.0);
    CATCH_CHECK((lw::jacobian(g, z) - A).norm() == 0.0);
    const Eigen::VectorXd u = Eigen::VectorXd::Ones(5);
    CATCH_CHECK((lw::vjp(g, z, u) - A.transpose() * u).norm() == 0.0);
}

CATCH_TEST_CASE("core: sphere embedding Jacobian has orthogonal columns of norms R and R sin(theta)") {
    const double R = 1.5;
    const le::sphere_embedding<double> s(R);
    for (double theta : {0.3, 1.0, 2.5}) {
        Eigen::VectorXd z(2);
        z << theta, -0.7;
        CATCH_CHECK(std::abs(s(z).norm() - R) < 1e-15);
        const Eigen::MatrixXd J = lw::jacobian(s, z);
        CATCH_CHECK(std::abs(J.col(0).norm() - R) < 1e-14);
        CATCH_CHECK(std::abs(J.col(1).norm() - R * std::sin(theta)) < 1e-14);
        CATCH_CHECK(std::abs(J.col(0).dot(J.col(1))) < 1e-14);
        CATCH_CHECK(std::abs(J.col(0).dot(s(z))) < 1e-14);  // tangent to the sphere
    }
}

CATCH_TEST_CASE("core: torus embedding has singular values R + r cos v and r") {
    const le::torus_embedding<double> t(3.0, 1.25);
    for (double v : {0.0, 1.1, 2.9, -2.0}) {
        Eigen::VectorXd z(2);
        z << 0.4, v;
        const Eigen::VectorXd s = lw::jacobian(t, z).jacobiSvd().singularValues();
        const double a = 3.0 + 1.25 * std::cos(v), b = 1.25;
        CATCH_CHECK(std::abs(s[0] - std::max(a, b)) < 1e-14);
        CATCH_CHECK(std::abs(s[1] - std::min(a, b)) < 1e-14);
        // the point lies on the torus: (sqrt(x² + y²) − R)² + z² = r²
        const Eigen::VectorXd w = t(z);
        CATCH_CHECK(std::abs(std::pow(std::hypot(w[0], w[1]) - 3.0, 2) + w[2] * w[2] - 1.25 * 1.25) < 1e-13);
    }
}

namespace {
le::mlp_generator<double> small_mlp(Eigen::Index n, Eigen::Index m, le::activation act, bool pixel_norm, double eps = 1e-8) {
    le::mlp_generator<double>::options o;
    o.hidden = act;
    o.pixel_norm_first = pixel_norm;
    o.pixel_norm_epsilon = eps;
    return le::mlp_generator<double>::random({n, 7, 9, m}, o, 11);
}
}  // namespace

CATCH_TEST_CASE("core: mlp_generator JVP, VJP and chain-product Jacobian agree with each other") {
    auto rng = lw::test::rng(2);
    for (auto act : {le::activation::tanh, le::activation::leaky_relu}) {
        for (auto [n, m] : {std::pair<Eigen::Index, Eigen::Index>{5, 12}, {12, 5}}) {
            const auto g = small_mlp(n, m, act, true);
            const Eigen::VectorXd z = lw::test::random_vector(n, rng);
            const Eigen::MatrixXd J = g.jacobian(z);  // forward chain when n ≤ m, backward otherwise
            Eigen::MatrixXd Jc(m, n), Jr(n, m);
            for (Eigen::Index j = 0; j < n; ++j) Jc.col(j) = g.jvp(z, Eigen::VectorXd::Unit(n, j));
            for (Eigen::Index i = 0; i < m; ++i) Jr.col(i) = g.vjp(z, Eigen::VectorXd::Unit(m, i));
            CATCH_CHECK((J - Jc).norm() <= 1e-13 * J.norm());
            CATCH_CHECK((J - Jr.transpose()).norm() <= 1e-13 * J.norm());
        }
    }
}

CATCH_TEST_CASE("core: mlp_generator derivatives match central differences") {
    auto rng = lw::test::rng(3);
    const auto g = small_mlp(6, 4, le::activation::tanh, true);
    const Eigen::VectorXd z = lw::test::random_vector(6, rng);
    const Eigen::MatrixXd Jfd = lw::jacobian(lw::finite_differences(g), z);
    // central differences with h = ε^(1/3) max(1, ‖z‖∞): error O(h²) ≈ 1e-10 relative
    CATCH_CHECK((Jfd - g.jacobian(z)).norm() <= 1e-8 * g.jacobian(z).norm());
}

CATCH_TEST_CASE("core: a PixelNorm-first MLP with epsilon 0 has J(cz) = J(z)/c") {
    auto rng = lw::test::rng(4);
    const auto g = small_mlp(8, 5, le::activation::leaky_relu, true, 0.0);
    const Eigen::VectorXd z = lw::test::random_vector(8, rng);
    for (double c : {0.25, 3.0, 40.0}) {
        const Eigen::VectorXd cz = c * z;
        CATCH_CHECK((g(cz) - g(z)).norm() <= 1e-13 * g(z).norm());
        CATCH_CHECK((g.jacobian(cz) * c - g.jacobian(z)).norm() <= 1e-13 * g.jacobian(z).norm());
    }
}

CATCH_TEST_CASE("core: the float instantiation of the models agrees with double to float precision") {
    le::mlp_generator<double>::options od;
    od.hidden = le::activation::tanh;
    od.pixel_norm_first = true;
    const auto gd = le::mlp_generator<double>::random({6, 10, 3}, od, 5);
    std::vector<le::mlp_generator<float>::layer> layers;
    for (const auto& L : gd.layers()) layers.push_back({L.weight.cast<float>(), L.bias.cast<float>()});
    le::mlp_generator<float>::options of;
    of.hidden = le::activation::tanh;
    of.pixel_norm_first = true;
    const le::mlp_generator<float> gf(layers, of);
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(6, -1.5, 2.0);
    const Eigen::MatrixXd Jd = lw::jacobian(gd, z);
    const Eigen::MatrixXd Jf = lw::jacobian(gf, Eigen::VectorXf(z.cast<float>())).cast<double>();
    CATCH_CHECK((Jd - Jf).norm() <= 1e-5 * Jd.norm());
    const le::sphere_embedding<float> sf(2.0f);
    Eigen::VectorXf zf(2);
    zf << 0.8f, -0.3f;
    CATCH_CHECK(lw::check_derivatives(sf, zf).passed());
    CATCH_CHECK(lw::check_derivatives(gf, Eigen::VectorXf(z.cast<float>())).passed());
}

CATCH_TEST_CASE("core: standard_gaussian matches the N(0, I) oracle and projects onto level sets") {
    const auto& o = lw::test::oracles()["gaussian_prior"];
    const Eigen::VectorXd z = lw::test::to_vector(o["standard_normal_logpdf"]["z"]);
    const le::standard_gaussian<double> p(4);
    CATCH_CHECK(lw::test::rel_diff(p.log_density(z), o["standard_normal_logpdf"]["reference_logpdf"].get<double>()) < 1e-15);
    CATCH_CHECK((p.score(z) - lw::test::to_vector(o["standard_normal_logpdf"]["reference_grad_logpdf"])).norm() == 0.0);
    const auto& ls = o["level_set_projection"];
    const double c = ls["target_logpdf_level_for_radius_2_in_d=4"].get<double>();
    const Eigen::VectorXd zp = p.project_to_level(lw::test::to_vector(ls["z"]), c);
    CATCH_CHECK((zp - lw::test::to_vector(ls["reference_projection_r*z/||z||"])).norm() < 1e-15);
    CATCH_CHECK(std::abs(p.log_density(zp) - c) < 1e-14);
    CATCH_CHECK(std::abs(p.level_radius(c) - ls["target_radius"].get<double>()) < 1e-15);
}
