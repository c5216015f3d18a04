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
// | method  | order | f evaluations per step | step                                             |
// |---------|-------|------------------------|--------------------------------------------------|
// | euler   | 1     | 1                      | fixed: h = (t1 − t0)/steps (Song et al.'s rule)  |
// | heun    | 2     | 2                      | fixed                                            |
// | rk4     | 4     | 4                      | fixed                                            |
// | dopri5  | 5(4)  | 6 (FSAL: the 7th is the next step's 1st) | adaptive, rtol/atol error control |
//
// dopri5 is Dormand–Prince 5(4) with local extrapolation, the error norm of Hairer–Nørsett–Wanner
// (root mean square of e_i / (atol + rtol·max(|z_i|, |z_new,i|)), maximum over a batch), the
// step factor 0.9·err^(−1/5) clamped to [0.2, 10], and Hairer's automatic initial step. Its dense
// output is the 4th-order continuous extension of Hairer's DOPRI5 (`at(t)`); the fixed-step
// methods, and dopri5 with a projection hook or with dense_output off, interpolate with cubic
// Hermite polynomials through the stored points and derivatives (O(h⁴) between points).
//
// The optional `projection` is applied after every accepted step (z ← P(z, t)), e.g. to put the
// state back on a density level set; the derivative is then re-evaluated at the projected point.
//
// Errors: invalid_argument_error for t0 == t1 (a zero step), non-finite times or tolerances,
// steps < 1 for a fixed-step method, non-positive tolerances; dimension_error when f returns a
// vector of another length; numerical_error when f returns NaN/Inf or when dopri5's step size
// underflows (the message says the time reached); convergence_error when max_steps is exhausted.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "../detail/traversal_support.hpp"
#include "trajectory.hpp"

namespace latentwalk {

enum class ode_method { euler, heun, rk4, dopri5 };

inline const char* to_string(ode_method m) {
    switch (m) {
        case ode_method::euler: return "euler";
        case ode_method::heun: return "heun";
        case ode_method::rk4: return "rk4";
        case ode_method::dopri5: return "dopri5";
    }
    return "unknown";
}

template <class B>
struct ode_options {
    ode_method method = ode_method::dopri5;
    double t0 = 0.0;             ///< start time
    double t1 = 1.0;             ///< end time (t1 < t0 integrates backwards)
    long long steps = 0;         ///< fixed-step methods: number of equal steps, h = (t1 − t0)/steps (≥ 1)
    double rtol = 1e-8;          ///< dopri5: relative tolerance (> 0)
    double atol = 1e-10;         ///< dopri5: absolute tolerance (> 0)
    double initial_step = 0.0;   ///< dopri5: |h₀|; 0 chooses it automatically
    double max_step = 0.0;       ///< dopri5: largest |h|; 0 means |t1 − t0|
    long long max_steps = 1000000;  ///< dopri5: accepted + rejected steps before convergence_error
    bool dense_output = true;    ///< dopri5: keep the continuous extension of every step for at(t)
    /// Applied after every step: z ← projection(z, t). Empty: none.
    std::function<vector_t<B>(const vector_t<B>&, double)> projection;
};

template <class B>
class ode_solution {
public:
    using backend = B;

    trajectory<B> path;                 ///< accepted points; path.directions[i] = f(z_i, t_i)
    long long function_evaluations = 0;
    long long accepted_steps = 0;
    long long rejected_steps = 0;
    ode_method method = ode_method::dopri5;

    /// z(t) for t in [t0, t1] from the dense output (see the table in the header comment).
    vector_t<B> at(double t) const {
        using T = backend_traits<B>;
        detail::require_finite_scalar("ode_solution::at", "t", t);
        const auto& ts = path.times;
        const double lo = std::min(ts.front(), ts.back()), hi = std::max(ts.front(), ts.back());
        if (t < lo || t > hi)
            throw invalid_argument_error(detail::sentence(
                "ode_solution::at", "t = " + std::to_string(t) + " lies outside the integrated interval [" +
                                        std::to_string(lo) + ", " + std::to_string(hi) + "]."));
        if (ts.size() == 1) return path.points.front();
        const bool forward = ts.back() > ts.front();
        // the step i with t between ts[i] and ts[i+1]
        std::size_t i = 0;
        if (forward) {
            i = static_cast<std::size_t>(std::upper_bound(ts.begin(), ts.end(), t) - ts.begin());
        } else {
            i = static_cast<std::size_t>(
                std::upper_bound(ts.begin(), ts.end(), t, [](double a, double b) { return a > b; }) - ts.begin());
        }
        i = std::min(std::max<std::size_t>(i, 1), ts.size() - 1) - 1;
        const double h = ts[i + 1] - ts[i];
        const double th = (t - ts[i]) / h;
        if (!dense_coefficients.empty()) {
            const auto& r = dense_coefficients[i];
            const double th1 = 1.0 - th;
            using S = scalar_t<B>;
            // r0 + θ(r1 + θ1(r2 + θ(r3 + θ1 r4)))
            auto inner = T::axpy(S(th1), r[4], r[3]);
            inner = T::axpy(S(th), inner, r[2]);
            inner = T::axpy(S(th1), inner, r[1]);
            return T::axpy(S(th), inner, r[0]);
        }
        const double th2 = th * th, th3 = th2 * th;
        using S = scalar_t<B>;
        const double h00 = 2 * th3 - 3 * th2 + 1, h10 = th3 - 2 * th2 + th, h01 = -2 * th3 + 3 * th2,
                     h11 = th3 - th2;
        auto y = T::scale(path.points[i], S(h00));
        y = T::axpy(S(h10 * h), path.directions[i], y);
        y = T::axpy(S(h01), path.points[i + 1], y);
        return T::axpy(S(h11 * h), path.directions[i + 1], y);
    }

