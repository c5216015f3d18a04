#pragma once
// latentwalk/torch/detail/zip_archive.hpp — structural and CRC-32 verification of a zip archive
// before LibTorch reads it.
//
//     latentwalk::torch::detail::verify_zip_archive("torch::torchscript_generator", "mapping.pt",
//                                                   "TorchScript archive");
//
// TorchScript files (torch.jit.save, torch::jit::save) and torch::save / torch::serialize archives
// are zip files. LibTorch's reader (miniz, caffe2::serialize::PyTorchStreamReader) checks neither
// the entries' CRC-32 checksums nor every offset, and a damaged entry can make it crash the process
// (a flipped bit in a code/ entry made 11 of 4000 damaged copies of a fixture die with SIGSEGV while
// LibTorch formatted a parse error). This reads the archive's own structure first:
//
//   - the end-of-central-directory record (zip64 too), on one disk, inside the file;
//   - every central-directory header: its local header at an offset inside the file, with the same
//     name and method, the same CRC and sizes (unless the entry uses a data descriptor, bit 3, in
//     which case the descriptor's CRC must match), no encryption, method 0 (stored) or 8 (deflate);
//   - the entries' data ranges inside the file, before the central directory, not overlapping;
//   - each entry's CRC-32 (zlib's crc32) over its uncompressed bytes, deflated entries inflated with
//     zlib (raw deflate), and the inflated size equal to the recorded one;
//   - no two entry names equal ignoring case (LibTorch's reader, miniz, looks names up ignoring case);
//   - every tensor that the pickles LibTorch unpickles on load (data.pkl, constants.pkl) build fits
//     in the bytes behind it: each storage's declared numel × itemsize within its record's size, each
//     view's extent within its storage (torch/detail/pickle_tensors.hpp). LibTorch 1.13 checks neither
//     and reads past its heap buffer on such a file (found by fuzz/checkpoint_load); the code's
//     source-range pickles (*.debug_pkl) get the same walk, without tensors.
//
// Cost: one streaming pass over the file (1 MiB buffers; memory independent of the file's size) and
// one pass over the two pickles (held in memory, as LibTorch holds them); about the time to read the
// file, dominated by the CRC and inflate (GB/s and hundreds of MB/s).
//
// Errors: model_loading_error, a sentence naming `where`, the file and what is wrong (the entry, the
// expected and the actual CRC-32, the offset out of range...). Nothing else is thrown (a read
// failure of the file itself is a model_loading_error too).
//
// What it does not do: a file that passes is a well-formed zip with intact entries; it may still not
// be a valid TorchScript archive (LibTorch then throws, and the callers turn that into a sentence),
// and a TorchScript archive is *code*: loading one runs its methods. Load only files you trust.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <zlib.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/detail/pickle_tensors.hpp>

namespace latentwalk::torch::detail {

namespace zip {

inline constexpr std::uint32_t local_signature = 0x04034b50U;
inline constexpr std::uint32_t central_signature = 0x02014b50U;
inline constexpr std::uint32_t end_signature = 0x06054b50U;
inline constexpr std::uint32_t end64_locator_signature = 0x07064b50U;
inline constexpr std::uint32_t end64_signature = 0x06064b50U;
inline constexpr std::uint32_t descriptor_signature = 0x08074b50U;

inline std::uint16_t u16(const unsigned char* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
inline std::uint32_t u32(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
inline std::uint64_t u64(const unsigned char* p) {
    return static_cast<std::uint64_t>(u32(p)) | (static_cast<std::uint64_t>(u32(p + 4)) << 32);
}

inline std::string hex32(std::uint32_t v) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(v));
    return buf;
}

/// Printable form of an entry name read from a (possibly damaged) file: at most 120 characters,
/// control bytes and non-ASCII bytes as \xNN.
inline std::string printable(std::string_view name) {
    std::string s;
    for (std::size_t i = 0; i < name.size() && s.size() < 120; ++i) {
        const auto c = static_cast<unsigned char>(name[i]);
        if (c >= 0x20 && c < 0x7f) {
            s += static_cast<char>(c);
        } else {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
            s += buf;
        }
    }
    if (name.size() > 120) s += "...";
    return s;
}

struct entry {
    std::string name;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0;
    std::uint64_t uncompressed = 0;
    std::uint64_t local_offset = 0;
    std::uint64_t data_offset = 0;  // filled from the local header
    std::uint64_t end = 0;          // one past the entry's last byte (data descriptor included)
};

/// A random-access reader over the file that turns every failure into model_loading_error.
class file_reader {
public:
    file_reader(std::string_view where, const std::filesystem::path& path, std::string_view what)
        : where_(where), path_(path), what_(what) {
        std::error_code ec;
        size_ = std::filesystem::file_size(path, ec);
        if (ec) fail("its size could not be read (" + ec.message() + ")");
        in_.open(path, std::ios::binary);
        if (!in_) fail("it could not be opened for reading");
    }

