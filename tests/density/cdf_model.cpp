// density: the monotone CDF model (DP-LaSE's F) — monotonicity, normalisation, the fit, inverse CDF.
#include <latentwalk/eigen.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#ifdef LATENTWALK_TEST_HAVE_BOOST
#include <boost/math/quadrature/gauss_kronrod.hpp>
#endif

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;
using model_t = lw::monotone_cdf_model<B>;

namespace {

/// The two-component mixture 0.35 N(−1.5, 0.5²) + 0.65 N(1, 0.8²).
struct mixture {
    double w = 0.35, m1 = -1.5, s1 = 0.5, m2 = 1.0, s2 = 0.8;
    double cdf(double x) const {
        auto phi = [](double u) { return 0.5 * std::erfc(-u / std::numbers::sqrt2); };
        return w * phi((x - m1) / s1) + (1 - w) * phi((x - m2) / s2);
    }
    double pdf(double x) const {
        auto g = [](double u, double s) { return std::exp(-0.5 * u * u) / (s * std::sqrt(2 * std::numbers::pi)); };
        return w * g((x - m1) / s1, s1) + (1 - w) * g((x - m2) / s2, s2);
    }
    template <class Rng>
    double draw(Rng& rng) const {
        std::bernoulli_distribution first(w);
        std::normal_distribution<double> nd;
        return first(rng) ? m1 + s1 * nd(rng) : m2 + s2 * nd(rng);
    }
};

/// d×N samples: coordinate 0 from the mixture, coordinate 1 from N(0.5, 2²).
Eigen::MatrixXd samples(long n, std::uint64_t salt) {
    auto rng = lw::test::rng(salt);
    const mixture mix;
    std::normal_distribution<double> nd(0.5, 2.0);
    Eigen::MatrixXd S(2, n);
    for (long j = 0; j < n; ++j) {
        S(0, j) = mix.draw(rng);
        S(1, j) = nd(rng);
    }
    return S;
}

const model_t& fitted() {
    static const model_t m = model_t::fit(samples(20000, 71));
    return m;
}

Eigen::VectorXd at(double x0, double x1) { return Eigen::Vector2d(x0, x1); }

}  // namespace

CATCH_TEST_CASE("density: the fitted CDF is monotone everywhere, 0 and 1 outside the support, with F' >= v > 0") {
    const auto& m = fitted();
    const auto& rep = m.fit_report();
    CATCH_CHECK(rep.converged);
    CATCH_CHECK(rep.samples == 20000);
    CATCH_CHECK(rep.min_slope > 0.0);
    for (int i = 0; i < 2; ++i) {
        const double a = m.support_lower()[static_cast<std::size_t>(i)], b = m.support_upper()[static_cast<std::size_t>(i)];
        // 40001 points over [a − 1, b + 1], adjacent ones 2.5e-5 of the range apart, and 2000 consecutive
        // doubles at a knot: F never decreases, not even by rounding.
        double previous = -1.0, min_density = std::numeric_limits<double>::infinity();
        long decreases = 0;
        const int n = 40000;
        for (int k = 0; k <= n; ++k) {
            const double x = (a - 1.0) + (b - a + 2.0) * k / n;
            const Eigen::VectorXd z = i == 0 ? at(x, 0.0) : at(0.0, x);
            const double F = m.cdf(z)[i];
            if (F < previous) ++decreases;
            previous = F;
            if (x >= a && x <= b) min_density = std::min(min_density, std::exp(m.coordinate_log_densities(z)[i]));
        }
        double x = a + (b - a) * 17.0 / m.bins();
        for (int k = 0; k < 1000; ++k) x = std::nextafter(x, -1e300);
        previous = -1.0;
        for (int k = 0; k < 2000; ++k, x = std::nextafter(x, 1e300)) {
            const double F = m.cdf(i == 0 ? at(x, 0.0) : at(0.0, x))[i];
            if (F < previous) ++decreases;
            previous = F;
        }
        CATCH_CHECK(decreases == 0);
        CATCH_CHECK(min_density >= rep.min_slope * (1 - 1e-12));
        CATCH_CHECK(m.cdf(i == 0 ? at(a - 1.0, 0.0) : at(0.0, a - 1.0))[i] == 0.0);
        CATCH_CHECK(m.cdf(i == 0 ? at(a, 0.0) : at(0.0, a))[i] == 0.0);
        CATCH_CHECK(std::abs(m.cdf(i == 0 ? at(b + 1.0, 0.0) : at(0.0, b + 1.0))[i] - 1.0) <= 1e-14);
    }
    // Outside the support the density is 0: log p = −∞, and there is no score.
    const double below = m.support_lower()[0] - 0.1;
    CATCH_CHECK(m.log_density(at(below, 0.0)) == -std::numeric_limits<double>::infinity());
    CATCH_REQUIRE_THROWS_AS(m.score(at(below, 0.0)), lw::invalid_argument_error);
}

