// train_potentials — trains K potentials of Song et al. (ICML 2023) on a generator, and the linear and
// WarpedSpace RBF baselines under the same loop, takes SeFa's closed-form directions of the generator's
// first layer, then scores all four with the paper's VP protocol.
//
//   train_potentials --out runs/pf                                   # the built-in random conv decoder
//   train_potentials --torchscript examples/models/fashion_mnist_vae.pt --latent-dim 16 --image 1,28,28 \
//       -K 16 --out runs/vae                                         # the trained Fashion-MNIST VAE decoder
//   train_potentials --out runs/pf --resume                           # continue from the checkpoints
//   train_potentials --out runs/pf --ablations                        # also PF without L_J, L_f, L_u
//   train_potentials --out runs/abl --only-ablations                  # only those three (a second process)
//
// Evaluation (VP pairs and grids) uses the inference rule z_{t+1} = z_t ± ε v^k(z_t, t) with the integer
// time index t = 0 … T − 1 and ε = --eval-step (0.2 by default; the integrator's ode_method::integer_time,
// which the Eigen replay checks); training uses ε = 1 (the paper's training rule). SeFa moves
// z₀ ± j·(s/T)·n_k, n_k the k-th SeFa direction of the first layer's weight, with s = --sefa-shift or, by
// default, the potential flow's mean displacement ‖z_T − z₀‖ under the evaluation rule (so SeFa's pairs
// are as far apart as PF's); SeFa has at most d directions, so with K > d its row uses d (its chance is 1/d).
//
// Writes into --out: <method>.ckpt (trainer checkpoints, atomic, every --checkpoint-every steps and at
// the end; --resume continues them bit for bit), <method>.csv (one row per step: k, t and every loss
// term, the batch accuracy), potentials_eigen.json (the trained potentials' weights in the nn.Linear
// layout that eigen::mlp_potential takes, and the wave speeds; the program replays a flow with the
// Eigen potentials and prints the largest difference from the torch flow), vp.csv and vp.md (the VP
// scores, mean ± sd over --vp-runs, and each method's mean displacement), grid_<method>.png (one row per
// potential, the negative traversal to the left of z₀ and the positive one to its right; needs cairo).
// Generator: a TorchScript file (torchscript_generator; its output is viewed as --image C,H,W) or, by
// default, a fixed-seed random convolutional decoder (latent 8 → 1×16×16) wrapped in module_generator.
#include <latentwalk/eigen.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/export_eigen.hpp>
#include <latentwalk/torch/flows/flow_metrics.hpp>
#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>
#include <latentwalk/grassmann/sefa_directions.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include <torch/torch.h>
#ifdef LATENTWALK_HAVE_PLOT
#include "plot/image_grid.hpp"
#endif

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
namespace fs = std::filesystem;

