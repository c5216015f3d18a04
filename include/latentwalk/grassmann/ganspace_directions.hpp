#pragma once
// latentwalk/grassmann/ganspace_directions.hpp — GANSpace's global directions by PCA.
//
// GANSpace (Härkönen et al., NeurIPS 2020) takes principal components of latent codes sampled from
// the model (for StyleGAN2: w = mapping(z) for many z). Samples are the COLUMNS of a d×N matrix.
// The directions are the top k left singular vectors of the centred samples (orthonormal, sorted by
// descending variance; signs arbitrary); explained_variance_i = σ_i² / (N − 1) (the sample
// covariance's eigenvalues) and explained_variance_ratio_i = σ_i² / Σ_all σ².
#include <string>
#include <string_view>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"

namespace latentwalk {

/// GANSpace's principal directions with their variances.
template <class M, class V>
struct ganspace_result {
    M directions;                ///< d×k, orthonormal, by descending variance
    V explained_variance;        ///< k sample variances along the directions (divisor N − 1)
    V explained_variance_ratio;  ///< k fractions of the total variance
    V mean;                      ///< the sample mean (d)
};

/// Fallback: the samples are not a matrix of a backend that latentwalk knows.
template <class M, class K>
    requires(!BackendMatrix<M>)
auto ganspace_directions(const M&, K) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "ganspace_directions", "the samples");
}

/// The top k principal directions of the samples (columns of a d×N matrix, N ≥ 2).
/// Throws invalid_argument_error unless 1 ≤ k ≤ min(d, N − 1) and N ≥ 2, numerical_error on NaN/Inf
/// or when the samples have no variance.
template <BackendMatrix M>
ganspace_result<M, vector_t<backend_of_t<M>>> ganspace_directions(const M& samples, long long k) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    constexpr std::string_view where = "ganspace_directions";
    const auto d = static_cast<long long>(T::rows(samples));
    const auto N = static_cast<long long>(T::cols(samples));
    if (d < 1 || N < 2)
        throw invalid_argument_error(detail::sentence(where, "needs at least 2 samples (columns) of dimension ≥ 1 but samples is " +
                                                                 detail::number(d) + "×" + detail::number(N) + "."));
    const long long k_max = std::min(d, N - 1);
    if (k < 1 || k > k_max) {
        throw invalid_argument_error(detail::sentence(where, "needs 1 ≤ k ≤ min(d, N − 1) = " + detail::number(k_max) +
                                                                 " but k = " + detail::number(k) + "."));
    }
    detail::require_finite<B>(where, "samples", samples);
    const auto like = T::col(samples, 0);
    auto mean = T::zeros(like, static_cast<index_t<B>>(d));
    for (index_t<B> j = 0; j < N; ++j) mean = T::add(mean, T::col(samples, j));
    mean = T::scale(mean, T::element(T::fill(like, 1, 1.0 / static_cast<double>(N)), 0));
    auto centred = samples;
    for (index_t<B> j = 0; j < N; ++j) T::set_col(centred, j, T::sub(T::col(samples, j), mean));
    const auto f = T::thin_svd(centred);
    const auto kk = static_cast<index_t<B>>(k);
    const auto s2 = T::cwise_product(f.S, f.S);
    const auto total = T::sum(s2);
    if (!(T::host_max(total) > 0))
        throw numerical_error(detail::sentence(where, "the samples are all equal: there is no variance to explain."));
    const auto variance = T::scale(T::head(s2, kk), T::element(T::fill(like, 1, 1.0 / static_cast<double>(N - 1)), 0));
    const auto ratio = T::cwise_quotient(T::head(s2, kk), T::scale(T::fill(like, kk, 1.0), total));
    return {T::block_cols(f.U, 0, kk), variance, ratio, mean};
}

}  // namespace latentwalk
