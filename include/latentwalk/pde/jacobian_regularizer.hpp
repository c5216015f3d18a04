#pragma once
// latentwalk/pde/jacobian_regularizer.hpp — L_J = −‖J_G(z) ∇_z u(z, t)‖² (Song et al., eq. 6):
// minimizing it makes the flow direction change the generator's output a lot. One JVP of the
// generator (derived from its vjp or jacobian when it has no jvp; see latentwalk/derivatives.hpp).
//
// | option (jacobian_regularizer_options) | paper (default)          | released code (`released_code()`)          |
// |---------------------------------------|--------------------------|--------------------------------------------|
// | point                                 | `paper`: J_G(z) ∇u(z, t) | `shifted`: z′ = z + ∇u(z, t),              |
// |                                       |                          | J_G(z′) ∇u(z′, t + 1)                      |
// | mean_over_outputs                     | false: ‖·‖² summed       | true: divided by output_dim (torch.mean    |
// |                                       |                          | over the image)                            |
// The shifted form costs one more gradient of u. The torch trainer's flow_loss has the same rows.
#include <string>

#include "../concepts/generator.hpp"
#include "../concepts/potential_field.hpp"
#include "../derivatives.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"

namespace latentwalk {

enum class jacobian_regularizer_point {
    paper,   ///< J_G(z) ∇u(z, t)
    shifted  ///< J_G(z′) ∇u(z′, t + 1), z′ = z + ∇u(z, t) (the released code)
};

struct jacobian_regularizer_options {
    jacobian_regularizer_point point = jacobian_regularizer_point::paper;
    bool mean_over_outputs = false;  ///< divide ‖J v‖² by output_dim (the released code's mean)

    static jacobian_regularizer_options released_code() { return {jacobian_regularizer_point::shifted, true}; }
};

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
                                                         const vector_t<typename U::backend>& z, double t,
                                                         const jacobian_regularizer_options& options = {}) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    if (static_cast<long long>(g.latent_dim()) != static_cast<long long>(u.dim()))
        throw dimension_error(detail::sentence(
            "jacobian_regularizer", "the generator's latent dimension " + detail::number(g.latent_dim()) +
                                        " differs from the potential's dimension " + detail::number(u.dim()) + "."));
    detail::validate_field_point("jacobian_regularizer", u, z, t);
    auto grad = u.gradient(z, backend_traits<B>::constant(z, t));
    detail::require_finite_result<B>("jacobian_regularizer", "the potential's gradient", grad);
    auto at = z;
    if (options.point == jacobian_regularizer_point::shifted) {
        at = T::add(z, grad);
        grad = u.gradient(at, backend_traits<B>::constant(at, t + 1.0));
        detail::require_finite_result<B>("jacobian_regularizer", "the potential's gradient at the shifted point", grad);
    }
    const auto jv = detail::jvp_unchecked(g, at, grad, "jacobian_regularizer");
    const auto sq = T::dot(jv, jv);
    if (options.mean_over_outputs)
        return -(sq * static_cast<scalar_t<B>>(1.0 / static_cast<double>(g.output_dim())));
    return -sq;
}

}  // namespace latentwalk
