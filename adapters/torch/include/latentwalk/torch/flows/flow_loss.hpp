#pragma once
// latentwalk/torch/flows/flow_loss.hpp — the training objective of Song et al. (ICML 2023) on one
// batch, with autograd through the flow:
//
//   z₀ ~ N(0, I) [B, d]; one potential k and one start time t per batch (flow_trainer draws them)
//   z_{i+1} = z_i + ε ∇u^k(z_i, i)        (ε = 1 in training; back-propagated through every step)
//   L_f = (1/P) Σ_{i<P} ‖f(z_i, i)‖²,  f = ∂²u/∂t² − c_k² Δu     (eq. 3–4)
//   L_u = ‖∇u^k(z₀, 0)‖²                                       (eq. 4)
//   L_J = −‖J_G(z_t) ∇u^k(z_t, t)‖²                             (eq. 6)
//   L_k = CE(C(G(z_a), G(z_b)), k)                              (eq. 7)
//   L = w_f L_f + w_u L_u + w_J L_J + w_k L_k                   (eq. 10: all weights 1)
//
// Where the paper and the released code (PDETraversal) differ, each is a named option; the paper is
// the default:
//
// | option                  | paper (default)                              | released code                                       |
// |-------------------------|----------------------------------------------|-----------------------------------------------------|
// | horizon                 | `paper`: P = T collocation points z₀…z_{T−1}, | `code_half`: P = T/2 (`half_range`), t ∈ {0…T/2−2}   |
// |                         | t ∈ {0…T−2} (§4.4)                          |                                                     |
// | laplacian               | `trace` (Δu exactly); `hutchinson` (p        | `hessian_row_sum`: ∇²u·1 (`grad(u_z.sum(), z)`),     |
// |                         | Rademacher probes) as a cheaper estimate     | a d-vector residual                                 |
// | u_tt                    | `per_sample`: each code's ∂²u/∂t²            | `batch_sum`: Σ_b ∂²u_b/∂t² (t is one [1,1] tensor    |
// |                         |                                              | shared by the batch, so grad(u.sum(), t) sums)      |
// | reduction               | `paper`: ‖·‖² summed over entries, mean over | `code`: torch.mean over batch and entries (L_f, L_u |
// |                         | the batch                                    | divided by d in row-sum mode, L_J by the image size)|
// | jacobian_point          | `paper`: J_G(z_t) ∇u(z_t, t)                 | `shifted`: z′ = z_t + ∇u(z_t, t), J_G(z′) ∇u(z′, t+1)|
// | pair                    | `paper`: (x_t, x_{t+1})                      | `code`: (x_{t+1}, x_{t+2}) = G(latent1), G(latent2)  |
// | weights                 | 1, 1, 1, 1 (eq. 10)                          | λ_pde = λ_cls = 1 (the same)                         |
//
// The released VAE trainer also flips the pair to the negative direction at random; that is not
// an option here. Baselines (flows/baseline_banks.hpp) use the same loss through their velocity
// (the unit-gradient or fixed-length step): flow_loss_options::baseline(o) switches L_f and L_u off.
// L_J and L_u use the bank's velocity (∇u for the potential bank, so exactly the paper's terms).
//
// The generator is any tensor function [B, d] → [B, …] (a frozen VAE decoder or GAN); its output is
// viewed as images [B, C, H, W] (`image_shape`). J_G v is taken by the double-backward rule
// J v = ∂/∂w ⟨Jᵀw, v⟩ with create_graph, like torch.autograd.functional.jvp in the released code, so
// L_J back-propagates into the bank. Cost per batch: P evaluations of the bank's terms (closed
// forms), 2–4 generator passes (two images, the JVP's three), one classifier pass.
// Errors: invalid_argument_error for T < 3, a start time outside its range, k out of range, p < 1
// or a negative weight; dimension_error for a generator output that is not B·C·H·W values per code.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

