#pragma once
// latentwalk/traversal/integrate_ode.hpp — integrators for dz/dt = f(z, t), written once for any backend.
//
//     auto sol = latentwalk::integrate_ode<B>(f, z0, {.method = latentwalk::ode_method::dopri5,
//                                                     .t1 = 2.0, .rtol = 1e-10, .atol = 1e-12});
//     sol.path.back();   // z(t1)          sol.at(0.5);   // dense output inside [t0, t1]
//
// f is any callable `f(const vector_t<B>& z, double t) -> vector_t<B>` (potential_flow builds one
// from a PotentialField). Methods:
//
// | method       | order | f evaluations per step | step                                             |
// |--------------|-------|------------------------|--------------------------------------------------|
// | euler        | 1     | 1 (+1 at the last point unless final_direction is off) | fixed: h = (t1 − t0)/steps |
// | midpoint     | 2     | 2                      | fixed                                            |
// | heun         | 2     | 2                      | fixed                                            |
// | kutta3       | 3     | 3                      | fixed                                            |
// | rk4          | 4     | 4                      | fixed                                            |
// | dopri5       | 5(4)  | 6 (FSAL: the 7th is the next step's 1st) | adaptive, rtol/atol error control |
// | integer_time | —     | 1                      | Song et al.'s rule: z_{k+1} = z_k ± ε f(z_k, t₀ ± k), |
// |              |       |                        | times t₀, t₀ ± 1, …, t1 (t1 − t0 an integer)     |
//
// The layout follows Boost.Odeint: the methods are Butcher tableaux (ode/butcher_tableau.hpp) run
// by one stage loop (ode/explicit_rk_stepper.hpp); dopri5's error control and starting step are the
// step_controller (ode/step_controller.hpp); the interpolants are ode/dense_output.hpp; the options
// and the solution with at(t) are ode/ode_solution.hpp. This header holds the two drivers (fixed
// and adaptive) and the entry point. dopri5 is Dormand–Prince 5(4) with local extrapolation and
// Hairer's automatic initial step; its dense output is the 4th-order continuous extension of
// Hairer's DOPRI5. The fixed-step methods, and dopri5 with a projection or with dense_output off,
// interpolate with cubic Hermite polynomials through the stored points and derivatives (O(h⁴));
// integer_time interpolates linearly (a discrete rule has nothing between its points).
//
// The integer-time rule is the potential-flow paper's (Song et al., ICML 2023: z_{t+1} = z_t +
// ∇u(z_t, t), t = 0, 1, …, T − 1, in training and traversal alike): time is the step INDEX and
// advances by one per step whatever the latent step ε = options.step_scale is. It differs from
// euler with h = ε, which evaluates f at t₀ + kε; with ε = 1 the two coincide point for point.
//
// The optional `projection` is applied after every accepted step (z ← P(z, t)), e.g. to put the
// state back on a density level set; the derivative is then re-evaluated at the projected point.
//
// Errors: invalid_argument_error for t0 == t1 (a zero step), non-finite times or tolerances,
// steps < 1 for a fixed-step method, non-positive tolerances; for integer_time, t1 − t0 not an
// integer, steps not 0 or |t1 − t0|, a zero or non-finite step_scale; dimension_error when f returns
// a vector of another length; numerical_error when f returns NaN/Inf or when dopri5's step size
// underflows (the message says the time reached); convergence_error when max_steps is exhausted.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "../detail/traversal_support.hpp"
#include "ode/butcher_tableau.hpp"
#include "ode/dense_output.hpp"
#include "ode/explicit_rk_stepper.hpp"
#include "ode/ode_solution.hpp"
#include "ode/step_controller.hpp"
#include "trajectory.hpp"

