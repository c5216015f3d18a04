#pragma once
// latentwalk/tangent/low_rank_error.hpp — how well the top-k local basis approximates J(z).
//
// By Eckart–Young–Mirsky the best rank-k approximation J_k = U_k Σ_k V_kᵀ has errors
//     ‖J − J_k‖₂ = σ_{k+1}            ‖J − J_k‖_F = sqrt(σ²_{k+1} + … + σ²_r)
// (0 when k = r = min(n, m)); the relative forms divide by ‖J‖₂ = σ₁ and ‖J‖_F. k = 0 is allowed
// (the error of the zero approximation, ‖J‖). Uses the dense spectrum (local_stretch_factors);
// the numbers go to host (one set per latent point).
// Throws dimension_error when k > min(n, m) or z is bad, invalid_argument_error when k < 0.
#include <algorithm>
#include <cmath>
#include <string>

#include "local_stretch_factors.hpp"

namespace latentwalk {

struct low_rank_error_result {
    double spectral = 0.0;             ///< ‖J − J_k‖₂ = σ_{k+1}
    double frobenius = 0.0;            ///< ‖J − J_k‖_F
    double relative_spectral = 0.0;    ///< σ_{k+1} / σ₁ (0 when J = 0)
    double relative_frobenius = 0.0;   ///< ‖J − J_k‖_F / ‖J‖_F (0 when J = 0)
};

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
low_rank_error_result low_rank_error(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    return {};
}

/// Errors of the best rank-k approximation of J(z).
template <DifferentiableGenerator G>
low_rank_error_result low_rank_error(const G& g, const vector_t<typename G::backend>& z, long long k) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    const long long r = std::min<long long>(g.latent_dim(), g.output_dim());
    if (k < 0)
        throw invalid_argument_error(
            detail::sentence("low_rank_error", "k is " + detail::number(k) + "; it must be ≥ 0."));
    if (k > r)
        throw dimension_error(detail::sentence("low_rank_error", "k is " + detail::number(k) +
                                                                     " but the Jacobian has only min(n, m) = " +
                                                                     detail::number(r) + " singular values."));
    const auto s = backend_traits<B>::to_host(local_stretch_factors(g, z));
    low_rank_error_result e;
    double tail = 0.0, total = 0.0;
    // Sum from the smallest up, so tiny tails are not swamped by rounding.
    for (std::size_t i = s.size(); i-- > 0;) {
        total += s[i] * s[i];
        if (static_cast<long long>(i) >= k) tail += s[i] * s[i];
    }
    e.spectral = k < r ? s[static_cast<std::size_t>(k)] : 0.0;
    e.frobenius = std::sqrt(tail);
    if (!s.empty() && s[0] > 0) {
        e.relative_spectral = e.spectral / s[0];
        e.relative_frobenius = e.frobenius / std::sqrt(total);
    }
    return e;
}

}  // namespace latentwalk
