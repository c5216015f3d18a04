#pragma once
// latentwalk/traversal/subspace_traversal.hpp — walk a global direction d inside the local
// subspaces of a generator (Local Basis's subspace traversal: does a global direction stay
// meaningful as the local basis turns?). Both sides of z₀ (negative side first) unless
// `both_sides` is off. With J(z) = U Σ Vᵀ (top k singular triplets at the current point):
//
// | side                      | d lives in      | projected direction at z    | latent step                          |
// |---------------------------|-----------------|-----------------------------|--------------------------------------|
// | subspace_side::latent     | Z (length n)    | p = V_k V_kᵀ d              | z ← z ± ε p/‖p‖  (latent moves ε)    |
// | subspace_side::output     | W (length m)    | p = U_k U_kᵀ d (tangent     | z ← z ± ε V_k Σ_k⁻¹ U_kᵀ d / ‖p‖     |
// |                           |                 | space of the manifold f(Z)) | (J·step = ±ε p/‖p‖: output moves ≈ ε)|
//
//     // a W-space direction (GANSpace PCA of w = mapping(z)) walked on the manifold through Z
//     auto path = latentwalk::subspace_traversal(mapping, z0, d_w, /*k*/ 5, /*steps*/ 10, /*ε*/ 0.2,
//                                                {.side = latentwalk::subspace_side::output});
//
// The output side is the one for W-space directions: Local Basis's local basis lives in W (the
// left singular vectors U of the mapping network's Jacobian), and a W direction is projected onto
// the tangent space U_k U_kᵀ there. Its latent step is the minimum-norm latent move whose first-order
// image is the projected direction, so the walk stays on the learned manifold (like Iterative
// Curve-Traversal) instead of stepping off it along w + ε p. On a linear generator g = A z + b both
// sides are straight lines: latent side z_i = z₀ + i ε p̂ with p̂ = V_kV_kᵀd/‖·‖; output side
// z_i = z₀ + i ε V_kΣ_k⁻¹U_kᵀd/‖U_kU_kᵀd‖ and g(z_i) = g(z₀) + i ε U_kU_kᵀd/‖U_kU_kᵀd‖ exactly.
//
// Diagnostics: "retained" = ‖p‖/‖d‖ at each point (1: d lies in the local subspace; 0: orthogonal to it).
// Directions: the latent step direction taken from each point (unit for the latent side; for the
// output side the vector whose image under J is the unit output direction), signed by the side.
// Cost per point: one tangent_basis(g, z, k) and, with record_outputs, one g(z).
//
// Errors: as project_onto_local_subspace, plus invalid_argument_error (steps < 1 or above
// detail::max_steps_per_call, zero step), dimension_error / numerical_error for a frame g(z) of the wrong
// length or with NaN/Inf, and
// numerical_error when d is zero, has no component in a local subspace (nothing to follow), or — on
// the output side — when one of the top k singular values is zero at a point (lower k).
#include <string>
#include <vector>

#include "../concepts/generator.hpp"
#include "../latent_space.hpp"
#include "../tangent/tangent_basis.hpp"
#include "../detail/traversal_support.hpp"
#include "project_onto_local_subspace.hpp"
#include "trajectory.hpp"

