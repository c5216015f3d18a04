#pragma once
// latentwalk/torch/training/train_loop.hpp — the one training loop every latentwalk trainer runs
// (the VAE and GAN here; the potential-flow and DP-LaSE trainers later): seeded and reproducible,
// a progress line, a CSV of the losses, atomic periodic checkpoints and an exact resume after a kill.
//
//     namespace tr = latentwalk::torch::training;
//     tr::manual_seed(7);                                   // module initialization draws from torch's global RNG
//     tr::vae_trainer trainer(model, images, {.batch_size = 64});
//     auto result = tr::train(trainer, {.steps = 2000, .seed = 7, .out_dir = "run", .checkpoint_every = 500});
//     // killed? the same call with .resume = true continues from run/checkpoint.pt, bit for bit.
//
// A trainer is any type that satisfies `Trainer`:
//
// | member                              | what it does                                                          |
// |-------------------------------------|-----------------------------------------------------------------------|
// | `std::vector<std::string> loss_names() const` | names of the numbers step() reports (CSV columns, progress line) |
// | `step_result step(step_context& ctx)`         | one optimization step; every random number from ctx.generator (torch) or ctx.engine (std) |
// | `void save(output_archive& out) const`        | all of its state: modules, optimizers, data order (write_module, write_optimizer, batch_sampler::save) |
// | `void load(input_archive& in)`                | the inverse of save, into an identically constructed trainer |
//
// The loop owns the step counter, the random streams and the files; the trainer owns its models,
// optimizers and data order. Per step k = first … options.steps (1-based): step(ctx), one CSV row
// `step,images,seconds,<losses>` (flushed), the progress line, and a checkpoint when k is a multiple
// of checkpoint_every and at the last step.
//
// Reproducibility: ctx.generator is a CPU at::Generator seeded with options.seed and ctx.engine a
// std::mt19937_64 seeded with options.seed; both are checkpointed, as is the trainer's state. With
// the same seed, the same construction (call manual_seed(seed) before building the models) and the
// same thread count (options.threads > 0 sets at::set_num_threads), two runs give the same weights
// bit for bit on the CPU. Resume: with options.resume and a checkpoint in out_dir, the loop loads
// the trainer, both streams and the step, truncates the CSV to the rows up to that step (a killed run
// may have written later ones) and continues: a run of k steps, killed, and resumed to N equals an
// uninterrupted run of N (tested on the VAE). Without a checkpoint, resume starts afresh and says so.
// GPU: the streams stay on the CPU (draw on the CPU, then .to(device)), so the order of random
// numbers does not depend on the device; CUDA kernels themselves may not be bit-reproducible.
//
// Files in out_dir (none when out_dir is empty): checkpoint.pt (save_atomically) and losses.csv.
// Errors: steps < 1 or checkpoint_every < 0 → invalid_argument_error; a corrupt or incompatible
// checkpoint when resuming → model_loading_error (never a silent fresh start); an out_dir that
// cannot be created or written → model_loading_error. Each a sentence.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/models/conv_geometry.hpp>
#include <latentwalk/torch/training/checkpoint.hpp>
#include <latentwalk/torch/training/progress.hpp>

