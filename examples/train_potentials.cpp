// train_potentials — trains K potentials of Song et al. (ICML 2023) on a generator, and the linear and
// WarpedSpace RBF baselines under the same loop, then scores all three with the paper's VP protocol.
//
//   train_potentials --out runs/pf                                   # the built-in random conv decoder
//   train_potentials --torchscript decoder.pt --latent-dim 16 --image 1,28,28 --out runs/vae
//   train_potentials --out runs/pf --resume                           # continue from the checkpoints
//
// Writes into --out: <method>.ckpt (trainer checkpoints, atomic, every --checkpoint-every steps and at
// the end; --resume continues them bit for bit), <method>.csv (one row per step: k, t and every loss
// term, the batch accuracy), potentials_eigen.json (the trained potentials' weights in the nn.Linear
// layout that eigen::mlp_potential takes, and the wave speeds; the program replays a flow with the
// Eigen potentials and prints the largest difference from the torch flow), vp.csv and vp.md (the VP
// scores, mean ± sd over --vp-runs).
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
#include <latentwalk/traversal/potential_flow.hpp>

#include <torch/torch.h>

#include <CLI/CLI.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
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
    std::int64_t vp_pairs = 2000, vp_epochs = 40, vp_runs = 3;
    double lr = 1e-3;
    std::uint64_t seed = 1;
    bool resume = false, released_code = false;
};

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
    // replay: T steps of the paper's rule z ← z + ∇u(z, t) on the torch bank and on the Eigen potentials
    at::manual_seed(s.seed + 99);
    const auto z0 = at::randn({4, bank.dim()}, at::kDouble);
    double worst = 0;
    for (std::int64_t k = 0; k < bank.size(); ++k) {
        const auto path = lt::flow_path(bank, k, z0, s.timesteps);
        for (std::int64_t b = 0; b < z0.size(0); ++b) {
            lw::potential_flow_options<lw::eigen::backend<double>> o;
            o.ode.method = lw::ode_method::euler;
            o.ode.steps = static_cast<int>(s.timesteps);
            o.ode.t0 = 0.0;
            o.ode.t1 = static_cast<double>(s.timesteps);
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
        if (!s.torchscript.empty()) {
            auto g = std::make_shared<lt::torchscript_generator<double>>(s.torchscript, s.latent_dim,
                                                                         lw::torch::torchscript_options{.method = s.method});
            holder = g;
            generator_name = "TorchScript '" + s.torchscript + "'";
        } else {
            s.latent_dim = 8;
            shape = {1, 16, 16};
            at::manual_seed(s.seed);
            conv_decoder dec(s.latent_dim);
            dec->to(at::kDouble);
            dec->calibrate(s.latent_dim);
            for (auto& p : dec->parameters()) p.set_requires_grad(false);
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
        at::manual_seed(s.seed + 1);
        train_one("potential_flow", pf, G, shape, o, s);
        auto ob = o;  // the baselines: L_J and L_k (flow_loss_options::baseline)
        ob.loss = lt::flow_loss_options::baseline(o.loss);
        at::manual_seed(s.seed + 1);
        train_one("linear", lin, G, shape, ob, s);
        at::manual_seed(s.seed + 1);
        train_one("warped_rbf", rbf, G, shape, ob, s);

        const double replay = export_eigen(*pf, s);
        std::cout << "Eigen export: potentials_eigen.json; the Eigen flow replays the torch flow to " << replay << "\n";

        // VP scores: pairs [x_0, x_T] after T steps of each method's flow (step 1, the training rule)
        lt::vp_score_options vo;
        vo.pairs = s.vp_pairs;
        vo.epochs = s.vp_epochs;
        vo.runs = s.vp_runs;
        vo.seed = s.seed;
        struct row { std::string name; lt::vp_score_result r; };
        std::vector<row> rows;
        rows.push_back({"potential flow", lt::vp_score(G, shape, K, lt::flow_endpoint(*pf, s.timesteps), d, vo)});
        rows.push_back({"linear", lt::vp_score(G, shape, K, lt::flow_endpoint(*lin, s.timesteps), d, vo)});
        rows.push_back({"WarpedSpace RBF", lt::vp_score(G, shape, K, lt::flow_endpoint(*rbf, s.timesteps), d, vo)});
        std::ofstream vcsv(fs::path(s.out) / "vp.csv"), vmd(fs::path(s.out) / "vp.md");
        vcsv << "method,mean,sd,runs\n";
        vmd << "| method | VP score (%) | runs |\n|---|---|---|\n";
        std::cout << "VP score (" << vo.runs << " runs, " << vo.pairs << " pairs, " << rows[0].r.train_pairs
                  << " for training, " << vo.epochs << " epochs; chance " << 100.0 / double(K) << " %):\n";
        for (const auto& r : rows) {
            std::ostringstream runs;
            for (std::size_t i = 0; i < r.r.runs.size(); ++i) runs << (i ? " " : "") << std::setprecision(4) << 100 * r.r.runs[i];
            vcsv << r.name << ',' << 100 * r.r.mean << ',' << 100 * r.r.sd << ',' << runs.str() << '\n';
            vmd << "| " << r.name << " | " << std::fixed << std::setprecision(2) << 100 * r.r.mean << " ± "
                << 100 * r.r.sd << std::defaultfloat << " | " << runs.str() << " |\n";
            std::cout << "  " << std::left << std::setw(16) << r.name << std::right << std::fixed << std::setprecision(2)
                      << 100 * r.r.mean << " ± " << 100 * r.r.sd << std::defaultfloat << std::setprecision(6)
                      << "  (runs " << runs.str() << ")\n";
        }
        std::cout << "wrote " << s.out << "/{potential_flow,linear,warped_rbf}.{ckpt,csv}, potentials_eigen.json, vp.csv, vp.md\n";
    } catch (const lw::error& e) {
        std::cerr << "train_potentials: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
