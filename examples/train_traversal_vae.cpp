// train_traversal_vae — trains a VAE with supervised potential-flow traversals (Song et al., ICML 2023,
// §4.3) on procedural sprite sequences with exact states, next to the naively trained VAE of Table 4 and
// the paper's linear potential under the same loss, and measures Tables 4 and 5: ELBO and IWAE
// log-likelihood with and without traversal training, and the equivariance error per factor.
//
//   train_traversal_vae --out runs/tvae                       # 2048 train / 256 test sequences, 32×32, d = 8
//   train_traversal_vae --out runs/tvae --steps 4000 --resume # continue the three runs from their checkpoints
//
// Data: flows/sprite_traversals.hpp — each sequence moves one factor (scale, rotation, x, y) through S = 8
// exactly rendered states; the test sequences come from another seed. Three runs, each from the same
// initial VAE (seed --seed) and the same draws:
//   vanilla         −ELBO of every state (the paper's "naively trained baseline", Appendix A.1)
//   potential flow  −ELBO + L_z + L_x + L_f + L_u (eq. 8–10), K = 4 potentials, one per factor
//   linear          −ELBO + L_z + L_x with u^k = a_kᵀz (the paper's linear baseline; L_f, L_u off)
// Writes into --out: <run>.ckpt (traversal_vae_trainer checkpoints, atomic, every --checkpoint-every steps
// and at the end; --resume continues them bit for bit), <run>.csv (one row per step), results.md and
// results.csv (ELBO, IWAE_k, the equivariance error of each factor for the run's flow and for ∇u = 0),
// grid.png (per factor: the ground-truth states, the potential flow's and the linear flow's decoded
// states from the encoded x₀; needs cairo). One thread (--threads).
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>
#include <latentwalk/torch/flows/sprite_traversals.hpp>
#include <latentwalk/torch/flows/traversal_vae.hpp>

#include <torch/torch.h>
#ifdef LATENTWALK_HAVE_PLOT
#include "plot/image_grid.hpp"
#endif

#include <CLI/CLI.hpp>

#include <chrono>
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
namespace m = latentwalk::torch::models;
namespace fs = std::filesystem;

namespace {

struct settings {
    std::string out = "train_traversal_vae_out";
    std::int64_t train_sequences = 2048, test_sequences = 256, resolution = 32, latent_dim = 8, base_width = 32;
    std::int64_t steps = 2000, batch = 16, checkpoint_every = 250, iwae_samples = 64, threads = 1;
    double model_lr = 1e-3, bank_lr = 1e-3;
    std::uint64_t seed = 1;
    bool resume = false, all_times = false;
};

m::vae make_vae(const settings& s) {
    at::manual_seed(s.seed);
    return m::vae(m::vae_options{.latent_dim = s.latent_dim, .channels = 1, .height = s.resolution, .width = s.resolution,
                                 .base_width = s.base_width, .max_width = 256});
}

template <class Bank>
void train_run(const std::string& name, lt::traversal_vae_trainer<Bank>& tr, const settings& s) {
    const fs::path ckpt = fs::path(s.out) / (name + ".ckpt"), csv = fs::path(s.out) / (name + ".csv");
    if (s.resume && fs::exists(ckpt)) {
        tr.load(ckpt);
        std::cout << "  " << name << ": resumed at step " << tr.steps_done() << "\n";
    }
    std::ofstream log(csv, tr.steps_done() > 0 ? std::ios::app : std::ios::trunc);
    if (tr.steps_done() == 0) log << "step,k,t,total,negative_elbo,latent,reconstruction,wave,initial\n";
    log << std::setprecision(10);
    const auto t0 = std::chrono::steady_clock::now();
    const auto first = tr.steps_done();
    double e = 0, z = 0, x = 0;
    int n = 0;
    while (tr.steps_done() < s.steps) {
        const auto r = tr.step();
        log << r.step << ',' << r.k << ',' << r.t << ',' << r.total << ',' << r.negative_elbo << ',' << r.latent << ','
            << r.reconstruction << ',' << r.wave << ',' << r.initial << '\n';
        e += r.negative_elbo, z += r.latent, x += r.reconstruction, ++n;
        if (r.step % s.checkpoint_every == 0 || r.step == s.steps) {
            log.flush();
            tr.save(ckpt);
            const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::cout << "  " << name << " step " << r.step << "/" << s.steps << ": mean over the last " << n
                      << " steps: -ELBO " << e / n << ", L_z " << z / n << ", L_x " << x / n << " ("
                      << std::setprecision(3) << sec / double(r.step - first) << " s/step)" << std::setprecision(6)
                      << std::endl;
            e = z = x = 0, n = 0;
        }
    }
    if (tr.steps_done() > 0 && !fs::exists(ckpt)) tr.save(ckpt);
}

struct row {
    std::string name;
    lt::traversal_vae_scores scores;
};

}  // namespace

