// traversal: potential fields (linear, quadratic, RBF dipoles, the PDETraversal MLP) and their flows.
#include <cmath>
#include <vector>

#include "support/test_support.hpp"
#include "taylor.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

/// Taylor checks of every derivative a field offers, at (z, t) along a random direction.
template <class U>
void check_field_derivatives(const U& u, const Vec& z, double t, std::uint64_t salt) {
    auto rng = lw::test::rng(salt);
    Vec v = lw::test::random_vector(u.dim(), rng);
    v /= v.norm();
    const Vec g = u.gradient(z, t);
    CATCH_CHECK(lw::test::taylor_order([&](double h) {
        return std::abs(u.value(z + h * v, t) - u.value(z, t) - h * g.dot(v));
    }) >= 1.8);
    if constexpr (lw::ProvidesHessianVector<U>) {
        const Vec Hv = u.hessian_vector(z, t, v);
        CATCH_CHECK(lw::test::taylor_order([&](double h) {
            return (u.gradient(z + h * v, t) - g - h * Hv).norm();
        }) >= 1.8);
        // the Laplacian equals the trace assembled from d Hessian-vector products
        double tr = 0.0;
        for (Eigen::Index i = 0; i < u.dim(); ++i) tr += u.hessian_vector(z, t, Vec::Unit(u.dim(), i))[i];
        if constexpr (lw::ProvidesLaplacian<U>) CATCH_CHECK(u.laplacian(z, t) == Catch::Approx(tr).epsilon(1e-12).margin(1e-13));
    }
    if constexpr (lw::ProvidesTimeDerivative<U>) {
        const double ut = u.time_derivative(z, t);
        CATCH_CHECK(lw::test::taylor_order([&](double h) { return std::abs(u.value(z, t + h) - u.value(z, t) - h * ut); }) >= 1.8);
    }
    if constexpr (lw::ProvidesSecondTimeDerivative<U> && lw::ProvidesTimeDerivative<U>) {
        const double utt = u.second_time_derivative(z, t);
        CATCH_CHECK(lw::test::taylor_order([&](double h) {
            return std::abs(u.time_derivative(z, t + h) - u.time_derivative(z, t) - h * utt);
        }) >= 1.8);
    }
}

}  // namespace

CATCH_TEST_CASE("traversal: the paper's unit-step Euler flow of u = t a^T z moves by a T(T-1)/2") {
    const Vec a = (Vec(3) << 0.5, -1.0, 2.0).finished();
    const auto u = lw::linear_potential<B>::time_scaled(a);
    const Vec z0 = (Vec(3) << 0.1, 0.2, 0.3).finished();
    for (long long T : {1, 2, 5, 10}) {
        lw::potential_flow_options<B> o;
        o.ode.method = lw::ode_method::euler;
        o.ode.steps = T;
        o.ode.t1 = static_cast<double>(T);
        const auto sol = lw::potential_flow(u, z0, o);
        CATCH_CHECK((sol.path.back() - (z0 + a * (T * (T - 1) / 2.0))).norm() <= 1e-13);
        CATCH_CHECK(sol.function_evaluations == T + 1);
        o.direction = lw::flow_direction::descent;
        const auto back = lw::potential_flow(u, z0, o);
        CATCH_CHECK((back.path.back() - (z0 - a * (T * (T - 1) / 2.0))).norm() <= 1e-13);
    }
    // the continuous flow moves by a T²/2 instead; rk4 is exact on this quadratic-in-t motion
    lw::potential_flow_options<B> o;
    o.ode.method = lw::ode_method::rk4;
    o.ode.steps = 3;
    o.ode.t1 = 4.0;
    CATCH_CHECK((lw::potential_flow(u, z0, o).path.back() - (z0 + a * 8.0)).norm() <= 1e-13);
}

