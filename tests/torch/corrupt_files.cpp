// torch: damaged model files and checkpoints. A TorchScript file or a torch::save checkpoint is a zip
// archive whose entries carry CRC-32s that LibTorch's loader does not check (and on a damaged code
// entry it could die with SIGSEGV); torch/detail/zip_archive.hpp verifies the archive first. Every
// damaged copy must either load and compute what the intact file computes, or be refused with
// model_loading_error. The bit-flip sweeps load each copy in a forked child, so that a crash (or a
// hang, via alarm) is a failed check naming the flipped bits instead of the death of the test runner.
// (The parent evaluates only tiny tensors before forking, so no OpenMP pool exists to be lost in a child.)
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/detail/zip_archive.hpp>
#include <latentwalk/torch/training/checkpoint.hpp>

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/temp_folder.hpp"
#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
namespace fs = std::filesystem;
using bytes = std::vector<unsigned char>;

namespace {

const std::string fixtures = std::string(LATENTWALK_TEST_DATA_DIR) + "/../torch/fixtures/";

struct temp_folder : latentwalk::test::temp_folder {
    temp_folder() : latentwalk::test::temp_folder("latentwalk-torch-corrupt-") {}
};

bytes read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_bytes(const fs::path& p, const bytes& b) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::uint32_t le32(const bytes& b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) | (static_cast<std::uint32_t>(b[at + 1]) << 8) |
           (static_cast<std::uint32_t>(b[at + 2]) << 16) | (static_cast<std::uint32_t>(b[at + 3]) << 24);
}
std::uint16_t le16(const bytes& b, std::size_t at) { return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8)); }

std::string hex(std::uint32_t v) {
    char buf[11];
    std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(v));
    return buf;
}

/// What a child process reports by its exit status.
enum outcome : int { loaded_same = 0, refused = 1, other_library_error = 2, foreign_exception = 3, loaded_different = 4 };

/// Runs `body` in a forked child (60 s alarm) and returns its exit status, or 128 + signal.
template <class Body>
int in_child(Body&& body) {
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        ::alarm(60);
        int code = foreign_exception;
        try {
            code = body();
        } catch (const lw::model_loading_error&) {
            code = refused;
        } catch (const lw::error&) {
            code = other_library_error;
        } catch (...) {
            code = foreign_exception;
        }
        std::fflush(nullptr);
        ::_exit(code);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -2;
}

std::string describe(int status) {
    switch (status) {
        case loaded_same: return "loaded";
        case refused: return "model_loading_error";
        case other_library_error: return "another latentwalk::error than model_loading_error";
        case foreign_exception: return "an exception from outside latentwalk's hierarchy";
        case loaded_different: return "loaded, but computes other numbers than the intact file";
        default:
            return status >= 128 ? "killed by signal " + std::to_string(status - 128) + " (" + strsignal(status - 128) + ")"
                                 : "exit status " + std::to_string(status);
    }
}

struct sweep_counts {
    int loaded = 0;
    int refused = 0;
};

/// Flips 1-3 random bits of `original` `copies` times; each copy is judged by `judge` (returning an
/// outcome) in a child. Every outcome but loaded_same and refused is a failed check.
template <class Judge>
sweep_counts bit_flip_sweep(const bytes& original, const fs::path& file, int copies, std::uint64_t salt, Judge&& judge) {
    auto rng = lw::test::rng(salt);
    std::uniform_int_distribution<std::size_t> position(0, original.size() - 1);
    std::uniform_int_distribution<int> bit(0, 7), how_many(1, 3);
    sweep_counts counts;
    for (int c = 0; c < copies; ++c) {
        bytes damaged = original;
        std::string flips;
        const int n = how_many(rng);
        for (int k = 0; k < n; ++k) {
            const auto p = position(rng);
            const int b = bit(rng);
            damaged[p] ^= static_cast<unsigned char>(1U << b);
            flips += (flips.empty() ? "" : ", ") + std::string("byte ") + std::to_string(p) + " bit " + std::to_string(b);
        }
        write_bytes(file, damaged);
        const int status = in_child(judge);
        CATCH_INFO("copy " << c << " with flips at " << flips << ": " << describe(status));
        CATCH_CHECK((status == loaded_same || status == refused));
        counts.loaded += status == loaded_same;
        counts.refused += status == refused;
    }
    return counts;
}

