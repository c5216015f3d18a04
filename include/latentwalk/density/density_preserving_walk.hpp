#pragma once
// latentwalk/density/density_preserving_walk.hpp — walks that stay on the level set of the start point.
//
//   density_preserving_walk(p, z0, γ, steps, ε, options) → density_walk { points, times, log_densities, ... }
//
// DP-LaSE (ACM MM 2021) observes that moving to higher prior density changes images drastically, moving
// to lower density fades them, and walks that keep the density give reasonable edits. With the level
// c₀ = log p(z₀) and t_j = j ε (j = 0..steps):
// - scheme from_start: z_j = Proj_{c₀}(z₀ + t_j γ). For standard_gaussian this is DP-LaSE's eq. (2),
//   z_j = ‖z₀‖ (z₀ + t_j γ)/‖z₀ + t_j γ‖ (standard_gaussian::density_preserving_step), which saturates at
//   ‖z₀‖ γ/‖γ‖ and turns z₀ by arctan(t_j ‖γ‖/‖z₀‖) when γ ⟂ z₀. Every model with a member
//   density_preserving_step(z, γ, t) (the Gaussians, the truncated normal) is walked by it: it never forms
//   the level c₀, so it runs batched (options.projection.method = score_ray asks for projections instead).
// - scheme iterated: z_j = Proj_{c₀}(z_{j−1} + ε γ): a step, then a projection (DP-LaSE's eq. (6) with the
//   correction C computed by projection instead of learned).
// - automatic (default): from_start when the model has a closed-form level projection, iterated otherwise
//   (the score-ray projection is local, so it is given short steps).
// Proj is project_to_level_set(p, ·, c₀, options.projection). options.tangent_direction first replaces
// γ by its component tangent to the level set, γ − ⟨γ, n⟩ n with n = ∇log p/‖∇log p‖, at z₀ (from_start)
// or at z_{j−1} (iterated).
//
// Batching: the from_start walk of a model with density_preserving_step and the iterated walk of
// standard_gaussian run on a batch of start points; every other walk projects onto one level c₀ and so
// takes one sample (dimension_error for a batch whose samples lie on different levels).
//
// Bad input throws before anything is computed: dimension_error (lengths), numerical_error (NaN/Inf),
// invalid_argument_error (negative steps or more than detail::max_steps_per_call, a zero eps, as the
// traversals refuse it, a zero direction, z₀ outside the support, z₀ at the mode of a
// model with a density_preserving_step, whose level set is a single point); the projections' own exceptions pass through
// (a level unreachable along a ray, no usable direction where the score vanishes). A density model
// whose log_density comes back NaN, or a step that overflows the double range, is a numerical_error.
#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/traversal_support.hpp"
#include "../detail/validate.hpp"
#include "project_to_level_set.hpp"
#include "standard_gaussian.hpp"

