// examples/train_generator — trains a VAE or a GAN on real image data with latentwalk's LibTorch
// training loop, in one command, and writes everything a later step needs.
//
//     train_generator --data digits --model vae --steps 3000 --seed 7 --out runs/digits-vae
//     train_generator --data fashion-mnist --model gan --steps 3000 --seed 1 --out runs/fm-gan --threads 1
//     train_generator ... --resume            # after a kill: continues from DIR/checkpoint.pt, bit for bit
//
// Data (latentwalk::data): fashion-mnist (Debian dataset-fashion-mnist; the 60 000 training images,
// held out: the test split), digits (python3-sklearn; images 0..1499 train, 1500..1796 are held out),
// sprites (rendered here: factors drawn uniformly from the dSprites ranges — shape, scale in [0.5, 1],
// orientation in [0, 2π), x, y in [0, 1] — with --seed; a second, independent draw is held out).
// Models (latentwalk::torch::models): vae (Bernoulli likelihood, Adam 1e-3) or gan (SNGAN-style, hinge
// loss, Adam 2e-4, β₁ 0.5); the decoder/generator is the conv_decoder of the image size.
//
// Files in DIR:
//   checkpoint.pt          the whole training state (atomic; --resume continues from it)
//   losses.csv             step, images, seconds, then the trainer's losses (one row per step)
//   generator.pt           the decoder/generator as TorchScript: torchscript_generator<double>(path, latent_dim)
//                          loads it (methods forward, logits, partial_1 … partial_L)
//   samples.png            8 × 8 images from z ~ N(0, I) (a fixed draw: seed 12345)
//   reconstructions.png    VAE: held-out images (odd rows) above their reconstructions (decoder at μ(x));
//   nearest.png            GAN (no encoder): each sample above its nearest training image (pixel distance),
//                          the memorization check the fidelity ratio summarizes
//   interpolation.png      8 rows of 10 images along straight lines in latent space (VAE: between the μ of
//                          two held-out images; GAN: between two draws of z)
//   summary.txt            "key value" lines: data, model, sizes, seed, threads, wall time, images/s and the
//                          held-out metrics: VAE ELBO and IWAE_k (nats per image, ± standard error); for both
//                          models the pixel 5-NN precision, recall and fidelity ratio (training/metrics.hpp's
//                          sample_quality) of h samples against half A of the held-out set, next to the same
//                          numbers for its half B of real images (the reference), h = half the held-out count
//                          (at most 1000); the training set for the fidelity ratio: its first 10 000 images
// Exit status: 0 done; 1 an error (its sentence on stderr); 2 a bad command line (CLI11's message).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/torch.h>

#include <latentwalk/data/digits.hpp>
#include <latentwalk/data/fashion_mnist.hpp>
#include <latentwalk/data/sprite_factor_reader.hpp>
#include <latentwalk/data/sprites.hpp>
#include <latentwalk/torch/training.hpp>

#include "plot/image_grid.hpp"

namespace lw = latentwalk;
namespace ld = latentwalk::data;
namespace m = latentwalk::torch::models;
namespace tr = latentwalk::torch::training;

