#pragma once
// latentwalk/density/cdf_distance.hpp — how far a learned per-coordinate CDF is from a known one.
//
//     double D  = latentwalk::ks_statistic(samples_of_one_coordinate, [&](double x) { return F(x); });
//     double e  = latentwalk::max_cdf_error(model, like, reference_cdf, -3.0, 3.0, 601);
//     double tn = latentwalk::truncated_normal_coordinate_cdf(2.0, 0.5);
//
// | function                                   | what                                                       | cost        |
// |--------------------------------------------|------------------------------------------------------------|-------------|
// | ks_statistic(x, F)                         | one-sample Kolmogorov–Smirnov D_n = sup_x |F_n(x) − F(x)|  | O(n log n)  |
// |                                            | (exact: the sup is attained at the sorted samples)         |             |
// | max_cdf_error(model, like, G, lo, hi, n)   | max over an n-point grid of [lo, hi] and over coordinates  | O(n d · F)  |
// |                                            | of |model.cdf(x 1)_i − G(x)|: the CDF error against a      |             |
// |                                            | known prior (the KS distance between the two laws, to the  |             |
// |                                            | grid's resolution)                                         |             |
// | truncated_normal_coordinate_cdf(τ, x)      | (Φ(x) − Φ(−τ))/(Φ(τ) − Φ(−τ)) clipped to [0, 1] outside     | O(1)        |
// |                                            | [−τ, τ] (truncated_normal's convention)                    |             |
// | standard_normal_cdf(x)                     | Φ(x) = ½ erfc(−x/√2)                                       | O(1)        |
// For reference, the asymptotic 5 % critical value of D_n is 1.358/√n.
// Errors: invalid_argument_error for no samples, a grid with n < 2 or lo ≥ hi, τ ≤ 0; numerical_error
// for NaN/Inf samples or a CDF value outside [0, 1] / NaN.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

inline double standard_normal_cdf(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

inline double truncated_normal_coordinate_cdf(double tau, double x) {
    if (!(tau > 0.0) || !std::isfinite(tau))
        throw invalid_argument_error(detail::sentence("truncated_normal_coordinate_cdf", "tau must be positive and finite."));
    if (std::isnan(x)) throw numerical_error(detail::sentence("truncated_normal_coordinate_cdf", "x is NaN."));
    if (x <= -tau) return 0.0;
    if (x >= tau) return 1.0;
    const double lo = standard_normal_cdf(-tau), z = 1.0 - 2.0 * lo;
    return (standard_normal_cdf(x) - lo) / z;
}

/// One-sample Kolmogorov–Smirnov statistic of the samples against the CDF F (double → double).
template <class F>
double ks_statistic(std::vector<double> x, F&& cdf) {
    constexpr const char* where = "ks_statistic";
    if (x.empty()) throw invalid_argument_error(detail::sentence(where, "there are no samples."));
    for (double v : x) detail::require_finite_scalar(where, "a sample", v);
    std::sort(x.begin(), x.end());
    const double n = static_cast<double>(x.size());
    double d = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double f = static_cast<double>(cdf(x[i]));
        if (!(f >= 0.0 && f <= 1.0))
            throw numerical_error(detail::sentence(where, "the CDF returned " + detail::number(f) +
                                                              ", which is not a probability."));
        d = std::max({d, (static_cast<double>(i) + 1.0) / n - f, f - static_cast<double>(i) / n});
    }
    return d;
}

/// max over x on the grid lo + (hi − lo) j/(n − 1) and over the coordinates i of |model.cdf(x 1)_i − G(x)|.
template <class M, class G>
double max_cdf_error(const M& model, const vector_t<typename M::backend>& like, G&& reference, double lo, double hi,
                     int n = 601) {
    using T = backend_traits<typename M::backend>;
    constexpr const char* where = "max_cdf_error";
    detail::require_finite_scalar(where, "lo", lo);
    detail::require_finite_scalar(where, "hi", hi);
    if (n < 2 || !(hi > lo))
        throw invalid_argument_error(detail::sentence(where, "the grid needs n ≥ 2 points and lo < hi."));
    double e = 0.0;
    for (int j = 0; j < n; ++j) {
        const double x = lo + (hi - lo) * j / (n - 1);
        const double g = static_cast<double>(reference(x));
        if (!(g >= 0.0 && g <= 1.0))
            throw numerical_error(detail::sentence(where, "the reference CDF returned " + detail::number(g) +
                                                              ", which is not a probability."));
        for (double f : T::to_host(model.cdf(T::fill(like, model.dim(), x)))) {
            if (std::isnan(f)) throw numerical_error(detail::sentence(where, "the model's CDF came back NaN."));
            e = std::max(e, std::abs(f - g));
        }
    }
    return e;
}

}  // namespace latentwalk