#ifdef LATENTWALK_TEST_HAVE_BOOST
CATCH_TEST_CASE("density: the CDF model's density integrates to 1 and F is its integral (Boost.Math Gauss-Kronrod)") {
    const auto& m = fitted();
    for (int i = 0; i < 2; ++i) {
        const auto ui = static_cast<std::size_t>(i);
        const double a = m.support_lower()[ui], b = m.support_upper()[ui];
        auto pdf = [&](double x) { return std::exp(m.coordinate_log_densities(i == 0 ? at(x, 0.0) : at(0.0, x))[i]); };
        // Piecewise linear between knots: Gauss–Kronrod on each bin is exact up to rounding.
        const int K = m.bins();
        double total = 0.0;
        std::vector<double> cumulative{0.0};
        for (int k = 0; k < K; ++k) {
            const double x0 = a + (b - a) * k / K, x1 = a + (b - a) * (k + 1) / K;
            total += boost::math::quadrature::gauss_kronrod<double, 15>::integrate(pdf, x0, x1, 0, 0);
            cumulative.push_back(total);
        }
        CATCH_CHECK(std::abs(total - 1.0) <= 1e-13);
        // F(x_k) equals the integral of the density up to the knot, and F(x) inside a bin as well.
        for (int k = 0; k <= K; k += 7) {
            const double xk = a + (b - a) * k / K;
            CATCH_CHECK(std::abs(m.cdf(i == 0 ? at(xk, 0.0) : at(0.0, xk))[i] - cumulative[static_cast<std::size_t>(k)]) <=
                        1e-13);
        }
        const double x = a + 0.37 * (b - a);
        const int kx = static_cast<int>(std::floor(0.37 * K));
        const double F = cumulative[static_cast<std::size_t>(kx)] +
                         boost::math::quadrature::gauss_kronrod<double, 15>::integrate(pdf, a + (b - a) * kx / K, x, 0, 0);
        CATCH_CHECK(std::abs(m.cdf(i == 0 ? at(x, 0.0) : at(0.0, x))[i] - F) <= 1e-13);
        // Tails outside the support carry no mass.
        CATCH_CHECK(pdf(a - 0.5) == 0.0);
        CATCH_CHECK(pdf(b + 0.5) == 0.0);
    }
}
#endif

