#pragma once
// latentwalk/grassmann/sefa_directions.hpp — SeFa's closed-form global directions.
//
// SeFa (Shen & Zhou, "Closed-form factorization of latent semantics in GANs", CVPR 2021) takes the
// weight W (m×n) of the first layer that acts on the latent code (n = latent dimension) and returns
// the unit directions d maximizing Σ_rows (ã_iᵀ d)², i.e. the top eigenvectors of ÃᵀÃ, where Ã is W
// with every row normalized to unit length (as in the authors' code). The directions are the
// columns of an n×k matrix, sorted by descending eigenvalue; each eigenvector's sign is arbitrary.
#include <limits>
#include <string>
#include <string_view>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"

namespace latentwalk {

/// SeFa's directions (latent_dim × k, orthonormal) and the eigenvalues of ÃᵀÃ (descending, ≥ 0).
template <class M, class V>
struct sefa_result {
    M directions;
    V eigenvalues;
};

/// Fallback: the weight is not a matrix of a backend that latentwalk knows.
template <class M, class K>
    requires(!BackendMatrix<M>)
auto sefa_directions(const M&, K) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "sefa_directions", "the weight");
}

/// The top k SeFa directions of a first-layer weight (output_channels × latent_dim).
/// Throws invalid_argument_error unless 1 ≤ k ≤ latent_dim, numerical_error on NaN/Inf or a zero row.
template <BackendMatrix M>
sefa_result<M, vector_t<backend_of_t<M>>> sefa_directions(const M& weight, long long k) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    constexpr std::string_view where = "sefa_directions";
    const auto n = static_cast<long long>(T::cols(weight));
    if (T::rows(weight) < 1 || n < 1)
        throw dimension_error(detail::sentence(where, "weight is empty."));
    if (k < 1 || k > n) {
        throw invalid_argument_error(detail::sentence(
            where, "needs 1 ≤ k ≤ latent_dim = " + detail::number(n) + " but k = " + detail::number(k) + "."));
    }
    detail::require_finite<B>(where, "weight", weight);
    auto At = T::transpose(weight);  // columns are the rows of W
    const auto m = T::cols(At);
    const auto like = T::col(At, 0);
    const auto row_norms = T::column_norms(At);
    if (!(T::max_abs(T::cwise_quotient(T::fill(like, m, 1.0), row_norms)) < std::numeric_limits<double>::infinity()))
        throw numerical_error(detail::sentence(where, "weight has a zero row, which cannot be normalized."));
    At = T::scale_columns(At, T::cwise_quotient(T::fill(like, m, 1.0), row_norms));
    const auto eig = T::sym_eig(T::matmul(At, T::transpose(At)));  // ÃᵀÃ, ascending
    const auto kk = static_cast<index_t<B>>(k);
    auto directions = T::zeros(like, static_cast<index_t<B>>(n), kk);
    for (index_t<B> j = 0; j < kk; ++j) T::set_col(directions, j, T::col(eig.vectors, static_cast<index_t<B>>(n) - 1 - j));
    return {std::move(directions), T::head(T::reverse(eig.values), kk)};
}

}  // namespace latentwalk
