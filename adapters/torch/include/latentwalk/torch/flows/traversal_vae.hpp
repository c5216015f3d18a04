#pragma once
// latentwalk/torch/flows/traversal_vae.hpp — a VAE trained with supervised latent traversals (Song et al.,
// ICML 2023, §4.3 and §5.4): sequences x₀ … x_{S−1} of known transformation states, the potential flow
// ẑ_{t+1} = ẑ_t + ε∇u^k(ẑ_t, t) from the encoded start ẑ₀ = z₀, the latent-matching loss L_z and the
// reconstruction term L_x next to the ELBO; the pretrained-VAE variant whose pair classifier is the
// VAE's own encoder (encoder_pair_classifier); and the metrics of Tables 4 and 5 (IWAE log-likelihood,
// equivariance error against the ground-truth transformed images).
//
//     namespace lt = latentwalk::torch;  namespace m = latentwalk::torch::models;
//     lt::traversal_set data = lt::sprite_traversals(2048, {.resolution = 32});   // flows/sprite_traversals.hpp
//     m::vae model(m::vae_options{.latent_dim = 8, .height = 32, .width = 32});
//     auto bank = std::make_shared<lt::potential_bank>(8, lt::potential_bank_options{.potentials = 4});
//     lt::traversal_vae_trainer<lt::potential_bank> tr(model, bank, data);       // paper defaults
//     for (int s = 0; s < 1000; ++s) { auto r = tr.step(); /* r.negative_elbo, r.latent, r.reconstruction … */ }
//     tr.save("tvae.ckpt");  …  tr.load("tvae.ckpt");                            // resumes bit for bit (CPU)
//     auto s = lt::evaluate_traversal_vae(model, bank.get(), held_out);            // ELBO, IWAE, Err per factor
//
// Objective of one batch (B sequences of one factor k, S states each; the sprites: S = 8):
//   z_s = μ_φ(x_s) (the posterior mean; traversal_code::sample: the ELBO's reparameterized sample)
//   ẑ₀ = z₀,  ẑ_{i+1} = ẑ_i + ε ∇u^k(ẑ_i, i)       (ε = 1; back-propagated through every step)
//   L_z(t) = ‖z_t − ẑ_t‖² + ‖(z_{t+1} − z_t) − (ẑ_{t+1} − ẑ_t)‖²                      (eq. 8)
//   L_x(t) = −log p_θ(x_{t+1} | ẑ_{t+1})                                             (eq. 9, see below)
//   −ELBO  = mean over the B·S images of −log p_θ(x_s|z̃_s) + KL(q_φ(z|x_s) ‖ N(0, I)), z̃_s ~ q_φ
//   L_f    = (1/S) Σ_{i<S} ‖∂²u/∂t² − c_k² Δu‖² at (ẑ_i, i)      L_u = ‖∇u^k(ẑ₀, 0)‖²   (eq. 3–4)
//   L = w_elbo (−ELBO) + w_z L_z + w_x L_x + w_f L_f + w_u L_u     (eq. 10's boxed terms; all weights 1)
// Per step (§4.4): k ~ Cat{factors}, t ~ Cat{0 … S−2}, B sequences of factor k drawn with replacement;
// Adam for the VAE (lr 1e-3, vae_trainer's default) and for the bank (lr 1e-4, flow_trainer's).
// The naively trained baseline of Table 4 is the same loop with traversal_vae_loss_options::vanilla():
// the ELBO of the same transformed images only (Appendix A.1: "for the comparison fairness").
//
// Where the paper is silent or ambiguous, these are our choices (each a named option where it matters):
// | point                         | our default                                   | option                              |
// |-------------------------------|-----------------------------------------------|-------------------------------------|
// | "z_t = Encode(x_t)"           | the posterior mean μ_φ(x_t)                   | traversal_code::sample              |
// | which t per batch             | one t ~ Cat{0…S−2} per batch (§4.4's rule)    | traversal_times::all: mean over t   |
// | eq. 9's terms                 | L_x = −log p_θ(x_{t+1} | ẑ_{t+1}): the decoder | —                                   |
// |                               | of the flowed code scored on the ground-truth |                                     |
// |                               | next state; eq. 9's KL is the ELBO's KL of    |                                     |
// |                               | q_φ(z|x_{t+1}), counted once, in −ELBO        |                                     |
// | eq. 10 with the ELBO          | −ELBO of every state of the batch is added    | weight_elbo                         |
// | L_z, L_x reductions           | summed over entries, mean over the batch      | —                                   |
// | L_f, L_u                      | as flow_loss (trace Laplacian, per-sample u_tt)| laplacian, u_tt, reduction          |
// | sequence length               | S = 8 states (Appendix A.1: "8 states")       | any S ≥ 2 (the data's)              |
// With a linear_bank (the paper's linear baseline, ∇u = a_k) use traversal_vae_loss_options::baseline():
// L_f and L_u off.
//
// Pretrained-VAE variant (encoder as classifier): encoder_pair_classifier<Bank> plugs into flow_trainer
// in place of the LeNet pair classifier; it has no parameters: for the pair (x_a, x_{a+1}) it encodes
// both images, ζ = Enc(x), and scores every potential by how well its step explains the encoded change,
//   logit_j = −‖(ζ_{a+1} − ζ_a) − ε∇u^j(ζ_a, a)‖² / τ      (τ = temperature, default 1),
// so the cross-entropy L_k trains the bank through the frozen decoder and encoder: the flow's k is
// inferred from the encoder, with no auxiliary network. (Our construction: §5.1 says only "we use the VAE
// encoder as the auxiliary classifier" for its pretrained VAEs (§5.3, Table 3), with the objective
// L_u + L_f + L_J + L_k of eq. 10's underlined terms and the VAE frozen; it does not say how an encoder,
// which outputs codes, yields K logits.) The frozen VAE enters as vae_mean_decoder (the generator, the
// decoder's mean image) and vae_mean_encoder (μ_φ):
//     lt::flow_trainer<lt::potential_bank, lt::encoder_pair_classifier<lt::potential_bank>> tr(
//         bank, std::make_shared<lt::encoder_pair_classifier<lt::potential_bank>>(bank, lt::vae_mean_encoder(vae)),
//         lt::vae_mean_decoder(vae), {1, 32, 32});               // z₀ ~ N(0, I), T = 10, flow_trainer's loop
// Such a bank is unsupervised: its potential j need not move factor j, nor in the ascent direction.
// match_potentials picks, per factor, a distinct potential and a direction (the one-to-one choice of least
// total equivariance error on the sequences it is given, exact), and traversal_equivariance scores that
// choice (factor_assignment); choose on training sequences and score on held-out ones. (Our choice: the
// paper reports no equivariance error for pretrained VAEs; Table 5 is for VAEs trained with traversals.)
//
// Metrics (evaluate_traversal_vae): ELBO and IWAE_k (training::evaluate_vae, k = 64 by default) over
// every image of every sequence; the equivariance error (eq. 11, flow_metrics.hpp's equivariance_error,
// ℓ₁ over pixels summed over t = 1 … S−1, mean over sequences) per factor, of the flow from z₀ = μ_φ(x₀)
// with the training step ε (the states are one training step apart) and of the paper's lower bound
// ∇u = 0 (zero_path); factor f follows potential f ascending, or a factor_assignment's choice. The
// decoder's mean image is compared.
//
// | function / member            | cost per call                                                            |
// |------------------------------|--------------------------------------------------------------------------|
// | traversal_vae_loss           | encoder on B·S images, decoder on B·S (+ B, or B·(S−1) for times::all),   |
// |                              | S bank evaluations (with u_tt and Δu for L_f)                             |
// | encoder_pair_classifier      | encoder on 2B images, K bank gradients                                    |
// | evaluate_traversal_vae       | IWAE: k decoder passes per image; Err: S−1 decoder passes per sequence    |
// | match_potentials             | 2K equivariance errors (S−1 decoder passes per sequence each), F·K·2^K    |
//
// Conventions: a traversal_set holds images [N, S, C, H, W] (float, in [0, 1]) and the factor of each
// sequence [N] (int64, 0 … F−1, the potential index); the bank needs K ≥ F potentials (those above F
// are never drawn). Codes are cast to the bank's dtype for the flow and back to the model's for the
// decoder. Checkpoint: VAE, bank, both Adam states, the step count and the std::mt19937_64 state of the
// draws (k, t, the sequences, the ELBO's ε), one archive written atomically.
// Errors: invalid_argument_error for an empty set, S < 2, factors outside 0 … K−1, a batch < 1, a negative
// weight, a non-positive step or temperature, a t outside 0 … S−2, an assignment of the wrong length or
// naming a potential outside 0 … K−1, match_potentials with F > K or K > 20; dimension_error for images that are not
// [N, S, C, H, W] of the model's geometry or a noise tensor of the wrong shape; model_loading_error for a
// checkpoint of another shape or a corrupt one (the trainer is left as it was).
#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/flows/detail/module_file.hpp>
#include <latentwalk/torch/flows/flow_loss.hpp>
#include <latentwalk/torch/flows/flow_metrics.hpp>
#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/models/vae.hpp>
#include <latentwalk/torch/training/metrics.hpp>

