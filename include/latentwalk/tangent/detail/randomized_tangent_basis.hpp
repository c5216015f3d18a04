#pragma once
// The randomized method: the Halko–Martinsson–Tropp range finder (randomized_range_finder.hpp)
// with a Gaussian test matrix Ω (n×ℓ, ℓ = min(k + p, min(n, m))) and q power iterations, then a
// Rayleigh–Ritz step on the latent side: with P̂ the right singular vectors of QᵀJ (n×ℓ),
// SVD(J P̂) = Û Σ Ŵᵀ gives the triplets (σᵢ, ûᵢ, P̂ ŵᵢ) with J vᵢ = σᵢ uᵢ exactly. Without that
// step the values of QᵀJ underestimate the small singular values. Finally k VJPs (one block)
// measure the residuals ‖Jᵀuᵢ − σᵢvᵢ‖.
// Products of the first pass: ℓ(2q + 2) for the range finder, ℓ JVPs for Rayleigh–Ritz, k VJPs for
// the residuals: ℓ(2q + 3) + k (q = 1, p = 10: 5(k + 10) + k).
//
// Adaptive power iterations (options.adaptive_power_iterations, on by default; a latentwalk rule,
// not Halko et al.'s fixed q): while the residuals miss the tolerance, one more subspace iteration
// runs, Q ← Û. That IS the next power iteration: range(J P̂) = range(J Jᵀ Q), so it costs no extra
// product; the new pass costs ℓ VJPs (W = JᵀQ), ℓ JVPs (Rayleigh–Ritz) and k VJPs (residuals),
// 2ℓ + k in all. It stops when the residuals meet the tolerance, after max_power_iterations in all,
// or before a pass would take the products past `product_budget` (automatic on a batch sets it to
// dense's count and then falls back to dense: tangent_basis.hpp). On a slowly decaying spectrum
// (σ_{ℓ+1}/σ_k near 1, a mapping-like network) subspace iteration converges slowly and dense wins.
//
// A batch of latent codes runs in one pass (each product block batched); each sample draws its own Ω
// (random_normal draws sample after sample, so sample 0 gets the unbatched call's Ω).
#include <random>
#include <vector>

#include "../randomized_range_finder.hpp"
#include "../../detail/linalg/gram_schmidt.hpp"
#include "../../detail/linalg/sign_convention.hpp"
#include "argument_checks.hpp"
#include "residual_report.hpp"

namespace latentwalk::detail {

struct randomized_schedule {
    int power_iterations = 1;       ///< q of the first pass
    bool adaptive = true;           ///< go on while unconverged
    int max_power_iterations = 50;  ///< q at most, adaptive passes included
    long long product_budget = -1;  ///< stop before a pass takes JVPs + VJPs past this (< 0: none)
    std::size_t block_bytes = default_block_memory_bytes;
};

template <class CG>
tangent_basis_result<typename CG::backend> randomized_tangent_basis(const CG& cg,
                                                                    const vector_t<typename CG::backend>& z,
                                                                    index_t<typename CG::backend> k,
                                                                    index_t<typename CG::backend> ell,
                                                                    const randomized_schedule& plan, double rel_tol,
                                                                    std::uint64_t seed) {
    using B = typename CG::backend;
    using T = backend_traits<B>;
    const auto n = static_cast<index_t<B>>(cg.latent_dim());
    const auto bb = plan.block_bytes;
    std::mt19937_64 rng(seed);
    const auto Omega = T::random_normal(z, n, ell, rng);
    // The range finder's subspace iteration (randomized_range_finder.hpp), blocks batched.
    auto Q = T::thin_qr(jvp_block(cg, z, Omega, "tangent_basis", bb)).Q;
    for (int i = 0; i < plan.power_iterations; ++i) {
        const auto P = T::thin_qr(vjp_block(cg, z, Q, "tangent_basis", bb)).Q;
        Q = T::thin_qr(jvp_block(cg, z, P, "tangent_basis", bb)).Q;
    }
    int q = plan.power_iterations;
    const long long pass_cost = 2LL * static_cast<long long>(ell) + static_cast<long long>(k);
    tangent_basis_result<B> res;
    for (;;) {
        const auto W = vjp_block(cg, z, Q, "tangent_basis", bb);  // W = Jᵀ Q = (Qᵀ J)ᵀ = P̂ Σ Xᵀ
        const auto latent = T::thin_svd(W).U;                     // P̂, n×ℓ
        // Rayleigh–Ritz: SVD of J·P̂ on the ℓ-dimensional latent subspace.
        const auto svd = T::thin_svd(jvp_block(cg, z, latent, "tangent_basis", bb));
        res = tangent_basis_result<B>{T::block_cols(svd.U, 0, k), T::matmul(latent, T::block_cols(svd.V, 0, k)),
                                      T::head(svd.S, k), {}};
        require_finite_result<B>("tangent_basis", "the randomized singular values", res.singular_values);
        linalg::apply_sign_convention<B>(res.output_basis, res.latent_basis);
        const auto JtU = vjp_block(cg, z, res.output_basis, "tangent_basis", bb);
        std::vector<vector_t<B>> residuals;  // per sample, so that a batch is measured in one pass
        for (index_t<B> i = 0; i < k; ++i) {
            const auto r = T::sub(T::col(JtU, i), T::scale(T::col(res.latent_basis, i), T::element(res.singular_values, i)));
            residuals.push_back(T::lift(z, T::norm(r)));
        }
        finish_batched_residuals<B>(res.report, residuals, res.singular_values, rel_tol);
        if (res.report.converged || !plan.adaptive || q >= plan.max_power_iterations) break;
        if (plan.product_budget >= 0 && cg.jvps + cg.vjps + pass_cost > plan.product_budget) break;
        Q = svd.U;  // range(J P̂) = range(J Jᵀ Q): the next power iteration, already paid for
        ++q;
    }
    res.report.method = tangent_method::randomized;
    res.report.subspace_dimension = static_cast<long long>(ell);
    res.report.power_iterations = q;
    copy_counts(res.report, cg);
    return res;
}

}  // namespace latentwalk::detail