int main(int argc, char** argv) {
    settings s;
    CLI::App app{"Train a VAE with supervised potential-flow traversals (Song et al., ICML 2023, §4.3) on sprite "
                 "sequences, beside the vanilla VAE and the linear-potential baseline; report ELBO, IWAE and equivariance."};
    app.add_option("--out", s.out, "output folder");
    app.add_option("--train-sequences", s.train_sequences, "training sequences (8 states each)");
    app.add_option("--test-sequences", s.test_sequences, "held-out sequences (another seed)");
    app.add_option("--resolution", s.resolution, "image side (sprites are rendered at this size)");
    app.add_option("--latent-dim", s.latent_dim, "latent dimension d");
    app.add_option("--base-width", s.base_width, "channels of the VAE's first convolution");
    app.add_option("--steps", s.steps, "training steps per run");
    app.add_option("--batch", s.batch, "sequences per step");
    app.add_option("--model-lr", s.model_lr, "Adam learning rate of the VAE");
    app.add_option("--bank-lr", s.bank_lr, "Adam learning rate of the potentials");
    app.add_option("--checkpoint-every", s.checkpoint_every, "steps between checkpoints");
    app.add_option("--iwae-samples", s.iwae_samples, "k of IWAE_k");
    app.add_option("--seed", s.seed, "seed of the data, the initial VAE and the draws");
    app.add_option("--threads", s.threads, "intra-op threads");
    app.add_flag("--all-times", s.all_times, "L_z and L_x over every t of a sequence instead of one sampled t per batch");
    app.add_flag("--resume", s.resume, "continue from the checkpoints in --out");
    CLI11_PARSE(app, argc, argv);
    try {
        at::set_num_threads(static_cast<int>(s.threads));
        fs::create_directories(s.out);
        const auto R = static_cast<std::size_t>(s.resolution);
        const auto train = lt::sprite_traversals(s.train_sequences, {.resolution = R, .seed = s.seed});
        const auto test = lt::sprite_traversals(s.test_sequences, {.resolution = R, .seed = s.seed + 1000});
        const std::int64_t K = train.factors(), d = s.latent_dim;
        std::cout << "train_traversal_vae: " << s.train_sequences << " train / " << s.test_sequences << " test sequences of "
                  << train.states() << " sprite states (" << s.resolution << "×" << s.resolution << "), factors";
        for (const auto& f : train.factor_names) std::cout << ' ' << f;
        std::cout << "; d = " << d << ", K = " << K << ", " << s.steps << " steps per run, batch " << s.batch
                  << " sequences, seed " << s.seed << "\n";

        lt::traversal_vae_trainer_options o;
        o.batch = s.batch;
        o.model_learning_rate = s.model_lr;
        o.bank_learning_rate = s.bank_lr;
        o.seed = s.seed;
        if (s.all_times) o.loss.times = lt::traversal_times::all;
        auto ov = o, ol = o;
        ov.loss = lt::traversal_vae_loss_options::vanilla();
        ol.loss = lt::traversal_vae_loss_options::baseline(o.loss);

        auto pf_bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = s.seed});
        auto lin_bank = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = s.seed});
        auto unused = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = s.seed});
        lt::traversal_vae_trainer<lt::potential_bank> vanilla(make_vae(s), unused, train, ov);
        lt::traversal_vae_trainer<lt::potential_bank> pf(make_vae(s), pf_bank, train, o);
        lt::traversal_vae_trainer<lt::linear_bank> lin(make_vae(s), lin_bank, train, ol);
        train_run("vanilla", vanilla, s);
        train_run("potential_flow", pf, s);
        train_run("linear", lin, s);

        lt::traversal_vae_evaluation_options eo;
        eo.iwae_samples = s.iwae_samples;
        eo.seed = s.seed;
        std::vector<row> rows;
        rows.push_back({"vanilla VAE (ELBO only)", lt::evaluate_traversal_vae<lt::potential_bank>(vanilla.model(), nullptr, test, eo)});
        rows.push_back({"VAE + potential-flow traversals", lt::evaluate_traversal_vae(pf.model(), &pf.bank(), test, eo)});
        rows.push_back({"VAE + linear traversals", lt::evaluate_traversal_vae(lin.model(), &lin.bank(), test, eo)});

        std::ofstream csv(fs::path(s.out) / "results.csv"), md(fs::path(s.out) / "results.md");
        csv << "run,elbo,elbo_stderr,iwae,iwae_stderr";
        md << "| run (" << s.steps << " steps, seed " << s.seed << ") | ELBO | IWAE_" << s.iwae_samples << " |";
        for (const auto& f : test.factor_names) csv << ",err_" << f << ",err_zero_" << f, md << " Err " << f << " (flow / ∇u=0) |";
        csv << "\n";
        md << "\n|---|---|---|";
        for (std::size_t i = 0; i < test.factor_names.size(); ++i) md << "---|";
        md << "\n" << std::fixed << std::setprecision(2);
        csv << std::setprecision(8);
        for (const auto& r : rows) {
            const auto& c = r.scores;
            csv << r.name << ',' << c.elbo << ',' << c.elbo_stderr << ',' << c.iwae << ',' << c.iwae_stderr;
            md << "| " << r.name << " | " << c.elbo << " ± " << c.elbo_stderr << " | " << c.iwae << " ± " << c.iwae_stderr << " |";
            for (std::size_t f = 0; f < c.equivariance_zero.size(); ++f) {
                const bool flow = !c.equivariance.empty();
                csv << ',' << (flow ? std::to_string(c.equivariance[f]) : std::string("")) << ',' << c.equivariance_zero[f];
                md << ' ' << (flow ? [&] { std::ostringstream v; v << std::fixed << std::setprecision(1) << c.equivariance[f]; return v.str(); }() : std::string("—"))
                   << " / " << std::setprecision(1) << c.equivariance_zero[f] << std::setprecision(2) << " |";
            }
            csv << "\n";
            md << "\n";
        }
        md << "\nELBO and IWAE: nats per image over the " << rows[0].scores.images << " held-out images (" << s.test_sequences
           << " sequences × " << test.states() << " states), ± standard error. Err: eq. 11, Σ_t ℓ₁ over pixels, t = 1 … "
           << test.states() - 1 << ", mean over the held-out sequences of that factor; ∇u = 0 is the paper's lower-bound baseline.\n";
        md.close();
        csv.close();
        std::cout << "\n" << std::ifstream(fs::path(s.out) / "results.md").rdbuf() << "\n";
