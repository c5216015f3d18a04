#pragma once
// latentwalk/tangent/tangent_basis.hpp — the local basis of a generator at a latent point.
//
//     auto tb = latentwalk::tangent_basis(g, z, 10);                 // automatic method
//     tb.output_basis      // m×k: left singular vectors U of J(z) (tangent space of f(Z) at f(z))
//     tb.latent_basis      // n×k: right singular vectors V, J vᵢ = σᵢ uᵢ
//     tb.singular_values   // k, descending
//     tb.report            // products spent, residuals, converged flag, method used
//
// Methods (options.method):
//   dense       J(z) from the generator's own jacobian(z), or from min(n, m) JVPs/VJPs (the
//               derivation layer's choice), then a thin SVD (QR first when one side is at least
//               twice the other). Exact; the reference. This is the Local Basis authors' method.
//   lanczos     Golub–Kahan–Lanczos bidiagonalization with full reorthogonalization and thick
//               restarts, matrix-free: 1 JVP + 1 VJP per step; Krylov dimension ℓ (default
//               min(min(n, m), max(2k, k + 10))). Stops when the top-k residuals
//               ‖Jᵀuᵢ − σᵢvᵢ‖ are ≤ tolerance·σ₁ (‖J vᵢ − σᵢuᵢ‖ is zero by construction).
//               Products: 2ℓ + 2(ℓ − p)·restarts with p = min(ℓ − 1, k + ⌈(ℓ − k)/2⌉) kept vectors.
//               See tangent/detail/lanczos_tangent_basis.hpp.
//   randomized  Halko–Martinsson–Tropp: Gaussian Ω (n×ℓ, ℓ = min(k + oversampling, min(n, m))),
//               power_iterations q with re-orthonormalization, Rayleigh–Ritz (SVD of J·P̂), then
//               k VJPs for the residuals. Products: ℓ(2q + 3) + k. Then, while the residuals miss
//               the tolerance (adaptive_power_iterations, on by default), one more power iteration
//               per pass, 2ℓ + k products each, up to max_power_iterations; what still misses is
//               flagged converged = false (or throws with throw_on_nonconvergence).
//   automatic   dense when the generator lacks a JVP or a VJP of its own (a matrix-free method
//               would assemble J on every product), or when min(n, m) ≤ 64, or when
//               4k ≥ min(n, m) (the Krylov space would cover a large part of the space anyway);
//               lanczos otherwise. For a batch of latent codes (the rule predates the batched
//               lanczos and is kept until the peer table says otherwise):
//               randomized when its first pass costs fewer products than dense,
//               ℓ(2q + 3) + k < min(n, m), with adaptive passes while they fit in dense's product
//               count; when it has not converged by then, dense answers (report.method = dense,
//               report.fell_back_to_dense, all products counted). So automatic never returns an
//               unconverged basis: on a slowly decaying spectrum (a mapping-like network) the
//               randomized attempt costs at most one dense Jacobian's products more.
//
// Batched products: on a generator with batched_products (torch::module_generator), dense assembles
// J from one batched call of the unit vectors (per chunk of options.block_memory_bytes) and the
// randomized method asks each sketch block J Ω, Jᵀ Q as one call: the product counts stay the same,
// the calls drop from ℓ to 1.
//
// Batches (backends with leading batch dimensions, e.g. LibTorch): z of shape [B, n] gives
// output_basis [B, m, k], latent_basis [B, n, k] and singular_values [B, k] in one call for dense
// and randomized — every JVP/VJP and every small SVD is batched, and the sign convention is a
// backend operation (column_signs). Sample b equals the call on z[b] alone (randomized: each sample
// draws its own Ω, sample 0 the unbatched call's). The report then holds, for each i, the largest
// residual over the batch, the tolerance rel_tol·σ₁ of the sample with the smallest σ₁, and
// converged = every sample met its own tolerance. lanczos runs a batch in lock step (one
// Golub–Kahan recurrence per code: each step one batched JVP and one batched VJP, B and its SVD
// batched on the backend),
// restarting until every sample converged; a breakdown in some sample (J of rank below ℓ there)
// answers with dense instead (report.fell_back_to_dense, all products counted).
//
// Sign convention (all methods): each pair (uᵢ, vᵢ) is flipped together so that the entry of vᵢ
// of largest magnitude (the first such on an exact tie) is positive; uᵢ = J vᵢ / σᵢ throughout.
// With the same seed, results are bit-for-bit reproducible.
//
// Errors: dimension_error when z has the wrong length or k > min(n, m);
// invalid_argument_error when k < 1 or an option is out of range; numerical_error on NaN/Inf in z, when a product
// comes back non-finite, or when check_adjoint finds ⟨u, Jv⟩ ≠ ⟨Jᵀu, v⟩; convergence_error
// (a numerical_error) when the residuals miss the tolerance and throw_on_nonconvergence is set.
// g and z are only read.
#include <algorithm>
#include <string>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../detail/counting_generator.hpp"
#include "detail/argument_checks.hpp"
#include "detail/dense_tangent_basis.hpp"
#include "detail/lanczos_tangent_basis.hpp"
#include "detail/randomized_tangent_basis.hpp"
#include "randomized_range_finder.hpp"
#include "tangent_basis_types.hpp"

