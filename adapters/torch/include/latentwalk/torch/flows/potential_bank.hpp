#pragma once
// latentwalk/torch/flows/potential_bank.hpp — K trainable potentials u^k(z, t) of Song et al.
// (ICML 2023, "Latent traversals in generative models as potential flows"), each with its own
// learnable wave speed c_k, as one torch::nn::Module.
//
//     latentwalk::torch::potential_bank bank(/*d=*/16, {.potentials = 8, .seed = 3});
//     at::Tensor z = at::randn({128, 16}, at::kDouble).requires_grad_();
//     auto s = bank.terms(k, z, at::full({}, 2.0, at::kDouble), {.laplacian = true});  // u, ∇u, u_tt, Δu
//     // s.gradient keeps the graph: a loss built from it back-propagates into the bank's parameters
//     bank.save("bank.pt");  auto again = latentwalk::torch::potential_bank::load("bank.pt");
//     auto u_k = bank.potential<double>(k);              // torch::mlp_potential, same weights
//
// Architecture: each u^k is the released code's MLP (the torch and Eigen `mlp_potential`; the closed
// forms are latentwalk::mlp_potential's, latentwalk/potentials/mlp_potential.hpp, run on the parameters):
//   h₁ = tanh(W_z z + b_z), p(t) = W_t2 GELU(W_t1 τ(t) + b_t1) + b_t2, h₃ = tanh(W_f(h₁ + p) + b_f),
//   u = tanh(w_outᵀ h₃ + b_out)        (output_tanh, the released code; off → the linear output)
// Widths d (latent), H (hidden, default d), E (time embedding, default d rounded up to even): the
// released code uses H = E = d. c_k: a parameter initialized to `initial_wave_speed` (the paper: 1);
// only c_k² enters the wave residual (wave_speed_squared).
//
// | member                          | method                                                   | cost (per sample) |
// |---------------------------------|----------------------------------------------------------|-------------------|
// | value(k, z, t)                  | forward pass, autograd graph kept                         | 2Hd + 3H² + HE    |
// | terms(k, z, t, which)           | closed forms (no nested autograd): ∇u by a reverse sweep  | ∇u: + 2Hd + 2H²   |
// |   .gradient, .u_tt              | (mlp_potential::terms on the parameters), u_tt forward in t| u_tt: + 2H² + HE  |
// |   .laplacian                    | Δu exactly: row norms of J₃ = W_f diag(1−h₁²) W_z          | Δu: + H²d         |
// |   .hessian_vector (v given)     | forward mode along v of the gradient                      | H·v: + 2Hd + 2H²  |
// | terms(..., autograd method)     | the released code's way: torch.autograd.grad nested      | ≈ 3–4× (×d for Δu)|
// Both methods give every quantity with its autograd graph (create_graph), so a loss on them
// trains the bank by one ordinary backward pass; the closed forms need no double backward and are
// the default. Tests compare them with each other, with the Eigen mlp_potential and with finite
// differences.
//
// Conventions: z is [..., d] (any leading batch dimensions), t a tensor broadcasting with z's batch
// (a 0-dim tensor for the paper's one time per batch); every result has z's batch shape ([..., d] for
// vectors). Parameters are registered as "u<k>_<name>" (W_z, b_z, W_t1, b_t1, W_t2, b_t2, W_f, b_f,
// w_out, b_out) and "c"; weights_as<W>(k) gives the nn.Linear row-major arrays that
// torch::mlp_potential and eigen::mlp_potential take (flows/export_eigen.hpp builds the K Eigen
// potentials), so the CPU reference replays a trained flow exactly.
// Initialization: PyTorch's nn.Linear default (uniform ±1/√fan_in for weights and biases) from a
// std::mt19937_64 seeded with `seed`, the same draw on every device and dtype.
// Files: save(path) writes the parameters and the widths (torch::serialize archive, temporary file
// + rename); load(path) rebuilds the bank; load_state(path) refills an existing one of the same
// shape. Errors: invalid_argument_error for d < 1, K < 1, an odd embedding width, a k out of range
// or a non-positive initial wave speed; dimension_error for z of the wrong last dimension;
// model_loading_error for a missing, corrupt or foreign file.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/nn/module.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/flows/detail/module_file.hpp>
#include <latentwalk/torch/mlp_potential.hpp>

