// "data:" — every way a data file can be wrong: each raises latentwalk::data_error with a sentence that
// names the reader and the file, and leaves the caller's variable as it was (nothing half-read).
// The files are written here, into a fresh temporary folder, plain or gzip-compressed with zlib.
#include <catch2/catch.hpp>

#include <latentwalk/data.hpp>

#include <zlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/temp_folder.hpp"

namespace data = latentwalk::data;
namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

namespace {

struct temp_folder : latentwalk::test::temp_folder {
    temp_folder() : latentwalk::test::temp_folder("latentwalk-data-test-") {}
};

void write(const fs::path& p, const bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

bytes gzip(const bytes& in) {
    z_stream zs{};
    CATCH_REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
    bytes out(deflateBound(&zs, static_cast<uLong>(in.size())) + 64);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    CATCH_REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

void put_u32(bytes& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(v >> s));
}

bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, std::uint32_t magic = 0x00000803U) {
    bytes b;
    put_u32(b, magic);
    put_u32(b, count);
    put_u32(b, rows);
    put_u32(b, cols);
    for (std::uint32_t k = 0; k < count * rows * cols; ++k) b.push_back(static_cast<std::uint8_t>((k * 37) % 256));
    return b;
}

bytes idx_labels(const bytes& labels, std::uint32_t magic = 0x00000801U) {
    bytes b;
    put_u32(b, magic);
    put_u32(b, static_cast<std::uint32_t>(labels.size()));
    b.insert(b.end(), labels.begin(), labels.end());
    return b;
}

/// A Fashion-MNIST-shaped test split in `folder`: 4 images of 3×2, labels {1, 9, 0, 4}.
void write_split(const fs::path& folder, const bytes& images, const bytes& labels, bool compressed = true) {
    write(folder / (compressed ? "t10k-images-idx3-ubyte.gz" : "t10k-images-idx3-ubyte"), compressed ? gzip(images) : images);
    write(folder / (compressed ? "t10k-labels-idx1-ubyte.gz" : "t10k-labels-idx1-ubyte"), compressed ? gzip(labels) : labels);
}

const bytes good_labels = idx_labels({1, 9, 0, 4});

data::image_set sentinel() {
    data::image_set s;
    s.name = "untouched";
    s.count = 1;
    s.height = 1;
    s.width = 1;
    s.pixels = {0.25F};
    return s;
}

/// Runs `load` into a sentinel set: it must throw data_error whose sentence contains every fragment,
/// and the sentinel must be as it was.
template <class F>
void require_data_error(F&& load, const std::vector<std::string>& fragments) {
    data::image_set target = sentinel();
    bool thrown = false;
    try {
        target = load();
    } catch (const latentwalk::data_error& e) {
        thrown = true;
        const std::string what = e.what();
        CATCH_INFO("message: " << what);
        for (const auto& f : fragments) {
            CATCH_INFO("expected fragment: " << f);
            CATCH_CHECK(what.find(f) != std::string::npos);
        }
        CATCH_CHECK(what.back() == '.');  // a sentence
    }
    CATCH_CHECK(thrown);
    CATCH_CHECK(target.name == "untouched");
    CATCH_CHECK(target.pixels == std::vector<float>{0.25F});
}

auto load_test_split(const fs::path& folder) {
    return [folder] { return data::load_fashion_mnist(data::fashion_mnist_split::test, folder); };
}

}  // namespace

CATCH_TEST_CASE("data: a well-formed split written here loads, gzip or plain, and data_error is a model_loading_error", "[data]") {
    static_assert(std::is_base_of_v<latentwalk::model_loading_error, latentwalk::data_error>);
    for (bool compressed : {true, false}) {
        temp_folder tmp;
        write_split(tmp.path, idx_images(4, 3, 2), good_labels, compressed);
        const auto s = data::load_fashion_mnist(data::fashion_mnist_split::test, tmp.path);
        CATCH_CHECK(s.count == 4);
        CATCH_CHECK(s.height == 3);
        CATCH_CHECK(s.width == 2);
        CATCH_CHECK(s.labels == std::vector<std::int64_t>{1, 9, 0, 4});
        CATCH_REQUIRE(s.pixels.size() == 24);
        for (std::uint32_t k = 0; k < 24; ++k) CATCH_CHECK(s.pixels[k] == static_cast<float>((k * 37) % 256) / 255.0F);
    }
    // Two concatenated gzip members read as one stream, as gunzip reads them.
    temp_folder tmp;
    const bytes whole = idx_images(4, 3, 2);
    bytes two = gzip(bytes(whole.begin(), whole.begin() + 10));
    const bytes rest = gzip(bytes(whole.begin() + 10, whole.end()));
    two.insert(two.end(), rest.begin(), rest.end());
    write(tmp.path / "t10k-images-idx3-ubyte.gz", two);
    write(tmp.path / "t10k-labels-idx1-ubyte.gz", gzip(good_labels));
    CATCH_CHECK(data::load_fashion_mnist(data::fashion_mnist_split::test, tmp.path).pixels.size() == 24);
}