namespace latentwalk {

enum class walk_scheme { automatic, from_start, iterated };

struct density_walk_options {
    walk_scheme scheme = walk_scheme::automatic;
    bool tangent_direction = false;        ///< project γ onto the level set's tangent space first
    level_projection_options projection;   ///< how each point is projected (closed form when available)
};

/// The result of a density-preserving walk: the points with their times and log-densities.
template <class B>
struct density_walk {
    std::vector<vector_t<B>> points;                  ///< z_0 = z₀, …, z_steps
    std::vector<double> times;                        ///< t_j = j ε
    std::vector<batch_scalar_t<B>> log_densities;     ///< log p(z_j)
    double level = 0.0;                               ///< c₀ = log p(z₀) (for a batch: the largest)
    double max_level_drift = 0.0;                     ///< max_j |log p(z_j) − c₀|
    walk_scheme scheme = walk_scheme::automatic;      ///< the scheme that ran
    std::vector<level_projection_report> projections; ///< one per step (empty for the Gaussian rule)
};

namespace detail {

template <class D>
concept provides_density_preserving_step =
    requires(const D& p, const vector_t<typename D::backend>& z, double t) {
        { p.density_preserving_step(z, z, t) } -> std::convertible_to<vector_t<typename D::backend>>;
    };

template <class D>
vector_t<typename D::backend> tangent_part(const D& p, const vector_t<typename D::backend>& at,
                                           const vector_t<typename D::backend>& gamma) {
    using B = typename D::backend;
    using T = backend_traits<B>;
    constexpr const char* where = "density_preserving_walk";
    const auto n = p.score(at);
    require_finite_result<B>(where, "the density's score", n);
    const auto nn = T::dot(n, n);
    if (!(T::host_min(nn) > 0.0))  // min over the batch of ‖n‖² is 0
        throw numerical_error(sentence(where, "the score vanishes at the current point (the mode or a flat region), "
                                              "so the level set has no tangent space to project the direction on."));
    auto g = T::axpy(-T::dot(gamma, n) / nn, n, gamma);
    if (!(T::host_max(T::norm(gamma) * scalar_t<B>(1e-14) - T::norm(g)) < 0.0))
        throw numerical_error(sentence(where, "the direction is normal to the level set: its tangent part vanishes."));
    return g;
}

/// The argument checks every density-preserving walk makes first (lengths, finiteness, steps ≥ 0, γ ≠ 0).
template <class B>
void require_walk_arguments(const char* where, long long d, const vector_t<B>& z0, const vector_t<B>& direction,
                            long long steps, double eps) {
    using T = backend_traits<B>;
    require_length<B>(where, "z0", z0, d, "the density's dimension");
    require_length<B>(where, "direction", direction, d, "the density's dimension");
    require_finite<B>(where, "z0", z0);
    require_finite<B>(where, "direction", direction);
    require_nonzero_finite_step(where, "eps", eps);  // as the traversals: a zero step walks nowhere
    if (steps < 0)
        throw invalid_argument_error(sentence(where, "steps must be non-negative, got " + detail::number(steps) + "."));
    if (steps > max_steps_per_call)
        throw invalid_argument_error(sentence(where, "steps is " + detail::number(steps) + "; one call takes at most " +
                                                         detail::number(max_steps_per_call) + " steps."));
    if (!(T::max_abs(direction) > 0.0))
        throw invalid_argument_error(sentence(where, "the direction is zero; there is nothing to walk along."));
}

}  // namespace detail

/// Fallback: the first argument is not a DensityModel.
template <class D, class... Args>
    requires(!DensityModel<D>)
auto density_preserving_walk(const D&, const Args&...) {
    LATENTWALK_REQUIRE_DENSITY_MODEL(D);
}

/// A walk from z0 along direction with `steps` steps of size eps that keeps log p = log p(z0) (see header).
template <DensityModel D>
density_walk<typename D::backend> density_preserving_walk(const D& p, const vector_t<typename D::backend>& z0,
                                                          const vector_t<typename D::backend>& direction,
                                                          long long steps, double eps,
                                                          const density_walk_options& options = {}) {
    LATENTWALK_REQUIRE_DENSITY_MODEL(D);
    using B = typename D::backend;
    using T = backend_traits<B>;
    constexpr const char* where = "density_preserving_walk";
    detail::require_walk_arguments<B>(where, static_cast<long long>(p.dim()), z0, direction, steps, eps);
    constexpr bool gaussian = std::is_same_v<D, standard_gaussian<B>>;
    constexpr bool has_rule = detail::provides_density_preserving_step<D>;
    if constexpr (has_rule) {  // for these models the score vanishes only at the mode
        if (!(T::host_min(T::norm(p.score(z0))) > 0.0))
            throw invalid_argument_error(detail::sentence(
                where, "z0 is the mode of the density: its level set is a single point, so there is no walk."));
    }

    density_walk<B> walk;
    const auto c0 = p.log_density(z0);
    const double c_max = T::host_max(c0), c_min = T::host_min(c0);  // over the batch
    walk.level = c_max;
    if (std::isnan(c_max) || std::isnan(c_min))
        throw numerical_error(detail::sentence(where, "the density's log_density(z0) came back NaN at a finite z0."));
    if (!std::isfinite(c_max) || !std::isfinite(c_min))
        throw invalid_argument_error(detail::sentence(where, "z0 lies outside the density's support (log p = −∞)."));
    walk.scheme = options.scheme;
    if (walk.scheme == walk_scheme::automatic)
        walk.scheme = ProvidesLevelProjection<D> || detail::provides_density_preserving_step<D> ? walk_scheme::from_start
                                                                                               : walk_scheme::iterated;
    // The closed-form rule serves unless root finding was asked for explicitly.
    const bool use_rule = has_rule && options.projection.method != level_projection_method::score_ray;
    const bool projects = walk.scheme == walk_scheme::from_start ? !use_rule : !gaussian;
    if (projects && c_max != c_min)
        throw dimension_error(detail::sentence(
            where, "the samples of this batch lie on different levels, and this walk projects onto one level; "
                   "walk them one at a time (the Gaussian rules run batched)."));

    const auto n = static_cast<std::size_t>(steps) + 1;
    walk.points.reserve(n);
    walk.times.reserve(n);
    walk.log_densities.reserve(n);
    walk.points.push_back(z0);
    walk.times.push_back(0.0);
    walk.log_densities.push_back(c0);

    auto project = [&](const vector_t<B>& y) {
        auto r = project_to_level_set(p, y, walk.level, options.projection);
        walk.projections.push_back(r.report);
        return std::move(r.point);
    };
    const auto z0_norm = T::norm(z0);
    if (walk.scheme == walk_scheme::from_start) {
        const auto gamma = options.tangent_direction ? detail::tangent_part(p, z0, direction) : direction;
        for (std::size_t j = 1; j < n; ++j) {
            const double t = static_cast<double>(j) * eps;
            if (use_rule) {
                if constexpr (has_rule) walk.points.push_back(p.density_preserving_step(z0, gamma, t));
            } else {
                walk.points.push_back(project(T::axpy(static_cast<scalar_t<B>>(t), gamma, z0)));
            }
            walk.times.push_back(t);
        }
    } else {
        for (std::size_t j = 1; j < n; ++j) {
            const auto& previous = walk.points.back();
            const auto gamma = options.tangent_direction ? detail::tangent_part(p, previous, direction) : direction;
            const auto y = T::axpy(static_cast<scalar_t<B>>(eps), gamma, previous);
            detail::density::require_finite_step_point<B>(where, y, eps);
            if constexpr (gaussian) {  // rescale to ‖z₀‖ itself, so rounding does not accumulate
                const auto ny = T::norm(y);
                if (T::host_min(ny) <= 0.0)
                    throw numerical_error(detail::sentence(where, "a step landed on the mode 0, which has no "
                                                                  "direction to rescale along."));
                walk.points.push_back(T::scale(y, z0_norm / ny));
            } else {
                walk.points.push_back(project(y));
            }
            walk.times.push_back(static_cast<double>(j) * eps);
        }
    }
    for (std::size_t j = 1; j < n; ++j) {
        const auto lp = p.log_density(walk.points[j]);
        if (!std::isfinite(T::host_max(lp)) || !std::isfinite(T::host_min(lp)))
            throw numerical_error(detail::sentence(
                where, "the density's log_density came back " + detail::number(T::host_min(lp)) + " at walk point " +
                           detail::number(static_cast<long long>(j)) + ", which the walk itself produced."));
        walk.max_level_drift = std::max({walk.max_level_drift, T::host_max(lp - c0), T::host_max(c0 - lp)});
        walk.log_densities.push_back(lp);
    }
    return walk;
}

}  // namespace latentwalk