    [[nodiscard]] std::uint64_t size() const { return size_; }

    /// Reads exactly `n` bytes at `offset` (the caller has checked that they lie inside the file).
    void read(std::uint64_t offset, unsigned char* out, std::size_t n) {
        if (offset > size_ || n > size_ - offset)
            fail("a read of " + std::to_string(n) + " bytes at offset " + std::to_string(offset) +
                 " goes past its end (" + std::to_string(size_) + " bytes)");
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(n));
        if (!in_ || static_cast<std::size_t>(in_.gcount()) != n)
            fail("reading " + std::to_string(n) + " bytes at offset " + std::to_string(offset) + " failed");
    }

    [[noreturn]] void fail(const std::string& why) const {
        throw model_loading_error(latentwalk::detail::sentence(
            where_, "the file '" + path_.string() + "' is not an intact " + what_ + ": " + why + "."));
    }

private:
    std::string where_;
    std::filesystem::path path_;
    std::string what_;
    std::uint64_t size_ = 0;
    std::ifstream in_;
};

/// Reads the zip64 extended-information extra field of a central header, replacing the 0xFFFFFFFF
/// sentinels of `e` in the order the format gives them (uncompressed, compressed, offset).
inline void read_zip64_extra(file_reader& file, entry& e, const unsigned char* extra, std::size_t length,
                             bool need_u, bool need_c, bool need_o) {
    std::size_t p = 0;
    while (p + 4 <= length) {
        const std::uint16_t id = u16(extra + p);
        const std::uint16_t size = u16(extra + p + 2);
        if (p + 4 + size > length) break;
        if (id == 0x0001) {
            std::size_t q = p + 4;
            auto take = [&](std::uint64_t& field) {
                if (q + 8 > p + 4 + size)
                    file.fail("the zip64 extra field of entry '" + printable(e.name) + "' is too short");
                field = u64(extra + q);
                q += 8;
            };
            if (need_u) take(e.uncompressed);
            if (need_c) take(e.compressed);
            if (need_o) take(e.local_offset);
            return;
        }
        p += 4 + size;
    }
    file.fail("entry '" + printable(e.name) + "' has 32-bit size or offset sentinels (0xFFFFFFFF) but no zip64 extra field");
}

/// Streams an entry's uncompressed bytes to `sink(const unsigned char*, std::size_t)` in chunks of at
/// most 1 MiB; inflates deflated entries and checks the inflated size against the recorded one.
template <class Sink>
void stream_entry(file_reader& file, const entry& e, Sink&& sink) {
    constexpr std::size_t chunk = std::size_t{1} << 20;
    std::vector<unsigned char> in(static_cast<std::size_t>(std::min<std::uint64_t>(e.compressed, chunk)) + 1);
    std::uint64_t pos = e.data_offset;
    std::uint64_t left = e.compressed;
    if (e.method == 0) {
        while (left > 0) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk));
            file.read(pos, in.data(), n);
            sink(static_cast<const unsigned char*>(in.data()), n);
            pos += n;
            left -= n;
        }
        return;
    }
    // method 8: raw deflate.
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) file.fail("zlib could not start inflating entry '" + printable(e.name) + "'");
    struct ender {
        z_stream* z;
        ~ender() { inflateEnd(z); }
    } end_guard{&zs};
    std::vector<unsigned char> out(chunk);
    std::uint64_t produced = 0;
    int status = Z_OK;
    while (status != Z_STREAM_END) {
        if (zs.avail_in == 0) {
            if (left == 0)
                file.fail("the deflated data of entry '" + printable(e.name) + "' ends before its deflate stream does");
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk));
            file.read(pos, in.data(), n);
            pos += n;
            left -= n;
            zs.next_in = in.data();
            zs.avail_in = static_cast<uInt>(n);
        }
        zs.next_out = out.data();
        zs.avail_out = static_cast<uInt>(out.size());
        status = inflate(&zs, Z_NO_FLUSH);
        if (status != Z_OK && status != Z_STREAM_END)
            file.fail("the deflated data of entry '" + printable(e.name) + "' is corrupt (zlib: " +
                      (zs.msg ? zs.msg : "error " + std::to_string(status)) + ")");
        const std::size_t got = out.size() - zs.avail_out;
        produced += got;
        if (produced > e.uncompressed)
            file.fail("entry '" + printable(e.name) + "' inflates to more than the " + std::to_string(e.uncompressed) +
                      " bytes its header records");
        sink(static_cast<const unsigned char*>(out.data()), got);
    }
    if (zs.avail_in != 0 || left != 0)
        file.fail("the deflate stream of entry '" + printable(e.name) + "' ends before its " +
                  std::to_string(e.compressed) + " compressed bytes do");
    if (produced != e.uncompressed)
        file.fail("entry '" + printable(e.name) + "' inflates to " + std::to_string(produced) +
                  " bytes but its header records " + std::to_string(e.uncompressed));
}

