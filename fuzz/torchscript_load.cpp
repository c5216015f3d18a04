// libFuzzer target: arbitrary bytes as a TorchScript file, loaded by torchscript_generator<double>
// (zip verification, then torch::jit::load, the probe evaluation and a VJP). Seeds: the fixtures of
// tests/torch/fixtures. A loaded generator must map z to a finite output of its reported size.
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <latentwalk/torch/torchscript_generator.hpp>

#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static latentwalk::fuzz::input_file file(".pt");
    const auto& path = file.write(data, size);
    latentwalk::fuzz::library_exceptions_only("torchscript_load", [&] {
        // The fixtures' latent dimensions are 8 (mapping) and 4 (decoder, constant).
        for (const long long n : {8LL, 4LL}) {
            try {
                const latentwalk::torch::torchscript_generator<double> g(path.string(), n);
                const at::Tensor z = at::linspace(-1.0, 1.0, n, at::kDouble);
                const at::Tensor out = g(latentwalk::torch::vector<double>(z)).tensor();
                if (out.dim() != 1 || out.size(0) != g.output_dim())
                    latentwalk::fuzz::finding("torchscript_load: a loaded generator's output has another size than output_dim()");
                return;
            } catch (const latentwalk::dimension_error&) {
                // the other fixture's latent dimension
            }
        }
    });
    return 0;
}
