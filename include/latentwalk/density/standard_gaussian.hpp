#pragma once
// latentwalk/density/standard_gaussian.hpp — the standard normal prior N(0, I_d), for any backend.
//
//   log p(z) = −½‖z‖² − (d/2) log 2π,   score(z) = −z,
//   level set {log p = c} = sphere of radius r(c) = sqrt(−2c − d log 2π), defined for c ≤ −(d/2) log 2π.
// project_to_level(z, c) = r(c) z/‖z‖ (the closed form DP-LaSE's norm-preserving walk relies on);
// density_preserving_step(z, γ, t) = ‖z‖ (z + tγ)/‖z + tγ‖, DP-LaSE's rule itself.
#include <cmath>
#include <numbers>
#include <string>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
class standard_gaussian {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    explicit standard_gaussian(index_t<B> dim) : d_(dim) {
        if (dim < 1)
            throw invalid_argument_error("latentwalk::standard_gaussian: the dimension must be at least 1, got " +
                                         detail::number(static_cast<long long>(dim)) + ".");
    }

    index_t<B> dim() const { return d_; }

    /// log p at the mode, −(d/2) log 2π: the largest level a level set can have.
    double max_log_density() const { return -0.5 * static_cast<double>(d_) * std::log(2.0 * std::numbers::pi); }

    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("standard_gaussian::log_density", z);
        const auto sq = T::dot(z, z);
        return detail::density::require_representable<B>("standard_gaussian::log_density", "log p(z)",
                                                         sq * scalar_t<B>(-0.5) +
                                                             static_cast<scalar_t<B>>(max_log_density()));
    }

    vector_t<B> score(const vector_t<B>& z) const {
        check("standard_gaussian::score", z);
        return T::scale(z, scalar_t<B>(-1));
    }

    /// Radius of the level set {log p = c}; throws invalid_argument_error when c exceeds the maximum.
    double level_radius(double c) const {
        detail::require_finite_scalar("standard_gaussian::level_radius", "the level", c);
        if (c > max_log_density())
            throw invalid_argument_error(detail::sentence(
                "standard_gaussian::level_radius",
                "the level " + detail::number(c) + " is above the maximum log-density " +
                    detail::number(max_log_density()) + " of N(0, I_" + detail::number(static_cast<long long>(d_)) +
                    "), so no point reaches it."));
        // √2 · √(−c − (d/2) log 2π): no overflow of 2|c| for levels down to −DBL_MAX
        return std::sqrt(2.0) * std::sqrt(-c - 0.5 * static_cast<double>(d_) * std::log(2.0 * std::numbers::pi));
    }

    /// r(c) z/‖z‖. Throws numerical_error for z = 0 (no direction to move along).
    vector_t<B> project_to_level(const vector_t<B>& z, double c) const {
        check("standard_gaussian::project_to_level", z);
        const double r = level_radius(c);
        const auto nz = T::norm(z);
        if (T::host_min(nz) <= 0.0)  // min over the batch of ‖z‖ is 0
            throw numerical_error(detail::sentence("standard_gaussian::project_to_level",
                                                   "z is the mode (z = 0), which has no direction to rescale along."));
        return detail::density::require_representable<B>("standard_gaussian::project_to_level", "the projected point",
                                                         T::scale(z, static_cast<scalar_t<B>>(r) / nz));
    }

    /// DP-LaSE's norm-preserving map P(z, γ, t) = ‖z‖ (z + tγ)/‖z + tγ‖ (eq. 2 of the paper): the point
    /// of z's level set (sphere) in the direction of the linear step z + tγ. P(z, γ, 0) = z, P → ‖z‖γ/‖γ‖
    /// as t → ∞, and for γ ⟂ z it turns z by the angle arctan(t‖γ‖/‖z‖). Throws numerical_error when
    /// z + tγ = 0 (no direction) and the usual dimension_error / numerical_error on bad input.
    vector_t<B> density_preserving_step(const vector_t<B>& z, const vector_t<B>& gamma, double t) const {
        constexpr const char* where = "standard_gaussian::density_preserving_step";
        check(where, z);
        return detail::density::norm_preserving_step<B>(where, static_cast<long long>(d_), z, gamma, t);
    }

    template <class Rng>
    vector_t<B> sample(Rng& rng, const vector_t<B>& like) const {
        return T::random_normal(like, d_, rng);
    }

private:
    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the density's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    index_t<B> d_;
};

}  // namespace latentwalk
