#pragma once
// latentwalk/pde/jacobian_regularizer.hpp — L_J = −‖J_G(z) ∇_z u(z, t)‖² (Song et al., eq. 6):
// minimizing it makes the flow direction change the generator's output a lot. One JVP of the
// generator (derived from its vjp or jacobian when it has no jvp; see latentwalk/derivatives.hpp).
#include <string>

#include "../concepts/generator.hpp"
#include "../concepts/potential_field.hpp"
#include "../derivatives.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"

namespace latentwalk {

template <class G, class U, class... Args>
    requires(!(DifferentiableGenerator<G> && PotentialField<U>))
auto jacobian_regularizer(const G&, const U&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
}

/// −‖J_G(z) ∇u(z, t)‖². Throws dimension_error when the generator's latent dimension and the
/// potential's dimension differ or z has another length; numerical_error on NaN/Inf.
template <DifferentiableGenerator G, PotentialField U>
    requires std::same_as<typename G::backend, typename U::backend>
batch_scalar_t<typename U::backend> jacobian_regularizer(const G& g, const U& u,
                                                         const vector_t<typename U::backend>& z, double t) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    if (static_cast<long long>(g.latent_dim()) != static_cast<long long>(u.dim()))
        throw dimension_error(detail::sentence(
            "jacobian_regularizer", "the generator's latent dimension " + std::to_string(g.latent_dim()) +
                                        " differs from the potential's dimension " + std::to_string(u.dim()) + "."));
    detail::validate_field_point("jacobian_regularizer", u, z, t);
    const auto grad = u.gradient(z, backend_traits<B>::constant(z, t));
    detail::require_finite_result<B>("jacobian_regularizer", "the potential's gradient", grad);
    const auto jv = detail::jvp_unchecked(g, z, grad);
    return -T::dot(jv, jv);
}

}  // namespace latentwalk