namespace latentwalk::torch {

/// Sequences of known transformation states: images [N, S, C, H, W] and the factor of each sequence [N].
struct traversal_set {
    at::Tensor images;                      ///< [N, S, C, H, W], float, values in [0, 1]
    at::Tensor factor;                      ///< [N] int64, the factor (potential index) each sequence varies
    std::vector<std::string> factor_names;  ///< F names, or empty

    std::int64_t size() const { return images.defined() ? images.size(0) : 0; }
    std::int64_t states() const { return images.defined() && images.dim() == 5 ? images.size(1) : 0; }
    /// F: the number of factor names, or the largest factor + 1 when there are no names.
    std::int64_t factors() const {
        if (!factor_names.empty()) return static_cast<std::int64_t>(factor_names.size());
        return factor.defined() && factor.numel() > 0 ? factor.max().item<std::int64_t>() + 1 : 0;
    }
    /// All N·S images as [N·S, C, H, W] (for the ELBO / IWAE).
    at::Tensor flat_images() const {
        return images.reshape({images.size(0) * images.size(1), images.size(2), images.size(3), images.size(4)});
    }
    /// The sequences with the given indices.
    traversal_set subset(const at::Tensor& index) const {
        return {images.index_select(0, index), factor.index_select(0, index), factor_names};
    }
};

enum class traversal_times { sampled, all };
enum class traversal_code { mean, sample };

struct traversal_vae_loss_options {
    traversal_times times = traversal_times::sampled;  ///< one t per batch (§4.4) or the mean over all t
    traversal_code code = traversal_code::mean;         ///< z_t = μ_φ(x_t) or the reparameterized sample
    double step = 1.0;                                  ///< ε of the flow
    double weight_elbo = 1.0, weight_latent = 1.0, weight_reconstruction = 1.0, weight_wave = 1.0,
           weight_initial = 1.0;
    wave_laplacian laplacian = wave_laplacian::trace;
    std::int64_t hutchinson_probes = 1;
    time_derivative_reduction u_tt = time_derivative_reduction::per_sample;
    loss_reduction reduction = loss_reduction::paper;  ///< of L_f and L_u (as flow_loss)

