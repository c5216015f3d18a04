#pragma once
// latentwalk/torch/models/conv_decoder.hpp — the convolutional decoder of the VAE and generator of
// the GAN: latent codes [..., n] ↦ images flattened to [..., C·H·W] (values in (0, 1)), so that it
// *is* a latentwalk generator, and every intermediate layer is a partial generator.
//
//     namespace m = latentwalk::torch::models;
//     m::conv_decoder dec(m::decoder_options{.latent_dim = 8, .channels = 1, .height = 8, .width = 8});
//     latentwalk::torch::module_generator<float> g(dec, 8, dec->output_dim());      // the whole decoder
//     latentwalk::torch::module_generator<float> g1(dec->partial(1), 8, dec->feature_dim(1));  // after layer 1
//
// Architecture (DCGAN-like, no batch normalization so that each sample is mapped on its own, which
// a generator must): layer 1 is linear n → widths[L-1]·h₀·w₀ followed by the activation; layers
// 2 … L+1 are 4×4 transposed convolutions of stride 2 (padding 1: each doubles the side) from
// widths[j] to widths[j-1] (widths[0] for the last) with the activation; layer L+2 is a 3×3 convolution
// to C channels giving the logits; forward applies the sigmoid (the Bernoulli mean, or the Gaussian
// mean in (0, 1)). Geometry and widths: conv_geometry::plan. Activation: leaky ReLU with slope
// `slope` (0.2, DCGAN's). Layers are numbered 1 … num_layers() = L+2; partial(l) is the output of
// layer l (after its activation; for l = num_layers() the sigmoid mean, i.e. forward) flattened per
// sample to [..., feature_dim(l)]; logits(z) is layer L+2 before the sigmoid.
//
// Export: `export_torchscript(path)` writes a TorchScript archive that latentwalk's
// torchscript_generator loads: forward, logits and partial_1 … partial_{L+2} as methods. It is
// made in C++, without Python: a torch::jit::Module holding this module's parameters (as
// attributes fc_weight, up0_weight, …) and methods compiled from TorchScript source that this
// header generates for the architecture (torch::jit::Module::define), saved with Module::save.
// The source uses only aten operators (torch.linear, torch.conv_transpose2d, torch.conv2d,
// torch.leaky_relu, torch.sigmoid), the same kernels as forward here, so the file reproduces the
// module to the last bit on the same machine (tested, with JVPs). This was chosen over writing the
// weights for a Python script to rebuild and torch.jit.script: it needs no interpreter at export
// time and cannot drift from the C++ definition (one architecture, one text generated from it).
//
// Errors: partial(l) / feature_dim(l) with l outside 1 … num_layers() → invalid_argument_error;
// inputs whose last dimension is not latent_dim → dimension_error; an output file that cannot be
// written → model_loading_error. Each a sentence.
#include <cstdint>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/models/conv_geometry.hpp>

namespace latentwalk::torch::models {

struct decoder_options {
    std::int64_t latent_dim = 8;
    std::int64_t channels = 1;
    std::int64_t height = 8;
    std::int64_t width = 8;
    std::int64_t base_width = 32;  ///< channels at the finest level (conv_geometry::plan)
    std::int64_t max_width = 256;
    double slope = 0.2;            ///< leaky ReLU slope
};

/// The decoder part of a model's options (gan_options, vae_options: any struct with these fields).
template <class ModelOptions>
decoder_options decoder_options_of(const ModelOptions& o) {
    return {o.latent_dim, o.channels, o.height, o.width, o.base_width, o.max_width, o.slope};
}

namespace detail {

inline std::string batch_reshape_source(const std::string& tensor, std::int64_t size) {
    return "        out_shape = list(batch)\n        out_shape.append(" + std::to_string(size) + ")\n        return " +
           tensor + ".reshape(out_shape)\n";
}

inline void require_latent(const char* where, const at::Tensor& z, std::int64_t n) {
    if (!z.defined() || z.dim() < 1 || z.size(-1) != n) {
        std::ostringstream shape;
        if (z.defined()) shape << z.sizes();
        throw dimension_error(latentwalk::detail::sentence(
            where, "z has shape " + (z.defined() ? shape.str() : std::string("(undefined)")) +
                       " but its last dimension must be the latent dimension " + std::to_string(n) + "."));
    }
}

}  // namespace detail

class conv_decoder_impl : public ::torch::nn::Module {
public:
    explicit conv_decoder_impl(decoder_options o)
        : opts_(o), geom_(conv_geometry::plan(o.channels, o.height, o.width, o.base_width, o.max_width)) {
        if (o.latent_dim < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::models::conv_decoder", "latent_dim must be at least 1, got " + std::to_string(o.latent_dim) + "."));
        fc_ = register_module("fc", ::torch::nn::Linear(o.latent_dim, geom_.base_features()));
        up_ = register_module("up", ::torch::nn::ModuleList());
        for (std::int64_t j = geom_.levels - 1; j >= 0; --j) {
            const auto in = geom_.widths[static_cast<std::size_t>(j)];
            const auto out = geom_.widths[static_cast<std::size_t>(j > 0 ? j - 1 : 0)];
            up_->push_back(::torch::nn::ConvTranspose2d(
                ::torch::nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1)));
        }
        out_ = register_module("out", ::torch::nn::Conv2d(
                                          ::torch::nn::Conv2dOptions(geom_.widths[0], o.channels, 3).padding(1)));
    }

