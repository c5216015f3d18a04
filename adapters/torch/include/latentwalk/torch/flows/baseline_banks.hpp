#pragma once
// latentwalk/torch/flows/baseline_banks.hpp — the baselines of Song et al. (§5.1), trainable by the
// same flow_loss / flow_trainer as the potential_bank:
//
// | bank        | u^k(z, t)                                   | velocity (the flow's step direction)             |
// |-------------|---------------------------------------------|--------------------------------------------------|
// | linear_bank | a_kᵀz + b_k t (the paper's linear baseline) | ∇u = a_k (paper form), or step·a_k/‖a_k‖          |
// |             |                                             | (`unit_direction`: a fixed step length, our option)|
// | rbf_bank    | Σᵢ αᵢ exp(−γ_k‖z − v_{k,i}‖²), WarpedGANSpace | step·∇u/‖∇u‖ (Tzelepis et al.'s unit-gradient     |
// |             | (Tzelepis et al., ICCV 2021): N dipoles per | rule); learnable support vectors v and γ_k        |
// |             | warp, α = ±1 fixed, learnable v and log γ_k |                                                  |
//
// Both are time-independent in z-derivatives (u_tt = 0; linear: Δu = 0), so their wave residual is
// −c²Δu (RBF) or 0 (linear); the trainer's defaults for baselines switch L_f and L_u off (they are
// the potential flow's constraints, not the baselines'), see flow_loss_options::baseline().
// The interface is the potential_bank's: size(), dim(), terms(k, z, t, request), velocity(terms),
// wave_speed_squared(k) (1, a constant), save/load. b_k of the linear form never receives a
// gradient (no loss term depends on it); it is kept for the export to linear_potential.
// Initialization (ours; the papers do not fix it): a_k ~ N(0, I/d); RBF dipoles: centres ±r·â with
// â uniform on the sphere, r = `radius` (default 3), γ_k = 1/d (WarpedGANSpace's default).
// Export: flows/export_eigen.hpp (linear_potential and rbf_dipole_potential on Eigen).
// Errors: as potential_bank.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/flows/detail/module_file.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

namespace latentwalk::torch {

namespace detail {
inline std::vector<double> normal_draws(std::mt19937_64& rng, std::size_t n, double sd) {
    std::normal_distribution<double> nd(0.0, sd);
    std::vector<double> v(n);
    for (auto& x : v) x = nd(rng);
    return v;
}
inline void require_k(const char* where, std::int64_t k, std::int64_t K) {
    if (k < 0 || k >= K)
        throw invalid_argument_error(latentwalk::detail::sentence(
            where, "the potential index " + std::to_string(k) + " is outside 0 … " + std::to_string(K - 1) + "."));
}
inline void require_z(const char* where, const at::Tensor& z, std::int64_t d) {
    if (!z.defined() || z.dim() < 1 || z.size(-1) != d)
        throw dimension_error(latentwalk::detail::sentence(
            where, "z has shape " + shape_string(z) + " but its last dimension must be the latent dimension " +
                       std::to_string(d) + "."));
}
}  // namespace detail

struct linear_bank_options {
    std::int64_t potentials = 32;  ///< K
    bool unit_direction = false;   ///< velocity step·a/‖a‖ instead of a (our option; the paper: ∇u = a)
    double step = 1.0;             ///< the step length when unit_direction
    std::uint64_t seed = 1;
};

class linear_bank : public ::torch::nn::Module {
public:
    using options = linear_bank_options;

    linear_bank(std::int64_t d, const options& opts = {}, at::TensorOptions to = at::TensorOptions().dtype(at::kDouble))
        : d_(d), opts_(opts) {
        constexpr const char* where = "torch::linear_bank";
        if (d < 1) throw invalid_argument_error(latentwalk::detail::sentence(where, "the latent dimension d must be at least 1."));
        if (opts.potentials < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(where, "the number of potentials K must be at least 1."));
        if (!(opts.step > 0.0) || !std::isfinite(opts.step))
            throw invalid_argument_error(latentwalk::detail::sentence(where, "the step length must be positive and finite."));
        std::mt19937_64 rng(opts.seed);
        const auto n = static_cast<std::size_t>(opts.potentials * d);
        A_ = register_parameter("a", at::tensor(detail::normal_draws(rng, n, 1.0 / std::sqrt(double(d))), at::kDouble)
                                         .reshape({opts.potentials, d})
                                         .to(to));
        b_ = register_parameter("b", at::zeros({opts.potentials}, to));
    }

