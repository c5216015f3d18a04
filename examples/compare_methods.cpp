// examples/compare_methods — every traversal method of latentwalk on the same trained generator, scored
// with the same metrics (latentwalk/compare/*.hpp, latentwalk/torch/compare/score_methods.hpp).
//
//   compare_methods --data sprites --out runs/compare-sprites            # examples/models/sprites_vae.pt
//   compare_methods --data fashion-mnist --out runs/compare-fashion      # examples/models/fashion_mnist_vae.pt
//   compare_methods --data sprites --full --out runs/compare-full        # the large sizes (benchmarks/compare_methods.sh)
//
// Methods (K directions each; t the latent distance along unit directions unless the row says otherwise):
//   coordinate axes         z₀ + t e_k (a VAE's own latent coordinates)
//   random                  z₀ + t n_k, n_k orthonormal Gaussian (seed)
//   SeFa                    z₀ + t n_k, sefa_directions of the decoder's first weight (fc_weight)
//   GANSpace                z₀ + t n_k, ganspace_regression on the first layer's features (partial_1), unit n_k
//   Local Basis (linear)    z₀ + t v_k(z₀), the k-th right singular vector of J(z₀)
//   Local Basis (curve)     curve_traversal along component k, latent step span/T
//   linear potential        the potential-flow paper's linear baseline ∇u = a_k, trained (T steps of 1)
//   WarpedSpace RBF         rbf_bank (unit-gradient steps of span/T), trained
//   potential flow          potential_bank (the paper's rule, T steps of 1), trained
//   DP-LaSE Γ (linear)      z₀ + t γ_k, Γ trained by dplase::direction_trainer on the features partial_2
//   DP-LaSE Γ (DP walk)     the density-preserving walk ‖z₀‖(z₀ + tγ_k)/‖z₀ + tγ_k‖ (eq. 2) along the same Γ
// The flows and Γ are trained here with short schedules (--flow-steps, --dplase-steps; --full: long ones);
// the banks are checkpointed into <out>/banks/<file>.ckpt (atomic; <file>.settings beside it) and a rerun
// with the same settings resumes or reuses them. --banks DIR loads trained banks instead, the
// checkpoints examples/train_potentials writes (linear.ckpt, warped_rbf.ckpt, potential_flow.ckpt;
// torch::load_trained_bank): a file of another bank type, K or d, or an unreadable one, is refused.
// The RBF bank walks with compare_methods' step span/T whatever step it was trained with (the step
// is no parameter of the file).
// Ground truth: sprites only (read_sprite_factors on every frame); Fashion-MNIST has none, so its table
// leaves the factor columns empty (—) and keeps VP, NN ratio, escape, drift, curvature and cost.
// Writes into --out: table.md (settings, the summary, the warpage context, the factor matrices),
// table.csv, factors.csv, warpage.csv, grid.png (every method's first --picture-directions directions from
// the first start, side by side). Everything is seeded (--seed): the same command on the same machine and
// thread count writes the same tables (the times excepted).
#include <latentwalk/compare/comparison_table.hpp>
#include <latentwalk/compare/traversal_metrics.hpp>
#include <latentwalk/data/fashion_mnist.hpp>
#include <latentwalk/data/sprite_factor_reader.hpp>
#include <latentwalk/data/sprites.hpp>
#include <latentwalk/eigen.hpp>
#include <latentwalk/grassmann/ganspace_regression.hpp>
#include <latentwalk/grassmann/sefa_directions.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/compare/score_methods.hpp>
#include <latentwalk/torch/dplase/adam_steps.hpp>
#include <latentwalk/torch/dplase/directions.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include "plot/image_grid.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#ifndef LATENTWALK_COMPARE_MODELS_DIR
#define LATENTWALK_COMPARE_MODELS_DIR "examples/models"
#endif

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
namespace lc = latentwalk::torch::compare;
namespace dp = latentwalk::torch::dplase;
namespace ld = latentwalk::data;
namespace fs = std::filesystem;