    /// The naively trained VAE of Table 4: the ELBO of the same transformed images, nothing else.
    static traversal_vae_loss_options vanilla() {
        traversal_vae_loss_options o;
        o.weight_latent = o.weight_reconstruction = o.weight_wave = o.weight_initial = 0.0;
        return o;
    }
    /// For a linear or RBF bank: L_f and L_u off (the potential flow's constraints).
    static traversal_vae_loss_options baseline(traversal_vae_loss_options o) {
        o.weight_wave = o.weight_initial = 0.0;
        return o;
    }
    static traversal_vae_loss_options baseline() { return baseline(traversal_vae_loss_options{}); }
    /// Whether any term needs the flow.
    bool traverses() const {
        return weight_latent > 0.0 || weight_reconstruction > 0.0 || weight_wave > 0.0 || weight_initial > 0.0;
    }
};

/// The terms of one batch (0-dim tensors with their graphs; unused terms are zeros).
struct traversal_vae_terms {
    at::Tensor total, negative_elbo, latent, reconstruction, wave, initial;
    at::Tensor codes;   ///< [S, B, d] z_s (the bank's dtype)
    at::Tensor flowed;  ///< [S, B, d] ẑ_s (empty when nothing traverses)
};

namespace detail {

inline void check_traversal_images(const char* where, const at::Tensor& images, const models::conv_geometry& g) {
    using latentwalk::detail::sentence;
    if (!images.defined() || images.dim() != 5 || images.size(0) < 1)
        throw dimension_error(sentence(where, "the sequences must be a tensor [N, S, C, H, W] with N ≥ 1, not " +
                                                  (images.defined() ? shape_string(images) : std::string("an empty tensor")) + "."));
    if (images.size(1) < 2)
        throw invalid_argument_error(sentence(where, "each sequence needs at least 2 states, not " + std::to_string(images.size(1)) + "."));
    if (images.size(2) != g.channels || images.size(3) != g.height || images.size(4) != g.width)
        throw dimension_error(sentence(where, "the states are " + std::to_string(images.size(2)) + "×" +
                                                  std::to_string(images.size(3)) + "×" + std::to_string(images.size(4)) +
                                                  " images but the VAE's are " + std::to_string(g.channels) + "×" +
                                                  std::to_string(g.height) + "×" + std::to_string(g.width) + "."));
}

inline at::Tensor square_norm(const at::Tensor& v) { return (v * v).sum(-1).mean(); }

}  // namespace detail

/// The objective of one batch: `sequences` [B, S, C, H, W] of factor k, start time t (ignored for
/// traversal_times::all), `noise` [B, S, d] the standard normals of the ELBO's reparameterized codes,
/// `probe_rng` the Hutchinson probes (unused otherwise). With a bank of no traversal weight the bank
/// may be anything (it is not evaluated).
template <class Bank>
traversal_vae_terms traversal_vae_loss(models::vae& model, const Bank& bank, const at::Tensor& sequences, std::int64_t k,
                                       std::int64_t t, const traversal_vae_loss_options& o, const at::Tensor& noise,
                                       std::mt19937_64& probe_rng) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::traversal_vae_loss";
    detail::check_traversal_images(where, sequences, model->decoder()->geometry());
    const std::int64_t B = sequences.size(0), S = sequences.size(1), d = model->latent_dim();
    if (std::min({o.weight_elbo, o.weight_latent, o.weight_reconstruction, o.weight_wave, o.weight_initial}) < 0.0 ||
        !(o.step > 0.0) || !std::isfinite(o.step))
        throw invalid_argument_error(sentence(where, "the weights must be non-negative and the step positive and finite."));
    if (o.hutchinson_probes < 1) throw invalid_argument_error(sentence(where, "hutchinson_probes must be at least 1."));
    if (!noise.defined() || noise.sizes() != at::IntArrayRef({B, S, d}))
        throw dimension_error(sentence(where, "the noise has shape " + (noise.defined() ? detail::shape_string(noise) : std::string("[]")) +
                                                  " but must be [B, S, d] = [" + std::to_string(B) + ", " + std::to_string(S) +
                                                  ", " + std::to_string(d) + "]."));
    const bool traverse = o.traverses();
    if (traverse) {
        if (k < 0 || k >= bank.size())
            throw invalid_argument_error(sentence(where, "the potential index " + std::to_string(k) + " is outside 0 … " +
                                                             std::to_string(bank.size() - 1) + "."));
        if (bank.dim() != d)
            throw dimension_error(sentence(where, "the bank's latent dimension " + std::to_string(bank.dim()) +
                                                      " is not the VAE's " + std::to_string(d) + "."));
        if (o.times == traversal_times::sampled && (t < 0 || t > S - 2))
            throw invalid_argument_error(sentence(where, "the start time " + std::to_string(t) + " is outside 0 … " +
                                                             std::to_string(S - 2) + "."));
    }
    at::AutoGradMode on(true);
    const auto mparam = model->parameters().front();
    const auto x = sequences.reshape({B * S, sequences.size(2), sequences.size(3), sequences.size(4)})
                       .to(mparam.device(), mparam.scalar_type());
    auto [mu, logvar] = model->encode(x);
    const auto zs = mu + at::exp(0.5 * logvar) * noise.reshape({B * S, d}).to(mu.options());
    const auto ll = model->log_likelihood(x, zs);
    const auto kl = 0.5 * (mu.pow(2) + at::exp(logvar) - 1.0 - logvar).sum(1);
    traversal_vae_terms out;
    out.negative_elbo = -(ll - kl).mean();
    const auto zero = at::zeros({}, out.negative_elbo.options());
    out.latent = out.reconstruction = out.wave = out.initial = zero;
    if (!traverse) {
        out.total = o.weight_elbo * out.negative_elbo;
        return out;
    }
    const auto bopts = bank.parameters().front().options();
    const auto codes = (o.code == traversal_code::mean ? mu : zs).reshape({B, S, d}).transpose(0, 1).to(bopts);  // [S, B, d]
    out.codes = codes;
    const detail::wave_residual_options wave{o.laplacian, o.hutchinson_probes, o.u_tt, o.reduction};
    const bool need_wave = o.weight_wave > 0.0;
    std::vector<at::Tensor> zhat{codes[0]}, vel;
    at::Tensor wave_sum = at::zeros({}, bopts);
    for (std::int64_t i = 0; i < S; ++i) {
        if (i == S - 1 && !need_wave) break;
        const auto ti = at::full({}, static_cast<double>(i), bopts);
        const auto& z = zhat.back();
        const auto s = bank.terms(k, z, ti, need_wave ? detail::wave_request(wave, d, bopts) : potential_terms_request{});
        if (need_wave) wave_sum = wave_sum + detail::wave_residual_square(bank, k, z, ti, s, wave, probe_rng);
        if (i < S - 1) {
            vel.push_back(bank.velocity(s));
            zhat.push_back(z + o.step * vel.back());
        }
    }
    out.flowed = at::stack(zhat, 0);
    out.wave = (wave_sum / static_cast<double>(S)).to(zero.options());
    const auto& v0 = vel.front();
    out.initial = (o.reduction == loss_reduction::paper ? detail::square_norm(v0) : (v0 * v0).mean()).to(zero.options());
    std::vector<std::int64_t> times;
    if (o.times == traversal_times::sampled) times.push_back(t);
    else
        for (std::int64_t i = 0; i + 1 < S; ++i) times.push_back(i);
    at::Tensor lz = at::zeros({}, bopts), lx = zero;
    const auto x5 = x.reshape({B, S, x.size(1), x.size(2), x.size(3)});
    for (const auto ti : times) {
        const auto i = static_cast<std::size_t>(ti);
        lz = lz + detail::square_norm(codes[ti] - zhat[i]) +
             detail::square_norm((codes[ti + 1] - codes[ti]) - (zhat[i + 1] - zhat[i]));
        lx = lx - model->log_likelihood(x5.select(1, ti + 1), zhat[i + 1].to(mu.options())).mean();
    }
    out.latent = (lz / static_cast<double>(times.size())).to(zero.options());
    out.reconstruction = lx / static_cast<double>(times.size());
    out.total = o.weight_elbo * out.negative_elbo + o.weight_latent * out.latent +
                o.weight_reconstruction * out.reconstruction + o.weight_wave * out.wave + o.weight_initial * out.initial;
    return out;
}

