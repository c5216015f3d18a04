#pragma once
// latentwalk/torch/training/checkpoint.hpp — atomic checkpoint files and the pieces of state a
// trainer writes into them (modules, optimizers, torch generators, std engines, integers).
//
//     namespace tr = latentwalk::torch::training;
//     torch::serialize::OutputArchive out;
//     tr::write_module(out, "model", model);            // parameters and buffers
//     tr::write_optimizer(out, "adam", adam);           // Adam's moments and step counts
//     tr::write_int(out, "step", 1200);
//     tr::save_atomically(out, "run/checkpoint.pt");    // temporary file, fsync, rename, fsync folder
//     torch::serialize::InputArchive in = tr::open_checkpoint("run/checkpoint.pt");
//
// Atomicity: the archive is written to `<path>.tmp.<pid>` in the same folder, flushed to disk
// (fsync), renamed over `path` (rename(2) is atomic on POSIX file systems) and the folder is
// fsynced, so after a crash at any instant `path` is either the previous complete checkpoint or
// the new complete one, never a half-written file. The format is LibTorch's serialize archive (a
// zip of tensors, the same as torch::save), so tools that read those read checkpoints too.
//
// Errors: a missing checkpoint, or one that is not a readable archive (truncated, corrupt, another
// format), or one that lacks a key a reader asks for → model_loading_error (a sentence naming the
// file and the key); a checkpoint that cannot be written → model_loading_error naming the path.
// open_checkpoint verifies the zip structure and every entry's CRC-32 before LibTorch reads the file
// (torch/detail/zip_archive.hpp; LibTorch checks neither and can crash on a damaged file), so a
// damaged checkpoint is a sentence naming the entry and the expected and actual CRC-32. It also walks the
// archive's pickles (torch/detail/pickle_tensors.hpp): a checkpoint whose pickle declares a tensor
// larger than the zip record behind it (LibTorch 1.13 would size the storage from the pickle, and
// read_text or a copy to the GPU would read past its buffer) is a sentence naming the record and both
// sizes, before LibTorch reads the file.
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include <ATen/ATen.h>
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/detail/zip_archive.hpp>

