#pragma once
// latentwalk/data/image_set.hpp — the one in-memory form of every image data set latentwalk reads
// or renders (Fashion-MNIST, the UCI digits, procedural sprites).
//
//     latentwalk::data::image_set s = latentwalk::data::load_digits();   // 1797 × 1 × 8 × 8
//     float p = s.pixel(i, 0, y, x);                                      // in [0, 1]
//
// Layout: `pixels` holds count × channels × height × width floats, row-major (N, C, H, W: the layout
// of a torch tensor of that shape), every value in [0, 1] (readers scale the file's integer range:
// 255 for Fashion-MNIST, 16 for the digits). `labels` holds one class index per image, or is empty
// when the set has none (sprites carry their factors instead). `factors` holds count × factor_names.size()
// values, row-major, for sets with known generative factors (sprites), empty otherwise.
//
// Errors: readers throw latentwalk::data_error (a model_loading_error: the file is input the caller
// did not compute) with a sentence naming the file and what was wrong; nothing half-read is returned.
// Standard library only; the readers that need zlib live beside this header in the latentwalk::data
// component.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <latentwalk/error.hpp>

namespace latentwalk {

/// A data file that is missing, unreadable, truncated or malformed (wrong magic, short read, bad gzip).
class data_error : public model_loading_error {
public:
    using model_loading_error::model_loading_error;
};

}  // namespace latentwalk

namespace latentwalk::data {

struct image_set {
    std::string name;                     ///< e.g. "fashion-mnist/train", "digits", "sprites"
    std::size_t count = 0;                ///< N
    std::size_t channels = 1;             ///< C
    std::size_t height = 0;               ///< H
    std::size_t width = 0;                ///< W
    std::vector<float> pixels;            ///< N·C·H·W values in [0, 1], row-major (N, C, H, W)
    std::vector<std::int64_t> labels;     ///< N class indices, or empty
    std::vector<std::string> factor_names;  ///< names of the generative factors, or empty
    std::vector<double> factors;          ///< N·factor_names.size() values, row-major, or empty

    [[nodiscard]] std::size_t image_size() const noexcept { return channels * height * width; }
    [[nodiscard]] float pixel(std::size_t i, std::size_t c, std::size_t y, std::size_t x) const {
        return pixels[((i * channels + c) * height + y) * width + x];
    }
    [[nodiscard]] const float* image(std::size_t i) const { return pixels.data() + i * image_size(); }
};

}  // namespace latentwalk::data
