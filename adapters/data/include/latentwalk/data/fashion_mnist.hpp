#pragma once
// latentwalk/data/fashion_mnist.hpp — Zalando's Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017) from the
// IDX files of the Debian package dataset-fashion-mnist.
//
//     using namespace latentwalk::data;
//     image_set train = load_fashion_mnist(fashion_mnist_split::train);          // 60000 × 1 × 28 × 28
//     image_set test  = load_fashion_mnist(fashion_mnist_split::test, 500);      // the first 500 of 10000
//     image_set mine  = load_fashion_mnist(fashion_mnist_split::train, "/data/fmnist");
//     fashion_mnist_class_names[train.labels[0]]                                  // "Ankle boot"
//
// Files: <folder>/train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz] (split train, 60 000
// images) and t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] (split test, 10 000); the
// compressed name is used when it exists, the uncompressed one otherwise. The default folder is the
// package's, /usr/share/datasets/fashion-mnist (`dpkg -L dataset-fashion-mnist`). The original MNIST
// files, which share names and format, load the same way from their own folder.
//
// Result: name "fashion-mnist/train" or "fashion-mnist/test"; channels 1; height × width from the
// images file's header (28 × 28); pixels = byte / 255 (0 = background, 1 = full ink; the files store
// ink as high values); labels in 0..9, the classes of `fashion_mnist_class_names`; no factors.
//
// Cost: the train images are 26 MB gzip, 47 MB inflated; reading all 60 000 takes about half a second
// (one inflate pass) and holds 188 MB of floats. `max_count` inflates only the first images and labels.
//
// Errors: latentwalk::data_error with a sentence naming the file: missing (naming the Debian package
// dataset-fashion-mnist), unreadable, bad gzip, truncated, trailing bytes, a magic other than 0x00000803
// (images) or 0x00000801 (labels), image and label files whose counts differ, and a label outside 0..9.
// Nothing is returned half-read.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "idx.hpp"
#include "image_set.hpp"

namespace latentwalk::data {

enum class fashion_mnist_split { train, test };

/// The ten classes, indexed by label.
inline constexpr std::array<std::string_view, 10> fashion_mnist_class_names = {
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"};

/// Where Debian's dataset-fashion-mnist installs the files.
[[nodiscard]] inline std::filesystem::path default_fashion_mnist_folder() {
    return "/usr/share/datasets/fashion-mnist";
}

namespace detail {

inline constexpr std::string_view fashion_mnist_package = "dataset-fashion-mnist";

/// <folder>/<stem>.gz when it exists, <folder>/<stem> when only that exists, the .gz name otherwise
/// (so that the error names the file the package installs).
[[nodiscard]] inline std::filesystem::path fashion_mnist_file(const std::filesystem::path& folder, const std::string& stem) {
    std::error_code ec;
    const auto gz = folder / (stem + ".gz");
    if (std::filesystem::exists(gz, ec)) return gz;
    const auto plain = folder / stem;
    if (std::filesystem::exists(plain, ec)) return plain;
    return gz;
}

}  // namespace detail

/// The first `max_count` images and labels (all by default) of a Fashion-MNIST split read from `folder`.
[[nodiscard]] inline image_set load_fashion_mnist(fashion_mnist_split split,
                                                  const std::filesystem::path& folder = default_fashion_mnist_folder(),
                                                  std::size_t max_count = detail::no_limit) {
    constexpr std::string_view where = "latentwalk::data::load_fashion_mnist";
    const std::string prefix = split == fashion_mnist_split::train ? "train" : "t10k";
    const auto images_file = detail::fashion_mnist_file(folder, prefix + "-images-idx3-ubyte");
    const auto labels_file = detail::fashion_mnist_file(folder, prefix + "-labels-idx1-ubyte");

    const idx_array labels = detail::read_idx(where, labels_file, max_count, detail::fashion_mnist_package, 0x00000801U,
                                              "a Fashion-MNIST label file (unsigned bytes, one dimension)");
    const idx_array images = detail::read_idx(where, images_file, max_count, detail::fashion_mnist_package, 0x00000803U,
                                              "a Fashion-MNIST image file (unsigned bytes, three dimensions: count, rows, columns)");
    if (images.dims[0] != labels.dims[0]) {
        detail::throw_file_error(where, images_file, "holds " + std::to_string(images.dims[0]) + " images, but its label file '" +
                                                         labels_file.string() + "' holds " + std::to_string(labels.dims[0]) +
                                                         " labels; the two files of a split must have the same count.");
    }
    for (std::size_t i = 0; i < labels.values.size(); ++i) {
        if (labels.values[i] >= fashion_mnist_class_names.size()) {
            detail::throw_file_error(where, labels_file, "has the label " + std::to_string(labels.values[i]) + " at record " +
                                                             std::to_string(i) + "; Fashion-MNIST labels are 0..9.");
        }
    }

    image_set set;
    set.name = split == fashion_mnist_split::train ? "fashion-mnist/train" : "fashion-mnist/test";
    set.count = images.dims[0];
    set.channels = 1;
    set.height = images.dims[1];
    set.width = images.dims[2];
    set.pixels.resize(images.values.size());
    for (std::size_t i = 0; i < images.values.size(); ++i) set.pixels[i] = static_cast<float>(images.values[i]) / 255.0F;
    set.labels.assign(labels.values.begin(), labels.values.end());
    return set;
}

/// The first `max_count` images of a split from the package's folder.
[[nodiscard]] inline image_set load_fashion_mnist(fashion_mnist_split split, std::size_t max_count) {
    return load_fashion_mnist(split, default_fashion_mnist_folder(), max_count);
}

}  // namespace latentwalk::data