/// Byte offset of the data of the stored entry whose local header is at `local` (zip layout).
std::size_t data_offset(const bytes& b, std::size_t local) { return local + 30 + le16(b, local + 26) + le16(b, local + 28); }

void put32(bytes& b, std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<unsigned char>(v >> (8 * i));
}

/// Central-directory headers of a zip in `b`: (offset of the header, entry name).
std::vector<std::pair<std::size_t, std::string>> central_headers(const bytes& b) {
    std::size_t end = b.size() - 22;
    while (le32(b, end) != 0x06054b50U) --end;
    std::vector<std::pair<std::size_t, std::string>> out;
    std::size_t at = le32(b, end + 16);
    for (std::size_t k = 0, n = le16(b, end + 10); k < n; ++k) {
        const std::size_t nlen = le16(b, at + 28);
        out.emplace_back(at, std::string(b.begin() + static_cast<std::ptrdiff_t>(at + 46),
                                         b.begin() + static_cast<std::ptrdiff_t>(at + 46 + nlen)));
        at += 46 + nlen + le16(b, at + 30) + le16(b, at + 32);
    }
    return out;
}

/// Lets `edit` change the bytes of the stored entry `name` in place (same length) and rewrites its CRC-32
/// in the central header and in the local header or data descriptor: the archive stays CRC-consistent,
/// as a damaged file written by a faulty writer would be.
template <class Edit>
void edit_stored_entry(bytes& b, const std::string& name, Edit&& edit) {
    for (const auto& [central, entry] : central_headers(b)) {
        if (entry != name) continue;
        const std::size_t local = le32(b, central + 42), size = le32(b, central + 20);
        const std::size_t at = data_offset(b, local);
        CATCH_REQUIRE(le16(b, central + 10) == 0);  // stored
        edit(b.data() + at, size);
        const auto crc = static_cast<std::uint32_t>(crc32(0L, b.data() + at, static_cast<uInt>(size)));
        put32(b, central + 16, crc);
        if (le16(b, central + 8) & 0x0008U) {
            put32(b, at + size + (le32(b, at + size) == 0x08074b50U ? 4 : 0), crc);
        } else {
            put32(b, local + 14, crc);
        }
        return;
    }
    CATCH_FAIL("the archive has no entry '" << name << "'");
}

/// Offset of the `nth` occurrence (0-based) of `what` in `data[0, size)`, at or after `from`.
std::size_t find_nth(const unsigned char* data, std::size_t size, const std::string& what, int nth, std::size_t from = 0) {
    const std::string_view hay(reinterpret_cast<const char*>(data), size);
    std::size_t at = hay.find(what, from);
    for (int k = 0; k < nth && at != std::string_view::npos; ++k) at = hay.find(what, at + 1);
    CATCH_REQUIRE(at != std::string_view::npos);
    return at;
}

}  // namespace

CATCH_TEST_CASE("torch: every bit-flipped copy of the TorchScript fixtures loads and computes as before, or is model_loading_error, never a crash") {
    temp_folder tmp;
    const auto file = tmp.path / "damaged.pt";
    const at::Tensor z = at::linspace(-1.0, 1.0, 8, at::kDouble);
    for (const char* name : {"mapping.pt", "decoder.pt"}) {
        CATCH_INFO("fixture " << name);
        const bool mapping = std::string(name) == "mapping.pt";
        const auto original = read_bytes(fixtures + name);
        CATCH_REQUIRE(original.size() > 1000);
        const auto n = mapping ? 8 : 4;
        const lt::vector<double> zz = z.slice(0, 0, n).clone();
        const at::Tensor expected = lt::torchscript_generator<double>(fixtures + name, n)(zz).tensor();
        const auto counts = bit_flip_sweep(original, file, mapping ? 160 : 60, mapping ? 17 : 18, [&] {
            const lt::torchscript_generator<double> g(file.string(), n);
            return at::equal(g(zz).tensor(), expected) ? loaded_same : loaded_different;
        });
        // Most flips land in entry data and must be caught by the CRC-32; a few land in fields no
        // reader uses (times, padding) and load.
        CATCH_CHECK(counts.refused > (mapping ? 110 : 40));
        std::cout << "torch: bit-flip sweep over " << name << ": " << counts.loaded << " loaded as before, "
                  << counts.refused << " refused with model_loading_error\n";
    }
}