namespace latentwalk::torch {

enum class flow_horizon { paper, code_half };
enum class wave_laplacian { trace, hutchinson, hessian_row_sum };
enum class time_derivative_reduction { per_sample, batch_sum };
enum class loss_reduction { paper, code };
enum class jacobian_point { paper, shifted };
enum class classifier_pair { paper, code };

struct flow_loss_options {
    std::int64_t timesteps = 10;                                      ///< T (Appendix A: 10)
    flow_horizon horizon = flow_horizon::paper;
    wave_laplacian laplacian = wave_laplacian::trace;
    std::int64_t hutchinson_probes = 1;                               ///< p for wave_laplacian::hutchinson
    time_derivative_reduction u_tt = time_derivative_reduction::per_sample;
    loss_reduction reduction = loss_reduction::paper;
    jacobian_point jacobian = jacobian_point::paper;
    classifier_pair pair = classifier_pair::paper;
    double step = 1.0;                                                ///< ε of the training flow (both: 1)
    double weight_wave = 1.0, weight_initial = 1.0, weight_jacobian = 1.0, weight_classifier = 1.0;

    /// The released code's choices in every row of the table.
    static flow_loss_options released_code() {
        flow_loss_options o;
        o.horizon = flow_horizon::code_half;
        o.laplacian = wave_laplacian::hessian_row_sum;
        o.u_tt = time_derivative_reduction::batch_sum;
        o.reduction = loss_reduction::code;
        o.jacobian = jacobian_point::shifted;
        o.pair = classifier_pair::code;
        return o;
    }
    /// For the baselines: L_J and L_k only (the wave and initial-condition terms are the potential flow's).
    static flow_loss_options baseline(flow_loss_options o) {
        o.weight_wave = 0.0;
        o.weight_initial = 0.0;
        return o;
    }

