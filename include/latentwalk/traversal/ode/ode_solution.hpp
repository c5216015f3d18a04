#pragma once
// latentwalk/traversal/ode/ode_solution.hpp — the methods, options and result of integrate_ode
// (latentwalk/traversal/integrate_ode.hpp holds the table of methods and the entry point).
#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "../../detail/traversal_support.hpp"
#include "../trajectory.hpp"
#include "dense_output.hpp"

namespace latentwalk {

enum class ode_method {
    euler,        ///< explicit Euler, fixed step h = (t1 − t0)/steps
    heun,         ///< Heun's second-order rule, fixed step
    rk4,          ///< the classical fourth-order Runge–Kutta rule, fixed step
    dopri5,       ///< Dormand–Prince 5(4), adaptive
    midpoint,     ///< the explicit midpoint rule (order 2), fixed step
    kutta3,       ///< Kutta's third-order rule, fixed step
    integer_time  ///< Song et al.'s rule z_{k+1} = z_k + ε f(z_k, t₀ + k): integer times, step ε
};

inline const char* to_string(ode_method m) {
    switch (m) {
        case ode_method::euler: return "euler";
        case ode_method::heun: return "heun";
        case ode_method::rk4: return "rk4";
        case ode_method::dopri5: return "dopri5";
        case ode_method::midpoint: return "midpoint";
        case ode_method::kutta3: return "kutta3";
        case ode_method::integer_time: return "integer_time";
    }
    return "unknown";
}

template <class B>
struct ode_options {
    ode_method method = ode_method::dopri5;
    double t0 = 0.0;             ///< start time
    double t1 = 1.0;             ///< end time (t1 < t0 integrates backwards)
    long long steps = 0;         ///< fixed-step methods: number of equal steps, h = (t1 − t0)/steps (≥ 1);
                                 ///< integer_time: 0 or |t1 − t0|
    double step_scale = 1.0;     ///< integer_time: ε, the latent step per unit of time (the paper: 1)
    double rtol = 1e-8;          ///< dopri5: relative tolerance (> 0)
    double atol = 1e-10;         ///< dopri5: absolute tolerance (> 0)
    double initial_step = 0.0;   ///< dopri5: |h₀|; 0 chooses it automatically
    double max_step = 0.0;       ///< dopri5: largest |h|; 0 means |t1 − t0|
    long long max_steps = 1000000;  ///< dopri5: accepted + rejected steps before convergence_error
    bool dense_output = true;    ///< dopri5: keep the continuous extension of every step for at(t)
    /// Fixed-step methods: evaluate f at the last point too, so that path.directions has one entry per
    /// point (steps + 1 evaluations of f for euler and integer_time). false saves that evaluation — N
    /// steps of euler cost N evaluations, one per step, as a hand-written loop — and leaves the last
    /// point without a direction (directions.size() = points.size() − 1); at(t) then refuses the last
    /// interval of a Hermite-interpolated path. dopri5 always has it (FSAL: its last stage). The paper
    /// rule (potential_flow_options::paper_rule) turns it off: the paper's T steps take T gradients.
    bool final_direction = true;
    /// Applied after every step: z ← projection(z, t). Empty: none.
    std::function<vector_t<B>(const vector_t<B>&, double)> projection;
};

template <class B>
class ode_solution {
public:
    using backend = B;

    trajectory<B> path;                 ///< accepted points; path.directions[i] = f(z_i, t_i) (the last one
                                        ///< absent when options.final_direction was off)
    long long function_evaluations = 0;
    long long accepted_steps = 0;
    long long rejected_steps = 0;
    ode_method method = ode_method::dopri5;

    /// z(t) for t in [t0, t1] from the dense output (see latentwalk/traversal/ode/dense_output.hpp).
    vector_t<B> at(double t) const {
        detail::require_finite_scalar("ode_solution::at", "t", t);
        const auto& ts = path.times;
        const double lo = std::min(ts.front(), ts.back()), hi = std::max(ts.front(), ts.back());
        if (t < lo || t > hi)
            throw invalid_argument_error(detail::sentence(
                "ode_solution::at", "t = " + detail::number(t) + " lies outside the integrated interval [" +
                                        detail::number(lo) + ", " + detail::number(hi) + "]."));
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
        if (!dense_coefficients.empty()) return detail::dopri5_dense_value<B>(dense_coefficients[i], th);
        if (method == ode_method::integer_time) return detail::linear_value<B>(path.points[i], path.points[i + 1], th);
        if (i + 1 >= path.directions.size())
            throw invalid_argument_error(detail::sentence(
                "ode_solution::at", "t = " + detail::number(t) +
                                        " lies in the last step, whose end point has no recorded direction "
                                        "(options.final_direction was off), so the Hermite interpolant is undefined there."));
        return detail::hermite_value<B>(path.points[i], path.directions[i], path.points[i + 1], path.directions[i + 1],
                                        h, th);
    }

    /// Per-step coefficients of dopri5's continuous extension (empty for other methods).
    std::vector<std::array<vector_t<B>, 5>> dense_coefficients;
};

}  // namespace latentwalk
