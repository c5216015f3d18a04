#pragma once
// The argument checks of the tangent-basis methods (k, options, tolerances) and the adjoint probe
// ⟨u, J v⟩ = ⟨Jᵀu, v⟩ that every matrix-free method runs before trusting a jvp/vjp pair.
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
        throw invalid_argument_error(sentence(where, "k is " + detail::number(k) +
                                                         "; it must be at least 1 (the number of directions asked)."));
    const long long r = std::min(n, m);
    if (k > r)
        throw dimension_error(sentence(where, "k is " + detail::number(k) + " but the Jacobian is " +
                                                  detail::number(m) + "×" + detail::number(n) +
                                                  ", so it has at most min(n, m) = " + detail::number(r) +
                                                  " singular triplets."));
}

inline void require_tangent_options(std::string_view where, const tangent_basis_options& o, long long k,
                                    long long r) {
    if (!std::isfinite(o.tolerance) || !std::isfinite(o.adjoint_tolerance))
        throw invalid_argument_error(sentence(where, "the tolerances must be finite numbers."));
    if (o.max_restarts < 0)
        throw invalid_argument_error(sentence(where, "max_restarts is " + detail::number(o.max_restarts) +
                                                         "; it must be ≥ 0."));
    if (o.oversampling < 0)
        throw invalid_argument_error(sentence(where, "oversampling is " + detail::number(o.oversampling) +
                                                         "; it must be ≥ 0."));
    if (o.power_iterations < 0 || o.power_iterations > 1000)
        throw invalid_argument_error(sentence(where, "power_iterations is " + detail::number(o.power_iterations) +
                                                         "; it must be between 0 and 1000."));
    if (o.max_power_iterations < o.power_iterations || o.max_power_iterations > 1000)
        throw invalid_argument_error(sentence(where, "max_power_iterations is " + detail::number(o.max_power_iterations) +
                                                         "; it must be between power_iterations (" +
                                                         detail::number(o.power_iterations) + ") and 1000."));
    if (o.block_memory_bytes < 1)
        throw invalid_argument_error(sentence(where, "block_memory_bytes is 0; one batched block of products needs a "
                                                     "budget of at least one byte (rounded up to one product)."));
    if (o.subspace_dimension != 0 && (o.subspace_dimension < k || o.subspace_dimension > r))
        throw invalid_argument_error(sentence(where, "subspace_dimension is " + detail::number(o.subspace_dimension) +
                                                         "; it must be 0 (automatic) or between k = " +
                                                         detail::number(k) + " and min(n, m) = " +
                                                         detail::number(r) + "."));
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
    const auto ps = [&](const batch_scalar_t<B>& a) { return T::lift(z, a); };
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
                                                  detail::number(err) + " relative to their size, above the "
                                                  "tolerance " + detail::number(tol) +
                                                  "; its vjp is not the transpose of its jvp."));
    return err;
}

}  // namespace latentwalk::detail
