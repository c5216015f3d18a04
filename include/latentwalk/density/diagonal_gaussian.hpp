#pragma once
// latentwalk/density/diagonal_gaussian.hpp — N(μ, diag(σ²)) on R^d, for any backend.
//
// With the whitened point w = (z − μ) ⊘ σ:
//   log p(z) = −½‖w‖² − Σ log σ_i − (d/2) log 2π,   score(z) = −(z − μ) ⊘ σ²,
//   level set {log p = c} = the ellipsoid ‖w‖ = r(c), r(c) = √(2 (max − c)), max = −Σ log σ_i − (d/2) log 2π.
// project_to_level(z, c) = μ + r(c) (z − μ)/‖w‖: the rescaling along the ray from the mean, i.e. the
// standard-Gaussian rule in whitened coordinates; density_preserving_step(z, γ, t) is DP-LaSE's
// norm-preserving walk generalised the same way, without forming the level c.
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
class diagonal_gaussian {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    /// Mean μ and standard deviations σ (all σ_i > 0), both of length d ≥ 1.
    /// Throws dimension_error for different lengths, numerical_error for NaN/Inf,
    /// invalid_argument_error for a non-positive σ_i.
    diagonal_gaussian(const vector_t<B>& mean, const vector_t<B>& stddev) : mean_(mean), stddev_(stddev) {
        constexpr const char* where = "diagonal_gaussian";
        d_ = T::size(mean);
        if (d_ < 1) throw invalid_argument_error(detail::sentence(where, "the mean must have length at least 1."));
        detail::require_length<B>(where, "stddev", stddev, static_cast<long long>(d_), "the mean's length");
        detail::require_finite<B>(where, "mean", mean);
        detail::require_finite<B>(where, "stddev", stddev);
        // Parameters are set once, on the host; the model itself is unbatched in its parameters.
        double log_det = 0.0;
        for (double s : T::to_host(stddev)) {
            if (!(s > 0.0))
                throw invalid_argument_error(detail::sentence(
                    where, "every standard deviation must be positive, got " + detail::number(s) + "."));
            log_det += std::log(s);
        }
        max_log_density_ = -log_det - 0.5 * static_cast<double>(d_) * std::log(2.0 * std::numbers::pi);
        variance_ = T::cwise_product(stddev, stddev);
    }

    index_t<B> dim() const { return d_; }
    const vector_t<B>& mean() const { return mean_; }
    const vector_t<B>& stddev() const { return stddev_; }

    /// log p at the mean: the largest level a level set can have.
    double max_log_density() const { return max_log_density_; }

    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("diagonal_gaussian::log_density", z);
        const auto w = whiten(z);
        return detail::density::require_representable<B>(
            "diagonal_gaussian::log_density", "log p(z)",
            T::dot(w, w) * scalar_t<B>(-0.5) + static_cast<scalar_t<B>>(max_log_density_));
    }

    vector_t<B> score(const vector_t<B>& z) const {
        check("diagonal_gaussian::score", z);
        // −((z − μ) ⊘ σ) ⊘ σ: dividing twice keeps σ = 1e-200 from underflowing σ² to 0
        return detail::density::require_representable<B>(
            "diagonal_gaussian::score", "the score",
            T::scale(T::cwise_quotient(whiten(z), stddev_), scalar_t<B>(-1)));
    }

    /// Whitened radius r(c) = √(2 (max − c)) of the level set; throws invalid_argument_error above the maximum.
    double level_radius(double c) const {
        detail::require_finite_scalar("diagonal_gaussian::level_radius", "the level", c);
        if (c > max_log_density_)
            throw invalid_argument_error(detail::sentence(
                "diagonal_gaussian::level_radius", "the level " + detail::number(c) +
                                                       " is above the maximum log-density " +
                                                       detail::number(max_log_density_) + ", so no point reaches it."));
        return 2.0 * std::sqrt(0.5 * max_log_density_ - 0.5 * c);  // = √(2 (max − c)) without overflow
    }

    /// μ + r(c) (z − μ)/‖(z − μ) ⊘ σ‖. Throws numerical_error for z = μ (no direction to rescale along).
    vector_t<B> project_to_level(const vector_t<B>& z, double c) const {
        check("diagonal_gaussian::project_to_level", z);
        const double r = level_radius(c);
        const auto nw = T::norm(whiten(z));
        if (T::host_min(nw) <= 0.0)
            throw numerical_error(detail::sentence("diagonal_gaussian::project_to_level",
                                                   "z is the mode (z = μ), which has no direction to rescale along."));
        return detail::density::require_representable<B>(
            "diagonal_gaussian::project_to_level", "the projected point",
            T::axpy(static_cast<scalar_t<B>>(r) / nw, T::sub(z, mean_), mean_));
    }

    /// DP-LaSE's rule in whitened coordinates: μ + ‖w(z)‖ (y − μ)/‖w(y)‖ with y = z + tγ, the point of
    /// z's level set (ellipsoid) on the ray from the mean through y. Throws numerical_error when y = μ.
    vector_t<B> density_preserving_step(const vector_t<B>& z, const vector_t<B>& gamma, double t) const {
        constexpr const char* where = "diagonal_gaussian::density_preserving_step";
        check(where, z);
        detail::require_length<B>(where, "gamma", gamma, static_cast<long long>(d_), "the density's dimension");
        detail::require_finite<B>(where, "gamma", gamma);
        detail::require_finite_scalar(where, "t", t);
        const auto y = T::axpy(static_cast<scalar_t<B>>(t), gamma, z);
        detail::density::require_finite_step_point<B>(where, y, t);
        const auto ny = T::norm(whiten(y));
        if (T::host_min(ny) <= 0.0)
            throw numerical_error(detail::sentence(where, "z + t gamma is the mean, which has no direction to rescale along."));
        return detail::density::require_representable<B>(where, "the step's result",
                                                         T::axpy(T::norm(whiten(z)) / ny, T::sub(y, mean_), mean_));
    }

    template <class Rng>
    vector_t<B> sample(Rng& rng, const vector_t<B>& like) const {
        return T::add(mean_, T::cwise_product(stddev_, T::random_normal(like, d_, rng)));
    }

private:
    vector_t<B> whiten(const vector_t<B>& z) const { return T::cwise_quotient(T::sub(z, mean_), stddev_); }

    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the density's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    vector_t<B> mean_, stddev_, variance_;
    index_t<B> d_ = 0;
    double max_log_density_ = 0.0;
};

}  // namespace latentwalk