namespace latentwalk::torch::training {

/// What a step may use: its index and the run's two checkpointed random streams.
struct step_context {
    std::int64_t step;         ///< the step being taken, 1 … total_steps
    std::int64_t total_steps;
    at::Generator& generator;  ///< CPU torch generator (at::randn(..., generator), at::randperm)
    std::mt19937_64& engine;   ///< std engine for host-side choices
};

/// What a step reports.
struct step_result {
    std::vector<double> losses;  ///< one number per loss_names(), in that order
    std::int64_t images = 0;     ///< samples processed (for the images/s rate)
};

template <class T>
concept Trainer = requires(T& t, const T& ct, step_context& ctx, output_archive& out, input_archive& in) {
    { ct.loss_names() } -> std::convertible_to<std::vector<std::string>>;
    { t.step(ctx) } -> std::convertible_to<step_result>;
    ct.save(out);
    t.load(in);
};

struct train_options {
    std::int64_t steps = 1000;          ///< the last step of the run (a resumed run continues to it)
    std::uint64_t seed = 0;
    int threads = 0;                    ///< > 0: at::set_num_threads(threads); 0: leave LibTorch's setting
    std::filesystem::path out_dir;      ///< checkpoint and CSV folder; empty: no files
    std::int64_t checkpoint_every = 0;  ///< steps between checkpoints (0: only the last step)
    bool resume = false;                ///< continue from out_dir/checkpoint.pt when present
    progress_options progress{};
    std::string checkpoint_name = "checkpoint.pt";
    std::string csv_name = "losses.csv";
    std::function<void(std::int64_t)> on_checkpoint;  ///< called after each checkpoint with its step
};

struct train_result {
    std::int64_t first_step = 0;    ///< first step run by this call (1, or the checkpoint's + 1)
    std::int64_t last_step = 0;     ///< options.steps
    bool resumed = false;
    double seconds = 0;             ///< wall time of this call's steps
    double images_per_second = 0;   ///< over this call's steps
    std::vector<double> last_losses;
};

/// Seeds torch's global generator (module initialization, spectral-norm buffers draw from it).
inline void manual_seed(std::uint64_t seed) { at::manual_seed(seed); }

namespace detail {

inline constexpr std::int64_t checkpoint_format = 1;

inline std::string join(const std::vector<std::string>& names) {
    std::string s;
    for (const auto& n : names) s += (s.empty() ? "" : ",") + n;
    return s;
}

/// Keeps the header and the rows with step ≤ last of an existing CSV (rewritten atomically).
inline void truncate_csv(const std::filesystem::path& csv, std::int64_t last, const std::string& header) {
    std::ifstream in(csv);
    std::ostringstream kept;
    kept << header << "\n";
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        if (first) {
            first = false;
            continue;
        }
        if (line.empty()) continue;
        const auto comma = line.find(',');
        try {
            if (std::stoll(line.substr(0, comma)) <= last) kept << line << "\n";
        } catch (const std::exception&) {
            // A row cut by a kill: dropped.
        }
    }
    const auto tmp = csv.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << kept.str();
        if (!out) throw model_loading_error(latentwalk::detail::sentence(
            "torch::training::train", "the loss file '" + tmp + "' could not be written."));
    }
    std::filesystem::rename(tmp, csv);
}

/// A module holder moved to `device` (the trainers' constructors take their model by value).
template <class ModuleHolder>
ModuleHolder on_device(ModuleHolder m, at::Device device) {
    m->to(device);
    return m;
}

/// The trainers' check of their training set: images [N, C, H, W], N ≥ 1, of the model's geometry,
/// else dimension_error naming `where`.
inline at::Tensor checked_training_images(const char* where, at::Tensor images, const models::conv_geometry& g) {
    if (!images.defined() || images.dim() != 4 || images.size(0) < 1)
        throw dimension_error(latentwalk::detail::sentence(where, "the training images must be a tensor [N, C, H, W] with N ≥ 1."));
    models::detail::require_images(where, images.narrow(0, 0, 1), g);
    return images;
}

}  // namespace detail