namespace latentwalk::torch {

struct potential_bank_options {
    std::int64_t potentials = 32;      ///< K (the paper: 32 for VAEs, 64 SNGAN, 120 BigGAN, 200 StyleGAN2)
    std::int64_t hidden = 0;           ///< H; 0 means d (the released code)
    std::int64_t embedding = 0;        ///< E, even; 0 means d rounded up to even (the released code: d)
    bool output_tanh = true;           ///< the released code ends with tanh (it removes it for StyleGAN2)
    double initial_wave_speed = 1.0;   ///< c_k at initialization (the paper: learnable, initialized with 1)
    std::uint64_t seed = 1;            ///< seed of the initial weights
};

/// How potential_bank::terms differentiates: closed forms (default) or nested autograd.
enum class potential_derivatives {
    closed_form,  ///< tensor-op formulas of ∇u, u_tt, Δu, H·v (first-order autograd only)
    autograd      ///< torch::autograd::grad with create_graph, as the released code (Δu by d products)
};

/// Which quantities potential_bank::terms computes (u and ∇u always).
struct potential_terms_request {
    bool second_time_derivative = false;  ///< ∂²u/∂t²
    bool laplacian = false;               ///< Δ_z u (exact trace)
    at::Tensor hessian_probe{};           ///< if defined ([..., d] or [d]): ∇²u · probe
    potential_derivatives method = potential_derivatives::closed_form;
};

/// u^k and its derivatives at (z, t), each with its autograd graph.
struct potential_terms {
    at::Tensor value;           ///< [...]
    at::Tensor gradient;        ///< [..., d]
    at::Tensor u_tt;            ///< [...] (if requested)
    at::Tensor laplacian;       ///< [...] (if requested)
    at::Tensor hessian_vector;  ///< [..., d] (if a probe was given)
};

class potential_bank : public ::torch::nn::Module {
public:
    using options = potential_bank_options;

    potential_bank(std::int64_t d, const options& opts = {},
                   at::TensorOptions to = at::TensorOptions().dtype(at::kDouble))
        : d_(d), opts_(opts) {
        using latentwalk::detail::sentence;
        constexpr const char* where = "torch::potential_bank";
        if (d < 1) throw invalid_argument_error(sentence(where, "the latent dimension d must be at least 1."));
        if (opts.potentials < 1)
            throw invalid_argument_error(sentence(where, "the number of potentials K must be at least 1."));
        if (!(opts.initial_wave_speed > 0.0) || !std::isfinite(opts.initial_wave_speed))
            throw invalid_argument_error(sentence(where, "the initial wave speed must be positive and finite."));
        H_ = opts.hidden > 0 ? opts.hidden : d;
        E_ = opts.embedding > 0 ? opts.embedding : d + (d % 2);
        if (E_ % 2 != 0)
            throw invalid_argument_error(
                sentence(where, "the embedding width " + std::to_string(E_) + " is odd; it holds sin and cos halves."));
        std::mt19937_64 rng(opts.seed);
        auto draw = [&](std::vector<std::int64_t> shape, std::int64_t fan_in) {
            std::int64_t n = 1;
            for (auto s : shape) n *= s;
            const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
            std::uniform_real_distribution<double> U(-bound, bound);
            std::vector<double> v(static_cast<std::size_t>(n));
            for (auto& x : v) x = U(rng);
            return at::tensor(v, at::kDouble).reshape(shape).to(to);
        };
        params_.resize(static_cast<std::size_t>(opts.potentials));
        for (std::int64_t k = 0; k < opts.potentials; ++k) {
            auto& p = params_[static_cast<std::size_t>(k)];
            const std::string pre = "u" + std::to_string(k) + "_";
            p.Wz = register_parameter(pre + "W_z", draw({H_, d}, d));
            p.bz = register_parameter(pre + "b_z", draw({H_}, d));
            p.Wt1 = register_parameter(pre + "W_t1", draw({H_, E_}, E_));
            p.bt1 = register_parameter(pre + "b_t1", draw({H_}, E_));
            p.Wt2 = register_parameter(pre + "W_t2", draw({H_, H_}, H_));
            p.bt2 = register_parameter(pre + "b_t2", draw({H_}, H_));
            p.Wf = register_parameter(pre + "W_f", draw({H_, H_}, H_));
            p.bf = register_parameter(pre + "b_f", draw({H_}, H_));
            p.wout = register_parameter(pre + "w_out", draw({H_}, H_));
            p.bout = register_parameter(pre + "b_out", draw({}, H_));
        }
        c_ = register_parameter("c", at::full({opts.potentials}, opts.initial_wave_speed, to));
        const std::int64_t half = E_ / 2;
        const std::vector<double> omega = latentwalk::sinusoidal_frequencies(half);
        omega_ = register_buffer("omega", at::tensor(omega, at::kDouble).to(to));
    }

