// train_traversal_vae — trains a VAE with supervised potential-flow traversals (Song et al., ICML 2023,
// §4.3) on procedural sprite sequences with exact states, next to the naively trained VAE of Table 4 and
// the paper's linear potential under the same loss, and measures Tables 4 and 5: ELBO and IWAE
// log-likelihood with and without traversal training, and the equivariance error per factor.
//
//   train_traversal_vae --out runs/tvae                       # 2048 train / 256 test sequences, 32×32, d = 8
//   train_traversal_vae --out runs/tvae --steps 4000 --resume # continue the three runs from their checkpoints
//
// Data: flows/sprite_traversals.hpp — each sequence moves one factor (scale, rotation, x, y) through S = 8
// exactly rendered states; the test sequences come from another seed. Three VAE runs, each from the same
// initial VAE (seed --seed) and the same draws, and two banks on the frozen vanilla VAE:
//   vanilla         −ELBO of every state (the paper's "naively trained baseline", Appendix A.1)
//   potential flow  −ELBO + L_z + L_x + L_f + L_u (eq. 8–10), K = 4 potentials, one per factor
//   linear          −ELBO + L_z + L_x with u^k = a_kᵀz (the paper's linear baseline; L_f, L_u off)
//   pretrained PF   the vanilla VAE frozen after its run, K = 4 potentials trained on its decoder by
//                   flow_trainer (L_u + L_f + L_J + L_k, eq. 10's underlined terms, §5.3) with the VAE's
//                   encoder as the auxiliary classifier (encoder_pair_classifier, τ = 1); z₀ ~ N(0, I),
//                   T = --pretrained-timesteps (Appendix A: 10), batch --pretrained-batch (flow_trainer's
//                   default 32), Adam at --bank-lr (the paper's 1e-4 moves little in a short run), training
//                   ε = 1 (the paper's); --pretrained-steps (default --steps). No sequences are used to train
//                   it; since its potential j need not move factor j, its equivariance error is scored
//                   with the one-to-one potential/direction per factor that match_potentials picks on the
//                   first --match-sequences training sequences (our choice; the paper reports no Err here).
//   pretrained lin. the paper's linear baseline (u^k = a_kᵀz) on the same frozen VAE under the same loop: L_J + L_k
//                   (flow_loss_options::baseline), the same encoder classifier — Table 3's PF-vs-linear comparison.
// VP score (flow_metrics.hpp's vp_score, the paper's protocol, --vp-runs runs of --vp-pairs pairs, 10 % to
// train, --vp-epochs epochs; --vp-cheap = 2000 pairs, 40 epochs; --vp-runs 0 skips it): each row's K
// directions on its own decoder, pairs [Dec(z₀), Dec(z_T)], z₀ ~ N(0, I), z_T the flow's endpoint after
// --vp-steps steps of ε = --vp-step with the integer time index (default S − 1 = 7 steps of ε = 1: the
// span of a training sequence, since these flows are trained one state per unit step; our choice, the paper
// gives no VP for VAEs trained with traversals). The vanilla row's reference is SeFa (Shen & Zhou, 2021):
// the top-K eigenvectors of AᵀA of its decoder's first layer A (fc.weight), moved z₀ + s·n_k with s the
// pretrained bank's mean displacement ‖z_T − z₀‖ (so its pairs are as far apart as that bank's).
// Writes into --out: <run>.ckpt (traversal_vae_trainer / flow_trainer checkpoints, atomic, every
// --checkpoint-every steps and at the end; --resume continues them bit for bit; the pretrained banks restart
// when the vanilla VAE it was trained on has changed), <run>.csv (one row per step), results.md and
// results.csv (ELBO, IWAE_k, the equivariance error of each factor for the run's flow and for ∇u = 0, the VP
// score and the mean displacement), grid.png (per factor: the ground-truth states, the potential flow's,
// the linear flow's and the pretrained bank's matched flow's decoded states from the encoded x₀; needs
// cairo). One thread (--threads).
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/flow_trainer.hpp>
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
    std::int64_t pretrained_steps = -1, pretrained_batch = 32, pretrained_timesteps = 10, match_sequences = 256;
    std::int64_t vp_pairs = 10000, vp_epochs = 300, vp_runs = 3, vp_steps = -1;
    double model_lr = 1e-3, bank_lr = 1e-3, vp_step = 1.0;
    std::uint64_t seed = 1;
    bool resume = false, all_times = false, vp_cheap = false;
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

