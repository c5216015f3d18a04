#pragma once
// Pieces shared by the tangent-basis methods: argument checks, the adjoint probe, the sign
// convention, Gram–Schmidt against a basis, and the residual bookkeeping.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "../../derivatives.hpp"
#include "../../detail/counting_generator.hpp"
#include "../tangent_basis_types.hpp"

namespace latentwalk::detail {

/// 1 ≤ k ≤ min(n, m), else invalid_argument_error (k < 1) or dimension_error (k too large).
inline void require_rank_request(std::string_view where, long long k, long long n, long long m) {
    if (k < 1)
        throw invalid_argument_error(sentence(where, "k is " + std::to_string(k) +
                                                         "; it must be at least 1 (the number of directions asked)."));
    const long long r = std::min(n, m);
    if (k > r)
        throw dimension_error(sentence(where, "k is " + std::to_string(k) + " but the Jacobian is " +
                                                  std::to_string(m) + "×" + std::to_string(n) +
                                                  ", so it has at most min(n, m) = " + std::to_string(r) +
                                                  " singular triplets."));
}

inline void require_tangent_options(std::string_view where, const tangent_basis_options& o, long long k,
                                    long long r) {
    if (!std::isfinite(o.tolerance) || !std::isfinite(o.adjoint_tolerance))
        throw invalid_argument_error(sentence(where, "the tolerances must be finite numbers."));
    if (o.max_restarts < 0)
        throw invalid_argument_error(sentence(where, "max_restarts is " + std::to_string(o.max_restarts) +
                                                         "; it must be ≥ 0."));
    if (o.oversampling < 0)
        throw invalid_argument_error(sentence(where, "oversampling is " + std::to_string(o.oversampling) +
                                                         "; it must be ≥ 0."));
    if (o.power_iterations < 0 || o.power_iterations > 1000)
        throw invalid_argument_error(sentence(where, "power_iterations is " + std::to_string(o.power_iterations) +
                                                         "; it must be between 0 and 1000."));
    if (o.subspace_dimension != 0 && (o.subspace_dimension < k || o.subspace_dimension > r))
        throw invalid_argument_error(sentence(where, "subspace_dimension is " + std::to_string(o.subspace_dimension) +
                                                         "; it must be 0 (automatic) or between k = " +
                                                         std::to_string(k) + " and min(n, m) = " +
                                                         std::to_string(r) + "."));
    switch (o.method) {
        case tangent_method::automatic:
        case tangent_method::dense:
        case tangent_method::lanczos:
        case tangent_method::randomized: break;
        default: throw invalid_argument_error(sentence(where, "options.method is not a tangent_method value."));
    }
}

/// The relative residual tolerance: the option, or 1e-10 (double) / 1e-4 (float).
template <class S>
double default_relative_tolerance(double requested) {
    if (requested > 0) return requested;
    return sizeof(S) < sizeof(double) ? 1e-4 : 1e-10;
}

/// The number of samples in z's batch (1 for an unbatched backend): fill(z, 1, ·) has one entry
/// per sample, and to_host flattens the batch.
template <class B>
long long sample_count(const vector_t<B>& z) {
    using T = backend_traits<B>;
    return static_cast<long long>(T::to_host(T::fill(z, 1, 0.0)).size());
}

/// A per-sample scalar as a vector of length 1 per sample, so that element-wise primitives and the
/// host reductions (max_abs, host_max of its element) act on it sample by sample.
template <class B>
vector_t<B> per_sample(const vector_t<B>& like, const batch_scalar_t<B>& a) {
    using T = backend_traits<B>;
    return T::scale(T::fill(like, 1, 1.0), a);
}

/// ⟨u, J v⟩ against ⟨Jᵀu, v⟩ on one random pair (per sample of a batch); numerical_error when they
/// disagree. Returns the relative mismatch, the largest over the batch. Costs 1 JVP + 1 VJP on cg.
template <class CG>
double check_adjoint_identity(std::string_view where, const CG& cg, const vector_t<typename CG::backend>& z,
                              double tolerance, std::uint64_t seed) {
    using B = typename CG::backend;
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const auto n = static_cast<index_t<B>>(cg.latent_dim());
    const auto m = static_cast<index_t<B>>(cg.output_dim());
    std::mt19937_64 rng(seed ^ 0xAD101A7ULL);
    const auto v = T::random_normal(z, n, rng);
    const auto u = T::random_normal(z, m, rng);
    const auto Jv = jvp_unchecked(cg, z, v);
    const auto Jtu = vjp_unchecked(cg, z, u);
    const auto ps = [&](const batch_scalar_t<B>& a) { return per_sample<B>(z, a); };
    const auto diff = T::cwise_abs(T::sub(ps(T::dot(u, Jv)), ps(T::dot(Jtu, v))));
    const auto size = T::add(T::cwise_product(ps(T::norm(u)), ps(T::norm(Jv))),
                             T::cwise_product(ps(T::norm(Jtu)), ps(T::norm(v))));
    // A zero size means u = 0 or J v = 0, and Jᵀu = 0 or v = 0: both sides are then 0 exactly.
    const auto rel = T::cwise_quotient(diff, T::cwise_max(size, T::fill(z, 1, static_cast<double>(std::numeric_limits<S>::min()))));
    const double err = T::max_abs(rel);
    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const double tol = tolerance > 0 ? tolerance : 64.0 * eps * std::sqrt(static_cast<double>(n + m));
    if (!(err <= tol))
        throw numerical_error(sentence(where, "the generator's JVP and VJP disagree: |<u, J v> - <J^T u, v>| is " +
                                                  std::to_string(err) + " relative to their size, above the "
                                                  "tolerance " + std::to_string(tol) +
                                                  "; its vjp is not the transpose of its jvp."));
    return err;
}

/// w minus its components along the first j columns of Q (classical Gram–Schmidt, applied twice,
/// which keeps w orthogonal to working precision). `coeffs` receives the total coefficients Qⱼᵀw.
template <class B>
vector_t<B> orthogonalize_against(const matrix_t<B>& Q, index_t<B> j, vector_t<B> w, std::vector<double>* coeffs) {
    using T = backend_traits<B>;
    if (coeffs) coeffs->assign(static_cast<std::size_t>(j), 0.0);
    if (j == 0) return w;
    const auto Qj = T::block_cols(Q, 0, j);
    const auto c1 = T::tmatvec(Qj, w);
    w = T::sub(w, T::matvec(Qj, c1));
    const auto c2 = T::tmatvec(Qj, w);
    w = T::sub(w, T::matvec(Qj, c2));
    if (coeffs) *coeffs = T::to_host(T::add(c1, c2));
    return w;
}

/// The sign convention: flip each pair (uᵢ, vᵢ) together so that the entry of vᵢ of largest
/// magnitude (the first such entry on an exact tie) is positive. J vᵢ = σᵢ uᵢ is preserved.
/// The decision is a backend operation (column_signs), so a batch is flipped sample by sample.
template <class B>
void apply_sign_convention(matrix_t<B>& U, matrix_t<B>& V) {
    using T = backend_traits<B>;
    const auto signs = T::column_signs(V);  // ±1: the scaling is exact
    V = T::scale_columns(V, signs);
    U = T::scale_columns(U, signs);
}

/// A unit vector of length len orthogonal to the first j columns of Q (a random draw, projected);
/// used when a Krylov recurrence breaks down on an invariant subspace.
template <class B, class Rng>
vector_t<B> random_orthogonal_unit(const vector_t<B>& like, const matrix_t<B>& Q, index_t<B> j, index_t<B> len,
                                   Rng& rng) {
    using T = backend_traits<B>;
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto w = orthogonalize_against<B>(Q, j, T::random_normal(like, len, rng), nullptr);
        const double nw = T::host_value(T::norm(w));
        if (nw > 1e-3) return T::scale(w, static_cast<scalar_t<B>>(1.0 / nw));
    }
    return T::zeros(like, len);  // Q already spans the whole space: no direction is left
}

