// A libFuzzer custom mutator for the LibTorch targets (torchscript_load, checkpoint_load) that can reach
// past the CRC-32 check. Linked into both (fuzz/CMakeLists.txt); its own translation unit, so the targets
// themselves need no rebuild when it changes.
//
// TorchScript files and checkpoints are zip archives, and latentwalk verifies every entry's CRC-32 before
// LibTorch sees the file (torch/detail/zip_archive.hpp). A mutation of arbitrary bytes almost always
// breaks a checksum, so most inputs end in that check: it is the contract under test by default.
// With LATENTWALK_FUZZ_REPAIR_CRC=1 in the environment, each mutated input's *stored* entries (method 0,
// with or without a data descriptor, not zip64: what torch.jit.save and torch::serialize write) get their
// CRC-32 recomputed (central header, and local header or data descriptor), so that a byte changed inside
// an entry reaches LibTorch's reader. That mode tests LibTorch itself on damaged-but-consistent archives:
// a TorchScript file is code (load only files you trust), and a crash inside LibTorch there is
// LibTorch's, reported as such.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <zlib.h>

extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size);

namespace latentwalk::fuzz {
namespace {

std::uint32_t zip_u32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
           (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint16_t zip_u16(const std::uint8_t* p) { return static_cast<std::uint16_t>(p[0] | (p[1] << 8)); }
void zip_put32(std::uint8_t* p, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

/// Recomputes the CRC-32 of every stored entry whose headers are otherwise consistent; leaves the rest.
void repair_stored_crcs(std::uint8_t* data, std::size_t size) {
    if (size < 22) return;
    // The end-of-central-directory record: the last signature within 22 + 65535 bytes of the end.
    std::size_t end = size - 22;
    const std::size_t lowest = size > 22 + 65535 ? size - 22 - 65535 : 0;
    while (zip_u32(data + end) != 0x06054b50U) {
        if (end == lowest) return;
        --end;
    }
    const std::size_t entries = zip_u16(data + end + 10);
    std::size_t at = zip_u32(data + end + 16);
    for (std::size_t i = 0; i < entries; ++i) {
        if (at > size || size - at < 46 || zip_u32(data + at) != 0x02014b50U) return;
        const std::uint8_t* c = data + at;
        const std::uint16_t flags = zip_u16(c + 8), method = zip_u16(c + 10);
        const std::uint32_t compressed = zip_u32(c + 20), uncompressed = zip_u32(c + 24);
        const std::size_t local = zip_u32(c + 42);
        const std::size_t next = at + 46 + zip_u16(c + 28) + zip_u16(c + 30) + zip_u16(c + 32);
        if (method == 0 && compressed == uncompressed && compressed != 0xFFFFFFFFU && local <= size &&
            size - local >= 30 && zip_u32(data + local) == 0x04034b50U) {
            const std::size_t begin = local + 30 + zip_u16(data + local + 26) + zip_u16(data + local + 28);
            if (begin <= size && size - begin >= compressed) {
                const auto crc = static_cast<std::uint32_t>(
                    ::crc32(::crc32(0L, Z_NULL, 0), data + begin, static_cast<uInt>(compressed)));
                zip_put32(data + at + 16, crc);
                if ((flags & 8U) == 0) {
                    zip_put32(data + local + 14, crc);
                } else {  // a data descriptor after the data (LibTorch writes these): [signature] crc sizes
                    std::size_t d = begin + compressed;
                    if (size - d >= 4 && zip_u32(data + d) == 0x08074b50U) d += 4;
                    if (size - d >= 4) zip_put32(data + d, crc);
                }
            }
        }
        at = next;
    }
}

bool repair_crc_requested() {
    static const bool requested = [] {
        const char* v = std::getenv("LATENTWALK_FUZZ_REPAIR_CRC");
        return v != nullptr && std::strcmp(v, "1") == 0;
    }();
    return requested;
}

}  // namespace
}  // namespace latentwalk::fuzz

/// libFuzzer's own mutations, then (LATENTWALK_FUZZ_REPAIR_CRC=1) the stored entries' checksums repaired.
extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size,
                                               unsigned int /*seed*/) {
    size = LLVMFuzzerMutate(data, size, max_size);
    if (latentwalk::fuzz::repair_crc_requested()) latentwalk::fuzz::repair_stored_crcs(data, size);
    return size;
}
