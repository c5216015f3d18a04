#pragma once
// latentwalk/torch/training/image_tensor.hpp — latentwalk::data::image_set ↔ tensors.
//
//     at::Tensor x = latentwalk::torch::training::to_tensor(set);                         // [N, C, H, W] float32, CPU
//     at::Tensor y = latentwalk::torch::training::to_tensor(set, {.dtype = at::kDouble, .device = at::kCUDA});
//     at::Tensor l = latentwalk::torch::training::labels_tensor(set);                    // [N] int64
//     std::vector<float> px = latentwalk::torch::training::to_pixels(images[i]);         // C·H·W floats, for plot::image_grid
//
// The tensor owns a copy of the pixels (the set can be destroyed afterwards); values are the set's,
// in [0, 1]. `first`/`count` select a contiguous range of images (count = npos: to the end).
// Errors: an empty set or a range outside it → invalid_argument_error; a set whose pixel count does
// not match N·C·H·W → dimension_error; labels_tensor on a set without labels → invalid_argument_error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include <latentwalk/data/image_set.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::torch::training {

struct tensor_options {
    at::ScalarType dtype = at::kFloat;
    at::Device device = at::kCPU;
};

inline constexpr std::size_t all_images = static_cast<std::size_t>(-1);

/// Images first … first+count−1 of `set` as a tensor [count, C, H, W].
inline at::Tensor to_tensor(const data::image_set& set, tensor_options opts = {}, std::size_t first = 0,
                            std::size_t count = all_images) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::training::to_tensor";
    if (set.count == 0 || set.image_size() == 0)
        throw invalid_argument_error(sentence(where, "the image set '" + set.name + "' is empty."));
    if (set.pixels.size() != set.count * set.image_size())
        throw dimension_error(sentence(where, "the image set '" + set.name + "' holds " +
                                                  std::to_string(set.pixels.size()) + " pixel values but count × C × H × W is " +
                                                  std::to_string(set.count * set.image_size()) + "."));
    if (count == all_images) count = first < set.count ? set.count - first : 0;
    if (first >= set.count || count == 0 || first + count > set.count)
        throw invalid_argument_error(sentence(where, "the range of " + std::to_string(count) + " images from image " +
                                                         std::to_string(first) + " is outside the set '" + set.name +
                                                         "' of " + std::to_string(set.count) + " images."));
    auto host = at::from_blob(const_cast<float*>(set.image(first)),
                              {static_cast<std::int64_t>(count), static_cast<std::int64_t>(set.channels),
                               static_cast<std::int64_t>(set.height), static_cast<std::int64_t>(set.width)},
                              at::TensorOptions().dtype(at::kFloat));
    return host.to(opts.device, opts.dtype, /*non_blocking=*/false, /*copy=*/true);
}

/// The labels of images first … first+count−1 as an int64 tensor [count] on `device`.
inline at::Tensor labels_tensor(const data::image_set& set, at::Device device = at::kCPU, std::size_t first = 0,
                                std::size_t count = all_images) {
    using latentwalk::detail::sentence;
    if (set.labels.size() != set.count || set.count == 0)
        throw invalid_argument_error(sentence("torch::training::labels_tensor",
                                              "the image set '" + set.name + "' has no labels (one per image)."));
    if (count == all_images) count = first < set.count ? set.count - first : 0;
    if (first >= set.count || count == 0 || first + count > set.count)
        throw invalid_argument_error(sentence("torch::training::labels_tensor", "the range is outside the set '" +
                                                                                   set.name + "'."));
    return at::tensor(std::vector<std::int64_t>(set.labels.begin() + static_cast<std::ptrdiff_t>(first),
                                                set.labels.begin() + static_cast<std::ptrdiff_t>(first + count)),
                      at::TensorOptions().dtype(at::kLong))
        .to(device);
}

/// One image (any shape, e.g. [C, H, W] or [C·H·W]) as host floats, for plot::image_grid::set.
inline std::vector<float> to_pixels(const at::Tensor& image) {
    auto t = image.detach().to(at::kCPU, at::kFloat).contiguous();
    return std::vector<float>(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
}

}  // namespace latentwalk::torch::training