template <class Bank>
using pretrained_trainer = lt::flow_trainer<Bank, lt::encoder_pair_classifier<Bank>>;

/// A bank's run on the frozen vanilla VAE; restarts (with a message) when that VAE has changed.
template <class Bank>
void train_pretrained(const std::string& name, pretrained_trainer<Bank>& tr, std::int64_t vanilla_step, const settings& s) {
    const fs::path ckpt = fs::path(s.out) / (name + ".ckpt"), csv = fs::path(s.out) / (name + ".csv"),
                   stamp = fs::path(s.out) / (name + ".vanilla_step");
    const std::int64_t steps = s.pretrained_steps < 0 ? s.steps : s.pretrained_steps;
    std::int64_t stamped = -1;
    if (std::ifstream in(stamp); in) in >> stamped;
    if (s.resume && fs::exists(ckpt)) {
        if (stamped == vanilla_step) {
            tr.load(ckpt);
            std::cout << "  " << name << ": resumed at step " << tr.steps_done() << "\n";
        } else {
            std::cout << "  " << name << ": its checkpoint was trained on the vanilla VAE of step " << stamped
                      << ", not " << vanilla_step << ": starting again\n";
        }
    }
    std::ofstream(stamp) << vanilla_step << "\n";
    std::ofstream log(csv, tr.steps_done() > 0 ? std::ios::app : std::ios::trunc);
    if (tr.steps_done() == 0) log << "step,k,t,total,wave,initial,jacobian,classifier,accuracy\n";
    log << std::setprecision(10);
    const auto t0 = std::chrono::steady_clock::now();
    const auto first = tr.steps_done();
    double lk = 0, acc = 0, lj = 0;
    int n = 0;
    while (tr.steps_done() < steps) {
        const auto r = tr.step();
        log << r.step << ',' << r.k << ',' << r.t << ',' << r.total << ',' << r.wave << ',' << r.initial << ',' << r.jacobian
            << ',' << r.classifier << ',' << r.accuracy << '\n';
        lk += r.classifier, acc += r.accuracy, lj += r.jacobian, ++n;
        if (r.step % s.checkpoint_every == 0 || r.step == steps) {
            log.flush();
            tr.save(ckpt);
            const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            std::cout << "  " << name << " step " << r.step << "/" << steps << ": mean over the last " << n
                      << " steps: L_k " << lk / n << ", batch accuracy " << acc / n << ", L_J " << lj / n << " ("
                      << std::setprecision(3) << sec / double(r.step - first) << " s/step)" << std::setprecision(6) << std::endl;
            lk = acc = lj = 0, n = 0;
        }
    }
    if (tr.steps_done() > 0 && !fs::exists(ckpt)) tr.save(ckpt);
}

/// The mean ‖z_T − z₀‖ of an endpoint over `codes` N(0, I) draws per direction.
double mean_displacement(const lt::traversal_endpoint& end, std::int64_t K, std::int64_t d, std::uint64_t seed) {
    at::NoGradGuard g;
    at::manual_seed(seed);
    const auto z0 = at::randn({256, d}, at::kDouble);
    double total = 0;
    for (std::int64_t k = 0; k < K; ++k) total += (end(k, z0) - z0).norm(2, -1).mean().item<double>() / double(K);
    return total;
}

struct row {
    row(std::string n, lt::traversal_vae_scores sc) : name(std::move(n)), scores(std::move(sc)) {}
    std::string name;
    lt::traversal_vae_scores scores;
    lt::vp_score_result vp{};
    double displacement = 0;
    std::string vp_directions;
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
    app.add_option("--pretrained-steps", s.pretrained_steps, "steps of the bank on the frozen vanilla VAE (-1: --steps)");
    app.add_option("--pretrained-batch", s.pretrained_batch, "codes per step of that bank");
    app.add_option("--pretrained-timesteps", s.pretrained_timesteps, "T of that bank's flow_loss (Appendix A: 10)");
    app.add_option("--match-sequences", s.match_sequences, "training sequences that pick that bank's potential per factor");
    app.add_option("--vp-pairs", s.vp_pairs, "VP: image pairs per run (the paper: 10000)");
    app.add_option("--vp-epochs", s.vp_epochs, "VP: epochs of the pair classifier (the paper: 300)");
    app.add_option("--vp-runs", s.vp_runs, "VP: runs (the paper: 3; 0 skips the VP score)");
    app.add_option("--vp-steps", s.vp_steps, "VP: flow steps to z_T (-1: S - 1)");
    app.add_option("--vp-step", s.vp_step, "VP: the latent step of each flow step");
    app.add_flag("--vp-cheap", s.vp_cheap, "VP with 2000 pairs and 40 epochs (overrides --vp-pairs, --vp-epochs)");
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

