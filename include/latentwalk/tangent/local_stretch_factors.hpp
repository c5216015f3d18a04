#pragma once
// latentwalk/tangent/local_stretch_factors.hpp — all singular values σ₁ ≥ … ≥ σ_r of J(z), r = min(n, m).
//
// σᵢ is the factor by which the generator stretches a small latent step along the i-th latent
// basis direction: ‖f(z + h vᵢ) − f(z)‖ = σᵢ h + O(h²). The whole spectrum needs the dense
// Jacobian (the generator's own, or min(n, m) products) and a thin SVD; for the top k alone use
// tangent_basis(g, z, k).singular_values, which can be matrix-free.
// Throws dimension_error / numerical_error on a bad z; g and z are only read.
#include "../concepts/generator.hpp"
#include "../derivatives.hpp"

namespace latentwalk {

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto local_stretch_factors(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

/// The singular values of J(z), descending (length min(n, m)).
template <DifferentiableGenerator G>
vector_t<typename G::backend> local_stretch_factors(const G& g, const vector_t<typename G::backend>& z) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using T = backend_traits<typename G::backend>;
    detail::validate_latent("local_stretch_factors", g, z);
    const auto J = detail::jacobian_unchecked(g, z, "local_stretch_factors");
    detail::require_finite_result<typename G::backend>("local_stretch_factors", "the generator's Jacobian", J);
    return T::thin_svd(J).S;
}

}  // namespace latentwalk
