// "data:" — the readers against facts of the real files, as read by an independent tool: Python's gzip
// module and numpy (Debian python3-numpy). The numbers below are what tests/datasets/make_facts.py
// prints; rerun it (/usr/bin/python3 tests/datasets/make_facts.py) if the packages' files change.
#include <catch2/catch.hpp>

#include <latentwalk/data.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace data = latentwalk::data;

namespace {

// The file's byte back from a pixel: the readers scale by 1/255 (1/16), which round-trips exactly.
std::int64_t byte_sum(const data::image_set& s, std::size_t i, float range) {
    std::int64_t sum = 0;
    for (std::size_t k = 0; k < s.image_size(); ++k) sum += std::lround(s.image(i)[k] * range);
    return sum;
}

std::int64_t total_byte_sum(const data::image_set& s, float range) {
    std::int64_t sum = 0;
    for (float p : s.pixels) sum += std::lround(p * range);
    return sum;
}

}  // namespace

CATCH_TEST_CASE("data: read_idx reads the Fashion-MNIST headers and first records as numpy does", "[data]") {
    const auto folder = data::default_fashion_mnist_folder();
    const auto images = data::read_idx(folder / "train-images-idx3-ubyte.gz", 5);
    CATCH_CHECK(images.magic == 0x00000803U);
    CATCH_CHECK(images.dims == std::vector<std::size_t>{5, 28, 28});
    CATCH_REQUIRE(images.values.size() == 5 * 784);
    const std::array<int, 5> sums = {76247, 84598, 28662, 46649, 61187};
    for (std::size_t i = 0; i < 5; ++i) {
        CATCH_CHECK(std::accumulate(images.values.begin() + i * 784, images.values.begin() + (i + 1) * 784, 0) == sums[i]);
    }
    const std::vector<std::uint8_t> row14 = {0,   0,   1,   4,   6,   7,   2,   0,   0,   0,   0,   0,   237, 226,
                                             217, 223, 222, 219, 222, 221, 216, 223, 229, 215, 218, 255, 77,  0};
    CATCH_CHECK(std::vector<std::uint8_t>(images.values.begin() + 14 * 28, images.values.begin() + 15 * 28) == row14);

    const auto labels = data::read_idx(folder / "t10k-labels-idx1-ubyte.gz");
    CATCH_CHECK(labels.magic == 0x00000801U);
    CATCH_CHECK(labels.dims == std::vector<std::size_t>{10000});
    CATCH_CHECK(std::vector<std::uint8_t>(labels.values.begin(), labels.values.begin() + 10) ==
                std::vector<std::uint8_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7});
}

CATCH_TEST_CASE("data: the whole Fashion-MNIST training split matches numpy's counts, sums and labels", "[data]") {
    const auto s = data::load_fashion_mnist(data::fashion_mnist_split::train);
    CATCH_CHECK(s.name == "fashion-mnist/train");
    CATCH_REQUIRE(s.count == 60000);
    CATCH_CHECK(s.channels == 1);
    CATCH_CHECK(s.height == 28);
    CATCH_CHECK(s.width == 28);
    CATCH_REQUIRE(s.pixels.size() == 60000 * 784);
    CATCH_REQUIRE(s.labels.size() == 60000);
    CATCH_CHECK(s.factor_names.empty());
    CATCH_CHECK(s.factors.empty());
    CATCH_CHECK(total_byte_sum(s, 255.0F) == 3431114169LL);
    const std::array<std::int64_t, 5> sums = {76247, 84598, 28662, 46649, 61187};
    for (std::size_t i = 0; i < 5; ++i) CATCH_CHECK(byte_sum(s, i, 255.0F) == sums[i]);
    CATCH_CHECK(byte_sum(s, 59999, 255.0F) == 16684);
    CATCH_CHECK(std::vector<std::int64_t>(s.labels.begin(), s.labels.begin() + 10) ==
                std::vector<std::int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5});
    CATCH_CHECK(s.labels.back() == 5);
    std::array<int, 10> counts{};
    for (auto l : s.labels) ++counts.at(static_cast<std::size_t>(l));
    for (int c : counts) CATCH_CHECK(c == 6000);
    // Scaling: byte / 255, so the extremes are exactly 0 and 1, and row 14 of image 0 holds 255 at column 25.
    CATCH_CHECK(*std::min_element(s.pixels.begin(), s.pixels.end()) == 0.0F);
    CATCH_CHECK(*std::max_element(s.pixels.begin(), s.pixels.end()) == 1.0F);
    CATCH_CHECK(s.pixel(0, 0, 14, 25) == 1.0F);
    CATCH_CHECK(s.pixel(0, 0, 14, 12) == 237.0F / 255.0F);
    CATCH_CHECK(data::fashion_mnist_class_names[static_cast<std::size_t>(s.labels[0])] == "Ankle boot");
}