    [[nodiscard]] const decoder_options& options() const noexcept { return opts_; }
    [[nodiscard]] const conv_geometry& geometry() const noexcept { return geom_; }
    [[nodiscard]] std::int64_t latent_dim() const noexcept { return opts_.latent_dim; }
    [[nodiscard]] std::int64_t output_dim() const noexcept { return geom_.image_size(); }
    [[nodiscard]] std::int64_t num_layers() const noexcept { return geom_.levels + 2; }

    /// The size of the flattened output of layer l (1 … num_layers()).
    [[nodiscard]] std::int64_t feature_dim(std::int64_t l) const {
        check_layer("torch::models::conv_decoder::feature_dim", l);
        if (l == 1) return geom_.base_features();
        if (l == num_layers()) return geom_.image_size();
        const auto j = geom_.levels - (l - 1);  // width index after up block l-1
        const auto side = std::int64_t{1} << (l - 1);
        return geom_.widths[static_cast<std::size_t>(j > 0 ? j - 1 : 0)] * geom_.base_height * side *
               geom_.base_width * side;
    }

    /// Mean image in (0, 1), flattened: [..., n] → [..., C·H·W].
    at::Tensor forward(const at::Tensor& z) { return features(z, num_layers(), true); }

    /// Logits (before the sigmoid) as images [B, C, H, W] for z [B, n] (training uses these).
    at::Tensor logits_images(const at::Tensor& z) {
        detail::require_latent("torch::models::conv_decoder::logits_images", z, opts_.latent_dim);
        return run(z.reshape({-1, opts_.latent_dim}), num_layers(), false);
    }

    /// The output of layer l flattened: [..., n] → [..., feature_dim(l)].
    at::Tensor features(const at::Tensor& z, std::int64_t l, bool squash = true) {
        check_layer("torch::models::conv_decoder::features", l);
        detail::require_latent("torch::models::conv_decoder", z, opts_.latent_dim);
        auto shape = z.sizes().vec();
        auto h = run(z.reshape({-1, opts_.latent_dim}), l, squash);
        shape.back() = feature_dim(l);
        return h.reshape(shape);
    }

    /// Layer l as a callable z ↦ features, for module_generator (the module is shared, not copied).
    [[nodiscard]] std::function<at::Tensor(const at::Tensor&)> partial(std::int64_t l) {
        check_layer("torch::models::conv_decoder::partial", l);
        auto self = std::dynamic_pointer_cast<conv_decoder_impl>(shared_from_this());
        return [self, l](const at::Tensor& z) { return self->features(z, l, true); };
    }