#ifdef LATENTWALK_HAVE_PLOT
        {
            at::NoGradGuard ng;
            const auto S = test.states();
            plot::image_grid grid(static_cast<std::size_t>(3 * K), static_cast<std::size_t>(S), R, R, 1);
            const auto f = test.factor.to(at::kLong);
            for (std::int64_t k = 0; k < K; ++k) {
                const auto i = (f == k).nonzero().squeeze(-1)[0].item<std::int64_t>();
                const auto seq = test.images[i];  // [S, 1, R, R]
                const auto put = [&](std::int64_t r, const at::Tensor& imgs) {
                    const auto h = imgs.reshape({S, -1}).to(at::kCPU, at::kFloat).contiguous();
                    for (std::int64_t j = 0; j < S; ++j)
                        grid.set(static_cast<std::size_t>(r), static_cast<std::size_t>(j), h[j].data_ptr<float>(), R * R);
                };
                put(3 * k, seq);
                const auto z0p = pf.model()->encode(seq.narrow(0, 0, 1)).first.to(at::kDouble);
                put(3 * k + 1, pf.model()->decoder()->forward(lt::flow_path(pf.bank(), k, z0p, S - 1).squeeze(1).to(at::kFloat)));
                const auto z0l = lin.model()->encode(seq.narrow(0, 0, 1)).first.to(at::kDouble);
                put(3 * k + 2, lin.model()->decoder()->forward(lt::flow_path(lin.bank(), k, z0l, S - 1).squeeze(1).to(at::kFloat)));
                grid.row_labels.push_back(test.factor_names[static_cast<std::size_t>(k)] + ": truth");
                grid.row_labels.push_back("PF");
                grid.row_labels.push_back("linear");
            }
            for (std::int64_t j = 0; j < S; ++j) grid.col_labels.push_back("t=" + std::to_string(j));
            grid.title = "sprite sequences: ground truth, potential flow and linear flow from Enc(x0)";
            grid.write((fs::path(s.out) / "grid.png").string());
        }
#endif
        std::cout << "wrote " << s.out << "/{vanilla,potential_flow,linear}.{ckpt,csv}, results.md, results.csv"
#ifdef LATENTWALK_HAVE_PLOT
                  << ", grid.png"
#endif
                  << "\n";
    } catch (const lw::error& e) {
        std::cerr << "train_traversal_vae: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
