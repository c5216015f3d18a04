#pragma once
// latentwalk/torch/models/vae.hpp — a convolutional variational autoencoder (Kingma & Welling, 2014)
// for C × H × W images (8×8, 28×28, 32×32, 64×64 and other sizes, see conv_geometry), with a
// Bernoulli or a Gaussian likelihood, its ELBO and the importance-weighted bound (Burda et al., 2016).
//
//     namespace m = latentwalk::torch::models;
//     m::vae model(m::vae_options{.latent_dim = 8, .height = 8, .width = 8});
//     auto [mu, logvar] = model->encode(x);                  // x: [B, C, H, W] in [0, 1]
//     auto terms = model->elbo_terms(x, generator);          // per image: reconstruction, KL, −ELBO
//     latentwalk::torch::module_generator<float> g(model->decoder(), 8, model->decoder()->output_dim());
//
// Model: q(z|x) = N(μ(x), diag exp(logvar(x))) by the encoder (4×4 stride-2 convolutions with leaky
// ReLU, conv_geometry's widths, then one linear layer to 2n numbers: μ, then log σ²); p(z) = N(0, I);
// p(x|z) by the decoder (conv_decoder: its forward is the mean image in (0, 1)).
//   likelihood::bernoulli  log p(x|z) = Σ_pixels x log p + (1−x) log(1−p), p = sigmoid(logits),
//                          evaluated as −BCE-with-logits (stable). For grey values in [0, 1] (not
//                          binarized) this is the usual "continuous Bernoulli-free" practice: the
//                          number is a log-likelihood of the Bernoulli model, comparable between
//                          models on the same data, not a density of the continuous pixels.
//   likelihood::gaussian   log p(x|z) = Σ_pixels log N(x; mean(z), σ²), one learned σ per model
//                          (log σ is a parameter, initialized to log 0.1).
// Both in nats per image. ELBO = E_q[log p(x|z)] − KL(q‖p) with the KL in closed form and one
// reparameterized sample z = μ + σ ε for the expectation (ε from the caller's at::Generator).
// IWAE_k = E[log (1/k) Σ_j p(x, z_j)/q(z_j|x)], z_j ~ q: a lower bound on log p(x) that is ≥ ELBO
// and rises with k; with k = 1 it is an unbiased estimate of the ELBO (test: both, on a fixed seed).
//
// Errors: inputs of the wrong shape → dimension_error; k < 1 → invalid_argument_error.
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/models/conv_decoder.hpp>

namespace latentwalk::torch::models {

enum class likelihood { bernoulli, gaussian };

struct vae_options {
    std::int64_t latent_dim = 8;
    std::int64_t channels = 1;
    std::int64_t height = 8;
    std::int64_t width = 8;
    std::int64_t base_width = 32;
    std::int64_t max_width = 256;
    double slope = 0.2;
    models::likelihood likelihood = likelihood::bernoulli;
};

/// Per-image terms of the ELBO, each a tensor [B] in nats.
struct elbo_terms {
    at::Tensor log_likelihood;  ///< log p(x|z) at one sample z ~ q(z|x)
    at::Tensor kl;              ///< KL(q(z|x) ‖ N(0, I)), closed form
    at::Tensor elbo;            ///< log_likelihood − kl
};

/// The VAE's encoder: images [B, C, H, W] → (μ, log σ²), each [B, n].
class conv_encoder_impl : public ::torch::nn::Module {
public:
    conv_encoder_impl(const conv_geometry& g, std::int64_t latent_dim, double slope)
        : geom_(g), n_(latent_dim), slope_(slope) {
        convs_ = register_module("convs", ::torch::nn::ModuleList());
        for (std::int64_t i = 0; i < g.levels; ++i) {
            const auto in = i == 0 ? g.channels : g.widths[static_cast<std::size_t>(i - 1)];
            convs_->push_back(::torch::nn::Conv2d(
                ::torch::nn::Conv2dOptions(in, g.widths[static_cast<std::size_t>(i)], 4).stride(2).padding(1)));
        }
        fc_ = register_module("fc", ::torch::nn::Linear(g.base_features(), 2 * latent_dim));
    }
    std::pair<at::Tensor, at::Tensor> forward(const at::Tensor& x) {
        auto h = x;
        for (std::size_t i = 0; i < convs_->size(); ++i)
            h = at::leaky_relu(convs_->ptr<::torch::nn::Conv2dImpl>(i)->forward(h), slope_);
        auto out = fc_->forward(h.flatten(1));
        return {out.narrow(1, 0, n_), out.narrow(1, n_, n_)};
    }

private:
    conv_geometry geom_;
    std::int64_t n_;
    double slope_;
    ::torch::nn::ModuleList convs_{nullptr};
    ::torch::nn::Linear fc_{nullptr};
};
LATENTWALK_TORCH_MODULE(conv_encoder, conv_encoder_impl);

class vae_impl : public ::torch::nn::Module {
public:
    explicit vae_impl(vae_options o) : opts_(o) {
        decoder_ = register_module("decoder", conv_decoder(decoder_options_of(o)));
        encoder_ = register_module("encoder", conv_encoder(decoder_->geometry(), o.latent_dim, o.slope));
        log_sigma_ = register_parameter("log_sigma", at::full({}, std::log(0.1)),
                                        /*requires_grad=*/o.likelihood == likelihood::gaussian);
    }