    std::int64_t size() const { return static_cast<std::int64_t>(params_.size()); }
    std::int64_t dim() const { return d_; }
    std::int64_t hidden() const { return H_; }
    std::int64_t embedding() const { return E_; }
    bool output_tanh() const { return opts_.output_tanh; }
    at::TensorOptions tensor_options() const { return c_.options(); }

    /// c_k² with its graph (a 0-dim tensor).
    at::Tensor wave_speed_squared(std::int64_t k) const {
        check_k("torch::potential_bank::wave_speed_squared", k);
        return c_[k] * c_[k];
    }
    /// c_k (host value; its sign is immaterial, only c_k² enters).
    double wave_speed(std::int64_t k) const {
        check_k("torch::potential_bank::wave_speed", k);
        return c_[k].item<double>();
    }

    /// u^k(z, t) with the autograd graph.
    at::Tensor value(std::int64_t k, const at::Tensor& z, const at::Tensor& t) const {
        check_k("torch::potential_bank::value", k);
        check_z("torch::potential_bank::value", z);
        const auto& p = params_[static_cast<std::size_t>(k)];
        const auto h1 = at::tanh(at::linear(z, p.Wz, p.bz));
        const auto phase = t.to(omega_.options()).unsqueeze(-1) * omega_;
        const auto tau = at::cat({phase.sin(), phase.cos()}, -1);
        const auto pt = at::linear(at::gelu(at::linear(tau, p.Wt1, p.bt1)), p.Wt2, p.bt2);
        const auto h3 = at::tanh(at::linear(h1 + pt, p.Wf, p.bf));
        const auto o = (h3 * p.wout).sum(-1) + p.bout;
        return opts_.output_tanh ? o.tanh() : o;
    }

    /// ∇_z u^k(z, t) with its graph (the flow's velocity), by the closed form.
    at::Tensor gradient(std::int64_t k, const at::Tensor& z, const at::Tensor& t) const {
        return terms(k, z, t, {}).gradient;
    }

    /// u, ∇u and the requested derivatives at (z, t), all with their autograd graphs.
    potential_terms terms(std::int64_t k, const at::Tensor& z, const at::Tensor& t,
                          const potential_terms_request& which) const {
        constexpr const char* where = "torch::potential_bank::terms";
        check_k(where, k);
        check_z(where, z);
        if (which.hessian_probe.defined() &&
            (which.hessian_probe.dim() < 1 || which.hessian_probe.size(-1) != d_))
            throw dimension_error(latentwalk::detail::sentence(
                where, "the Hessian probe has shape " + detail::shape_string(which.hessian_probe) +
                           " but its last dimension must be the latent dimension " + std::to_string(d_) + "."));
        return which.method == potential_derivatives::closed_form ? closed_form(k, z, t, which)
                                                                  : by_autograd(k, z, t, which);
    }