namespace {

/// The built-in generator: z [B, 8] → fc 8→128 (32×2×2), three ×2 transposed convolutions with
/// LeakyReLU (32→32→16→8 channels), a 3×3 conv to 1 channel and a sigmoid: 1×16×16 images; weights
/// from the seed, calibrated (calibrate()).
struct conv_decoderImpl : ::torch::nn::Module {
    ::torch::nn::Linear fc{nullptr};
    ::torch::nn::ConvTranspose2d up1{nullptr}, up2{nullptr}, up3{nullptr};
    ::torch::nn::Conv2d out{nullptr};
    explicit conv_decoderImpl(std::int64_t d) {
        namespace nn = ::torch::nn;
        fc = register_module("fc", nn::Linear(d, 128));
        up1 = register_module("up1", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(32, 32, 4).stride(2).padding(1)));
        up2 = register_module("up2", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(32, 16, 4).stride(2).padding(1)));
        up3 = register_module("up3", nn::ConvTranspose2d(nn::ConvTranspose2dOptions(16, 8, 4).stride(2).padding(1)));
        out = register_module("out", nn::Conv2d(nn::Conv2dOptions(8, 1, 3).padding(1)));
    }
    /// He-normal weights, zero biases, then the last layer scaled so that its pre-sigmoid values vary
    /// with sd 1.5 across codes z ~ N(0, I): with LibTorch's default initialization the random decoder
    /// is nearly constant (its Jacobian ~1e-4), and no traversal of it could be told apart.
    void calibrate(std::int64_t d) {
        at::NoGradGuard g;
        for (auto& p : named_parameters()) {
            auto& w = p.value();
            if (p.key().find("bias") != std::string::npos) {
                w.zero_();
                continue;
            }
            const bool transposed = p.key().rfind("up", 0) == 0;
            const double fan_in = transposed ? double(w.size(0) * w.size(2) * w.size(3)) / 4.0
                                             : double(w.numel() / w.size(0));
            w.normal_(0.0, std::sqrt(2.0 / fan_in));
        }
        const auto pre = logits(at::randn({512, d}, fc->weight.options()));
        out->weight.mul_(1.5 / pre.std(0).mean().item<double>());
    }
    at::Tensor logits(const at::Tensor& z) {
        auto x = at::leaky_relu(fc->forward(z), 0.2).reshape({-1, 32, 2, 2});
        x = at::leaky_relu(up1->forward(x), 0.2);
        x = at::leaky_relu(up2->forward(x), 0.2);
        x = at::leaky_relu(up3->forward(x), 0.2);
        return out->forward(x);
    }
    at::Tensor forward(const at::Tensor& z) {
        const auto lead = z.sizes().vec();
        const auto x = at::sigmoid(logits(z.reshape({-1, z.size(-1)})));
        std::vector<std::int64_t> shape(lead.begin(), lead.end() - 1);
        shape.push_back(256);
        return x.reshape(shape);
    }
};
TORCH_MODULE(conv_decoder);

struct settings {
    std::string torchscript, method = "forward", out = "train_potentials_out", image = "1,16,16";
    std::int64_t latent_dim = 8, potentials = 8, steps = 1500, batch = 32, timesteps = 10, checkpoint_every = 250;
    std::int64_t vp_pairs = 2000, vp_epochs = 40, vp_runs = 3, grid_rows = 8;
    double lr = 1e-3, eval_step = lt::paper_inference_step, sefa_shift = 0.0;
    std::uint64_t seed = 1;
    bool resume = false, released_code = false, ablations = false, only_ablations = false;
    std::string sefa_weight;  ///< the parameter SeFa factorizes (default: the first 2-D one with d columns)
};

/// A method's traversal: (k, z₀ [B, d], direction) ↦ z₀ … z_T ([T + 1, B, d]) under the evaluation rule.
using traversal_path = std::function<at::Tensor(std::int64_t, const at::Tensor&, lw::flow_direction)>;

struct method {
    std::string name, file;  ///< table row, file stem
    std::int64_t directions;
    traversal_path path;
};

template <class Bank>
method bank_method(std::string name, std::string file, const Bank& bank, const settings& s) {
    return {std::move(name), std::move(file), bank.size(),
            [&bank, T = s.timesteps, eps = s.eval_step](std::int64_t k, const at::Tensor& z0, lw::flow_direction dir) {
                return lt::flow_path(bank, k, z0, T, eps, dir);
            }};
}

/// SeFa's top directions (rows [k, d]) of a first-layer weight [m, d], by the core's sefa_directions.
at::Tensor sefa_rows(const at::Tensor& weight, std::int64_t k) {
    const auto w = weight.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::MatrixXd W(w.size(0), w.size(1));
    for (std::int64_t i = 0; i < w.size(0); ++i)
        for (std::int64_t j = 0; j < w.size(1); ++j) W(i, j) = w[i][j].item<double>();
    const auto r = lw::sefa_directions(W, static_cast<long long>(k));
    at::Tensor out = at::empty({k, w.size(1)}, at::kDouble);
    for (std::int64_t i = 0; i < k; ++i)
        for (std::int64_t j = 0; j < w.size(1); ++j) out[i][j] = r.directions(j, i);
    return out;
}

