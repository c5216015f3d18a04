#pragma once
// latentwalk/torch/models/gan.hpp — an SNGAN-style GAN (Miyato et al., ICLR 2018) on the DCGAN
// layout: the generator is a conv_decoder (z ~ N(0, I) ↦ image in (0, 1), flattened, so it is a
// latentwalk generator and each of its layers a partial generator), the discriminator uses spectral
// normalization on every layer (latentwalk/torch/models/spectral_norm.hpp), and the losses are the
// hinge loss (default, SNGAN's) or the non-saturating loss (Goodfellow et al., 2014; DCGAN's).
//
//     namespace m = latentwalk::torch::models;
//     m::gan net(m::gan_options{.latent_dim = 32, .height = 28, .width = 28});
//     at::Tensor score = net->discriminator()->forward(x);       // x [B, C, H, W] in [0, 1] → [B]
//     auto [d_loss, g_loss] = m::gan_losses(real_scores, fake_scores, m::gan_loss::hinge);
//
// Discriminator: per level i (conv_geometry), an SN 3×3 convolution (stride 1) to widths[i], then an
// SN 4×4 convolution of stride 2 (widths[i] → widths[i]), each followed by leaky ReLU 0.1 (SNGAN's "standard CNN",
// narrowed to the levels of the image), then an SN linear layer to one score. Inputs are mapped from
// [0, 1] to [−1, 1] first. Losses, as means over the batch, for real scores r and fake scores f:
//   hinge           L_D = E[max(0, 1 − r)] + E[max(0, 1 + f)],   L_G = −E[f]
//   non_saturating  L_D = E[softplus(−r)] + E[softplus(f)],        L_G = E[softplus(−f)]
// Errors: images of the wrong shape → dimension_error.
#include <cstdint>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>

#include <latentwalk/torch/models/conv_decoder.hpp>
#include <latentwalk/torch/models/spectral_norm.hpp>

namespace latentwalk::torch::models {

enum class gan_loss { hinge, non_saturating };

struct gan_options {
    std::int64_t latent_dim = 32;
    std::int64_t channels = 1;
    std::int64_t height = 28;
    std::int64_t width = 28;
    std::int64_t base_width = 32;
    std::int64_t max_width = 256;
    double slope = 0.2;                ///< generator's leaky ReLU
    double discriminator_slope = 0.1;  ///< discriminator's leaky ReLU (SNGAN)
    int power_iterations = 1;
};

class sn_discriminator_impl : public ::torch::nn::Module {
public:
    sn_discriminator_impl(const conv_geometry& g, double slope, int power_iterations) : geom_(g), slope_(slope) {
        convs_ = register_module("convs", ::torch::nn::ModuleList());
        for (std::int64_t i = 0; i < g.levels; ++i) {
            const auto in = i == 0 ? g.channels : g.widths[static_cast<std::size_t>(i - 1)];
            const auto out = g.widths[static_cast<std::size_t>(i)];
            convs_->push_back(sn_conv2d(in, out, 3, 1, 1, power_iterations));
            convs_->push_back(sn_conv2d(out, out, 4, 2, 1, power_iterations));
        }
        fc_ = register_module("fc", sn_linear(g.base_features(), 1, power_iterations));
    }

    /// Scores [B] for images [B, C, H, W] in [0, 1].
    at::Tensor forward(const at::Tensor& x) {
        detail::require_images("torch::models::sn_discriminator", x, geom_);
        auto h = 2.0 * x - 1.0;
        for (std::size_t i = 0; i < convs_->size(); ++i)
            h = at::leaky_relu(convs_->ptr<sn_conv2d_impl>(i)->forward(h), slope_);
        return fc_->forward(h.flatten(1)).squeeze(1);
    }

    /// Every spectrally normalized layer's current σ̂ (for tests and diagnostics).
    std::vector<at::Tensor> sigmas() const {
        std::vector<at::Tensor> s;
        for (std::size_t i = 0; i < convs_->size(); ++i) s.push_back(convs_->ptr<sn_conv2d_impl>(i)->sigma());
        s.push_back(fc_->sigma());
        return s;
    }

private:
    conv_geometry geom_;
    double slope_;
    ::torch::nn::ModuleList convs_{nullptr};
    sn_linear fc_{nullptr};
};
LATENTWALK_TORCH_MODULE(sn_discriminator, sn_discriminator_impl);

class gan_impl : public ::torch::nn::Module {
public:
    explicit gan_impl(gan_options o) : opts_(o) {
        generator_ = register_module("generator", conv_decoder(decoder_options_of(o)));
        discriminator_ = register_module(
            "discriminator", sn_discriminator(generator_->geometry(), o.discriminator_slope, o.power_iterations));
    }
    [[nodiscard]] const gan_options& options() const noexcept { return opts_; }
    [[nodiscard]] std::int64_t latent_dim() const noexcept { return opts_.latent_dim; }
    conv_decoder& generator() { return generator_; }
    sn_discriminator& discriminator() { return discriminator_; }

    /// Generated images [B, C, H, W] for z [B, n].
    at::Tensor generate_images(const at::Tensor& z) {
        const auto& g = generator_->geometry();
        return generator_->forward(z).reshape({-1, g.channels, g.height, g.width});
    }

private:
    gan_options opts_;
    conv_decoder generator_{nullptr};
    sn_discriminator discriminator_{nullptr};
};
LATENTWALK_TORCH_MODULE(gan, gan_impl);

/// (L_D, L_G) for real and fake scores; L_G is computed from `fake_scores` as given (pass scores
/// of non-detached fakes for the generator step).
inline std::pair<at::Tensor, at::Tensor> gan_losses(const at::Tensor& real_scores, const at::Tensor& fake_scores,
                                                    gan_loss loss) {
    if (loss == gan_loss::hinge)
        return {at::relu(1.0 - real_scores).mean() + at::relu(1.0 + fake_scores).mean(), -fake_scores.mean()};
    return {at::softplus(-real_scores).mean() + at::softplus(fake_scores).mean(), at::softplus(-fake_scores).mean()};
}

}  // namespace latentwalk::torch::models