namespace {

struct settings {
    std::string data, model;
    std::int64_t steps = 2000;
    std::uint64_t seed = 1;
    std::filesystem::path out;
    int threads = 1;
    std::int64_t batch = 64;
    bool resume = false;
    std::int64_t checkpoint_every = 500;
    std::int64_t latent_dim = 0;   // 0: per data set
    std::int64_t width = 0;        // base width, 0: per data set
    std::int64_t iwae_k = 64;
    std::size_t train_count = 0;   // 0: all (sprites: 20 000)
    std::size_t eval_count = 2000; // held-out images evaluated (digits: all 297)
    std::size_t sprite_size = 32;
    std::int64_t progress_every = 100;
};

struct data_split {
    at::Tensor train, heldout;
    std::string description;
};

std::vector<ld::sprite_factors> random_sprite_factors(std::size_t n, std::uint64_t seed) {
    return ld::uniform_sprite_factors(n, seed);  // data/sprite_factor_reader.hpp: the draws compare_methods reads
}

data_split load(const settings& s) {
    data_split d;
    if (s.data == "digits") {
        const auto all = ld::load_digits();
        const std::size_t n_train = s.train_count > 0 ? std::min<std::size_t>(s.train_count, 1500) : 1500;
        d.train = tr::to_tensor(all, {}, 0, n_train);
        d.heldout = tr::to_tensor(all, {}, 1500, std::min<std::size_t>(s.eval_count, all.count - 1500));
        d.description = "UCI digits (python3-sklearn), 8x8";
    } else if (s.data == "fashion-mnist") {
        const auto train = ld::load_fashion_mnist(ld::fashion_mnist_split::train,
                                                  s.train_count > 0 ? s.train_count : ld::detail::no_limit);
        const auto test = ld::load_fashion_mnist(ld::fashion_mnist_split::test, s.eval_count);
        d.train = tr::to_tensor(train);
        d.heldout = tr::to_tensor(test);
        d.description = "Fashion-MNIST (dataset-fashion-mnist), 28x28";
    } else {
        const ld::sprite_options o{.resolution = s.sprite_size};
        const std::size_t n = s.train_count > 0 ? s.train_count : 20000;
        const auto train_f = random_sprite_factors(n, s.seed);
        const auto test_f = random_sprite_factors(s.eval_count, s.seed + 0x9e3779b97f4a7c15ULL);
        d.train = tr::to_tensor(ld::render_sprites(train_f, o));
        d.heldout = tr::to_tensor(ld::render_sprites(test_f, o));
        d.description = "procedural sprites (uniform factors), " + std::to_string(s.sprite_size) + "x" +
                        std::to_string(s.sprite_size);
    }
    return d;
}

/// A rows × cols grid of images [N, C, H, W] (row-major order), written to path.
void write_grid(const at::Tensor& images, std::size_t rows, std::size_t cols, const std::string& title,
                const std::filesystem::path& path, std::vector<std::string> row_labels = {}) {
    const auto C = static_cast<std::size_t>(images.size(1)), H = static_cast<std::size_t>(images.size(2)),
               W = static_cast<std::size_t>(images.size(3));
    plot::image_grid grid(rows, cols, H, W, C);
    grid.scale = H <= 8 ? 6 : (H <= 32 ? 3 : 2);
    grid.title = title;
    grid.row_labels = std::move(row_labels);
    for (std::size_t i = 0; i < rows * cols && i < static_cast<std::size_t>(images.size(0)); ++i)
        grid.set(i / cols, i % cols, tr::to_pixels(images[static_cast<std::int64_t>(i)]));
    grid.write(path.string());
}

/// Rows of 10 images of `a`, each followed by the row of the matching images of `b` (at most 4 pairs).
void write_paired_rows(const at::Tensor& a, const at::Tensor& b, const std::string& label_a, const std::string& label_b,
                       const std::string& title, const std::filesystem::path& path) {
    std::vector<at::Tensor> rows;
    std::vector<std::string> labels;
    for (std::int64_t r0 = 0; r0 + 10 <= a.size(0) && rows.size() < 8; r0 += 10) {
        rows.push_back(a.narrow(0, r0, 10));
        rows.push_back(b.narrow(0, r0, 10));
        labels.insert(labels.end(), {label_a, label_b});
    }
    write_grid(at::cat(rows), rows.size(), 10, title, path, labels);
}

/// 8 × 10 images along straight lines from a[r] to b[r].
at::Tensor interpolate(const at::Tensor& a, const at::Tensor& b, const std::function<at::Tensor(const at::Tensor&)>& decode) {
    const auto t = at::linspace(0, 1, 10, a.options()).reshape({1, 10, 1});
    const auto z = a.unsqueeze(1) * (1 - t) + b.unsqueeze(1) * t;  // [8, 10, n]
    return decode(z.reshape({-1, a.size(1)}));
}

std::string fixed(double v, int digits = 2) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(digits) << v;
    return o.str();
}

