// pde: Laplacians (exact, Hutchinson, Hessian row sums), the wave residual and the losses of Song et al.
#include <cmath>
#include <limits>
#include <vector>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;
using lw::test::oracles;
using lw::test::to_matrix;
using lw::test::to_vector;

/// The oracle's model f(x) = Σ_j w2_j tanh(W1 x + b1)_j: value, gradient and Hessian-vector
/// product only, so the library has to derive the Laplacian from d products.
struct tanh_ridge {
    using backend = B;
    Mat W1;
    Vec b1, w2;
    Eigen::Index dim() const { return W1.cols(); }
    double value(const Vec& x, double) const { return w2.dot((W1 * x + b1).array().tanh().matrix()); }
    Vec gradient(const Vec& x, double) const {
        const Vec h = (W1 * x + b1).array().tanh().matrix();
        return W1.transpose() * w2.cwiseProduct((1.0 - h.array().square()).matrix());
    }
    Vec hessian_vector(const Vec& x, double, const Vec& v) const {
        const Vec h = (W1 * x + b1).array().tanh().matrix();
        const Vec s2 = (-2.0 * h.array() * (1.0 - h.array().square())).matrix();
        return W1.transpose() * w2.cwiseProduct(s2).cwiseProduct(W1 * v);
    }
};

/// u = sin(kᵀz − c‖k‖t): a plane wave, an exact solution of u_tt = c² Δu.
struct plane_wave {
    using backend = B;
    Vec k;
    double c;
    Eigen::Index dim() const { return k.size(); }
    double phase(const Vec& z, double t) const { return k.dot(z) - c * k.norm() * t; }
    double value(const Vec& z, double t) const { return std::sin(phase(z, t)); }
    Vec gradient(const Vec& z, double t) const { return std::cos(phase(z, t)) * k; }
    Vec hessian_vector(const Vec& z, double t, const Vec& v) const { return -std::sin(phase(z, t)) * k.dot(v) * k; }
    double second_time_derivative(const Vec& z, double t) const {
        return -c * c * k.squaredNorm() * std::sin(phase(z, t));
    }
};

/// u = exp(−κ‖k‖²t) sin(kᵀz): a solution of the heat equation u_t = κ Δu.
struct heat_mode {
    using backend = B;
    Vec k;
    double kappa;
    Eigen::Index dim() const { return k.size(); }
    double decay(double t) const { return std::exp(-kappa * k.squaredNorm() * t); }
    double value(const Vec& z, double t) const { return decay(t) * std::sin(k.dot(z)); }
    Vec gradient(const Vec& z, double t) const { return decay(t) * std::cos(k.dot(z)) * k; }
    double time_derivative(const Vec& z, double t) const { return -kappa * k.squaredNorm() * value(z, t); }
    Vec hessian_vector(const Vec& z, double t, const Vec& v) const { return -decay(t) * std::sin(k.dot(z)) * k.dot(v) * k; }
};

Mat hadamard(Eigen::Index n) {  // Sylvester construction, n a power of two
    Mat H = Mat::Ones(1, 1);
    while (H.rows() < n) {
        Mat G(2 * H.rows(), 2 * H.rows());
        G << H, H, H, -H;
        H = G;
    }
    return H;
}

}  // namespace

CATCH_TEST_CASE("pde: the laplacian_hutchinson oracle: gradient, HVP, Laplacian and Hadamard probes") {
    const auto& o = oracles().at("laplacian_hutchinson");
    const tanh_ridge u{to_matrix(o.at("W1")), to_vector(o.at("b1")), to_vector(o.at("w2"))};
    const Vec x = to_vector(o.at("x0"));
    CATCH_CHECK(u.value(x, 0.0) == Catch::Approx(o.at("reference_f").get<double>()).epsilon(1e-14));
    CATCH_CHECK((u.gradient(x, 0.0) - to_vector(o.at("reference_grad"))).norm() <= 1e-14);
    CATCH_CHECK((u.hessian_vector(x, 0.0, to_vector(o.at("hvp_vector"))) -
                 to_vector(o.at("reference_hessian_vector_product")))
                    .norm() <= 1e-14);
    const double trace = o.at("reference_laplacian").get<double>();
    CATCH_CHECK(lw::laplacian(u, x, 0.0) == Catch::Approx(trace).epsilon(1e-14));

    // the four Hadamard rows: Σ v vᵀ = 4 I, so their mean is the exact trace
    const Mat probes = to_matrix(o.at("rademacher_probes_hadamard_rows")).transpose();
    const auto est = lw::hutchinson_laplacian(u, x, 0.0, probes);
    const Vec forms = to_vector(o.at("reference_probe_quadratic_forms_v^T H v"));
    CATCH_REQUIRE(est.samples.size() == 4);
    for (std::size_t k = 0; k < 4; ++k) CATCH_CHECK(est.samples[k] == Catch::Approx(forms[static_cast<Eigen::Index>(k)]).epsilon(1e-14));
    CATCH_CHECK(est.value == Catch::Approx(o.at("reference_mean_of_4_hadamard_probes_equals_trace").get<double>()).epsilon(1e-14));

    // random probes: unbiased, with the single-probe variances of the oracle
    const std::pair<lw::probe_distribution, const char*> kinds[] = {
        {lw::probe_distribution::rademacher, "hutchinson_single_probe_variance_rademacher_2(||H||_F^2-sum H_ii^2)"},
        {lw::probe_distribution::gaussian, "hutchinson_single_probe_variance_gaussian_2||H||_F^2"}};
    for (const auto& [kind, key] : kinds) {
        lw::hutchinson_options opts;
        opts.distribution = kind;
        opts.probes = 20000;
        opts.seed = lw::test::seed() + 7;
        const auto r = lw::hutchinson_laplacian(u, x, 0.0, opts);
        CATCH_CHECK(std::abs(r.value - trace) <= 5 * r.standard_error);
        const double var = r.standard_error * r.standard_error * static_cast<double>(opts.probes);
        CATCH_CHECK(var == Catch::Approx(o.at(key).get<double>()).epsilon(0.06));
    }
    // the released code's H·1 is the Hessian's row sums
    const Mat H = to_matrix(o.at("reference_hessian"));
    CATCH_CHECK((lw::hessian_row_sum(u, x, 0.0) - H.rowwise().sum()).norm() <= 1e-14);
}