CATCH_TEST_CASE("traversal: a projection hook keeps a flow on the Gaussian level set") {
    // ascend u = a^T z from a point of norm 5, projecting back onto the sphere of radius 5 after
    // every step: the path stays on the sphere and approaches 5 a/|a| (the meridian flow's limit,
    // reached like exp(-|a| t / 5): about 1e-6 away at t = 80).
    const Vec a = (Vec(3) << 0.0, 0.0, 1.0).finished();
    const lw::linear_potential<B> u(a);
    const Vec z0 = (Vec(3) << 3.0, 4.0, 0.0).finished();
    for (auto method : {lw::ode_method::euler, lw::ode_method::rk4, lw::ode_method::dopri5}) {
        lw::potential_flow_options<B> o;
        o.ode.method = method;
        o.ode.steps = 400;
        o.ode.t1 = 80.0;
        o.ode.max_step = 0.2;  // dopri5: the unprojected flow is a translation, so bound the step
        // DP-LaSE's density-preserving step: back onto the prior's level set through z0
        const lw::standard_gaussian<B> prior(3);
        const double level = prior.log_density(z0);
        o.ode.projection = [&](const Vec& z, double) -> Vec { return prior.project_to_level(z, level); };
        const auto sol = lw::potential_flow(u, z0, o);
        double drift = 0.0;
        for (const auto& z : sol.path.points) drift = std::max(drift, std::abs(z.norm() - 5.0));
        CATCH_CHECK(drift <= 1e-12);
        CATCH_CHECK((sol.path.back() - 5.0 * a).norm() <= 1e-4);
    }
}