/// The pretrained-VAE variant's classifier: the frozen VAE encoder (any images → codes function) and
/// the bank itself; no parameters of its own. See the header comment for the rule.
template <class Bank>
class encoder_pair_classifier : public ::torch::nn::Module {
public:
    encoder_pair_classifier(std::shared_ptr<Bank> bank, tensor_function encoder, double step = 1.0, double temperature = 1.0)
        : bank_(std::move(bank)), encoder_(std::move(encoder)), step_(step), temperature_(temperature) {
        using latentwalk::detail::sentence;
        if (!bank_ || !encoder_)
            throw invalid_argument_error(sentence("torch::encoder_pair_classifier", "it needs a bank and an encoder."));
        if (!(step > 0.0) || !(temperature > 0.0) || !std::isfinite(step) || !std::isfinite(temperature))
            throw invalid_argument_error(sentence("torch::encoder_pair_classifier", "the step and the temperature must be positive and finite."));
    }

    /// Logits [B, K] of the pair (x_a, x_{a+1}) whose first image is at time a.
    at::Tensor forward_at(const at::Tensor& xa, const at::Tensor& xb, std::int64_t a) const {
        const auto opts = bank_->parameters().front().options();
        const auto za = encoder_(xa).reshape({xa.size(0), -1}).to(opts);
        const auto zb = encoder_(xb).reshape({xb.size(0), -1}).to(opts);
        if (za.size(1) != bank_->dim())
            throw dimension_error(latentwalk::detail::sentence(
                "torch::encoder_pair_classifier", "the encoder gives " + std::to_string(za.size(1)) +
                                                      " numbers per image but the bank's latent dimension is " +
                                                      std::to_string(bank_->dim()) + "."));
        const auto delta = zb - za;
        const auto ta = at::full({}, static_cast<double>(a), opts);
        std::vector<at::Tensor> logits;
        for (std::int64_t j = 0; j < bank_->size(); ++j) {
            const auto v = bank_->velocity(bank_->terms(j, za, ta, {}));
            const auto r = delta - step_ * v;
            logits.push_back(-(r * r).sum(-1) / temperature_);
        }
        return at::stack(logits, -1);
    }

