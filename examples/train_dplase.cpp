// examples/train_dplase — DP-LaSE (ACM MM 2021) end to end, from one command:
//
//   train_dplase --prior mixture --out dplase-run                # fixed-seed random decoder as the generator
//   train_dplase --generator torchscript --model mapping.pt --method features --latent-dim 8 --prior gaussian
//   train_dplase --schedule sequential ...                       # F, then C, then Γ (latentwalk's schedule)
//
// 1. The prior p and 20 000 samples of it (gaussian: N(0, I); mixture: 0.3 N(−1.2, 0.5²) + 0.7 N(1, 0.7²) per
//    coordinate; truncated: N(0, 1) truncated to [−τ, τ]).
// 2. --schedule joint (the default; the paper's eq. 11): the CDF network F, the correction module C and the
//    directions Γ on G₁ (the random decoder's hidden layer, or a TorchScript method/submodule) trained together under
//    l_mon + l_lik + l_den + l_var + ζ l_reg (dplase::joint_trainer), one Adam with a learning rate per module, for
//    --steps steps and a fifth more at a tenth of the rates; for every prior, the Gaussian too.
//    --schedule sequential (latentwalk's): for non-Gaussian priors (or with --learn-density) F by l_lik + l_mon
//    (eqs. 3–5), then C by l_den (eq. 7) against F's log-density on random unit directions, then Γ by l_var + ζ l_reg
//    (eqs. 8–10) along the frozen walk (eq. 2 for the Gaussian without F and C, z₀ + εγ + C otherwise).
//    Either way F is scored against the exact CDF (max CDF error, KS distance of held-out samples) next to the
//    EM-fitted monotone_cdf_model.
// 3. The Eigen replay: walks along the learned directions from held-out z₀, scored by the TRUE prior: linear
//    (eq. 1), DP (closed form, eq. 2), corrected by the learned C (eq. 6), and projected onto the level set by
//    root finding along the score (project_to_level_set); log-density drift and cost per step.
// Every stage runs through the project's training loop (progress line, losses.csv, atomic checkpoints in
// out/<stage>/); --resume continues a killed run. Files: directions.csv (d × K, sorted by variation),
// directions_table.csv, decorrelation.csv, walk_drift.csv, cdf.csv (when F is learned), summary.txt.
// 4. With --image-height H (a TorchScript generator whose --image-method draws C × H × W images): walk_grid.png,
//    every learned direction walked density-preservingly on both sides of a held-out z0 (t = −grid-steps … grid-steps),
//    and walk_compare.png, the top three directions walked linearly, with the learned C and density-preservingly
//    (t = 0 … 2·grid-steps). --parameterization matrix-exponential makes Γ exactly orthogonal without the rest of
//    --code-variant (the released scripts' direction training, which learns Γ alone: sequential only).
#include <CLI/CLI.hpp>
#include <torch/script.h>
#include <torch/torch.h>

#include <latentwalk/eigen.hpp>
#include <latentwalk/density/cdf_distance.hpp>
#include <latentwalk/density/corrected_walk.hpp>
#include <latentwalk/density/iid_gaussian_mixture.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/detail/zip_archive.hpp>
#include <latentwalk/torch/dplase.hpp>
#include <latentwalk/torch/training/train_loop.hpp>
#if defined(LATENTWALK_HAVE_PLOT)
#include "plot/traversal_grid.hpp"
#endif

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace lw = latentwalk;
namespace dp = latentwalk::torch::dplase;
namespace tr = latentwalk::torch::training;
using B = lw::eigen::backend<double>;

namespace {

struct settings {
    std::string generator = "random", model, method = "forward", submodule, prior = "mixture";
    std::int64_t latent_dim = 32, hidden = 256, directions = 6, samples = 20000;
    double tau = 2.0, eps = 1.0, lambda = 1.0, zeta = 10.0, lr = 0.01;
    std::int64_t steps = 2000, cdf_steps = 2000, correction_steps = 3000, batch = 64;
    double correction_max_step = 3.0;
    std::int64_t walk_steps = 10, walk_starts = 64;
    double walk_eps = 0.3;
    bool code_variant = false, gram_schmidt = false, resume = false;
    bool learn_density = false;               ///< sequential: train F and C for the Gaussian prior too
    std::string schedule = "joint";           ///< joint (eq. 11, the paper's) or sequential (F, then C, then Γ)
    double cdf_lr = 0.02, correction_lr = 3e-3;
    bool detach_correction = false;           ///< joint: C's weights detached in l_var (C learns from l_den only)
    bool detach_cdf = false;                  ///< joint: F's weights detached in l_den (F learns from l_mon + l_lik only)
    double joint_density_max_step = 0.0;      ///< joint: > 0 puts l_den on separate walks with |t| ≤ this
    std::string parameterization = "unit-columns";
    std::string image_method = "forward";     ///< the TorchScript method that draws the images of the grids
    std::int64_t image_height = 0, image_width = 0, image_channels = 1;
    std::int64_t grid_steps = 4;
    double grid_step = 1.0;
    std::uint64_t seed = 7;
    std::string out = "train_dplase-run";
};

/// Any of the three priors, with sampling and the per-coordinate CDF (for the CDF errors).
struct prior {
    std::string name;
    std::optional<lw::standard_gaussian<B>> gauss;
    std::optional<lw::iid_gaussian_mixture<B>> mix;
    std::optional<lw::truncated_normal<B>> trunc;
    double tau = 0;

