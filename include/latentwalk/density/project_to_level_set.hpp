#pragma once
// latentwalk/density/project_to_level_set.hpp — move z onto the level set {log p = c} of a density.
//
//   project_to_level_set(p, z, c, options) → { point, report }
//
// Methods (options.method):
// - closed_form: the model's own project_to_level(z, c) (ProvidesLevelProjection): for the Gaussians
//   the rescaling onto the sphere (ellipsoid) of that log-density, along the ray from the mode.
// - score_ray: a root of f(t) = log p(z + σ t u) − c, t > 0, on the ray along the unit score
//   u = ∇log p(z)/‖∇log p(z)‖, uphill (σ = +1) when log p(z) < c and downhill otherwise. The ray is
//   bracketed by doubling steps from the first-order guess |f(0)|/‖∇log p(z)‖, then a safeguarded
//   Newton iteration (f′(t) = σ⟨∇log p, u⟩) falls back to bisection whenever the Newton point leaves the
//   bracket or |f| does not halve. For a Gaussian this ray is the ray from the mode, so both methods give
//   the same point.
// - automatic (default): closed_form when the model provides it, score_ray otherwise.
//
// Failures throw and leave z untouched: invalid_argument_error for a level above the model's maximum
// (when it reports max_log_density()) or for z outside the support; numerical_error when the score
// vanishes at z (the mode, or a flat density: no usable direction), when the ray never reaches the
// level (it leaves the support or passes a maximum below c), or when log p jumps across c on the ray
// (an edge of the support); convergence_error when max_iterations are spent.
//
// Batching: closed_form is batched when the model is. The score_ray search is per sample (it steers by
// the host values of f); it reads T::host_value and so takes one unbatched z.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

#include "../concepts/density_model.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

enum class level_projection_method { automatic, closed_form, score_ray };

struct level_projection_options {
    level_projection_method method = level_projection_method::automatic;
    double tolerance = 1e-13;  ///< stop when |log p − c| ≤ tolerance · max(1, |c|)
    int max_iterations = 200;  ///< Newton/bisection iterations after bracketing
    int max_bracket_doublings = 80;
};

/// converged is false (and no exception is thrown) only when the bracket shrank to adjacent doubles
/// while the rounding noise of log p there exceeded the tolerance: the best point is then returned.
struct level_projection_report {
    level_projection_method method = level_projection_method::automatic;  ///< the method that ran
    bool converged = false;
    int iterations = 0;               ///< Newton or bisection steps (0 for closed_form)
    int log_density_evaluations = 0;  ///< including the check of the result
    int score_evaluations = 0;
    double residual = 0.0;            ///< |log p(point) − c|
    double distance = 0.0;            ///< ‖point − z‖
};

template <class B>
struct level_set_projection {
    vector_t<B> point;
    level_projection_report report;
};

