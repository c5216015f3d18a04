#pragma once
// latentwalk/traversal/potential_flow.hpp — traversal as the gradient flow of a potential.
//
// Song et al. (ICML 2023) move a latent code along dz/dt = ±∇_z u(z, t); their discrete rule
// z_{k+1} = z_k ± ε ∇u(z_k, t_k) is `ode_method::euler` with step ε (t1 = t0 + steps·ε; their
// released code uses ε = 1, t = 0, 1, 2, ...). The same flow with Heun, RK4 or adaptive dopri5 is
// one option away, and `normalize_gradient` follows ∇u/‖∇u‖ instead (WarpedGANSpace's rule:
// constant speed along the warp). Everything else is integrate_ode (see its table).
//
//     latentwalk::potential_flow_options<B> o;
//     o.ode.method = latentwalk::ode_method::euler; o.ode.steps = 10; o.ode.t1 = 10.0;
//     auto sol = latentwalk::potential_flow(u, z0, o);   // sol.path.points: z_0 … z_10
//
// Errors: as integrate_ode, plus dimension_error when z0 does not have the field's dimension,
// numerical_error when the gradient is zero while `normalize_gradient` is on.
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
};

namespace detail {
template <class U>
vector_t<typename U::backend> flow_velocity(const U& u, const vector_t<typename U::backend>& z, double t,
                                            double sign, bool normalize) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    auto g = u.gradient(z, backend_traits<B>::constant(z, t));
    if (normalize) {
        const auto nrm = T::norm(g);
        if (T::host_min(nrm) <= 0.0)
            throw numerical_error(sentence("potential_flow", "the gradient of the potential vanishes at t = " +
                                                                 std::to_string(t) +
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
        for (std::size_t i = 0; i < sol.path.size(); ++i)
            series.push_back(
                T::host_max(u.value(sol.path.points[i], backend_traits<B>::constant(sol.path.points[i], sol.path.times[i]))));
    }
    return sol;
}

}  // namespace latentwalk
