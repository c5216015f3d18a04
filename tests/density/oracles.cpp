// density: the gaussian_prior section of tests/data/oracles.json (mpmath references), to relative 1e-13.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <string>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using lw::test::rel_diff;
using B = le::backend<double>;

namespace {
const nlohmann::json& prior() { return lw::test::oracles().at("gaussian_prior"); }
constexpr double tol = 1e-13;
}  // namespace

#ifdef LATENTWALK_TEST_HAVE_BOOST
CATCH_TEST_CASE("density: chi statistics of the norm match the oracles for every d up to 16384") {
    int dims_checked = 0;
    for (const auto& [key, v] : prior().at("chi_distribution_of_||z||").items()) {
        const long long d = std::stoll(key.substr(2));
        CATCH_CAPTURE(d);
        const le::chi_statistics chi(d);
        CATCH_CHECK(rel_diff(chi.mean(), v.at("mean_norm").get<double>()) <= tol);
        CATCH_CHECK(rel_diff(chi.variance(), v.at("var_norm").get<double>()) <= tol);
        CATCH_CHECK(rel_diff(chi.standard_deviation(), v.at("std_norm").get<double>()) <= tol);
        CATCH_CHECK(std::abs(chi.mode() - v.at("mode_sqrt(d-1)").get<double>()) <= tol * std::max(1.0, chi.mode()));
        CATCH_CHECK(rel_diff(chi.median(), v.at("median_norm").get<double>()) <= tol);
        const double r = std::sqrt(static_cast<double>(d));
        CATCH_CHECK(rel_diff(chi.cdf(r), v.at("cdf_at_sqrt(d)").get<double>()) <= tol);
        CATCH_CHECK(rel_diff(chi.survival(r), 1.0 - v.at("cdf_at_sqrt(d)").get<double>()) <= 1e-12);
        CATCH_CHECK(rel_diff(chi.log_pdf(r), v.at("chi_logpdf_at_r=sqrt(d)").get<double>()) <= tol);
        CATCH_CHECK(rel_diff(chi.sqrt_d_minus_mean(), v.at("sqrt(d)-mean").get<double>()) <= tol);
        // The quantile inverts the CDF.
        for (double p : {1e-6, 0.1, 0.5, 0.9, 1.0 - 1e-6}) CATCH_CHECK(std::abs(chi.cdf(chi.quantile(p)) - p) <= 1e-14);
        ++dims_checked;
    }
    CATCH_CHECK(dims_checked == 8);
}