    Eigen::VectorXd sample(std::mt19937_64& rng, long d) const {
        const Eigen::VectorXd like = Eigen::VectorXd::Zero(d);
        if (gauss) return gauss->sample(rng, like);
        if (mix) return mix->sample(rng, like);
        return trunc->sample(rng, like);
    }
    double log_density(const Eigen::VectorXd& z) const {
        if (gauss) return gauss->log_density(z);
        if (mix) return mix->log_density(z);
        return trunc->log_density(z);
    }
    double coordinate_cdf(double x) const {
        if (gauss) return lw::standard_normal_cdf(x);
        if (mix) return mix->coordinate_cdf(x);
        return lw::truncated_normal_coordinate_cdf(tau, x);
    }
    /// The tensor log-density [N, d] → [N] (autograd), for training C against the truth (unused by default).
    template <class F>
    auto visit(F&& f) const {
        if (gauss) return f(*gauss);
        if (mix) return f(*mix);
        return f(*trunc);
    }
};

/// Adapts a loss function over a module to the training loop (Adam, checkpointed with the module).
template <class M>
struct loop_trainer {
    std::shared_ptr<M> module;
    std::vector<std::string> names;
    std::function<std::vector<at::Tensor>(std::int64_t)> losses;  ///< losses[0] is minimised
    std::int64_t batch = 0;
    std::unique_ptr<::torch::optim::Adam> adam;
    std::function<void()> after_step;  ///< e.g. the StyleGAN2 script's Gram–Schmidt

    loop_trainer(std::shared_ptr<M> m, std::vector<std::string> n, std::function<std::vector<at::Tensor>(std::int64_t)> l,
                 std::int64_t b, double lr)
        : module(std::move(m)), names(std::move(n)), losses(std::move(l)), batch(b),
          adam(std::make_unique<::torch::optim::Adam>(module->parameters(), ::torch::optim::AdamOptions(lr))) {}

    std::vector<std::string> loss_names() const { return names; }
    tr::step_result step(tr::step_context& ctx) {
        adam->zero_grad();
        auto ls = losses(ctx.step);
        ls[0].backward();
        adam->step();
        if (after_step) after_step();
        tr::step_result r;
        for (auto& l : ls) r.losses.push_back(l.item<double>());
        r.images = batch;
        return r;
    }
    void save(tr::output_archive& out) const {
        tr::write_module(out, "module", module);
        tr::write_optimizer(out, "adam", *adam);
    }
    void load(tr::input_archive& in) {
        tr::read_module(in, "module", module);
        tr::read_optimizer(in, "adam", *adam);
    }
};

/// The joint objective (eq. 11) in the training loop: one Adam with a learning rate per module (F, C, Γ),
/// checkpointed with the three modules.
struct joint_loop_trainer {
    const dp::joint_trainer& trainer;
    std::unique_ptr<::torch::optim::Adam> adam;
    std::int64_t batch = 0;
    std::function<void()> after_step;

    joint_loop_trainer(const dp::joint_trainer& t, std::vector<double> rates, std::int64_t b) : trainer(t), batch(b) {
        std::vector<::torch::optim::OptimizerParamGroup> groups;
        const auto pg = t.parameter_groups();
        for (std::size_t g = 0; g < pg.size(); ++g)
            groups.emplace_back(pg[g], std::make_unique<::torch::optim::AdamOptions>(rates[g]));
        adam = std::make_unique<::torch::optim::Adam>(std::move(groups), ::torch::optim::AdamOptions(rates[0]));
    }
    std::vector<std::string> loss_names() const {
        return {"eq11_total", "l_mon", "l_lik", "l_den", "l_var", "variation", "decorrelation", "l_reg"};
    }
    tr::step_result step(tr::step_context& ctx) {
        adam->zero_grad();
        auto l = trainer.loss(ctx.step);
        l.total.backward();
        adam->step();
        if (after_step) after_step();
        tr::step_result r;
        for (const auto& t : {l.total, l.monotonicity, l.likelihood, l.density, l.variation_loss, l.variation, l.decorrelation,
                              l.orthogonality})
            r.losses.push_back(t.item<double>());
        r.images = batch;
        return r;
    }
    void save(tr::output_archive& out) const {
        tr::write_module(out, "F", trainer.cdf());
        tr::write_module(out, "C", trainer.correction());
        tr::write_module(out, "Gamma", trainer.directions());
        tr::write_optimizer(out, "adam", *adam);
    }
    void load(tr::input_archive& in) {
        auto F = trainer.cdf();
        auto C = trainer.correction();
        auto G = trainer.directions();
        tr::read_module(in, "F", F);
        tr::read_module(in, "C", C);
        tr::read_module(in, "Gamma", G);
        tr::read_optimizer(in, "adam", *adam);
    }
};

template <class M>
void run_stage(M& t, const settings& s, const std::string& stage, std::int64_t steps) {
    tr::train_options o;
    o.steps = steps;
    o.seed = s.seed;
    o.out_dir = std::filesystem::path(s.out) / stage;
    o.checkpoint_every = std::max<std::int64_t>(1, steps / 4);
    o.resume = s.resume;
    o.progress.mode = tr::progress_mode::lines;
    o.progress.every = std::max<std::int64_t>(1, steps / 5);
    std::cout << "== " << stage << " (" << steps << " Adam steps)\n";
    const auto r = tr::train(t, o);
    std::printf("   %s: %.1f s%s\n", stage.c_str(), r.seconds, r.resumed ? " (resumed)" : "");
}

at::Tensor to_tensor(const std::vector<Eigen::VectorXd>& rows) {
    auto t = at::empty({static_cast<long>(rows.size()), rows[0].size()}, at::kDouble);
    auto a = t.accessor<double, 2>();
    for (std::size_t j = 0; j < rows.size(); ++j)
        for (Eigen::Index i = 0; i < rows[j].size(); ++i) a[static_cast<long>(j)][i] = rows[j][i];
    return t;
}

Eigen::VectorXd to_eigen(const at::Tensor& t) {
    const auto c = t.detach().to(at::kDouble).contiguous().reshape({-1});
    return Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.numel());
}