    /// Refused: the rule needs the pair's time (flow_loss calls forward_at).
    at::Tensor forward(const at::Tensor&, const at::Tensor&) const {
        throw invalid_argument_error(latentwalk::detail::sentence(
            "torch::encoder_pair_classifier::forward", "the classifier needs the time of the pair: call forward_at(a, b, t)."));
    }

private:
    std::shared_ptr<Bank> bank_;
    tensor_function encoder_;
    double step_, temperature_;
};

struct traversal_vae_trainer_options {
    traversal_vae_loss_options loss{};
    std::int64_t batch = 32;                  ///< sequences per step (each of S images)
    double model_learning_rate = 1e-3;        ///< Adam for the VAE (vae_trainer's default)
    double bank_learning_rate = 1e-4;         ///< Adam for the bank (flow_trainer's default)
    std::uint64_t seed = 1;
    idle_parameters idle = idle_parameters::keep_momentum;
};

/// What one step measured (host values).
struct traversal_vae_record {
    std::int64_t step = 0, k = 0, t = 0;
    double total = 0, negative_elbo = 0, latent = 0, reconstruction = 0, wave = 0, initial = 0;
};

template <class Bank>
class traversal_vae_trainer {
public:
    traversal_vae_trainer(models::vae model, std::shared_ptr<Bank> bank, traversal_set data,
                          traversal_vae_trainer_options options = {})
        : model_(std::move(model)), bank_(std::move(bank)), data_(std::move(data)), opts_(options), rng_(options.seed),
          model_opt_(model_->parameters(), ::torch::optim::AdamOptions(options.model_learning_rate)),
          bank_opt_(bank_->parameters(), ::torch::optim::AdamOptions(options.bank_learning_rate)) {
        using latentwalk::detail::sentence;
        constexpr const char* where = "torch::traversal_vae_trainer";
        detail::check_traversal_images(where, data_.images, model_->decoder()->geometry());
        if (opts_.batch < 1) throw invalid_argument_error(sentence(where, "the batch size must be at least 1."));
        if (!(opts_.model_learning_rate > 0.0) || !(opts_.bank_learning_rate > 0.0))
            throw invalid_argument_error(sentence(where, "the learning rates must be positive."));
        if (!data_.factor.defined() || data_.factor.dim() != 1 || data_.factor.size(0) != data_.size())
            throw dimension_error(sentence(where, "the factors must be a tensor [N] with one entry per sequence."));
        const auto f = data_.factor.to(at::kCPU, at::kLong).contiguous();
        const std::int64_t F = std::max<std::int64_t>(data_.factors(), f.max().item<std::int64_t>() + 1);
        if (f.min().item<std::int64_t>() < 0 || F > bank_->size())
            throw invalid_argument_error(sentence(where, "the factors must lie in 0 … K − 1 = " + std::to_string(bank_->size() - 1) +
                                                             " (the bank has " + std::to_string(bank_->size()) + " potentials)."));
        by_factor_.resize(static_cast<std::size_t>(F));
        for (std::int64_t i = 0; i < f.numel(); ++i) by_factor_[static_cast<std::size_t>(f.data_ptr<std::int64_t>()[i])].push_back(i);
        for (std::int64_t j = 0; j < F; ++j)
            if (!by_factor_[static_cast<std::size_t>(j)].empty()) drawable_.push_back(j);
        pair_ = std::make_shared<::torch::nn::Module>();
        pair_->register_module("vae", model_.ptr());
        pair_->register_module("bank", bank_);
        model_->train();
    }

    models::vae& model() { return model_; }
    Bank& bank() { return *bank_; }
    const traversal_set& data() const { return data_; }
    const traversal_vae_trainer_options& options() const { return opts_; }
    std::int64_t steps_done() const { return step_; }

