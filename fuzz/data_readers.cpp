// libFuzzer target: the data readers of adapters/data on arbitrary bytes, plain or gzip.
// Byte 0 chooses the reader and its max_items/max_count (selector % 3, selector / 3):
//   0  read_idx(file[, max_items])                         file = bytes 1..
//   1  load_digits(file[, max_count])                      file = bytes 1..
//   2  load_fashion_mnist(test, folder, max_count)         bytes 1-2: little-endian length L of the label
//      file, the next L bytes the labels file, the rest the images file
// Seeds: small IDX and digits-CSV files, plain and gzip (fuzz/corpus/data_readers). What a reader
// returns must be consistent with its own dimensions and documented value ranges.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <latentwalk/data.hpp>

#include "fuzz_support.hpp"

namespace data = latentwalk::data;
using latentwalk::fuzz::finding;

namespace {

void check_set(const data::image_set& set, std::size_t max_count, std::size_t classes) {
    if (set.count > max_count) finding("data_readers: " + set.name + " returned more images than max_count");
    if (set.pixels.size() != set.count * set.image_size())
        finding("data_readers: " + set.name + " has " + std::to_string(set.pixels.size()) + " pixels for " +
                std::to_string(set.count) + " images of " + std::to_string(set.image_size()));
    if (set.labels.size() != set.count) finding("data_readers: " + set.name + " has another number of labels than images");
    for (float v : set.pixels)
        if (!(v >= 0.0F && v <= 1.0F)) finding("data_readers: " + set.name + " has a pixel outside [0, 1]");
    for (auto l : set.labels)
        if (l < 0 || static_cast<std::size_t>(l) >= classes) finding("data_readers: " + set.name + " has a label outside 0..9");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
    if (size < 1) return 0;
    static latentwalk::fuzz::input_file file(".bin");
    static latentwalk::fuzz::input_file folder(".d");
    const std::uint8_t selector = bytes[0];
    const std::size_t limit = selector / 3 == 0 ? data::detail::no_limit : selector / 3;
    latentwalk::fuzz::library_exceptions_only("data_readers", [&] {
        switch (selector % 3) {
            case 0: {
                const auto& path = file.write(bytes + 1, size - 1);
                const auto a = limit == data::detail::no_limit ? data::read_idx(path) : data::read_idx(path, limit);
                std::size_t n = 1;
                for (auto d : a.dims) n *= d;
                if (a.dims.empty() || n != a.values.size())
                    finding("data_readers: read_idx returned " + std::to_string(a.values.size()) +
                            " values for dimensions whose product is " + std::to_string(n));
                if (a.dims[0] > limit) finding("data_readers: read_idx returned more items than max_items");
                break;
            }
            case 1: {
                const auto& path = file.write(bytes + 1, size - 1);
                check_set(limit == data::detail::no_limit ? data::load_digits(path) : data::load_digits(path, limit), limit, 10);
                break;
            }
            default: {
                if (size < 3) return;
                const std::size_t labels = std::min<std::size_t>(bytes[1] | (bytes[2] << 8), size - 3);
                // Written in place (a copy_file can fail with EINTR under libFuzzer's timer signal).
                std::filesystem::create_directories(folder.path());
                const auto write_file = [](const std::filesystem::path& p, const std::uint8_t* b, std::size_t n) {
                    std::ofstream out(p, std::ios::binary | std::ios::trunc);
                    out.write(reinterpret_cast<const char*>(b), static_cast<std::streamsize>(n));
                    if (!out) finding("data_readers: could not write " + p.string());
                };
                write_file(folder.path() / "t10k-labels-idx1-ubyte", bytes + 3, labels);
                write_file(folder.path() / "t10k-images-idx3-ubyte", bytes + 3 + labels, size - 3 - labels);
                check_set(data::load_fashion_mnist(data::fashion_mnist_split::test, folder.path(), limit), limit, 10);
                break;
            }
        }
    });
    return 0;
}