struct drift_row {
    std::string method;
    std::vector<double> sum, max;  // per step j
    std::vector<long> count;
    long failures = 0;
    long outside = 0;  // walks with a point outside the prior's support (log p = −∞), left out of the drift
    double seconds = 0;
    long steps_taken = 0;
};

#if defined(LATENTWALK_HAVE_PLOT)
using TB = lw::torch::backend<double>;

lw::torch::torchscript_options image_options(const settings& s) {
    lw::torch::torchscript_options o;
    o.method = s.image_method;
    return o;
}

/// Eigen walk points as a torch trajectory, for plot::traversal_grid on the TorchScript image method.
lw::trajectory<TB> as_trajectory(const std::vector<Eigen::VectorXd>& pts, const std::vector<double>& times) {
    lw::trajectory<TB> path;
    for (const auto& z : pts)
        path.points.emplace_back(at::tensor(c10::ArrayRef<double>(z.data(), static_cast<std::size_t>(z.size())), at::kDouble));
    path.times = times;
    return path;
}

/// The two PNG walk grids along the learned directions from one held-out z0 (see the header comment).
/// `walk(z0, γ, steps, ε)` is the density-preserving walk (eq. 2 or the projection), `corrected` the walk with the
/// learned C (empty without one); the returned lines go into summary.txt.
std::string write_walk_grids(const settings& s, const std::vector<Eigen::VectorXd>& dirs, const std::vector<double>& variation,
                             const Eigen::VectorXd& z0,
                             const std::function<lw::density_walk<B>(const Eigen::VectorXd&, long)>& walk,
                             const std::function<lw::density_walk<B>(const Eigen::VectorXd&, long)>& corrected,
                             const std::function<double(const Eigen::VectorXd&)>& log_p, const std::string& walk_name) {
    const lw::torch::torchscript_generator<double> images(s.model, s.latent_dim, image_options(s));
    plot::traversal_grid_options o{.height = static_cast<std::size_t>(s.image_height),
                                   .width = static_cast<std::size_t>(s.image_width > 0 ? s.image_width : s.image_height),
                                   .channels = static_cast<std::size_t>(s.image_channels)};
    o.scale = 3;
    std::ostringstream notes;
    const double c0 = log_p(z0);
    auto drift = [&](const std::vector<Eigen::VectorXd>& pts) {
        double m = 0;
        for (const auto& z : pts) m = std::max(m, std::abs(log_p(z) - c0));
        return m;
    };
    // 1. walk_grid.png: every learned direction, the density-preserving walk on both sides of z0.
    std::vector<lw::trajectory<TB>> rows;
    const long T = s.grid_steps;
    for (std::size_t j = 0; j < dirs.size(); ++j) {
        lw::density_walk<B> fwd, bwd;
        try {
            fwd = walk(dirs[j], T);
            bwd = walk(-dirs[j], T);
        } catch (const lw::error& e) {  // a projection that finds no level: the row stays blank, the reason is noted
            notes << "  walk_grid row " << j + 1 << ": the walk failed (" << e.what() << ")\n";
            o.row_labels.emplace_back("γ" + std::to_string(j + 1) + " (failed)");
            rows.push_back(as_trajectory({z0}, {0.0}));
            continue;
        }
        std::vector<Eigen::VectorXd> pts(bwd.points.rbegin(), bwd.points.rend() - 1);
        pts.insert(pts.end(), fwd.points.begin(), fwd.points.end());
        std::vector<double> times;
        for (long i = -T; i <= T; ++i) times.push_back(static_cast<double>(i) * s.grid_step);
        char label[64];
        std::snprintf(label, sizeof label, "γ%zu (%.3g)", j + 1, variation[j]);
        o.row_labels.emplace_back(label);
        notes << "  walk_grid row " << j + 1 << ": max |Δ log p| " << drift(pts) << "\n";
        rows.push_back(as_trajectory(pts, times));
    }
    for (long i = -T; i <= T; ++i) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "t=%+.3g", static_cast<double>(i) * s.grid_step);
        o.col_labels.emplace_back(i == 0 ? "t=0" : buf);
    }
    o.title = "DP-LaSE directions learned on " + std::filesystem::path(s.model).filename().string() + " (" + s.method +
              "), " + walk_name;
    const auto dir = std::filesystem::path(s.out);
    plot::traversal_grid(images, rows, o).write((dir / "walk_grid.png").string());
    // 2. walk_compare.png: the top three directions, linear vs learned C vs the density-preserving walk, t = 0 … 2T.
    rows.clear();
    o.row_labels.clear();
    o.col_labels.clear();
    const long T2 = 2 * T;
    std::vector<double> times;
    for (long i = 0; i <= T2; ++i) {
        times.push_back(static_cast<double>(i) * s.grid_step);
        char buf[32];
        std::snprintf(buf, sizeof buf, "t=%.3g", times.back());
        o.col_labels.emplace_back(buf);
    }
    for (std::size_t j = 0; j < std::min<std::size_t>(3, dirs.size()); ++j) {
        std::vector<Eigen::VectorXd> line;
        for (double t : times) line.push_back(z0 + t * dirs[j]);
        auto add = [&](const std::string& name, const std::vector<Eigen::VectorXd>& pts) {
            o.row_labels.push_back("γ" + std::to_string(j + 1) + " " + name);
            notes << "  walk_compare γ" << j + 1 << " " << name << ": max |Δ log p| " << drift(pts) << ", ‖z‖ at t = "
                  << times.back() << ": " << pts.back().norm() << "\n";
            rows.push_back(as_trajectory(pts, times));
        };
        add("linear", line);
        if (corrected) add("C", corrected(dirs[j], T2).points);
        try {
            add("DP", walk(dirs[j], T2).points);
        } catch (const lw::error& e) {
            notes << "  walk_compare γ" << j + 1 << " DP: the walk failed (" << e.what() << ")\n";
        }
    }
    o.title = "linear vs learned C vs density-preserving, ‖z₀‖ = " + std::to_string(z0.norm()).substr(0, 4);
    plot::traversal_grid(images, rows, o).write((dir / "walk_compare.png").string());
    return notes.str();
}
#endif

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"DP-LaSE: learn density-preserving latent directions on a generator and compare walks"};
    app.add_option("--generator", s.generator, "random (a fixed-seed random decoder) or torchscript")
        ->check(CLI::IsMember({"random", "torchscript"}));
    app.add_option("--model", s.model, "TorchScript file (torch.jit.save) for --generator torchscript");
    app.add_option("--method", s.method, "the method of the TorchScript module that is G1");
    app.add_option("--submodule", s.submodule, "a submodule (dotted path) whose forward is G1");
    app.add_option("--latent-dim", s.latent_dim, "latent dimension d");
    app.add_option("--hidden", s.hidden, "width of the random decoder's layers (G1 = its second layer)");
    app.add_option("--prior", s.prior, "gaussian, mixture or truncated")->check(CLI::IsMember({"gaussian", "mixture", "truncated"}));
    app.add_option("--tau", s.tau, "truncation of --prior truncated");
    app.add_option("--directions,-k", s.directions, "K, the number of directions");
    app.add_option("--steps", s.steps, "Adam steps of the joint objective, or of the directions (sequential)");
    app.add_option("--cdf-steps", s.cdf_steps, "sequential: Adam steps for F");
    app.add_option("--correction-steps", s.correction_steps, "sequential: Adam steps for C");
    app.add_option("--correction-max-step", s.correction_max_step, "C is trained on steps |t| ≤ this");
    app.add_option("--batch", s.batch, "z0 per direction step");
    app.add_option("--eps", s.eps, "ε of the variation loss");
    app.add_option("--lambda", s.lambda, "λ, the decorrelation weight");
    app.add_option("--zeta", s.zeta, "ζ, the orthogonality weight");
    app.add_option("--lr", s.lr, "Adam's learning rate for the directions");
    app.add_option("--walk-steps", s.walk_steps, "steps of each evaluation walk");
    app.add_option("--walk-eps", s.walk_eps, "step size of each evaluation walk");
    app.add_option("--walk-starts", s.walk_starts, "held-out z0 per direction");
    app.add_flag("--code-variant", s.code_variant,
                 "the released code's choices (matrix exponential, random pairs, t ~ U[-ε, ε], normalized decorrelation, means)");
    app.add_option("--parameterization", s.parameterization,
                   "unit-columns (the paper: unit columns + ζ l_reg) or matrix-exponential (exactly orthogonal)")
        ->check(CLI::IsMember({"unit-columns", "matrix-exponential"}));
    app.add_option("--schedule", s.schedule,
                   "joint (eq. 11: F, C and Γ under one objective; the paper's) or sequential (F, then C against F, then Γ "
                   "along C; latentwalk's)")
        ->check(CLI::IsMember({"joint", "sequential"}));
    app.add_option("--cdf-lr", s.cdf_lr, "Adam's learning rate for F");
    app.add_option("--correction-lr", s.correction_lr, "Adam's learning rate for C");
    app.add_flag("--detach-correction", s.detach_correction,
                 "joint: C's weights detached in l_var, so C learns from l_den only (the paper lets l_var's gradient reach C)");
    app.add_flag("--detach-cdf", s.detach_cdf,
                 "joint: F's weights detached in l_den, so F learns from l_mon + l_lik only (the paper lets l_den reach F)");
    app.add_option("--joint-density-max-step", s.joint_density_max_step,
                   "joint: > 0 puts l_den on separate walks with |t| up to this (the paper: on l_var's walks, t = ε)");
    app.add_flag("--learn-density", s.learn_density,
                 "sequential: train F and C for --prior gaussian too (the joint schedule always does); the walks then compare C there");
    app.add_option("--image-height", s.image_height,
                   "with --generator torchscript: the height of the images that --image-method draws; > 0 writes the PNG walk grids");
    app.add_option("--image-width", s.image_width, "their width (default: the height)");
    app.add_option("--image-channels", s.image_channels, "their channels: 1 (grey) or 3 (RGB planes)");
    app.add_option("--image-method", s.image_method, "the TorchScript method that draws the images (the whole generator)");
    app.add_option("--grid-steps", s.grid_steps, "steps on each side of z0 in walk_grid.png (and 2× that in walk_compare.png)");
    app.add_option("--grid-step", s.grid_step, "the step size of the grids' walks");
    app.add_flag("--gram-schmidt", s.gram_schmidt,
                 "re-orthogonalize the directions by Gram-Schmidt after every step (the released StyleGAN2 script)");
    app.add_option("--seed", s.seed, "seed of every stage");
    app.add_option("--out", s.out, "output folder");
    app.add_flag("--resume", s.resume, "continue the stages from their checkpoints");
    CLI11_PARSE(app, argc, argv);

    try {
        at::set_num_threads(1);
        if (s.image_height > 0) {  // checked before any training
#if defined(LATENTWALK_HAVE_PLOT)
            if (s.generator != "torchscript")
                throw lw::invalid_argument_error("train_dplase: --image-height draws the grids with --image-method of the TorchScript "
                                                 "--model, so it needs --generator torchscript.");
            const lw::torch::torchscript_generator<double> images(s.model, s.latent_dim, image_options(s));
            const auto w = s.image_width > 0 ? s.image_width : s.image_height;
            if (images.output_dim() != s.image_channels * s.image_height * w)
                throw lw::invalid_argument_error("train_dplase: --image-method " + s.image_method + " has " + std::to_string(images.output_dim()) +
                                                 " outputs, not --image-channels × --image-height × --image-width = " +
                                                 std::to_string(s.image_channels * s.image_height * w) + ".");
#else
            throw lw::invalid_argument_error("train_dplase: --image-height asks for PNG walk grids, but this build has no pictures "
                                             "(install libcairo2-dev and reconfigure).");
#endif
        }
        tr::manual_seed(s.seed);
        std::filesystem::create_directories(s.out);
        const long d = s.latent_dim;

        // 1. The prior and its samples.
        prior p;
        p.name = s.prior;
        if (s.prior == "gaussian") p.gauss.emplace(d);
        if (s.prior == "mixture") p.mix.emplace(d, std::vector<double>{0.3, 0.7}, std::vector<double>{-1.2, 1.0},
                                                std::vector<double>{0.5, 0.7});
        if (s.prior == "truncated") {
            p.trunc.emplace(d, s.tau);
            p.tau = s.tau;
        }
        std::mt19937_64 rng(s.seed);
        std::vector<Eigen::VectorXd> train_rows, test_rows;
        for (long j = 0; j < s.samples; ++j) train_rows.push_back(p.sample(rng, d));
        for (long j = 0; j < std::max<long>(s.walk_starts, 4000); ++j) test_rows.push_back(p.sample(rng, d));
        const auto train_z = to_tensor(train_rows), test_z = to_tensor(test_rows);

        // G₁.
        dp::direction_trainer::feature_function G1;
        std::shared_ptr<::torch::jit::Module> script;
        ::torch::nn::Sequential decoder;
        std::string generator_name;
        if (s.generator == "random") {
            const auto leaky = ::torch::nn::LeakyReLUOptions().negative_slope(0.2);
            decoder = ::torch::nn::Sequential(::torch::nn::Linear(d, s.hidden), ::torch::nn::LeakyReLU(leaky),
                                              ::torch::nn::Linear(s.hidden, s.hidden), ::torch::nn::LeakyReLU(leaky));
            decoder->to(at::kDouble);
            for (auto& w : decoder->parameters()) w.set_requires_grad(false);
            G1 = [decoder](const at::Tensor& z) mutable { return decoder->forward(z); };
            generator_name = "random decoder " + std::to_string(d) + " → " + std::to_string(s.hidden) + " → " +
                             std::to_string(s.hidden) + " (leaky ReLU 0.2, seed " + std::to_string(s.seed) + ")";
        } else {
            if (s.model.empty()) throw lw::invalid_argument_error("train_dplase: --generator torchscript needs --model PATH.");
            // the same check torchscript_generator makes (CRC-32s, no FlatBuffer magic) before LibTorch reads it
            latentwalk::torch::detail::verify_zip_archive("train_dplase", s.model, "TorchScript model");
            script = std::make_shared<::torch::jit::Module>(::torch::jit::load(s.model));
            script->to(at::kDouble);
            ::torch::jit::Module target = *script;
            if (!s.submodule.empty()) {
                std::stringstream ss(s.submodule);
                for (std::string part; std::getline(ss, part, '.');) target = target.attr(part).toModule();
            }
            const std::string method = s.method;
            G1 = [target, method](const at::Tensor& z) mutable {
                return target.get_method(method)({z}).toTensor().reshape({z.size(0), -1});
            };
            generator_name = "TorchScript " + s.model + (s.submodule.empty() ? "" : " submodule " + s.submodule) + " method " + method;
        }
        const auto m = G1(test_z.narrow(0, 0, 2)).size(1);
        std::cout << "generator: " << generator_name << "; G1 has " << m << " features; prior " << s.prior << ", d = " << d << "\n";

        std::ostringstream summary;
        summary << "generator: " << generator_name << " (G1: " << m << " features)\nprior: " << s.prior << ", d = " << d << "\n";

        // 2. F, C and Γ: jointly (eq. 11, the paper's; the default) or in sequence (F, then C, then Γ).
        const bool gaussian = s.prior == "gaussian";
        const bool joint = s.schedule == "joint";
        if (joint && s.code_variant)
            throw lw::invalid_argument_error("train_dplase: --code-variant is the released scripts' direction training, which "
                                             "learns Γ alone; use it with --schedule sequential.");
        std::shared_ptr<dp::cdf_network> F;
        std::shared_ptr<dp::correction_module> C;
        std::optional<lw::learned_cdf_model<B>> Fe;
        std::optional<lw::correction_network<B>> Ce;
        const bool learn_density = joint || !gaussian || s.learn_density;
        if (learn_density) {
            dp::cdf_network_options fo;
            fo.shared = true;  // DP-LaSE's i.i.d. assumption: one F for every coordinate
            fo.hidden = 16;
            F = std::make_shared<dp::cdf_network>(d, fo);
            dp::correction_module_options co;
            co.hidden = 128;
            C = std::make_shared<dp::correction_module>(d, co);
        }
        // The F export, scored against the exact CDF and the EM fit (cdf.csv and a summary line).
        auto score_cdf = [&] {
            Fe.emplace(Eigen::VectorXd::Zero(d), d, F->weights());
            const double lo = s.prior == "truncated" ? -s.tau : -4.0, hi = -lo;
            const auto cdf = [&](double x) { return p.coordinate_cdf(x); };
            const double err = lw::max_cdf_error(*Fe, Eigen::VectorXd::Zero(d), cdf, lo, hi, 801);
            std::vector<double> held(test_rows.size());
            for (std::size_t j = 0; j < held.size(); ++j) held[j] = test_rows[j][static_cast<long>(j) % d];
            const double ks = lw::ks_statistic(held, [&](double x) { return Fe->cdf(Eigen::VectorXd::Constant(d, x))[0]; });
            const double ks_true = lw::ks_statistic(held, cdf);
            Eigen::MatrixXd em_samples(1, s.samples);
            for (long j = 0; j < s.samples; ++j) em_samples(0, j) = train_rows[static_cast<std::size_t>(j)][j % d];
            const auto em = lw::monotone_cdf_model<B>::fit(em_samples);
            const double em_err = lw::max_cdf_error(em, Eigen::VectorXd::Zero(1), cdf, lo, hi, 801);
            const double min_h = Fe->min_slope(Eigen::VectorXd::Zero(d), lo, hi);
            std::ofstream cf(std::filesystem::path(s.out) / "cdf.csv");
            cf << "x,F_learned,F_exact,F_em\n";
            for (int j = 0; j <= 200; ++j) {
                const double x = lo + (hi - lo) * j / 200;
                cf << x << "," << Fe->cdf(Eigen::VectorXd::Constant(d, x))[0] << "," << cdf(x) << ","
                   << em.cdf(Eigen::VectorXd::Constant(1, x))[0] << "\n";
            }
            summary << "F (shared, H = 16, paper: unconstrained, finite-difference slope, l_lik + l_mon): max |F − F_exact| on ["
                    << lo << ", " << hi << "] = " << err << "; KS of " << held.size() << " held-out draws vs F = " << ks
                    << " (vs the exact CDF: " << ks_true << "); min h' = " << min_h
                    << "; EM monotone_cdf_model on the same samples: max error " << em_err << "\n";
        };
        if (learn_density && !joint) {
            dp::cdf_trainer_options fto;
            fto.batch = 256;
            fto.seed = s.seed;
            dp::cdf_trainer ft(F, train_z, fto);
            loop_trainer<dp::cdf_network> lt(F, {"l_lik+l_mon", "l_lik", "l_mon"}, [&](std::int64_t k) {
                auto l = ft.loss(k);
                return std::vector<at::Tensor>{l.total, l.likelihood, l.monotonicity};
            }, 256, s.cdf_lr);
            run_stage(lt, s, "F", s.cdf_steps);
            // A fifth more at a tenth of the rate: the last iterate at 0.02 carries Adam's noise (see the tests).
            loop_trainer<dp::cdf_network> lt2(F, lt.names, lt.losses, 256, s.cdf_lr / 10);
            run_stage(lt2, s, "F_anneal", std::max<std::int64_t>(1, s.cdf_steps / 5));
            score_cdf();
            auto Fp = F;
            dp::correction_trainer_options cto;
            cto.batch = 256;
            cto.max_step = s.correction_max_step;
            cto.seed = s.seed + 1;
            dp::correction_trainer ct(C, [Fp](const at::Tensor& z) { return Fp->log_density(z); }, train_z, cto);
            loop_trainer<dp::correction_module> lc(C, {"l_den"}, [&](std::int64_t k) {
                return std::vector<at::Tensor>{ct.loss(k).total};
            }, 256, s.correction_lr);
            run_stage(lc, s, "C", s.correction_steps);
            Ce.emplace(Eigen::VectorXd::Zero(d), d, C->weights());
        }

        // 3. The directions.
        dp::direction_set_options go;
        go.seed = s.seed;
        dp::direction_trainer_options to;
        to.batch = s.batch;
        to.step = s.eps;
        to.variation.lambda = s.lambda;
        to.orthogonality_weight = s.zeta;
        to.seed = s.seed + 2;
        if (s.code_variant) {
            go.parameterization = dp::direction_parameterization::matrix_exponential;
            to.sampling = dp::direction_sampling::random_pairs;
            to.steps = dp::step_sampling::uniform_symmetric;
            to.variation.decorrelation = dp::decorrelation_form::normalized_vector;
            to.variation.variation = dp::loss_reduction::mean;
            to.orthogonality = dp::loss_reduction::mean;
        }
        if (s.parameterization == "matrix-exponential") go.parameterization = dp::direction_parameterization::matrix_exponential;
        const bool exact_orthogonal = go.parameterization == dp::direction_parameterization::matrix_exponential;
        if (s.gram_schmidt && exact_orthogonal)
            throw lw::invalid_argument_error("train_dplase: --gram-schmidt applies to unit columns, not to the matrix exponential "
                                             "(--code-variant or --parameterization matrix-exponential).");
        auto Gamma = std::make_shared<dp::direction_set>(d, s.directions, go);
        const auto held_out = test_z.narrow(0, 0, std::min<long>(1024, test_z.size(0)));
        dp::direction_report before, rep;
        if (joint) {
            dp::joint_trainer_options jo;
            jo.batch = s.batch;
            jo.step = s.eps;
            jo.variation.lambda = s.lambda;
            jo.weights.orthogonality = s.zeta;
            jo.variation_trains_correction = !s.detach_correction;
            jo.density_trains_cdf = !s.detach_cdf;
            jo.density_max_step = s.joint_density_max_step;
            jo.seed = s.seed + 2;
            const dp::joint_trainer jt(F, C, Gamma, G1, train_z, jo);
            before = jt.evaluate(held_out);
            joint_loop_trainer lj(jt, {s.cdf_lr, s.correction_lr, s.lr}, s.batch * s.directions);
            if (s.gram_schmidt) lj.after_step = [Gamma] { Gamma->gram_schmidt(); };
            run_stage(lj, s, "joint", s.steps);
            joint_loop_trainer lj2(jt, {s.cdf_lr / 10, s.correction_lr / 10, s.lr / 10}, s.batch * s.directions);
            lj2.after_step = lj.after_step;
            run_stage(lj2, s, "joint_anneal", std::max<std::int64_t>(1, s.steps / 5));
            score_cdf();
            Ce.emplace(Eigen::VectorXd::Zero(d), d, C->weights());
            rep = jt.evaluate(held_out);
            summary << "joint training (eq. 11, " << s.steps << " + " << std::max<std::int64_t>(1, s.steps / 5)
                    << " Adam steps, learning rates F " << s.cdf_lr << ", C " << s.correction_lr << ", Γ " << s.lr
                    << (s.detach_correction ? "; C detached in l_var" : "") << (s.detach_cdf ? "; F detached in l_den" : "")
                    << (s.joint_density_max_step > 0 ? "; l_den on |t| ≤ " + std::to_string(s.joint_density_max_step) : "")
                    << "): F's mean |log-density change| along Γ at t = ε under F: " << jt.density_drift(held_out, s.eps) << "\n";
        } else {
            // The Gaussian prior's directions walk by eq. (2) (C, with --learn-density, is only compared in the walks).
            const auto walk = gaussian ? dp::norm_preserving_walk() : dp::corrected_walk(C->as_function());
            if (C)
                for (auto& w : C->parameters()) w.set_requires_grad(false);
            dp::direction_trainer dt(Gamma, G1, train_z, walk, to);
            before = dt.evaluate(held_out);
            loop_trainer<dp::direction_set> lg(Gamma, {"l_var+zeta*l_reg", "variation", "decorrelation", "l_reg"}, [&](std::int64_t k) {
                auto l = dt.loss(k);
                return std::vector<at::Tensor>{l.total, l.variation, l.decorrelation, l.orthogonality};
            }, s.batch * s.directions, s.lr);
            if (s.gram_schmidt) lg.after_step = [Gamma] { Gamma->gram_schmidt(); };
            run_stage(lg, s, "directions", s.steps);
            rep = dt.evaluate(held_out);
        }
        const long K = s.directions;
        double v_before = 0, v_after = 0;
        for (long j = 0; j < K; ++j) {
            v_before += before.variation[static_cast<std::size_t>(j)];
            v_after += rep.variation[static_cast<std::size_t>(j)];
        }
        {
            std::ofstream f(std::filesystem::path(s.out) / "directions.csv");
            for (long i = 0; i < d; ++i) {
                for (long j = 0; j < K; ++j) f << (j ? "," : "") << rep.directions[i][j].item<double>();
                f << "\n";
            }
            std::ofstream t(std::filesystem::path(s.out) / "directions_table.csv");
            t << "rank,index,variation,max_cos2_with_others\n";
            for (long j = 0; j < K; ++j) {
                double mc = 0;
                for (long h = 0; h < K; ++h)
                    if (h != j) mc = std::max(mc, rep.decorrelation[j][h].item<double>());
                t << j << "," << rep.order[static_cast<std::size_t>(j)] << "," << rep.variation[static_cast<std::size_t>(j)] << "," << mc << "\n";
            }
            std::ofstream c(std::filesystem::path(s.out) / "decorrelation.csv");
            for (long j = 0; j < K; ++j) {
                for (long h = 0; h < K; ++h) c << (h ? "," : "") << rep.decorrelation[j][h].item<double>();
                c << "\n";
            }
        }
        summary << "directions (" << (joint ? "joint schedule, " : "sequential schedule, ")
                << (s.code_variant ? "released-code variant" : "paper defaults")
                << (exact_orthogonal && !s.code_variant ? ", exactly orthogonal (matrix exponential)" : "")
                << (s.gram_schmidt ? " + Gram-Schmidt after each step" : "") << ", K = " << K
                << ", ε = " << s.eps << ", λ = " << s.lambda << ", ζ = " << s.zeta << "): total variation on "
                << held_out.size(0) << " held-out z0 " << v_before << " → " << v_after << " (×" << v_after / v_before
                << "); ‖ΓᵀΓ − I‖_F " << before.orthogonality_error << " → " << rep.orthogonality_error
                << "; max pairwise cos²(Δ_j, Δ_h) " << before.max_decorrelation << " → " << rep.max_decorrelation
                << "\n  variation per direction (sorted):";
        for (double v : rep.variation) summary << " " << v;
        summary << "\n";

        // 4. Walks on Eigen along the learned directions, scored by the true prior.
        std::vector<Eigen::VectorXd> dirs;
        for (long j = 0; j < K; ++j) dirs.push_back(to_eigen(rep.directions.select(1, j)));
        const auto n = static_cast<std::size_t>(s.walk_steps) + 1;
        std::vector<drift_row> rows;
        rows.reserve(5);  // references to the rows are kept below
        auto add = [&](const std::string& name) -> drift_row& {
            rows.push_back({name, std::vector<double>(n, 0.0), std::vector<double>(n, 0.0), std::vector<long>(n, 0), 0, 0, 0});
            return rows.back();
        };
        auto record = [&](drift_row& r, const std::vector<Eigen::VectorXd>& pts, double seconds) {
            const double c0 = p.log_density(pts[0]);
            r.seconds += seconds;
            r.steps_taken += static_cast<long>(pts.size()) - 1;
            for (const auto& z : pts)
                if (!std::isfinite(p.log_density(z))) {
                    ++r.outside;
                    return;
                }
            for (std::size_t j = 1; j < pts.size(); ++j) {
                const double dr = std::abs(p.log_density(pts[j]) - c0);
                r.sum[j] += dr;
                r.max[j] = std::max(r.max[j], dr);
                r.count[j] += 1;
            }
        };
        const auto none = [](const Eigen::VectorXd& z, double, const Eigen::VectorXd&) -> Eigen::VectorXd {
            return Eigen::VectorXd::Zero(z.size());
        };
        using clock = std::chrono::steady_clock;
        auto timed = [](auto&& f) {
            const auto t0 = clock::now();
            auto w = f();
            return std::make_pair(std::move(w), std::chrono::duration<double>(clock::now() - t0).count());
        };
        auto& linear = add("linear (eq. 1)");
        auto& projected = add(gaussian                ? "DP closed form (eq. 2)"
                              : s.prior == "truncated" ? "projection (closed form, radial)"
                                                       : "projection (score-ray Newton)");
        drift_row* corrected = Ce ? &add("learned C (eq. 6)") : nullptr;
        // For the Gaussian the closed form above IS the projection; root finding along the score reaches the same
        // points (the score ray is the ray from the mode) at the cost of a search, the cost a non-Gaussian prior pays.
        drift_row* searched = gaussian ? &add("projection (score-ray Newton)") : nullptr;
        drift_row* rescaled = !gaussian ? &add("norm rescaling (eq. 2)") : nullptr;
        p.visit([&](const auto& density) {
            for (long a = 0; a < s.walk_starts; ++a) {
                const Eigen::VectorXd& z0 = test_rows[static_cast<std::size_t>(a)];
                for (const auto& g : dirs) {
                    auto [wl, tl] = timed([&] { return lw::density_preserving_walk(density, z0, g, s.walk_steps, s.walk_eps, none); });
                    record(linear, wl.points, tl);
                    try {
                        auto [wp, tp] = timed([&] { return lw::density_preserving_walk(density, z0, g, s.walk_steps, s.walk_eps); });
                        record(projected, wp.points, tp);
                    } catch (const lw::error&) {
                        ++projected.failures;
                    }
                    if (searched) {
                        lw::density_walk_options wo;
                        wo.projection.method = lw::level_projection_method::score_ray;
                        auto [ws, ts] = timed([&] { return lw::density_preserving_walk(density, z0, g, s.walk_steps, s.walk_eps, wo); });
                        record(*searched, ws.points, ts);
                    }
                    if (corrected) {
                        auto [wc, tc] = timed([&] { return lw::density_preserving_walk(density, z0, g, s.walk_steps, s.walk_eps, *Ce); });
                        record(*corrected, wc.points, tc);
                    }
                    if (rescaled) {
                        const auto rule = [](const Eigen::VectorXd& z, double t, const Eigen::VectorXd& gg) -> Eigen::VectorXd {
                            const Eigen::VectorXd y = z + t * gg;
                            return z.norm() / y.norm() * y - y;
                        };
                        auto [wr, trr] = timed([&] { return lw::density_preserving_walk(density, z0, g, s.walk_steps, s.walk_eps, rule); });
                        record(*rescaled, wr.points, trr);
                    }
                }
            }
            return 0;
        });
        {
            std::ofstream f(std::filesystem::path(s.out) / "walk_drift.csv");
            f << "method,step,t,mean_abs_log_density_drift,max_abs_log_density_drift,walks\n";
            for (const auto& r : rows)
                for (std::size_t j = 1; j < n; ++j)
                    f << '"' << r.method << "\"," << j << "," << j * s.walk_eps << ","
                      << (r.count[j] ? r.sum[j] / r.count[j] : NAN) << "," << r.max[j] << "," << r.count[j] << "\n";
        }
        summary << "walks: " << s.walk_starts << " held-out z0 × " << K << " directions, " << s.walk_steps << " steps of "
                << s.walk_eps << " (t up to " << s.walk_steps * s.walk_eps << "), |log p(z_t) − log p(z_0)| under the true prior\n"
                << "  (failed: the walk threw; outside: it left the prior's support and is not in the means):\n";
        char line[256];
        std::snprintf(line, sizeof line, "  %-32s %14s %14s %14s %12s %8s %8s\n", "method", "mean @ t_mid", "mean @ t_max",
                      "max @ t_max", "µs / step", "failed", "outside");
        summary << line;
        for (const auto& r : rows) {
            const std::size_t mid = n / 2, last = n - 1;
            std::snprintf(line, sizeof line, "  %-32s %14.4g %14.4g %14.4g %12.2f %8ld %8ld\n", r.method.c_str(),
                          r.count[mid] ? r.sum[mid] / r.count[mid] : NAN, r.count[last] ? r.sum[last] / r.count[last] : NAN,
                          r.max[last], r.steps_taken ? 1e6 * r.seconds / r.steps_taken : NAN, r.failures, r.outside);
            summary << line;
        }
        if (s.image_height > 0) {
#if defined(LATENTWALK_HAVE_PLOT)
            const Eigen::VectorXd& z0 = test_rows[0];
            std::string notes;
            p.visit([&](const auto& density) {
                const auto walk = [&](const Eigen::VectorXd& g, long steps) {
                    return lw::density_preserving_walk(density, z0, g, steps, s.grid_step);
                };
                std::function<lw::density_walk<B>(const Eigen::VectorXd&, long)> corrected;
                if (Ce)
                    corrected = [&](const Eigen::VectorXd& g, long steps) {
                        return lw::density_preserving_walk(density, z0, g, steps, s.grid_step, *Ce);
                    };
                notes = write_walk_grids(s, dirs, rep.variation, z0, walk, corrected,
                                         [&](const Eigen::VectorXd& z) { return p.log_density(z); }, projected.method);
                return 0;
            });
            summary << "grids (walk_grid.png, walk_compare.png) from held-out z0 #0, ‖z0‖ = " << z0.norm() << ", log p(z0) = "
                    << p.log_density(z0) << ", steps of " << s.grid_step << ":\n" << notes;
#endif
        }
        std::ofstream(std::filesystem::path(s.out) / "summary.txt") << summary.str();
        std::cout << "\n" << summary.str() << "files in " << s.out << "/: directions.csv, directions_table.csv, decorrelation.csv, walk_drift.csv"
                  << (Fe ? ", cdf.csv" : "") << (s.image_height > 0 ? ", walk_grid.png, walk_compare.png" : "") << ", summary.txt, and each stage's losses.csv and checkpoint.pt\n";
    } catch (const std::exception& e) {
        std::cerr << "train_dplase: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
