#pragma once
// latentwalk/torch/flows/pair_classifiers.hpp — the networks that classify an image pair by the
// direction that produced it.
//
// | module               | use                                  | architecture                                        |
// |----------------------|--------------------------------------|-----------------------------------------------------|
// | lenet_pair_classifier| the auxiliary classifier C of Song et | the released code's LeNet (lenet_width 2): conv 5×5 |
// |                      | al. (eq. 7; "LeNet" for SNGAN-sized  | 2C→6, BN, ReLU, max-pool 2; conv 5×5 6→16, BN, ReLU,|
// |                      | images)                              | max-pool 2; conv 5×5 16→120, BN, ReLU; spatial mean;|
// |                      |                                      | linear 120→84, BN, ReLU; linear 84→K                 |
// | vp_pair_classifier   | the VP score's "simple neural        | four conv 3×3 layers (32, 32, 64, 64 channels,      |
// |                      | network" (Appendix A.1: four stacked | stride 1, 2, 2, 2) each with BN and ReLU; spatial   |
// |                      | conv layers with BN and ReLU)        | mean; linear → K (widths and strides are ours)      |
//
// Both take the two images of a pair, each [B, C, H, W], and concatenate them along the channels
// (2C = 6 for RGB, the paper's 6-channel input; 2 for grey images). LeNet's three 5×5 convolutions
// need 32×32 inputs at least: smaller images (Fashion-MNIST's 28×28, the 8×8 digits) are resized
// to 32×32 bilinearly first (our choice; the original LeNet-5 pads 28×28 digits to 32×32).
// forward returns logits [B, K]. Parameters and BatchNorm buffers save and load with
// flows/detail/module_file.hpp through the trainer's checkpoint.
#include <cstdint>
#include <string>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::torch {

namespace detail {
inline void check_pair(const char* where, const at::Tensor& a, const at::Tensor& b, std::int64_t channels) {
    if (!a.defined() || !b.defined() || a.dim() != 4 || a.sizes() != b.sizes() || a.size(1) != channels)
        throw dimension_error(latentwalk::detail::sentence(
            where, "the two images must both be [B, " + std::to_string(channels) + ", H, W]; they are " +
                       shape_string(a) + " and " + shape_string(b) + "."));
}
inline at::Tensor at_least_32(const at::Tensor& x) {
    if (x.size(2) >= 32 && x.size(3) >= 32) return x;
    return at::upsample_bilinear2d(x, {std::max<std::int64_t>(32, x.size(2)), std::max<std::int64_t>(32, x.size(3))},
                                   /*align_corners=*/false);
}
}  // namespace detail

class lenet_pair_classifier : public ::torch::nn::Module {
public:
    /// `channels`: C of one image (1 grey, 3 RGB); `classes`: K.
    lenet_pair_classifier(std::int64_t channels, std::int64_t classes,
                          at::TensorOptions to = at::TensorOptions().dtype(at::kDouble))
        : channels_(channels) {
        if (channels < 1 || classes < 2)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::lenet_pair_classifier", "it needs at least 1 channel and 2 classes."));
        namespace nn = ::torch::nn;
        c1_ = register_module("conv1", nn::Conv2d(nn::Conv2dOptions(2 * channels, 6, 5)));
        b1_ = register_module("bn1", nn::BatchNorm2d(6));
        c2_ = register_module("conv2", nn::Conv2d(nn::Conv2dOptions(6, 16, 5)));
        b2_ = register_module("bn2", nn::BatchNorm2d(16));
        c3_ = register_module("conv3", nn::Conv2d(nn::Conv2dOptions(16, 120, 5)));
        b3_ = register_module("bn3", nn::BatchNorm2d(120));
        l1_ = register_module("fc1", nn::Linear(120, 84));
        b4_ = register_module("bn4", nn::BatchNorm1d(84));
        l2_ = register_module("fc2", nn::Linear(84, classes));
        this->to(to.dtype().toScalarType());
        if (to.has_device()) this->to(to.device());
    }

    at::Tensor forward(const at::Tensor& a, const at::Tensor& b) {
        detail::check_pair("torch::lenet_pair_classifier::forward", a, b, channels_);
        auto x = detail::at_least_32(at::cat({a, b}, 1));
        x = at::max_pool2d(at::relu(b1_->forward(c1_->forward(x))), {2, 2}, {2, 2});
        x = at::max_pool2d(at::relu(b2_->forward(c2_->forward(x))), {2, 2}, {2, 2});
        x = at::relu(b3_->forward(c3_->forward(x))).mean({-1, -2});
        return l2_->forward(at::relu(b4_->forward(l1_->forward(x))));
    }

private:
    std::int64_t channels_;
    ::torch::nn::Conv2d c1_{nullptr}, c2_{nullptr}, c3_{nullptr};
    ::torch::nn::BatchNorm2d b1_{nullptr}, b2_{nullptr}, b3_{nullptr};
    ::torch::nn::BatchNorm1d b4_{nullptr};
    ::torch::nn::Linear l1_{nullptr}, l2_{nullptr};
};

class vp_pair_classifier : public ::torch::nn::Module {
public:
    vp_pair_classifier(std::int64_t channels, std::int64_t classes,
                       at::TensorOptions to = at::TensorOptions().dtype(at::kFloat))
        : channels_(channels) {
        if (channels < 1 || classes < 2)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::vp_pair_classifier", "it needs at least 1 channel and 2 classes."));
        namespace nn = ::torch::nn;
        const std::int64_t widths[4] = {32, 32, 64, 64}, strides[4] = {1, 2, 2, 2};
        std::int64_t in = 2 * channels;
        for (int i = 0; i < 4; ++i) {
            convs_[i] = register_module("conv" + std::to_string(i + 1),
                                        nn::Conv2d(nn::Conv2dOptions(in, widths[i], 3).stride(strides[i]).padding(1)));
            bns_[i] = register_module("bn" + std::to_string(i + 1), nn::BatchNorm2d(widths[i]));
            in = widths[i];
        }
        head_ = register_module("head", nn::Linear(in, classes));
        this->to(to.dtype().toScalarType());
        if (to.has_device()) this->to(to.device());
    }

    at::Tensor forward(const at::Tensor& a, const at::Tensor& b) {
        detail::check_pair("torch::vp_pair_classifier::forward", a, b, channels_);
        auto x = at::cat({a, b}, 1);
        for (int i = 0; i < 4; ++i) x = at::relu(bns_[i]->forward(convs_[i]->forward(x)));
        return head_->forward(x.mean({-1, -2}));
    }

private:
    std::int64_t channels_;
    ::torch::nn::Conv2d convs_[4] = {nullptr, nullptr, nullptr, nullptr};
    ::torch::nn::BatchNorm2d bns_[4] = {nullptr, nullptr, nullptr, nullptr};
    ::torch::nn::Linear head_{nullptr};
};

}  // namespace latentwalk::torch