    /// The TorchScript module (see the header comment); `save` writes it to a file.
    [[nodiscard]] ::torch::jit::Module to_torchscript() const {
        ::torch::jit::Module m("latentwalk_conv_decoder");
        auto add = [&](const std::string& name, const at::Tensor& t) {
            m.register_parameter(name, t.detach().clone(), /*is_buffer=*/false);
        };
        add("fc_weight", fc_->weight);
        add("fc_bias", fc_->bias);
        for (std::size_t j = 0; j < up_->size(); ++j) {
            auto conv = up_->ptr<::torch::nn::ConvTranspose2dImpl>(j);
            add("up" + std::to_string(j) + "_weight", conv->weight);
            add("up" + std::to_string(j) + "_bias", conv->bias);
        }
        add("out_weight", out_->weight);
        add("out_bias", out_->bias);
        m.define(torchscript_source());
        return m;
    }

    void export_torchscript(const std::string& path) const {
        try {
            to_torchscript().save(path);
        } catch (const std::exception& e) {
            throw model_loading_error(latentwalk::detail::sentence(
                "torch::models::conv_decoder::export_torchscript",
                "the TorchScript file '" + path + "' could not be written: " + first_line(e.what())));
        }
    }

    /// The TorchScript source of the methods (generated from the architecture).
    [[nodiscard]] std::string torchscript_source() const {
        std::ostringstream s;
        s.precision(17);
        const auto n = opts_.latent_dim;
        for (std::int64_t l = 1; l <= num_layers() + 1; ++l) {
            const bool logits = l == num_layers() + 1;
            const auto upto = logits ? num_layers() : l;
            s << "def " << (logits ? std::string("logits") : "partial_" + std::to_string(l)) << "(self, z):\n";
            s << "        batch = z.shape[:-1]\n";
            s << "        h = z.reshape([-1, " << n << "])\n";
            s << "        h = torch.leaky_relu(torch.linear(h, self.fc_weight, self.fc_bias), " << opts_.slope << ")\n";
            if (upto >= 2)
                s << "        h = h.reshape([-1, " << geom_.widths.back() << ", " << geom_.base_height << ", "
                  << geom_.base_width << "])\n";
            for (std::int64_t j = 0; j < geom_.levels && j + 2 <= upto; ++j)
                s << "        h = torch.leaky_relu(torch.conv_transpose2d(h, self.up" << j << "_weight, self.up" << j
                  << "_bias, [2, 2], [1, 1]), " << opts_.slope << ")\n";
            if (upto == num_layers()) {
                s << "        h = torch.conv2d(h, self.out_weight, self.out_bias, [1, 1], [1, 1])\n";
                if (!logits) s << "        h = torch.sigmoid(h)\n";
            }
            s << detail::batch_reshape_source("h", feature_dim(upto));
        }
        s << "def forward(self, z):\n        return self.partial_" << num_layers() << "(z)\n";
        return s.str();
    }

private:
    void check_layer(const char* where, std::int64_t l) const {
        if (l < 1 || l > num_layers())
            throw invalid_argument_error(latentwalk::detail::sentence(
                where, "layer " + std::to_string(l) + " does not exist; the layers are 1 … " +
                           std::to_string(num_layers()) + "."));
    }

    static std::string first_line(const char* what) {
        std::string s(what);
        const auto nl = s.find('\n');
        return nl == std::string::npos ? s : s.substr(0, nl);
    }

    /// Layers 1 … upto on z [B, n]; images [B, ., ., .] from layer 2 on, [B, f] for layer 1.
    at::Tensor run(const at::Tensor& z, std::int64_t upto, bool squash) {
        auto h = at::leaky_relu(fc_->forward(z), opts_.slope);
        if (upto == 1) return h;
        h = h.reshape({-1, geom_.widths.back(), geom_.base_height, geom_.base_width});
        for (std::size_t j = 0; j < up_->size() && static_cast<std::int64_t>(j) + 2 <= upto; ++j)
            h = at::leaky_relu(up_->ptr<::torch::nn::ConvTranspose2dImpl>(j)->forward(h), opts_.slope);
        if (upto == num_layers()) {
            h = out_->forward(h);
            if (squash) h = at::sigmoid(h);
        }
        return h;
    }

    decoder_options opts_;
    conv_geometry geom_;
    ::torch::nn::Linear fc_{nullptr};
    ::torch::nn::ModuleList up_{nullptr};
    ::torch::nn::Conv2d out_{nullptr};
};
LATENTWALK_TORCH_MODULE(conv_decoder, conv_decoder_impl);

}  // namespace latentwalk::torch::models
