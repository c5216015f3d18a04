#pragma once
// latentwalk/traversal/project_onto_local_subspace.hpp — the part of a direction that lies in the
// local k-dimensional subspace of a generator at z (Local Basis's subspace traversal).
//
// With J(z) = U Σ Vᵀ (thin, σ descending):
//   subspace_side::latent   d ∈ Rⁿ ↦ V_k V_kᵀ d   (the latent directions that move the output most)
//   subspace_side::output   d ∈ Rᵐ ↦ U_k U_kᵀ d   (the tangent space of the learned manifold at g(z))
// One tangent_basis(g, z, k, options) (see latentwalk/tangent/tangent_basis.hpp for the methods).
//
// Errors: dimension_error (z or direction of the wrong length, k > min(n, m)),
// invalid_argument_error (k < 1), numerical_error (NaN/Inf).
#include <string>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../latent_space.hpp"
#include "../tangent/tangent_basis.hpp"
#include "../detail/traversal_support.hpp"

namespace latentwalk {

enum class subspace_side { latent, output };

namespace detail {
inline void require_subspace_rank(const char* where, long long k, long long r) {
    if (k < 1)
        throw invalid_argument_error(sentence(where, "k = " + detail::number(k) + "; a subspace needs k ≥ 1."));
    if (k > r)
        throw dimension_error(sentence(where, "k = " + detail::number(k) + " is outside 1.." + detail::number(r) +
                                                  " (the Jacobian has min(n, m) = " + detail::number(r) +
                                                  " singular directions)."));
}

template <class B, class Basis>
vector_t<B> project_with(const Basis& basis, long long k, const vector_t<B>& d) {
    using T = backend_traits<B>;
    const auto Bk = T::block_cols(basis, 0, static_cast<index_t<B>>(k));
    return T::matvec(Bk, T::tmatvec(Bk, d));
}
}  // namespace detail

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto project_onto_local_subspace(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

template <DifferentiableGenerator G>
vector_t<typename G::backend> project_onto_local_subspace(const G& g, const vector_t<typename G::backend>& z,
                                                          const vector_t<typename G::backend>& direction, long long k,
                                                          subspace_side side = subspace_side::latent,
                                                          const tangent_basis_options& options = {}) {
    using B = typename G::backend;
    const char* where = "project_onto_local_subspace";
    detail::validate_latent(where, g, z);
    const long long r = std::min<long long>(g.latent_dim(), g.output_dim());
    detail::require_subspace_rank(where, k, r);
    const bool latent = side == subspace_side::latent;
    detail::require_length<B>(where, "direction", direction,
                              static_cast<long long>(latent ? g.latent_dim() : g.output_dim()),
                              latent ? "the generator's latent dimension" : "the generator's output dimension");
    detail::require_finite<B>(where, "direction", direction);
    const auto tb = tangent_basis(g, z, k, options);
    return latent ? detail::project_with<B>(tb.latent_basis, k, direction)
                  : detail::project_with<B>(tb.output_basis, k, direction);
}

/// z and/or the direction tagged with their space (latentwalk/latent_space.hpp): z must live in g's
/// input space, the direction in the input space (side latent) or the output space (side output).
template <DifferentiableGenerator G, class Z, class D>
    requires(detail::SpaceTagged<Z> || detail::SpaceTagged<D>) && detail::VectorOrTagged<Z, typename G::backend> &&
            detail::VectorOrTagged<D, typename G::backend>
vector_t<typename G::backend> project_onto_local_subspace(const G& g, const Z& z, const D& direction, long long k,
                                                          subspace_side side = subspace_side::latent,
                                                          const tangent_basis_options& options = {}) {
    using B = typename G::backend;
    const char* where = "project_onto_local_subspace";
    const bool latent = side == subspace_side::latent;
    return project_onto_local_subspace(
        g, detail::untag<B>(where, "z", z, input_space_of(g), "the generator's input space"),
        detail::untag<B>(where, "the direction", direction, latent ? input_space_of(g) : output_space_of(g),
                         latent ? "the generator's input space (side latent)"
                                : "the generator's output space (side output)"),
        k, side, options);
}

}  // namespace latentwalk
