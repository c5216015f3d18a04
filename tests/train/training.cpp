// train: the training loop (reproducibility, exact resume, checkpoints), the VAE and GAN trainers
// and the metrics, on the UCI digits.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <torch/torch.h>

#include <latentwalk/torch/training.hpp>

#include "digits.hpp"

namespace lw = latentwalk;
namespace m = latentwalk::torch::models;
namespace tr = latentwalk::torch::training;

namespace {

std::filesystem::path scratch(const std::string& name) {
    auto p = std::filesystem::temp_directory_path() / ("latentwalk_train_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}

at::Tensor train_images() { return tr::to_tensor(lw::test::digits(), {}, 0, lw::test::digits_train); }
at::Tensor heldout_images() { return tr::to_tensor(lw::test::digits(), {}, lw::test::digits_train); }

m::vae small_vae(std::uint64_t seed) {
    tr::manual_seed(seed);
    return m::vae(m::vae_options{.latent_dim = 8, .height = 8, .width = 8, .base_width = 16});
}

tr::train_options quiet(std::int64_t steps, std::uint64_t seed, std::filesystem::path dir = {}) {
    tr::train_options o;
    o.steps = steps;
    o.seed = seed;
    o.threads = 2;
    o.out_dir = std::move(dir);
    o.progress.mode = tr::progress_mode::quiet;
    return o;
}

/// Every parameter and buffer of two modules, bit for bit.
bool identical(const torch::nn::Module& a, const torch::nn::Module& b) {
    auto pa = a.named_parameters(), pb = b.named_parameters();
    auto ba = a.named_buffers(), bb = b.named_buffers();
    if (pa.size() != pb.size() || ba.size() != bb.size()) return false;
    for (const auto& item : pa)
        if (!at::equal(item.value(), pb[item.key()])) return false;
    for (const auto& item : ba)
        if (!at::equal(item.value(), bb[item.key()])) return false;
    return true;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// The CSV without its timing column (seconds differ between runs).
std::string csv_losses(const std::filesystem::path& p) {
    std::istringstream in(read_file(p));
    std::string line, out;
    while (std::getline(in, line)) {
        const auto a = line.find(','), b = line.find(',', a + 1), c = line.find(',', b + 1);
        out += line.substr(0, b) + line.substr(c) + "\n";
    }
    return out;
}

}  // namespace

CATCH_TEST_CASE("train: the digits VAE's held-out ELBO improves by at least 12 nats in 400 steps (seed 7)") {
    auto model = small_vae(7);
    const auto test = heldout_images();
    const auto before = tr::evaluate_vae(model, test, {.iwae_samples = 8, .seed = 1});
    tr::vae_trainer trainer(model, train_images(), {.batch_size = 64});
    const auto r = tr::train(trainer, quiet(400, 7));
    const auto after = tr::evaluate_vae(model, test, {.iwae_samples = 8, .seed = 1});
    std::cout << "train: digits VAE held-out ELBO " << before.elbo << " -> " << after.elbo << " nats (IWAE_8 "
              << after.iwae << "), " << r.images_per_second << " images/s\n";
    CATCH_CHECK(after.elbo > before.elbo + 12.0);
    CATCH_CHECK(after.iwae >= after.elbo);
    CATCH_CHECK(std::isfinite(r.last_losses[0]));
}

CATCH_TEST_CASE("train: a run killed after k steps and resumed to N equals the uninterrupted run bit for bit") {
    constexpr std::int64_t N = 30, k = 13;
    const auto images = train_images();
    const auto dir_a = scratch("uninterrupted"), dir_b = scratch("resumed");

    auto model_a = small_vae(21);
    tr::vae_trainer trainer_a(model_a, images, {.batch_size = 32});
    auto oa = quiet(N, 21, dir_a);
    oa.checkpoint_every = 10;
    tr::train(trainer_a, oa);

    {  // the first k steps, then everything is destroyed (a kill: the last checkpoint is at step 10)
        auto model_b = small_vae(21);
        tr::vae_trainer trainer_b(model_b, images, {.batch_size = 32});
        auto ob = quiet(k, 21, dir_b);
        ob.checkpoint_every = 10;
        ob.on_checkpoint = [&](std::int64_t step) {
            if (step == 10) std::filesystem::copy_file(dir_b / "checkpoint.pt", dir_b / "at10.pt");
        };
        tr::train(trainer_b, ob);
        // Simulate the kill after step 13: the checkpoint on disk is the one of step 10, the CSV has 13 rows.
        std::filesystem::rename(dir_b / "at10.pt", dir_b / "checkpoint.pt");
    }
    auto model_c = small_vae(999);  // a different initialization: the checkpoint must overwrite everything
    tr::vae_trainer trainer_c(model_c, images, {.batch_size = 32});
    auto oc = quiet(N, 21, dir_b);
    oc.checkpoint_every = 10;
    oc.resume = true;
    const auto rc = tr::train(trainer_c, oc);
    CATCH_CHECK(rc.resumed);
    CATCH_CHECK(rc.first_step == 11);
    CATCH_CHECK(identical(*model_a, *model_c));
    CATCH_CHECK(csv_losses(dir_a / "losses.csv") == csv_losses(dir_b / "losses.csv"));

    // Same seed, same threads: the same weights; another seed: other weights (the comparison can fail).
    auto model_d = small_vae(21);
    tr::vae_trainer trainer_d(model_d, images, {.batch_size = 32});
    tr::train(trainer_d, quiet(N, 21));
    CATCH_CHECK(identical(*model_a, *model_d));
    auto model_e = small_vae(21);
    tr::vae_trainer trainer_e(model_e, images, {.batch_size = 32});
    tr::train(trainer_e, quiet(N, 22));
    CATCH_CHECK_FALSE(identical(*model_a, *model_e));
    std::filesystem::remove_all(dir_a);
    std::filesystem::remove_all(dir_b);
}

CATCH_TEST_CASE("train: the GAN trainer resumes exactly, spectral-norm buffers and both optimizers included") {
    const auto images = train_images();
    auto make = [] {
        tr::manual_seed(4);
        return m::gan(m::gan_options{.latent_dim = 8, .height = 8, .width = 8, .base_width = 16});
    };
    const auto dir = scratch("gan");
    auto a = make();
    tr::gan_trainer ta(a, images, {.batch_size = 32});
    const auto ra = tr::train(ta, quiet(12, 5));
    for (double v : ra.last_losses) CATCH_CHECK(std::isfinite(v));
    auto b = make();
    tr::gan_trainer tb(b, images, {.batch_size = 32});
    tr::train(tb, quiet(5, 5, dir));
    auto c = make();
    tr::gan_trainer tc(c, images, {.batch_size = 32});
    auto oc = quiet(12, 5, dir);
    oc.resume = true;
    tr::train(tc, oc);
    CATCH_CHECK(identical(*a, *c));
    std::filesystem::remove_all(dir);
}

CATCH_TEST_CASE("train: IWAE is at least the ELBO and rises with k; with k = 1 it estimates the ELBO without bias") {
    auto model = small_vae(8);
    tr::vae_trainer trainer(model, train_images(), {.batch_size = 64});
    tr::train(trainer, quiet(150, 8));
    const auto test = heldout_images();
    // k = 1: same expectation as the closed-KL ELBO; the two estimators differ image by image.
    double diff = 0, var = 0;
    constexpr int repeats = 8;
    std::vector<double> diffs;
    for (int s = 0; s < repeats; ++s) {
        const auto a = tr::evaluate_vae(model, test, {.iwae_samples = 1, .seed = static_cast<std::uint64_t>(100 + s)});
        diffs.push_back(a.iwae - a.elbo);
        diff += a.iwae - a.elbo;
        var += a.iwae_stderr * a.iwae_stderr + a.elbo_stderr * a.elbo_stderr;
    }
    diff /= repeats;
    const double se = std::sqrt(var) / repeats;  // standard error of the mean difference (conservative)
    CATCH_CAPTURE(diff, se);
    CATCH_CHECK(std::abs(diff) <= 4 * se);
    const auto k1 = tr::evaluate_vae(model, test, {.iwae_samples = 1, .seed = 3});
    const auto k8 = tr::evaluate_vae(model, test, {.iwae_samples = 8, .seed = 3});
    const auto k64 = tr::evaluate_vae(model, test, {.iwae_samples = 64, .seed = 3});
    CATCH_CAPTURE(k1.iwae, k8.iwae, k64.iwae, k64.elbo);
    CATCH_CHECK(k8.iwae > k1.iwae);
    CATCH_CHECK(k64.iwae > k8.iwae);
    CATCH_CHECK(k64.iwae > k64.elbo + 4 * k64.elbo_stderr / 4);
    CATCH_CHECK_THROWS_AS(model->iwae(test.narrow(0, 0, 2), 0, *std::make_unique<at::Generator>(
                                                                     at::make_generator<at::CPUGeneratorImpl>(1))),
                          lw::invalid_argument_error);
}

CATCH_TEST_CASE("train: a missing, truncated, corrupt or foreign checkpoint raises model_loading_error") {
    const auto dir = scratch("corrupt");
    CATCH_CHECK_THROWS_AS(tr::open_checkpoint(dir / "nothing.pt"), lw::model_loading_error);
    auto model = small_vae(1);
    tr::vae_trainer trainer(model, train_images(), {.batch_size = 32});
    tr::train(trainer, quiet(3, 1, dir));
    const auto good = read_file(dir / "checkpoint.pt");
    CATCH_REQUIRE(good.size() > 1000);
    auto write = [&](const std::string& bytes) {
        std::ofstream(dir / "checkpoint.pt", std::ios::binary | std::ios::trunc) << bytes;
    };
    auto resume = [&] {
        auto mm = small_vae(1);
        tr::vae_trainer t(mm, train_images(), {.batch_size = 32});
        auto o = quiet(6, 1, dir);
        o.resume = true;
        tr::train(t, o);
    };
    write(good.substr(0, good.size() / 2));  // truncated by a crash of another tool
    CATCH_CHECK_THROWS_AS(resume(), lw::model_loading_error);
    write("this is not a checkpoint");
    CATCH_CHECK_THROWS_AS(resume(), lw::model_loading_error);
    try {
        resume();
    } catch (const lw::model_loading_error& e) {
        CATCH_CHECK(std::string(e.what()).find("checkpoint.pt") != std::string::npos);
    }
    // A GAN checkpoint offered to the VAE trainer: refused with a sentence, not half loaded.
    write(good);
    {
        tr::manual_seed(2);
        m::gan net(m::gan_options{.latent_dim = 8, .height = 8, .width = 8, .base_width = 16});
        tr::gan_trainer t(net, train_images(), {.batch_size = 32});
        auto o = quiet(6, 1, dir);
        o.resume = true;
        CATCH_CHECK_THROWS_AS(tr::train(t, o), lw::model_loading_error);
    }
    // The intact file resumes.
    CATCH_CHECK_NOTHROW(resume());
    std::filesystem::remove_all(dir);
}

CATCH_TEST_CASE("train: sample quality scores real held-out digits as real and noise as off the data") {
    const auto train = train_images(), test = heldout_images();
    const auto half = test.size(0) / 2;
    const auto real = tr::sample_quality(train, test.narrow(0, 0, half), test.narrow(0, half, half));
    CATCH_CAPTURE(real.precision, real.recall, real.fidelity_ratio);
    CATCH_CHECK(real.precision > 0.7);
    CATCH_CHECK(real.recall > 0.7);
    CATCH_CHECK(real.fidelity_ratio == Approx(1.0).margin(0.1));
    torch::manual_seed(3);
    const auto noise = tr::sample_quality(train, test, at::rand_like(test));
    CATCH_CAPTURE(noise.precision, noise.fidelity_ratio);
    CATCH_CHECK(noise.precision < 0.05);
    CATCH_CHECK(noise.fidelity_ratio > 2.0);
    const auto copies = tr::sample_quality(train, test, train.narrow(0, 0, 300));
    CATCH_CHECK(copies.fidelity_ratio < 0.01);
}

CATCH_TEST_CASE("train: image sets become [N, C, H, W] tensors of the set's values") {
    const auto& d = lw::test::digits();
    const auto x = tr::to_tensor(d, {.dtype = at::kDouble}, 5, 3);
    CATCH_CHECK(x.sizes() == at::IntArrayRef({3, 1, 8, 8}));
    CATCH_CHECK(x.scalar_type() == at::kDouble);
    CATCH_CHECK(x[1][0][2][3].item<double>() == Approx(d.pixel(6, 0, 2, 3)).epsilon(1e-7));
    CATCH_CHECK(tr::labels_tensor(d, at::kCPU, 0, 4)[1].item<std::int64_t>() == d.labels[1]);
    CATCH_CHECK_THROWS_AS(tr::to_tensor(d, {}, 1790, 20), lw::invalid_argument_error);
    lw::data::image_set empty;
    CATCH_CHECK_THROWS_AS(tr::to_tensor(empty), lw::invalid_argument_error);
}
