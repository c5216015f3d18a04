#pragma once
// latentwalk/traversal/potential_flow.hpp — traversal as the gradient flow of a potential.
//
// Song et al. (ICML 2023) move a latent code along dz/dt = ±∇_z u(z, t) by the discrete rule
// z_{t+1} = z_t ± ∇u(z_t, t), t = 0, 1, …, T − 1 (paper and released code alike): that is
// `ode_method::integer_time` (time is the step index; options.ode.step_scale = ε scales the latent
// step and leaves the times whole), built by `potential_flow_options<B>::paper_rule(T, ε)`.
// `ode_method::euler` with step ε evaluates ∇u at t = kε instead (the same points when ε = 1).
// The same flow with Heun, RK4 or adaptive dopri5 (the default of these options: the continuous
// flow) is one option away, and `normalize_gradient` follows ∇u/‖∇u‖ instead (WarpedGANSpace's
// rule: constant speed along the warp). Everything else is integrate_ode (see its table).
//
//     auto o = latentwalk::potential_flow_options<B>::paper_rule(10);   // T = 10 unit steps
//     auto sol = latentwalk::potential_flow(u, z0, o);   // sol.path.points: z_0 … z_10, times 0 … 10
//                                                         // 10 gradients (no direction at z_10)
//
// Errors: as integrate_ode, plus dimension_error when z0 does not have the field's dimension or the
// potential's gradient comes back with another length, numerical_error when the gradient or a
// recorded value comes back NaN/Inf, or the gradient is zero while `normalize_gradient` is on.
#include <cmath>
#include <string>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"
#include "integrate_ode.hpp"

namespace latentwalk {

enum class flow_direction {
    ascent,   ///< dz/dt = +∇u (the paper's forward rule)
    descent   ///< dz/dt = −∇u (the negative direction)
};

template <class B>
struct potential_flow_options {
    ode_options<B> ode{};                       ///< method, interval, steps, tolerances, projection
    flow_direction direction = flow_direction::ascent;
    bool normalize_gradient = false;            ///< follow ∇u/‖∇u‖ (unit speed)
    bool record_potential = false;              ///< diagnostics["potential"][i] = u(z_i, t_i) (host; batch max)

    /// The paper's rule: `steps` unit time steps from t = 0 (t1 = steps), latent step ε·∇u.
    static potential_flow_options paper_rule(long long steps, double step_scale = 1.0) {
        potential_flow_options o;
        o.ode.method = ode_method::integer_time;
        o.ode.t0 = 0.0;
        o.ode.t1 = static_cast<double>(steps);
        o.ode.steps = steps;
        o.ode.step_scale = step_scale;
        o.ode.final_direction = false;  // T steps, T gradients, as the paper's loop
        return o;
    }
};

namespace detail {
template <class U>
vector_t<typename U::backend> flow_velocity(const U& u, const vector_t<typename U::backend>& z, double t,
                                            double sign, bool normalize) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    vector_t<B> g = u.gradient(z, backend_traits<B>::constant(z, t));
    check_model_vector<B>("potential_flow", "the potential's gradient(z, t) at t = " + detail::number(t), g,
                          static_cast<long long>(u.dim()), "its dim()");
    if (normalize) {
        const auto nrm = T::norm(g);
        if (T::host_min(nrm) <= 0.0)
            throw numerical_error(sentence("potential_flow", "the gradient of the potential vanishes at t = " +
                                                                 detail::number(t) +
                                                                 ", so the normalized gradient is undefined there."));
        return T::scale(g, static_cast<scalar_t<B>>(sign) / nrm);
    }
    return sign > 0 ? g : T::scale(g, scalar_t<B>(-1));
}
}  // namespace detail

template <class U, class... Args>
    requires(!PotentialField<U>)
auto potential_flow(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
}

/// Integrates dz/dt = ±∇u(z, t) (or the normalized gradient) from z0; see the header comment.
template <PotentialField U>
ode_solution<typename U::backend> potential_flow(const U& u, const vector_t<typename U::backend>& z0,
                                                 const potential_flow_options<typename U::backend>& options = {}) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    using B = typename U::backend;
    using T = backend_traits<B>;
    detail::require_length<B>("potential_flow", "z0", z0, static_cast<long long>(u.dim()), "the potential's dimension");
    detail::require_finite<B>("potential_flow", "z0", z0);
    const double sign = options.direction == flow_direction::ascent ? 1.0 : -1.0;
    const bool normalize = options.normalize_gradient;
    auto rhs = [&u, sign, normalize](const vector_t<B>& z, double t) {
        return detail::flow_velocity(u, z, t, sign, normalize);
    };
    auto sol = integrate_ode<B>(rhs, z0, options.ode);
    if (options.record_potential) {
        auto& series = sol.path.diagnostics["potential"];
        series.reserve(sol.path.size());
        for (std::size_t i = 0; i < sol.path.size(); ++i) {
            const auto& zi = sol.path.points[i];
            const auto ui = u.value(zi, T::constant(zi, sol.path.times[i]));
            if (!std::isfinite(T::host_max(ui)) || !std::isfinite(T::host_min(ui)))
                throw numerical_error(detail::sentence(
                    "potential_flow", "the potential's value(z, t) came back with NaN or Inf at point " +
                                          detail::number(i) + " (t = " + detail::number(sol.path.times[i]) +
                                          ") while recording it (options.record_potential)."));
            series.push_back(T::host_max(ui));
        }
    }
    return sol;
}

}  // namespace latentwalk