CATCH_TEST_CASE("traversal: quadratic and linear potentials have the closed-form derivatives") {
    auto rng = lw::test::rng(11);
    const Mat M = lw::test::random_matrix(4, 4, rng);
    const Mat A = M + M.transpose();
    const Vec b = lw::test::random_vector(4, rng), z = lw::test::random_vector(4, rng);
    const auto u = lw::quadratic_potential<B>(A, b).with_time(0.5, -1.5);
    check_field_derivatives(u, z, 0.7, 12);
    CATCH_CHECK(u.laplacian(z, 0.0) == Catch::Approx(A.trace()));
    CATCH_CHECK(u.value(z, 2.0) == Catch::Approx(0.5 * z.dot(A * z) + b.dot(z) + 0.5 * 2.0 - 0.75 * 4.0));
    check_field_derivatives(lw::linear_potential<B>(b, 0.25), z, 0.3, 13);
    check_field_derivatives(lw::linear_potential<B>::time_scaled(b), z, 0.3, 14);
    Mat N = A;
    N(0, 1) += 1.0;
    CATCH_CHECK_THROWS_AS(lw::quadratic_potential<B>(N, b), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::quadratic_potential<B>(A, Vec::Zero(3)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(u.gradient(Vec::Zero(3), 0.0), lw::dimension_error);
}

CATCH_TEST_CASE("traversal: RBF dipoles warp the space as in WarpedGANSpace") {
    auto rng = lw::test::rng(21);
    const Mat axes = lw::test::random_matrix(5, 2, rng);
    const auto u = lw::rbf_dipole_potential<B>::dipoles(axes, 1.5, 0.4, 2.0);
    CATCH_REQUIRE(u.centers().cols() == 4);
    const Vec z = 0.5 * lw::test::random_vector(5, rng);
    check_field_derivatives(u, z, 0.0, 22);
    // the value equals the defining sum, term by term
    double direct = 0.0;
    for (Eigen::Index i = 0; i < 4; ++i)
        direct += u.weights()[static_cast<std::size_t>(i)] * std::exp(-0.4 * (z - u.centers().col(i)).squaredNorm());
    CATCH_CHECK(u.value(z, 0.0) == Catch::Approx(direct).epsilon(1e-13));
    // at the origin a single dipole's gradient points at its positive pole
    const auto one = lw::rbf_dipole_potential<B>::dipoles(axes.col(0), 1.5, 0.4);
    const Vec g0 = one.gradient(Vec::Zero(5), 0.0);
    CATCH_CHECK(g0.normalized().dot(axes.col(0).normalized()) == Catch::Approx(1.0).epsilon(1e-12));
    // the normalized flow moves at unit speed: every Euler step has length eps
    lw::potential_flow_options<B> o;
    o.ode.method = lw::ode_method::euler;
    o.ode.steps = 8;
    o.ode.t1 = 0.8;
    o.normalize_gradient = true;
    o.record_potential = true;
    const auto sol = lw::potential_flow(one, Vec::Zero(5), o);
    for (std::size_t k = 1; k < sol.path.size(); ++k)
        CATCH_CHECK((sol.path.points[k] - sol.path.points[k - 1]).norm() == Catch::Approx(0.1).epsilon(1e-12));
    const auto& pot = sol.path.diagnostic("potential");
    CATCH_CHECK(pot.back() > pot.front());  // ascending the warp
    // a single bump has no direction at its centre
    const lw::rbf_dipole_potential<B> bump(axes.col(1), {1.0}, 0.4);
    CATCH_CHECK_THROWS_AS(bump.normalized_gradient(axes.col(1), 0.0), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::rbf_dipole_potential<B>(Mat::Zero(5, 2), {1.0}, 0.5), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::rbf_dipole_potential<B>::dipoles(axes, 1.0, -1.0), lw::invalid_argument_error);
}

CATCH_TEST_CASE("traversal: the PDETraversal MLP potential's analytic derivatives pass Taylor checks") {
    for (bool output_tanh : {true, false}) {
        le::mlp_potential<double>::options opts;
        opts.output_tanh = output_tanh;
        const auto u = le::mlp_potential<double>::random(6, opts, 31, 1.5);
        CATCH_CHECK(u.hidden() == 6);
        CATCH_CHECK(u.embedding() == 6);
        auto rng = lw::test::rng(32);
        const Vec z = lw::test::random_vector(6, rng);
        check_field_derivatives(u, z, 0.8, 33);
        check_field_derivatives(u, z, 3.0, 34);
        // a hidden width above d uses the other branch of the Laplacian (d < H: via J3) and below d the Gram form
        for (Eigen::Index H : {4, 9}) {
            le::mlp_potential<double>::options o2 = opts;
            o2.hidden = H;
            o2.embedding = 8;
            check_field_derivatives(le::mlp_potential<double>::random(6, o2, 35 + static_cast<std::uint64_t>(H), 1.5), z,
                                    1.3, 36);
        }
    }
}

CATCH_TEST_CASE("traversal: the MLP potential evaluates weights given as row-major arrays") {
    // d = 2, H = 2, E = 2 (ω = 1): a hand-computable network
    le::mlp_potential<double>::weights w;
    w.W_z = {1.0, 2.0, 0.0, -1.0};  // rows (1, 2) and (0, -1)
    w.b_z = {0.1, 0.0};
    w.W_t1 = {1.0, 0.0, 0.0, 1.0};
    w.b_t1 = {0.0, 0.0};
    w.W_t2 = {0.5, 0.0, 0.0, 0.5};
    w.b_t2 = {0.0, 0.0};
    w.W_f = {1.0, 0.0, 1.0, 1.0};
    w.b_f = {0.0, 0.2};
    w.w_out = {1.0, -2.0};
    w.b_out = 0.3;
    le::mlp_potential<double>::options o;
    o.output_tanh = false;
    const le::mlp_potential<double> u(2, w, o);
    const Vec z = (Vec(2) << 0.3, -0.4).finished();
    const double t = 0.7;
    auto gelu = [](double x) { return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0))); };
    const double h1a = std::tanh(1.0 * 0.3 + 2.0 * -0.4 + 0.1), h1b = std::tanh(0.4);
    const double pa = 0.5 * gelu(std::sin(t)), pb = 0.5 * gelu(std::cos(t));
    const double sa = h1a + pa, sb = h1b + pb;
    const double expected = std::tanh(sa) - 2.0 * std::tanh(sa + sb + 0.2) + 0.3;
    CATCH_CHECK(u.value(z, t) == Catch::Approx(expected).epsilon(1e-14));
    w.W_f.pop_back();
    CATCH_CHECK_THROWS_AS(le::mlp_potential<double>(2, w, o), lw::dimension_error);
    w.W_f.push_back(std::nan(""));
    CATCH_CHECK_THROWS_AS(le::mlp_potential<double>(2, w, o), lw::numerical_error);
}