CATCH_TEST_CASE("density: fitted to a two-component mixture, F is within the DKW bound plus discretization of the true CDF") {
    const auto& m = fitted();
    const mixture mix;
    const double N = 20000.0, alpha = 1e-6;
    const double dkw = std::sqrt(std::log(2.0 / alpha) / (2.0 * N));  // P(sup|F_N − F| > dkw) ≤ α
    // A piecewise-linear density on 48 bins of width h ≈ 0.19 misses the curvature of the narrow
    // component by at most h²|p″|/8 ≈ 0.006 in density, i.e. a few 1e-3 in F: bound 0.01.
    const double discretization = 0.01, bound = dkw + discretization;
    double ks = 0.0;
    for (int k = 0; k <= 4000; ++k) {
        const double x = -4.5 + 8.5 * k / 4000.0;
        ks = std::max(ks, std::abs(m.cdf(at(x, 0.0))[0] - mix.cdf(x)));
    }
    CATCH_CAPTURE(ks, bound);
    CATCH_CHECK(ks <= bound);
    // The likelihood is maximised: the fitted model explains the samples at least as well as the truth
    // up to the discretization (mean −log p of the truth on the same samples).
    const Eigen::MatrixXd S = samples(20000, 71);
    double true_nll = 0.0;
    for (long j = 0; j < S.cols(); ++j) {
        true_nll -= std::log(mix.pdf(S(0, j)));
        true_nll -= -0.5 * std::pow((S(1, j) - 0.5) / 2.0, 2) - std::log(2.0 * std::sqrt(2 * std::numbers::pi));
    }
    true_nll /= 2.0 * static_cast<double>(S.cols());
    CATCH_CHECK(m.fit_report().mean_negative_log_likelihood <= true_nll + 0.005);
    CATCH_CHECK(m.fit_report().mean_negative_log_likelihood >= true_nll - 0.05);
}

CATCH_TEST_CASE("density: inverse CDF, score and sampling of the CDF model are consistent") {
    const auto& m = fitted();
    for (double u0 : {0.0, 1e-9, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0}) {
        const Eigen::VectorXd u = at(u0, 1.0 - u0);
        const Eigen::VectorXd x = m.inverse_cdf(u);
        CATCH_CHECK((m.cdf(x) - u).cwiseAbs().maxCoeff() <= 1e-14);
    }
    // x → F → F⁻¹ round trip inside the support.
    const Eigen::VectorXd x = at(-1.234, 2.5);
    CATCH_CHECK((m.inverse_cdf(m.cdf(x)) - x).cwiseAbs().maxCoeff() <= 1e-12);
    // The score is the derivative of the log-density (central differences inside a bin).
    for (double x0 : {-2.01, -0.33, 0.9, 1.77}) {
        const Eigen::VectorXd z = at(x0, 0.41);
        const Eigen::VectorXd s = m.score(z);
        for (int i = 0; i < 2; ++i) {
            const double h = 1e-6;
            Eigen::VectorXd zp = z, zm = z;
            zp[i] += h;
            zm[i] -= h;
            CATCH_CHECK(std::abs((m.log_density(zp) - m.log_density(zm)) / (2 * h) - s[i]) <= 1e-6 * (1 + std::abs(s[i])));
        }
    }
    // The maximum log-density is attained (at knots) and never exceeded.
    double best = -std::numeric_limits<double>::infinity();
    double best0 = -std::numeric_limits<double>::infinity(), best1 = best0;
    for (int k = 0; k <= 4000; ++k) {
        const Eigen::VectorXd l = m.coordinate_log_densities(at(-4.0 + 8.0 * k / 4000.0, -6.0 + 13.0 * k / 4000.0));
        best0 = std::max(best0, l[0]);
        best1 = std::max(best1, l[1]);
    }
    best = best0 + best1;
    CATCH_CHECK(best <= m.max_log_density());
    CATCH_CHECK(best >= m.max_log_density() - 0.01);
    // Exact sampling by inversion: sample mean and variance of coordinate 1 match N(0.5, 4) loosely.
    auto rng = lw::test::rng(72);
    double sum = 0.0, sum2 = 0.0;
    const int n = 1000;
    for (int j = 0; j < n; ++j) {
        const double v = m.sample(rng, x)[1];
        sum += v;
        sum2 += v * v;
    }
    const double mean = sum / n, var = sum2 / n - mean * mean;
    CATCH_CHECK(std::abs(mean - 0.5) <= 5 * std::sqrt(4.0 / n) + 0.02);
    CATCH_CHECK(std::abs(var - 4.0) <= 5 * std::sqrt(2.0 * 16.0 / n) + 0.05);  // 5 standard errors
}