template <Trainer T>
train_result train(T& trainer, const train_options& o) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::training::train";
    if (o.steps < 1)
        throw invalid_argument_error(sentence(where, "steps must be at least 1, got " + std::to_string(o.steps) + "."));
    if (o.checkpoint_every < 0)
        throw invalid_argument_error(sentence(where, "checkpoint_every must be 0 (only at the end) or positive, got " +
                                                         std::to_string(o.checkpoint_every) + "."));
    if (o.threads > 0) at::set_num_threads(o.threads);

    const std::vector<std::string> names = trainer.loss_names();
    const std::string header = "step,images,seconds," + detail::join(names);
    const bool files = !o.out_dir.empty();
    const auto ckpt = o.out_dir / o.checkpoint_name;
    const auto csv = o.out_dir / o.csv_name;
    if (files) {
        std::error_code ec;
        std::filesystem::create_directories(o.out_dir, ec);
        if (ec) throw model_loading_error(sentence(where, "the output folder '" + o.out_dir.string() +
                                                              "' could not be created: " + ec.message() + "."));
    }

    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    std::mt19937_64 engine(o.seed);
    std::int64_t done = 0, images = 0;
    double elapsed_before = 0;
    progress_reporter progress(o.progress, o.steps, names);
    train_result result;
    result.last_step = o.steps;

    if (files && o.resume && std::filesystem::exists(ckpt)) {
        auto in = open_checkpoint(ckpt);
        const auto path = ckpt.string();
        reading(path, "format", [&] {
            if (read_int(in, "format") != detail::checkpoint_format)
                throw model_loading_error(sentence(where, "the checkpoint '" + path + "' has an unknown format version."));
        });
        std::string saved_names;
        reading(path, "loss_names", [&] { saved_names = read_text(in, "loss_names"); });
        if (saved_names != detail::join(names))
            throw model_loading_error(sentence(where, "the checkpoint '" + path + "' was written by a trainer with the losses " +
                                                          saved_names + ", not " + detail::join(names) + "."));
        reading(path, "step", [&] { done = read_int(in, "step"); });
        reading(path, "images", [&] { images = read_int(in, "images"); });
        reading(path, "seconds", [&] { elapsed_before = read_tensor(in, "seconds").item<double>(); });
        reading(path, "generator", [&] { read_generator(in, "generator", generator); });
        reading(path, "engine", [&] { read_engine(in, "engine", engine); });
        reading(path, "trainer", [&] {
            input_archive sub;
            in.read("trainer", sub);
            trainer.load(sub);
        });
        std::int64_t threads = 0;
        reading(path, "threads", [&] { threads = read_int(in, "threads"); });
        if (threads != at::get_num_threads())
            progress.message("train: note: the checkpoint was written with " + std::to_string(threads) +
                             " threads, this run uses " + std::to_string(at::get_num_threads()) +
                             "; results may differ from an uninterrupted run in the last bits.");
        result.resumed = true;
        progress.message("train: resumed from '" + path + "' at step " + std::to_string(done) + ".");
        if (std::filesystem::exists(csv)) detail::truncate_csv(csv, done, header);
    } else if (files && o.resume) {
        progress.message("train: no checkpoint in '" + o.out_dir.string() + "'; starting at step 1.");
    }
    std::ofstream rows;
    if (files) {
        const bool append = result.resumed && std::filesystem::exists(csv);
        rows.open(csv, append ? std::ios::app : std::ios::trunc);
        if (!rows) throw model_loading_error(sentence(where, "the loss file '" + csv.string() + "' could not be opened."));
        if (!append) rows << header << "\n" << std::flush;
        rows << std::setprecision(9);
    }

    auto save = [&](std::int64_t step, double elapsed) {
        output_archive out;
        write_int(out, "format", detail::checkpoint_format);
        write_text(out, "loss_names", detail::join(names));
        write_int(out, "step", step);
        write_int(out, "images", images);
        write_tensor(out, "seconds", at::full({}, elapsed, at::kDouble));
        write_int(out, "seed", static_cast<std::int64_t>(o.seed));
        write_int(out, "threads", at::get_num_threads());
        write_generator(out, "generator", generator);
        write_engine(out, "engine", engine);
        output_archive sub;
        trainer.save(sub);
        out.write("trainer", sub);
        save_atomically(out, ckpt);
        if (o.on_checkpoint) o.on_checkpoint(step);
    };

    result.first_step = done + 1;
    const auto start = std::chrono::steady_clock::now();
    std::int64_t images_now = 0;
    for (std::int64_t k = done + 1; k <= o.steps; ++k) {
        step_context ctx{k, o.steps, generator, engine};
        step_result r = trainer.step(ctx);
        images += r.images;
        images_now += r.images;
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double rate = seconds > 0 ? static_cast<double>(images_now) / seconds : 0.0;
        const double eta = seconds / static_cast<double>(k - done) * static_cast<double>(o.steps - k);
        if (files) {
            rows << k << "," << images << "," << elapsed_before + seconds;
            for (double v : r.losses) rows << "," << v;
            rows << "\n" << std::flush;
        }
        progress.update(k, rate, eta, r.losses);
        result.last_losses = std::move(r.losses);
        if (files && ((o.checkpoint_every > 0 && k % o.checkpoint_every == 0) || k == o.steps))
            save(k, elapsed_before + seconds);
    }
    progress.finish();
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    result.images_per_second = result.seconds > 0 ? static_cast<double>(images_now) / result.seconds : 0.0;
    return result;
}

}  // namespace latentwalk::torch::training
