#pragma once
// The randomized method: the Halko–Martinsson–Tropp range finder (randomized_range_finder.hpp)
// with a Gaussian test matrix Ω (n×ℓ, ℓ = min(k + p, min(n, m))) and q power iterations, then a
// Rayleigh–Ritz step on the latent side: with P̂ the right singular vectors of QᵀJ (n×ℓ),
// SVD(J P̂) = Û Σ Ŵᵀ gives the triplets (σᵢ, ûᵢ, P̂ ŵᵢ) with J vᵢ = σᵢ uᵢ exactly. Without that
// step the values of QᵀJ underestimate the small singular values. Finally k VJPs measure the
// residuals ‖Jᵀuᵢ − σᵢvᵢ‖ for the report.
// Products: ℓ(2q + 2) for the range finder, ℓ JVPs for Rayleigh–Ritz, k VJPs for the residuals:
// ℓ(2q + 3) + k in all (q = 1, p = 10: 5(k + 10) + k ≤ 3·2(k + 10)).
// A batch of latent codes runs in one pass (each product batched); each sample draws its own Ω
// (random_normal draws sample after sample, so sample 0 gets the unbatched call's Ω).
#include <random>
#include <vector>

#include "../randomized_range_finder.hpp"
#include "../../detail/linalg/gram_schmidt.hpp"
#include "../../detail/linalg/sign_convention.hpp"
#include "argument_checks.hpp"
#include "residual_report.hpp"

namespace latentwalk::detail {

template <class CG>
tangent_basis_result<typename CG::backend> randomized_tangent_basis(const CG& cg,
                                                                    const vector_t<typename CG::backend>& z,
                                                                    index_t<typename CG::backend> k,
                                                                    index_t<typename CG::backend> ell,
                                                                    int power_iterations, double rel_tol,
                                                                    std::uint64_t seed) {
    using B = typename CG::backend;
    using T = backend_traits<B>;
    const auto n = static_cast<index_t<B>>(cg.latent_dim());
    std::mt19937_64 rng(seed);
    const auto Omega = T::random_normal(z, n, ell, rng);
    const auto rf = range_finder_unchecked(cg, z, Omega, power_iterations);
    // Rayleigh–Ritz: SVD of J·P̂ on the ℓ-dimensional latent subspace.
    const auto svd = T::thin_svd(jvp_block(cg, z, rf.latent_basis));
    tangent_basis_result<B> res{T::block_cols(svd.U, 0, k), T::matmul(rf.latent_basis, T::block_cols(svd.V, 0, k)),
                                T::head(svd.S, k), {}};
    require_finite_result<B>("tangent_basis", "the randomized singular values", res.singular_values);
    linalg::apply_sign_convention<B>(res.output_basis, res.latent_basis);
    std::vector<vector_t<B>> residuals;  // per sample, so that a batch is measured in one pass
    for (index_t<B> i = 0; i < k; ++i) {
        const auto r = T::sub(vjp_unchecked(cg, z, T::col(res.output_basis, i)),
                              T::scale(T::col(res.latent_basis, i), T::element(res.singular_values, i)));
        residuals.push_back(T::lift(z, T::norm(r)));
    }
    res.report.method = tangent_method::randomized;
    res.report.subspace_dimension = static_cast<long long>(ell);
    finish_batched_residuals<B>(res.report, residuals, res.singular_values, rel_tol);
    copy_counts(res.report, cg);
    return res;
}

}  // namespace latentwalk::detail
