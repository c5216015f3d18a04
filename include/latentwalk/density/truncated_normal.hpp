#pragma once
// latentwalk/density/truncated_normal.hpp — the truncated standard normal on the box [−τ, τ]^d.
//
// Convention (BigGAN's truncation trick, Brock et al. 2019): every coordinate is drawn from N(0, 1)
// and RESAMPLED until it falls in [−τ, τ]. That is exactly the normal law conditioned on the box,
// with independent coordinates:
//   log p(z) = −½‖z‖² − (d/2) log 2π − d log Z(τ)  for z in the closed box, −∞ outside,
//   Z(τ) = erf(τ/√2) = P(|x| ≤ τ),  per-coordinate variance 1 − 2τφ(τ)/Z(τ).
// (Not the variant "z = t · truncnorm(−2, 2)" of some BigGAN ports, whose support is [−2t, 2t] and whose
// variance is t² times the one above: that is truncated_normal(d, 2) scaled by t.)
// score(z) = −z inside the box (throws outside, where log p = −∞ has no gradient).
// Level sets: {log p = c} = the sphere ‖z‖ = r(c), r(c) = √(2 (max − c)), intersected with the box; it is
// non-empty for max − dτ²/2 ≤ c ≤ max. project_to_level(z, c) rescales z onto that sphere along the
// ray from the mode (the score ray) and throws when the ray leaves the box before reaching it.
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
class truncated_normal {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    /// Dimension d ≥ 1 and truncation τ > 0 (finite). Throws invalid_argument_error otherwise.
    truncated_normal(index_t<B> dim, double tau) : d_(dim), tau_(tau) {
        constexpr const char* where = "truncated_normal";
        if (dim < 1)
            throw invalid_argument_error(detail::sentence(
                where, "the dimension must be at least 1, got " + detail::number(static_cast<long long>(dim)) + "."));
        detail::require_finite_scalar(where, "tau", tau);
        if (!(tau > 0))
            throw invalid_argument_error(
                detail::sentence(where, "the truncation tau must be positive, got " + detail::number(tau) + "."));
        // log Z: through erfc when Z is close to 1 so that log1p keeps the digits.
        const double x = tau / std::numbers::sqrt2;
        log_normalizer_ = tau > 1.0 ? std::log1p(-std::erfc(x)) : std::log(std::erf(x));
        max_log_density_ =
            -static_cast<double>(d_) * (0.5 * std::log(2.0 * std::numbers::pi) + log_normalizer_);
    }

    index_t<B> dim() const { return d_; }
    double tau() const { return tau_; }
    /// Z(τ) = erf(τ/√2), the probability mass of [−τ, τ] under N(0, 1).
    double normalizer() const { return std::exp(log_normalizer_); }
    double log_normalizer() const { return log_normalizer_; }
    /// Variance of one coordinate, 1 − 2τφ(τ)/Z(τ).
    double coordinate_variance() const {
        const double phi = std::exp(-0.5 * tau_ * tau_) / std::sqrt(2.0 * std::numbers::pi);
        return 1.0 - 2.0 * tau_ * phi / normalizer();
    }
    /// log p at the mode 0, the largest level.
    double max_log_density() const { return max_log_density_; }
    /// log p at the corners of the box, the smallest finite level.
    double min_log_density() const { return max_log_density_ - 0.5 * static_cast<double>(d_) * tau_ * tau_; }

    /// −½‖z‖² + max inside the closed box, −∞ outside.
    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("truncated_normal::log_density", z);
        const auto lo = T::fill(z, d_, -tau_), hi = T::fill(z, d_, tau_);
        return T::dot(z, z) * scalar_t<B>(-0.5) + static_cast<scalar_t<B>>(max_log_density_) +
               detail::density::log_box_indicator<B>(z, lo, hi);
    }

    /// −z; throws invalid_argument_error outside the box.
    vector_t<B> score(const vector_t<B>& z) const {
        check("truncated_normal::score", z);
        detail::density::require_in_box<B>("truncated_normal::score", z, T::fill(z, d_, -tau_), T::fill(z, d_, tau_),
                                           "the box [−τ, τ]^d");
        return T::scale(z, scalar_t<B>(-1));
    }

    /// Radius of the sphere {log p = c}; throws invalid_argument_error when c is above the maximum or
    /// below the corners' level (the sphere then misses the box).
    double level_radius(double c) const {
        constexpr const char* where = "truncated_normal::level_radius";
        detail::require_finite_scalar(where, "the level", c);
        if (c > max_log_density_)
            throw invalid_argument_error(detail::sentence(
                where, "the level " + detail::number(c) + " is above the maximum log-density " +
                           detail::number(max_log_density_) + ", so no point reaches it."));
        if (c < min_log_density())
            throw invalid_argument_error(detail::sentence(
                where, "the level " + detail::number(c) + " is below the log-density " +
                           detail::number(min_log_density()) + " of the box's corners, so no point of the box has it."));
        return std::sqrt(2.0 * (max_log_density_ - c));
    }

    /// r(c) z/‖z‖. Throws numerical_error for z = 0, and numerical_error when that point leaves the box
    /// (the level is not reached along the ray from the mode through z).
    vector_t<B> project_to_level(const vector_t<B>& z, double c) const {
        constexpr const char* where = "truncated_normal::project_to_level";
        check(where, z);
        const double r = level_radius(c);
        const auto nz = T::norm(z);
        if (T::host_min(nz) <= 0.0)
            throw numerical_error(
                detail::sentence(where, "z is the mode (z = 0), which has no direction to rescale along."));
        auto out = T::scale(z, static_cast<scalar_t<B>>(r) / nz);
        if (T::max_abs(out) > tau_)
            throw numerical_error(detail::sentence(
                where, "the ray from the mode through z leaves the box [−τ, τ]^d (τ = " + detail::number(tau_) +
                           ") before it reaches the level " + detail::number(c) +
                           "; that part of the level set lies in other directions."));
        return out;
    }

    /// DP-LaSE's rule ‖z‖ (z + tγ)/‖z + tγ‖ (log p is radial inside the box). Throws numerical_error when
    /// z + tγ = 0 or when the rescaled point leaves the box.
    vector_t<B> density_preserving_step(const vector_t<B>& z, const vector_t<B>& gamma, double t) const {
        constexpr const char* where = "truncated_normal::density_preserving_step";
        check(where, z);
        auto out = detail::density::norm_preserving_step<B>(where, static_cast<long long>(d_), z, gamma, t);
        if (T::max_abs(out) > tau_)
            throw numerical_error(detail::sentence(
                where, "the point of z's level set in the direction of z + t gamma lies outside the box [−τ, τ]^d."));
        return out;
    }

    /// One draw by the resampling convention. Rejection is per coordinate and data-dependent, so the
    /// draw is made on the host (unbatched) and moved to the backend with from_values.
    template <class Rng>
    vector_t<B> sample(Rng& rng, const vector_t<B>& like) const {
        std::normal_distribution<double> nd(0.0, 1.0);
        std::vector<double> v(static_cast<std::size_t>(d_));
        for (auto& x : v) {
            do x = nd(rng);
            while (std::abs(x) > tau_);
        }
        return T::from_values(like, v);
    }

private:
    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the density's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    index_t<B> d_;
    double tau_;
    double log_normalizer_ = 0.0, max_log_density_ = 0.0;
};

}  // namespace latentwalk