CATCH_TEST_CASE("density: projection and walks on the CDF model reach the level to 1e-12") {
    const auto& m = fitted();
    const Eigen::VectorXd z = at(-1.1, 1.3);
    const double c0 = m.log_density(z);
    for (double delta : {-1.0, -0.1, 0.1}) {
        const auto r = lw::project_to_level_set(m, z, c0 + delta);
        CATCH_CHECK(r.report.method == lw::level_projection_method::score_ray);
        CATCH_CHECK(std::abs(m.log_density(r.point) - (c0 + delta)) <= 1e-12 * std::max(1.0, std::abs(c0 + delta)));
    }
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(m, z, m.max_log_density() + 0.01), lw::invalid_argument_error);
    // Walking down far enough leaves the bounded support before the level is reached: reported.
    CATCH_REQUIRE_THROWS_AS(lw::project_to_level_set(m, z, c0 - 50.0), lw::numerical_error);
    const auto walk = lw::density_preserving_walk(m, z, Eigen::Vector2d(1.0, -1.0), 20, 0.05);
    CATCH_CHECK(walk.scheme == lw::walk_scheme::iterated);
    CATCH_CHECK(walk.max_level_drift <= 1e-12 * std::max(1.0, std::abs(c0)));
    CATCH_CHECK((walk.points.back() - z).norm() > 0.3);
}

CATCH_TEST_CASE("density: the CDF model shares one F across coordinates on request and rejects bad input") {
    lw::monotone_cdf_fit_options o;
    o.share_across_coordinates = true;
    o.bins = 16;
    const Eigen::MatrixXd S = samples(3000, 73);
    const auto shared = model_t::fit(S, o);
    CATCH_CHECK(shared.knot_densities(0) == shared.knot_densities(1));
    CATCH_CHECK(shared.support_lower()[0] == shared.support_lower()[1]);
    CATCH_CHECK(shared.bins() == 16);
    // A model from parameters: the uniform density on [0, 2] as 2 bins with knot values 1/2.
    const model_t flat(Eigen::VectorXd::Zero(1), {0.0}, {2.0}, {{0.5, 0.5, 0.5}});
    CATCH_CHECK(std::abs(flat.cdf(Eigen::VectorXd::Constant(1, 0.5))[0] - 0.25) <= 1e-16);
    CATCH_CHECK(std::abs(flat.log_density(Eigen::VectorXd::Constant(1, 1.3)) - std::log(0.5)) <= 1e-16);
    CATCH_REQUIRE_THROWS_AS(model_t(Eigen::VectorXd::Zero(1), {0.0}, {2.0}, {{0.5, 0.6, 0.5}}), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(model_t(Eigen::VectorXd::Zero(1), {0.0}, {2.0}, {{1.0, 0.0, 1.0}}), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(model_t(Eigen::VectorXd::Zero(1), {0.0, 1.0}, {2.0}, {{0.5, 0.5, 0.5}}), lw::dimension_error);
    // Fitting: a constant coordinate, too few samples, NaN, bad options.
    Eigen::MatrixXd constant = S;
    constant.row(1).setConstant(3.0);
    CATCH_REQUIRE_THROWS_AS(model_t::fit(constant), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(model_t::fit(Eigen::MatrixXd::Ones(2, 1)), lw::dimension_error);
    Eigen::MatrixXd with_nan = S;
    with_nan(0, 5) = std::numeric_limits<double>::quiet_NaN();
    CATCH_REQUIRE_THROWS_AS(model_t::fit(with_nan), lw::numerical_error);
    o = {};
    o.min_density_fraction = 0.0;
    CATCH_REQUIRE_THROWS_AS(model_t::fit(S, o), lw::invalid_argument_error);
    // Evaluation: u outside [0, 1], wrong lengths.
    CATCH_REQUIRE_THROWS_AS(flat.inverse_cdf(Eigen::VectorXd::Constant(1, 1.5)), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(flat.log_density(Eigen::VectorXd::Zero(2)), lw::dimension_error);
}
