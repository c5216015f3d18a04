#pragma once
// latentwalk/torch/models/conv_geometry.hpp — the layer plan shared by every convolutional model of
// latentwalk (the VAE's encoder and decoder, the GAN's generator and discriminator).
//
//     auto g = latentwalk::torch::models::conv_geometry::plan(1, 28, 28, 32);   // Fashion-MNIST
//     // g.levels == 2, g.base_height == 7, g.widths == {32, 64}
//
// The image side is halved `levels` times by stride-2 convolutions (kernel 4, padding 1, which
// maps H to H/2 exactly for even H) and doubled back by transposed convolutions of the same shape.
// `levels` is the number of halvings possible while both sides stay even and at least 4 after the
// halving: 8×8 → 1 level (4×4 base), 28×28 → 2 (7×7), 32×32 → 3 (4×4), 64×64 → 4 (4×4); any other
// size with H, W ≥ 4 works the same way. Channel widths per level: widths[i] = min(base_width · 2^i,
// max_width), level 0 being the one next to the image.
//
// Errors: a side below 4, zero channels or widths → invalid_argument_error (a sentence).
#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/pimpl.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>

/// A module holder (the handle type of LibTorch's C++ frontend, like torch::nn::Linear) for `Impl`,
/// usable inside namespaces that have their own `torch` (TORCH_MODULE_IMPL names torch::nn unqualified).
#define LATENTWALK_TORCH_MODULE(Name, Impl)                          \
    class Name : public ::torch::nn::ModuleHolder<Impl> {           \
    public:                                                          \
        using ::torch::nn::ModuleHolder<Impl>::ModuleHolder;         \
        using Impl_t = Impl;                                         \
    }

namespace latentwalk::torch::models {

struct conv_geometry {
    std::int64_t channels = 1;     ///< C of the images
    std::int64_t height = 0;       ///< H
    std::int64_t width = 0;        ///< W
    std::int64_t levels = 0;       ///< number of stride-2 stages
    std::int64_t base_height = 0;  ///< H / 2^levels
    std::int64_t base_width = 0;   ///< W / 2^levels
    std::vector<std::int64_t> widths;  ///< channel width at each level, widths.size() == levels

    [[nodiscard]] std::int64_t image_size() const noexcept { return channels * height * width; }
    /// Channels × base area: the size of the flattened feature map at the coarsest level.
    [[nodiscard]] std::int64_t base_features() const noexcept { return widths.back() * base_height * base_width; }

    static conv_geometry plan(std::int64_t channels, std::int64_t height, std::int64_t width,
                              std::int64_t base_width = 32, std::int64_t max_width = 256) {
        using latentwalk::detail::sentence;
        if (channels < 1 || height < 4 || width < 4)
            throw invalid_argument_error(sentence(
                "torch::models::conv_geometry::plan",
                "the images must have at least 1 channel and sides of at least 4 pixels, got " +
                    std::to_string(channels) + " × " + std::to_string(height) + " × " + std::to_string(width) + "."));
        if (base_width < 1 || max_width < base_width)
            throw invalid_argument_error(sentence("torch::models::conv_geometry::plan",
                                                  "base_width must be at least 1 and max_width at least base_width, got " +
                                                      std::to_string(base_width) + " and " +
                                                      std::to_string(max_width) + "."));
        conv_geometry g;
        g.channels = channels;
        g.height = height;
        g.width = width;
        std::int64_t h = height, w = width;
        while (h % 2 == 0 && w % 2 == 0 && h / 2 >= 4 && w / 2 >= 4) {
            h /= 2;
            w /= 2;
            ++g.levels;
        }
        if (g.levels == 0)
            throw invalid_argument_error(sentence("torch::models::conv_geometry::plan",
                                                  "an image of " + std::to_string(height) + " × " +
                                                      std::to_string(width) +
                                                      " cannot be halved once with both sides even and at least 4; "
                                                      "use sides of 8 pixels or more."));
        g.base_height = h;
        g.base_width = w;
        for (std::int64_t i = 0; i < g.levels; ++i) g.widths.push_back(std::min(base_width << i, max_width));
        return g;
    }
};

namespace detail {

/// x must be images [B, C, H, W] of geometry g, else dimension_error naming `where`.
inline void require_images(const char* where, const at::Tensor& x, const conv_geometry& g) {
    if (!x.defined() || x.dim() != 4 || x.size(1) != g.channels || x.size(2) != g.height || x.size(3) != g.width) {
        std::ostringstream shape;
        if (x.defined()) shape << x.sizes();
        throw dimension_error(latentwalk::detail::sentence(
            where, "x has shape " + (x.defined() ? shape.str() : std::string("(undefined)")) + " but must be [B, " +
                       std::to_string(g.channels) + ", " + std::to_string(g.height) + ", " + std::to_string(g.width) +
                       "]."));
    }
}

}  // namespace detail

}  // namespace latentwalk::torch::models