    /// The flow's velocity from the terms at a point: ∇u (the paper's z ← z + ∇u^k(z, t)).
    at::Tensor velocity(const potential_terms& s) const { return s.gradient; }

    /// The weights of u^k in the nn.Linear row-major layout, written into any struct with the fields of
    /// torch::mlp_potential_weights (eigen::mlp_potential<>::weights among them).
    template <class W = mlp_potential_weights>
    W weights_as(std::int64_t k) const {
        check_k("torch::potential_bank::weights_as", k);
        const auto& p = params_[static_cast<std::size_t>(k)];
        W w;
        w.W_z = host(p.Wz);
        w.b_z = host(p.bz);
        w.W_t1 = host(p.Wt1);
        w.b_t1 = host(p.bt1);
        w.W_t2 = host(p.Wt2);
        w.b_t2 = host(p.bt2);
        w.W_f = host(p.Wf);
        w.b_f = host(p.bf);
        w.w_out = host(p.wout);
        w.b_out = p.bout.item<double>();
        return w;
    }

    /// u^k as an evaluation type: a torch::mlp_potential with a copy of the current weights.
    template <class Scalar = double>
    torch::mlp_potential<Scalar> potential(std::int64_t k, at::Device device = at::kCPU) const {
        return torch::mlp_potential<Scalar>(d_, weights_as(k), {.hidden = H_, .embedding = E_, .output_tanh = opts_.output_tanh},
                                            device);
    }

    /// Writes the bank (widths, K, parameters) to `path` atomically.
    void save(const std::filesystem::path& path) const {
        detail::save_tagged_module("torch::potential_bank::save", *this, kind_tag,
                                   {{"d", double(d_)}, {"K", double(size())}, {"H", double(H_)}, {"E", double(E_)},
                                    {"output_tanh", opts_.output_tanh ? 1.0 : 0.0}},
                                   path);
    }

    /// A bank rebuilt from a file written by save(), its tensors with `to`'s dtype and device.
    static std::shared_ptr<potential_bank> load(const std::filesystem::path& path,
                                                at::TensorOptions to = at::TensorOptions().dtype(at::kDouble)) {
        constexpr const char* where = "torch::potential_bank::load";
        ::torch::serialize::InputArchive archive;
        detail::open_tagged_archive(where, archive, kind_tag, path);
        options o;
        const auto d = static_cast<std::int64_t>(detail::read_meta(where, archive, "d", path));
        o.potentials = static_cast<std::int64_t>(detail::read_meta(where, archive, "K", path));
        o.hidden = static_cast<std::int64_t>(detail::read_meta(where, archive, "H", path));
        o.embedding = static_cast<std::int64_t>(detail::read_meta(where, archive, "E", path));
        o.output_tanh = detail::read_meta(where, archive, "output_tanh", path) != 0.0;
        std::shared_ptr<potential_bank> bank;
        try {
            bank = std::make_shared<potential_bank>(d, o, to);
        } catch (const latentwalk::error& e) {
            throw model_loading_error(latentwalk::detail::sentence(where, "'" + path.string() +
                                                                              "' has inconsistent widths: " + e.what()));
        }
        detail::read_module(where, *bank, archive, path);
        return bank;
    }

    /// Refills this bank's parameters from a file written by save() for a bank of the same shape.
    void load_state(const std::filesystem::path& path) {
        detail::load_tagged_state("torch::potential_bank::load_state", *this, kind_tag, path);
    }

private:
    static constexpr double kind_tag = 11.0;  // "potential bank" in the meta_kind entry

    struct mlp_params {
        at::Tensor Wz, bz, Wt1, bt1, Wt2, bt2, Wf, bf, wout, bout;
    };

