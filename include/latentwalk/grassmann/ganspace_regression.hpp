#pragma once
// latentwalk/grassmann/ganspace_regression.hpp — GANSpace as published for generators whose PCA is
// taken in an intermediate layer (BigGAN), and GANSpace edits scaled by the standard deviation.
//
//     // latents: n×N samples z_j (columns); features: m×N samples y_j = G₁(z_j) of the same z_j
//     auto gs = latentwalk::ganspace_regression(latents, features, /*k*/ 10);
//     auto z2 = latentwalk::ganspace_edit(gs, z, /*component*/ 0, /*sigmas*/ 2.0);   // +2σ along component 0
//     // StyleGAN (PCA in W itself): ganspace_directions(w_samples, k), then ganspace_edit(pca, w, 0, 2.0)
//
// Härkönen et al. (NeurIPS 2020, §2.2, "PCA in feature space"): PCA of the features gives the basis
// V (m×k) and mean μ; the PCA coordinates of each sample are x_j = Vᵀ(y_j − μ); the latent basis U
// (n×k) is the least-squares regression of the latents on the coordinates,
//     U = argmin_U Σ_j ‖U x_j − (z_j − z̄)‖²,
// so that u_k is the latent move that changes coordinate k by one unit. Edits are in units of the
// component's standard deviation σ_k = √(explained variance): z′ = z + α σ_k u_k.
//
// | convention (option)                | regression target     | u_k               | edit z + α s_k u_k with s_k |
// |------------------------------------|-----------------------|-------------------|-----------------------------|
// | ganspace_convention::paper         | x_j                   | as regressed      | σ_k (feature-space std)     |
// | (default)                          |                       |                   |                             |
// | ganspace_convention::released_code | x_j / σ_k             | normalized to ‖·‖ | std of ûᵀz_j over the       |
// |                                    | (decomposition.py,    | = 1               | latent samples (divisor N)  |
// |                                    | linreg_lstsq)         |                   |                             |
//
// With the paper's convention an edit of α moves the feature coordinate x_k by exactly α σ_k when
// G₁ is linear (the regression is then exact for k = n); the released code moves the latent a
// fixed α s_k along a unit direction (it sets s_k = 1 for a Gaussian Z, for which the projected
// standard deviation is ≈ 1, and uses the projected standard deviation in W). Both regress on the
// same samples here (the released code draws fresh ones); with the coordinates centred on these
// samples a regression with or without an intercept has the same slope.
//
// Cost: one PCA of the features (ganspace_directions: thin SVD of m×N) and a thin SVD of the N×k
// coordinate matrix.
//
// Errors: dimension_error (latents and features with different sample counts), and those of
// ganspace_directions (k outside 1..min(m, N − 1), fewer than 2 samples, NaN/Inf, no variance);
// numerical_error when a kept component has zero variance (the regression is then undetermined);
// invalid_argument_error from ganspace_edit (component outside 0..k−1, non-finite amount) and
// dimension_error there (z of the wrong length).
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "ganspace_directions.hpp"

