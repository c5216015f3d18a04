#pragma once
// latentwalk/torch/torchscript_generator.hpp — a TorchScript file (torch.jit.save) as a generator.
//
//     latentwalk::torch::torchscript_generator<double> g("mapping.pt", 512);          // z ↦ forward(z)
//     latentwalk::torch::torchscript_generator<double> f("mapping.pt", 512, {.method = "features"});
//     latentwalk::torch::torchscript_generator<double> h("decoder.pt", 4, {.submodule = "fc"});
//
// The file is loaded with torch::jit::load onto options.device and converted to the dtype of
// Scalar. The generator is `submodule`'s (a dotted path of attribute names; empty: the whole
// module) method `method` — an intermediate output (a method returning a hidden layer, or a
// submodule that acts on the latent code) gives a *partial* generator. The method must map a tensor
// [..., latent_dim] to [..., m]; m is found by evaluating it once at load. Derivatives and batching
// are those of module_generator (forward-mode AD JVP, autograd VJP).
// Errors at load: a missing file, a file that is not a TorchScript archive, a damaged archive, an
// unknown method or submodule → model_loading_error; a method that does not accept [latent_dim] →
// dimension_error; a method whose output does not depend on its input → numerical_error. Each a sentence.
//
// Damaged files: before LibTorch sees it, the archive (a zip) is verified by
// detail::verify_zip_archive (torch/detail/zip_archive.hpp): its directory structure, offsets and
// sizes, and every entry's CRC-32, which LibTorch's loader does not check and on which it can crash
// the process (a flipped bit in a code entry made it die with SIGSEGV). A damaged file is a
// model_loading_error naming the entry and the expected and actual CRC-32. The cost is one read of
// the file. A mobile FlatBuffer module (magic "PTMF") is refused with a model_loading_error: LibTorch
// 1.13 reads those without checking their structure and crashes on a damaged one (fuzz/torchscript_load
// found 25 bytes that do); save with torch.jit.save.
//
// Trust: a TorchScript file is code. Loading it deserializes a program and the generator runs its
// methods; a file from an untrusted source can do whatever TorchScript's operators can (read and write
// files among them). Verification catches damage, not malice: load only files you trust.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

#include <latentwalk/torch/detail/zip_archive.hpp>
#include <latentwalk/torch/module_generator.hpp>

namespace latentwalk::torch {

struct torchscript_options {
    std::string method = "forward";  ///< the method that maps the latent code
    std::string submodule;           ///< dotted path of a submodule whose method is used; empty: the module
    at::Device device = at::kCPU;    ///< where the module (and the tensors passed to it) live
    jvp_method jvp = jvp_method::forward_mode;
};

template <class Scalar = double>
class torchscript_generator : public module_generator<Scalar> {
    struct loaded {
        ::torch::jit::Module module;
        module_generator<Scalar> generator;
    };

public:
    using index = typename module_generator<Scalar>::index;

    torchscript_generator(const std::string& path, index latent_dim, torchscript_options opts = {})
        : torchscript_generator(load(path, latent_dim, std::move(opts))) {}

    /// The loaded module (the whole file, also when a submodule is the generator).
    const ::torch::jit::Module& module() const { return module_; }

private:
    explicit torchscript_generator(loaded l) : module_generator<Scalar>(std::move(l.generator)), module_(std::move(l.module)) {}

    static loaded load(const std::string& path, index latent_dim, torchscript_options opts) {
        using latentwalk::detail::sentence;
        constexpr const char* where = "torch::torchscript_generator";
        if (latent_dim < 1)
            throw invalid_argument_error(
                sentence(where, "latent_dim must be at least 1, got " + std::to_string(latent_dim) + "."));
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw model_loading_error(sentence(where, "the model file '" + path + "' does not exist or is not a file."));
        detail::verify_zip_archive(where, path, "TorchScript archive");  // refuses FlatBuffer modules too
        ::torch::jit::Module file;
        try {
            file = ::torch::jit::load(path, opts.device);
        } catch (const std::exception& e) {
            throw model_loading_error(sentence(where, "the file '" + path +
                                                          "' could not be read as a TorchScript archive (as written "
                                                          "by torch.jit.save): " + detail::first_line(e.what())));
        }
        try {
            file.to(opts.device, dtype_of<Scalar>);
        } catch (const std::exception& e) {
            throw model_loading_error(sentence(where, "the module in '" + path + "' could not be moved to the device " +
                                                          "and dtype asked for: " + detail::first_line(e.what())));
        }
        file.eval();

        ::torch::jit::Module target = file;
        std::string walked;
        std::size_t start = 0;
        while (start < opts.submodule.size()) {
            const auto dot = opts.submodule.find('.', start);
            const auto part = opts.submodule.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
            walked += (walked.empty() ? "" : ".") + part;
            if (part.empty() || !target.hasattr(part) || !target.attr(part).isModule())
                throw model_loading_error(
                    sentence(where, "the module in '" + path + "' has no submodule '" + walked + "'."));
            target = target.attr(part).toModule();
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        if (!target.find_method(opts.method)) {
            std::string names;
            for (const auto& m : target.get_methods()) names += (names.empty() ? "" : ", ") + m.name();
            throw model_loading_error(sentence(where, "the module in '" + path + "'" +
                                                          (walked.empty() ? "" : " (submodule '" + walked + "')") +
                                                          " has no method '" + opts.method + "'; its methods are: " +
                                                          (names.empty() ? "none" : names) + "."));
        }

        const std::string method = opts.method;
        auto function = [target, method](const at::Tensor& x) -> at::Tensor {
            auto result = target.get_method(method)({x});
            if (!result.isTensor())
                throw model_loading_error(latentwalk::detail::sentence(
                    "torch::torchscript_generator", "the method '" + method + "' returns a " +
                                                        result.tagKind() + ", not a tensor."));
            return result.toTensor();
        };

        // Evaluate once at a fixed point to learn the output size and check that the output depends on z.
        std::mt19937_64 rng(20221);
        std::normal_distribution<double> nd(0.0, 1.0);
        std::vector<double> values(static_cast<std::size_t>(latent_dim));
        for (auto& v : values) v = nd(rng);
        auto probe = at::tensor(values, at::TensorOptions().dtype(at::kDouble)).to(opts.device, dtype_of<Scalar>);
        at::Tensor out;
        try {
            at::NoGradGuard no_grad;
            out = function(probe);
        } catch (const latentwalk::error&) {
            throw;
        } catch (const std::exception& e) {
            throw dimension_error(sentence(where, "the method '" + opts.method + "' of '" + path +
                                                      "' does not accept an input of shape [" +
                                                      std::to_string(latent_dim) + "]: " + detail::first_line(e.what())));
        }
        if (out.dim() != 1 || out.size(0) < 1)
            throw dimension_error(sentence(where, "the method '" + opts.method + "' of '" + path + "' returned shape " +
                                                      detail::shape_string(out) + " for an input of shape [" +
                                                      std::to_string(latent_dim) +
                                                      "]; a generator must map [..., n] to [..., m]."));
        module_generator_options gopts;
        gopts.jvp = opts.jvp;
        module_generator<Scalar> generator(std::move(function), latent_dim, out.size(0), gopts);
        generator.vjp(probe, at::ones_like(out));  // throws numerical_error for an output independent of z
        return {std::move(file), std::move(generator)};
    }

    ::torch::jit::Module module_;
};

}  // namespace latentwalk::torch