    /// The closed forms are latentwalk::mlp_potential's (latentwalk/potentials/mlp_potential.hpp), run on
    /// this potential's parameter tensors as they are: the seam's torch operations keep the autograd
    /// graph into the parameters, so a loss on the terms trains the bank by one ordinary backward pass.
    potential_terms closed_form(std::int64_t k, const at::Tensor& z, const at::Tensor& t,
                                const potential_terms_request& which) const {
        using core = latentwalk::mlp_potential<backend<double>>;
        using vec = torch::vector<double>;
        using mat = torch::matrix<double>;
        const auto& p = params_[static_cast<std::size_t>(k)];
        const core u(d_,
                     latentwalk::mlp_potential_tensors<backend<double>>{mat(p.Wz), mat(p.Wt1), mat(p.Wt2), mat(p.Wf), vec(p.bz),
                                                                        vec(p.bt1), vec(p.bt2), vec(p.bf), vec(p.wout), p.bout},
                     {H_, E_, opts_.output_tanh});
        core::request r;
        r.second_time_derivative = which.second_time_derivative;
        r.laplacian = which.laplacian;
        if (which.hessian_probe.defined()) r.hessian_probe = vec(which.hessian_probe.to(z.options()));
        auto e = u.terms(vec(z), t.to(z.options()), r);
        potential_terms out;
        out.value = std::move(e.value);
        out.gradient = e.gradient.tensor();
        if (e.u_tt) out.u_tt = std::move(*e.u_tt);
        if (e.laplacian) out.laplacian = std::move(*e.laplacian);
        if (e.hessian_vector) out.hessian_vector = e.hessian_vector->tensor();
        return out;
    }

    /// The released code's way: nested torch.autograd.grad with create_graph. z and t are made part of
    /// the graph (z keeps its history when it has one).
    potential_terms by_autograd(std::int64_t k, const at::Tensor& z, const at::Tensor& t,
                                const potential_terms_request& which) const {
        using ::torch::autograd::grad;
        at::AutoGradMode on(true);
        const auto zs = z.sizes();
        auto batch = at::infer_size(at::IntArrayRef(zs.begin(), zs.end() - 1), t.sizes());
        auto zfull = batch;
        zfull.push_back(d_);
        at::Tensor zr = z.requires_grad() ? z.expand(zfull) : z.detach().expand(zfull).clone().requires_grad_(true);
        at::Tensor tr = t.to(omega_.options()).detach().expand(batch).clone().requires_grad_(true);
        potential_terms out;
        out.value = value(k, zr, tr);
        out.gradient = grad({out.value.sum()}, {zr}, {}, true, true)[0];
        if (which.second_time_derivative) {
            const auto ut = grad({out.value.sum()}, {tr}, {}, true, true)[0];
            out.u_tt = grad({ut.sum()}, {tr}, {}, true, true)[0];
        }
        if (which.laplacian) {
            std::vector<at::Tensor> diag;
            diag.reserve(static_cast<std::size_t>(d_));
            for (std::int64_t i = 0; i < d_; ++i)
                diag.push_back(grad({out.gradient.select(-1, i).sum()}, {zr}, {}, true, true)[0].select(-1, i));
            out.laplacian = at::stack(diag, -1).sum(-1);
        }
        if (which.hessian_probe.defined())
            out.hessian_vector =
                grad({(out.gradient * which.hessian_probe.to(zr.options())).sum()}, {zr}, {}, true, true)[0];
        return out;
    }

    static std::vector<double> host(const at::Tensor& t) {
        const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
        return {h.data_ptr<double>(), h.data_ptr<double>() + h.numel()};
    }

    void check_k(const char* where, std::int64_t k) const {
        if (k < 0 || k >= size())
            throw invalid_argument_error(latentwalk::detail::sentence(
                where, "the potential index " + std::to_string(k) + " is outside 0 … " + std::to_string(size() - 1) + "."));
    }
    void check_z(const char* where, const at::Tensor& z) const {
        if (!z.defined() || z.dim() < 1 || z.size(-1) != d_)
            throw dimension_error(latentwalk::detail::sentence(
                where, "z has shape " + detail::shape_string(z) + " but its last dimension must be the latent dimension " +
                           std::to_string(d_) + "."));
    }

    std::int64_t d_, H_ = 0, E_ = 0;
    options opts_;
    std::vector<mlp_params> params_;
    at::Tensor c_, omega_;
};

}  // namespace latentwalk::torch