    std::int64_t size() const { return A_.size(0); }
    std::int64_t dim() const { return d_; }
    const options& settings() const { return opts_; }
    at::Tensor wave_speed_squared(std::int64_t) const { return at::ones({}, A_.options()); }

    potential_terms terms(std::int64_t k, const at::Tensor& z, const at::Tensor& t, const potential_terms_request& which) const {
        detail::require_k("torch::linear_bank::terms", k, size());
        detail::require_z("torch::linear_bank::terms", z, d_);
        potential_terms s;
        const auto a = A_[k];
        s.value = (z * a).sum(-1) + b_[k] * t.to(z.options());
        s.gradient = a.expand_as(z);
        if (which.second_time_derivative) s.u_tt = at::zeros_like(s.value);
        if (which.laplacian) s.laplacian = at::zeros_like(s.value);
        if (which.hessian_probe.defined()) s.hessian_vector = at::zeros_like(z);
        return s;
    }
    at::Tensor velocity(const potential_terms& s) const {
        if (!opts_.unit_direction) return s.gradient;
        return s.gradient * (opts_.step / s.gradient.norm(2, -1, true));
    }
    /// The direction the flow moves along per step (a_k, or step·a_k/‖a_k‖), as host values.
    std::vector<double> direction(std::int64_t k) const {
        detail::require_k("torch::linear_bank::direction", k, size());
        auto a = A_[k].detach();
        if (opts_.unit_direction) a = a * (opts_.step / a.norm());
        const auto h = a.to(at::kCPU, at::kDouble).contiguous();
        return {h.data_ptr<double>(), h.data_ptr<double>() + h.numel()};
    }
    double time_coefficient(std::int64_t k) const { return b_[k].item<double>(); }

    void save(const std::filesystem::path& path) const {
        detail::save_tagged_module("torch::linear_bank::save", *this, kind_tag,
                                   {{"d", double(d_)}, {"K", double(size())},
                                    {"unit_direction", opts_.unit_direction ? 1.0 : 0.0}, {"step", opts_.step}},
                                   path);
    }
    void load_state(const std::filesystem::path& path) {
        detail::load_tagged_state("torch::linear_bank::load_state", *this, kind_tag, path);
    }

private:
    static constexpr double kind_tag = 12.0;
    std::int64_t d_;
    options opts_;
    at::Tensor A_, b_;
};

struct rbf_bank_options {
    std::int64_t potentials = 32;  ///< K warps
    std::int64_t dipoles = 4;      ///< N dipoles per warp (2N support vectors)
    double radius = 3.0;           ///< initial ‖centre‖ (ours)
    double gamma = 0.0;            ///< initial γ; 0 means 1/d (WarpedGANSpace's default)
    double step = 1.0;             ///< the step length of the unit-gradient rule
    std::uint64_t seed = 1;
};

class rbf_bank : public ::torch::nn::Module {
public:
    using options = rbf_bank_options;

    rbf_bank(std::int64_t d, const options& opts = {}, at::TensorOptions to = at::TensorOptions().dtype(at::kDouble))
        : d_(d), opts_(opts) {
        constexpr const char* where = "torch::rbf_bank";
        using latentwalk::detail::sentence;
        if (d < 1) throw invalid_argument_error(sentence(where, "the latent dimension d must be at least 1."));
        if (opts.potentials < 1 || opts.dipoles < 1)
            throw invalid_argument_error(sentence(where, "the numbers of warps K and of dipoles N must be at least 1."));
        if (!(opts.radius > 0.0) || !(opts.step > 0.0) || opts.gamma < 0.0 || !std::isfinite(opts.radius) ||
            !std::isfinite(opts.step) || !std::isfinite(opts.gamma))
            throw invalid_argument_error(sentence(where, "radius and step must be positive and gamma non-negative, all finite."));
        std::mt19937_64 rng(opts.seed);
        const std::int64_t K = opts.potentials, N = opts.dipoles;
        auto axes = at::tensor(detail::normal_draws(rng, static_cast<std::size_t>(K * N * d), 1.0), at::kDouble)
                        .reshape({K, N, d});
        axes = axes / axes.norm(2, -1, true) * opts.radius;
        centres_ = register_parameter("centres", at::cat({axes, -axes}, 1).to(to));  // [K, 2N, d]
        alphas_ = register_buffer("alphas", at::cat({at::ones({N}), -at::ones({N})}).to(to));  // [2N]
        const double g0 = opts.gamma > 0.0 ? opts.gamma : 1.0 / static_cast<double>(d);
        log_gamma_ = register_parameter("log_gamma", at::full({K}, std::log(g0), to));
    }