    traversal_vae_record step() {
        model_->train();
        const auto S = data_.states(), d = model_->latent_dim();
        std::uniform_int_distribution<std::size_t> pick_k(0, drawable_.size() - 1);
        const auto k = drawable_[pick_k(rng_)];
        std::uniform_int_distribution<std::int64_t> pick_t(0, S - 2);
        const auto t = pick_t(rng_);
        const auto& pool = by_factor_[static_cast<std::size_t>(k)];
        std::uniform_int_distribution<std::size_t> pick_i(0, pool.size() - 1);
        std::vector<std::int64_t> idx(static_cast<std::size_t>(opts_.batch));
        for (auto& i : idx) i = pool[pick_i(rng_)];
        std::normal_distribution<double> nd;
        std::vector<double> eps(static_cast<std::size_t>(opts_.batch * S * d));
        for (auto& e : eps) e = nd(rng_);
        const auto noise = at::tensor(eps, at::kDouble).reshape({opts_.batch, S, d});
        const auto batch = data_.images.index_select(0, at::tensor(idx, at::kLong));
        if (opts_.idle == idle_parameters::frozen) {
            model_->zero_grad(true);
            bank_->zero_grad(true);
        } else {
            model_opt_.zero_grad();
            bank_opt_.zero_grad();
        }
        const traversal_vae_terms terms = traversal_vae_loss(model_, *bank_, batch, k, t, opts_.loss, noise, rng_);
        terms.total.backward();
        model_opt_.step();
        if (opts_.loss.traverses()) bank_opt_.step();
        ++step_;
        traversal_vae_record r;
        r.step = step_;
        r.k = k;
        r.t = t;
        r.total = terms.total.item<double>();
        r.negative_elbo = terms.negative_elbo.item<double>();
        r.latent = terms.latent.item<double>();
        r.reconstruction = terms.reconstruction.item<double>();
        r.wave = terms.wave.item<double>();
        r.initial = terms.initial.item<double>();
        return r;
    }

    void save(const std::filesystem::path& path) const {
        ::torch::serialize::OutputArchive archive, mo, bo;
        detail::write_meta(archive, "kind", kind_tag);
        detail::write_meta(archive, "step", static_cast<double>(step_));
        detail::write_module(*pair_, archive);
        model_opt_.save(mo);
        bank_opt_.save(bo);
        archive.write("model_optimizer", mo);
        archive.write("bank_optimizer", bo);
        detail::write_rng(archive, rng_);
        detail::save_archive_atomically("torch::traversal_vae_trainer::save", archive, path);
    }

    void load(const std::filesystem::path& path) {
        constexpr const char* where = "torch::traversal_vae_trainer::load";
        ::torch::serialize::InputArchive archive, mo, bo;
        detail::open_tagged_archive(where, archive, kind_tag, path);
        const auto step = static_cast<std::int64_t>(detail::read_meta(where, archive, "step", path));
        const auto rng = detail::read_rng_and_optimizers(where, archive, path, {{"model_optimizer", &mo}, {"bank_optimizer", &bo}});
        detail::read_module(where, *pair_, archive, path);
        detail::load_optimizers(where, path, {{&model_opt_, &mo}, {&bank_opt_, &bo}});
        rng_ = rng;
        step_ = step;
        detail::restore_gradient_slots(model_opt_, opts_.idle);
        detail::restore_gradient_slots(bank_opt_, opts_.idle);
    }

private:
    static constexpr double kind_tag = 23.0;

    models::vae model_;
    std::shared_ptr<Bank> bank_;
    traversal_set data_;
    traversal_vae_trainer_options opts_;
    std::mt19937_64 rng_;
    ::torch::optim::Adam model_opt_, bank_opt_;
    std::shared_ptr<::torch::nn::Module> pair_;
    std::vector<std::vector<std::int64_t>> by_factor_;
    std::vector<std::int64_t> drawable_;
    std::int64_t step_ = 0;
};

struct traversal_vae_evaluation_options {
    std::int64_t iwae_samples = 64;  ///< k of IWAE_k
    std::int64_t batch = 256;        ///< images per encoder/decoder call
    double step = 1.0;               ///< ε of the evaluated flow (the training step: the states are one step apart)
    equivariance_norm norm = equivariance_norm::l1;
    std::uint64_t seed = 1;
};

struct traversal_vae_scores {
    double elbo = 0, elbo_stderr = 0, iwae = 0, iwae_stderr = 0;  ///< nats per image over all N·S images
    std::vector<double> equivariance;       ///< per factor: Err of the flow (empty without a bank)
    std::vector<double> equivariance_zero;  ///< per factor: Err of ∇u = 0 (the paper's lower-bound baseline)
    std::vector<std::int64_t> sequences;    ///< per factor: how many sequences were scored
    std::int64_t images = 0, k = 0;
};

/// Which potential, and which way, stands for each factor (factor_assignment::identity: potential f,
/// ascent, as the supervised traversal VAE trains them; match_potentials: the best one-to-one choice).
struct factor_assignment {
    std::vector<std::int64_t> potential;     ///< per factor f: the potential index
    std::vector<flow_direction> direction;   ///< per factor f: ascent (z + ε∇u) or descent (z − ε∇u)
    std::vector<double> error;               ///< per factor: the equivariance error the choice scored on the matching set