CATCH_TEST_CASE("torch: a TorchScript entry whose bytes do not match its CRC-32 is refused with a sentence naming the entry and both checksums") {
    temp_folder tmp;
    auto b = read_bytes(fixtures + "mapping.pt");
    // The first entry, mapping/data/0, is stored at offset 0 (a weight tensor, no code involved).
    CATCH_REQUIRE(le32(b, 0) == 0x04034b50U);
    const std::size_t at = data_offset(b, 0);
    // Its CRC-32 lives in the central directory (the local header defers to a data descriptor).
    const std::size_t cd = le32(b, b.size() - 22 + 16);
    CATCH_REQUIRE(le32(b, cd) == 0x02014b50U);
    const std::uint32_t recorded = le32(b, cd + 16);
    const std::uint32_t size = le32(b, cd + 24);
    b[at + 5] ^= 0x40;
    const auto actual = static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), b.data() + at, size));
    CATCH_REQUIRE(actual != recorded);
    const auto file = tmp.path / "crc.pt";
    write_bytes(file, b);
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(file.string(), 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8),
                            Catch::Contains("latentwalk::torch::torchscript_generator") &&
                                Catch::Contains(file.string()) && Catch::Contains("'mapping/data/0' is damaged") &&
                                Catch::Contains("its CRC-32 is " + hex(actual)) &&
                                Catch::Contains("the archive records " + hex(recorded)));
    // With the recorded checksum changed to the actual one, in the central directory and in the entry's
    // data descriptor (after its data, with or without a signature), the file is intact again.
    std::size_t descriptor = at + size;
    if (le32(b, descriptor) == 0x08074b50U) descriptor += 4;
    CATCH_REQUIRE(le32(b, descriptor) == recorded);
    for (int k = 0; k < 4; ++k) {
        b[cd + 16 + k] = static_cast<unsigned char>(actual >> (8 * k));
        b[descriptor + k] = static_cast<unsigned char>(actual >> (8 * k));
    }
    write_bytes(file, b);
    CATCH_CHECK_NOTHROW(lt::detail::verify_zip_archive("torch::test", file, "TorchScript archive"));
}