/// The mean ‖z_T − z₀‖ of a method over `codes` draws and all its directions (forward traversal).
double mean_displacement(const method& m, std::int64_t d, std::int64_t T, std::uint64_t seed) {
    at::NoGradGuard g;
    at::manual_seed(seed);
    const auto z0 = at::randn({128, d}, at::kDouble);
    double sum = 0;
    for (std::int64_t k = 0; k < m.directions; ++k)
        sum += (m.path(k, z0, lw::flow_direction::ascent)[T] - z0).norm(2, -1).mean().item<double>();
    return sum / double(m.directions);
}

#ifdef LATENTWALK_HAVE_PLOT
/// One row per direction (up to `rows`): x(z_{−T}) … x(z₀) … x(z_T) for one code z₀.
void write_grid(const method& m, const lt::tensor_function& G, const lt::image_shape& shape, const at::Tensor& z0,
                const settings& s, const fs::path& file) {
    at::NoGradGuard g;
    const auto R = std::min(m.directions, s.grid_rows), T = s.timesteps;
    plot::image_grid grid(static_cast<std::size_t>(R), static_cast<std::size_t>(2 * T + 1),
                          static_cast<std::size_t>(shape.height), static_cast<std::size_t>(shape.width),
                          static_cast<std::size_t>(shape.channels));
    for (std::int64_t k = 0; k < R; ++k) {
        const auto up = m.path(k, z0, lw::flow_direction::ascent), down = m.path(k, z0, lw::flow_direction::descent);
        for (std::int64_t j = -T; j <= T; ++j) {
            const auto z = j < 0 ? down[-j] : up[j];
            const auto x = G(z).reshape({-1}).to(at::kCPU, at::kFloat).contiguous();
            grid.set(static_cast<std::size_t>(k), static_cast<std::size_t>(j + T), x.data_ptr<float>(),
                     static_cast<std::size_t>(x.numel()));
        }
        grid.row_labels.push_back("k=" + std::to_string(k + 1));
    }
    for (std::int64_t j = -T; j <= T; ++j) grid.col_labels.push_back(j % 5 == 0 ? std::to_string(j) : "");
    std::ostringstream title;
    title << m.name << ": t = -" << T << " ... " << T << ", eps = " << s.eval_step;
    grid.title = title.str();
    grid.write(file.string());
}
#endif

lt::image_shape parse_image(const std::string& s) {
    lt::image_shape sh;
    char c1 = 0, c2 = 0;
    std::istringstream is(s);
    if (!(is >> sh.channels >> c1 >> sh.height >> c2 >> sh.width) || c1 != ',' || c2 != ',')
        throw lw::invalid_argument_error("train_potentials: --image must be C,H,W (e.g. 1,28,28), got '" + s + "'.");
    return sh;
}

template <class Bank>
void train_one(const std::string& name, const std::shared_ptr<Bank>& bank, const lt::tensor_function& G,
               const lt::image_shape& shape, lt::flow_trainer_options o, const settings& s) {
    auto clf = std::make_shared<lt::lenet_pair_classifier>(shape.channels, bank->size());
    lt::flow_trainer<Bank, lt::lenet_pair_classifier> tr(bank, clf, G, shape, o);
    const fs::path ckpt = fs::path(s.out) / (name + ".ckpt"), csv = fs::path(s.out) / (name + ".csv");
    if (s.resume && fs::exists(ckpt)) {
        tr.load(ckpt);
        std::cout << "  " << name << ": resumed at step " << tr.steps_done() << "\n";
    }
    std::ofstream log(csv, tr.steps_done() > 0 ? std::ios::app : std::ios::trunc);
    if (tr.steps_done() == 0) log << "step,k,t,total,wave,initial,jacobian,classifier,accuracy\n";
    log << std::setprecision(10);
    const auto t0 = std::chrono::steady_clock::now();
    double acc_window = 0, total_window = 0;
    int window = 0;
    while (tr.steps_done() < s.steps) {
        const auto r = tr.step();
        log << r.step << ',' << r.k << ',' << r.t << ',' << r.total << ',' << r.wave << ',' << r.initial << ','
            << r.jacobian << ',' << r.classifier << ',' << r.accuracy << '\n';
        acc_window += r.accuracy;
        total_window += r.total;
        ++window;
        if (r.step % s.checkpoint_every == 0 || r.step == s.steps) {
            log.flush();
            tr.save(ckpt);
            const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::cout << "  " << name << " step " << r.step << "/" << s.steps << ": mean batch accuracy "
                      << acc_window / window << ", mean total " << total_window / window << " (" << std::fixed
                      << std::setprecision(1) << sec << " s)" << std::defaultfloat << std::setprecision(6) << std::endl;
            acc_window = total_window = 0;
            window = 0;
        }
    }
}