    static factor_assignment identity(std::int64_t factors) {
        factor_assignment a;
        for (std::int64_t f = 0; f < factors; ++f) a.potential.push_back(f), a.direction.push_back(flow_direction::ascent);
        return a;
    }
};

namespace detail {

/// The per-factor equivariance error of the decoder on `set` along path(k, z0 [b, d]) → [S, b, d].
inline std::vector<double> equivariance_per_factor(models::vae& model, const traversal_set& set, const traversal_vae_evaluation_options& o,
                                                   const std::function<at::Tensor(std::int64_t, const at::Tensor&)>& path) {
    const bool was_training = model->is_training();
    model->eval();
    at::NoGradGuard no_grad;
    const auto mparam = model->parameters().front();
    const std::int64_t F = set.factors();
    std::vector<double> err(static_cast<std::size_t>(F), 0.0);
    const tensor_function decode = [&](const at::Tensor& z) { return model->decoder()->forward(z.to(mparam.options())); };
    const auto f = set.factor.to(at::kCPU, at::kLong);
    for (std::int64_t k = 0; k < F; ++k) {
        const auto idx = (f == k).nonzero().squeeze(-1);
        if (idx.numel() == 0) continue;
        double total = 0;
        for (std::int64_t s = 0; s < idx.numel(); s += o.batch) {
            const auto part = idx.slice(0, s, std::min<std::int64_t>(idx.numel(), s + o.batch));
            const auto seq = set.images.index_select(0, part).to(mparam.device(), mparam.scalar_type());  // [b, S, C, H, W]
            const auto z0 = model->encode(seq.select(1, 0)).first;
            total += equivariance_error(decode, path(k, z0), seq.transpose(0, 1), o.norm) * static_cast<double>(part.numel());
        }
        err[static_cast<std::size_t>(k)] = total / static_cast<double>(idx.numel());
    }
    if (was_training) model->train();
    return err;
}

/// The one-to-one choice of a column per row (F ≤ K ≤ 20) of least total cost, by dynamic programming
/// over the subsets of used columns (exact; F·K·2^K work).
inline std::vector<std::int64_t> min_cost_assignment(const std::vector<std::vector<double>>& cost, std::int64_t K) {
    const auto F = static_cast<std::int64_t>(cost.size());
    const std::size_t full = std::size_t{1} << K;
    const double inf = std::numeric_limits<double>::infinity();
    std::vector<double> best(full, inf);
    std::vector<std::int64_t> choice(full, -1);
    best[0] = 0.0;
    for (std::size_t mask = 0; mask < full; ++mask) {
        if (best[mask] == inf) continue;
        const auto row = static_cast<std::int64_t>(std::popcount(mask));
        if (row >= F) continue;
        for (std::int64_t j = 0; j < K; ++j) {
            if (mask & (std::size_t{1} << j)) continue;
            const auto next = mask | (std::size_t{1} << j);
            const double c = best[mask] + cost[static_cast<std::size_t>(row)][static_cast<std::size_t>(j)];
            if (c < best[next]) best[next] = c, choice[next] = j;
        }
    }
    std::size_t end = 0;
    double least = inf;
    for (std::size_t mask = 0; mask < full; ++mask)
        if (std::popcount(mask) == static_cast<int>(F) && best[mask] < least) least = best[mask], end = mask;
    std::vector<std::int64_t> out(static_cast<std::size_t>(F));
    for (std::int64_t row = F - 1; row >= 0; --row) {
        const auto j = choice[end];
        out[static_cast<std::size_t>(row)] = j;
        end &= ~(std::size_t{1} << j);
    }
    return out;
}

}  // namespace detail

/// The per-factor equivariance error of `bank`'s flows on `set`, factor f along potential
/// `assignment.potential[f]` in direction `assignment.direction[f]`.
template <class Bank>
std::vector<double> traversal_equivariance(models::vae& model, const Bank& bank, const traversal_set& set,
                                           const factor_assignment& assignment, const traversal_vae_evaluation_options& o = {}) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::traversal_equivariance";
    detail::check_traversal_images(where, set.images, model->decoder()->geometry());
    const std::int64_t S = set.states(), F = set.factors();
    if (F > bank.size())
        throw invalid_argument_error(sentence(where, "the set has " + std::to_string(F) + " factors but the bank only " +
                                                         std::to_string(bank.size()) + " potentials."));
    if (static_cast<std::int64_t>(assignment.potential.size()) != F || static_cast<std::int64_t>(assignment.direction.size()) != F)
        throw invalid_argument_error(sentence(where, "the assignment must name a potential and a direction for each of the " +
                                                         std::to_string(F) + " factors."));
    for (const auto j : assignment.potential)
        if (j < 0 || j >= bank.size())
            throw invalid_argument_error(sentence(where, "the assignment names potential " + std::to_string(j) + ", outside 0 … " +
                                                             std::to_string(bank.size() - 1) + "."));
    const auto bopts = bank.parameters().front().options();
    return detail::equivariance_per_factor(model, set, o, [&](std::int64_t f, const at::Tensor& z0) {
        const auto uf = static_cast<std::size_t>(f);
        return flow_path(bank, assignment.potential[uf], z0.to(bopts), S - 1, o.step, assignment.direction[uf]);
    });
}

