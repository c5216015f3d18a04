#pragma once
// latentwalk/pde/initial_condition_loss.hpp — L_u = ‖∇_z u(z₀, 0)‖² (Song et al., eq. 4): the flow
// starts at rest. (The released code takes the mean over the d entries, i.e. this value / d.)
#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"

namespace latentwalk {

template <class U, class... Args>
    requires(!PotentialField<U>)
auto initial_condition_loss(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
}

/// ‖∇u(z0, t0)‖² with t0 = 0 by default. Throws dimension_error / numerical_error on bad z0.
template <PotentialField U>
batch_scalar_t<typename U::backend> initial_condition_loss(const U& u, const vector_t<typename U::backend>& z0,
                                                           double t0 = 0.0) {
    using B = typename U::backend;
    detail::validate_field_point("initial_condition_loss", u, z0, t0);
    const auto g = u.gradient(z0, backend_traits<B>::constant(z0, t0));
    return backend_traits<B>::dot(g, g);
}

}  // namespace latentwalk