/// CRC-32 of an entry's uncompressed bytes, streaming.
inline std::uint32_t entry_crc(file_reader& file, const entry& e) {
    uLong crc = crc32(0L, Z_NULL, 0);
    stream_entry(file, e, [&](const unsigned char* p, std::size_t n) { crc = crc32(crc, p, static_cast<uInt>(n)); });
    return static_cast<std::uint32_t>(crc);
}

/// An entry's uncompressed bytes (a pickle: LibTorch holds it in memory too).
inline std::string entry_bytes(file_reader& file, const entry& e) {
    std::string s;
    s.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(e.uncompressed, std::uint64_t{1} << 26)));
    stream_entry(file, e, [&](const unsigned char* p, std::size_t n) { s.append(reinterpret_cast<const char*>(p), n); });
    return s;
}

/// ASCII lower case: miniz, LibTorch's zip reader, looks entry names up ignoring ASCII case.
inline std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

/// The checks on what LibTorch reads by name (after the CRC-32s): names unique ignoring case, every tensor
/// the pickles LibTorch unpickles on load (data.pkl, constants.pkl) build within its record, and the
/// code's source-range pickles (*.debug_pkl) free of what would be undefined behaviour in the unpickler.
inline void verify_records(file_reader& file, const std::vector<entry>& entries) {
    std::vector<std::pair<std::string, const entry*>> by_name;
    by_name.reserve(entries.size());
    for (const auto& e : entries) by_name.emplace_back(lower(e.name), &e);
    std::sort(by_name.begin(), by_name.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t k = 1; k < by_name.size(); ++k)
        if (by_name[k].first == by_name[k - 1].first)
            file.fail("entries '" + printable(by_name[k - 1].second->name) + "' and '" + printable(by_name[k].second->name) +
                      "' have names that are equal ignoring case, and LibTorch's reader (miniz) looks names up ignoring "
                      "case, so which one it would read is undefined");
    auto find = [&](const std::string& name) -> const entry* {
        const std::string key = lower(name);
        const auto it = std::lower_bound(by_name.begin(), by_name.end(), key,
                                         [](const auto& a, const std::string& k) { return a.first < k; });
        return it != by_name.end() && it->first == key ? it->second : nullptr;
    };
    // PyTorchStreamReader: every record is `<folder of the first entry>/<name>`; without a folder it refuses the file.
    const auto slash = entries.front().name.find('/');
    if (slash == std::string::npos) return;
    const std::string folder = entries.front().name.substr(0, slash + 1);
    const std::function<std::optional<std::uint64_t>(const std::string&)> record_size =
        [&](const std::string& name) -> std::optional<std::uint64_t> {
        if (const entry* e = find(name)) return e->uncompressed;
        return std::nullopt;
    };
    auto walk = [&](const entry& e, const std::string& tensor_dir,
                    const std::function<std::optional<std::uint64_t>(const std::string&)>& records) {
        if (auto problem = pickle::check_tensors(entry_bytes(file, e), tensor_dir, records))
            file.fail("its pickle '" + printable(e.name) + "' is not one LibTorch can unpickle safely: " + *problem);
    };
    for (const char* archive : {"constants", "data"})
        if (const entry* e = find(folder + archive + ".pkl")) walk(*e, folder + archive + "/", record_size);
    // The source-range tables next to the code (code/....py.debug_pkl), which LibTorch unpickles with the
    // same unpickler when it reports an error in the code; they hold no tensors (no records).
    const std::function<std::optional<std::uint64_t>(const std::string&)> no_records =
        [](const std::string&) -> std::optional<std::uint64_t> { return std::nullopt; };
    const std::string_view debug = ".debug_pkl";
    for (const auto& e : entries)
        if (e.name.size() > debug.size() && e.name.compare(e.name.size() - debug.size(), debug.size(), debug) == 0)
            walk(e, "", no_records);
}

}  // namespace zip

