#pragma once
// latentwalk/density/corrected_walk.hpp — density-preserving walks with a learned correction C (DP-LaSE's
// eq. (6)) instead of a projection:
//
//     latentwalk::correction_network<B> C(like, d, weights);                 // or any callable
//     auto walk = latentwalk::density_preserving_walk(p, z0, gamma, steps, eps, C);
//     walk.max_level_drift;                                                  // max_j |log p(z_j) − log p(z₀)|
//
// A correction is any callable c(z, t, γ) → vector (LevelCorrection). Schemes (corrected_walk_options):
// - from_start (default; eq. (6) as written): z_j = z₀ + t_j γ + C(z₀, t_j, γ), t_j = j ε.
// - iterated: z_j = z_{j−1} + ε γ + C(z_{j−1}, ε, γ) (for a C trained on small steps only).
// The density p only scores the walk (log_densities, level, max_level_drift); it is never projected on,
// so a C learned against DP-LaSE's learned F can be checked against the true prior. A point outside p's
// support has log p = −∞ and an infinite drift (reported, not thrown). Costs: one C and one log p per step.
// Batching: as the correction and the density allow (correction_network and the closed-form densities
// are batched); level and max_level_drift are maxima over the batch.
// Errors: dimension_error (lengths), numerical_error (NaN/Inf inputs, or a correction that returns NaN/Inf),
// invalid_argument_error (negative steps, a zero direction, z₀ outside p's support).
#include <algorithm>
#include <cmath>
#include <concepts>
#include <string>

#include "../concepts/density_model.hpp"
#include "../detail/validate.hpp"
#include "density_preserving_walk.hpp"

namespace latentwalk {

/// c(z, t, γ) returns the correction vector.
template <class C, class B>
concept LevelCorrection = requires(const C& c, const vector_t<B>& z, double t) {
    { c(z, t, z) } -> std::convertible_to<vector_t<B>>;
};

struct corrected_walk_options {
    walk_scheme scheme = walk_scheme::from_start;  ///< from_start or iterated (automatic means from_start)
};

/// The walk z_j = z₀ + t_j γ + C(z₀, t_j, γ) (or its iterated form), scored by p (see the header).
template <DensityModel D, class C>
    requires LevelCorrection<C, typename D::backend>
density_walk<typename D::backend> density_preserving_walk(const D& p, const vector_t<typename D::backend>& z0,
                                                          const vector_t<typename D::backend>& direction,
                                                          long long steps, double eps, const C& correction,
                                                          const corrected_walk_options& options = {}) {
    using B = typename D::backend;
    using T = backend_traits<B>;
    constexpr const char* where = "density_preserving_walk (corrected)";
    detail::require_walk_arguments<B>(where, static_cast<long long>(p.dim()), z0, direction, steps, eps);
    density_walk<B> walk;
    walk.scheme = options.scheme == walk_scheme::iterated ? walk_scheme::iterated : walk_scheme::from_start;
    const auto c0 = p.log_density(z0);
    walk.level = T::host_max(c0);
    if (!std::isfinite(walk.level) || !std::isfinite(-T::host_max(-c0)))
        throw invalid_argument_error(detail::sentence(where, "z0 lies outside the density's support (log p = −∞)."));
    const auto n = static_cast<std::size_t>(steps) + 1;
    walk.points.reserve(n);
    walk.points.push_back(z0);
    walk.times.push_back(0.0);
    walk.log_densities.push_back(c0);
    for (std::size_t j = 1; j < n; ++j) {
        const double t = static_cast<double>(j) * eps;
        const auto& base = walk.scheme == walk_scheme::from_start ? z0 : walk.points.back();
        const double step = walk.scheme == walk_scheme::from_start ? t : eps;
        vector_t<B> c = correction(base, step, direction);
        detail::require_finite_result<B>(where, "the correction", c);
        walk.points.push_back(T::add(T::axpy(static_cast<scalar_t<B>>(step), direction, base), c));
        walk.times.push_back(t);
    }
    for (std::size_t j = 1; j < n; ++j) {
        const auto lp = p.log_density(walk.points[j]);
        walk.max_level_drift = std::max({walk.max_level_drift, T::host_max(lp - c0), T::host_max(c0 - lp)});
        walk.log_densities.push_back(lp);
    }
    return walk;
}

}  // namespace latentwalk