    std::int64_t size() const { return centres_.size(0); }
    std::int64_t dim() const { return d_; }
    std::int64_t support_vectors() const { return centres_.size(1); }
    const options& settings() const { return opts_; }
    at::Tensor wave_speed_squared(std::int64_t) const { return at::ones({}, centres_.options()); }

    potential_terms terms(std::int64_t k, const at::Tensor& z, const at::Tensor& /*t*/,
                          const potential_terms_request& which) const {
        detail::require_k("torch::rbf_bank::terms", k, size());
        detail::require_z("torch::rbf_bank::terms", z, d_);
        const auto gamma = log_gamma_[k].exp();
        const auto diff = z.unsqueeze(-2) - centres_[k];    // [..., 2N, d]
        const auto sq = (diff * diff).sum(-1);               // [..., 2N]
        const auto w = alphas_ * at::exp(-gamma * sq);       // [..., 2N]
        potential_terms s;
        s.value = w.sum(-1);
        s.gradient = -2.0 * gamma * (w.unsqueeze(-1) * diff).sum(-2);
        if (which.second_time_derivative) s.u_tt = at::zeros_like(s.value);
        if (which.laplacian)
            s.laplacian = (w * (4.0 * gamma * gamma * sq - 2.0 * gamma * static_cast<double>(d_))).sum(-1);
        if (which.hessian_probe.defined()) {
            const auto v = which.hessian_probe.to(z.options());
            const auto proj = (diff * v.unsqueeze(-2)).sum(-1);  // (z − vᵢ)ᵀv
            s.hessian_vector = -2.0 * gamma * w.sum(-1, true) * v +
                               4.0 * gamma * gamma * ((w * proj).unsqueeze(-1) * diff).sum(-2);
        }
        return s;
    }
    at::Tensor velocity(const potential_terms& s) const {
        return s.gradient * (opts_.step / s.gradient.norm(2, -1, true));
    }

    /// Warp k's centres as a d×2N column-major host array (column i = support vector i), its
    /// weights ±1 and γ_k — the arguments of rbf_dipole_potential.
    std::vector<double> centres(std::int64_t k) const {
        detail::require_k("torch::rbf_bank::centres", k, size());
        const auto h = centres_[k].detach().to(at::kCPU, at::kDouble).contiguous();  // [2N, d] = columns
        return {h.data_ptr<double>(), h.data_ptr<double>() + h.numel()};
    }
    std::vector<double> alphas() const {
        const auto h = alphas_.to(at::kCPU, at::kDouble).contiguous();
        return {h.data_ptr<double>(), h.data_ptr<double>() + h.numel()};
    }
    double gamma(std::int64_t k) const {
        detail::require_k("torch::rbf_bank::gamma", k, size());
        return std::exp(log_gamma_[k].item<double>());
    }

    void save(const std::filesystem::path& path) const {
        detail::save_tagged_module("torch::rbf_bank::save", *this, kind_tag,
                                   {{"d", double(d_)}, {"K", double(size())}, {"N", double(opts_.dipoles)},
                                    {"step", opts_.step}},
                                   path);
    }
    void load_state(const std::filesystem::path& path) {
        detail::load_tagged_state("torch::rbf_bank::load_state", *this, kind_tag, path);
    }

private:
    static constexpr double kind_tag = 13.0;
    std::int64_t d_;
    options opts_;
    at::Tensor centres_, alphas_, log_gamma_;
};

}  // namespace latentwalk::torch
