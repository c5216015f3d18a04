#pragma once
// latentwalk/eigen/chi_statistics.hpp — the distribution of ‖z‖ for z ~ N(0, I_d) (the χ_d law),
// through Boost.Math. It lives on the adapter side because the core uses the standard library only;
// the target latentwalk::eigen links Boost::headers when Boost is found.
//
//   mean      μ = √2 Γ((d+1)/2) / Γ(d/2)
//   variance  d − μ²            (never formed as that difference for d ≥ 20, see below)
//   mode      √(d − 1)
//   median    quantile(1/2)
//   cdf(r)    P(‖z‖ ≤ r) = P(d/2, r²/2)          (regularised lower incomplete gamma)
//   quantile  r = √(2 P⁻¹(d/2, p))
//   log_pdf   log f(r), f(r) = r · ∂ₓP(d/2, x) at x = r²/2
//
// Accuracy. At d = 16384, μ² = 16383.5: the difference d − μ² keeps only ~4 of 16 digits. With
// a = d/2 the ratio Γ(a + ½)/(Γ(a)√a) = exp(D(a)) has the convergent-in-practice asymptotic series
//   D(a) = Σ_{k≥1} (2^{1−2k} − 2) B_{2k} / (2k(2k − 1) a^{2k−1})  = −1/(8a) + 1/(192a³) − 1/(640a⁵) + …
// (Bernoulli numbers B_{2k}; it is the difference of the Stirling series of log Γ at a + ½ and a).
// Then μ = √d e^{D}, √d − μ = −√d expm1(D) and d − μ² = −d expm1(2D), free of cancellation. For
// a ≥ 10 the terms shrink at least like (k/(πa))², so the series is summed to double precision;
// below (d < 20) the plain difference d − μ² loses at most a factor d/var < 40 in relative accuracy.
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <string>

#include <boost/math/special_functions/bernoulli.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/math/special_functions/gamma.hpp>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::eigen {

class chi_statistics {
public:
    /// The law of ‖z‖ for z ~ N(0, I_d). Throws invalid_argument_error for d < 1.
    explicit chi_statistics(long long d) : d_(d) {
        if (d < 1)
            throw invalid_argument_error(::latentwalk::detail::sentence(
                "eigen::chi_statistics", "the dimension must be at least 1, got " + ::latentwalk::detail::number(d) + "."));
        const double a = 0.5 * static_cast<double>(d);
        if (d >= series_threshold) {
            const double D = log_ratio_series(a);
            mean_ = std::sqrt(static_cast<double>(d)) * std::exp(D);
            sqrt_d_minus_mean_ = -std::sqrt(static_cast<double>(d)) * boost::math::expm1(D);
            variance_ = -static_cast<double>(d) * boost::math::expm1(2.0 * D);
        } else {
            // tgamma_delta_ratio(a, δ) = Γ(a)/Γ(a + δ).
            mean_ = std::sqrt(2.0) / boost::math::tgamma_delta_ratio(a, 0.5);
            sqrt_d_minus_mean_ = std::sqrt(static_cast<double>(d)) - mean_;
            variance_ = static_cast<double>(d) - mean_ * mean_;
        }
    }

    long long dim() const { return d_; }
    /// E‖z‖ = √2 Γ((d+1)/2)/Γ(d/2).
    double mean() const { return mean_; }
    /// Var‖z‖ = d − (E‖z‖)², accurate to a few ulp for every d (it tends to 1/2).
    double variance() const { return variance_; }
    double standard_deviation() const { return std::sqrt(variance_); }
    /// √d − E‖z‖ (≈ 1/(4√d)), without cancellation.
    double sqrt_d_minus_mean() const { return sqrt_d_minus_mean_; }
    /// The most likely norm, √(d − 1) (0 for d = 1).
    double mode() const { return std::sqrt(static_cast<double>(d_ - 1)); }
    double median() const { return quantile(0.5); }