/// Fill the report's residual fields: residuals[i] for the k triplets, against tol·σ₁.
inline void finish_residuals(tangent_basis_report& rep, std::vector<double> residuals, double sigma1,
                             double rel_tol) {
    rep.residual_norms = std::move(residuals);
    rep.max_residual = 0.0;
    for (double r : rep.residual_norms) rep.max_residual = std::max(rep.max_residual, r);
    rep.tolerance = rel_tol * sigma1;
    rep.converged = rep.max_residual <= rep.tolerance;
}

/// The residual fields for a batch: residual_norms[i] holds ‖Jᵀuᵢ − σᵢvᵢ‖ per sample (a length-1
/// vector per sample, per_sample). The report gets the largest residual over the batch for each i,
/// the tolerance rel_tol·σ₁ of the sample with the smallest σ₁, and converged when every sample's
/// residuals are within its own rel_tol·σ₁. One sample: exactly finish_residuals.
template <class B>
void finish_batched_residuals(tangent_basis_report& rep, const std::vector<vector_t<B>>& residual_norms,
                              const vector_t<B>& singular_values, double rel_tol) {
    using T = backend_traits<B>;
    rep.residual_norms.clear();
    rep.max_residual = 0.0;
    if (residual_norms.empty()) return;
    auto worst = residual_norms.front();  // per sample, the largest residual over i
    for (const auto& r : residual_norms) {
        rep.residual_norms.push_back(T::max_abs(r));
        rep.max_residual = std::max(rep.max_residual, rep.residual_norms.back());
        worst = T::cwise_max(worst, r);
    }
    const auto sigma1 = per_sample<B>(worst, T::element(singular_values, 0));
    rep.tolerance = -rel_tol * T::host_max(T::element(T::scale(sigma1, -1.0), 0));
    rep.converged = T::host_max(T::element(T::sub(worst, T::scale(sigma1, rel_tol)), 0)) <= 0.0;
}

/// Copy the adaptor's counts into the report.
template <class CG>
void copy_counts(tangent_basis_report& rep, const CG& cg) {
    rep.jvp_count = cg.jvps;
    rep.vjp_count = cg.vjps;
    rep.jacobian_count = cg.jacobians;
}

}  // namespace latentwalk::detail
