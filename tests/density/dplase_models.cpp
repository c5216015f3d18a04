// density: the evaluation side of DP-LaSE's learned parts (learned_cdf_model, correction_network, the
// corrected walk), the non-Gaussian test prior iid_gaussian_mixture and the CDF distances, against
// closed forms and properties (Eigen backend).
#include <latentwalk/eigen.hpp>
#include <latentwalk/density/cdf_distance.hpp>
#include <latentwalk/density/corrected_walk.hpp>
#include <latentwalk/density/correction_network.hpp>
#include <latentwalk/density/iid_gaussian_mixture.hpp>
#include <latentwalk/density/learned_cdf_model.hpp>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;

namespace {

Eigen::VectorXd vec(std::initializer_list<double> v) {
    Eigen::VectorXd x(static_cast<Eigen::Index>(v.size()));
    Eigen::Index i = 0;
    for (double e : v) x[i++] = e;
    return x;
}

double log_sigmoid(double h) { return h >= 0 ? -std::log1p(std::exp(-h)) : h - std::log1p(std::exp(h)); }

/// F(x) = σ(c + αx + v tanh(w x + b)) on every coordinate (one shared unit).
lw::learned_cdf_weights one_unit(double alpha, double c, double v, double w, double b) {
    lw::learned_cdf_weights W;
    W.coordinates = 1;
    W.hidden = 1;
    W.input_weight = {w};
    W.input_bias = {b};
    W.output_weight = {v};
    W.linear_weight = {alpha};
    W.output_bias = {c};
    return W;
}

/// The bimodal test prior 0.3 N(−1.2, 0.5²) + 0.7 N(1, 0.7²) per coordinate.
lw::iid_gaussian_mixture<B> bimodal(long d) { return {d, {0.3, 0.7}, {-1.2, 1.0}, {0.5, 0.7}}; }

double mixture_pdf(double x) {
    auto g = [](double x, double m, double s) {
        const double u = (x - m) / s;
        return std::exp(-0.5 * u * u) / (s * std::sqrt(2 * std::numbers::pi));
    };
    return 0.3 * g(x, -1.2, 0.5) + 0.7 * g(x, 1.0, 0.7);
}

}  // namespace

CATCH_TEST_CASE("density: learned_cdf_model with a linear h is the logistic law in closed form") {
    // h = c + αx: F = σ(h), log F′ = log α + log σ(h) + log σ(−h), score = −α tanh(h/2).
    const double alpha = 1.7, c = -0.4;
    const lw::learned_cdf_model<B> F(Eigen::VectorXd::Zero(3), 3, one_unit(alpha, c, 0.0, 1.0, 0.0));
    const auto z = vec({-2.5, 0.3, 40.0});
    const auto cdf = F.cdf(z), lp = F.coordinate_log_densities(z), s = F.score(z), sl = F.slope(z);
    for (int i = 0; i < 3; ++i) {
        const double h = c + alpha * z[i];
        // F = (1 + tanh(h/2))/2 cancels where F is small (F = 0.0095 at z = -2.5): the seam's generic cwise_tanh
        // (from expm1, a few ulp) then carries ~5e-14 relative, so 1e-13 here; a formula error is far larger.
        CATCH_CHECK(cdf[i] == Catch::Approx(1 / (1 + std::exp(-h))).epsilon(1e-13));
        CATCH_CHECK(lp[i] == Catch::Approx(std::log(alpha) + log_sigmoid(h) + log_sigmoid(-h)).epsilon(1e-13));
        CATCH_CHECK(s[i] == Catch::Approx(-alpha * std::tanh(h / 2)).epsilon(1e-13));
        CATCH_CHECK(sl[i] == Catch::Approx(std::exp(lp[i])).epsilon(1e-12));
    }
    // Far in the tail (h = 67.6) the log-density stays finite and accurate: no overflow of e^h.
    CATCH_CHECK(std::isfinite(lp[2]));
    CATCH_CHECK(F.log_density(z) == Catch::Approx(lp.sum()).epsilon(1e-14));
    CATCH_CHECK(F.min_slope(z, -5, 5) == Catch::Approx(alpha));
}

