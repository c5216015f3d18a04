#pragma once
// latentwalk/torch/flows/detail/module_file.hpp — the file format of the flow trainers' modules:
// a torch::serialize archive (torch::save's format) holding the module's parameters and buffers and
// a few integer/float metadata entries ("meta/…"), written to a temporary file and renamed, so a kill
// during a save leaves the previous file intact. Every LibTorch failure to read becomes a
// model_loading_error whose sentence names the function and the file; before LibTorch reads it, the
// file's zip structure and CRC-32s are verified (torch/detail/zip_archive.hpp), so a damaged file is
// a sentence too, not a crash inside LibTorch.
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/detail/zip_archive.hpp>

namespace latentwalk::torch::detail {

/// Writes `archive` to `path` atomically (temporary file in the same folder, then rename).
inline void save_archive_atomically(const char* where, ::torch::serialize::OutputArchive& archive,
                                    const std::filesystem::path& path) {
    namespace fs = std::filesystem;
    const fs::path tmp = path.string() + ".tmp";
    try {
        archive.save_to(tmp.string());
    } catch (const std::exception& e) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw model_loading_error(latentwalk::detail::sentence(
            where, "could not write '" + tmp.string() + "': " + std::string(e.what()).substr(0, 200)));
    }
    std::error_code ec;
    fs::rename(tmp, path, ec);
    if (ec)
        throw model_loading_error(latentwalk::detail::sentence(
            where, "could not rename '" + tmp.string() + "' to '" + path.string() + "': " + ec.message() + "."));
}

/// Reads an archive from `path`; a missing, truncated or foreign file → model_loading_error.
inline void load_archive(const char* where, ::torch::serialize::InputArchive& archive,
                         const std::filesystem::path& path) {
    if (!std::filesystem::is_regular_file(path))
        throw model_loading_error(latentwalk::detail::sentence(where, "there is no file '" + path.string() + "'."));
    verify_zip_archive(where, path, "latentwalk checkpoint");
    try {
        archive.load_from(path.string());
    } catch (const std::exception& e) {
        std::string what = e.what();
        what = what.substr(0, what.find('\n'));
        throw model_loading_error(latentwalk::detail::sentence(
            where, "'" + path.string() + "' is not a readable latentwalk checkpoint (" + what.substr(0, 200) + ")."));
    }
}

inline void write_meta(::torch::serialize::OutputArchive& archive, const std::string& key, double value) {
    archive.write("meta_" + key, at::full({}, value, at::kDouble), /*is_buffer=*/true);
}

inline double read_meta(const char* where, ::torch::serialize::InputArchive& archive, const std::string& key,
                        const std::filesystem::path& path) {
    at::Tensor t;
    try {
        if (!archive.try_read("meta_" + key, t, /*is_buffer=*/true) || !t.defined() || t.numel() != 1)
            throw model_loading_error("");
    } catch (const std::exception&) {
        throw model_loading_error(latentwalk::detail::sentence(
            where, "'" + path.string() + "' has no entry 'meta_" + key + "'; it was not written by this type."));
    }
    return t.to(at::kDouble).item<double>();
}

/// Writes the module's parameters and buffers (recursively, by their dotted names) into the archive.
inline void write_module(const ::torch::nn::Module& module, ::torch::serialize::OutputArchive& archive) {
    for (const auto& p : module.named_parameters(/*recurse=*/true)) archive.write(p.key(), p.value().detach(), false);
    for (const auto& b : module.named_buffers(/*recurse=*/true)) archive.write(b.key(), b.value(), true);
}

/// Loads the module's parameters and buffers from the archive, checking each entry's shape; a
/// missing or mis-shaped entry → model_loading_error. Nothing is changed unless every entry fits.
/// The tensors are copied in place, so the module's tensors keep their identity (optimizers and
/// views held elsewhere see the new values).
inline void read_module(const char* where, ::torch::nn::Module& module, ::torch::serialize::InputArchive& archive,
                        const std::filesystem::path& path) {
    std::vector<std::pair<at::Tensor, at::Tensor>> pending;
    auto take = [&](const std::string& key, const at::Tensor& target, bool is_buffer) {
        at::Tensor t;
        bool ok = false;
        try {
            ok = archive.try_read(key, t, is_buffer);
        } catch (const std::exception&) {
            ok = false;
        }
        if (!ok || !t.defined())
            throw model_loading_error(latentwalk::detail::sentence(
                where, "'" + path.string() + "' has no entry '" + key + "' for this module."));
        if (t.sizes() != target.sizes())
            throw model_loading_error(latentwalk::detail::sentence(
                where, "the entry '" + key + "' of '" + path.string() + "' has another shape than this module's."));
        pending.emplace_back(target, t);
    };
    for (const auto& p : module.named_parameters(true)) take(p.key(), p.value(), false);
    for (const auto& b : module.named_buffers(true)) take(b.key(), b.value(), true);
    at::NoGradGuard no_grad;
    for (auto& [target, value] : pending) const_cast<at::Tensor&>(target).copy_(value.to(target.options()));
}

/// The save() of every flow module: the kind tag, the named metadata, then the module's tensors,
/// written atomically.
inline void save_tagged_module(const char* where, const ::torch::nn::Module& module, double kind_tag,
                               std::initializer_list<std::pair<const char*, double>> meta,
                               const std::filesystem::path& path) {
    ::torch::serialize::OutputArchive archive;
    write_meta(archive, "kind", kind_tag);
    for (const auto& [key, value] : meta) write_meta(archive, key, value);
    write_module(module, archive);
    save_archive_atomically(where, archive, path);
}

/// Opens a file written by save_tagged_module and checks its kind tag; a foreign file →
/// model_loading_error. The archive is left open for read_meta / read_module.
inline void open_tagged_archive(const char* where, ::torch::serialize::InputArchive& archive, double kind_tag,
                                const std::filesystem::path& path) {
    load_archive(where, archive, path);
    if (read_meta(where, archive, "kind", path) != kind_tag)
        throw model_loading_error(latentwalk::detail::sentence(where, "'" + path.string() + "' holds another kind of model."));
}

/// The load_state() of every flow module: refills `module`'s tensors from a file of the same kind
/// and shape (nothing changes unless every entry fits).
inline void load_tagged_state(const char* where, ::torch::nn::Module& module, double kind_tag,
                              const std::filesystem::path& path) {
    ::torch::serialize::InputArchive archive;
    open_tagged_archive(where, archive, kind_tag, path);
    read_module(where, module, archive, path);
}

}  // namespace latentwalk::torch::detail