    /// P(‖z‖ ≤ r); 0 for r ≤ 0. Throws numerical_error for NaN.
    double cdf(double r) const {
        if (std::isnan(r)) throw numerical_error(::latentwalk::detail::sentence("eigen::chi_statistics::cdf", "r is NaN."));
        if (r <= 0) return 0.0;
        if (std::isinf(r)) return 1.0;
        const double x = 0.5 * r * r;
        if (std::isinf(x)) return 1.0;  // r > 1.9e154: P = 1 in double for every d that fits in memory
        return guarded("eigen::chi_statistics::cdf", [&] { return boost::math::gamma_p(0.5 * static_cast<double>(d_), x); });
    }
    /// P(‖z‖ > r), accurate in the upper tail.
    double survival(double r) const {
        if (std::isnan(r)) throw numerical_error(::latentwalk::detail::sentence("eigen::chi_statistics::survival", "r is NaN."));
        if (r <= 0) return 1.0;
        if (std::isinf(r)) return 0.0;
        const double x = 0.5 * r * r;
        if (std::isinf(x)) return 0.0;
        return guarded("eigen::chi_statistics::survival",
                       [&] { return boost::math::gamma_q(0.5 * static_cast<double>(d_), x); });
    }
    /// The r with P(‖z‖ ≤ r) = p, for p in [0, 1). Throws invalid_argument_error outside.
    double quantile(double p) const {
        if (!(p >= 0.0 && p < 1.0))
            throw invalid_argument_error(::latentwalk::detail::sentence(
                "eigen::chi_statistics::quantile", "the probability must lie in [0, 1), got " + ::latentwalk::detail::number(p) + "."));
        if (p == 0.0) return 0.0;
        return std::sqrt(2.0) * std::sqrt(guarded("eigen::chi_statistics::quantile", [&] {
                   return boost::math::gamma_p_inv(0.5 * static_cast<double>(d_), p);
               }));
    }
    /// log of the χ_d density at r > 0 (−∞ for r = 0 when d > 1). Throws invalid_argument_error for r < 0.
    double log_pdf(double r) const {
        ::latentwalk::detail::require_finite_scalar("eigen::chi_statistics::log_pdf", "r", r);
        if (r < 0)
            throw invalid_argument_error(
                ::latentwalk::detail::sentence("eigen::chi_statistics::log_pdf", "r must be non-negative, got " + ::latentwalk::detail::number(r) + "."));
        if (r == 0) return d_ == 1 ? 0.5 * std::log(2.0 / pi()) : -std::numeric_limits<double>::infinity();
        // f(r) = r x^{a−1} e^{−x}/Γ(a) at x = r²/2: Boost evaluates the prefix without the cancellation
        // between (d − 1) log r and log Γ(d/2) that a log-space formula suffers at large d.
        const double a = 0.5 * static_cast<double>(d_);
        const double x = 0.5 * r * r;
        if (std::isfinite(x) && x > 0) {
            const double g = guarded("eigen::chi_statistics::log_pdf",
                                     [&] { return boost::math::gamma_p_derivative(a, x); });
            if (g > 0 && std::isfinite(g)) return std::log(r * g);
        }
        // under- or overflow of r²/2 or of the density: log space, with log(r²/2) = 2 log r − log 2 so that
        // r = 1e-200 does not underflow and r = 1e200 does not overflow
        const double log_r = std::log(r);
        const double log_x = 2.0 * log_r - std::numbers::ln2;
        const double value = log_r + (a - 1.0) * log_x - std::exp(log_x) - std::lgamma(a);
        if (!std::isfinite(value))
            throw numerical_error(::latentwalk::detail::sentence(
                "eigen::chi_statistics::log_pdf", "log f(r) at r = " + ::latentwalk::detail::number(r) + " for d = " +
                                                      ::latentwalk::detail::number(d_) +
                                                      " lies below the double range (its exact value overflows)."));
        return value;
    }

private:
    static constexpr long long series_threshold = 20;

    /// Boost.Math's own exceptions (evaluation_error, overflow_error, domain_error) become the
    /// library's numerical_error with a sentence.
    template <class F>
    double guarded(const char* where, F&& f) const {
        try {
            return f();
        } catch (const std::exception& e) {
            throw numerical_error(::latentwalk::detail::sentence(
                where, "Boost.Math could not evaluate the χ law for d = " + ::latentwalk::detail::number(d_) + " (" +
                           e.what() + ")."));
        }
    }
    static constexpr double pi() { return 3.14159265358979323846; }

    /// D(a) = log(Γ(a + ½)/(Γ(a)√a)) by the series in the header comment, a ≥ 10.
    static double log_ratio_series(double a) {
        double sum = 0.0;
        const double inv_a2 = 1.0 / (a * a);
        double a_pow = a;  // a^{2k−1}
        for (int k = 1; k <= 30; ++k) {
            const double two_k = 2.0 * k;
            const double coeff = (std::ldexp(1.0, 1 - 2 * k) - 2.0) * boost::math::bernoulli_b2n<double>(k) /
                                 (two_k * (two_k - 1.0));
            const double term = coeff / a_pow;
            sum += term;
            if (std::abs(term) <= 1e-18 * std::abs(sum)) break;
            a_pow /= inv_a2;
        }
        return sum;
    }

    long long d_;
    double mean_ = 0, variance_ = 0, sqrt_d_minus_mean_ = 0;
};

}  // namespace latentwalk::eigen