    /// Number of collocation points P of L_f.
    std::int64_t collocation_points() const { return horizon == flow_horizon::paper ? timesteps : timesteps / 2; }
    /// The start times a batch may draw: 0 … max_start_time().
    std::int64_t max_start_time() const {
        const std::int64_t last = horizon == flow_horizon::paper ? timesteps - 2 : timesteps / 2 - 2;
        return pair == classifier_pair::code && horizon == flow_horizon::paper ? last - 1 : last;
    }
};

/// The image shape a generator's output is viewed as.
struct image_shape {
    std::int64_t channels = 1, height = 28, width = 28;
    std::int64_t numel() const { return channels * height * width; }
};

using tensor_function = std::function<at::Tensor(const at::Tensor&)>;

/// The terms of one batch (0-dim tensors with their graphs) and diagnostics.
struct flow_loss_terms {
    at::Tensor total, wave, initial, jacobian, classifier;
    double accuracy = 0.0;           ///< the classifier's accuracy on this batch
    std::vector<at::Tensor> path;    ///< z₀ … z_n (with graphs)
};

namespace detail {

inline at::Tensor as_images(const char* where, const at::Tensor& y, std::int64_t B, const image_shape& s) {
    if (y.numel() != B * s.numel())
        throw dimension_error(latentwalk::detail::sentence(
            where, "the generator's output has shape " + shape_string(y) + ", which is not " + std::to_string(B) +
                       " images of " + std::to_string(s.channels) + "×" + std::to_string(s.height) + "×" +
                       std::to_string(s.width) + "."));
    return y.reshape({B, s.channels, s.height, s.width});
}

/// J_G(z) v with its graph, by double backward.
inline at::Tensor generator_jvp(const tensor_function& G, const at::Tensor& z, const at::Tensor& v) {
    using ::torch::autograd::grad;
    at::AutoGradMode on(true);
    const at::Tensor zr = z.requires_grad() ? z : z.detach().requires_grad_(true);
    const auto y = G(zr);
    auto w = at::zeros_like(y).requires_grad_(true);
    const auto jt = grad({y}, {zr}, {w}, true, true)[0];
    return grad({jt}, {w}, {v}, true, true)[0];
}

/// The parts of flow_loss_options that define the wave residual f = u_tt − c²Δu at one collocation point.
struct wave_residual_options {
    wave_laplacian laplacian = wave_laplacian::trace;
    std::int64_t hutchinson_probes = 1;
    time_derivative_reduction u_tt = time_derivative_reduction::per_sample;
    loss_reduction reduction = loss_reduction::paper;
};

/// What bank.terms must compute at a collocation point for the residual of `w`.
inline potential_terms_request wave_request(const wave_residual_options& w, std::int64_t d, at::TensorOptions opts) {
    potential_terms_request req;
    req.second_time_derivative = true;
    req.laplacian = w.laplacian == wave_laplacian::trace;
    if (w.laplacian == wave_laplacian::hessian_row_sum) req.hessian_probe = at::ones({d}, opts);
    return req;
}

/// ‖f(z, t)‖² of one collocation point, reduced over the batch as `w.reduction` says; `s` holds the terms
/// wave_request asked for at (z, t). `probe_rng` draws the Hutchinson probes.
template <class Bank>
at::Tensor wave_residual_square(const Bank& bank, std::int64_t k, const at::Tensor& z, const at::Tensor& ti,
                                const potential_terms& s, const wave_residual_options& w, std::mt19937_64& probe_rng) {
    const std::int64_t B = z.size(0), d = z.size(1);
    at::Tensor utt = s.u_tt;  // [B]
    if (w.u_tt == time_derivative_reduction::batch_sum) utt = utt.sum().expand_as(utt);
    const auto c2 = bank.wave_speed_squared(k);
    at::Tensor f;
    if (w.laplacian == wave_laplacian::trace) {
        f = (utt - c2 * s.laplacian).unsqueeze(-1);
    } else if (w.laplacian == wave_laplacian::hutchinson) {
        at::Tensor est = at::zeros_like(utt);
        std::bernoulli_distribution coin(0.5);
        for (std::int64_t p = 0; p < w.hutchinson_probes; ++p) {
            std::vector<double> signs(static_cast<std::size_t>(B * d));
            for (auto& x : signs) x = coin(probe_rng) ? 1.0 : -1.0;
            const auto v = at::tensor(signs, at::kDouble).reshape({B, d}).to(z.options());
            potential_terms_request hv;
            hv.hessian_probe = v;
            est = est + (v * bank.terms(k, z, ti, hv).hessian_vector).sum(-1);
        }
        f = (utt - c2 * est / static_cast<double>(w.hutchinson_probes)).unsqueeze(-1);
    } else {
        f = utt.unsqueeze(-1) - c2 * s.hessian_vector;  // [B, d]
    }
    return w.reduction == loss_reduction::paper ? (f * f).sum(-1).mean() : (f * f).mean();
}

}  // namespace detail

/// The loss of one batch: bank (potential_bank, linear_bank or rbf_bank), classifier (a module with
/// forward(a, b) → logits, or forward_at(a, b, time of a) → logits when it needs the time, as
/// traversal_vae.hpp's encoder_pair_classifier does), generator, z₀ [B, d], potential k, start time t. `probe_rng` draws the
/// Hutchinson probes (unused otherwise).
template <class Bank, class Classifier>
flow_loss_terms flow_loss(const Bank& bank, Classifier& classifier, const tensor_function& generator,
                          const image_shape& shape, const at::Tensor& z0, std::int64_t k, std::int64_t t,
                          const flow_loss_options& o, std::mt19937_64& probe_rng) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::flow_loss";
    if (o.timesteps < 3) throw invalid_argument_error(sentence(where, "the number of time steps T must be at least 3."));
    if (o.max_start_time() < 0)
        throw invalid_argument_error(sentence(where, "T = " + std::to_string(o.timesteps) +
                                                         " leaves no start time for this horizon and pair."));
    if (t < 0 || t > o.max_start_time())
        throw invalid_argument_error(sentence(where, "the start time " + std::to_string(t) + " is outside 0 … " +
                                                         std::to_string(o.max_start_time()) + "."));
    if (k < 0 || k >= bank.size())
        throw invalid_argument_error(sentence(where, "the potential index " + std::to_string(k) + " is outside 0 … " +
                                                         std::to_string(bank.size() - 1) + "."));
    if (o.hutchinson_probes < 1) throw invalid_argument_error(sentence(where, "hutchinson_probes must be at least 1."));
    if (std::min({o.weight_wave, o.weight_initial, o.weight_jacobian, o.weight_classifier}) < 0.0 || !(o.step > 0.0))
        throw invalid_argument_error(sentence(where, "the weights must be non-negative and the step positive."));
    if (z0.dim() != 2 || z0.size(1) != bank.dim())
        throw dimension_error(sentence(where, "z0 has shape " + detail::shape_string(z0) + " but must be [B, " +
                                                  std::to_string(bank.dim()) + "]."));
    at::AutoGradMode on(true);
    const std::int64_t B = z0.size(0), d = bank.dim();
    const std::int64_t P = o.collocation_points();
    const std::int64_t a = o.pair == classifier_pair::paper ? t : t + 1;  // the pair (z_a, z_{a+1})
    const std::int64_t jpoint = o.jacobian == jacobian_point::paper ? t : t + 1;
    const std::int64_t last = std::max({P - 1, a + 1, jpoint});           // the path z₀ … z_last
    const bool need_wave = o.weight_wave > 0.0;
    const bool paper_red = o.reduction == loss_reduction::paper;
    const detail::wave_residual_options wave{o.laplacian, o.hutchinson_probes, o.u_tt, o.reduction};
    auto opts = z0.options();