namespace {

struct settings {
    std::string data = "sprites", model, out = "compare_methods_out", banks;
    std::int64_t latent_dim = 0, directions = 8, steps = 10, starts = 32, references = 5000;
    std::int64_t vp_pairs = 2000, vp_epochs = 30, vp_runs = 3, flow_steps = 300, dplase_steps = 300, picture_directions = 3;
    std::int64_t warpage_pairs = 40;
    double span = 3.0, lr = 1e-3;
    std::uint64_t seed = 1, sprite_seed = 3;
    bool full = false;
    int threads = 1;
};

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Eigen::MatrixXd to_eigen(const at::Tensor& t) {
    const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::MatrixXd m(h.size(0), h.size(1));
    for (Eigen::Index i = 0; i < m.rows(); ++i)
        for (Eigen::Index j = 0; j < m.cols(); ++j) m(i, j) = h.data_ptr<double>()[i * m.cols() + j];
    return m;
}

/// Columns of an Eigen matrix (d × K) as unit rows of a [K, d] tensor.
at::Tensor unit_rows(const Eigen::MatrixXd& columns) {
    at::Tensor t = at::empty({columns.cols(), columns.rows()}, at::kDouble);
    for (Eigen::Index k = 0; k < columns.cols(); ++k) {
        const Eigen::VectorXd c = columns.col(k).normalized();
        for (Eigen::Index i = 0; i < columns.rows(); ++i) t[k][i] = c[i];
    }
    return t;
}

/// Where a bank came from, for the table's settings line.
struct bank_provenance {
    std::string text;
};

/// The settings a bank trained here depends on, one line; a checkpoint in --out is reused only under the same.
std::string bank_settings_line(const settings& s, const std::string& name, std::int64_t d, std::int64_t K) {
    std::ostringstream o;
    o << std::setprecision(17) << "bank " << name << "; model " << s.model << "; d " << d << "; K " << K << "; T " << s.steps
      << "; span " << s.span << "; lr " << s.lr << "; seed " << s.seed;
    return o.str();
}

/// Trains `bank` for --flow-steps under the flow objective, checkpointing into <out>/banks/<file>.ckpt
/// (atomic, every tenth of the run and at the end) beside <file>.settings; a rerun with the same
/// settings resumes from the checkpoint (and reuses a finished one) instead of starting again.
template <class Bank>
bank_provenance train_bank(const std::string& name, const std::string& file, const std::shared_ptr<Bank>& bank,
                           const lt::tensor_function& G, const lt::image_shape& shape, lt::flow_trainer_options o,
                           const settings& s) {
    const std::int64_t steps = s.flow_steps;
    auto clf = std::make_shared<lt::lenet_pair_classifier>(shape.channels, bank->size());
    lt::flow_trainer<Bank, lt::lenet_pair_classifier> tr(bank, clf, G, shape, o);
    const fs::path dir = fs::path(s.out) / "banks", ckpt = dir / (file + ".ckpt"), stamp = dir / (file + ".settings");
    fs::create_directories(dir);
    const std::string line = bank_settings_line(s, name, bank->dim(), bank->size());
    if (fs::exists(ckpt)) {
        std::ifstream in(stamp);
        std::string have;
        std::getline(in, have);
        if (have != line)
            throw lw::invalid_argument_error("compare_methods: the checkpoint '" + ckpt.string() + "' was trained with other settings ('" +
                                             have + "', this run: '" + line + "'); remove it or choose another --out.");
        tr.load(ckpt);
        if (tr.steps_done() > steps)
            throw lw::invalid_argument_error("compare_methods: the checkpoint '" + ckpt.string() + "' holds " +
                                             std::to_string(tr.steps_done()) + " steps, more than --flow-steps " +
                                             std::to_string(steps) + "; remove it or raise --flow-steps.");
        std::cout << "  " << name << ": resumed from " << ckpt.string() << " at step " << tr.steps_done() << std::endl;
    } else {
        const fs::path tmp = stamp.string() + ".tmp";
        std::ofstream(tmp) << line << "\n";
        fs::rename(tmp, stamp);
    }
    const auto t0 = std::chrono::steady_clock::now();
    double acc = 0, last = -1;
    std::int64_t window = 0, window_start = tr.steps_done() + 1, last_from = 0, last_to = 0;
    const std::int64_t every = std::max<std::int64_t>(1, steps / 10), report = std::max<std::int64_t>(1, steps / 4);
    while (tr.steps_done() < steps) {
        const auto r = tr.step();
        acc += r.accuracy;
        ++window;
        if (r.step % every == 0 || r.step == steps) tr.save(ckpt);
        if (r.step % report == 0 || r.step == steps) {
            last = acc / double(window);
            last_from = window_start;
            last_to = r.step;
            window_start = r.step + 1;
            std::cout << "  " << name << " step " << r.step << "/" << steps << ": batch accuracy " << std::fixed << std::setprecision(3)
                      << last << " (" << std::setprecision(1) << seconds_since(t0) << " s)" << std::defaultfloat
                      << std::setprecision(6) << std::endl;
            acc = 0;
            window = 0;
        }
    }
    std::ostringstream p;
    p << name << ": trained here, " << steps << " steps (checkpoint " << ckpt.string() << ")";
    if (last >= 0)
        p << ", mean batch accuracy " << std::fixed << std::setprecision(3) << last << " over steps " << last_from << "–" << last_to;
    return {p.str()};
}

/// Loads `bank` from <--banks>/<file>.ckpt, a flow_trainer checkpoint (examples/train_potentials writes
/// linear.ckpt, warped_rbf.ckpt, potential_flow.ckpt); a file of another bank type, K or d, or an
/// unreadable one, is refused with a sentence.
template <class Bank>
bank_provenance load_bank(const std::string& name, const std::string& file, Bank& bank, const settings& s) {
    const fs::path path = fs::path(s.banks) / (file + ".ckpt");
    std::int64_t steps = 0;
    try {
        steps = lt::load_trained_bank(path, bank);
    } catch (const lw::model_loading_error& e) {
        throw lw::model_loading_error("compare_methods: --banks " + s.banks + ": the " + name + " bank (K = " +
                                      std::to_string(bank.size()) + ", d = " + std::to_string(bank.dim()) +
                                      ") cannot be loaded from '" + path.string() + "': " + e.what());
    }
    std::cout << "  " << name << ": loaded from " << path.string() << " (trained " << steps << " steps)" << std::endl;
    return {name + ": loaded from " + path.string() + ", trained " + std::to_string(steps) + " steps"};
}

template <class Bank>
bank_provenance obtain_bank(const std::string& name, const std::string& file, const std::shared_ptr<Bank>& bank,
                            const lt::tensor_function& G, const lt::image_shape& shape, const lt::flow_trainer_options& o,
                            const settings& s) {
    if (!s.banks.empty()) return load_bank(name, file, *bank, s);
    at::manual_seed(s.seed + 1);  // the classifier's initial weights
    return train_bank(name, file, bank, G, shape, o, s);
}

std::string warpage_line(const lw::warpage_table& t, std::int64_t k) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(3) << t.mean_at(lw::grassmann_metric::geodesic, k) << " ± "
      << t.stddev_at(lw::grassmann_metric::geodesic, k);
    return s.str();
}