    /// Per-step coefficients of dopri5's continuous extension (empty for other methods).
    std::vector<std::array<vector_t<B>, 5>> dense_coefficients;
};

namespace detail {

template <class B, class F>
vector_t<B> ode_eval(const F& f, const vector_t<B>& z, double t, long long& count, long long n) {
    ++count;
    vector_t<B> v = f(z, t);
    require_length<B>("integrate_ode", "f(z, t)", v, n, "the state's length");
    require_finite_result<B>("integrate_ode", "the right-hand side f(z, t) at t = " + std::to_string(t), v);
    return v;
}

/// Σ c_j k_j added to y (c_j = 0 skipped), h folded into the coefficients by the caller.
template <class B>
vector_t<B> ode_combine(const vector_t<B>& y, std::initializer_list<std::pair<double, const vector_t<B>*>> terms) {
    using T = backend_traits<B>;
    vector_t<B> out = y;
    for (const auto& [c, k] : terms)
        if (c != 0.0) out = T::axpy(scalar_t<B>(c), *k, out);
    return out;
}

/// RMS of e ⊘ (atol + rtol·max(|a|, |b|)); the maximum over a batch.
template <class B>
double ode_error_norm(const vector_t<B>& e, const vector_t<B>& a, const vector_t<B>& b, double rtol, double atol) {
    using T = backend_traits<B>;
    const auto n = T::size(e);
    const auto sc = T::axpy(scalar_t<B>(rtol), T::cwise_max(T::cwise_abs(a), T::cwise_abs(b)), T::fill(e, n, atol));
    return T::host_max(T::norm(T::cwise_quotient(e, sc))) / std::sqrt(static_cast<double>(n));
}

inline void validate_ode_options_common(const char* where, double t0, double t1) {
    require_finite_scalar(where, "t0", t0);
    require_finite_scalar(where, "t1", t1);
    if (t0 == t1)
        throw invalid_argument_error(
            sentence(where, "t0 equals t1 (" + std::to_string(t0) + "), which is a zero step; give an interval."));
}

template <class B, class F>
ode_solution<B> integrate_fixed(const F& f, const vector_t<B>& z0, const ode_options<B>& o) {
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const char* where = "integrate_ode";
    require_positive_count(where, "options.steps (fixed-step methods)", o.steps);
    const long long n = static_cast<long long>(T::size(z0));
    const double h = (o.t1 - o.t0) / static_cast<double>(o.steps);
    require_nonzero_finite_step(where, "the step (t1 − t0)/steps", h);

    ode_solution<B> sol;
    sol.method = o.method;
    auto& p = sol.path;
    p.points.reserve(static_cast<std::size_t>(o.steps + 1));
    vector_t<B> z = z0;
    double t = o.t0;
    vector_t<B> k1 = ode_eval<B>(f, z, t, sol.function_evaluations, n);
    p.points.push_back(z);
    p.times.push_back(t);
    p.directions.push_back(k1);
    for (long long s = 0; s < o.steps; ++s) {
        vector_t<B> znew;
        switch (o.method) {
            case ode_method::euler: znew = T::axpy(S(h), k1, z); break;
            case ode_method::heun: {
                const auto k2 = ode_eval<B>(f, T::axpy(S(h), k1, z), t + h, sol.function_evaluations, n);
                znew = ode_combine<B>(z, {{h / 2, &k1}, {h / 2, &k2}});
                break;
            }
            case ode_method::rk4: {
                const auto k2 = ode_eval<B>(f, T::axpy(S(h / 2), k1, z), t + h / 2, sol.function_evaluations, n);
                const auto k3 = ode_eval<B>(f, T::axpy(S(h / 2), k2, z), t + h / 2, sol.function_evaluations, n);
                const auto k4 = ode_eval<B>(f, T::axpy(S(h), k3, z), t + h, sol.function_evaluations, n);
                znew = ode_combine<B>(z, {{h / 6, &k1}, {h / 3, &k2}, {h / 3, &k3}, {h / 6, &k4}});
                break;
            }
            case ode_method::dopri5: break;
        }
        // the last time is t1 exactly, not an accumulation of rounded steps
        t = (s + 1 == o.steps) ? o.t1 : o.t0 + static_cast<double>(s + 1) * h;
        if (o.projection) {
            znew = o.projection(znew, t);
            require_length<B>(where, "the projection's result", znew, n, "the state's length");
            require_finite_result<B>(where, "the projection at t = " + std::to_string(t), znew);
        }
        z = std::move(znew);
        k1 = ode_eval<B>(f, z, t, sol.function_evaluations, n);
        p.points.push_back(z);
        p.times.push_back(t);
        p.directions.push_back(k1);
        ++sol.accepted_steps;
    }
    return sol;
}

template <class B, class F>
ode_solution<B> integrate_dopri5(const F& f, const vector_t<B>& z0, const ode_options<B>& o) {
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const char* where = "integrate_ode";
    require_positive_finite(where, "options.rtol", o.rtol);
    require_positive_finite(where, "options.atol", o.atol);
    require_finite_scalar(where, "options.initial_step", o.initial_step);
    require_finite_scalar(where, "options.max_step", o.max_step);
    if (o.initial_step < 0.0 || o.max_step < 0.0)
        throw invalid_argument_error(
            sentence(where, "options.initial_step and options.max_step are magnitudes and must not be negative."));
    require_positive_count(where, "options.max_steps", o.max_steps);

    // Dormand–Prince 5(4) tableau (Hairer, Nørsett & Wanner, Solving ODEs I, Table 5.2).
    constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;
    constexpr double a21 = 1.0 / 5;
    constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
    constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
    constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561, a54 = -212.0 / 729;
    constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247, a64 = 49.0 / 176,
                     a65 = -5103.0 / 18656;
    constexpr double a71 = 35.0 / 384, a73 = 500.0 / 1113, a74 = 125.0 / 192, a75 = -2187.0 / 6784, a76 = 11.0 / 84;
    constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920, e5 = -17253.0 / 339200,
                     e6 = 22.0 / 525, e7 = -1.0 / 40;
    // continuous extension (Hairer's DOPRI5, CONTD5)
    constexpr double d1 = -12715105075.0 / 11282082432.0, d3 = 87487479700.0 / 32700410799.0,
                     d4 = -10690763975.0 / 1880347072.0, d5 = 701980252875.0 / 199316789632.0,
                     d6 = -1453857185.0 / 822651844.0, d7 = 69997945.0 / 29380423.0;

    const long long n = static_cast<long long>(T::size(z0));
    const double span = o.t1 - o.t0;
    const double dir = span > 0 ? 1.0 : -1.0;
    const double hmax = o.max_step > 0.0 ? std::min(o.max_step, std::abs(span)) : std::abs(span);
    const bool keep_dense = o.dense_output && !o.projection;

    ode_solution<B> sol;
    sol.method = ode_method::dopri5;
    auto& p = sol.path;
    vector_t<B> z = z0;
    double t = o.t0;
    vector_t<B> k1 = ode_eval<B>(f, z, t, sol.function_evaluations, n);
    p.points.push_back(z);
    p.times.push_back(t);
    p.directions.push_back(k1);

    double h = o.initial_step;
    if (h == 0.0) {
        // Hairer's starting step: h₀ from ‖z‖/‖f‖, refined by one Euler step's curvature estimate.
        const double d0 = ode_error_norm<B>(z, z, z, o.rtol, o.atol);
        const double dd1 = ode_error_norm<B>(k1, z, z, o.rtol, o.atol);
        double h0 = (d0 < 1e-5 || dd1 < 1e-5) ? 1e-6 : 0.01 * d0 / dd1;
        h0 = std::min(h0, hmax);
        const auto k2 = ode_eval<B>(f, T::axpy(S(dir * h0), k1, z), t + dir * h0, sol.function_evaluations, n);
        const double dd2 = ode_error_norm<B>(T::sub(k2, k1), z, z, o.rtol, o.atol) / h0;
        const double dm = std::max(dd1, dd2);
        const double h1 = dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dm, 1.0 / 5.0);
        h = std::min({100 * h0, h1, hmax});
    }
    h = std::min(h, hmax);