    flow_loss_terms out;
    out.wave = at::zeros({}, opts);
    std::vector<at::Tensor> velocities;
    at::Tensor z = z0;
    out.path.push_back(z);
    for (std::int64_t i = 0; i <= last; ++i) {
        const auto ti = at::full({}, static_cast<double>(i), opts);
        const bool collocate = need_wave && i < P;
        const auto s = bank.terms(k, z, ti, collocate ? detail::wave_request(wave, d, opts) : potential_terms_request{});
        if (collocate) out.wave = out.wave + detail::wave_residual_square(bank, k, z, ti, s, wave, probe_rng);
        velocities.push_back(bank.velocity(s));
        if (i < last) {
            z = z + o.step * velocities.back();
            out.path.push_back(z);
        }
    }
    out.wave = out.wave / static_cast<double>(P);
    const auto& v0 = velocities.front();
    out.initial = paper_red ? (v0 * v0).sum(-1).mean() : (v0 * v0).mean();
    if (o.weight_jacobian > 0.0) {
        const auto jv = detail::generator_jvp(generator, out.path[static_cast<std::size_t>(jpoint)],
                                              velocities[static_cast<std::size_t>(jpoint)]);
        out.jacobian = paper_red ? -(jv * jv).reshape({B, -1}).sum(-1).mean() : -(jv * jv).mean();
    } else {
        out.jacobian = at::zeros({}, opts);
    }
    const auto xa = detail::as_images(where, generator(out.path[static_cast<std::size_t>(a)]), B, shape);
    const auto xb = detail::as_images(where, generator(out.path[static_cast<std::size_t>(a + 1)]), B, shape);
    at::Tensor logits;
    if constexpr (requires { classifier.forward_at(xa, xb, a); })
        logits = classifier.forward_at(xa, xb, a);  // a classifier that needs the pair's time (encoder_pair_classifier)
    else
        logits = classifier.forward(xa, xb);
    const auto target = at::full({B}, k, at::TensorOptions().dtype(at::kLong).device(logits.device()));
    out.classifier = at::cross_entropy_loss(logits, target);
    out.accuracy = (logits.argmax(-1) == target).to(at::kDouble).mean().item<double>();
    out.total = o.weight_wave * out.wave + o.weight_initial * out.initial + o.weight_jacobian * out.jacobian +
                o.weight_classifier * out.classifier;
    return out;
}

}  // namespace latentwalk::torch