int run(settings s) {
    at::set_num_threads(s.threads);
    const bool sprites = s.data == "sprites";
    if (s.full) {
        s.starts = 128;
        s.vp_pairs = 10000;
        s.vp_epochs = 100;
        s.flow_steps = 3000;
        s.dplase_steps = 2000;
        s.warpage_pairs = 200;
    }
    if (s.model.empty())
        s.model = std::string(LATENTWALK_COMPARE_MODELS_DIR) + (sprites ? "/sprites_vae.pt" : "/fashion_mnist_vae.pt");
    if (s.latent_dim == 0) s.latent_dim = sprites ? 8 : 16;
    const std::int64_t d = s.latent_dim, K = s.directions, T = s.steps;
    if (K < 2 || K > d) throw lw::invalid_argument_error("compare_methods: --directions must lie in 2 … latent dimension.");
    fs::create_directories(s.out);
    const auto t_start = std::chrono::steady_clock::now();

    auto script = std::make_shared<lt::torchscript_generator<double>>(s.model, d);
    const lt::tensor_function G = script->function();
    const std::int64_t P = script->output_dim();
    const auto side = static_cast<std::int64_t>(std::llround(std::sqrt(double(P))));
    if (side * side != P) throw lw::invalid_argument_error("compare_methods: the generator's output is not a square grey image.");
    const lt::image_shape shape{1, side, side};
    std::cout << "compare_methods: " << s.data << ", generator " << s.model << " (latent " << d << " → " << side << "×" << side
              << "), K = " << K << ", T = " << T << ", span " << s.span << ", " << s.starts << " starts, VP " << s.vp_runs
              << " runs of " << s.vp_pairs << " pairs / " << s.vp_epochs << " epochs, seed " << s.seed << "\n";

    // The data: reference images for the NN ratio, and the ground truth.
    lc::scoring_context ctx;
    ctx.generator = G;
    ctx.shape = shape;
    ctx.latent_dim = d;
    if (sprites) {
        const auto f = ld::uniform_sprite_factors(static_cast<std::size_t>(s.references), s.sprite_seed);
        const auto set = ld::render_sprites(f, {.resolution = static_cast<std::size_t>(side)});
        ctx.reference_images = at::tensor(set.pixels, at::kFloat).reshape({s.references, P});
        ctx.specs = ld::sprite_factor_specs();
        ctx.factor_reader = [side](const float* x, std::size_t n) {
            return ld::read_sprite_factors(x, static_cast<std::size_t>(side), n);
        };
    } else {
        const auto set = ld::load_fashion_mnist(ld::fashion_mnist_split::train, static_cast<std::size_t>(s.references));
        ctx.reference_images = at::tensor(set.pixels, at::kFloat).reshape({static_cast<std::int64_t>(set.count), P});
    }
    lc::counted_function counted(G);
    const auto counted_g = counted.generator(d, P);
    const auto times = lc::uniform_times(T, s.span / double(T));

    // Directions that need fitting or training.
    std::vector<lc::traversal_method> methods;
    methods.push_back({"coordinate axes", "e_1 … e_K of the latent space", K, times,
                       lc::linear_paths(at::eye(d, at::kDouble).slice(0, 0, K), times)});
    {
        std::mt19937_64 rng(s.seed + 11);
        std::normal_distribution<double> nd;
        Eigen::MatrixXd A(d, K);
        for (Eigen::Index j = 0; j < K; ++j)
            for (Eigen::Index i = 0; i < d; ++i) A(i, j) = nd(rng);
        const Eigen::MatrixXd Q = Eigen::HouseholderQR<Eigen::MatrixXd>(A).householderQ() * Eigen::MatrixXd::Identity(d, K);
        methods.push_back({"random", "orthonormal Gaussian directions (seed + 11)", K, times, lc::linear_paths(unit_rows(Q), times)});
    }
    {
        const auto W = script->module().attr("fc_weight").toTensor().to(at::kDouble);
        const auto sefa = lw::sefa_directions(to_eigen(W), K);
        methods.push_back({"SeFa", "top eigenvectors of ÃᵀÃ, Ã the first weight (fc) with unit rows", K, times,
                           lc::linear_paths(unit_rows(sefa.directions), times)});
    }
    {
        at::manual_seed(s.seed + 13);
        const auto z = at::randn({4000, d}, at::kDouble);
        ::torch::jit::Module mod = script->module();
        const auto y = mod.get_method("partial_1")({z}).toTensor().reshape({4000, -1});
        const auto gs = lw::ganspace_regression(Eigen::MatrixXd(to_eigen(z).transpose()), Eigen::MatrixXd(to_eigen(y).transpose()), K);
        methods.push_back({"GANSpace", "PCA of the first layer's features (4000 codes) regressed to Z, unit", K, times,
                           lc::linear_paths(unit_rows(gs.latent_directions), times)});
    }
    methods.push_back({"Local Basis (linear)", "z₀ + t v_k(z₀), right singular vectors of J(z₀)", K, times,
                       lc::local_basis_paths(counted_g, times)});
    methods.push_back({"Local Basis (curve)", "Iterative Curve-Traversal, latent step span/T", K, times,
                       lc::curve_paths(counted_g, T, s.span / double(T))});

    lt::flow_trainer_options fo;
    fo.loss.timesteps = T;
    fo.bank_learning_rate = fo.classifier_learning_rate = s.lr;
    fo.seed = s.seed;
    auto fob = fo;
    fob.loss = lt::flow_loss_options::baseline(fo.loss);
    const auto t_train = std::chrono::steady_clock::now();
    if (s.banks.empty())
        std::cout << "training the banks (" << s.flow_steps << " steps each) and Γ (" << s.dplase_steps << " steps):" << std::endl;
    else
        std::cout << "loading the banks from " << s.banks << ", training Γ (" << s.dplase_steps << " steps):" << std::endl;
    std::vector<bank_provenance> provenance;
    auto lin = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = s.seed});
    provenance.push_back(obtain_bank("linear potential", "linear", lin, G, shape, fob, s));
    auto rbf = std::make_shared<lt::rbf_bank>(d, lt::rbf_bank_options{.potentials = K, .step = s.span / double(T), .seed = s.seed});
    provenance.push_back(obtain_bank("WarpedSpace RBF", "warped_rbf", rbf, G, shape, fob, s));
    auto pf = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = s.seed});
    provenance.push_back(obtain_bank("potential flow", "potential_flow", pf, G, shape, fo, s));
    methods.push_back({"linear potential", "linear baseline ∇u = a_k, T steps of 1", K, lc::uniform_times(T, 1.0), lc::bank_paths(lin, T)});
    methods.push_back({"WarpedSpace RBF", "RBF dipoles, unit-gradient steps of span/T", K, times,
                       lc::bank_paths(rbf, T, 1.0)});
    methods.push_back({"potential flow", "potential flow, the paper's rule, T steps of 1", K, lc::uniform_times(T, 1.0),
                       lc::bank_paths(pf, T)});
    {
        ::torch::jit::Module mod = script->module();
        dp::direction_trainer::feature_function G1 = [mod](const at::Tensor& z) mutable {
            return mod.get_method("partial_2")({z}).toTensor().reshape({z.size(0), -1});
        };
        at::manual_seed(s.seed + 17);
        const auto samples = at::randn({4000, d}, at::kDouble), held = at::randn({1000, d}, at::kDouble);
        auto Gamma = std::make_shared<dp::direction_set>(d, K, dp::direction_set_options{.seed = s.seed});
        dp::direction_trainer_options dto;
        dto.step = 1.0;
        dto.seed = s.seed + 2;
        dp::direction_trainer dt(Gamma, G1, samples, dp::norm_preserving_walk(), dto);
        const auto t0 = std::chrono::steady_clock::now();
        dp::adam_options ao;
        ao.steps = s.dplase_steps;
        dp::adam_steps(dt.parameters(), [&](std::int64_t st) { return dt.loss(st).total; }, ao);
        const auto rep = dt.evaluate(held);
        std::cout << "  DP-LaSE Γ: " << s.dplase_steps << " steps (" << std::fixed << std::setprecision(1) << seconds_since(t0)
                  << " s), ‖ΓᵀΓ − I‖ = " << std::setprecision(4) << rep.orthogonality_error << ", max decorrelation "
                  << rep.max_decorrelation << std::defaultfloat << std::setprecision(6) << "\n";
        const auto rows = rep.directions.transpose(0, 1).contiguous();  // [K, d], sorted by variation
        methods.push_back({"DP-LaSE Γ (linear)", "Γ by maximal decorrelated variation of partial_2, sorted", K, times,
                           lc::linear_paths(rows, times)});
        methods.push_back({"DP-LaSE Γ (DP walk)", "the same Γ walked by eq. (2), density-preserving", K, times,
                           lc::walk_paths(dp::norm_preserving_walk(), rows, times)});
    }
    const double train_seconds = seconds_since(t_train);

    // Score every method with the same starts, metrics and VP protocol.
    lc::score_options so;
    so.starts = s.starts;
    so.seed = s.seed;
    so.vp.pairs = s.vp_pairs;
    so.vp.epochs = s.vp_epochs;
    so.vp.runs = s.vp_runs;
    so.vp.seed = s.seed;
    std::vector<lw::method_scores> rows;
    std::vector<at::Tensor> frames;
    for (const auto& m : methods) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = lc::score_method(m, ctx, counted, so);
        std::cout << "  scored " << std::left << std::setw(22) << m.name << std::right << " in " << std::fixed
                  << std::setprecision(1) << seconds_since(t0) << " s";
        if (r.scores.factors) std::cout << ": max share " << std::setprecision(3) << r.scores.factors->mean_max_share;
        if (r.scores.vp_mean)
            std::cout << ", VP " << std::setprecision(1) << 100 * *r.scores.vp_mean << " % (VP " << r.scores.vp_seconds << " s)";
        if (r.vp_cache_misses > 0) std::cout << " [" << r.vp_cache_misses << " VP endpoint blocks walked again]";
        std::cout << std::defaultfloat << std::setprecision(6) << std::endl;
        rows.push_back(r.scores);
        frames.push_back(r.frames);
    }

    // The warpage of the generator (the context row).
    lw::warpage_options wo;
    wo.pairs = s.warpage_pairs;
    wo.k_max = K;
    wo.seed = s.seed;
    const auto wr = lw::warpage_random_pairs(*script, wo);
    const auto wc = lw::warpage_close_pairs(*script, wo);
    const auto wh = lw::warpage_haar_reference<lt::backend<double>>(P, wo);

    // Tables.
    std::ofstream md(fs::path(s.out) / "table.md"), csv(fs::path(s.out) / "table.csv"), fcsv(fs::path(s.out) / "factors.csv"),
        wcsv(fs::path(s.out) / "warpage.csv");
    md << "# compare_methods: " << s.data << "\n\nGenerator `" << s.model << "` (latent " << d << " → " << side << "×" << side
       << "); K = " << K << " directions per method, T = " << T << " steps, span " << s.span << " (t = 0 … span for unit "
       << "directions), " << s.starts << " starts z₀ ~ N(0, I) shared by all methods; VP: " << s.vp_runs << " runs, "
       << s.vp_pairs << " pairs (10 % for training), " << s.vp_epochs << " epochs, chance " << std::setprecision(3)
       << 100.0 / double(K) << " %; banks " << (s.banks.empty() ? "trained here " + std::to_string(s.flow_steps) + " steps"
                                                   : "loaded from " + s.banks) << ", Γ " << s.dplase_steps << " steps ("
       << std::fixed << std::setprecision(0) << train_seconds << " s); seed " << s.seed << "; " << s.threads
       << " thread(s); total " << seconds_since(t_start) << " s.\n\n" << std::defaultfloat << std::setprecision(6);
    if (!sprites)
        md << "n/a on Fashion-MNIST: max share, DCI D, C, covered and lost (—) need ground-truth factors read from every "
              "frame, and the data set has none (only a class label, which a traversal is not meant to keep or change "
              "linearly); there is no factor matrix. VP, NN ratio, escape, drift, curvature, position dependence, length "
              "and cost apply to every method and are measured as on sprites.\n\n";
    md << "Banks: ";
    for (std::size_t i = 0; i < provenance.size(); ++i) md << (i ? "; " : "") << provenance[i].text;
    md << ".\n\n" << lw::comparison_markdown(rows);
    md << "\nWarpage of the generator (context; geodesic distance of the output bases U_k, rad, mean ± sd over "
       << s.warpage_pairs << " pairs): random pairs k = 1: " << warpage_line(wr, 1) << ", k = " << K << ": " << warpage_line(wr, K)
       << "; close pairs (ε = 0.1) k = 1: " << warpage_line(wc, 1) << ", k = " << K << ": " << warpage_line(wc, K)
       << "; Haar-random k = 1: " << warpage_line(wh, 1) << ", k = " << K << ": " << warpage_line(wh, K) << ".\n";
    if (sprites) md << "\n## Factor matrices (shares of Σ_f R_kf; R in the last column)\n" << lw::factor_matrix_markdown(rows);
    csv << lw::comparison_csv(rows);
    fcsv << lw::factor_matrix_csv(rows);
    wr.write_csv(wcsv);
    wc.write_csv(wcsv, false);
    wh.write_csv(wcsv, false);

    // The picture: every method's first directions from the first start, side by side.
    const auto pk = std::min<std::int64_t>(s.picture_directions, K);
    plot::image_grid grid(static_cast<std::size_t>(methods.size() * pk), static_cast<std::size_t>(T + 1),
                          static_cast<std::size_t>(side), static_cast<std::size_t>(side));
    grid.scale = side <= 32 ? 2 : 1;
    grid.label_width = 0;  // the method names are longer than the default 60 px: fit the widest
    for (std::size_t m = 0; m < methods.size(); ++m)
        for (std::int64_t k = 0; k < pk; ++k) {
            const auto row = m * static_cast<std::size_t>(pk) + static_cast<std::size_t>(k);
            grid.row_labels.push_back(methods[m].name + " " + std::to_string(k + 1));
            for (std::int64_t j = 0; j <= T; ++j) {
                const auto f = frames[m][k][j].contiguous();
                grid.set(row, static_cast<std::size_t>(j), f.data_ptr<float>(), static_cast<std::size_t>(P));
            }
        }
    grid.title = "compare_methods: " + s.data + " (columns: t = 0 … T from the same z₀)";
    grid.write((fs::path(s.out) / "grid.png").string());
    std::cout << "\n" << lw::comparison_markdown(rows) << "\nwrote " << s.out << "/{table.md,table.csv,factors.csv,warpage.csv,grid.png} in "
              << std::fixed << std::setprecision(1) << seconds_since(t_start) << " s\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"Every traversal method on the same trained generator, scored with the same metrics."};
    app.add_option("--data", s.data, "sprites | fashion-mnist")->check(CLI::IsMember({"sprites", "fashion-mnist"}));
    app.add_option("--model", s.model, "TorchScript generator (default: examples/models/<data>_vae.pt)");
    app.add_option("--latent-dim", s.latent_dim, "latent dimension (default: sprites 8, fashion-mnist 16)");
    app.add_option("--out", s.out, "output folder");
    app.add_option("--seed", s.seed, "seed of the starts, the random directions, the training and the VP runs");
    app.add_option("--sprite-seed", s.sprite_seed, "the sprite generator's training seed (its training images are the NN reference)");
    app.add_option("--directions,-K", s.directions, "directions per method");
    app.add_option("--steps,-T", s.steps, "steps per traversal");
    app.add_option("--span", s.span, "t range 0 … span of the unit-direction traversals");
    app.add_option("--starts", s.starts, "start points per direction");
    app.add_option("--references", s.references, "training images for the nearest-image distance");
    app.add_option("--vp-pairs", s.vp_pairs, "VP pairs (the paper: 10000)");
    app.add_option("--vp-epochs", s.vp_epochs, "VP classifier epochs (the paper: 300)");
    app.add_option("--vp-runs", s.vp_runs, "VP runs (the paper: 3; 0 skips the VP score)");
    app.add_option("--flow-steps", s.flow_steps, "training steps of each bank trained here (checkpointed in <out>/banks, resumed on a rerun)");
    app.add_option("--banks", s.banks, "folder of trained banks (train_potentials' linear.ckpt, warped_rbf.ckpt, potential_flow.ckpt) to load instead of training");
    app.add_option("--dplase-steps", s.dplase_steps, "training steps of DP-LaSE's Γ");
    app.add_option("--warpage-pairs", s.warpage_pairs, "pairs of the warpage context row");
    app.add_option("--picture-directions", s.picture_directions, "directions per method in grid.png");
    app.add_option("--lr", s.lr, "Adam learning rate of the banks");
    app.add_option("--threads", s.threads, "LibTorch threads");
    app.add_flag("--full", s.full, "full sizes: 128 starts, VP 10000 pairs / 100 epochs, 3000 bank and 2000 Γ steps");
    CLI11_PARSE(app, argc, argv);
    try {
        return run(s);
    } catch (const lw::error& e) {
        const std::string what = e.what();  // most sentences here already name compare_methods
        std::cerr << (what.rfind("compare_methods: ", 0) == 0 ? "" : "compare_methods: ") << what << "\n";
        return 1;
    } catch (const c10::Error& e) {
        std::cerr << "compare_methods: LibTorch: " << e.what_without_backtrace() << "\n";
        return 1;
    }
}
