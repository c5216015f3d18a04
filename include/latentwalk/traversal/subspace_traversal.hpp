#pragma once
// latentwalk/traversal/subspace_traversal.hpp — walk a global latent direction d inside the local
// subspaces: at each point z, step ε along the unit vector of V_k(z) V_k(z)ᵀ d (Local Basis's
// subspace traversal; it tests whether a global direction stays meaningful as the basis turns).
// Both sides of z₀ (negative side first) unless `both_sides` is off. Diagnostics: "retained" =
// ‖V_k V_kᵀ d‖/‖d‖ at each point (1: d lies in the local subspace; 0: orthogonal to it).
//
// Errors: as project_onto_local_subspace, plus invalid_argument_error (steps < 1, zero step) and
// numerical_error when d has no component in a local subspace (nothing to follow) or is zero.
#include <string>
#include <vector>

#include "../concepts/generator.hpp"
#include "../tangent/tangent_basis.hpp"
#include "../detail/traversal_support.hpp"
#include "project_onto_local_subspace.hpp"
#include "trajectory.hpp"

namespace latentwalk {

struct subspace_traversal_options {
    bool both_sides = true;
    bool record_outputs = true;
    tangent_basis_options basis{};  ///< how tangent_basis computes V_k at each point
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
    detail::validate_latent(where, g, z0);
    detail::require_subspace_rank(where, k, std::min<long long>(g.latent_dim(), g.output_dim()));
    detail::require_length<B>(where, "direction", direction, static_cast<long long>(g.latent_dim()),
                              "the generator's latent dimension");
    detail::require_finite<B>(where, "direction", direction);
    detail::require_positive_count(where, "steps", steps);
    detail::require_nonzero_finite_step(where, "step", step);
    const double dnorm = T::host_value(T::norm(direction));
    if (!(dnorm > 0.0)) throw numerical_error(detail::sentence(where, "the direction is zero."));

    // unit projected direction at z, and the retained fraction
    auto local = [&](const vector_t<B>& z) {
        const auto tb = tangent_basis(g, z, k, options.basis);
        const auto p = detail::project_with<B>(tb.latent_basis, k, direction);
        const double pn = T::host_value(T::norm(p));
        if (!(pn > 1e-12 * dnorm))
            throw numerical_error(detail::sentence(where, "the direction has no component in the local " +
                                                              std::to_string(k) + "-dimensional subspace at a point "
                                                              "of the traversal, so there is nothing to follow."));
        return std::pair<vector_t<B>, double>{T::scale(p, S(1.0 / pn)), pn / dnorm};
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
        if (options.record_outputs) path.outputs.push_back(g(p.z));
    };
    for (std::size_t i = neg.size(); i-- > 0;) push(neg[i], -static_cast<double>(i + 1) * step);
    path.start_index = neg.size();
    const auto [d0, r0] = local(z0);
    push(pt{z0, d0, r0}, 0.0);
    for (std::size_t i = 0; i < pos.size(); ++i) push(pos[i], static_cast<double>(i + 1) * step);
    return path;
}

}  // namespace latentwalk