CATCH_TEST_CASE("density: learned_cdf_model's slope and score are the derivatives of its cdf and log-density") {
    lw::learned_cdf_weights W;  // per-coordinate, two units
    W.coordinates = 2;
    W.hidden = 2;
    W.input_weight = {1.3, 0.6, 2.0, 0.8};
    W.input_bias = {0.2, -0.5, 0.1, 0.3};
    W.output_weight = {0.9, 0.4, 0.3, 1.1};
    W.linear_weight = {0.7, 1.2};
    W.output_bias = {0.1, -0.2};
    const lw::learned_cdf_model<B> F(Eigen::VectorXd::Zero(2), 2, W);
    CATCH_REQUIRE(F.min_slope(Eigen::VectorXd::Zero(2), -6, 6) > 0);
    const auto z = vec({0.35, -0.8});
    const double h = 1e-5;
    const auto sl = F.slope(z), sc = F.score(z);
    for (int i = 0; i < 2; ++i) {
        Eigen::VectorXd zp = z, zm = z;
        zp[i] += h;
        zm[i] -= h;
        CATCH_CHECK(sl[i] == Catch::Approx((F.cdf(zp)[i] - F.cdf(zm)[i]) / (2 * h)).epsilon(1e-8));
        CATCH_CHECK(sc[i] == Catch::Approx((F.log_density(zp) - F.log_density(zm)) / (2 * h)).epsilon(1e-7));
    }
    // F is a CDF: 0 and 1 in the tails, mass of F′ on a wide interval 1 (trapezoid rule).
    const auto far = vec({60, 60});
    CATCH_CHECK(F.cdf(far)[0] == Catch::Approx(1.0));
    CATCH_CHECK(F.cdf(-far)[1] == Catch::Approx(0.0).margin(1e-15));
    double mass = 0.0;
    const int n = 20000;
    for (int j = 0; j <= n; ++j) {
        const double x = -30 + 60.0 * j / n;
        mass += (j == 0 || j == n ? 0.5 : 1.0) * F.slope(vec({x, x}))[1] * 60.0 / n;
    }
    CATCH_CHECK(mass == Catch::Approx(1.0).epsilon(1e-8));
}