/// The Eigen export: weights as JSON (the nn.Linear layout of eigen::mlp_potential), and a replay check.
double export_eigen(const lt::potential_bank& bank, const settings& s) {
    auto eig = lt::to_eigen(bank);
    std::ofstream js(fs::path(s.out) / "potentials_eigen.json");
    js << std::setprecision(17) << "{\n  \"d\": " << bank.dim() << ", \"hidden\": " << bank.hidden()
       << ", \"embedding\": " << bank.embedding() << ", \"output_tanh\": " << (bank.output_tanh() ? "true" : "false")
       << ",\n  \"potentials\": [\n";
    auto arr = [&](const char* key, const std::vector<double>& v, bool last = false) {
        js << "      \"" << key << "\": [";
        for (std::size_t i = 0; i < v.size(); ++i) js << (i ? ", " : "") << v[i];
        js << "]" << (last ? "\n" : ",\n");
    };
    for (std::int64_t k = 0; k < bank.size(); ++k) {
        const auto w = bank.weights_as(k);
        js << "    {\n      \"wave_speed\": " << bank.wave_speed(k) << ",\n";
        arr("W_z", w.W_z); arr("b_z", w.b_z); arr("W_t1", w.W_t1); arr("b_t1", w.b_t1); arr("W_t2", w.W_t2);
        arr("b_t2", w.b_t2); arr("W_f", w.W_f); arr("b_f", w.b_f); arr("w_out", w.w_out);
        js << "      \"b_out\": " << w.b_out << "\n    }" << (k + 1 < bank.size() ? ",\n" : "\n");
    }
    js << "  ]\n}\n";
    // replay: T steps of the evaluation rule z ← z ± ε∇u(z, t), t = 0 … T − 1, both ways, on the torch bank
    // and on the Eigen potentials through the integrator's integer_time rule (paper_rule)
    at::manual_seed(s.seed + 99);
    const auto z0 = at::randn({4, bank.dim()}, at::kDouble);
    double worst = 0;
    for (std::int64_t k = 0; k < bank.size(); ++k)
        for (const auto dir : {lw::flow_direction::ascent, lw::flow_direction::descent}) {
            const auto path = lt::flow_path(bank, k, z0, s.timesteps, s.eval_step, dir);
            for (std::int64_t b = 0; b < z0.size(0); ++b) {
                auto o = lw::potential_flow_options<lw::eigen::backend<double>>::paper_rule(s.timesteps, s.eval_step);
                o.direction = dir;
                Eigen::VectorXd zb(bank.dim());
                for (std::int64_t i = 0; i < bank.dim(); ++i) zb[i] = z0[b][i].item<double>();
                const auto sol = lw::potential_flow(eig.potentials[static_cast<std::size_t>(k)], zb, o);
                const Eigen::VectorXd end = sol.path.points.back();
                for (std::int64_t i = 0; i < bank.dim(); ++i)
                    worst = std::max(worst, std::abs(end[i] - path[s.timesteps][b][i].item<double>()));
            }
        }
    return worst;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"Train potential flows (Song et al., ICML 2023) and the linear and WarpedSpace baselines on a "
                 "generator; report VP scores."};
    app.add_option("--torchscript", s.torchscript, "TorchScript generator file (default: a fixed-seed random conv decoder)");
    app.add_option("--method", s.method, "method of the TorchScript module to call");
    app.add_option("--latent-dim", s.latent_dim, "latent dimension d (the built-in decoder: 8)");
    app.add_option("--image", s.image, "the generator's output viewed as C,H,W");
    app.add_option("--potentials,-K", s.potentials, "number of potentials / directions K");
    app.add_option("--steps", s.steps, "training steps per method");
    app.add_option("--batch", s.batch, "batch size");
    app.add_option("--timesteps,-T", s.timesteps, "T of the flow (the paper: 10)");
    app.add_option("--lr", s.lr, "Adam learning rate of the banks and classifiers");
    app.add_option("--seed", s.seed, "seed of the draws, the banks and the decoder");
    app.add_option("--checkpoint-every", s.checkpoint_every, "steps between checkpoints");
    app.add_option("--vp-pairs", s.vp_pairs, "pairs of the VP data set (the paper: 10000)");
    app.add_option("--vp-epochs", s.vp_epochs, "epochs of the VP classifier (the paper: 300)");
    app.add_option("--vp-runs", s.vp_runs, "VP runs (the paper: 3)");
    app.add_option("--eval-step", s.eval_step, "latent step eps of the evaluation rule (integer time index per step)");
    app.add_option("--sefa-shift", s.sefa_shift, "SeFa's total shift s (0: the potential flow's mean displacement)");
    app.add_option("--sefa-weight", s.sefa_weight, "the generator parameter SeFa factorizes (default: the first 2-D one with d columns)");
    app.add_option("--grid-rows", s.grid_rows, "potentials shown in each traversal grid");
    app.add_flag("--ablations", s.ablations, "also train and score the potential flow without L_J, without L_f and without L_u");
    app.add_flag("--only-ablations", s.only_ablations, "train and score the three ablations only (a second process beside a main run)");
    app.add_option("--out", s.out, "output folder");
    app.add_flag("--resume", s.resume, "continue from the checkpoints in --out");
    app.add_flag("--released-code", s.released_code, "the released code's loss options instead of the paper's");
    CLI11_PARSE(app, argc, argv);
    try {
        at::set_num_threads(1);
        fs::create_directories(s.out);
        lt::image_shape shape = parse_image(s.image);
        lt::tensor_function G;
        std::string generator_name;
        std::shared_ptr<lt::module_generator<double>> holder;
        at::Tensor first_layer;  // SeFa's weight [m, d]
        auto sefa_pick = [&](const std::string& name, const at::Tensor& p) {
            if (first_layer.defined()) return;
            if (s.sefa_weight.empty() ? (p.dim() == 2 && p.size(1) == s.latent_dim) : name == s.sefa_weight) {
                first_layer = p.detach().clone();
                std::cout << "SeFa factorizes '" << name << "' " << lt::detail::shape_string(p) << "\n";
            }
        };
        if (!s.torchscript.empty()) {
            auto g = std::make_shared<lt::torchscript_generator<double>>(s.torchscript, s.latent_dim,
                                                                         lw::torch::torchscript_options{.method = s.method});
            holder = g;
            generator_name = "TorchScript '" + s.torchscript + "'";
            for (const auto& p : g->module().named_parameters(/*recurse=*/true)) sefa_pick(p.name, p.value);
        } else {
            s.latent_dim = 8;
            shape = {1, 16, 16};
            at::manual_seed(s.seed);
            conv_decoder dec(s.latent_dim);
            dec->to(at::kDouble);
            dec->calibrate(s.latent_dim);
            for (auto& p : dec->parameters()) p.set_requires_grad(false);
            for (const auto& p : dec->named_parameters()) sefa_pick(p.key(), p.value());
            holder = std::make_shared<lt::module_generator<double>>(dec, s.latent_dim, std::int64_t{256});
            generator_name = "random conv decoder (seed " + std::to_string(s.seed) + ", 8 → 1×16×16)";
        }
        G = holder->function();
        const std::int64_t d = s.latent_dim, K = s.potentials;
        {
            at::manual_seed(s.seed + 5);
            const auto z = at::randn({64, d}, at::kDouble);
            const auto x = G(z).reshape({64, -1});
            const auto jv = lt::detail::generator_jvp(G, z, at::randn({64, d}, at::kDouble)).reshape({64, -1});
            std::cout << "generator: per-pixel sd across codes " << x.std(0).mean().item<double>()
                      << ", mean |J v| for a random unit-variance v " << jv.norm(2, -1).mean().item<double>() << "\n";
        }
        std::cout << "train_potentials: " << generator_name << ", d = " << d << ", images " << shape.channels << "×"
                  << shape.height << "×" << shape.width << ", K = " << K << ", T = " << s.timesteps << ", "
                  << s.steps << " steps per method, batch " << s.batch << ", lr " << s.lr << "\n";

        lt::flow_trainer_options o;
        o.loss = s.released_code ? lt::flow_loss_options::released_code() : lt::flow_loss_options{};
        o.loss.timesteps = s.timesteps;
        o.batch = s.batch;
        o.bank_learning_rate = o.classifier_learning_rate = s.lr;
        o.seed = s.seed;
        auto pf = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = s.seed});
        auto lin = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = s.seed});
        auto rbf = std::make_shared<lt::rbf_bank>(d, lt::rbf_bank_options{.potentials = K, .seed = s.seed});
        const bool main_methods = !s.only_ablations;
        auto ob = o;  // the baselines: L_J and L_k (flow_loss_options::baseline)
        ob.loss = lt::flow_loss_options::baseline(o.loss);
        if (main_methods) {
            at::manual_seed(s.seed + 1);
            train_one("potential_flow", pf, G, shape, o, s);
            at::manual_seed(s.seed + 1);
            train_one("linear", lin, G, shape, ob, s);
            at::manual_seed(s.seed + 1);
            train_one("warped_rbf", rbf, G, shape, ob, s);
        }
        // the ablations of Appendix A.2 (Table 6): the same run with one loss term's weight set to 0
        struct ablation { std::string name, file; double lt::flow_loss_options::*weight; };
        const std::vector<ablation> ablations = {{"PF without L_J", "pf_without_jacobian", &lt::flow_loss_options::weight_jacobian},
                                                 {"PF without L_f", "pf_without_wave", &lt::flow_loss_options::weight_wave},
                                                 {"PF without L_u", "pf_without_initial", &lt::flow_loss_options::weight_initial}};
        std::vector<std::shared_ptr<lt::potential_bank>> ablated;
        if (s.ablations || s.only_ablations)
            for (const auto& a : ablations) {
                auto oa = o;
                oa.loss.*a.weight = 0.0;
                ablated.push_back(std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = s.seed}));
                at::manual_seed(s.seed + 1);
                train_one(a.file, ablated.back(), G, shape, oa, s);
            }

        std::vector<method> methods;
        if (main_methods) {
            const double replay = export_eigen(*pf, s);
            std::cout << "Eigen export: potentials_eigen.json; the Eigen flow (integer_time, eps " << s.eval_step
                      << ", both ways) replays the torch flow to " << replay << "\n";
            // the methods under the evaluation rule; SeFa's shift matches the potential flow's displacement
            methods = {bank_method("potential flow", "potential_flow", *pf, s), bank_method("linear", "linear", *lin, s),
                       bank_method("WarpedSpace RBF", "warped_rbf", *rbf, s)};
            const double pf_shift = mean_displacement(methods[0], d, s.timesteps, s.seed + 3);
            if (first_layer.defined()) {
                const auto Ks = std::min(K, d);
                const double shift = s.sefa_shift > 0.0 ? s.sefa_shift : pf_shift;
                methods.push_back({"SeFa", "sefa", Ks,
                                   [dirs = sefa_rows(first_layer, Ks), shift, T = s.timesteps](
                                       std::int64_t k, const at::Tensor& z0, lw::flow_direction dir) {
                                       const auto n = dirs[k].to(z0.options()) * (dir == lw::flow_direction::ascent ? 1.0 : -1.0);
                                       std::vector<at::Tensor> zs;
                                       for (std::int64_t j = 0; j <= T; ++j) zs.push_back(z0 + (shift * double(j) / double(T)) * n);
                                       return at::stack(zs, 0);
                                   }});
            } else {
                std::cout << "SeFa skipped: the generator has no 2-D parameter with " << d << " columns (--sefa-weight)\n";
            }
        }
        for (std::size_t a = 0; a < ablated.size(); ++a)
            methods.push_back(bank_method(ablations[a].name, ablations[a].file, *ablated[a], s));

        // VP scores: pairs [x_0, x_T] along each method's directions
        lt::vp_score_options vo;
        vo.pairs = s.vp_pairs;
        vo.epochs = s.vp_epochs;
        vo.runs = s.vp_runs;
        vo.seed = s.seed;
        std::ofstream vcsv(fs::path(s.out) / "vp.csv"), vmd(fs::path(s.out) / "vp.md");
        vcsv << "method,directions,mean,sd,runs,displacement\n";
        vmd << "| method | directions | VP score (%) | runs | mean ‖z_T − z₀‖ |\n|---|---|---|---|---|\n";
        std::cout << "VP score (" << vo.runs << " runs, " << vo.pairs << " pairs, " << std::llround(vo.train_fraction * double(vo.pairs))
                  << " for training, " << vo.epochs << " epochs; eps " << s.eval_step << ", T " << s.timesteps << "):\n";
        at::manual_seed(s.seed + 4);
        const auto grid_z0 = at::randn({1, d}, at::kDouble);
        for (const auto& m : methods) {
            const auto T = s.timesteps;
            const auto r = lt::vp_score(G, shape, m.directions,
                                        [&m, T](std::int64_t k, const at::Tensor& z0) { return m.path(k, z0, lw::flow_direction::ascent)[T]; },
                                        d, vo);
            const double disp = mean_displacement(m, d, T, s.seed + 3);
            std::ostringstream runs;
            for (std::size_t i = 0; i < r.runs.size(); ++i) runs << (i ? " " : "") << std::setprecision(4) << 100 * r.runs[i];
            vcsv << m.name << ',' << m.directions << ',' << 100 * r.mean << ',' << 100 * r.sd << ',' << runs.str() << ','
                 << disp << '\n';
            vmd << "| " << m.name << " | " << m.directions << " | " << std::fixed << std::setprecision(2) << 100 * r.mean
                << " ± " << 100 * r.sd << " | " << runs.str() << " | " << disp << std::defaultfloat << " |\n";
            std::cout << "  " << std::left << std::setw(16) << m.name << std::right << std::fixed << std::setprecision(2)
                      << 100 * r.mean << " ± " << 100 * r.sd << std::defaultfloat << std::setprecision(6) << "  (runs "
                      << runs.str() << "; " << m.directions << " directions, chance " << 100.0 / double(m.directions)
                      << " %; mean displacement " << disp << ")" << std::endl;
#ifdef LATENTWALK_HAVE_PLOT
            write_grid(m, G, shape, grid_z0, s, fs::path(s.out) / ("grid_" + m.file + ".png"));
#endif
        }
        std::cout << "wrote " << s.out << "/<method>.{ckpt,csv}, potentials_eigen.json, vp.csv, vp.md"
#ifdef LATENTWALK_HAVE_PLOT
                  << ", grid_<method>.png"
#endif
                  << "\n";
    } catch (const lw::error& e) {
        std::cerr << "train_potentials: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