CATCH_TEST_CASE("data: the Fashion-MNIST test split and its first records through max_count match numpy's", "[data]") {
    const auto s = data::load_fashion_mnist(data::fashion_mnist_split::test);
    CATCH_CHECK(s.name == "fashion-mnist/test");
    CATCH_REQUIRE(s.count == 10000);
    CATCH_CHECK(total_byte_sum(s, 255.0F) == 573469082LL);
    CATCH_CHECK(byte_sum(s, 9999, 255.0F) == 24390);
    std::array<int, 10> counts{};
    for (auto l : s.labels) ++counts.at(static_cast<std::size_t>(l));
    for (int c : counts) CATCH_CHECK(c == 1000);

    const auto first = data::load_fashion_mnist(data::fashion_mnist_split::test, 5);
    CATCH_REQUIRE(first.count == 5);
    CATCH_REQUIRE(first.pixels.size() == 5 * 784);
    CATCH_CHECK(std::equal(first.pixels.begin(), first.pixels.end(), s.pixels.begin()));
    const std::array<std::int64_t, 5> sums = {33456, 100994, 51520, 35377, 62655};
    for (std::size_t i = 0; i < 5; ++i) CATCH_CHECK(byte_sum(first, i, 255.0F) == sums[i]);
    CATCH_CHECK(first.labels == std::vector<std::int64_t>{9, 2, 1, 1, 6});
    // More than the file holds gives the whole file; 0 gives an empty set.
    CATCH_CHECK(data::load_fashion_mnist(data::fashion_mnist_split::test, data::default_fashion_mnist_folder(), 20000).count == 10000);
    CATCH_CHECK(data::load_fashion_mnist(data::fashion_mnist_split::test, 0).count == 0);
}

CATCH_TEST_CASE("data: the digits match numpy's loadtxt of python3-sklearn's digits.csv.gz", "[data]") {
    const auto s = data::load_digits();
    CATCH_CHECK(s.name == "digits");
    CATCH_REQUIRE(s.count == 1797);
    CATCH_CHECK(s.channels == 1);
    CATCH_CHECK(s.height == 8);
    CATCH_CHECK(s.width == 8);
    CATCH_REQUIRE(s.pixels.size() == 1797 * 64);
    CATCH_REQUIRE(s.labels.size() == 1797);
    CATCH_CHECK(total_byte_sum(s, 16.0F) == 561718);
    const std::array<std::int64_t, 5> sums = {294, 313, 344, 267, 258};
    for (std::size_t i = 0; i < 5; ++i) CATCH_CHECK(byte_sum(s, i, 16.0F) == sums[i]);
    CATCH_CHECK(std::vector<std::int64_t>(s.labels.begin(), s.labels.begin() + 10) ==
                std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
    CATCH_CHECK(s.labels.back() == 8);
    const std::array<int, 10> expected_counts = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
    std::array<int, 10> counts{};
    for (auto l : s.labels) ++counts.at(static_cast<std::size_t>(l));
    CATCH_CHECK(counts == expected_counts);
    const std::array<int, 64> row0 = {0, 0, 5,  13, 9,  1,  0,  0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11,
                                      8, 0, 0,  4,  12, 0,  0,  8, 8, 0, 0,  5,  8,  0,  0, 9, 8, 0, 0,  4, 11, 0,
                                      1, 12, 7, 0,  0,  2,  14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0};
    for (std::size_t k = 0; k < 64; ++k) CATCH_CHECK(s.pixel(0, 0, k / 8, k % 8) == static_cast<float>(row0[k]) / 16.0F);

    const auto first = data::load_digits(3);
    CATCH_CHECK(first.count == 3);
    CATCH_CHECK(first.labels == std::vector<std::int64_t>{0, 1, 2});
    CATCH_CHECK(std::equal(first.pixels.begin(), first.pixels.end(), s.pixels.begin()));
}