namespace detail {

template <class D>
concept reports_max_log_density = requires(const D& p) {
    { p.max_log_density() } -> std::convertible_to<double>;
};

inline std::string format_double(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

/// The score-ray search; z validated, log p(z) finite, c finite and not above the maximum.
template <class D>
level_set_projection<typename D::backend> project_along_score(const D& p, const vector_t<typename D::backend>& z,
                                                               double c, double f0,
                                                               const level_projection_options& o) {
    using B = typename D::backend;
    using T = backend_traits<B>;
    constexpr const char* where = "project_to_level_set";
    level_projection_report rep;
    rep.method = level_projection_method::score_ray;
    rep.log_density_evaluations = 1;
    const double tol = o.tolerance * std::max(1.0, std::abs(c));
    if (std::abs(f0) <= tol) {
        rep.converged = true;
        rep.residual = std::abs(f0);
        return {z, rep};
    }
    const auto s = p.score(z);
    rep.score_evaluations = 1;
    detail::require_finite_result<B>(where, "the density's score at z", s);
    const double ns = T::host_value(T::norm(s));
    if (!(ns > 0.0))
        throw numerical_error(sentence(where, "the score ∇log p vanishes at z (the mode or a flat region of the "
                                              "density), so there is no direction to move along towards the level " +
                                              format_double(c) + "."));
    const double sigma = f0 < 0 ? 1.0 : -1.0;  // uphill when below the level
    const auto u = T::scale(s, static_cast<scalar_t<B>>(sigma / ns));
    auto point_at = [&](double t) { return T::axpy(static_cast<scalar_t<B>>(t), u, z); };
    auto f_at = [&](const vector_t<B>& y) {
        if (!T::all_finite(y))  // the library's own point: never hand the model an Inf it did not ask for
            throw numerical_error(sentence(where, "the level " + format_double(c) +
                                                      " cannot be reached along the score ray from z: the ray leaves "
                                                      "the floating-point range (the bracket grew past DBL_MAX) first."));
        ++rep.log_density_evaluations;
        const double v = T::host_value(p.log_density(y)) - c;
        if (std::isnan(v))
            throw numerical_error(sentence(where, "the density's log_density came back NaN at a finite point of the "
                                                  "score ray."));
        return v;  // may be −∞ outside the support
    };
    // f has the sign of f0 at the near end of the bracket and the opposite sign (or −∞) at the far end.
    auto same_side = [&](double v) { return f0 < 0 ? v < 0 : v > 0; };
    auto unreachable = [&](const std::string& why) {
        return numerical_error(sentence(where, "the level " + format_double(c) +
                                                   " cannot be reached along the score ray from z: " + why));
    };

    // Bracket.
    double lo = 0.0, f_lo = f0, hi = std::abs(f0) / ns, f_hi = 0.0;
    bool bracketed = false;
    for (int k = 0; k < o.max_bracket_doublings; ++k) {
        f_hi = f_at(point_at(hi));
        if (!same_side(f_hi)) {
            bracketed = true;
            break;
        }
        if (std::isinf(f_hi))  // going uphill and left the support
            throw unreachable("the ray leaves the density's support first.");
        lo = hi;
        f_lo = f_hi;
        hi *= 2.0;
    }
    if (!bracketed)
        throw unreachable(f0 < 0 ? "log p stays below the level along the whole ray (it passes a maximum below it)."
                                 : "log p stays above the level along the whole ray.");

    // Safeguarded Newton inside [lo, hi].
    double t = lo, ft = f_lo, best_t = lo, best_f = f_lo;
    if (std::isfinite(f_hi) && std::abs(f_hi) < std::abs(f_lo)) {
        t = hi;
        ft = f_hi;
        best_t = hi;
        best_f = f_hi;
    }
    double previous_abs = std::numeric_limits<double>::infinity();
    for (int it = 0; it < o.max_iterations; ++it) {
        if (std::abs(best_f) <= tol) {
            rep.converged = true;
            break;
        }
        double next = 0.5 * (lo + hi);
        if (std::isfinite(ft) && std::abs(ft) <= 0.5 * previous_abs) {
            const auto g = p.score(point_at(t));
            ++rep.score_evaluations;
            const double slope = T::host_value(T::dot(g, u));  // f′(t) = ⟨∇log p, u⟩
            if (std::isfinite(slope) && slope != 0.0) {
                const double newton = t - ft / slope;
                if (newton > lo && newton < hi) next = newton;
            }
        }
        if (std::isfinite(ft)) previous_abs = std::abs(ft);
        if (!(next > lo && next < hi)) {  // the bracket cannot shrink any further
            if (std::isfinite(f_lo) && std::isfinite(f_hi) &&
                std::abs(f_hi - f_lo) <= 1e3 * std::max(tol, std::numeric_limits<double>::epsilon()))
                break;  // rounding noise of log p at the root: report the best point as it is
            throw unreachable("log p jumps across the level on the ray (an edge of the support or a "
                              "discontinuity of the density).");
        }
        t = next;
        ft = f_at(point_at(t));
        ++rep.iterations;
        if (same_side(ft)) {
            lo = t;
            f_lo = ft;
        } else {
            hi = t;
            f_hi = ft;
        }
        if (std::isfinite(ft) && std::abs(ft) < std::abs(best_f)) {
            best_f = ft;
            best_t = t;
        }
    }
    rep.converged = std::abs(best_f) <= tol;
    if (!rep.converged && rep.iterations >= o.max_iterations)
        throw convergence_error(sentence(where, "no point within tolerance of the level " + format_double(c) +
                                                    " after " + detail::number(o.max_iterations) +
                                                    " iterations; the best residual was " + format_double(best_f) +
                                                    "."));
    rep.residual = std::abs(best_f);
    rep.distance = best_t;
    return {point_at(best_t), rep};
}

}  // namespace detail

/// Fallback: the first argument is not a DensityModel.
template <class D, class... Args>
    requires(!DensityModel<D>)
auto project_to_level_set(const D&, const Args&...) {
    LATENTWALK_REQUIRE_DENSITY_MODEL(D);
}

/// The point of {log p = c} reached from z (see the header for methods, report and failures).
template <DensityModel D>
level_set_projection<typename D::backend> project_to_level_set(const D& p, const vector_t<typename D::backend>& z,
                                                               double c, const level_projection_options& options = {}) {
    LATENTWALK_REQUIRE_DENSITY_MODEL(D);
    using B = typename D::backend;
    using T = backend_traits<B>;
    constexpr const char* where = "project_to_level_set";
    detail::require_length<B>(where, "z", z, static_cast<long long>(p.dim()), "the density's dimension");
    detail::require_finite<B>(where, "z", z);
    detail::require_finite_scalar(where, "the level c", c);
    if (!(options.tolerance > 0.0) || options.max_iterations < 1 || options.max_bracket_doublings < 1)
        throw invalid_argument_error(detail::sentence(
            where, "options need a positive tolerance, max_iterations and max_bracket_doublings."));
    if constexpr (detail::reports_max_log_density<D>) {
        if (c > p.max_log_density())
            throw invalid_argument_error(detail::sentence(
                where, "the level " + detail::format_double(c) + " is above the density's maximum log-density " +
                           detail::format_double(p.max_log_density()) + ", so no point reaches it."));
    }
    auto method = options.method;
    if (method == level_projection_method::automatic)
        method = ProvidesLevelProjection<D> ? level_projection_method::closed_form : level_projection_method::score_ray;
    if (method == level_projection_method::closed_form) {
        if constexpr (ProvidesLevelProjection<D>) {
            level_set_projection<B> out{p.project_to_level(z, c), {}};
            detail::check_model_vector<B>(where, "the density's project_to_level(z, c)", out.point,
                                          static_cast<long long>(p.dim()), "its dim()");
            out.report.method = level_projection_method::closed_form;
            const auto lp = p.log_density(out.point);
            out.report.log_density_evaluations = 1;
            const auto cs = static_cast<scalar_t<B>>(c);
            out.report.residual = std::max(T::host_max(lp - cs), T::host_max(cs - lp));
            out.report.distance = T::host_max(T::norm(T::sub(out.point, z)));
            out.report.converged = out.report.residual <= options.tolerance * std::max(1.0, std::abs(c));
            return out;
        } else {
            throw invalid_argument_error(detail::sentence(
                where, "method closed_form was asked for, but this density has no project_to_level(z, c)."));
        }
    }
    const double f0 = T::host_value(p.log_density(z)) - c;
    if (std::isnan(f0))
        throw numerical_error(detail::sentence(where, "the density's log_density(z) came back NaN at a finite z."));
    if (!std::isfinite(f0))
        throw invalid_argument_error(detail::sentence(
            where, "z lies outside the density's support (log p(z) = −∞), so no score ray starts there."));
    return detail::project_along_score(p, z, c, f0, options);
}

}  // namespace latentwalk