/// The per-factor equivariance error of `bank`'s flows (or of ∇u = 0 when bank is null) on `set`:
/// factor f along potential f, ascending (the supervised traversal VAE's correspondence).
template <class Bank>
std::vector<double> traversal_equivariance(models::vae& model, const Bank* bank, const traversal_set& set,
                                           const traversal_vae_evaluation_options& o = {}) {
    if (bank == nullptr) {
        detail::check_traversal_images("torch::traversal_equivariance", set.images, model->decoder()->geometry());
        const auto S = set.states();
        return detail::equivariance_per_factor(model, set, o, [S](std::int64_t, const at::Tensor& z0) { return zero_path(z0, S - 1); });
    }
    return traversal_equivariance(model, *bank, set, factor_assignment::identity(set.factors()), o);
}

/// For a bank trained without supervision (the pretrained-VAE variant: its potential indices are not
/// the data's factors), the one-to-one choice of a potential and a direction per factor that minimizes
/// the total equivariance error on `set` (use sequences other than the ones it is then scored on):
/// every (factor, potential, direction) is scored, 2·F·K flows, then the best distinct potentials by
/// exact assignment (F ≤ K ≤ 20). invalid_argument_error for K > 20 or F > K.
template <class Bank>
factor_assignment match_potentials(models::vae& model, const Bank& bank, const traversal_set& set,
                                   const traversal_vae_evaluation_options& o = {}) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::match_potentials";
    detail::check_traversal_images(where, set.images, model->decoder()->geometry());
    const std::int64_t F = set.factors(), K = bank.size();
    if (F > K || K > 20)
        throw invalid_argument_error(sentence(where, "it needs F ≤ K ≤ 20 (the set has " + std::to_string(F) +
                                                         " factors, the bank " + std::to_string(K) + " potentials)."));
    std::vector<std::vector<double>> cost(static_cast<std::size_t>(F), std::vector<double>(static_cast<std::size_t>(K)));
    std::vector<std::vector<flow_direction>> way(static_cast<std::size_t>(F), std::vector<flow_direction>(static_cast<std::size_t>(K)));
    for (std::int64_t j = 0; j < K; ++j) {
        factor_assignment up, down;
        for (std::int64_t f = 0; f < F; ++f) {
            up.potential.push_back(j), up.direction.push_back(flow_direction::ascent);
            down.potential.push_back(j), down.direction.push_back(flow_direction::descent);
        }
        const auto eu = traversal_equivariance(model, bank, set, up, o), ed = traversal_equivariance(model, bank, set, down, o);
        for (std::size_t f = 0; f < static_cast<std::size_t>(F); ++f) {
            const bool descend = ed[f] < eu[f];
            cost[f][static_cast<std::size_t>(j)] = descend ? ed[f] : eu[f];
            way[f][static_cast<std::size_t>(j)] = descend ? flow_direction::descent : flow_direction::ascent;
        }
    }
    factor_assignment a;
    a.potential = detail::min_cost_assignment(cost, K);
    for (std::size_t f = 0; f < static_cast<std::size_t>(F); ++f) {
        const auto j = static_cast<std::size_t>(a.potential[f]);
        a.direction.push_back(way[f][j]);
        a.error.push_back(cost[f][j]);
    }
    return a;
}

/// The decoder's mean image as a tensor_function z ↦ Dec(z) (codes cast to the model's dtype), e.g. the
/// generator of a flow_trainer on a frozen VAE or of vp_score.
inline tensor_function vae_mean_decoder(models::vae model) {
    return [model](const at::Tensor& z) mutable { return model->decoder()->forward(z.to(model->parameters().front().options())); };
}

/// The encoder's posterior mean as a tensor_function x ↦ μ_φ(x) (encoder_pair_classifier's encoder).
inline tensor_function vae_mean_encoder(models::vae model) {
    return [model](const at::Tensor& x) mutable { return model->encode(x.to(model->parameters().front().options())).first; };
}

/// ELBO and IWAE over every image of `set`, the equivariance error per factor of the bank's flow (if
/// given) and of ∇u = 0.
template <class Bank>
traversal_vae_scores evaluate_traversal_vae(models::vae& model, const Bank* bank, const traversal_set& set,
                                            const traversal_vae_evaluation_options& o = {}) {
    detail::check_traversal_images("torch::evaluate_traversal_vae", set.images, model->decoder()->geometry());
    traversal_vae_scores s;
    const auto v = training::evaluate_vae(model, set.flat_images(), {.iwae_samples = o.iwae_samples, .batch_size = o.batch, .seed = o.seed});
    s.elbo = v.elbo;
    s.elbo_stderr = v.elbo_stderr;
    s.iwae = v.iwae;
    s.iwae_stderr = v.iwae_stderr;
    s.images = v.images;
    s.k = v.k;
    if (bank != nullptr) s.equivariance = traversal_equivariance(model, bank, set, o);
    s.equivariance_zero = traversal_equivariance<Bank>(model, nullptr, set, o);
    const auto f = set.factor.to(at::kCPU, at::kLong);
    for (std::int64_t k = 0; k < set.factors(); ++k) s.sequences.push_back((f == k).sum().item<std::int64_t>());
    return s;
}

}  // namespace latentwalk::torch