        // the pretrained-VAE variant: the vanilla VAE frozen, a bank on its decoder, its encoder the classifier
        auto frozen = vanilla.model();
        frozen->eval();
        for (auto& p : frozen->parameters()) p.set_requires_grad(false);
        auto pre_bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = s.seed});
        auto enc_clf = std::make_shared<lt::encoder_pair_classifier<lt::potential_bank>>(pre_bank, lt::vae_mean_encoder(frozen));
        lt::flow_trainer_options po;
        po.loss.timesteps = s.pretrained_timesteps;
        po.batch = s.pretrained_batch;
        po.bank_learning_rate = s.bank_lr;
        po.seed = s.seed;
        const lt::image_shape shape{1, s.resolution, s.resolution};
        pretrained_trainer<lt::potential_bank> pre(pre_bank, enc_clf, lt::vae_mean_decoder(frozen), shape, po);
        train_pretrained("pretrained_encoder_classifier", pre, vanilla.steps_done(), s);
        // the paper's linear baseline under the same loop (L_J + L_k; Table 3's "linear")
        auto pre_lin_bank = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = s.seed});
        auto lin_clf = std::make_shared<lt::encoder_pair_classifier<lt::linear_bank>>(pre_lin_bank, lt::vae_mean_encoder(frozen));
        auto pl = po;
        pl.loss = lt::flow_loss_options::baseline(po.loss);
        pretrained_trainer<lt::linear_bank> pre_lin(pre_lin_bank, lin_clf, lt::vae_mean_decoder(frozen), shape, pl);
        train_pretrained("pretrained_linear_encoder_classifier", pre_lin, vanilla.steps_done(), s);

        lt::traversal_vae_evaluation_options eo;
        eo.iwae_samples = s.iwae_samples;
        eo.seed = s.seed;
        std::vector<row> rows;
        rows.push_back({"vanilla VAE (ELBO only)", lt::evaluate_traversal_vae<lt::potential_bank>(vanilla.model(), nullptr, test, eo)});
        rows.push_back({"VAE + potential-flow traversals", lt::evaluate_traversal_vae(pf.model(), &pf.bank(), test, eo)});
        rows.push_back({"VAE + linear traversals", lt::evaluate_traversal_vae(lin.model(), &lin.bank(), test, eo)});
        // the pretrained bank: the vanilla VAE's likelihood; Err along the potentials matched on training sequences
        const auto match_set = train.subset(at::arange(std::min(s.match_sequences, train.size()), at::kLong));
        const auto assignment = lt::match_potentials(frozen, pre.bank(), match_set, eo);
        const auto lin_assignment = lt::match_potentials(frozen, pre_lin.bank(), match_set, eo);
        rows.push_back({"vanilla VAE + PF bank, encoder classifier", rows[0].scores});
        rows.back().scores.equivariance = lt::traversal_equivariance(frozen, pre.bank(), test, assignment, eo);
        rows.push_back({"vanilla VAE + linear bank, encoder classifier", rows[0].scores});
        rows.back().scores.equivariance = lt::traversal_equivariance(frozen, pre_lin.bank(), test, lin_assignment, eo);
        const auto describe = [&](const lt::factor_assignment& a) {
            std::ostringstream o;
            for (std::size_t f = 0; f < a.potential.size(); ++f)
                o << (f ? ", " : "") << test.factor_names[f] << ' ' << (a.direction[f] == lw::flow_direction::ascent ? "+" : "−") << a.potential[f];
            return o.str();
        };
        std::cout << "potential per factor (matched on " << match_set.size() << " training sequences): PF bank " << describe(assignment)
                  << "; linear bank " << describe(lin_assignment) << "\n";

        // VP: each row's K directions on its own decoder; the vanilla VAE's reference is SeFa
        const std::int64_t vp_steps = s.vp_steps < 0 ? train.states() - 1 : s.vp_steps;
        lt::vp_score_options vo;
        vo.pairs = s.vp_cheap ? 2000 : s.vp_pairs;
        vo.epochs = s.vp_cheap ? 40 : s.vp_epochs;
        vo.runs = s.vp_runs;
        vo.seed = s.seed;
        const auto pre_end = lt::flow_endpoint(pre.bank(), vp_steps, s.vp_step);
        const double pre_shift = mean_displacement(pre_end, K, d, s.seed + 3);
        at::Tensor sefa;
        {
            const auto A = frozen->decoder()->named_parameters()["fc.weight"].detach().to(at::kDouble);
            const auto [values, vectors] = at::linalg_eigh(at::matmul(A.t(), A));  // ascending eigenvalues
            sefa = vectors.flip({1}).narrow(1, 0, K).t().contiguous();             // [K, d], rows n_k
        }
        const std::vector<std::pair<m::vae, lt::traversal_endpoint>> vp_of = {
            {vanilla.model(), lt::direction_endpoint(sefa, pre_shift)},
            {pf.model(), lt::flow_endpoint(pf.bank(), vp_steps, s.vp_step)},
            {lin.model(), lt::flow_endpoint(lin.bank(), vp_steps, s.vp_step)},
            {frozen, pre_end},
            {frozen, lt::flow_endpoint(pre_lin.bank(), vp_steps, s.vp_step)}};
        const std::vector<std::string> vp_names = {"SeFa (top-K of fc.weight), shift matched", "its K potentials", "its K linear potentials",
                                                   "the bank's K potentials", "the bank's K linear potentials"};
        for (std::size_t r = 0; r < rows.size(); ++r) {
            rows[r].vp_directions = vp_names[r];
            rows[r].displacement = mean_displacement(vp_of[r].second, K, d, s.seed + 3);
            if (vo.runs < 1) continue;
            const auto t0 = std::chrono::steady_clock::now();
            rows[r].vp = lt::vp_score(lt::vae_mean_decoder(vp_of[r].first), shape, K, vp_of[r].second, d, vo);
            std::cout << "VP " << rows[r].name << " (" << vp_names[r] << "): " << 100 * rows[r].vp.mean << " ± " << 100 * rows[r].vp.sd
                      << " % (" << std::setprecision(3)
                      << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() << " s)" << std::setprecision(6)
                      << std::endl;
        }

        std::ofstream csv(fs::path(s.out) / "results.csv"), md(fs::path(s.out) / "results.md");
        csv << "run,elbo,elbo_stderr,iwae,iwae_stderr";
        md << "| run (" << s.steps << " steps, seed " << s.seed << ") | ELBO | IWAE_" << s.iwae_samples << " |";
        for (const auto& f : test.factor_names) csv << ",err_" << f << ",err_zero_" << f, md << " Err " << f << " (flow / ∇u=0) |";
        csv << ",vp_mean,vp_sd,vp_runs,displacement\n";
        md << " VP (%) | ‖z_T − z₀‖ |\n|---|---|---|";
        for (std::size_t i = 0; i < test.factor_names.size() + 2; ++i) md << "---|";
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
            std::ostringstream runs;
            for (std::size_t i = 0; i < r.vp.runs.size(); ++i) runs << (i ? " " : "") << 100 * r.vp.runs[i];
            const bool vp = !r.vp.runs.empty();
            csv << ',' << (vp ? std::to_string(100 * r.vp.mean) : "") << ',' << (vp ? std::to_string(100 * r.vp.sd) : "") << ','
                << runs.str() << ',' << r.displacement << "\n";
            md << ' ' << (vp ? [&] { std::ostringstream v; v << std::fixed << std::setprecision(2) << 100 * r.vp.mean << " ± " << 100 * r.vp.sd; return v.str(); }()
                             : std::string("—"))
               << " | " << r.displacement << " |\n";
        }
        md << "\nELBO and IWAE: nats per image over the " << rows[0].scores.images << " held-out images (" << s.test_sequences
           << " sequences × " << test.states() << " states), ± standard error. Err: eq. 11, Σ_t ℓ₁ over pixels, t = 1 … "
           << test.states() - 1 << ", mean over the held-out sequences of that factor; ∇u = 0 is the paper's lower-bound baseline. "
           << "The pretrained banks (" << (s.pretrained_steps < 0 ? s.steps : s.pretrained_steps) << " steps on the frozen vanilla VAE, "
           << "the encoder as classifier; the linear one under L_J + L_k only) have the vanilla VAE's likelihood; their Err follows the "
           << "potential and direction per factor matched on " << match_set.size() << " training sequences: PF bank "
           << describe(assignment) << "; linear bank " << describe(lin_assignment) << ".\nVP: ";
        if (vo.runs < 1) md << "skipped (--vp-runs 0).";
        else
            md << vo.runs << " runs of " << vo.pairs << " pairs (" << std::llround(vo.train_fraction * double(vo.pairs)) << " to train), "
               << vo.epochs << " epochs, chance " << 100.0 / double(K) << " %; each row's directions on its own decoder ("
               << "vanilla: SeFa's top " << K << " directions of fc.weight with the pretrained PF bank's displacement; the others: their "
               << K << " potentials), z_T after " << vp_steps << " steps of ε = " << s.vp_step << " from z₀ ~ N(0, I); "
               << "‖z_T − z₀‖: the mean displacement.";
        md << "\n";
        md.close();
        csv.close();
        std::cout << "\n" << std::ifstream(fs::path(s.out) / "results.md").rdbuf() << "\n";
