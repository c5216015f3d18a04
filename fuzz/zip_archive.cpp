// libFuzzer target: arbitrary bytes through detail::verify_zip_archive, the check that stands between
// a model file or checkpoint and LibTorch's loader (adapters/torch/include/latentwalk/torch/detail/
// zip_archive.hpp; zlib and the standard library only, so it builds with clang where the LibTorch
// headers do not, see fuzz/CMakeLists.txt). The contract: accepted, or model_loading_error. Seeds: the
// torchscript_load and checkpoint_load corpora and tests/torch/fixtures.
#include <cstddef>
#include <cstdint>

#include <latentwalk/torch/detail/zip_archive.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static latentwalk::fuzz::input_file file(".zip");
    const auto& path = file.write(data, size);
    latentwalk::fuzz::library_exceptions_only("zip_archive", [&] {
        try {
            latentwalk::torch::detail::verify_zip_archive("fuzz::zip_archive", path, "zip archive");
        } catch (const latentwalk::error& e) {
            if (!dynamic_cast<const latentwalk::model_loading_error*>(&e))
                latentwalk::fuzz::finding(std::string("zip_archive: another error than model_loading_error: ") + e.what());
            throw;
        }
    });
    return 0;
}
