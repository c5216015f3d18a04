#pragma once
// latentwalk/data/detail/file_bytes.hpp — the byte layer under every data reader: a file's bytes,
// inflated when the file is gzip-compressed (RFC 1952, detected by its magic 0x1f 0x8b; several
// concatenated members are read as one stream, as gunzip does), read as-is otherwise.
//
//     auto bytes = detail::read_file_bytes("latentwalk::data::load_digits", path, "python3-sklearn");
//     auto head  = detail::read_file_bytes(where, path, package, 16);   // at most the first 16 bytes
//
// Streaming: the file is read in 64 KiB chunks and inflated as it goes; with a `max_bytes` limit
// reading stops as soon as that many (decompressed) bytes are there, so the first records of a large
// file cost only what they occupy. A file read to its end has its gzip CRC-32 and length checked by
// zlib; a prefix read under `max_bytes` is checked only as far as it was inflated.
//
// Errors (latentwalk::data_error, a sentence naming the calling function and the file): the file does
// not exist (naming the Debian package that provides it, when one is given), cannot be opened or read,
// is not a valid gzip stream (bad header, corrupt deflate data, CRC or length mismatch), or ends in the
// middle of a gzip member (truncated). Needs zlib (Debian zlib1g-dev).
#include <zlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "../image_set.hpp"

namespace latentwalk::data::detail {

inline constexpr std::size_t no_limit = std::numeric_limits<std::size_t>::max();

/// "latentwalk::data::f: the file 'p' what"
[[nodiscard]] inline std::string file_sentence(std::string_view where, const std::filesystem::path& file,
                                               std::string_view what) {
    std::string s(where);
    s += ": the file '";
    s += file.string();
    s += "' ";
    s += what;
    return s;
}

[[noreturn]] inline void throw_file_error(std::string_view where, const std::filesystem::path& file,
                                          std::string_view what) {
    throw data_error(file_sentence(where, file, what));
}

/// Throws data_error when `file` is missing or not a regular file; `debian_package` (may be empty)
/// is named as the package that provides it.
inline void require_existing_file(std::string_view where, const std::filesystem::path& file,
                                  std::string_view debian_package) {
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!std::filesystem::exists(status)) {
        std::string what = "does not exist";
        if (!debian_package.empty()) {
            what += "; it is installed by the Debian package ";
            what += debian_package;
            what += " (apt-get install ";
            what += debian_package;
            what += "), or pass the path of your own copy";
        }
        throw_file_error(where, file, what + ".");
    }
    if (std::filesystem::is_directory(status)) {
        throw_file_error(where, file, "is a directory, not a data file.");
    }
}

/// The file's bytes (inflated when it is gzip-compressed), at most `max_bytes` of them.
[[nodiscard]] inline std::vector<std::uint8_t> read_file_bytes(std::string_view where,
                                                               const std::filesystem::path& file,
                                                               std::string_view debian_package,
                                                               std::size_t max_bytes = no_limit) {
    require_existing_file(where, file, debian_package);
    std::ifstream in(file, std::ios::binary);
    if (!in) throw_file_error(where, file, "exists but cannot be opened for reading.");

    constexpr std::size_t chunk = 64 * 1024;
    std::vector<unsigned char> input(chunk);
    auto read_chunk = [&]() -> std::size_t {
        in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size()));
        if (in.bad()) throw_file_error(where, file, "could not be read (I/O error).");
        return static_cast<std::size_t>(in.gcount());
    };

    std::size_t have = read_chunk();
    std::vector<std::uint8_t> out;
    const bool gzip = have >= 2 && input[0] == 0x1f && input[1] == 0x8b;
    if (!gzip) {  // uncompressed: the bytes as they are
        while (have > 0 && out.size() < max_bytes) {
            out.insert(out.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(std::min(have, max_bytes - out.size())));
            if (out.size() >= max_bytes) break;
            have = read_chunk();
        }
        return out;
    }

    z_stream zs{};
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {  // 16 +: a gzip wrapper, not zlib's
        throw_file_error(where, file, "could not be inflated: zlib failed to initialise.");
    }
    struct end_guard {
        z_stream* zs;
        ~end_guard() { inflateEnd(zs); }
    } guard{&zs};

    std::vector<unsigned char> buffer(4 * chunk);
    bool member_open = true;  // inside a gzip member whose end we have not seen
    zs.next_in = input.data();
    zs.avail_in = static_cast<uInt>(have);
    while (out.size() < max_bytes) {
        if (zs.avail_in == 0) {
            have = read_chunk();
            if (have == 0) break;
            zs.next_in = input.data();
            zs.avail_in = static_cast<uInt>(have);
        }
        if (!member_open) {  // bytes after a member's end: another member, as gunzip reads them
            if (inflateReset(&zs) != Z_OK) throw_file_error(where, file, "could not be inflated (zlib reset failed).");
            member_open = true;
        }
        zs.next_out = buffer.data();
        zs.avail_out = static_cast<uInt>(buffer.size());
        const int rc = inflate(&zs, Z_NO_FLUSH);
        const std::size_t produced = buffer.size() - zs.avail_out;
        out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(std::min(produced, max_bytes - out.size())));
        if (rc == Z_STREAM_END) {
            member_open = false;
        } else if (rc == Z_DATA_ERROR) {
            std::string what = "is not a valid gzip file (";
            what += zs.msg != nullptr ? zs.msg : "corrupt deflate data";
            what += ").";
            throw_file_error(where, file, what);
        } else if (rc == Z_MEM_ERROR) {
            throw_file_error(where, file, "could not be inflated: zlib ran out of memory.");
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            throw_file_error(where, file, "could not be inflated (zlib error " + std::to_string(rc) + ").");
        }
    }
    if (member_open && out.size() < max_bytes) {
        throw_file_error(where, file,
                         "is truncated: its gzip stream ends before the end of the compressed data (after " +
                             std::to_string(out.size()) + " decompressed bytes).");
    }
    return out;
}

}  // namespace latentwalk::data::detail
