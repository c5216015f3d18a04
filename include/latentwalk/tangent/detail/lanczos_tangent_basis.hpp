#pragma once
// The Lanczos method: Golub–Kahan–Lanczos bidiagonalization of J(z), matrix-free (one JVP and
// one VJP per step), with full reorthogonalization (classical Gram–Schmidt applied twice against
// every previous basis vector) and thick restarts.
//
// One cycle builds orthonormal V = [v₀ … v_{ℓ−1}] (latent) and U = [u₀ … u_{ℓ−1}] (output) with
//     J V = U B,    Jᵀ U = V Bᵀ + β v_ℓ e_{ℓ−1}ᵀ,
// where B = Uᵀ J V is ℓ×ℓ (upper bidiagonal in the first cycle; after a restart its first kept
// columns are diag(σ) plus one column of couplings ρ). The SVD B = X Σ Yᵀ gives Ritz triplets
// (σᵢ, uᵢ = U xᵢ, vᵢ = V yᵢ) with J vᵢ = σᵢ uᵢ exactly and ‖Jᵀuᵢ − σᵢvᵢ‖ = |β X_{ℓ−1,i}|, so the
// residuals of both sides are known without further products. Because J V = U B with U
// orthonormal, SVD(B) *is* the Rayleigh–Ritz step "SVD of J·V" of the Krylov space: it costs no
// extra products.
//
// Thick restart (Wu–Simon / Baglama–Reichel): keep the top p = min(ℓ − 1, k + ⌈(ℓ − k)/2⌉) Ritz
// pairs and continue from v_ℓ; each restart costs 2(ℓ − p) products. Stop when the top k residuals
// are ≤ tol·σ₁, or after max_restarts restarts (flagged). Budget: 2ℓ + restarts·2(ℓ − p) products.
// Breakdown (α or β ≈ 0: an invariant subspace was found) continues from a random vector
// orthogonal to the basis, with a zero coupling, which keeps J V = U B exact.
//
// Batches (torch): the recurrences of a batch of codes run in lock step, each with its own Krylov
// space — every JVP/VJP is one batched call, the Gram–Schmidt coefficients, B (ℓ×ℓ per sample) and
// its SVD stay on the backend, batched. The per-point product count is the unbatched one (2ℓ per
// cycle plus the restarts); the batch restarts until every sample's top k residuals meet the
// tolerance, so a sample equals its unbatched call when both restart as often (sample 0 draws the
// unbatched call's v₀). A breakdown in some sample of a batch (J of rank below ℓ there: the random
// continuation above is per sample) cannot be taken in lock step: the function then reports it
// through `broke_down` and tangent_basis answers with the dense method (report.fell_back_to_dense).
#include <algorithm>
#include <random>
#include <span>
#include <vector>

#include "../../detail/linalg/gram_schmidt.hpp"
#include "../../detail/linalg/sign_convention.hpp"
#include "argument_checks.hpp"
#include "residual_report.hpp"