namespace latentwalk {

/// The method `automatic` resolves to for a generator of type G, k directions and a batch of
/// `samples` latent codes (rule above; `options` gives the randomized method's p and q).
template <class G>
tangent_method automatic_tangent_method(const G& g, long long k, long long samples = 1,
                                        const tangent_basis_options& options = {}) {
    if constexpr (!(ProvidesJvp<G> && ProvidesVjp<G>)) {
        return tangent_method::dense;
    } else {
        const long long r = std::min<long long>(g.latent_dim(), g.output_dim());
        if (samples > 1) {  // for a batch: the cheaper of randomized and dense
            const long long ell = std::min(r, k + static_cast<long long>(options.oversampling));
            return ell * (2LL * options.power_iterations + 3) + k < r ? tangent_method::randomized
                                                                      : tangent_method::dense;
        }
        if (r <= 64 || 4 * k >= r) return tangent_method::dense;
        return tangent_method::lanczos;
    }
}

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto tangent_basis(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

/// The top-k singular triplets of J(z); see the file comment for methods, costs and conventions.
template <DifferentiableGenerator G>
tangent_basis_result<typename G::backend> tangent_basis(const G& g, const vector_t<typename G::backend>& z,
                                                        long long k, const tangent_basis_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using I = index_t<B>;
    constexpr const char* where = "tangent_basis";
    detail::validate_latent(where, g, z);
    const long long n = static_cast<long long>(g.latent_dim());
    const long long m = static_cast<long long>(g.output_dim());
    const long long r = std::min(n, m);
    detail::require_rank_request(where, k, n, m);
    detail::require_tangent_options(where, options, k, r);
    const double rel_tol = detail::default_relative_tolerance<scalar_t<B>>(options.tolerance);

    const long long samples = backend_traits<B>::batch_size(z);
    const tangent_method method = options.method == tangent_method::automatic
                                      ? automatic_tangent_method(g, k, samples, options)
                                      : options.method;

    const detail::counting_generator<G> cg(g, where);
    double adjoint_error = 0.0;
    if (options.check_adjoint)
        adjoint_error = detail::check_adjoint_identity(where, cg, z, options.adjoint_tolerance, options.seed);

    tangent_basis_result<B> res;
    if (method == tangent_method::dense) {
        res = detail::dense_tangent_basis(cg, z, static_cast<I>(k), rel_tol, options.block_memory_bytes);
    } else if (method == tangent_method::lanczos) {
        const long long ell = options.subspace_dimension > 0 ? options.subspace_dimension
                                                             : std::min(r, std::max(2 * k, k + 10));
        bool broke_down = false;
        res = detail::lanczos_tangent_basis(cg, z, static_cast<I>(k), static_cast<I>(ell), options.max_restarts,
                                            rel_tol, options.seed, &broke_down);
        if (broke_down) {  // a batch whose recurrence broke down in some sample: dense answers, all products counted
            res = detail::dense_tangent_basis(cg, z, static_cast<I>(k), rel_tol, options.block_memory_bytes);
            res.report.fell_back_to_dense = true;
        }
    } else {
        const long long ell = std::min(r, k + static_cast<long long>(options.oversampling));
        const bool automatic = options.method == tangent_method::automatic;
        detail::randomized_schedule plan{options.power_iterations, options.adaptive_power_iterations,
                                         options.max_power_iterations, automatic ? r : -1,
                                         options.block_memory_bytes};
        res = detail::randomized_tangent_basis(cg, z, static_cast<I>(k), static_cast<I>(ell), plan, rel_tol,
                                               options.seed);
        if (automatic && !res.report.converged) {  // dense answers, with every product counted
            res = detail::dense_tangent_basis(cg, z, static_cast<I>(k), rel_tol, options.block_memory_bytes);
            res.report.fell_back_to_dense = true;
        }
    }
    res.report.adjoint_error = adjoint_error;
    // The last line of the contract: never a NaN or Inf basis, whatever the model's scale did inside.
    using T = backend_traits<B>;
    if (!T::all_finite(res.singular_values) || !T::all_finite(res.output_basis) || !T::all_finite(res.latent_basis))
        throw numerical_error(detail::sentence(
            where, std::string("the ") + to_string(method) +
                       " method's singular values or bases came out NaN or Inf: the Jacobian's scale (its largest "
                       "singular value) lies outside what double arithmetic can hold."));
    if (!res.report.converged && options.throw_on_nonconvergence)
        throw convergence_error(detail::sentence(where, std::string("the ") + to_string(method) +
                                                            " method did not converge: " + res.report.summary() + "."));
    return res;
}

}  // namespace latentwalk