/// True when `path` starts like a mobile (lite-interpreter) flatbuffer module: bytes 4..7 "PTMF",
/// which torch::jit::load (and so torch::serialize::InputArchive::load_from) also accepts and hands to
/// LibTorch 1.13's FlatBuffer loader, which checks nothing: a damaged one, or 25 arbitrary bytes with
/// that magic, dies with SIGSEGV there (found by fuzz/torchscript_load). verify_zip_archive refuses them.
inline bool is_flatbuffer_module(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    char head[8] = {};
    in.read(head, sizeof head);
    return in.gcount() == 8 && std::string_view(head + 4, 4) == "PTMF";
}

/// Verifies that `path` is an intact zip archive (see the header comment); `what` names the format
/// for the sentences ("TorchScript archive", "checkpoint"). Throws model_loading_error.
inline void verify_zip_archive(std::string_view where, const std::filesystem::path& path, std::string_view what) {
    using namespace zip;
    file_reader file(where, path, what);
    const std::uint64_t size = file.size();
    if (size == 0)
        throw model_loading_error(latentwalk::detail::sentence(
            where, "the file '" + path.string() + "' is empty, so it is not a " + std::string(what) + " (a zip archive)."));
    if (size < 22)
        file.fail("it has " + std::to_string(size) + " bytes, fewer than a zip end record's 22, so it is truncated or "
                  "not a zip archive at all");

    // LibTorch picks its reader by the first 8 bytes: "PTMF" at 4..7 is a FlatBuffer module (read
    // unchecked, see is_flatbuffer_module), "PK\3\4" at 0..3 a zip archive (PyTorchStreamReader).
    // Anything else LibTorch refuses itself, but a valid zip may have a prefix: insist on the zip start.
    {
        unsigned char head[8] = {};
        file.read(0, head, sizeof head);  // size >= 22 here
        if (std::string_view(reinterpret_cast<const char*>(head + 4), 4) == "PTMF")
            file.fail("it is a mobile FlatBuffer module (bytes 4 to 7 are \"PTMF\"), which LibTorch 1.13 reads "
                      "without checking its structure (a damaged one crashes the process), so latentwalk does not "
                      "load those: save the model with torch.jit.save (a zip archive)");
        if (u32(head) != local_signature)
            file.fail("it does not start with a zip local file header (\"PK\\3\\4\"), so it is not a zip archive "
                      "LibTorch's reader accepts");
    }

    // End of central directory: the last signature within the final 22 + 65535 bytes.
    const std::uint64_t tail_size = std::min<std::uint64_t>(size, 22 + 65535);
    std::vector<unsigned char> tail(static_cast<std::size_t>(tail_size));
    file.read(size - tail_size, tail.data(), tail.size());
    std::uint64_t eocd = size;  // not found
    for (std::size_t i = tail.size() - 22 + 1; i-- > 0;) {
        if (u32(tail.data() + i) == end_signature) {
            const std::uint64_t at = size - tail_size + i;
            if (at + 22 + u16(tail.data() + i + 20) <= size) {
                eocd = at;
                break;
            }
        }
    }
    if (eocd == size)
        file.fail("it has no zip end-of-central-directory record, so it is truncated or not a zip archive at all "
                  "(TorchScript and torch::save files are zip archives)");
    const unsigned char* end = tail.data() + (eocd - (size - tail_size));
    if (u16(end + 4) != 0 || u16(end + 6) != 0 || u16(end + 8) != u16(end + 10))
        file.fail("its end record describes a multi-disk archive, which LibTorch cannot read");
    std::uint64_t count = u16(end + 10);
    std::uint64_t cd_size = u32(end + 12);
    std::uint64_t cd_offset = u32(end + 16);
    std::uint64_t cd_limit = eocd;  // the central directory ends at or before this offset
    if (count == 0xFFFF || cd_size == 0xFFFFFFFFU || cd_offset == 0xFFFFFFFFU) {
        if (eocd < 20) file.fail("its end record asks for zip64 but there is no zip64 locator before it");
        unsigned char loc[20];
        file.read(eocd - 20, loc, sizeof loc);
        if (u32(loc) != end64_locator_signature)
            file.fail("its end record asks for zip64 but there is no zip64 locator before it");
        const std::uint64_t end64 = u64(loc + 8);
        if (end64 > eocd - 20 || eocd - 20 - end64 < 56)
            file.fail("its zip64 locator points at offset " + std::to_string(end64) + ", outside the file's directory area");
        unsigned char rec[56];
        file.read(end64, rec, sizeof rec);
        if (u32(rec) != end64_signature) file.fail("its zip64 locator does not point at a zip64 end record");
        if (u32(rec + 16) != 0 || u32(rec + 20) != 0 || u64(rec + 24) != u64(rec + 32))
            file.fail("its zip64 end record describes a multi-disk archive, which LibTorch cannot read");
        count = u64(rec + 32);
        cd_size = u64(rec + 40);
        cd_offset = u64(rec + 48);
        cd_limit = end64;
    }
    if (cd_offset > cd_limit || cd_size > cd_limit - cd_offset)
        file.fail("its central directory (offset " + std::to_string(cd_offset) + ", " + std::to_string(cd_size) +
                  " bytes) does not lie before its end record at offset " + std::to_string(cd_limit));
    if (count == 0) file.fail("it has no entries");
    if (count > cd_size / 46)
        file.fail("its end record counts " + std::to_string(count) + " entries, more than its " + std::to_string(cd_size) +
                  "-byte central directory can hold");

    std::vector<unsigned char> cd(static_cast<std::size_t>(cd_size));
    file.read(cd_offset, cd.data(), cd.size());
    std::vector<entry> entries;
    entries.reserve(static_cast<std::size_t>(count));
    std::size_t p = 0;
    for (std::uint64_t k = 0; k < count; ++k) {
        if (p + 46 > cd.size() || u32(cd.data() + p) != central_signature)
            file.fail("central-directory header " + std::to_string(k + 1) + " of " + std::to_string(count) +
                      " is missing or damaged (at offset " + std::to_string(cd_offset + p) + ")");
        const unsigned char* h = cd.data() + p;
        entry e;
        e.flags = u16(h + 8);
        e.method = u16(h + 10);
        e.crc = u32(h + 16);
        e.compressed = u32(h + 20);
        e.uncompressed = u32(h + 24);
        const std::size_t nlen = u16(h + 28), elen = u16(h + 30), clen = u16(h + 32);
        e.local_offset = u32(h + 42);
        if (p + 46 + nlen + elen + clen > cd.size())
            file.fail("central-directory header " + std::to_string(k + 1) + " runs past the central directory");
        e.name.assign(reinterpret_cast<const char*>(h + 46), nlen);
        const bool need_u = e.uncompressed == 0xFFFFFFFFU, need_c = e.compressed == 0xFFFFFFFFU,
                   need_o = e.local_offset == 0xFFFFFFFFU;
        if (need_u || need_c || need_o) read_zip64_extra(file, e, h + 46 + nlen, elen, need_u, need_c, need_o);
        if (u16(h + 34) != 0) file.fail("entry '" + printable(e.name) + "' lies on another disk");
        p += 46 + nlen + elen + clen;
        entries.push_back(std::move(e));
    }

    for (auto& e : entries) {
        const std::string name = "entry '" + printable(e.name) + "'";
        const std::string of = " of entry '" + printable(e.name) + "'";
        if (e.flags & 0x0001U) file.fail(name + " is encrypted, which LibTorch cannot read");
        if (e.method != 0 && e.method != 8)
            file.fail(name + " uses compression method " + std::to_string(e.method) +
                      "; LibTorch reads only stored (0) and deflated (8) entries");
        if (e.method == 0 && e.compressed != e.uncompressed)
            file.fail(name + " is stored but records " + std::to_string(e.compressed) + " compressed and " +
                      std::to_string(e.uncompressed) + " uncompressed bytes");
        if (e.local_offset > cd_offset || cd_offset - e.local_offset < 30)
            file.fail(name + " has its local header at offset " + std::to_string(e.local_offset) +
                      ", outside the data area (which ends at the central directory, offset " + std::to_string(cd_offset) + ")");
        unsigned char lh[30];
        file.read(e.local_offset, lh, sizeof lh);
        if (u32(lh) != local_signature)
            file.fail(name + " has no local header at offset " + std::to_string(e.local_offset));
        const std::uint64_t lnlen = u16(lh + 26), lelen = u16(lh + 28);
        e.data_offset = e.local_offset + 30 + lnlen + lelen;
        if (e.data_offset > cd_offset || e.compressed > cd_offset - e.data_offset)
            file.fail("the data" + of + " (" + std::to_string(e.compressed) + " bytes at offset " +
                      std::to_string(e.data_offset) + ") runs into the central directory at offset " + std::to_string(cd_offset));
        std::string lname(static_cast<std::size_t>(lnlen), '\0');
        if (lnlen > 0) file.read(e.local_offset + 30, reinterpret_cast<unsigned char*>(lname.data()), lname.size());
        if (lname != e.name)
            file.fail("the local header" + of + " names it '" + printable(lname) + "'");
        if (u16(lh + 8) != e.method)
            file.fail("the local header" + of + " gives compression method " + std::to_string(u16(lh + 8)) +
                      " but the central directory " + std::to_string(e.method));
        if (((u16(lh + 6) ^ e.flags) & 0x0009U) != 0)
            file.fail("the local header and the central directory disagree on the flags" + of);
        e.end = e.data_offset + e.compressed;
        if (e.flags & 0x0008U) {
            // Data descriptor: [signature] crc, compressed, uncompressed (4 or 8 bytes each).
            const bool wide = e.compressed >= 0xFFFFFFFFU || e.uncompressed >= 0xFFFFFFFFU;
            unsigned char dd[24] = {};
            const std::uint64_t room = cd_offset - e.end;
            const std::size_t have = static_cast<std::size_t>(std::min<std::uint64_t>(room, sizeof dd));
            if (have < 12) file.fail("the data descriptor" + of + " is missing (the data ends at the central directory)");
            file.read(e.end, dd, have);
            std::size_t q = u32(dd) == descriptor_signature ? 4 : 0;
            const std::size_t length = q + (wide ? 20 : 12);
            if (length > have) file.fail("the data descriptor" + of + " runs into the central directory");
            if (u32(dd + q) != e.crc)
                file.fail("the data descriptor" + of + " records CRC-32 " + hex32(u32(dd + q)) +
                          " but the central directory " + hex32(e.crc));
            e.end += length;
        } else {
            if (u32(lh + 14) != e.crc)
                file.fail("the local header" + of + " records CRC-32 " + hex32(u32(lh + 14)) + " but the central directory " +
                          hex32(e.crc));
            const std::uint32_t lc = u32(lh + 18), lu = u32(lh + 22);
            if ((lc != 0xFFFFFFFFU && lc != e.compressed) || (lu != 0xFFFFFFFFU && lu != e.uncompressed))
                file.fail("the local header" + of + " records other sizes than the central directory");
        }
    }

    std::vector<const entry*> by_offset;
    for (const auto& e : entries) by_offset.push_back(&e);
    std::sort(by_offset.begin(), by_offset.end(),
              [](const entry* a, const entry* b) { return a->local_offset < b->local_offset; });
    for (std::size_t k = 1; k < by_offset.size(); ++k)
        if (by_offset[k]->local_offset < by_offset[k - 1]->end)
            file.fail("entries '" + printable(by_offset[k - 1]->name) + "' and '" + printable(by_offset[k]->name) +
                      "' overlap");

    for (const auto& e : entries) {
        const std::uint32_t actual = entry_crc(file, e);
        if (actual != e.crc)
            file.fail("entry '" + printable(e.name) + "' is damaged: its CRC-32 is " + hex32(actual) +
                      " but the archive records " + hex32(e.crc));
    }
    verify_records(file, entries);
}

}  // namespace latentwalk::torch::detail
