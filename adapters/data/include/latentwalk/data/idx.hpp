#pragma once
// latentwalk/data/idx.hpp — the IDX file format (LeCun's MNIST format, also Fashion-MNIST's), read
// as unsigned bytes, plain or gzip-compressed.
//
//     auto a = latentwalk::data::read_idx("train-images-idx3-ubyte.gz");        // dims {60000, 28, 28}
//     auto b = latentwalk::data::read_idx("train-images-idx3-ubyte.gz", 100);   // the first 100 items only
//     std::uint8_t v = a.values[(i * 28 + r) * 28 + c];
//
// Format: a 4-byte magic 0x00 0x00 <type> <rank>, then `rank` big-endian uint32 dimensions, then the
// values row-major (last index fastest). latentwalk reads type 0x08 (unsigned byte), the type of every
// MNIST-family file; the other IDX types (0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64)
// are recognised and refused with a sentence.
//
// `max_items` limits the first dimension: only the header and the first max_items·(product of the other
// dimensions) bytes are inflated, and `dims[0]` of the result is the number read. Without it the file must
// end exactly where its dimensions say (trailing bytes are an error, as is a short file).
//
// Cost: one pass over the (decompressed) bytes; memory = the values read.
//
// Errors: latentwalk::data_error, a sentence naming the file, when it is missing (naming `debian_package`
// when given), unreadable, not valid gzip, truncated (fewer bytes than its header promises), longer than
// its header says, has a magic whose first two bytes are not zero, a type other than unsigned byte, rank 0,
// a zero dimension, or more values than fit in memory. Nothing is returned half-read.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "detail/file_bytes.hpp"

namespace latentwalk::data {

/// The contents of an IDX file of unsigned bytes.
struct idx_array {
    std::uint32_t magic = 0;               ///< the 4-byte magic as a big-endian number (0x00000803 for images)
    std::vector<std::size_t> dims;         ///< the dimensions (dims[0] = items actually read)
    std::vector<std::uint8_t> values;      ///< product(dims) bytes, row-major

    [[nodiscard]] std::size_t item_size() const noexcept {
        std::size_t s = 1;
        for (std::size_t d = 1; d < dims.size(); ++d) s *= dims[d];
        return s;
    }
};

namespace detail {

[[nodiscard]] inline const char* idx_type_name(std::uint8_t type) {
    switch (type) {
        case 0x08: return "unsigned byte";
        case 0x09: return "signed byte";
        case 0x0B: return "int16";
        case 0x0C: return "int32";
        case 0x0D: return "float32";
        case 0x0E: return "float64";
        default: return nullptr;
    }
}

[[nodiscard]] inline std::string hex32(std::uint32_t v) {
    static const char* digits = "0123456789abcdef";
    std::string s = "0x";
    for (int shift = 28; shift >= 0; shift -= 4) s += digits[(v >> shift) & 0xF];
    return s;
}

[[nodiscard]] inline std::uint32_t big_endian_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

/// read_idx with the caller's name in its sentences; when `expected_magic` is not 0, any other magic is
/// refused before the rest is read, with `expected_what` (e.g. "a Fashion-MNIST label file") in the sentence.
[[nodiscard]] inline idx_array read_idx(std::string_view where, const std::filesystem::path& file,
                                        std::size_t max_items, std::string_view debian_package,
                                        std::uint32_t expected_magic = 0, std::string_view expected_what = {}) {
    // The header is at most 4 + 4·255 bytes; read it first, then exactly what the items need.
    auto head = read_file_bytes(where, file, debian_package, 4);
    if (head.size() < 4) {
        throw_file_error(where, file, "is too short for an IDX file: it has " + std::to_string(head.size()) +
                                          " bytes, fewer than the 4-byte magic number.");
    }
    const std::uint32_t magic = big_endian_u32(head.data());
    if (head[0] != 0 || head[1] != 0) {
        throw_file_error(where, file, "is not an IDX file: its magic number " + hex32(magic) +
                                          " does not start with two zero bytes.");
    }
    if (expected_magic != 0 && magic != expected_magic) {
        throw_file_error(where, file, "has the magic number " + hex32(magic) + ", but " + std::string(expected_what) + " has " +
                                          hex32(expected_magic) + ".");
    }
    const std::uint8_t type = head[2];
    const std::size_t rank = head[3];
    if (type != 0x08) {
        const char* name = idx_type_name(type);
        throw_file_error(where, file,
                         std::string("has the IDX value type ") + (name != nullptr ? name : "unknown") + " (magic " +
                             hex32(magic) + "); latentwalk reads IDX files of unsigned bytes (type 0x08) only.");
    }
    if (rank == 0) throw_file_error(where, file, "has rank 0 in its magic number " + hex32(magic) + "; an IDX array needs at least one dimension.");

    const std::size_t header = 4 + 4 * rank;
    head = read_file_bytes(where, file, debian_package, header);
    if (head.size() < header) {
        throw_file_error(where, file, "is truncated: its magic number " + hex32(magic) + " announces " +
                                          std::to_string(rank) + " dimensions (a " + std::to_string(header) +
                                          "-byte header), but it has only " + std::to_string(head.size()) + " bytes.");
    }
    idx_array result;
    result.magic = magic;
    result.dims.resize(rank);
    std::size_t item = 1;
    for (std::size_t d = 0; d < rank; ++d) {
        result.dims[d] = big_endian_u32(head.data() + 4 + 4 * d);
        if (result.dims[d] == 0) {
            throw_file_error(where, file, "has dimension " + std::to_string(d) + " of size 0 in its header.");
        }
        if (d > 0) item *= result.dims[d];  // ≤ 255 factors of < 2^32: checked below
    }
    const std::size_t items = std::min(result.dims[0], max_items);
    if (item != 0 && items > (no_limit - header) / item) {
        throw_file_error(where, file, "announces more values than this machine can address.");
    }
    const std::size_t needed = header + items * item;
    const bool whole = items == result.dims[0] && max_items == no_limit;
    auto bytes = read_file_bytes(where, file, debian_package, whole ? no_limit : needed);
    if (bytes.size() < needed) {
        std::string dims;
        for (std::size_t d = 0; d < rank; ++d) {
            if (d > 0) dims += "×";
            dims += std::to_string(result.dims[d]);
        }
        throw_file_error(where, file, "is truncated: its header announces " + dims + " values (" +
                                          std::to_string(header + result.dims[0] * item) + " bytes with the header), but " +
                                          (items < result.dims[0] ? "the first " + std::to_string(items) + " items need " +
                                                                        std::to_string(needed) + " bytes and it has only "
                                                                  : std::string("it has only ")) +
                                          std::to_string(bytes.size()) + ".");
    }
    if (whole && bytes.size() > needed) {
        throw_file_error(where, file, "has " + std::to_string(bytes.size() - needed) +
                                          " bytes after the values its header announces; it is not a well-formed IDX file.");
    }
    result.dims[0] = items;
    result.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header),
                         bytes.begin() + static_cast<std::ptrdiff_t>(needed));
    return result;
}

}  // namespace detail

/// The first `max_items` items (all by default) of an IDX file of unsigned bytes, plain or gzip.
[[nodiscard]] inline idx_array read_idx(const std::filesystem::path& file, std::size_t max_items = detail::no_limit) {
    return detail::read_idx("latentwalk::data::read_idx", file, max_items, {});
}

}  // namespace latentwalk::data