#ifdef LATENTWALK_HAVE_PLOT
        {
            at::NoGradGuard ng;
            const auto S = test.states();
            plot::image_grid grid(static_cast<std::size_t>(4 * K), static_cast<std::size_t>(S), R, R, 1);
            const auto f = test.factor.to(at::kLong);
            for (std::int64_t k = 0; k < K; ++k) {
                const auto i = (f == k).nonzero().squeeze(-1)[0].item<std::int64_t>();
                const auto seq = test.images[i];  // [S, 1, R, R]
                const auto put = [&](std::int64_t r, const at::Tensor& imgs) {
                    const auto h = imgs.reshape({S, -1}).to(at::kCPU, at::kFloat).contiguous();
                    for (std::int64_t j = 0; j < S; ++j)
                        grid.set(static_cast<std::size_t>(r), static_cast<std::size_t>(j), h[j].data_ptr<float>(), R * R);
                };
                put(4 * k, seq);
                const auto z0p = pf.model()->encode(seq.narrow(0, 0, 1)).first.to(at::kDouble);
                put(4 * k + 1, pf.model()->decoder()->forward(lt::flow_path(pf.bank(), k, z0p, S - 1).squeeze(1).to(at::kFloat)));
                const auto z0l = lin.model()->encode(seq.narrow(0, 0, 1)).first.to(at::kDouble);
                put(4 * k + 2, lin.model()->decoder()->forward(lt::flow_path(lin.bank(), k, z0l, S - 1).squeeze(1).to(at::kFloat)));
                const auto uk = static_cast<std::size_t>(k);
                const auto z0v = frozen->encode(seq.narrow(0, 0, 1)).first.to(at::kDouble);
                put(4 * k + 3, frozen->decoder()->forward(lt::flow_path(pre.bank(), assignment.potential[uk], z0v, S - 1, 1.0,
                                                                        assignment.direction[uk]).squeeze(1).to(at::kFloat)));
                grid.row_labels.push_back(test.factor_names[static_cast<std::size_t>(k)] + ": truth");
                grid.row_labels.push_back("PF");
                grid.row_labels.push_back("linear");
                grid.row_labels.push_back(std::string("pretrained ") + (assignment.direction[uk] == lw::flow_direction::ascent ? "+" : "-") +
                                          std::to_string(assignment.potential[uk]));
            }
            for (std::int64_t j = 0; j < S; ++j) grid.col_labels.push_back("t=" + std::to_string(j));
            grid.title = "sprite sequences: ground truth, potential flow, linear flow, pretrained bank (matched) from Enc(x0)";
            grid.write((fs::path(s.out) / "grid.png").string());
        }
#endif
        std::cout << "wrote " << s.out << "/{vanilla,potential_flow,linear,pretrained_encoder_classifier,pretrained_linear_encoder_classifier}"
                  << ".{ckpt,csv}, results.md, results.csv"
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
