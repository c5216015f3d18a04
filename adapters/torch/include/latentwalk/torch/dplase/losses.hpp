#pragma once
// latentwalk/torch/dplase/losses.hpp — the losses of DP-LaSE (ACM MM 2021, seed 002), as plain
// differentiable functions of tensors, so that any F, C and Γ can be scored with them.
//
//     namespace dp = latentwalk::torch::dplase;
//     auto deltas = ...;                                   // [K, N, m]: Δ_j = G₁(z₀) − G₁(z_dp(z₀, ε, γ_j))
//     auto v   = dp::variation_loss(deltas, {.lambda = 1.0});          // v.total, v.variation, v.decorrelation
//     auto reg = dp::orthogonality_loss(Gamma);                         // ‖ΓᵀΓ − I‖²_F, Γ: [d, K]
//     auto Fp  = dp::finite_difference_slope(F, x, 1e-4);              // eq. (3)
//     auto mon = dp::monotonicity_loss(Fp, 1e-3);  auto lik = dp::likelihood_loss(Fp);
//     auto den = dp::density_consistency_loss(log_p_start, log_p_end);  // eq. (7)
//
// | function                         | formula (paper eq.)                                                  | shapes            |
// |----------------------------------|----------------------------------------------------------------------|-------------------|
// | variation_loss(Δ, o)             | (8): mean_N [ −Σ_j ‖Δ_j‖² + λ Σ_{j≠h} ‖Δ_jᵀΔ_h‖²_F ]                  | Δ [K, N, m]       |
// | orthogonality_loss(Γ, r)         | (10): ‖ΓᵀΓ − I‖²_F (sum; mean over the K² entries: the code)         | Γ [d, K]          |
// | finite_difference_slope(F, x, ε) | (3): (F(x + ε) − F(x))/ε, element-wise                               | x [..., d]        |
// | monotonicity_loss(F′, v)         | (4): mean_N Σ_i max(0, v − F′(z_i))                                  | F′ [N, d] or [d]  |
// | likelihood_loss(F′)              | (5): mean_N Σ_i −log F′(z_i)                                         | F′ [N, d] or [d]  |
// | density_consistency_loss(a, b)   | (7): mean_N Σ_j (a − b_j)², a = Σ_i log F′(z₀ᵢ), b_j at z_dp(γ_j)    | a [N], b [K, N]   |
// The paper writes each loss for one z₀ and minimises its expectation over z₀ ~ p₀: here the mean over the
// batch dimension N is that expectation. Everything is differentiable by autograd (double backward too).
//
// Δ_j's shape. Features are vectors of length m (flatten feature maps). With variation_loss_options::
// channels = C > 0 each Δ_j is read as the C × (m/C) matrix of a feature map (channels × positions), and
// ‖Δ_jᵀΔ_h‖²_F is the Frobenius norm of that (m/C) × (m/C) product — the paper's formula for feature
// maps; with channels = 0 (default) Δ_jᵀΔ_h = ⟨Δ_j, Δ_h⟩, a scalar.
//
// Paper and released code (github.com/guanyuelee/DP-LaSE) differ; the paper is the default, the code a
// named option:
// | option                                   | paper (default)             | released code                                  |
// |------------------------------------------|-----------------------------|------------------------------------------------|
// | decorrelation                            | inner_product: ‖Δ_jᵀΔ_h‖²_F | normalized_vector: ⟨Δ_j/‖Δ_j‖, Δ_h/‖Δ_h‖⟩²     |
// |                                          |                             | (maximum_traverse_for_styleGAN2.py);           |
// |                                          |                             | normalized_per_channel: mean over channels of  |
// |                                          |                             | the squared cosine of each channel's row       |
// |                                          |                             | (maximum_traverse_for_BigGAN.py)               |
// | variation reduction                      | sum: ‖Δ_j‖²                 | mean: ‖Δ_j‖²/m (reduce_mean, StyleGAN2/BigGAN) |
// | orthogonality reduction                  | sum: ‖ΓᵀΓ − I‖²_F           | mean over the K² entries                       |
// The normalized forms divide by sqrt(‖·‖² + 1e-16), as the code does, so that Δ = 0 gives 0, not NaN.
//
// Errors: dimension_error for tensors of the wrong rank or sizes that do not match (m not divisible
// by channels), invalid_argument_error for a negative λ or v, a non-positive ε, or normalized_per_channel
// without channels; numerical_error from likelihood_loss when some F′ ≤ 0 (the log-likelihood is then
// undefined: F is not increasing there) or a loss that comes out NaN.
#include <cstdint>
#include <functional>
#include <string>

#include <ATen/ATen.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::torch::dplase {

