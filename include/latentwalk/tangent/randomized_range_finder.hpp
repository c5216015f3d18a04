#pragma once
// latentwalk/tangent/randomized_range_finder.hpp — the Halko–Martinsson–Tropp range finder of J(z)
// for a given test matrix Ω, matrix-free.
//
//     auto rf = latentwalk::randomized_range_finder(g, z, Omega, 2);   // Omega: n×ℓ, q = 2
//     rf.Q                // m×ℓ orthonormal basis of range((J Jᵀ)^q J Ω)
//     rf.singular_values  // singular values of Qᵀ J, descending (each ≤ the true σᵢ)
//
// Procedure (Halko, Martinsson & Tropp 2011, Alg. 4.4, "randomized subspace iteration"):
//     Q ← orth(J Ω);  q times: P ← orth(Jᵀ Q), Q ← orth(J P);  then W = Jᵀ Q = P̂ Σ Xᵀ (thin SVD).
// Every product block is re-orthonormalized (thin_qr) before the next one, so that power
// iterations do not lose the small singular directions to rounding. Products: ℓ(2q + 2)
// (ℓ(2q + 1) JVPs and VJPs for Q, ℓ VJPs for W). The SVD of W = (QᵀJ)ᵀ gives the approximate
// singular values Σ, the latent basis P̂ (right singular vectors of QᵀJ, n×ℓ) and the output basis
// Q X. These are *not* Rayleigh–Ritz values of the latent space: for that, tangent_basis's
// randomized method adds one more block product (SVD of J·P̂).
//
// Throws dimension_error when Ω does not have n rows or has more than min(n, m) columns (the
// thin QR of the m×ℓ and n×ℓ blocks needs ℓ ≤ min(n, m)) or none, numerical_error on NaN in z or Ω.
#include <algorithm>
#include <string>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../detail/counting_generator.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
struct range_finder_result {
    matrix_t<B> Q;                ///< m×ℓ orthonormal: the approximate range of J
    vector_t<B> singular_values;  ///< ℓ singular values of Qᵀ J, descending
    matrix_t<B> output_basis;     ///< m×ℓ left singular vectors of J restricted to range(Q): Q X
    matrix_t<B> latent_basis;     ///< n×ℓ right singular vectors of Qᵀ J
    long long jvp_count = 0;
    long long vjp_count = 0;
    long long jacobian_count = 0;
};

namespace detail {

/// The range finder on an adaptor (products counted by the caller).
template <class CG>
range_finder_result<typename CG::backend> range_finder_unchecked(const CG& cg, const vector_t<typename CG::backend>& z,
                                                                 const matrix_t<typename CG::backend>& Omega,
                                                                 int power_iterations) {
    using B = typename CG::backend;
    using T = backend_traits<B>;
    auto Q = T::thin_qr(jvp_block(cg, z, Omega)).Q;
    for (int i = 0; i < power_iterations; ++i) {
        const auto P = T::thin_qr(vjp_block(cg, z, Q)).Q;
        Q = T::thin_qr(jvp_block(cg, z, P)).Q;
    }
    const auto W = vjp_block(cg, z, Q);  // W = Jᵀ Q = (Qᵀ J)ᵀ
    const auto svd = T::thin_svd(W);     // W = P̂ Σ Xᵀ  ⇒  Qᵀ J = X Σ P̂ᵀ
    range_finder_result<B> r;
    r.output_basis = T::matmul(Q, svd.V);
    r.Q = std::move(Q);
    r.singular_values = svd.S;
    r.latent_basis = svd.U;
    return r;
}

}  // namespace detail

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto randomized_range_finder(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

/// Range finder of J(z) for the test matrix Ω (n×ℓ) with q power iterations; see the file comment.
template <DifferentiableGenerator G>
range_finder_result<typename G::backend> randomized_range_finder(const G& g, const vector_t<typename G::backend>& z,
                                                                 const matrix_t<typename G::backend>& Omega,
                                                                 int power_iterations = 0) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    constexpr const char* where = "randomized_range_finder";
    detail::validate_latent(where, g, z);
    const long long n = static_cast<long long>(g.latent_dim());
    const long long m = static_cast<long long>(g.output_dim());
    detail::require_shape<B>(where, "Omega", Omega, n, -1);
    const long long ell = static_cast<long long>(T::cols(Omega));
    if (ell < 1 || ell > std::min(n, m))
        throw dimension_error(detail::sentence(where, "Omega has " + detail::number(ell) +
                                                          " columns; it needs between 1 and min(n, m) = " +
                                                          detail::number(std::min(n, m)) + "."));
    detail::require_finite<B>(where, "Omega", Omega);
    if (power_iterations < 0 || power_iterations > 1000)
        throw invalid_argument_error(detail::sentence(where, "power_iterations is " + detail::number(power_iterations) +
                                                                 "; it must be between 0 and 1000."));
    const detail::counting_generator<G> cg(g, where);
    auto r = detail::range_finder_unchecked(cg, z, Omega, power_iterations);
    r.jvp_count = cg.jvps;
    r.vjp_count = cg.vjps;
    r.jacobian_count = cg.jacobians;
    return r;
}

}  // namespace latentwalk
