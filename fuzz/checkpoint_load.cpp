// libFuzzer target: arbitrary bytes as a training checkpoint (open_checkpoint and the typed readers of
// latentwalk/torch/training/checkpoint.hpp) and as a flow trainer's module file (detail::load_archive,
// read_meta). Seeds: checkpoints written by torch::serialize (fuzz/corpus/checkpoint_load).
#include <cstddef>
#include <cstdint>
#include <random>

#include <latentwalk/torch/flows/detail/module_file.hpp>
#include <latentwalk/torch/training/checkpoint.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace tr = latentwalk::torch::training;
    static latentwalk::fuzz::input_file file(".ckpt");
    const auto& path = file.write(data, size);
    latentwalk::fuzz::library_exceptions_only("checkpoint_load", [&] {
        auto in = tr::open_checkpoint(path);
        // Each typed read through tr::reading, as the trainers do: LibTorch's errors become sentences.
        tr::reading(path.string(), "step", [&] { (void)tr::read_int(in, "step"); });
        tr::reading(path.string(), "weights", [&] { (void)tr::read_tensor(in, "weights"); });
        tr::reading(path.string(), "engine", [&] {
            std::mt19937_64 engine;
            tr::read_engine(in, "engine", engine);
        });
    });
    latentwalk::fuzz::library_exceptions_only("checkpoint_load (module file)", [&] {
        ::torch::serialize::InputArchive archive;
        latentwalk::torch::detail::load_archive("fuzz::checkpoint_load", archive, path);
        (void)latentwalk::torch::detail::read_meta("fuzz::checkpoint_load", archive, "dim", path);
    });
    return 0;
}