namespace latentwalk {

enum class ganspace_convention {
    paper,         ///< regress on the PCA coordinates; edits α σ_k u_k (Härkönen et al., §2.2)
    released_code  ///< regress on coordinates / σ_k, unit u_k, edits α s_k û_k (decomposition.py)
};

struct ganspace_regression_options {
    ganspace_convention convention = ganspace_convention::paper;
};

template <class M, class V>
struct ganspace_regression_result {
    M latent_directions;         ///< n×k: u_k (paper) or û_k (released code), one column per component
    V edit_scale;                ///< k: s_k in the edit z + α s_k u_k (see the table in the header comment)
    M feature_directions;        ///< m×k: the feature-space principal components V
    V feature_stdev;             ///< k: σ_k, the features' standard deviation along V (divisor N − 1)
    V explained_variance_ratio;  ///< k: fractions of the features' total variance
    V feature_mean;              ///< μ (m)
    V latent_mean;               ///< z̄ (n)
    double relative_residual = 0.0;  ///< ‖U X − Z_c‖_F / ‖Z_c‖_F of the regression (0 when exact)
    ganspace_convention convention = ganspace_convention::paper;
};

namespace detail {
template <class B>
vector_t<B> column_norms(const matrix_t<B>& A) {
    using T = backend_traits<B>;
    std::vector<double> out(static_cast<std::size_t>(T::cols(A)));
    for (index_t<B> j = 0; j < T::cols(A); ++j) out[static_cast<std::size_t>(j)] = T::host_value(T::norm(T::col(A, j)));
    return T::from_values(T::col(A, 0), out);
}

template <class B>
matrix_t<B> centre_columns(const matrix_t<B>& X, vector_t<B>& mean) {
    using T = backend_traits<B>;
    const auto N = T::cols(X);
    const auto like = T::col(X, 0);
    mean = T::zeros(like, T::rows(X));
    for (index_t<B> j = 0; j < N; ++j) mean = T::add(mean, T::col(X, j));
    mean = T::scale(mean, T::element(T::fill(like, 1, 1.0 / static_cast<double>(N)), 0));
    auto centred = X;
    for (index_t<B> j = 0; j < N; ++j) T::set_col(centred, j, T::sub(T::col(X, j), mean));
    return centred;
}
}  // namespace detail

/// Fallback: the samples are not matrices of a backend that latentwalk knows.
template <class M, class K, class... Args>
    requires(!BackendMatrix<M>)
void ganspace_regression(const M&, const M&, K, const Args&...) {
    static_assert(BackendMatrix<M>, "latentwalk::ganspace_regression: the samples must be matrices of a latentwalk "
                                    "backend (for Eigen: Eigen::MatrixXd or Eigen::MatrixXf); include <latentwalk/eigen.hpp>.");
}

/// GANSpace's latent directions for a PCA in an intermediate layer (see the header comment).
template <BackendMatrix M>
ganspace_regression_result<M, vector_t<backend_of_t<M>>> ganspace_regression(
    const M& latents, const M& features, long long k, const ganspace_regression_options& options = {}) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    constexpr std::string_view where = "ganspace_regression";
    if (T::cols(latents) != T::cols(features))
        throw dimension_error(detail::sentence(
            where, "latents has " + detail::number(T::cols(latents)) + " samples (columns) but features has " +
                       detail::number(T::cols(features)) + "; column j of both must come from the same z_j."));
    detail::require_finite<B>(where, "latents", latents);
    const auto pca = ganspace_directions(features, k);  // validates features and k
    const auto like = T::col(features, 0);
    const auto N = T::cols(features);
    const auto kk = static_cast<index_t<B>>(k);