CATCH_TEST_CASE("density: learned_cdf_model reports where F is not increasing and refuses a score there") {
    // h = x − 3 tanh(x): h′(0) = −2 < 0.
    const lw::learned_cdf_model<B> F(Eigen::VectorXd::Zero(1), 1, one_unit(1.0, 0.0, -3.0, 1.0, 0.0));
    CATCH_CHECK(F.min_slope(Eigen::VectorXd::Zero(1), -1, 1) == Catch::Approx(-2.0));
    CATCH_CHECK(F.log_density(vec({0.0})) == -std::numeric_limits<double>::infinity());
    CATCH_CHECK(F.slope(vec({0.0}))[0] < 0);
    CATCH_CHECK_THROWS_AS(F.score(vec({0.0})), lw::invalid_argument_error);
    CATCH_CHECK_NOTHROW(F.score(vec({3.0})));  // h′(3) = 1 − 3 sech²(3) > 0
    auto bad = one_unit(1, 0, 1, 1, 0);
    bad.input_bias = {};
    CATCH_CHECK_THROWS_AS(lw::learned_cdf_model<B>(Eigen::VectorXd::Zero(1), 1, bad), lw::dimension_error);
    auto wrong_rows = one_unit(1, 0, 1, 1, 0);
    wrong_rows.coordinates = 3;
    CATCH_CHECK_THROWS_AS(lw::learned_cdf_model<B>(Eigen::VectorXd::Zero(2), 2, wrong_rows), lw::dimension_error);
    auto nan = one_unit(std::nan(""), 0, 1, 1, 0);
    CATCH_CHECK_THROWS_AS(lw::learned_cdf_model<B>(Eigen::VectorXd::Zero(1), 1, nan), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(F.log_density(vec({0.0, 1.0})), lw::dimension_error);
    static_assert(lw::DensityModel<lw::learned_cdf_model<B>>);
    static_assert(lw::DensityModel<lw::iid_gaussian_mixture<B>>);
}

CATCH_TEST_CASE("density: iid_gaussian_mixture's log-density, score and CDF equal their closed forms") {
    const auto p = bimodal(3);
    const auto z = vec({-1.1, 0.2, 2.4});
    double lp = 0.0;
    for (int i = 0; i < 3; ++i) lp += std::log(mixture_pdf(z[i]));
    CATCH_CHECK(p.log_density(z) == Catch::Approx(lp).epsilon(1e-14));
    const auto s = p.score(z);
    for (int i = 0; i < 3; ++i) {
        const double h = 1e-6;
        const double fd = (std::log(mixture_pdf(z[i] + h)) - std::log(mixture_pdf(z[i] - h))) / (2 * h);
        CATCH_CHECK(s[i] == Catch::Approx(fd).epsilon(1e-7));
    }
    // Far out (x = 40) the log-sum-exp keeps log q finite; the score is dominated by the wider component.
    const auto far = p.coordinate_log_densities(vec({40.0, -40.0, 0.0}));
    CATCH_CHECK(std::isfinite(far[0]));
    CATCH_CHECK(far[0] == Catch::Approx(std::log(0.7 / (0.7 * std::sqrt(2 * std::numbers::pi))) -
                                        0.5 * std::pow((40.0 - 1.0) / 0.7, 2)).epsilon(1e-12));
    // The CDF is the integral of the density (Simpson's rule on [−8, x]).
    for (double x : {-1.5, 0.0, 0.9, 2.5}) {
        const int n = 4000;
        const double a = -8.0, hh = (x - a) / n;
        double acc = mixture_pdf(a) + mixture_pdf(x);
        for (int j = 1; j < n; ++j) acc += (j % 2 ? 4.0 : 2.0) * mixture_pdf(a + j * hh);
        CATCH_CHECK(p.coordinate_cdf(x) == Catch::Approx(acc * hh / 3).epsilon(1e-11));
    }
    CATCH_CHECK_THROWS_AS((lw::iid_gaussian_mixture<B>(2, {0.5, 0.4}, {0, 1}, {1, 1})), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS((lw::iid_gaussian_mixture<B>(2, {0.5, 0.5}, {0, 1}, {1})), lw::dimension_error);
    CATCH_CHECK_THROWS_AS((lw::iid_gaussian_mixture<B>(2, {0.5, 0.5}, {0, 1}, {1, 0})), lw::invalid_argument_error);
}

CATCH_TEST_CASE("density: iid_gaussian_mixture's samples have its moments and pass a KS test against its CDF") {
    const auto p = bimodal(2);
    std::mt19937_64 rng(20211020);  // fixed: the bounds below are checked for this draw
    const int n = 20000;
    std::vector<double> x0, x1;
    for (int j = 0; j < n; ++j) {
        const auto z = p.sample(rng, Eigen::VectorXd::Zero(2));
        x0.push_back(z[0]);
        x1.push_back(z[1]);
    }
    const double mean = 0.3 * -1.2 + 0.7 * 1.0, second = 0.3 * (0.25 + 1.44) + 0.7 * (0.49 + 1.0);
    double m = 0, s2 = 0;
    for (double v : x0) m += v / n;
    for (double v : x0) s2 += (v - m) * (v - m) / (n - 1);
    const double var = second - mean * mean;
    CATCH_CHECK(std::abs(m - mean) < 4 * std::sqrt(var / n));
    CATCH_CHECK(std::abs(s2 - var) < 0.03 * var);
    const auto cdf = [&](double x) { return p.coordinate_cdf(x); };
    // 1 % critical value of D_n: 1.628/√n.
    CATCH_CHECK(lw::ks_statistic(x0, cdf) < 1.628 / std::sqrt(n));
    CATCH_CHECK(lw::ks_statistic(x1, cdf) < 1.628 / std::sqrt(n));
    // The KS statistic sees a wrong law: against N(0.4, 1) it is far above the critical value.
    CATCH_CHECK(lw::ks_statistic(x0, [](double x) { return lw::standard_normal_cdf(x - 0.4); }) > 10 / std::sqrt(n));
}

CATCH_TEST_CASE("density: ks_statistic, the truncated normal's CDF and max_cdf_error equal known values") {
    // scipy.stats.kstest([0.1, 0.4, 0.7], 'uniform').statistic = 0.3.
    CATCH_CHECK(lw::ks_statistic({0.7, 0.1, 0.4}, [](double x) { return x; }) == Catch::Approx(0.3).epsilon(1e-15));
    // (Φ(1) − Φ(−2))/(Φ(2) − Φ(−2)) (scipy).
    CATCH_CHECK(lw::truncated_normal_coordinate_cdf(2.0, 1.0) == Catch::Approx(0.857616386005453).epsilon(1e-13));
    CATCH_CHECK(lw::truncated_normal_coordinate_cdf(2.0, -2.5) == 0.0);
    CATCH_CHECK(lw::truncated_normal_coordinate_cdf(2.0, 2.5) == 1.0);
    // The logistic approximation σ(1.702 x) of Φ: max error 0.00948625092629618 on the 801-point grid of
    // [−4, 4] (numpy), attained at x = 0.57.
    const lw::learned_cdf_model<B> logistic(Eigen::VectorXd::Zero(2), 2, one_unit(1.702, 0.0, 0.0, 1.0, 0.0));
    const double e = lw::max_cdf_error(logistic, Eigen::VectorXd::Zero(2), lw::standard_normal_cdf, -4, 4, 801);
    CATCH_CHECK(e == Catch::Approx(0.00948625092629618).epsilon(1e-12));
    CATCH_CHECK_THROWS_AS(lw::ks_statistic({}, [](double x) { return x; }), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::ks_statistic({0.5}, [](double) { return 1.5; }), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::max_cdf_error(logistic, Eigen::VectorXd::Zero(2), lw::standard_normal_cdf, 1, 1),
                          lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::truncated_normal_coordinate_cdf(0.0, 1.0), lw::invalid_argument_error);
}

CATCH_TEST_CASE("density: correction_network computes its MLP in closed form and can be kept off the direction") {
    // d = 1: inputs [z₀, ε, γ]; one hidden unit a = tanh(0.5 z₀ − 0.25 ε + 2 γ + 0.1); C = 1.5 a − 0.2.
    lw::correction_network_weights W;
    W.orthogonal_to_direction = false;
    W.scale_by_step = false;
    W.layers = {{1, 3, {0.5, -0.25, 2.0}, {0.1}}, {1, 1, {1.5}, {-0.2}}};
    const lw::correction_network<B> C(Eigen::VectorXd::Zero(1), 1, W);
    const double z0 = 0.7, eps = 0.4, g = -0.3;
    CATCH_CHECK(C(vec({z0}), eps, vec({g}))[0] ==
                Catch::Approx(1.5 * std::tanh(0.5 * z0 - 0.25 * eps + 2 * g + 0.1) - 0.2).epsilon(1e-15));
    // d = 2, two hidden layers, projected off γ: ⟨C, γ⟩ = 0 and the γ-free part unchanged.
    lw::correction_network_weights V;
    V.scale_by_step = false;
    V.layers = {{3, 5, {0.1, 0.2, 0.3, -0.1, 0.4, 0.5, -0.3, 0.2, 0.1, 0.0, -0.2, 0.1, 0.6, 0.3, -0.4}, {0.0, 0.1, -0.1}},
                {2, 3, {0.7, -0.2, 0.5, 0.3, 0.9, -0.6}, {0.05, -0.05}},
                {2, 2, {1.0, 0.5, -0.5, 1.0}, {0.2, 0.1}}};
    const lw::correction_network<B> Cp(Eigen::VectorXd::Zero(2), 2, V);
    V.orthogonal_to_direction = false;
    const lw::correction_network<B> Cf(Eigen::VectorXd::Zero(2), 2, V);
    const auto zz = vec({0.3, -1.1}), gg = vec({0.6, 0.8});
    const auto cp = Cp(zz, 0.5, gg), cf = Cf(zz, 0.5, gg);
    CATCH_CHECK(std::abs(cp.dot(gg)) < 1e-15);
    CATCH_CHECK((cp - (cf - cf.dot(gg) * gg)).norm() < 1e-15);
    // By hand for the unprojected one.
    Eigen::VectorXd in(5);
    in << zz, 0.5, gg;
    Eigen::MatrixXd W1(3, 5), W2(2, 3), W3(2, 2);
    W1 << 0.1, 0.2, 0.3, -0.1, 0.4, 0.5, -0.3, 0.2, 0.1, 0.0, -0.2, 0.1, 0.6, 0.3, -0.4;
    W2 << 0.7, -0.2, 0.5, 0.3, 0.9, -0.6;
    W3 << 1.0, 0.5, -0.5, 1.0;
    const Eigen::VectorXd a1 = (W1 * in + vec({0.0, 0.1, -0.1})).array().tanh().matrix();
    const Eigen::VectorXd a2 = (W2 * a1 + vec({0.05, -0.05})).array().tanh().matrix();
    CATCH_CHECK((cf - (W3 * a2 + vec({0.2, 0.1}))).norm() < 1e-15);
    // scale_by_step (the default) multiplies by ε, so C vanishes at ε = 0.
    V.scale_by_step = true;
    const lw::correction_network<B> Cs(Eigen::VectorXd::Zero(2), 2, V);
    CATCH_CHECK((Cs(zz, 0.5, gg) - 0.5 * cf).norm() < 1e-15);
    CATCH_CHECK(Cs(zz, 0.0, gg).norm() == 0.0);
    auto short_layer = V;
    short_layer.layers[1].in = 4;
    CATCH_CHECK_THROWS_AS(lw::correction_network<B>(Eigen::VectorXd::Zero(2), 2, short_layer), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(Cp(vec({0.3}), 0.5, gg), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(Cp(zz, 0.5, vec({0.0, 0.0})), lw::invalid_argument_error);
}

CATCH_TEST_CASE("density: the corrected walk with the exact Gaussian correction keeps the level, without it drifts as the linear walk") {
    const lw::standard_gaussian<B> p(4);
    const auto z0 = vec({0.8, -0.3, 1.2, 0.1}), gamma = vec({0.1, 0.9, -0.2, 0.4}).normalized();
    // C = ‖z₀‖ (z₀ + tγ)/‖z₀ + tγ‖ − z₀ − tγ: eq. (6) reproduces eq. (2).
    const auto exact = [](const Eigen::VectorXd& z, double t, const Eigen::VectorXd& g) -> Eigen::VectorXd {
        const Eigen::VectorXd y = z + t * g;
        return z.norm() / y.norm() * y - y;
    };
    const auto none = [](const Eigen::VectorXd& z, double, const Eigen::VectorXd&) -> Eigen::VectorXd {
        return Eigen::VectorXd::Zero(z.size());
    };
    const auto corrected = lw::density_preserving_walk(p, z0, gamma, 10, 0.3, exact);
    const auto reference = lw::density_preserving_walk(p, z0, gamma, 10, 0.3);
    const auto linear = lw::density_preserving_walk(p, z0, gamma, 10, 0.3, none);
    CATCH_CHECK(corrected.max_level_drift < 1e-13);
    for (std::size_t j = 0; j < 11; ++j) CATCH_CHECK((corrected.points[j] - reference.points[j]).norm() < 1e-14);
    // The linear walk's drift in closed form: max_j ½ |‖z₀ + t_j γ‖² − ‖z₀‖²|.
    double drift = 0.0;
    for (int j = 1; j <= 10; ++j) drift = std::max(drift, 0.5 * std::abs((z0 + 0.3 * j * gamma).squaredNorm() - z0.squaredNorm()));
    CATCH_CHECK(linear.max_level_drift == Catch::Approx(drift).epsilon(1e-13));
    CATCH_CHECK(linear.max_level_drift > 1.0);
    // The iterated scheme with the exact correction stays on the level too.
    const auto iterated = lw::density_preserving_walk(p, z0, gamma, 10, 0.3, exact, {.scheme = lw::walk_scheme::iterated});
    CATCH_CHECK(iterated.max_level_drift < 1e-12);
    CATCH_CHECK(iterated.scheme == lw::walk_scheme::iterated);
    CATCH_CHECK_THROWS_AS(lw::density_preserving_walk(p, z0, Eigen::VectorXd::Zero(4), 3, 0.3, exact),
                          lw::invalid_argument_error);
    const auto nan_c = [](const Eigen::VectorXd& z, double, const Eigen::VectorXd&) -> Eigen::VectorXd {
        return Eigen::VectorXd::Constant(z.size(), std::nan(""));
    };
    CATCH_CHECK_THROWS_AS(lw::density_preserving_walk(p, z0, gamma, 3, 0.3, nan_c), lw::numerical_error);
}

CATCH_TEST_CASE("density: on the bimodal mixture a projecting correction keeps the level where the linear walk drifts") {
    const auto p = bimodal(3);
    const auto z0 = vec({-1.9, 2.1, 0.2}), gamma = vec({0.5, -0.7, 0.5}).normalized();  // level ≈ −6.1: reachable
    const double c0 = p.log_density(z0);
    const auto project = [&](const Eigen::VectorXd& z, double t, const Eigen::VectorXd& g) -> Eigen::VectorXd {
        const Eigen::VectorXd y = z + t * g;
        return lw::project_to_level_set(p, y, c0).point - y;
    };
    const auto none = [](const Eigen::VectorXd& z, double, const Eigen::VectorXd&) -> Eigen::VectorXd {
        return Eigen::VectorXd::Zero(z.size());
    };
    const auto projected = lw::density_preserving_walk(p, z0, gamma, 8, 0.2, project);
    const auto linear = lw::density_preserving_walk(p, z0, gamma, 8, 0.2, none);
    const auto iterated = lw::density_preserving_walk(p, z0, gamma, 8, 0.2);  // the core's walk: score-ray projections
    CATCH_CHECK(projected.max_level_drift < 1e-11);
    CATCH_CHECK(iterated.max_level_drift < 1e-11);
    CATCH_CHECK(linear.max_level_drift > 0.5);
}