CATCH_TEST_CASE("traversal: the MLP potential on backend tensors, and its one-pass terms(), equal the host-weight potential's members") {
    // The tensor route (mlp_potential_tensors: torch::potential_bank trains on it) and the host route
    // (row-major arrays) must be the same network: matrices built here from the row-major arrays by hand.
    auto rm = [](const std::vector<double>& a, Eigen::Index r, Eigen::Index c) {
        Mat M(r, c);
        for (Eigen::Index i = 0; i < r; ++i)
            for (Eigen::Index j = 0; j < c; ++j) M(i, j) = a[static_cast<std::size_t>(i * c + j)];
        return M;
    };
    auto vec = [](const std::vector<double>& a) { return Vec(Eigen::Map<const Vec>(a.data(), static_cast<Eigen::Index>(a.size()))); };
    for (Eigen::Index H : {4, 6, 9}) {  // d > H (the QR branch of the Laplacian), d = H, d < H
        CATCH_CAPTURE(H);
        le::mlp_potential<double>::options o;
        o.hidden = H;
        o.embedding = 8;
        const auto host = le::mlp_potential<double>::random(6, o, 40 + static_cast<std::uint64_t>(H), 1.5);
        const auto& w = host.host_weights();
        const lw::mlp_potential<B> tens(6, lw::mlp_potential_tensors<B>{rm(w.W_z, H, 6), rm(w.W_t1, H, 8), rm(w.W_t2, H, H),
                                                                        rm(w.W_f, H, H), vec(w.b_z), vec(w.b_t1), vec(w.b_t2),
                                                                        vec(w.b_f), vec(w.w_out), w.b_out});
        CATCH_CHECK(tens.hidden() == H);
        CATCH_CHECK(tens.embedding() == 8);
        auto rng = lw::test::rng(41);
        const Vec z = lw::test::random_vector(6, rng), v = lw::test::random_vector(6, rng);
        const double t = 1.7;
        lw::mlp_potential<B>::request all;
        all.second_time_derivative = true;
        all.laplacian = true;
        all.hessian_probe = v;
        const auto e = tens.terms(z, t, all);
        const auto close = [](double a, double b) { return std::abs(a - b) <= 1e-13 * std::max(1.0, std::abs(b)); };
        CATCH_CHECK(close(e.value, host.value(z, t)));
        CATCH_CHECK((e.gradient - host.gradient(z, t)).norm() <= 1e-13 * host.gradient(z, t).norm());
        CATCH_REQUIRE(e.u_tt.has_value());
        CATCH_CHECK(close(*e.u_tt, host.second_time_derivative(z, t)));
        CATCH_REQUIRE(e.laplacian.has_value());
        CATCH_CHECK(close(*e.laplacian, host.laplacian(z, t)));
        CATCH_REQUIRE(e.hessian_vector.has_value());
        CATCH_CHECK((*e.hessian_vector - host.hessian_vector(z, t, v)).norm() <= 1e-13 * host.hessian_vector(z, t, v).norm());
        const auto bare = tens.terms(z, t, {});  // only u and ∇u unless asked
        CATCH_CHECK(!bare.u_tt.has_value());
        CATCH_CHECK(!bare.laplacian.has_value());
        CATCH_CHECK(!bare.hessian_vector.has_value());
        CATCH_CHECK_THROWS_AS(tens.host_weights(), lw::invalid_argument_error);
        // refusals: a W_f of the wrong shape, NaN in a bias, widths that contradict the options, a bad probe
        CATCH_CHECK_THROWS_AS(lw::mlp_potential<B>(6, lw::mlp_potential_tensors<B>{rm(w.W_z, H, 6), rm(w.W_t1, H, 8), rm(w.W_t2, H, H),
                                                                                   Mat::Zero(H, H + 1), vec(w.b_z), vec(w.b_t1),
                                                                                   vec(w.b_t2), vec(w.b_f), vec(w.w_out), w.b_out}),
                              lw::dimension_error);
        Vec bad = vec(w.b_f);
        bad[0] = std::nan("");
        CATCH_CHECK_THROWS_AS(lw::mlp_potential<B>(6, lw::mlp_potential_tensors<B>{rm(w.W_z, H, 6), rm(w.W_t1, H, 8), rm(w.W_t2, H, H),
                                                                                   rm(w.W_f, H, H), vec(w.b_z), vec(w.b_t1), vec(w.b_t2),
                                                                                   bad, vec(w.w_out), w.b_out}),
                              lw::numerical_error);
        lw::mlp_potential<B>::options wrong;
        wrong.hidden = H + 1;
        CATCH_CHECK_THROWS_AS(lw::mlp_potential<B>(6, lw::mlp_potential_tensors<B>{rm(w.W_z, H, 6), rm(w.W_t1, H, 8), rm(w.W_t2, H, H),
                                                                                   rm(w.W_f, H, H), vec(w.b_z), vec(w.b_t1), vec(w.b_t2),
                                                                                   vec(w.b_f), vec(w.w_out), w.b_out},
                                                   wrong),
                              lw::invalid_argument_error);
        lw::mlp_potential<B>::request probe;
        probe.hessian_probe = Vec::Zero(5);
        CATCH_CHECK_THROWS_AS(tens.terms(z, t, probe), lw::dimension_error);
    }
}