    const double eps = std::numeric_limits<double>::epsilon();
    bool last_rejected = false;
    while (dir * (o.t1 - t) > 0.0) {
        if (sol.accepted_steps + sol.rejected_steps >= o.max_steps)
            throw convergence_error(sentence(
                where, "dopri5 used its " + std::to_string(o.max_steps) + " steps (options.max_steps) and reached t = " +
                           std::to_string(t) + " of t1 = " + std::to_string(o.t1) + "; raise max_steps or loosen rtol/atol."));
        if (h < 16.0 * eps * std::max(1.0, std::abs(t)))
            throw numerical_error(sentence(
                where, "dopri5's step size underflowed (|h| = " + std::to_string(h) + ") at t = " + std::to_string(t) +
                           " before reaching t1 = " + std::to_string(o.t1) +
                           "; the problem is too stiff or singular there for the requested tolerances."));
        bool final_step = false;
        if (dir * (t + dir * h - o.t1) >= 0.0 || std::abs(o.t1 - (t + dir * h)) < 16.0 * eps * std::abs(o.t1)) {
            h = std::abs(o.t1 - t);
            final_step = true;
        }
        const double hs = dir * h;
        const auto k2 = ode_eval<B>(f, T::axpy(S(hs * a21), k1, z), t + c2 * hs, sol.function_evaluations, n);
        const auto k3 = ode_eval<B>(f, ode_combine<B>(z, {{hs * a31, &k1}, {hs * a32, &k2}}), t + c3 * hs,
                                    sol.function_evaluations, n);
        const auto k4 = ode_eval<B>(f, ode_combine<B>(z, {{hs * a41, &k1}, {hs * a42, &k2}, {hs * a43, &k3}}),
                                    t + c4 * hs, sol.function_evaluations, n);
        const auto k5 = ode_eval<B>(
            f, ode_combine<B>(z, {{hs * a51, &k1}, {hs * a52, &k2}, {hs * a53, &k3}, {hs * a54, &k4}}), t + c5 * hs,
            sol.function_evaluations, n);
        const auto k6 = ode_eval<B>(
            f, ode_combine<B>(z, {{hs * a61, &k1}, {hs * a62, &k2}, {hs * a63, &k3}, {hs * a64, &k4}, {hs * a65, &k5}}),
            t + hs, sol.function_evaluations, n);
        auto znew = ode_combine<B>(z, {{hs * a71, &k1}, {hs * a73, &k3}, {hs * a74, &k4}, {hs * a75, &k5}, {hs * a76, &k6}});
        const double tnew = final_step ? o.t1 : t + hs;
        auto k7 = ode_eval<B>(f, znew, tnew, sol.function_evaluations, n);
        const auto zero = T::zeros(z, T::size(z));
        const auto err = ode_combine<B>(
            zero, {{hs * e1, &k1}, {hs * e3, &k3}, {hs * e4, &k4}, {hs * e5, &k5}, {hs * e6, &k6}, {hs * e7, &k7}});
        const double en = ode_error_norm<B>(err, z, znew, o.rtol, o.atol);
        if (!std::isfinite(en))
            throw numerical_error(sentence(where, "dopri5's error estimate is not finite at t = " + std::to_string(t) + "."));
        if (en <= 1.0) {
            if (keep_dense) {
                std::array<vector_t<B>, 5> r;
                r[0] = z;
                r[1] = T::sub(znew, z);
                r[2] = T::sub(T::scale(k1, S(hs)), r[1]);
                r[3] = T::sub(T::sub(r[1], T::scale(k7, S(hs))), r[2]);
                r[4] = ode_combine<B>(zero, {{hs * d1, &k1}, {hs * d3, &k3}, {hs * d4, &k4}, {hs * d5, &k5},
                                             {hs * d6, &k6}, {hs * d7, &k7}});
                sol.dense_coefficients.push_back(std::move(r));
            }
            t = tnew;
            if (o.projection) {
                znew = o.projection(znew, t);
                require_length<B>(where, "the projection's result", znew, n, "the state's length");
                require_finite_result<B>(where, "the projection at t = " + std::to_string(t), znew);
                k7 = ode_eval<B>(f, znew, t, sol.function_evaluations, n);
            }
            z = std::move(znew);
            k1 = std::move(k7);
            p.points.push_back(z);
            p.times.push_back(t);
            p.directions.push_back(k1);
            ++sol.accepted_steps;
            double fac = en == 0.0 ? 10.0 : std::clamp(0.9 * std::pow(en, -0.2), 0.2, 10.0);
            if (last_rejected) fac = std::min(fac, 1.0);  // no growth right after a rejection
            h = std::min(h * fac, hmax);
            last_rejected = false;
        } else {
            ++sol.rejected_steps;
            h *= std::clamp(0.9 * std::pow(en, -0.2), 0.2, 1.0);
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
    if (options.method == ode_method::dopri5) return detail::integrate_dopri5<B>(f, z0, options);
    return detail::integrate_fixed<B>(f, z0, options);
}

}  // namespace latentwalk