/// Total training seconds and images from the last row of losses.csv (they include a resumed run's earlier part).
std::pair<double, std::int64_t> totals(const std::filesystem::path& csv) {
    std::ifstream in(csv);
    std::string line, last;
    while (std::getline(in, line))
        if (!line.empty()) last = line;
    std::istringstream row(last);
    std::string step, images, seconds;
    std::getline(row, step, ',');
    std::getline(row, images, ',');
    std::getline(row, seconds, ',');
    try {
        return {std::stod(seconds), std::stoll(images)};
    } catch (const std::exception&) {
        return {0.0, 0};
    }
}

int run(const settings& s) {
    const auto t_start = std::chrono::steady_clock::now();
    at::set_num_threads(s.threads);
    const data_split d = load(s);
    const auto geom_c = d.train.size(1), geom_h = d.train.size(2), geom_w = d.train.size(3);
    const std::int64_t n = s.latent_dim > 0 ? s.latent_dim : (s.data == "digits" ? 8 : (s.data == "sprites" ? 10 : 16));
    const std::int64_t width = s.width > 0 ? s.width : (s.data == "digits" ? 16 : 32);
    std::cout << "train_generator: " << s.model << " on " << d.description << ": " << d.train.size(0)
              << " training images, " << d.heldout.size(0) << " held out; latent " << n << ", base width " << width
              << ", batch " << s.batch << ", " << s.steps << " steps, seed " << s.seed << ", " << s.threads
              << " thread(s) -> " << s.out.string() << "\n";

    tr::train_options o;
    o.steps = s.steps;
    o.seed = s.seed;
    o.threads = s.threads;
    o.out_dir = s.out;
    o.checkpoint_every = s.checkpoint_every;
    o.resume = s.resume;
    o.progress.every = s.progress_every;

    tr::manual_seed(s.seed);  // module initialization draws from torch's global generator
    std::ofstream summary;
    auto open_summary = [&] {
        summary.open(s.out / "summary.txt", std::ios::trunc);
        if (!summary) throw lw::model_loading_error("train_generator: the file '" + (s.out / "summary.txt").string() +
                                                    "' could not be written.");
        summary << "data " << s.data << "\nmodel " << s.model << "\nimage " << geom_c << "x" << geom_h << "x" << geom_w
                << "\ntrain_images " << d.train.size(0) << "\nheldout_images " << d.heldout.size(0) << "\nlatent_dim " << n
                << "\nbase_width " << width << "\nbatch " << s.batch << "\nsteps " << s.steps << "\nseed " << s.seed
                << "\nthreads " << s.threads << "\n";
    };

    at::Generator fixed_draw = at::make_generator<at::CPUGeneratorImpl>(12345);
    const auto z_samples = at::randn({1000, n}, fixed_draw);
    const auto z_a = at::randn({8, n}, fixed_draw), z_b = at::randn({8, n}, fixed_draw);
    std::function<at::Tensor(const at::Tensor&)> decode;
    tr::train_result r;
    auto record_training = [&] {
        const auto [seconds, images] = totals(s.out / "losses.csv");
        summary << "train_seconds " << fixed(seconds, 1) << "\ntrain_images_seen " << images << "\nimages_per_second "
                << fixed(seconds > 0 ? static_cast<double>(images) / seconds : 0.0, 1) << "\n";
        std::cout << "train_generator: trained in " << fixed(seconds, 1) << " s (" << fixed(r.images_per_second, 0)
                  << " images/s this call)\n";
    };
    auto quality = [&](const at::Tensor& samples) {
        // Equal set sizes (the k-NN radii depend on them): samples and held-out half B, each against half A.
        const auto half = std::min<std::int64_t>(d.heldout.size(0) / 2, samples.size(0));
        const auto a = d.heldout.narrow(0, 0, half), b = d.heldout.narrow(0, half, half);
        const auto train_ref = d.train.narrow(0, 0, std::min<std::int64_t>(d.train.size(0), 10000));
        const auto q = tr::sample_quality(train_ref, a, samples.narrow(0, 0, half));
        const auto ref = tr::sample_quality(train_ref, a, b);
        summary << "samples_precision " << fixed(q.precision, 3) << "\nsamples_recall " << fixed(q.recall, 3)
                << "\nsamples_fidelity_ratio " << fixed(q.fidelity_ratio, 3) << "\nreal_precision " << fixed(ref.precision, 3)
                << "\nreal_recall " << fixed(ref.recall, 3) << "\nreal_fidelity_ratio " << fixed(ref.fidelity_ratio, 3) << "\n";
        std::cout << "train_generator: samples vs held-out (pixel 5-NN): precision " << fixed(q.precision, 3) << ", recall "
                  << fixed(q.recall, 3) << ", fidelity ratio " << fixed(q.fidelity_ratio, 3) << "   (held-out real halves: "
                  << fixed(ref.precision, 3) << ", " << fixed(ref.recall, 3) << ", " << fixed(ref.fidelity_ratio, 3) << ")\n";
    };

    // Train (or resume), record the wall time, and write the decoder/generator as TorchScript.
    auto train_and_export = [&](auto& trainer, auto& net, const m::conv_decoder& generator) {
        r = tr::train(trainer, o);
        open_summary();
        record_training();
        net->eval();
        generator->export_torchscript((s.out / "generator.pt").string());
    };

    if (s.model == "vae") {
        m::vae model(m::vae_options{.latent_dim = n, .channels = geom_c, .height = geom_h, .width = geom_w, .base_width = width});
        tr::vae_trainer trainer(model, d.train, {.batch_size = s.batch});
        train_and_export(trainer, model, model->decoder());
        at::NoGradGuard no_grad;
        const auto scores = tr::evaluate_vae(model, d.heldout, {.iwae_samples = s.iwae_k, .seed = 1});
        summary << "heldout_elbo " << fixed(scores.elbo, 3) << "\nheldout_elbo_stderr " << fixed(scores.elbo_stderr, 3)
                << "\nheldout_iwae " << fixed(scores.iwae, 3) << "\nheldout_iwae_stderr " << fixed(scores.iwae_stderr, 3)
                << "\niwae_k " << scores.k << "\n";
        std::cout << "train_generator: held-out ELBO " << fixed(scores.elbo) << " ± " << fixed(scores.elbo_stderr)
                  << " nats, IWAE_" << scores.k << " " << fixed(scores.iwae) << " ± " << fixed(scores.iwae_stderr)
                  << " nats per image (" << scores.images << " images)\n";
        auto dec = model->decoder();
        decode = [dec, geom_c, geom_h, geom_w](const at::Tensor& z) mutable {
            return dec->forward(z).reshape({-1, geom_c, geom_h, geom_w});
        };
        quality(decode(z_samples));
        // Reconstructions: 4 rows of held-out images, each followed by its reconstruction at μ(x).
        const auto x = d.heldout.narrow(0, 0, std::min<std::int64_t>(40, d.heldout.size(0)));
        const auto mu = model->encode(x).first;
        const auto rec = decode(mu);
        write_paired_rows(x, rec, "data", "recon", s.data + " VAE: held-out images and reconstructions",
                          s.out / "reconstructions.png");
        const auto mus = model->encode(d.heldout.narrow(0, 0, std::min<std::int64_t>(16, d.heldout.size(0)))).first;
        if (mus.size(0) == 16)
            write_grid(interpolate(mus.narrow(0, 0, 8), mus.narrow(0, 8, 8), decode), 8, 10,
                       s.data + " VAE: straight lines between the codes of two held-out images", s.out / "interpolation.png");
    } else {
        m::gan net(m::gan_options{.latent_dim = n, .channels = geom_c, .height = geom_h, .width = geom_w, .base_width = width});
        tr::gan_trainer trainer(net, d.train, {.batch_size = s.batch});
        train_and_export(trainer, net, net->generator());
        at::NoGradGuard no_grad;
        decode = [net](const at::Tensor& z) mutable { return net->generate_images(z); };
        const auto samples = decode(z_samples);
        quality(samples);
        // Each sample above its nearest training image.
        const auto first = samples.narrow(0, 0, 40);
        const auto flat_train = d.train.reshape({d.train.size(0), -1});
        const auto nearest = std::get<1>(at::cdist(first.reshape({40, -1}), flat_train).min(1));
        const auto neighbours = d.train.index_select(0, nearest);
        write_paired_rows(first, neighbours, "sample", "nearest", s.data + " GAN: samples and their nearest training images",
                          s.out / "nearest.png");
        write_grid(interpolate(z_a, z_b, decode), 8, 10, s.data + " GAN: straight lines between two draws of z",
                   s.out / "interpolation.png");
    }
    at::NoGradGuard no_grad;
    write_grid(decode(z_samples.narrow(0, 0, 64)), 8, 8, s.data + " " + s.model + ": samples, z ~ N(0, I)",
               s.out / "samples.png");
    const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
    summary << "command_seconds " << fixed(total, 1) << "\n";
    std::cout << "train_generator: wrote " << (s.out / "generator.pt").string() << ", summary.txt and the PNG grids ("
              << fixed(total, 1) << " s in all)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"Trains a VAE or GAN generator on real image data with latentwalk's LibTorch training loop."};
    app.add_option("--data", s.data, "fashion-mnist | digits | sprites")
        ->required()
        ->check(CLI::IsMember({"fashion-mnist", "digits", "sprites"}));
    app.add_option("--model", s.model, "vae | gan")->required()->check(CLI::IsMember({"vae", "gan"}));
    app.add_option("--steps", s.steps, "optimization steps (the last step when resuming)")->check(CLI::PositiveNumber);
    app.add_option("--seed", s.seed, "seed of the initialization, the data order and the noise");
    app.add_option("--out", s.out, "output folder (created)")->required();
    app.add_option("--threads", s.threads, "LibTorch threads (results are reproducible per thread count)")
        ->check(CLI::Range(1, 256));
    app.add_option("--batch", s.batch, "mini-batch size")->check(CLI::PositiveNumber);
    app.add_flag("--resume", s.resume, "continue from OUT/checkpoint.pt when it exists");
    app.add_option("--checkpoint-every", s.checkpoint_every, "steps between checkpoints (0: only at the end)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--latent-dim", s.latent_dim, "latent dimension (default: digits 8, fashion-mnist 16, sprites 10)")
        ->check(CLI::PositiveNumber);
    app.add_option("--width", s.width, "channels at the finest level (default: digits 16, others 32)")
        ->check(CLI::PositiveNumber);
    app.add_option("--iwae-k", s.iwae_k, "samples of the held-out IWAE bound (VAE)")->check(CLI::PositiveNumber);
    app.add_option("--train-count", s.train_count, "training images (default: all; sprites 20000)");
    app.add_option("--eval-count", s.eval_count, "held-out images evaluated (default 2000; digits has 297)")
        ->check(CLI::Range(12, 10000));
    app.add_option("--sprite-size", s.sprite_size, "sprite side in pixels")->check(CLI::IsMember({32, 64}));
    app.add_option("--progress-every", s.progress_every, "steps between progress lines when not on a terminal")
        ->check(CLI::PositiveNumber);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;  // --help: 0; a bad command line: CLI11's message, status 2
    }
    try {
        return run(s);
    } catch (const std::exception& e) {
        std::cerr << "train_generator: " << e.what() << "\n";
        return 1;
    }
}