namespace latentwalk::detail {

template <class CG>
tangent_basis_result<typename CG::backend> lanczos_tangent_basis(const CG& cg, const vector_t<typename CG::backend>& z,
                                                                 index_t<typename CG::backend> k, index_t<typename CG::backend> ell,
                                                                 int max_restarts, double rel_tol, std::uint64_t seed,
                                                                 bool* broke_down = nullptr) {
    using B = typename CG::backend;
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    using I = index_t<B>;
    const auto n = static_cast<I>(cg.latent_dim());
    const auto m = static_cast<I>(cg.output_dim());
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const bool batched = T::batch_size(z) > 1;
    if (broke_down) *broke_down = false;
    std::mt19937_64 rng(seed);

    auto V = T::zeros(z, n, ell + 1);
    auto U = T::zeros(z, m, ell);
    auto Bm = T::zeros(z, ell, ell);  // B = Uᵀ J V, one per sample
    const auto Iell = T::identity(z, ell);

    {
        const auto v0 = T::random_normal(z, n, rng);
        T::set_col(V, 0, T::scale(v0, S(1) / T::norm(v0)));
    }
    I start = 0;           // first column to (re)build in this cycle
    double norm_est = 0;   // running estimate of ‖J‖ (over the batch) for breakdown tests
    int restarts = 0;
    auto coeffs = T::zeros(z, 0);
    auto last_beta = T::constant(z, 0.0);

    tangent_basis_result<B> res;
    auto give_up = [&] {  // a batch broke down: the caller answers densely
        if (broke_down) *broke_down = true;
        copy_counts(res.report, cg);
        return res;
    };
    while (true) {
        // ---- extend the factorization from column `start` to ℓ
        for (I j = start; j < ell; ++j) {
            const auto vj = T::col(V, j);
            auto w = linalg::orthogonalize_against<B>(U, j, jvp_unchecked(cg, z, vj), coeffs);
            const auto alpha = T::norm(w);
            norm_est = std::max(norm_est, T::host_max(alpha));
            const double threshold = 8 * eps * std::max(norm_est, 1e-300) * std::sqrt(double(std::max(n, m)));
            auto column = T::scale(T::unit(z, ell, j), alpha);
            if (T::host_min(alpha) <= threshold) {
                if (batched) return give_up();
                column = T::zeros(z, ell);  // J vⱼ lies in span(U): any unit direction orthogonal to U will do
                T::set_col(U, j, linalg::random_orthogonal_unit<B>(z, U, j, m, rng));
            } else {
                T::set_col(U, j, T::scale(w, S(1) / alpha));
            }
            if (j > 0) column = T::add(T::matvec(T::block_cols(Iell, 0, j), coeffs), column);
            T::set_col(Bm, j, column);
            const auto uj = T::col(U, j);
            auto x = linalg::orthogonalize_against<B>(V, j + 1, vjp_unchecked(cg, z, uj), nullptr);
            auto beta = T::norm(x);
            norm_est = std::max(norm_est, T::host_max(beta));
            const double threshold_v = 8 * eps * std::max(norm_est, 1e-300) * std::sqrt(double(std::max(n, m)));
            if (j + 1 >= n) {
                // V spans the latent space: nothing is left, β = 0 and the Ritz triplets are exact.
                beta = T::constant(z, 0.0);
                T::set_col(V, j + 1, T::zeros(z, n));
            } else if (T::host_min(beta) <= threshold_v) {
                // Jᵀuⱼ lies in span(V): the next direction is free. At the end of a cycle β = 0
                // means the Ritz triplets are exact.
                if (batched) return give_up();
                beta = T::constant(z, 0.0);
                T::set_col(V, j + 1, linalg::random_orthogonal_unit<B>(z, V, j + 1, n, rng));
            } else {
                T::set_col(V, j + 1, T::scale(x, S(1) / beta));
            }
            // β of the last step couples the cycle to v_ℓ; it enters the residuals only.
            if (j + 1 == ell) last_beta = beta;
        }

        // ---- Rayleigh–Ritz on the Krylov space: SVD of B = Uᵀ J V (batched)
        const auto svd = T::thin_svd(Bm);
        const auto last_row = T::tmatvec(svd.U, T::unit(z, ell, ell - 1));  // X_{ℓ−1, i}
        std::vector<vector_t<B>> residuals;  // |β X_{ℓ−1,i}| per sample
        for (I i = 0; i < k; ++i) residuals.push_back(T::cwise_abs(T::lift(z, last_beta * T::element(last_row, i))));
        finish_batched_residuals<B>(res.report, residuals, svd.S, rel_tol);

        const bool done = res.report.converged || restarts >= max_restarts;
        const I keep = done ? k : std::min<I>(ell - 1, k + (ell - k + 1) / 2);
        const auto Vl = T::block_cols(V, 0, ell);
        const auto Ul = T::block_cols(U, 0, ell);
        const auto Vk = T::matmul(Vl, T::block_cols(svd.V, 0, std::max<I>(keep, k)));
        const auto Uk = T::matmul(Ul, T::block_cols(svd.U, 0, std::max<I>(keep, k)));
        if (done) {
            res.output_basis = T::block_cols(Uk, 0, k);
            res.latent_basis = T::block_cols(Vk, 0, k);
            res.singular_values = T::head(svd.S, k);
            break;
        }
        // ---- thick restart: keep `keep` Ritz pairs, continue from v_ℓ
        ++restarts;
        const auto v_next = T::col(V, ell);
        V = T::zeros(z, n, ell + 1);
        U = T::zeros(z, m, ell);
        Bm = T::zeros(z, ell, ell);
        for (I i = 0; i < keep; ++i) {
            T::set_col(V, i, T::col(Vk, i));
            T::set_col(U, i, T::col(Uk, i));
            T::set_col(Bm, i, T::scale(T::unit(z, ell, i), T::element(svd.S, i)));
        }
        T::set_col(V, keep, v_next);
        start = keep;
    }
    require_finite_result<B>("tangent_basis", "the Lanczos singular values", res.singular_values);
    linalg::apply_sign_convention<B>(res.output_basis, res.latent_basis);
    res.report.method = tangent_method::lanczos;
    res.report.restarts = restarts;
    res.report.subspace_dimension = static_cast<long long>(ell);
    copy_counts(res.report, cg);
    return res;
}

}  // namespace latentwalk::detail