enum class decorrelation_form {
    inner_product,           ///< the paper: ‖Δ_jᵀΔ_h‖²_F
    normalized_vector,       ///< the released StyleGAN2 script: squared cosine of the whole vectors
    normalized_per_channel,  ///< the released BigGAN script: mean over channels of squared per-channel cosines
};

enum class loss_reduction {
    sum,   ///< the paper
    mean,  ///< the released code (reduce_mean; torch.mean in the orthogonality term)
};

struct variation_loss_options {
    double lambda = 1.0;                                            ///< λ, the weight of the decorrelation
    decorrelation_form decorrelation = decorrelation_form::inner_product;
    loss_reduction variation = loss_reduction::sum;                 ///< ‖Δ_j‖² (sum) or its mean over m
    std::int64_t channels = 0;                                      ///< C > 0: Δ_j is a C × (m/C) feature map
};

/// The three parts of l_var (each a 0-dimensional tensor with its graph).
struct variation_terms {
    at::Tensor total;          ///< −variation + λ decorrelation
    at::Tensor variation;      ///< mean_N Σ_j ‖Δ_j‖² (or its mean over m)
    at::Tensor decorrelation;  ///< mean_N Σ_{j≠h} D(Δ_j, Δ_h)
};

namespace detail {
inline constexpr double normalization_eps = 1e-16;

inline void require(bool ok, const char* where, const std::string& what) {
    if (!ok) throw dimension_error(latentwalk::detail::sentence(where, what));
}

inline at::Tensor require_not_nan(at::Tensor t, const char* where) {
    if (at::isnan(t).any().item<bool>())
        throw numerical_error(latentwalk::detail::sentence(where, "the loss came out NaN; its inputs contain NaN."));
    return t;
}
}  // namespace detail

/// D(Δ_j, Δ_h) for every ordered pair: [K, K, N] (diagonal included; callers mask it).
inline at::Tensor pairwise_decorrelation(const at::Tensor& deltas, const variation_loss_options& o) {
    constexpr const char* where = "torch::dplase::pairwise_decorrelation";
    detail::require(deltas.dim() == 3, where, "the differences must be a [K, N, m] tensor.");
    const auto K = deltas.size(0), N = deltas.size(1), m = deltas.size(2);
    const double eps = detail::normalization_eps;
    if (o.decorrelation == decorrelation_form::normalized_per_channel && o.channels <= 0)
        throw invalid_argument_error(latentwalk::detail::sentence(
            where, "normalized_per_channel needs the number of feature channels (options.channels > 0)."));
    if (o.channels > 0)
        detail::require(m % o.channels == 0, where,
                        "the feature length " + std::to_string(m) + " is not a multiple of channels = " +
                            std::to_string(o.channels) + ".");
    switch (o.decorrelation) {
        case decorrelation_form::inner_product: {
            if (o.channels <= 0) {
                const auto g = at::einsum("knm,hnm->khn", {deltas, deltas});
                return g * g;
            }
            // ‖Δ_jᵀΔ_h‖²_F = ⟨Δ_jΔ_jᵀ, Δ_hΔ_hᵀ⟩_F with the C × C Gram matrices (cheaper for C < m/C).
            const auto X = deltas.reshape({K, N, o.channels, m / o.channels});
            const auto gram = at::matmul(X, X.transpose(-1, -2));  // [K, N, C, C]
            return at::einsum("knab,hnab->khn", {gram, gram});
        }
        case decorrelation_form::normalized_vector: {
            const auto u = deltas / at::sqrt((deltas * deltas).sum(-1, true) + eps);
            const auto g = at::einsum("knm,hnm->khn", {u, u});
            return g * g;
        }
        case decorrelation_form::normalized_per_channel: {
            const auto X = deltas.reshape({K, N, o.channels, m / o.channels});
            const auto u = X / at::sqrt((X * X).sum(-1, true) + eps);
            const auto g = at::einsum("knep,hnep->khne", {u, u});
            return (g * g).mean(-1);
        }
    }
    throw invalid_argument_error(latentwalk::detail::sentence(where, "unknown decorrelation form."));
}

/// l_var (eq. 8) of the differences Δ [K, N, m] (see the header).
inline variation_terms variation_loss(const at::Tensor& deltas, const variation_loss_options& o = {}) {
    constexpr const char* where = "torch::dplase::variation_loss";
    detail::require(deltas.defined() && deltas.dim() == 3, where, "the differences must be a [K, N, m] tensor.");
    if (!(o.lambda >= 0.0))
        throw invalid_argument_error(latentwalk::detail::sentence(where, "lambda must be non-negative."));
    const auto K = deltas.size(0), m = deltas.size(2);
    auto sq = (deltas * deltas).sum(-1);  // [K, N]
    if (o.variation == loss_reduction::mean) sq = sq / static_cast<double>(m);
    variation_terms t;
    t.variation = sq.sum(0).mean();
    const auto pair = pairwise_decorrelation(deltas, o);  // [K, K, N]
    const auto off = 1.0 - at::eye(K, deltas.options());
    t.decorrelation = (pair * off.unsqueeze(-1)).sum(at::IntArrayRef{0, 1}).mean();
    t.total = detail::require_not_nan(-t.variation + o.lambda * t.decorrelation, where);
    return t;
}