CATCH_TEST_CASE("traversal: potential_flow rejects bad input and runs in single precision") {
    const lw::linear_potential<B> u(Vec::Ones(3));
    CATCH_CHECK_THROWS_AS(lw::potential_flow(u, Vec::Zero(2)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::potential_flow(u, Vec::Constant(3, std::nan(""))), lw::numerical_error);
    lw::potential_flow_options<B> o;
    o.normalize_gradient = true;
    const lw::linear_potential<B> flat(Vec::Zero(3));
    CATCH_CHECK_THROWS_AS(lw::potential_flow(flat, Vec::Zero(3), o), lw::numerical_error);
    const auto sol = lw::potential_flow(u, Vec::Zero(3));
    CATCH_CHECK_THROWS_AS(sol.path.diagnostic("potential"), lw::invalid_argument_error);

    // float: the Gaussian score flow dz/dt = -z and the MLP potential's derivatives
    using BF = le::backend<float>;
    const lw::quadratic_potential<BF> q(Eigen::MatrixXf::Identity(2, 2), Eigen::VectorXf::Zero(2));
    lw::potential_flow_options<BF> fo;
    fo.direction = lw::flow_direction::descent;
    fo.ode.rtol = 1e-6;
    fo.ode.atol = 1e-7;
    const Eigen::VectorXf z0 = (Eigen::VectorXf(2) << 3.0f, -4.0f).finished();
    const auto fs = lw::potential_flow(q, z0, fo);
    CATCH_CHECK((fs.path.back() - z0 * std::exp(-1.0f)).norm() <= 1e-5f);
    const auto mf = le::mlp_potential<float>::random(6, {}, 5);
    const auto md = le::mlp_potential<double>::random(6, {}, 5);
    const Eigen::VectorXf zf = Eigen::VectorXf::LinSpaced(6, -1.0f, 1.0f);
    CATCH_CHECK(mf.laplacian(zf, 0.5f) == Catch::Approx(md.laplacian(zf.cast<double>(), 0.5)).epsilon(1e-4).margin(1e-5));
    CATCH_CHECK((mf.gradient(zf, 0.5f).cast<double>() - md.gradient(zf.cast<double>(), 0.5)).norm() <= 1e-5);
    const auto cf = lw::curve_traversal(le::sphere_embedding<float>(1.0f), (Eigen::VectorXf(2) << 0.9f, 0.4f).finished(), 0, 10, 0.05);
    for (const auto& w : cf.outputs) CATCH_CHECK(std::abs(w.norm() - 1.0f) <= 1e-5f);
}