namespace latentwalk {

/// The Butcher tableau of a Runge–Kutta method (integer_time runs euler's).
inline const butcher_tableau& tableau_of(ode_method m) {
    switch (m) {
        case ode_method::euler: return euler_tableau;
        case ode_method::heun: return heun_tableau;
        case ode_method::rk4: return rk4_tableau;
        case ode_method::dopri5: return dopri5_tableau;
        case ode_method::midpoint: return midpoint_tableau;
        case ode_method::kutta3: return kutta3_tableau;
        case ode_method::integer_time: return euler_tableau;
    }
    return euler_tableau;
}

namespace detail {

inline void validate_ode_options_common(const char* where, double t0, double t1) {
    require_finite_scalar(where, "t0", t0);
    require_finite_scalar(where, "t1", t1);
    if (t0 == t1)
        throw invalid_argument_error(
            sentence(where, "t0 equals t1 (" + detail::number(t0) + "), which is a zero step; give an interval."));
}

/// The one place a new point enters the solution: projection (checked), then f at the point —
/// reused from the step when it was evaluated there and nothing moved the point.
template <class B, class F>
void accept_point(const F& f, const ode_options<B>& o, vector_t<B> z, double t, std::optional<vector_t<B>> f_at_z,
                  ode_solution<B>& sol, long long n, bool evaluate_direction = true) {
    const char* where = "integrate_ode";
    if (o.projection) {
        z = o.projection(z, t);
        require_length<B>(where, "the projection's result", z, n, "the state's length");
        require_finite_result<B>(where, "the projection at t = " + detail::number(t), z);
        f_at_z.reset();
    }
    if (f_at_z || evaluate_direction) {
        auto k = f_at_z ? std::move(*f_at_z) : ode_eval<B>(f, z, t, sol.function_evaluations, n);
        sol.path.directions.push_back(std::move(k));
    }
    sol.path.points.push_back(std::move(z));
    sol.path.times.push_back(t);
}

/// Fixed steps of a tableau; integer_time: time steps of ±1 with latent steps of ±ε.
template <class B, class F>
ode_solution<B> integrate_fixed(const F& f, const vector_t<B>& z0, const ode_options<B>& o) {
    const char* where = "integrate_ode";
    const bool integer_time = o.method == ode_method::integer_time;
    long long steps = o.steps;
    double h_time = 0.0, h_z = 0.0;
    if (integer_time) {
        const double span = o.t1 - o.t0;
        if (span != std::round(span))
            throw invalid_argument_error(sentence(
                where, "the integer-time rule needs t1 − t0 to be a whole number of unit steps, but it is " +
                           detail::number(span) + "."));
        if (!(std::abs(span) <= static_cast<double>(max_steps_per_call)))
            throw invalid_argument_error(sentence(
                where, "the integer-time rule would take |t1 − t0| = " + detail::number(std::abs(span)) +
                           " unit steps; one call takes at most " + detail::number(max_steps_per_call) + "."));
        const long long whole = static_cast<long long>(std::abs(span));
        if (steps != 0 && steps != whole)
            throw invalid_argument_error(sentence(
                where, "options.steps = " + detail::number(steps) + " but the integer-time rule takes |t1 − t0| = " +
                           detail::number(whole) + " unit steps; leave steps at 0 or set it to " +
                           detail::number(whole) + "."));
        require_nonzero_finite_step(where, "options.step_scale (ε)", o.step_scale);
        steps = whole;
        h_time = span > 0 ? 1.0 : -1.0;
        h_z = h_time * o.step_scale;
    } else {
        require_step_count(where, "options.steps (fixed-step methods)", steps);
        h_time = (o.t1 - o.t0) / static_cast<double>(steps);
        require_nonzero_finite_step(where, "the step (t1 − t0)/steps", h_time);
        h_z = h_time;
    }
    const auto& tb = tableau_of(o.method);
    const long long n = static_cast<long long>(backend_traits<B>::size(z0));

    ode_solution<B> sol;
    sol.method = o.method;
    sol.path.points.reserve(static_cast<std::size_t>(steps + 1));
    accept_point<B>(f, ode_options<B>{}, z0, o.t0, std::nullopt, sol, n);  // the start is not projected
    for (long long s = 0; s < steps; ++s) {
        const double t = sol.path.times.back();
        // the last time is t1 exactly, not an accumulation of rounded steps
        const double tnew = (s + 1 == steps) ? o.t1 : o.t0 + static_cast<double>(s + 1) * h_time;
        auto step = explicit_rk_step<B>(f, tb, sol.path.points.back(), t, h_z, sol.path.directions.back(), tnew,
                                        sol.function_evaluations, n);
        // the direction at the last point is asked only for the record (options.final_direction)
        accept_point<B>(f, o, std::move(step.z), tnew, std::nullopt, sol, n, s + 1 < steps || o.final_direction);
        ++sol.accepted_steps;
    }
    return sol;
}

/// dopri5 with the step controller and, optionally, its continuous extension.
template <class B, class F>
ode_solution<B> integrate_adaptive(const F& f, const vector_t<B>& z0, const ode_options<B>& o) {
    const char* where = "integrate_ode";
    require_positive_finite(where, "options.rtol", o.rtol);
    require_positive_finite(where, "options.atol", o.atol);
    require_finite_scalar(where, "options.initial_step", o.initial_step);
    require_finite_scalar(where, "options.max_step", o.max_step);
    if (o.initial_step < 0.0 || o.max_step < 0.0)
        throw invalid_argument_error(
            sentence(where, "options.initial_step and options.max_step are magnitudes and must not be negative."));
    require_positive_count(where, "options.max_steps", o.max_steps);

    const auto& tb = dopri5_tableau;
    const long long n = static_cast<long long>(backend_traits<B>::size(z0));
    const double span = o.t1 - o.t0;
    const double dir = span > 0 ? 1.0 : -1.0;
    step_controller ctl{o.rtol, o.atol, o.max_step > 0.0 ? std::min(o.max_step, std::abs(span)) : std::abs(span)};
    const bool keep_dense = o.dense_output && !o.projection;

    ode_solution<B> sol;
    sol.method = ode_method::dopri5;
    accept_point<B>(f, ode_options<B>{}, z0, o.t0, std::nullopt, sol, n);
    double h = o.initial_step == 0.0 ? ctl.initial_step<B>(f, z0, sol.path.directions.back(), o.t0, dir,
                                                           sol.function_evaluations, n)
                                     : o.initial_step;
    h = std::min(h, ctl.hmax);

    const double eps = std::numeric_limits<double>::epsilon();
    bool last_rejected = false;
    while (dir * (o.t1 - sol.path.times.back()) > 0.0) {
        const double t = sol.path.times.back();
        const auto& z = sol.path.points.back();
        if (sol.accepted_steps + sol.rejected_steps >= o.max_steps)
            throw convergence_error(sentence(
                where, "dopri5 used its " + detail::number(o.max_steps) + " steps (options.max_steps) and reached t = " +
                           detail::number(t) + " of t1 = " + detail::number(o.t1) + "; raise max_steps or loosen rtol/atol."));
        if (h < 16.0 * eps * std::max(1.0, std::abs(t)))
            throw numerical_error(sentence(
                where, "dopri5's step size underflowed (|h| = " + detail::number(h) + ") at t = " + detail::number(t) +
                           " before reaching t1 = " + detail::number(o.t1) +
                           "; the problem is too stiff or singular there for the requested tolerances."));
        bool final_step = false;
        if (dir * (t + dir * h - o.t1) >= 0.0 || std::abs(o.t1 - (t + dir * h)) < 16.0 * eps * std::abs(o.t1)) {
            h = std::abs(o.t1 - t);
            final_step = true;
        }
        const double hs = dir * h;
        const double tnew = final_step ? o.t1 : t + hs;
        auto step = explicit_rk_step<B>(f, tb, z, t, hs, sol.path.directions.back(), tnew, sol.function_evaluations, n);
        const double en = ctl.error_norm<B>(rk_error_estimate<B>(tb, step, hs), z, step.z);
        if (!std::isfinite(en))
            throw numerical_error(sentence(where, "dopri5's error estimate is not finite at t = " + detail::number(t) + "."));
        if (en <= 1.0) {
            if (keep_dense) sol.dense_coefficients.push_back(dopri5_dense_coefficients<B>(z, step, hs));
            accept_point<B>(f, o, std::move(step.z), tnew, std::move(step.k[tb.stages - 1]), sol, n);
            ++sol.accepted_steps;
            h = ctl.after_accept(h, en, last_rejected);
            last_rejected = false;
        } else {
            ++sol.rejected_steps;
            h = ctl.after_reject(h, en);
            last_rejected = true;
        }
    }
    return sol;
}

}  // namespace detail

/// Integrates dz/dt = f(z, t) from options.t0 to options.t1 (see the header comment).
template <class B, class F>
    requires std::invocable<const F&, const vector_t<B>&, double>
ode_solution<B> integrate_ode(const F& f, const vector_t<B>& z0, const ode_options<B>& options = {}) {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    detail::validate_ode_options_common("integrate_ode", options.t0, options.t1);
    if (T::size(z0) < 1) throw dimension_error(detail::sentence("integrate_ode", "z0 is empty."));
    detail::require_finite<B>("integrate_ode", "z0", z0);
    if (options.method == ode_method::dopri5) return detail::integrate_adaptive<B>(f, z0, options);
    return detail::integrate_fixed<B>(f, z0, options);
}

}  // namespace latentwalk