    [[nodiscard]] const vae_options& options() const noexcept { return opts_; }
    [[nodiscard]] std::int64_t latent_dim() const noexcept { return opts_.latent_dim; }
    conv_decoder& decoder() { return decoder_; }
    conv_encoder& encoder() { return encoder_; }
    const at::Tensor& log_sigma() const { return log_sigma_; }

    /// (μ, log σ²) of q(z|x), each [B, n].
    std::pair<at::Tensor, at::Tensor> encode(const at::Tensor& x) {
        detail::require_images("torch::models::vae::encode", x, decoder_->geometry());
        return encoder_->forward(x);
    }

    /// log p(x|z) per image, for x [B, C, H, W] and z [B, n]: [B].
    at::Tensor log_likelihood(const at::Tensor& x, const at::Tensor& z) {
        detail::require_images("torch::models::vae::log_likelihood", x, decoder_->geometry());
        auto logits = decoder_->logits_images(z);
        if (logits.size(0) != x.size(0))
            throw dimension_error(latentwalk::detail::sentence(
                "torch::models::vae::log_likelihood", "x holds " + std::to_string(x.size(0)) + " images but z holds " +
                                                          std::to_string(logits.size(0)) + " latent codes."));
        at::Tensor per_pixel;
        if (opts_.likelihood == likelihood::bernoulli) {
            per_pixel = -at::binary_cross_entropy_with_logits(logits, x, {}, {}, at::Reduction::None);
        } else {
            const auto mean = at::sigmoid(logits);
            per_pixel = -0.5 * (x - mean).pow(2) * at::exp(-2.0 * log_sigma_) - log_sigma_ -
                        0.5 * std::log(2.0 * M_PI);
        }
        return per_pixel.flatten(1).sum(1);
    }

    /// One-sample ELBO terms per image (the training objective is −elbo.mean()).
    models::elbo_terms elbo_terms(const at::Tensor& x, at::Generator& gen) {
        auto [mu, logvar] = encode(x);
        const auto eps = at::randn(mu.sizes(), gen, mu.options().device(at::kCPU)).to(mu.device());
        const auto z = mu + at::exp(0.5 * logvar) * eps;
        auto ll = log_likelihood(x, z);
        auto kl = 0.5 * (mu.pow(2) + at::exp(logvar) - 1.0 - logvar).sum(1);
        return {ll, kl, ll - kl};
    }

    /// The importance-weighted bound per image with k samples: [B].
    at::Tensor iwae(const at::Tensor& x, std::int64_t k, at::Generator& gen) {
        if (k < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::models::vae::iwae", "k must be at least 1, got " + std::to_string(k) + "."));
        auto [mu, logvar] = encode(x);
        const auto B = mu.size(0), n = mu.size(1);
        const auto eps = at::randn({k, B, n}, gen, mu.options().device(at::kCPU)).to(mu.device());
        const auto sd = at::exp(0.5 * logvar);
        const auto z = mu.unsqueeze(0) + sd.unsqueeze(0) * eps;  // [k, B, n]
        const double half_log_2pi = 0.5 * std::log(2.0 * M_PI);
        const auto log_prior = (-0.5 * z.pow(2) - half_log_2pi).sum(-1);
        const auto log_q = (-0.5 * eps.pow(2) - 0.5 * logvar.unsqueeze(0) - half_log_2pi).sum(-1);
        auto ll = at::empty({k, B}, mu.options());
        for (std::int64_t j = 0; j < k; ++j) ll[j] = log_likelihood(x, z[j]);
        const auto log_w = ll + log_prior - log_q;
        return at::logsumexp(log_w, {0}) - std::log(static_cast<double>(k));
    }

private:
    vae_options opts_;
    conv_decoder decoder_{nullptr};
    conv_encoder encoder_{nullptr};
    at::Tensor log_sigma_;
};
LATENTWALK_TORCH_MODULE(vae, vae_impl);

}  // namespace latentwalk::torch::models
