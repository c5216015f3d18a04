#pragma once
// latentwalk/torch/models/spectral_norm.hpp — spectral normalization (Miyato et al., ICLR 2018) of a
// weight by power iteration, and the SN linear and convolution layers of the GAN's discriminator.
//
//     latentwalk::torch::models::sn_conv2d conv(1, 32, 4, /*stride=*/2, /*padding=*/1);
//     at::Tensor y = conv(x);                  // conv2d with weight W / σ̂(W)
//     double s = conv->sigma().item<double>(); // the current estimate σ̂ = uᵀ W v
//
// LibTorch 1.13's C++ frontend has no spectral_norm (Python's torch.nn.utils.spectral_norm is
// Python), so it is implemented here the way the paper and PyTorch define it: W is viewed as the
// matrix W_mat = W.reshape(out, -1); buffers u ∈ R^out and v ∈ R^in (initialized from N(0, 1) with
// the global torch generator at construction, then normalized) carry the power iteration across
// calls. In training mode each forward performs `power_iterations` steps (default 1, as in the
// paper) without recording gradients, v ← W_matᵀu / ‖W_matᵀu‖, u ← W_mat v / ‖W_mat v‖ (norms
// floored at eps = 1e-12), then uses σ̂ = uᵀ W_mat v with u, v held constant, so the gradient
// flows through W in σ̂ exactly as in PyTorch. In eval mode u and v are not updated. u and v are
// buffers: they are checkpointed with the module, so a resumed run continues the same iteration.
//
// Cost per training forward: 2 · power_iterations matrix-vector products with W_mat (out × in).
// σ̂ converges to σ_max(W_mat) at the rate (σ₂/σ₁)^{2k}; test: equals the SVD's σ_max after enough
// iterations. Errors: power_iterations < 1 → invalid_argument_error.
#include <cmath>
#include <cstdint>
#include <string>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/models/conv_geometry.hpp>

namespace latentwalk::torch::models {

/// A weight parameter under spectral normalization: the state of the power iteration and the
/// normalized weight. Register it in a module with `attach`.
class spectral_normalizer {
public:
    spectral_normalizer() = default;

    /// Registers `weight_orig`, `sn_u` and `sn_v` on `owner` for a weight of the given shape.
    void attach(::torch::nn::Module& owner, at::Tensor weight, int power_iterations = 1, double eps = 1e-12) {
        if (power_iterations < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::models::spectral_normalizer", "power_iterations must be at least 1, got " +
                                                          std::to_string(power_iterations) + "."));
        iterations_ = power_iterations;
        eps_ = eps;
        weight_ = owner.register_parameter("weight_orig", weight);
        const auto rows = weight.size(0), cols = weight.numel() / weight.size(0);
        auto opts = weight.options().requires_grad(false);
        u_ = owner.register_buffer("sn_u", normalize(at::randn({rows}, opts)));
        v_ = owner.register_buffer("sn_v", normalize(at::randn({cols}, opts)));
    }

    /// W / σ̂; in training mode the power iteration advances first.
    at::Tensor normalized(bool training) {
        const auto W = weight_.reshape({weight_.size(0), -1});
        if (training) {
            at::NoGradGuard no_grad;
            for (int i = 0; i < iterations_; ++i) {
                v_.copy_(normalize(at::mv(W.t(), u_)));
                u_.copy_(normalize(at::mv(W, v_)));
            }
        }
        // Clones: the next training forward updates u, v in place while this graph is still alive.
        const auto sigma = at::dot(u_.detach().clone(), at::mv(W, v_.detach().clone()));
        return weight_ / sigma;
    }

    /// The current estimate σ̂ = uᵀ W_mat v (no power step, no graph).
    at::Tensor sigma() const {
        at::NoGradGuard no_grad;
        return at::dot(u_, at::mv(weight_.reshape({weight_.size(0), -1}), v_));
    }

    const at::Tensor& weight() const { return weight_; }

private:
    at::Tensor normalize(const at::Tensor& x) const { return x / at::clamp_min(x.norm(), eps_); }

    at::Tensor weight_, u_, v_;
    int iterations_ = 1;
    double eps_ = 1e-12;
};

/// y = x (W/σ̂)ᵀ + b, with W initialized like torch::nn::Linear (Kaiming-uniform, a = √5).
class sn_linear_impl : public ::torch::nn::Module {
public:
    sn_linear_impl(std::int64_t in, std::int64_t out, int power_iterations = 1) {
        auto w = at::empty({out, in});
        const double bound = 1.0 / std::sqrt(static_cast<double>(in));
        w.uniform_(-bound, bound);
        sn_.attach(*this, w, power_iterations);
        bias_ = register_parameter("bias", at::empty({out}).uniform_(-bound, bound));
    }
    at::Tensor forward(const at::Tensor& x) { return at::linear(x, sn_.normalized(is_training()), bias_); }
    at::Tensor sigma() const { return sn_.sigma(); }
    const at::Tensor& weight_orig() const { return sn_.weight(); }

private:
    spectral_normalizer sn_;
    at::Tensor bias_;
};
LATENTWALK_TORCH_MODULE(sn_linear, sn_linear_impl);

/// conv2d with weight W/σ̂ (W_mat = W.reshape(out, in·k·k)), initialized like torch::nn::Conv2d.
class sn_conv2d_impl : public ::torch::nn::Module {
public:
    sn_conv2d_impl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride = 1,
                   std::int64_t padding = 0, int power_iterations = 1)
        : stride_(stride), padding_(padding) {
        auto w = at::empty({out, in, kernel, kernel});
        const double bound = 1.0 / std::sqrt(static_cast<double>(in * kernel * kernel));
        w.uniform_(-bound, bound);
        sn_.attach(*this, w, power_iterations);
        bias_ = register_parameter("bias", at::empty({out}).uniform_(-bound, bound));
    }
    at::Tensor forward(const at::Tensor& x) {
        return at::conv2d(x, sn_.normalized(is_training()), bias_, {stride_, stride_}, {padding_, padding_});
    }
    at::Tensor sigma() const { return sn_.sigma(); }
    const at::Tensor& weight_orig() const { return sn_.weight(); }

private:
    spectral_normalizer sn_;
    at::Tensor bias_;
    std::int64_t stride_, padding_;
};
LATENTWALK_TORCH_MODULE(sn_conv2d, sn_conv2d_impl);

}  // namespace latentwalk::torch::models