CATCH_TEST_CASE("torch: truncated, empty and foreign model files are refused with model_loading_error") {
    temp_folder tmp;
    const auto b = read_bytes(fixtures + "mapping.pt");
    const auto file = tmp.path / "cut.pt";
    for (std::size_t length : {std::size_t{1}, std::size_t{21}, std::size_t{22}, std::size_t{100}, b.size() / 2,
                               b.size() - 23, b.size() - 1}) {
        CATCH_INFO("the first " << length << " of " << b.size() << " bytes");
        write_bytes(file, bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(length)));
        CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(file.string(), 8), lw::model_loading_error);
        CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8),
                                Catch::Contains("truncated") && Catch::Contains(file.string()));
    }
    // Cut in the middle but with the end record kept: the directory points past the data.
    bytes spliced(b.begin(), b.begin() + 1000);
    spliced.insert(spliced.end(), b.end() - 22, b.end());
    write_bytes(file, spliced);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8),
                            Catch::Contains("central directory") && Catch::Contains("end record"));

    write_bytes(file, {});
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(file.string(), 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8), Catch::Contains("is empty"));

    // A well-formed zip that is no TorchScript archive passes the verification and is refused by LibTorch.
    const auto zip = tmp.path / "stored.zip";
    {
        const std::string text = "not a module\n";
        const auto crc = static_cast<std::uint32_t>(
            crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
        bytes z;
        auto u16 = [&](std::uint32_t v) { z.push_back(v & 0xff); z.push_back((v >> 8) & 0xff); };
        auto u32 = [&](std::uint32_t v) { u16(v & 0xffff); u16(v >> 16); };
        const std::string name = "a/b.txt";
        u32(0x04034b50U); u16(20); u16(0); u16(0); u16(0); u16(0); u32(crc); u32(text.size()); u32(text.size());
        u16(name.size()); u16(0);
        z.insert(z.end(), name.begin(), name.end());
        z.insert(z.end(), text.begin(), text.end());
        const auto cd = static_cast<std::uint32_t>(z.size());
        u32(0x02014b50U); u16(20); u16(20); u16(0); u16(0); u16(0); u16(0); u32(crc); u32(text.size());
        u32(text.size()); u16(name.size()); u16(0); u16(0); u16(0); u16(0); u32(0); u32(0);
        z.insert(z.end(), name.begin(), name.end());
        const auto cd_size = static_cast<std::uint32_t>(z.size()) - cd;
        u32(0x06054b50U); u16(0); u16(0); u16(1); u16(1); u32(cd_size); u32(cd); u16(0);
        write_bytes(zip, z);
    }
    CATCH_CHECK_NOTHROW(lt::detail::verify_zip_archive("torch::test", zip, "TorchScript archive"));
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(zip.string(), 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(zip.string(), 8),
                            Catch::Contains("could not be read as a TorchScript archive"));
}

CATCH_TEST_CASE("torch: a FlatBuffer-magic file and a zip behind a prefix are refused before LibTorch reads them") {
    // fuzz/torchscript_load found these: torch::jit::load (and InputArchive::load_from) hands a file whose
    // bytes 4..7 are "PTMF" to LibTorch 1.13's FlatBuffer loader, which died with SIGSEGV on both, and the
    // zip check used to let such files through. Each load runs in a forked child, so a regression is a
    // failed check, not a dead test runner.
    namespace tr = latentwalk::torch::training;
    temp_folder tmp;
    const auto file = tmp.path / "flatbuffer.pt";
    // The fuzzer's 25-byte input (crash-bb9c948d...): "PK\0\x81" "PTMF" and 17 more bytes.
    const bytes magic_only = {0x50, 0x4b, 0x00, 0x81, 0x50, 0x54, 0x4d, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00,
                              0x8b, 0x99, 0x6c, 0x9a, 0x72, 0x61, 0x67, 0x6f, 0x72, 0x61, 0x00, 0x00};
    // The same magic over an otherwise intact zip (the first local header's version and flags fields).
    bytes zip_with_magic = read_bytes(fixtures + "mapping.pt");
    std::memcpy(zip_with_magic.data() + 4, "PTMF", 4);
    for (const bytes* b : {&magic_only, static_cast<const bytes*>(&zip_with_magic)}) {
        write_bytes(file, *b);
        CATCH_CHECK(in_child([&] { lt::torchscript_generator<double> g(file.string(), 8); return loaded_same; }) == refused);
        CATCH_CHECK(in_child([&] { (void)tr::open_checkpoint(file); return loaded_same; }) == refused);
        CATCH_CHECK_THROWS_WITH(lw::torch::detail::verify_zip_archive("torch::test", file, "TorchScript archive"),
                                Catch::Contains("FlatBuffer") && Catch::Contains("torch.jit.save"));
    }
    // An intact zip behind 8 bytes of something else: zip readers accept a prefix, LibTorch's does not.
    bytes prefixed(8, 0x20);
    const bytes original = read_bytes(fixtures + "mapping.pt");
    prefixed.insert(prefixed.end(), original.begin(), original.end());
    write_bytes(file, prefixed);
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(file.string(), 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8),
                            Catch::Contains("does not start with a zip local file header"));
}