CATCH_TEST_CASE("density: chi statistics are smooth across the series threshold and reject bad input") {
    // d = 19 uses the direct difference, d = 20 the series; both agree with the other formula to 1e-13.
    for (long long d : {18LL, 19LL, 20LL, 21LL, 40LL}) {
        const le::chi_statistics chi(d);
        const double direct = static_cast<double>(d) - chi.mean() * chi.mean();
        CATCH_CHECK(std::abs(chi.variance() - direct) <= 1e-13 * static_cast<double>(d));
    }
    // Far beyond the oracles the variance keeps its digits: Var = 1/2 − 1/(8d) − 1/(16d²) + O(d⁻³) and
    // E‖z‖ = √d (1 − 1/(4d) + 1/(32d²) + O(d⁻³)). (The plain d − μ² with a correctly rounded μ is off by
    // ~7e-12 relative at d = 16384 and ~3e-10 at d = 10⁶.)
    for (double d : {1e6, 1e8, 1e12}) {
        const le::chi_statistics chi(static_cast<long long>(d));
        CATCH_CHECK(std::abs(chi.variance() - (0.5 - 1.0 / (8 * d) - 1.0 / (16 * d * d))) <= 2e-16);
        CATCH_CHECK(rel_diff(chi.mean(), std::sqrt(d) * (1.0 - 1.0 / (4 * d) + 1.0 / (32 * d * d))) <= 2e-16);
    }
    CATCH_REQUIRE_THROWS_AS(le::chi_statistics(0), lw::invalid_argument_error);
    const le::chi_statistics chi(8);
    CATCH_REQUIRE_THROWS_AS(chi.quantile(1.0), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(chi.quantile(-0.1), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(chi.log_pdf(-1.0), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(chi.cdf(std::nan("")), lw::numerical_error);
    CATCH_CHECK(chi.cdf(0.0) == 0.0);
}
#endif

CATCH_TEST_CASE("density: N(0, I) log-density and score match the oracle, and log p at norm sqrt(d) for every d") {
    const auto& o = prior().at("standard_normal_logpdf");
    const Eigen::VectorXd z = lw::test::to_vector(o.at("z"));
    const lw::standard_gaussian<B> p(4);
    CATCH_CHECK(rel_diff(p.log_density(z), o.at("reference_logpdf").get<double>()) <= tol);
    const Eigen::VectorXd g = lw::test::to_vector(o.at("reference_grad_logpdf"));
    CATCH_CHECK((p.score(z) - g).cwiseAbs().maxCoeff() <= tol);
    for (const auto& [key, v] : prior().at("chi_distribution_of_||z||").items()) {
        const long long d = std::stoll(key.substr(2));
        const lw::standard_gaussian<B> pd(d);
        CATCH_CHECK(rel_diff(pd.log_density(Eigen::VectorXd::Ones(d)), v.at("gauss_logpdf_at_norm_sqrt(d)").get<double>()) <=
                    tol);
        // The same through a diagonal Gaussian with μ = 0, σ = 1.
        const lw::diagonal_gaussian<B> q(Eigen::VectorXd::Zero(d), Eigen::VectorXd::Ones(d));
        CATCH_CHECK(rel_diff(q.log_density(Eigen::VectorXd::Ones(d)), v.at("gauss_logpdf_at_norm_sqrt(d)").get<double>()) <=
                    tol);
    }
}

CATCH_TEST_CASE("density: truncated normal at tau = 2 matches the oracle (BigGAN resampling convention)") {
    const auto& o = prior().at("truncated_normal_tau2");
    const double tau = o.at("tau").get<double>();
    const lw::truncated_normal<B> p1(1, tau);
    CATCH_CHECK(rel_diff(p1.normalizer(), o.at("normalizer_Z=erf(tau/sqrt2)").get<double>()) <= tol);
    CATCH_CHECK(rel_diff(p1.coordinate_variance(), o.at("variance_1-2 tau phi(tau)/Z").get<double>()) <= tol);
    CATCH_CHECK(rel_diff(p1.log_density(Eigen::VectorXd::Constant(1, 0.5)), o.at("logpdf_1d_at_x=0.5").get<double>()) <=
                tol);
    const Eigen::VectorXd z = lw::test::to_vector(o.at("z_for_4d"));  // one coordinate sits on the edge τ = 2
    const lw::truncated_normal<B> p4(4, tau);
    CATCH_CHECK(rel_diff(p4.log_density(z), o.at("logpdf_4d_at_z").get<double>()) <= tol);
    CATCH_CHECK((p4.score(z) + z).norm() == 0.0);
    // Outside the box: log p = −∞ and no score.
    Eigen::VectorXd out = z;
    out[2] = std::nextafter(tau, 3.0);
    CATCH_CHECK(p4.log_density(out) == -std::numeric_limits<double>::infinity());
    CATCH_REQUIRE_THROWS_AS(p4.score(out), lw::invalid_argument_error);
    // Resampled draws stay in the box and have the oracle's variance (5 standard errors).
    auto rng = lw::test::rng(61);
    const lw::truncated_normal<B> p(64, tau);
    double sum2 = 0, sum4 = 0;
    const int draws = 400;
    for (int i = 0; i < draws; ++i) {
        const Eigen::VectorXd x = p.sample(rng, z);
        CATCH_REQUIRE(x.cwiseAbs().maxCoeff() <= tau);
        sum2 += x.squaredNorm();
        sum4 += x.array().pow(4).sum();
    }
    const double n = 64.0 * draws, m2 = sum2 / n, se = std::sqrt((sum4 / n - m2 * m2) / n);
    CATCH_CHECK(std::abs(m2 - o.at("variance_1-2 tau phi(tau)/Z").get<double>()) <= 5 * se);
}

CATCH_TEST_CASE("density: level-set projection matches the oracle, closed form and score-ray root finding alike") {
    const auto& o = prior().at("level_set_projection");
    const Eigen::VectorXd z = lw::test::to_vector(o.at("z"));
    const Eigen::VectorXd ref = lw::test::to_vector(o.at("reference_projection_r*z/||z||"));
    const double c = o.at("target_logpdf_level_for_radius_2_in_d=4").get<double>();
    const lw::standard_gaussian<B> p(4);
    CATCH_CHECK(rel_diff(p.level_radius(c), o.at("target_radius").get<double>()) <= tol);
    CATCH_CHECK((p.project_to_level(z, c) - ref).cwiseAbs().maxCoeff() <= tol * ref.norm());
    const auto closed = lw::project_to_level_set(p, z, c);
    CATCH_CHECK(closed.report.method == lw::level_projection_method::closed_form);
    CATCH_CHECK((closed.point - ref).cwiseAbs().maxCoeff() <= tol * ref.norm());
    lw::level_projection_options ray;
    ray.method = lw::level_projection_method::score_ray;
    const auto root = lw::project_to_level_set(p, z, c, ray);
    CATCH_CHECK(root.report.method == lw::level_projection_method::score_ray);
    CATCH_CHECK(root.report.converged);
    CATCH_CHECK((root.point - ref).cwiseAbs().maxCoeff() <= tol * ref.norm());
    CATCH_CHECK(std::abs(root.report.distance - (z.norm() - 2.0)) <= 1e-12);
}
