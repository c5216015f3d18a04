#pragma once
// latentwalk/traversal/random_subspace_direction.hpp — a uniformly random unit direction inside the
// local k-dimensional latent subspace of a generator at z: V_k ξ/‖ξ‖ with ξ ~ N(0, I_k), so the
// direction is uniform on the unit sphere of span(V_k) (Local Basis's random subspace traversals).
// Pass it to linear_traversal or subspace_traversal. One tangent_basis(g, z, k, options).
//
// Errors: dimension_error (z of the wrong length, k > min(n, m)), invalid_argument_error (k < 1),
// numerical_error (NaN/Inf in z).
#include "../concepts/generator.hpp"
#include "../detail/traversal_support.hpp"
#include "../tangent/tangent_basis.hpp"
#include "project_onto_local_subspace.hpp"

namespace latentwalk {

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto random_subspace_direction(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

template <DifferentiableGenerator G, class Rng>
vector_t<typename G::backend> random_subspace_direction(const G& g, const vector_t<typename G::backend>& z, long long k,
                                                        Rng& rng, const tangent_basis_options& options = {}) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    const char* where = "random_subspace_direction";
    detail::validate_latent(where, g, z);
    detail::require_subspace_rank(where, k, std::min<long long>(g.latent_dim(), g.output_dim()));
    const auto tb = tangent_basis(g, z, k, options);
    const auto xi = T::random_normal(z, static_cast<index_t<B>>(k), rng);
    const auto d = T::matvec(tb.latent_basis, xi);
    return T::scale(d, scalar_t<B>(1) / T::norm(d));
}

}  // namespace latentwalk
