#pragma once
// latentwalk/density/iid_gaussian_mixture.hpp — a non-Gaussian prior with independent, identically
// distributed coordinates, each a one-dimensional Gaussian mixture:
//
//     latentwalk::iid_gaussian_mixture<B> p(d, {0.5, 0.5}, {-1.5, 1.5}, {0.6, 0.6});   // bimodal per coordinate
//
//   p(z) = Π_i q(z_i),   q(x) = Σ_k π_k N(x; μ_k, s_k²),   log q by a log-sum-exp over the components.
// score(z)_i = Σ_k r_k(z_i) (μ_k − z_i)/s_k² with the responsibilities r_k = π_k N(z_i; μ_k, s_k²)/q(z_i).
// Its level sets are not spheres, so level-set projections and walks on it need root finding
// (project_to_level_set's score ray) or a learned correction (DP-LaSE's C): the test prior of the
// learned density machinery. coordinate_cdf(x) = Σ_k π_k Φ((x − μ_k)/s_k) on the host (for KS distances);
// sample draws on the host.
//
// | member              | cost   | notes                                              |
// |---------------------|--------|----------------------------------------------------|
// | log_density(z)      | O(d K) | backend primitives only: batched                   |
// | score(z)            | O(d K) | idem                                               |
// | coordinate_cdf(x)   | O(K)   | host double                                        |
// | sample(rng, like)   | O(d)   | host draws, then from_values                        |
// Errors: invalid_argument_error for d < 1, no component, weights that are not positive or do not sum to
// 1 (to 1e-12), non-positive scales; dimension_error for lists of different lengths or z of the wrong
// length; numerical_error for NaN/Inf.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
class iid_gaussian_mixture {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    iid_gaussian_mixture(index_t<B> dim, std::vector<double> weights, std::vector<double> means,
                         std::vector<double> scales)
        : d_(dim), pi_(std::move(weights)), mu_(std::move(means)), s_(std::move(scales)) {
        constexpr const char* where = "iid_gaussian_mixture";
        if (dim < 1) throw invalid_argument_error(detail::sentence(where, "the dimension must be at least 1."));
        if (pi_.empty()) throw invalid_argument_error(detail::sentence(where, "the mixture needs at least one component."));
        if (mu_.size() != pi_.size() || s_.size() != pi_.size())
            throw dimension_error(detail::sentence(where, "weights, means and scales must have the same length."));
        double total = 0.0;
        for (std::size_t k = 0; k < pi_.size(); ++k) {
            detail::require_finite_scalar(where, "a weight", pi_[k]);
            detail::require_finite_scalar(where, "a mean", mu_[k]);
            detail::require_finite_scalar(where, "a scale", s_[k]);
            if (!(pi_[k] > 0.0)) throw invalid_argument_error(detail::sentence(where, "every weight must be positive."));
            if (!(s_[k] > 0.0)) throw invalid_argument_error(detail::sentence(where, "every scale must be positive."));
            total += pi_[k];
        }
        if (!(std::abs(total - 1.0) <= 1e-12))
            throw invalid_argument_error(
                detail::sentence(where, "the weights sum to " + detail::number(total) + ", not 1."));
        for (std::size_t k = 0; k < pi_.size(); ++k)
            log_c_.push_back(std::log(pi_[k]) - std::log(s_[k]) - 0.5 * std::log(2.0 * std::numbers::pi));
    }

    index_t<B> dim() const { return d_; }
    const std::vector<double>& weights() const { return pi_; }
    const std::vector<double>& means() const { return mu_; }
    const std::vector<double>& scales() const { return s_; }

    /// (log q(z_i))_i.
    vector_t<B> coordinate_log_densities(const vector_t<B>& z) const {
        check("iid_gaussian_mixture::coordinate_log_densities", z);
        return log_q(z, terms(z));
    }

    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("iid_gaussian_mixture::log_density", z);
        return T::sum(log_q(z, terms(z)));
    }

    vector_t<B> score(const vector_t<B>& z) const {
        check("iid_gaussian_mixture::score", z);
        const auto t = terms(z);
        const auto lq = log_q(z, t);
        auto out = T::zeros(z, d_);
        for (std::size_t k = 0; k < t.size(); ++k) {
            const auto r = T::cwise_exp(T::sub(t[k], lq));
            const auto pull = T::scale(T::sub(T::fill(z, d_, mu_[k]), z), scalar_t<B>(1.0 / (s_[k] * s_[k])));
            out = T::add(out, T::cwise_product(r, pull));
        }
        return out;
    }

    /// Q(x) = Σ_k π_k Φ((x − μ_k)/s_k), the CDF of one coordinate.
    double coordinate_cdf(double x) const {
        double f = 0.0;
        for (std::size_t k = 0; k < pi_.size(); ++k)
            f += pi_[k] * 0.5 * std::erfc(-(x - mu_[k]) / (s_[k] * std::numbers::sqrt2));
        return f;
    }

    template <class Rng>
    vector_t<B> sample(Rng& rng, const vector_t<B>& like) const {
        std::discrete_distribution<std::size_t> pick(pi_.begin(), pi_.end());
        std::normal_distribution<double> nd(0.0, 1.0);
        std::vector<double> v(static_cast<std::size_t>(d_));
        for (auto& x : v) {
            const auto k = pick(rng);
            x = mu_[k] + s_[k] * nd(rng);
        }
        return T::from_values(like, v);
    }

private:
    std::vector<vector_t<B>> terms(const vector_t<B>& z) const {
        std::vector<vector_t<B>> t;
        for (std::size_t k = 0; k < pi_.size(); ++k) {
            const auto u = T::scale(T::sub(z, T::fill(z, d_, mu_[k])), scalar_t<B>(1.0 / s_[k]));
            t.push_back(T::add(T::fill(z, d_, log_c_[k]), T::scale(T::cwise_product(u, u), scalar_t<B>(-0.5))));
        }
        return t;
    }

    vector_t<B> log_q(const vector_t<B>& z, const std::vector<vector_t<B>>& t) const {
        auto m = t[0];
        for (std::size_t k = 1; k < t.size(); ++k) m = T::cwise_max(m, t[k]);
        auto acc = T::zeros(z, d_);
        for (const auto& tk : t) acc = T::add(acc, T::cwise_exp(T::sub(tk, m)));
        return T::add(m, T::cwise_log(acc));
    }

    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the density's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    index_t<B> d_;
    std::vector<double> pi_, mu_, s_, log_c_;
};

}  // namespace latentwalk