CATCH_TEST_CASE("pde: u = t a^T z has zero wave and initial-condition losses") {
    const Vec a = (Vec(4) << 1.0, -2.0, 0.5, 3.0).finished();
    const auto u = lw::linear_potential<B>::time_scaled(a);
    lw::potential_flow_options<B> o;
    o.ode.method = lw::ode_method::euler;
    o.ode.steps = 6;
    o.ode.t1 = 6.0;
    const Vec z0 = Vec::LinSpaced(4, -1.0, 1.0);
    const auto sol = lw::potential_flow(u, z0, o);
    for (auto mode : {lw::laplacian_mode::trace, lw::laplacian_mode::hessian_row_sum})
        CATCH_CHECK(lw::wave_loss(u, sol.path, 1.3, mode) == 0.0);
    CATCH_CHECK(lw::initial_condition_loss(u, z0) == 0.0);
    // the additive form a^T z + b t starts moving at once: L_u = ‖a‖²
    CATCH_CHECK(lw::initial_condition_loss(lw::linear_potential<B>(a, 2.0), z0) == Catch::Approx(a.squaredNorm()));
}

CATCH_TEST_CASE("pde: u = |z|^2/2 + c^2 d t^2/2 separates the trace from the Hessian row sum") {
    for (Eigen::Index d : {1, 3, 8}) {
        const double c = 0.7;
        const auto u = lw::quadratic_potential<B>(Mat::Identity(d, d), Vec::Zero(d)).with_time(0.0, c * c * static_cast<double>(d));
        const Vec z = Vec::LinSpaced(d, -0.5, 2.0);
        const Vec trace_res = lw::wave_residual(u, z, 0.4, c, lw::laplacian_mode::trace);
        CATCH_REQUIRE(trace_res.size() == 1);
        CATCH_CHECK(std::abs(trace_res[0]) <= 1e-14);
        const Vec row_res = lw::wave_residual(u, z, 0.4, c, lw::laplacian_mode::hessian_row_sum);
        CATCH_REQUIRE(row_res.size() == d);
        for (Eigen::Index i = 0; i < d; ++i)
            CATCH_CHECK(row_res[i] == Catch::Approx(c * c * static_cast<double>(d - 1)).margin(1e-14));
        const std::vector<Vec> pts{z, 2 * z};
        CATCH_CHECK(lw::wave_loss(u, pts, {0.0, 1.0}, c, lw::laplacian_mode::hessian_row_sum) ==
                    Catch::Approx(static_cast<double>(d) * std::pow(c * c * static_cast<double>(d - 1), 2)).margin(1e-14));
    }
}

CATCH_TEST_CASE("pde: a plane wave passes the trace-mode wave equation and fails the row-sum mode") {
    auto rng = lw::test::rng(71);
    const plane_wave u{lw::test::random_vector(5, rng), 1.7};
    std::vector<Vec> pts;
    std::vector<double> ts;
    for (int i = 0; i < 10; ++i) {
        pts.push_back(lw::test::random_vector(5, rng));
        ts.push_back(0.3 * i);
        CATCH_CHECK(std::abs(lw::wave_residual(u, pts.back(), ts.back(), u.c)[0]) <= 1e-12);
    }
    CATCH_CHECK(lw::wave_loss(u, pts, ts, u.c) <= 1e-24);
    CATCH_CHECK(lw::wave_loss(u, pts, ts, u.c, lw::laplacian_mode::hessian_row_sum) > 1e-2);
    // the wrong wave speed is caught
    CATCH_CHECK(lw::wave_loss(u, pts, ts, 1.2 * u.c) > 1e-2);
}

