// libFuzzer target: arbitrary bytes as a pickle through detail::pickle::check_tensors, the walk that
// checks every tensor a LibTorch archive's data.pkl / constants.pkl builds against the bytes behind it
// (adapters/torch/include/latentwalk/torch/detail/pickle_tensors.hpp; standard library only, so clang
// builds it with full coverage, where the zip_archive target rarely gets past the CRC-32s to a pickle).
// Records: the three of the checkpoint seeds (data/0: 512 bytes, data/1: 6341, data/2: 8). The contract:
// accepted or a refusal clause; no crash, no sanitizer report, no exception (std::bad_alloc aside).
// Seeds: the data.pkl and constants.pkl of the checkpoint and TorchScript seeds (fuzz/corpus/pickle_tensors).
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include <latentwalk/torch/detail/pickle_tensors.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view pickle(reinterpret_cast<const char*>(data), size);
    const auto record_size = [](const std::string& name) -> std::optional<std::uint64_t> {
        if (name == "data/0") return 512;
        if (name == "data/1") return 6341;
        if (name == "data/2") return 8;
        return std::nullopt;
    };
    try {
        const auto verdict = latentwalk::torch::detail::pickle::check_tensors(pickle, "data/", record_size);
        if (verdict && verdict->empty()) latentwalk::fuzz::finding("pickle_tensors: a refusal without a reason");
    } catch (const std::bad_alloc&) {
    } catch (const std::exception& e) {
        latentwalk::fuzz::finding(std::string("pickle_tensors: an exception escaped: ") + e.what());
    }
    return 0;
}