    ganspace_regression_result<M, vector_t<B>> r;
    r.convention = options.convention;
    r.feature_directions = pca.directions;
    r.feature_stdev = T::cwise_sqrt(pca.explained_variance);
    r.explained_variance_ratio = pca.explained_variance_ratio;
    r.feature_mean = pca.mean;
    if (!(-T::host_max(-T::element(r.feature_stdev, kk - 1)) > 0.0))
        throw numerical_error(detail::sentence(where, "principal component " + detail::number(k - 1) +
                                                          " of the features has zero variance, so no latent direction "
                                                          "is determined for it; lower k."));
    vector_t<B> fmean;
    const auto Yc = detail::centre_columns<B>(features, fmean);
    const auto Zc = detail::centre_columns<B>(latents, r.latent_mean);
    // A = Xᵀ: N×k coordinates (divided by σ_k for the released code)
    auto A = T::transpose(T::tmatmul(pca.directions, Yc));
    if (options.convention == ganspace_convention::released_code)
        A = T::scale_columns(A, T::cwise_quotient(T::fill(like, kk, 1.0), r.feature_stdev));
    // Uᵀ = pinv(A) Z_cᵀ with A = P S Qᵀ:  U = Z_c P S⁻¹ Qᵀ
    const auto f = T::thin_svd(A);
    const double smax = T::max_abs(f.S);
    if (!(-T::host_max(-T::element(f.S, kk - 1)) > 1e-14 * smax))
        throw numerical_error(detail::sentence(where, "the PCA coordinates of the samples are linearly dependent, so "
                                                          "the regression onto the latents is undetermined; lower k."));
    auto U = T::matmul(T::scale_columns(T::matmul(Zc, f.U), T::cwise_quotient(T::fill(like, kk, 1.0), f.S)),
                       T::transpose(f.V));
    const auto fit = T::sub(T::matmul(U, T::transpose(A)), Zc);
    double fit2 = 0.0, z2 = 0.0;
    for (index_t<B> j = 0; j < N; ++j) {
        const double a = T::host_value(T::norm(T::col(fit, j))), b = T::host_value(T::norm(T::col(Zc, j)));
        fit2 += a * a;
        z2 += b * b;
    }
    r.relative_residual = z2 > 0.0 ? std::sqrt(fit2 / z2) : 0.0;
    if (options.convention == ganspace_convention::paper) {
        r.latent_directions = U;
        r.edit_scale = r.feature_stdev;
    } else {
        U = T::scale_columns(U, T::cwise_quotient(T::fill(like, kk, 1.0), detail::column_norms<B>(U)));
        r.latent_directions = U;
        // the standard deviation (divisor N) of the latent samples projected on each unit direction
        const auto proj = T::transpose(T::tmatmul(U, Zc));  // N×k
        r.edit_scale = T::scale(detail::column_norms<B>(proj),
                                T::element(T::fill(like, 1, 1.0 / std::sqrt(static_cast<double>(N))), 0));
    }
    return r;
}

namespace detail {
template <class B>
vector_t<B> ganspace_step(std::string_view where, const matrix_t<B>& dirs, const vector_t<B>& scale,
                          const vector_t<B>& z, long long component, double amount) {
    using T = backend_traits<B>;
    const long long k = static_cast<long long>(T::cols(dirs));
    if (component < 0 || component >= k)
        throw invalid_argument_error(sentence(where, "component = " + detail::number(component) +
                                                         " is outside 0.." + detail::number(k - 1) + "."));
    require_finite_scalar(where, "the amount (in standard deviations)", amount);
    require_length<B>(where, "z", z, static_cast<long long>(T::rows(dirs)), "the directions' dimension");
    require_finite<B>(where, "z", z);
    const auto c = static_cast<index_t<B>>(component);
    const double s = T::host_value(T::element(scale, c));
    return T::axpy(T::element(T::fill(z, 1, amount * s), 0), T::col(dirs, c), z);
}
}  // namespace detail

/// z + α s_k u_k for a feature-space GANSpace (see the table in the header comment).
template <class M, class V>
V ganspace_edit(const ganspace_regression_result<M, V>& gs, const std::type_identity_t<V>& z, long long component, double sigmas) {
    return detail::ganspace_step<backend_of_t<M>>("ganspace_edit", gs.latent_directions, gs.edit_scale, z, component,
                                                  sigmas);
}

/// w + α σ_k v_k for a PCA in the latent space itself (StyleGAN's W: ganspace_directions), σ_k the
/// standard deviation along v_k (divisor N − 1), as GANSpace's edits in W.
template <class M, class V>
V ganspace_edit(const ganspace_result<M, V>& pca, const std::type_identity_t<V>& w, long long component, double sigmas) {
    using B = backend_of_t<M>;
    return detail::ganspace_step<B>("ganspace_edit", pca.directions, backend_traits<B>::cwise_sqrt(pca.explained_variance),
                                    w, component, sigmas);
}

}  // namespace latentwalk