CATCH_TEST_CASE("pde: a decaying Fourier mode solves the heat equation in trace mode") {
    auto rng = lw::test::rng(75);
    const heat_mode u{lw::test::random_vector(4, rng), 0.3};
    for (int i = 0; i < 5; ++i) {
        const Vec z = lw::test::random_vector(4, rng);
        CATCH_CHECK(std::abs(lw::heat_residual(u, z, 0.2 * i, u.kappa)[0]) <= 1e-13);
        const Vec rows = lw::heat_residual(u, z, 0.2 * i, u.kappa, lw::laplacian_mode::hessian_row_sum);
        CATCH_CHECK(rows.size() == 4);
    }
    CATCH_CHECK(std::abs(lw::heat_residual(u, Vec::Constant(4, 0.4), 0.5, 2 * u.kappa)[0]) > 1e-3);
    // the quadratic u = |z|²/2 + d κ t: trace residual 0, row sums κ(d − 1)
    const auto q = lw::quadratic_potential<B>(Mat::Identity(3, 3), Vec::Zero(3)).with_time(3 * 0.5, 0.0);
    CATCH_CHECK(std::abs(lw::heat_residual(q, Vec::Ones(3), 1.0, 0.5)[0]) <= 1e-15);
    CATCH_CHECK(lw::heat_residual(q, Vec::Ones(3), 1.0, 0.5, lw::laplacian_mode::hessian_row_sum)[1] == Catch::Approx(1.0));
    CATCH_CHECK_THROWS_AS(lw::heat_residual(q, Vec::Ones(3), 1.0, std::nan("")), lw::numerical_error);
}

CATCH_TEST_CASE("pde: the Jacobian regularizer is -|J_G grad u|^2") {
    auto rng = lw::test::rng(81);
    const Mat A = lw::test::random_matrix(7, 4, rng);
    const le::linear_generator<double> g(A);
    const Vec a = lw::test::random_vector(4, rng), z = lw::test::random_vector(4, rng);
    const auto u = lw::linear_potential<B>::time_scaled(a);
    CATCH_CHECK(lw::jacobian_regularizer(g, u, z, 2.5) == Catch::Approx(-(A * (2.5 * a)).squaredNorm()).epsilon(1e-14));
    // with the MLP potential: the generator's JVP of the analytic gradient
    const auto m = le::mlp_potential<double>::random(4, {}, 82);
    CATCH_CHECK(lw::jacobian_regularizer(g, m, z, 1.0) == Catch::Approx(-(A * m.gradient(z, 1.0)).squaredNorm()).epsilon(1e-14));
    const auto u5 = lw::linear_potential<B>(Vec::Ones(5));
    CATCH_CHECK_THROWS_AS(lw::jacobian_regularizer(g, u5, z, 0.0), lw::dimension_error);
}

CATCH_TEST_CASE("pde: the MLP potential's forward Laplacian drives the wave residual") {
    const auto u = le::mlp_potential<double>::random(8, {}, 91, 1.5);
    auto rng = lw::test::rng(92);
    const Vec z = lw::test::random_vector(8, rng);
    const double t = 1.7, c = 0.9;
    // 8 Sylvester–Hadamard probes: Σ v vᵀ = 8 I, so Hutchinson's mean is the exact trace
    const auto est = lw::hutchinson_laplacian(u, z, t, hadamard(8));
    CATCH_CHECK(est.value == Catch::Approx(u.laplacian(z, t)).epsilon(1e-12));
    const double expected = u.second_time_derivative(z, t) - c * c * u.laplacian(z, t);
    CATCH_CHECK(lw::wave_residual(u, z, t, c)[0] == Catch::Approx(expected).epsilon(1e-14));
    const Vec rows = lw::wave_residual(u, z, t, c, lw::laplacian_mode::hessian_row_sum);
    CATCH_CHECK((rows - (Vec::Constant(8, u.second_time_derivative(z, t)) - c * c * u.hessian_vector(z, t, Vec::Ones(8))))
                    .norm() <= 1e-14);
}

CATCH_TEST_CASE("pde: the PDE functions reject bad input") {
    const auto u = lw::quadratic_potential<B>(Mat::Identity(3, 3), Vec::Zero(3)).with_time(0.0, 1.0);
    const Vec z = Vec::Ones(3);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CATCH_CHECK_THROWS_AS(lw::wave_residual(u, Vec::Ones(2), 0.0, 1.0), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::wave_residual(u, z, nan, 1.0), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::wave_residual(u, z, 0.0, nan), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::wave_residual(u, (Vec(3) << 1.0, nan, 0.0).finished(), 0.0, 1.0), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::wave_loss(u, std::vector<Vec>{z, z}, std::vector<double>{0.0}, 1.0), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::wave_loss(u, std::vector<Vec>{}, std::vector<double>{}, 1.0), lw::invalid_argument_error);
    lw::hutchinson_options h;
    h.probes = 0;
    CATCH_CHECK_THROWS_AS(lw::hutchinson_laplacian(u, z, 0.0, h), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::hutchinson_laplacian(u, z, 0.0, Mat::Ones(2, 4)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::initial_condition_loss(u, Vec::Ones(4)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::laplacian(u, Vec::Ones(4), 0.0), lw::dimension_error);
}
