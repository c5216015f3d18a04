#pragma once
// latentwalk/tangent/pullback_metric.hpp — the pull-back metric G(z) = J(z)ᵀ J(z) (n×n).
//
// The Riemannian metric the generator induces on latent space: the squared length of a latent
// step dz is dzᵀ G dz = ‖J dz‖². Its eigenvalues are σᵢ² and its eigenvectors the latent basis.
// Cost: one Jacobian (the generator's own, or min(n, m) products) and one n×m·m×n product.
// Throws dimension_error / numerical_error on a bad z; g and z are only read.
#include "../concepts/generator.hpp"
#include "../derivatives.hpp"

namespace latentwalk {

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto pullback_metric(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

/// G(z) = J(z)ᵀ J(z).
template <DifferentiableGenerator G>
matrix_t<typename G::backend> pullback_metric(const G& g, const vector_t<typename G::backend>& z) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using T = backend_traits<typename G::backend>;
    detail::validate_latent("pullback_metric", g, z);
    const auto J = detail::jacobian_unchecked(g, z, "pullback_metric");
    detail::require_finite_result<typename G::backend>("pullback_metric", "the generator's Jacobian", J);
    return T::tmatmul(J, J);
}

}  // namespace latentwalk