namespace latentwalk {

struct subspace_traversal_options {
    bool both_sides = true;
    bool record_outputs = true;
    /// latent: d in Z, projected on V_k (the default, as before); output: d in W, projected on U_k.
    subspace_side side = subspace_side::latent;
    tangent_basis_options basis{};  ///< how tangent_basis computes U_k, V_k at each point
};

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto subspace_traversal(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

template <DifferentiableGenerator G>
trajectory<typename G::backend> subspace_traversal(const G& g, const vector_t<typename G::backend>& z0,
                                                   const vector_t<typename G::backend>& direction, long long k,
                                                   long long steps, double step,
                                                   const subspace_traversal_options& options = {}) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const char* where = "subspace_traversal";
    const bool latent = options.side == subspace_side::latent;
    detail::validate_latent(where, g, z0);
    detail::require_subspace_rank(where, k, std::min<long long>(g.latent_dim(), g.output_dim()));
    detail::require_length<B>(where, "direction", direction,
                              static_cast<long long>(latent ? g.latent_dim() : g.output_dim()),
                              latent ? "the generator's latent dimension (side latent)"
                                     : "the generator's output dimension (side output)");
    detail::require_finite<B>(where, "direction", direction);
    detail::require_step_count(where, "steps", steps);
    detail::require_nonzero_finite_step(where, "step", step);
    const double dnorm = T::host_value(T::norm(direction));
    if (!(dnorm > 0.0)) throw numerical_error(detail::sentence(where, "the direction is zero."));

    // the latent step direction at z (see the table in the header comment), and the retained fraction
    auto local = [&](const vector_t<B>& z) {
        const auto tb = tangent_basis(g, z, k, options.basis);
        const auto kk = static_cast<index_t<B>>(k);
        const auto p = detail::project_with<B>(latent ? tb.latent_basis : tb.output_basis, k, direction);
        const double pn = T::host_value(T::norm(p));
        if (!(pn > 1e-12 * dnorm))
            throw numerical_error(detail::sentence(where, "the direction has no component in the local " +
                                                              detail::number(k) + "-dimensional subspace at a point "
                                                              "of the traversal, so there is nothing to follow."));
        if (latent) return std::pair<vector_t<B>, double>{T::scale(p, S(1.0 / pn)), pn / dnorm};
        const auto sk = T::head(tb.singular_values, kk);
        const double smax = T::max_abs(sk);
        const double smin = -T::host_max(-T::element(sk, kk - 1));  // the smallest over a batch
        if (!(smin > 1e-14 * smax))
            throw numerical_error(detail::sentence(
                where, "singular value " + detail::number(k) + " of the Jacobian is zero at a point of the traversal, "
                       "so no latent step realises the output direction there; lower k."));
        const auto Vk = T::block_cols(tb.latent_basis, 0, kk);
        const auto Uk = T::block_cols(tb.output_basis, 0, kk);
        const auto coeff = T::cwise_quotient(T::tmatvec(Uk, direction), sk);
        return std::pair<vector_t<B>, double>{T::scale(T::matvec(Vk, coeff), S(1.0 / pn)), pn / dnorm};
    };
    struct pt {
        vector_t<B> z, dir;
        double retained;
    };
    auto walk = [&](double side) {
        std::vector<pt> out;
        auto [d, ret] = local(z0);
        vector_t<B> z = z0;
        for (long long s = 0; s < steps; ++s) {
            z = T::axpy(S(side * step), d, z);
            auto [dn, rn] = local(z);
            out.push_back({z, T::scale(dn, S(side)), rn});
            d = std::move(dn);
        }
        return out;
    };
    const auto pos = walk(1.0);
    std::vector<pt> neg;
    if (options.both_sides) neg = walk(-1.0);
    trajectory<B> path;
    auto& retained = path.diagnostics["retained"];
    auto push = [&](const pt& p, double t) {
        path.points.push_back(p.z);
        path.times.push_back(t);
        path.directions.push_back(p.dir);
        retained.push_back(p.retained);
        if (options.record_outputs) path.outputs.push_back(detail::evaluate(where, g, p.z));
    };
    for (std::size_t i = neg.size(); i-- > 0;) push(neg[i], -static_cast<double>(i + 1) * step);
    path.start_index = neg.size();
    const auto [d0, r0] = local(z0);
    push(pt{z0, d0, r0}, 0.0);
    for (std::size_t i = 0; i < pos.size(); ++i) push(pos[i], static_cast<double>(i + 1) * step);
    return path;
}

/// z0 and/or the direction tagged with their space (latentwalk/latent_space.hpp): z0 must live in g's
/// input space; the direction in the input space (side latent) or the output space (side output).
template <DifferentiableGenerator G, class Z0, class D>
    requires(detail::SpaceTagged<Z0> || detail::SpaceTagged<D>) && detail::VectorOrTagged<Z0, typename G::backend> &&
            detail::VectorOrTagged<D, typename G::backend>
trajectory<typename G::backend> subspace_traversal(const G& g, const Z0& z0, const D& direction, long long k,
                                                   long long steps, double step,
                                                   const subspace_traversal_options& options = {}) {
    using B = typename G::backend;
    const char* where = "subspace_traversal";
    const bool latent = options.side == subspace_side::latent;
    return subspace_traversal(
        g, detail::untag<B>(where, "z0", z0, input_space_of(g), "the generator's input space"),
        detail::untag<B>(where, "the direction", direction, latent ? input_space_of(g) : output_space_of(g),
                         latent ? "the generator's input space (side latent)"
                                : "the generator's output space (side output)"),
        k, steps, step, options);
}

}  // namespace latentwalk
