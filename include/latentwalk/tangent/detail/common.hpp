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

/// ⟨u, J v⟩ against ⟨Jᵀu, v⟩ on one random pair; numerical_error when they disagree.
/// Returns the relative mismatch. Costs 1 JVP + 1 VJP on cg.
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
    const double lhs = T::host_value(T::dot(u, Jv));
    const double rhs = T::host_value(T::dot(Jtu, v));
    const double scale = T::host_value(T::norm(u)) * T::host_value(T::norm(Jv)) +
                         T::host_value(T::norm(Jtu)) * T::host_value(T::norm(v));
    const double err = scale > 0 ? std::abs(lhs - rhs) / scale : std::abs(lhs - rhs);
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
/// The per-column decision goes to host (T::to_host): tangent bases are computed per latent point.
template <class B>
void apply_sign_convention(matrix_t<B>& U, matrix_t<B>& V) {
    using T = backend_traits<B>;
    const auto k = T::cols(V);
    for (index_t<B> i = 0; i < k; ++i) {
        const auto v = T::col(V, i);
        const auto host = T::to_host(v);
        std::size_t best = 0;
        for (std::size_t t = 1; t < host.size(); ++t)
            if (std::abs(host[t]) > std::abs(host[best])) best = t;
        if (!host.empty() && host[best] < 0) {
            T::set_col(V, i, T::cwise_product(v, T::fill(v, T::size(v), -1.0)));
            const auto u = T::col(U, i);
            T::set_col(U, i, T::cwise_product(u, T::fill(u, T::size(u), -1.0)));
        }
    }
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

/// Copy the adaptor's counts into the report.
template <class CG>
void copy_counts(tangent_basis_report& rep, const CG& cg) {
    rep.jvp_count = cg.jvps;
    rep.vjp_count = cg.vjps;
    rep.jacobian_count = cg.jacobians;
}

}  // namespace latentwalk::detail