/// l_reg (eq. 10): ‖ΓᵀΓ − I‖²_F for Γ [d, K] (directions as columns); `mean` divides by K².
inline at::Tensor orthogonality_loss(const at::Tensor& gamma, loss_reduction r = loss_reduction::sum) {
    constexpr const char* where = "torch::dplase::orthogonality_loss";
    detail::require(gamma.defined() && gamma.dim() == 2, where, "Gamma must be a [d, K] matrix (directions as columns).");
    const auto K = gamma.size(1);
    const auto e = at::matmul(gamma.transpose(0, 1), gamma) - at::eye(K, gamma.options());
    auto s = (e * e).sum();
    if (r == loss_reduction::mean) s = s / static_cast<double>(K * K);
    return detail::require_not_nan(s, where);
}

/// (F(x + ε) − F(x))/ε element-wise (eq. 3), F any tensor function mapping [..., d] to [..., d].
inline at::Tensor finite_difference_slope(const std::function<at::Tensor(const at::Tensor&)>& F, const at::Tensor& x,
                                          double eps) {
    constexpr const char* where = "torch::dplase::finite_difference_slope";
    if (!(eps > 0.0))
        throw invalid_argument_error(latentwalk::detail::sentence(where, "eps must be positive, got " + std::to_string(eps) + "."));
    const auto f0 = F(x), f1 = F(x + eps);
    detail::require(f0.sizes() == x.sizes() && f1.sizes() == x.sizes(), where,
                    "F must map [..., d] to a tensor of the same shape.");
    return (f1 - f0) / eps;
}

namespace detail {
inline at::Tensor per_sample_sum(const at::Tensor& t, const char* where) {
    require(t.defined() && (t.dim() == 1 || t.dim() == 2), where, "the slopes must be a [d] or [N, d] tensor.");
    return t.dim() == 1 ? t.sum() : t.sum(-1).mean();
}
}  // namespace detail

/// l_mon (eq. 4): mean over samples of Σ_i max(0, v − F′_i).
inline at::Tensor monotonicity_loss(const at::Tensor& slopes, double v) {
    constexpr const char* where = "torch::dplase::monotonicity_loss";
    if (!(v >= 0.0)) throw invalid_argument_error(latentwalk::detail::sentence(where, "the minimum slope v must be non-negative."));
    return detail::require_not_nan(detail::per_sample_sum(at::relu(v - slopes), where), where);
}

/// l_lik (eq. 5): mean over samples of Σ_i −log F′_i; throws numerical_error if some F′_i ≤ 0.
inline at::Tensor likelihood_loss(const at::Tensor& slopes) {
    constexpr const char* where = "torch::dplase::likelihood_loss";
    detail::per_sample_sum(slopes, where);  // shape check
    if (!(slopes.min().item<double>() > 0.0))
        throw numerical_error(latentwalk::detail::sentence(
            where, "some slope F′ is not positive, so −log F′ is undefined: F is not increasing there (raise the "
                   "weight of l_mon or its minimum slope v, or use the monotone parameterization)."));
    return detail::require_not_nan(detail::per_sample_sum(-at::log(slopes), where), where);
}

/// l_den (eq. 7): mean over samples of Σ_j (a − b_j)² with a [N] the log-densities at z₀ and b [K, N]
/// (or [N] for K = 1) at the walked points z_dp(z₀, ε, γ_j).
inline at::Tensor density_consistency_loss(const at::Tensor& log_density_start, const at::Tensor& log_density_end) {
    constexpr const char* where = "torch::dplase::density_consistency_loss";
    detail::require(log_density_start.defined() && log_density_start.dim() == 1, where,
                    "the start log-densities must be a [N] tensor.");
    const auto b = log_density_end.dim() == 1 ? log_density_end.unsqueeze(0) : log_density_end;
    detail::require(b.dim() == 2 && b.size(1) == log_density_start.size(0), where,
                    "the end log-densities must be [K, N] (or [N]) with the N of the start.");
    const auto r = log_density_start.unsqueeze(0) - b;
    return detail::require_not_nan((r * r).sum(0).mean(), where);
}

}  // namespace latentwalk::torch::dplase