namespace latentwalk::torch::training {

using output_archive = ::torch::serialize::OutputArchive;
using input_archive = ::torch::serialize::InputArchive;

namespace detail {

inline std::string first_line(const char* what) {
    std::string s(what);
    const auto nl = s.find('\n');
    return nl == std::string::npos ? s : s.substr(0, nl);
}

[[noreturn]] inline void write_failed(const std::string& path, const std::string& why) {
    throw model_loading_error(latentwalk::detail::sentence(
        "torch::training::save_atomically", "the checkpoint '" + path + "' could not be written: " + why + "."));
}

}  // namespace detail

/// Writes `archive` to `path` atomically (see the header comment).
inline void save_atomically(output_archive& archive, const std::filesystem::path& path) {
    const std::string p = path.string();
    const std::string tmp = p + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) detail::write_failed(p, std::string("cannot create '") + tmp + "': " + std::strerror(errno));
    bool ok = true;
    std::string why;
    try {
        archive.save_to([&](const void* data, std::size_t size) -> std::size_t {
            const char* bytes = static_cast<const char*>(data);
            std::size_t done = 0;
            while (done < size) {
                const auto w = ::write(fd, bytes + done, size - done);
                if (w < 0) {
                    if (errno == EINTR) continue;
                    ok = false;
                    why = std::strerror(errno);
                    return done;
                }
                done += static_cast<std::size_t>(w);
            }
            return size;
        });
    } catch (const std::exception& e) {
        ok = false;
        if (why.empty()) why = detail::first_line(e.what());
    }
    if (ok && ::fsync(fd) != 0) {
        ok = false;
        why = std::string("fsync: ") + std::strerror(errno);
    }
    if (::close(fd) != 0 && ok) {
        ok = false;
        why = std::string("close: ") + std::strerror(errno);
    }
    if (!ok) {
        ::unlink(tmp.c_str());
        detail::write_failed(p, why);
    }
    if (::rename(tmp.c_str(), p.c_str()) != 0) {
        const std::string e = std::strerror(errno);
        ::unlink(tmp.c_str());
        detail::write_failed(p, "rename: " + e);
    }
    auto folder = path.parent_path();
    if (folder.empty()) folder = ".";
    const int dfd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

/// Opens a checkpoint for reading (tensors are mapped to `device`).
inline input_archive open_checkpoint(const std::filesystem::path& path, at::Device device = at::kCPU) {
    using latentwalk::detail::sentence;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        throw model_loading_error(sentence("torch::training::open_checkpoint",
                                           "the checkpoint '" + path.string() + "' does not exist or is not a file."));
    latentwalk::torch::detail::verify_zip_archive("torch::training::open_checkpoint", path, "checkpoint");
    input_archive in;
    try {
        in.load_from(path.string(), device);
    } catch (const std::exception& e) {
        throw model_loading_error(sentence("torch::training::open_checkpoint",
                                           "the file '" + path.string() +
                                               "' is not a readable checkpoint (truncated, corrupt or another format): " +
                                               detail::first_line(e.what())));
    }
    return in;
}

/// Runs `body`, turning a LibTorch error into model_loading_error naming `path` and `what`.
template <class Body>
void reading(const std::string& path, const std::string& what, Body&& body) {
    try {
        body();
    } catch (const latentwalk::error&) {
        throw;
    } catch (const std::exception& e) {
        throw model_loading_error(latentwalk::detail::sentence(
            "torch::training::checkpoint", "the checkpoint '" + path + "' has no valid '" + what + "' (" +
                                               detail::first_line(e.what()) +
                                               "); was it written by another model or version?"));
    }
}

inline void write_int(output_archive& out, const std::string& key, std::int64_t value) {
    out.write(key, c10::IValue(value));
}
inline std::int64_t read_int(input_archive& in, const std::string& key) {
    c10::IValue v;
    in.read(key, v);
    return v.toInt();
}

inline void write_tensor(output_archive& out, const std::string& key, const at::Tensor& t) {
    out.write(key, t.detach().cpu(), /*is_buffer=*/true);
}
inline at::Tensor read_tensor(input_archive& in, const std::string& key) {
    at::Tensor t;
    in.read(key, t, /*is_buffer=*/true);
    return t;
}

/// Text (e.g. a std engine's state, written with operator<<) as a uint8 tensor.
inline void write_text(output_archive& out, const std::string& key, const std::string& text) {
    auto t = at::empty({static_cast<std::int64_t>(text.size())}, at::TensorOptions().dtype(at::kByte));
    if (!text.empty()) std::memcpy(t.data_ptr<std::uint8_t>(), text.data(), text.size());
    write_tensor(out, key, t);
}
inline std::string read_text(input_archive& in, const std::string& key) {
    auto t = read_tensor(in, key).contiguous();
    return std::string(reinterpret_cast<const char*>(t.data_ptr<std::uint8_t>()), static_cast<std::size_t>(t.numel()));
}

/// A std random engine (std::mt19937_64 and friends) by its textual state.
template <class Engine>
void write_engine(output_archive& out, const std::string& key, const Engine& engine) {
    std::ostringstream s;
    s << engine;
    write_text(out, key, s.str());
}
template <class Engine>
void read_engine(input_archive& in, const std::string& key, Engine& engine) {
    std::istringstream s(read_text(in, key));
    Engine e;
    s >> e;
    if (!s) throw model_loading_error(latentwalk::detail::sentence(
        "torch::training::read_engine", "the random engine state '" + key + "' could not be parsed."));
    engine = e;
}

/// A torch generator's full state (CPU: the Mersenne twister and the cached normal).
inline void write_generator(output_archive& out, const std::string& key, const at::Generator& gen) {
    write_tensor(out, key, gen.get_state());
}
inline void read_generator(input_archive& in, const std::string& key, at::Generator& gen) {
    gen.set_state(read_tensor(in, key));
}

/// A module's parameters and buffers, under `key`.
template <class M>
void write_module(output_archive& out, const std::string& key, const M& module) {
    output_archive sub;
    module->save(sub);
    out.write(key, sub);
}
template <class M>
void read_module(input_archive& in, const std::string& key, M& module) {
    input_archive sub;
    in.read(key, sub);
    module->load(sub);
}

/// An optimizer's state (Adam: step counts and both moments per parameter), under `key`.
inline void write_optimizer(output_archive& out, const std::string& key, const ::torch::optim::Optimizer& opt) {
    output_archive sub;
    opt.save(sub);
    out.write(key, sub);
}
inline void read_optimizer(input_archive& in, const std::string& key, ::torch::optim::Optimizer& opt) {
    input_archive sub;
    in.read(key, sub);
    opt.load(sub);
}

}  // namespace latentwalk::torch::training