CATCH_TEST_CASE("torch: a damaged checkpoint is model_loading_error from open_checkpoint, never a crash, and an intact one reads back") {
    namespace tr = latentwalk::torch::training;
    temp_folder tmp;
    const auto path = tmp.path / "checkpoint.pt";
    // Written in a child: the parent runs no LibTorch before it forks the sweep's children.
    CATCH_REQUIRE(in_child([&] {
                      tr::output_archive out;
                      tr::write_int(out, "step", 1234);
                      tr::write_tensor(out, "weights", at::arange(64, at::kDouble));
                      tr::write_text(out, "engine", "a std engine's state");
                      tr::save_atomically(out, path);
                      return 0;
                  }) == 0);
    const auto original = read_bytes(path);
    CATCH_REQUIRE(original.size() > 200);
    const auto file = tmp.path / "damaged.pt";
    const auto counts = bit_flip_sweep(original, file, 120, 19, [&] {
        auto in = tr::open_checkpoint(file);
        const bool same = tr::read_int(in, "step") == 1234 &&
                          at::equal(tr::read_tensor(in, "weights"), at::arange(64, at::kDouble)) &&
                          tr::read_text(in, "engine") == "a std engine's state";
        return same ? loaded_same : loaded_different;
    });
    CATCH_CHECK(counts.refused > 60);
    std::cout << "torch: bit-flip sweep over a checkpoint: " << counts.loaded << " read as written, " << counts.refused
              << " refused with model_loading_error\n";

    // A flipped bit inside the tensor data is named by entry and checksums.
    auto b = original;
    const std::size_t at = data_offset(b, 0);
    b[at + 3] ^= 0x01;
    write_bytes(file, b);
    CATCH_CHECK_THROWS_AS(tr::open_checkpoint(file), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(file), Catch::Contains("torch::training::open_checkpoint") &&
                                                           Catch::Contains("is damaged: its CRC-32 is") &&
                                                           Catch::Contains(file.string()));
    write_bytes(file, bytes(original.begin(), original.begin() + static_cast<std::ptrdiff_t>(original.size() / 3)));
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(file), Catch::Contains("truncated"));
    write_bytes(file, {});
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(file), Catch::Contains("is empty"));
}

CATCH_TEST_CASE("torch: LibTorch's loader alone, without the zip verification, survives bit-flipped copies of the mapping fixture", "[.fuzz]") {
    // Hidden (run with [.fuzz]): measures what the verification protects against. torch::jit::load is
    // called directly on 4000 damaged copies, each in a forked child; LibTorch 1.13 (Debian) is known
    // to die with SIGSEGV on some (issue 17: 11 of 4000), so this test fails, naming the flips, while
    // that LibTorch defect exists.
    temp_folder tmp;
    const auto file = tmp.path / "damaged.pt";
    const auto original = read_bytes(fixtures + "mapping.pt");
    const auto counts = bit_flip_sweep(original, file, 4000, 20, [&] {
        try {
            auto m = ::torch::jit::load(file.string());
            (void)m;
        } catch (const std::exception&) {
            return refused;
        }
        return loaded_same;
    });
    std::cout << "torch: LibTorch alone on 4000 bit-flipped copies: " << counts.loaded << " loaded, " << counts.refused
              << " threw, " << 4000 - counts.loaded - counts.refused << " crashed or hung\n";
}