CATCH_TEST_CASE("data: a missing file names the Debian package that provides it", "[data]") {
    temp_folder tmp;
    require_data_error(load_test_split(tmp.path / "nowhere"),
                       {"latentwalk::data::load_fashion_mnist", "nowhere/t10k-labels-idx1-ubyte.gz", "does not exist",
                        "dataset-fashion-mnist"});
    write(tmp.path / "t10k-labels-idx1-ubyte.gz", gzip(good_labels));  // labels there, images missing
    require_data_error(load_test_split(tmp.path), {"t10k-images-idx3-ubyte.gz", "does not exist", "dataset-fashion-mnist"});
    require_data_error([&] { return data::load_digits(tmp.path / "digits.csv.gz"); },
                       {"latentwalk::data::load_digits", "digits.csv.gz", "does not exist", "python3-sklearn"});
    require_data_error([&] { return data::load_digits(tmp.path); }, {"is a directory"});
    CATCH_CHECK_THROWS_AS(data::read_idx(tmp.path / "x.idx"), latentwalk::data_error);
}

CATCH_TEST_CASE("data: a wrong magic number is refused with the magic the file has and the one it needs", "[data]") {
    temp_folder tmp;
    write_split(tmp.path, idx_images(4, 3, 2), idx_labels({1, 9, 0, 4}, 0x00000803U));
    require_data_error(load_test_split(tmp.path), {"t10k-labels-idx1-ubyte.gz", "0x00000803", "0x00000801"});
    write_split(tmp.path, idx_images(4, 3, 2, 0x00000804U), good_labels);
    require_data_error(load_test_split(tmp.path), {"t10k-images-idx3-ubyte.gz", "0x00000804", "0x00000803"});
    // Not IDX at all (text), and an IDX of floats.
    write(tmp.path / "t10k-images-idx3-ubyte.gz", gzip(bytes{'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '!'}));
    require_data_error(load_test_split(tmp.path), {"is not an IDX file", "0x68656c6c"});
    write(tmp.path / "floats.idx", idx_images(4, 3, 2, 0x00000D03U));
    CATCH_CHECK_THROWS_WITH(data::read_idx(tmp.path / "floats.idx"),
                            Catch::Contains("latentwalk::data::read_idx") && Catch::Contains("float32") &&
                                Catch::Contains("unsigned bytes (type 0x08) only"));
    write(tmp.path / "rank0.idx", bytes{0, 0, 8, 0});
    CATCH_CHECK_THROWS_WITH(data::read_idx(tmp.path / "rank0.idx"), Catch::Contains("rank 0"));
}

CATCH_TEST_CASE("data: short files are truncated: fewer values than the header announces, or a cut header", "[data]") {
    temp_folder tmp;
    bytes images = idx_images(4, 3, 2);
    images.resize(images.size() - 1);  // one byte short
    write_split(tmp.path, images, good_labels);
    require_data_error(load_test_split(tmp.path), {"t10k-images-idx3-ubyte.gz", "is truncated", "4×3×2"});
    const bytes whole = idx_images(4, 3, 2);
    write_split(tmp.path, bytes(whole.begin(), whole.begin() + 10), good_labels);
    require_data_error(load_test_split(tmp.path), {"is truncated", "16-byte header"});
    write_split(tmp.path, bytes{0, 0}, good_labels);
    require_data_error(load_test_split(tmp.path), {"is too short for an IDX file"});
    write_split(tmp.path, bytes{}, good_labels);
    require_data_error(load_test_split(tmp.path), {"is too short for an IDX file"});
    // max_count needs only the first records: a file cut after them still gives them.
    images = idx_images(4, 3, 2);
    images.resize(16 + 2 * 6);
    write_split(tmp.path, images, good_labels);
    CATCH_CHECK(data::load_fashion_mnist(data::fashion_mnist_split::test, tmp.path, 2).count == 2);
    require_data_error([&] { return data::load_fashion_mnist(data::fashion_mnist_split::test, tmp.path, 3); },
                       {"is truncated", "the first 3 items need 34 bytes"});
}

CATCH_TEST_CASE("data: bad gzip (corrupt data, wrong checksum, a cut stream) is refused with a sentence", "[data]") {
    temp_folder tmp;
    const bytes images = idx_images(40, 8, 8);
    bytes z = gzip(images);
    // A cut gzip stream: truncated.
    write(tmp.path / "t10k-images-idx3-ubyte.gz", bytes(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(z.size() / 2)));
    write(tmp.path / "t10k-labels-idx1-ubyte.gz", gzip(idx_labels(bytes(40, 3))));
    require_data_error(load_test_split(tmp.path), {"t10k-images-idx3-ubyte.gz", "is truncated", "gzip stream ends"});
    // The CRC-32 of the trailer damaged: zlib's "incorrect data check".
    bytes bad_crc = z;
    bad_crc[bad_crc.size() - 6] ^= 0xFF;
    write(tmp.path / "t10k-images-idx3-ubyte.gz", bad_crc);
    require_data_error(load_test_split(tmp.path), {"is not a valid gzip file", "incorrect data check"});
    // The deflate data damaged.
    bytes bad_data = z;
    for (std::size_t k = 12; k < 20; ++k) bad_data[k] = 0xFF;
    write(tmp.path / "t10k-images-idx3-ubyte.gz", bad_data);
    require_data_error(load_test_split(tmp.path), {"t10k-images-idx3-ubyte.gz", "is not a valid gzip file"});
    // A bad gzip header (unknown compression method).
    bytes bad_header = z;
    bad_header[2] = 7;
    write(tmp.path / "t10k-images-idx3-ubyte.gz", bad_header);
    require_data_error(load_test_split(tmp.path), {"is not a valid gzip file", "unknown compression method"});
    // The same checks through the digits reader.
    write(tmp.path / "digits.csv.gz", bytes(z.begin(), z.begin() + 30));
    require_data_error([&] { return data::load_digits(tmp.path / "digits.csv.gz"); }, {"latentwalk::data::load_digits", "is truncated"});
}

CATCH_TEST_CASE("data: wrong dimensions: counts that differ, bytes after the data, a zero dimension", "[data]") {
    temp_folder tmp;
    write_split(tmp.path, idx_images(5, 3, 2), good_labels);
    require_data_error(load_test_split(tmp.path), {"holds 5 images", "holds 4 labels", "same count"});
    bytes longer = idx_images(4, 3, 2);
    longer.push_back(0);
    write_split(tmp.path, longer, good_labels);
    require_data_error(load_test_split(tmp.path), {"has 1 bytes after the values"});
    write_split(tmp.path, idx_images(0, 3, 2), idx_labels({}));
    require_data_error(load_test_split(tmp.path), {"dimension 0 of size 0"});
    bytes two_dims;
    put_u32(two_dims, 0x00000802U);
    put_u32(two_dims, 4);
    put_u32(two_dims, 6);
    two_dims.resize(two_dims.size() + 24, 1);
    write_split(tmp.path, two_dims, good_labels);
    require_data_error(load_test_split(tmp.path), {"0x00000802", "three dimensions"});
}

CATCH_TEST_CASE("data: a label out of range is refused with its value and record", "[data]") {
    temp_folder tmp;
    write_split(tmp.path, idx_images(4, 3, 2), idx_labels({1, 9, 10, 4}));
    require_data_error(load_test_split(tmp.path), {"t10k-labels-idx1-ubyte.gz", "label 10 at record 2", "0..9"});
}

CATCH_TEST_CASE("data: malformed digits files are refused with the line and what is wrong", "[data]") {
    temp_folder tmp;
    const auto file = tmp.path / "digits.csv";
    auto row = [](int pixel, int label, int count = 64) {
        std::string s;
        for (int k = 0; k < count; ++k) {
            if (k > 0) s += ',';
            s += std::to_string(k == 5 ? pixel : k % 17);
        }
        return s + "," + std::to_string(label) + "\n";
    };
    auto load = [&](const std::string& text) {
        write(file, bytes(text.begin(), text.end()));
        return [file] { return data::load_digits(file); };
    };
    // Well-formed, plain text, with and without the final newline, and with "3.0" and CRLF.
    const std::string good = row(3, 7) + row(16, 0);
    CATCH_CHECK(load(good)().count == 2);
    CATCH_CHECK(load(good.substr(0, good.size() - 1))().labels == std::vector<std::int64_t>{7, 0});
    std::string crlf = row(3, 7);
    crlf.insert(crlf.size() - 1, "\r");
    CATCH_CHECK(load(crlf + "0.0" + row(3, 2).substr(1))().count == 2);
    require_data_error(load(row(3, 7) + row(3, 7, 63)), {"has 64 values on line 2", "65"});
    require_data_error(load(row(3, 7, 65)), {"has 66 values on line 1"});
    require_data_error(load(row(17, 7)), {"pixel count 17 at line 1, value 6", "0..16"});
    require_data_error(load(row(3, 7) + row(3, 10)), {"label 10 at line 2", "0..9"});
    require_data_error(load(row(3, 7) + "x" + row(3, 7)), {"'x0' at line 2, value 1", "whole numbers"});
    require_data_error(load("1.5" + row(3, 7).substr(1)), {"'1.5' at line 1"});
    require_data_error(load(row(3, 7) + "\n" + row(3, 7)), {"empty line 2"});
    require_data_error(load(""), {"holds no digits"});
}