CATCH_TEST_CASE("torch: a checkpoint whose pickle gives a storage more bytes than its record, or a view more than its storage, is refused before LibTorch reads it") {
    namespace tr = latentwalk::torch::training;
    temp_folder tmp;
    const auto path = tmp.path / "checkpoint.pt";
    const std::string state(512, 'x');
    // Written and read back in children: the parent runs no LibTorch before the other tests fork theirs.
    CATCH_REQUIRE(in_child([&] {
                      tr::output_archive out;
                      tr::write_int(out, "step", 7);
                      tr::write_text(out, "engine", state);
                      tr::save_atomically(out, path);
                      return 0;
                  }) == 0);
    CATCH_CHECK(in_child([&] {
                    auto in = tr::open_checkpoint(path);
                    return tr::read_text(in, "engine") == state && tr::read_int(in, "step") == 7 ? loaded_same : loaded_different;
                }) == loaded_same);
    const auto original = read_bytes(path);
    const auto file = tmp.path / "damaged.pt";
    // The checkpoint with the `nth` BININT2 512 after "ByteStorage" made 6341 (0x18c5), CRC-32s rewritten.
    auto with_6341 = [&](int nth) {
        auto b = original;
        edit_stored_entry(b, "archive/data.pkl", [&](unsigned char* d, std::size_t n) {
            const auto at = find_nth(d, n, std::string("M\x00\x02", 3), nth, find_nth(d, n, "ByteStorage", 0));
            d[at + 1] = 0xc5;
            d[at + 2] = 0x18;
        });
        return b;
    };
    // The first is the uint8 storage's element count: what fuzz/checkpoint_load found; read_text would read
    // 5829 bytes past LibTorch's buffer.
    write_bytes(file, with_6341(0));
    CATCH_CHECK_THROWS_AS(tr::open_checkpoint(file), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(file),
                            Catch::Contains("torch::training::open_checkpoint") && Catch::Contains(file.string()) &&
                                Catch::Contains("'archive/data.pkl'") && Catch::Contains("'archive/data/0'") &&
                                Catch::Contains("6341 elements of torch.ByteStorage (6341 bytes)") &&
                                Catch::Contains("that record holds 512 bytes"));
    // The second is the view's size: the storage stays honest, the view claims 6341 elements.
    write_bytes(file, with_6341(1));
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(file), Catch::Contains("a tensor view of sizes (6341) at storage offset 0 "
                                                                       "needs 6341 bytes but its storage holds 512"));
    // The finding itself (a Python-written checkpoint), now a seed of fuzz/corpus/checkpoint_load.
    const std::string finding =
        std::string(LATENTWALK_TEST_DATA_DIR) + "/../../fuzz/corpus/checkpoint_load/finding-tensor-past-storage.pt";
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(finding), Catch::Contains("'archive/data/0' as 6341 elements") &&
                                                              Catch::Contains("holds 512 bytes"));
    // The other finding: a string claiming 4 244 635 655 bytes (LibTorch allocated them before reading).
    const std::string huge =
        std::string(LATENTWALK_TEST_DATA_DIR) + "/../../fuzz/corpus/checkpoint_load/finding-string-longer-than-pickle.pt";
    CATCH_CHECK_THROWS_WITH(tr::open_checkpoint(huge), Catch::Contains("a string claims 4244635655 bytes"));
}

CATCH_TEST_CASE("torch: a TorchScript file whose parameter storage claims more than its record, or two entries equal ignoring case, is refused by torchscript_generator") {
    temp_folder tmp;
    const auto file = tmp.path / "damaged.pt";
    const bytes original = read_bytes(fixtures + "mapping.pt");
    // mapping/data/0 is 64 floats (256 bytes), declared by BININT1 64 after its key '0'; 65 need 260.
    auto more = original;
    edit_stored_entry(more, "mapping/data.pkl", [](unsigned char* d, std::size_t n) {
        const auto at = find_nth(d, n, std::string("cpu", 3), 0, find_nth(d, n, "FloatStorage", 0));
        const auto count = find_nth(d, n, std::string("K\x40", 2), 0, at);
        d[count + 1] = 0x41;
    });
    write_bytes(file, more);
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(file.string(), 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8),
                            Catch::Contains("'mapping/data/0' as 65 elements of torch.FloatStorage (260 bytes)") &&
                                Catch::Contains("holds 256 bytes"));
    // 'mapping/data/1' renamed 'mapping/DATA/0' (central and local header): LibTorch's lookup ignores case.
    auto twins = original;
    for (const auto& [central, entry] : central_headers(twins)) {
        if (entry != "mapping/data/1") continue;
        const std::size_t local = le32(twins, central + 42);
        for (const std::size_t name_at : {central + 46, local + 30}) {
            std::memcpy(twins.data() + name_at + 8, "DATA", 4);
            twins[name_at + 13] = '0';
        }
    }
    write_bytes(file, twins);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(file.string(), 8), Catch::Contains("equal ignoring case"));
}
