#pragma once
// latentwalk/torch/dplase/cdf_network.hpp — DP-LaSE's density estimation module F, trained with l_mon
// and l_lik (eqs. 3–5), and its export to latentwalk::learned_cdf_model (every backend).
//
//     namespace dp = latentwalk::torch::dplase;
//     auto F = std::make_shared<dp::cdf_network>(d, dp::cdf_network_options{});     // per coordinate
//     dp::cdf_trainer trainer(F, samples, {.batch = 256});                          // samples [M, d]
//     dp::adam_steps(trainer.parameters(), [&](auto s) { return trainer.loss(s).total; }, {.steps = 1500});
//     latentwalk::learned_cdf_model<latentwalk::eigen::backend<double>> model(like, d, F->weights());
//
// The network, per coordinate (or one shared by all: coordinates = 1, the paper's i.i.d. assumption):
//   h(x) = c + α x + Σ_k v_k tanh(w_k x + b_k),   F(x) = σ(h(x)),   log p(z) = Σ_i log F′(z_i).
// | parameterization            | α, w, v                                     | monotone                     |
// |-----------------------------|---------------------------------------------|------------------------------|
// | unconstrained (paper)       | free                                        | by l_mon only (eq. 4), on    |
// |                             |                                             | the training samples          |
// | monotone                    | softplus of free parameters (α, w, v > 0)   | by construction              |
// | slope method                | F′ as in the losses                                                        |
// | finite_difference (paper)   | (F(x + ε) − F(x))/ε, eq. (3), ε = options.slope_eps                        |
// | exact                       | σ(h)(1 − σ(h)) h′(x) in closed form                                        |
// The trainer minimises mean_N [l_lik + μ l_mon] (μ = monotonicity_weight, v = min_slope) on batches of
// the samples; the batch of step s comes from step_generator(seed, s), so loss(s) is reproducible.
// Initialisation (seeded): α = 1, the K tanh centres spread over the samples' range, v_k = 0.1: F starts
// increasing everywhere.
//
// Errors: invalid_argument_error for bad sizes/options; dimension_error for samples that are not [M, d];
// numerical_error from likelihood_loss when F′ ≤ 0 at a training sample (the unconstrained F lost
// monotonicity there: raise μ or v).
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <latentwalk/density/learned_cdf_model.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/torch/dplase/losses.hpp>
#include <latentwalk/torch/dplase/walks.hpp>

namespace latentwalk::torch::dplase {

enum class cdf_parameterization {
    unconstrained,  ///< the paper: monotone through l_mon
    monotone,       ///< α, w, v > 0 by softplus: monotone by construction
};

enum class slope_method {
    finite_difference,  ///< the paper's eq. (3)
    exact,              ///< closed-form F′
};

struct cdf_network_options {
    std::int64_t hidden = 16;                                           ///< K tanh units
    bool shared = false;                                                ///< one F for every coordinate (i.i.d.)
    cdf_parameterization parameterization = cdf_parameterization::unconstrained;
    double init_lower = -3.0, init_upper = 3.0;                         ///< range of the initial tanh centres
    std::uint64_t seed = 0;
    at::ScalarType dtype = at::kDouble;
};

class cdf_network : public ::torch::nn::Module {
public:
    cdf_network(std::int64_t dim, cdf_network_options o = {}) : d_(dim), o_(o) {
        constexpr const char* where = "torch::dplase::cdf_network";
        if (dim < 1 || o.hidden < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(where, "the dimension and hidden must be at least 1."));
        if (!(o.init_upper > o.init_lower))
            throw invalid_argument_error(latentwalk::detail::sentence(where, "init_lower must be below init_upper."));
        const std::int64_t R = o.shared ? 1 : dim, H = o.hidden;
        auto gen = step_generator(o.seed, -1);
        const auto opt = at::TensorOptions().dtype(o.dtype);
        const bool mono = o.parameterization == cdf_parameterization::monotone;
        // Effective initial values, then the raw parameters that give them.
        auto w = at::rand({R, H}, gen, opt) * 1.5 + 0.5;  // slopes of the tanh units in [0.5, 2]
        auto centres = at::linspace(o.init_lower, o.init_upper, H, opt).unsqueeze(0).expand({R, H}).clone();
        auto b = -w * centres;
        auto v = at::full({R, H}, 0.1, opt);
        auto alpha = at::ones({R}, opt);
        auto inv_softplus = [](const at::Tensor& y) { return at::log(at::expm1(y)); };
        w_ = register_parameter("input_weight", mono ? inv_softplus(w) : w);
        b_ = register_parameter("input_bias", b);
        v_ = register_parameter("output_weight", mono ? inv_softplus(v) : v);
        a_ = register_parameter("linear_weight", mono ? inv_softplus(alpha) : alpha);
        c_ = register_parameter("output_bias", at::zeros({R}, opt));
    }

    std::int64_t dim() const { return d_; }
    const cdf_network_options& options() const { return o_; }

    /// h(x) for x [..., d], and h′(x); with detach_weights the weights enter as constants (gradients reach x only).
    std::pair<at::Tensor, at::Tensor> pre_activation(const at::Tensor& x, bool detach_weights = false) const {
        const auto fix = [detach_weights](const at::Tensor& t) { return detach_weights ? t.detach() : t; };
        const auto w = eff(fix(w_)), v = eff(fix(v_)), a = eff(fix(a_)), b = fix(b_), c = fix(c_);
        const auto u = at::tanh(x.unsqueeze(-1) * w + b);  // [..., d, H]
        const auto h = c + a * x + (u * v).sum(-1);
        const auto dh = a + ((1 - u * u) * (v * w)).sum(-1);
        return {h, dh};
    }

    /// F(x) element-wise, [..., d].
    at::Tensor forward(const at::Tensor& x) const {
        check(x);
        return at::sigmoid(pre_activation(x).first);
    }

    /// F′(x) by the given method; detach_weights: the same values, gradients to x only (joint_trainer's option
    /// density_trains_cdf = false).
    at::Tensor slope(const at::Tensor& x, slope_method m, double eps = 1e-4, bool detach_weights = false) const {
        check(x);
        if (m == slope_method::finite_difference)
            return finite_difference_slope(
                [this, detach_weights](const at::Tensor& y) { return at::sigmoid(pre_activation(y, detach_weights).first); }, x,
                eps);
        const auto [h, dh] = pre_activation(x, detach_weights);
        const auto s = at::sigmoid(h);
        return s * (1 - s) * dh;
    }

    /// Σ_i log F′(x_i), [...]; exact slopes (use the losses for the finite-difference form).
    at::Tensor log_density(const at::Tensor& x) const {
        check(x);
        const auto [h, dh] = pre_activation(x);
        return (at::log_sigmoid(h) + at::log_sigmoid(-h) + at::log(dh)).sum(-1);
    }

    /// The effective weights, for latentwalk::learned_cdf_model.
    learned_cdf_weights weights() const {
        learned_cdf_weights w;
        w.coordinates = o_.shared ? 1 : d_;
        w.hidden = o_.hidden;
        auto host = [](const at::Tensor& t) {
            const auto c = t.detach().to(at::kDouble).contiguous().cpu();
            return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
        };
        w.input_weight = host(eff(w_));
        w.input_bias = host(b_);
        w.output_weight = host(eff(v_));
        w.linear_weight = host(eff(a_));
        w.output_bias = host(c_);
        return w;
    }

private:
    at::Tensor eff(const at::Tensor& raw) const {
        return o_.parameterization == cdf_parameterization::monotone ? at::softplus(raw) : raw;
    }
    void check(const at::Tensor& x) const {
        if (!x.defined() || x.dim() < 1 || x.size(-1) != d_)
            throw dimension_error(latentwalk::detail::sentence(
                "torch::dplase::cdf_network", "x must be a [..., " + std::to_string(d_) + "] tensor."));
    }

    std::int64_t d_;
    cdf_network_options o_;
    at::Tensor w_, b_, v_, a_, c_;
};

struct cdf_trainer_options {
    std::int64_t batch = 256;
    double min_slope = 1e-3;             ///< v in l_mon
    double monotonicity_weight = 1.0;    ///< μ
    slope_method slopes = slope_method::finite_difference;
    double slope_eps = 1e-4;             ///< ε of eq. (3)
    std::uint64_t seed = 1;
};

/// The parts of the F loss at one step.
struct cdf_loss {
    at::Tensor total, likelihood, monotonicity;
};

/// l_lik + μ l_mon on batches of the samples (see the header).
class cdf_trainer {
public:
    cdf_trainer(std::shared_ptr<cdf_network> F, at::Tensor samples, cdf_trainer_options o = {})
        : F_(std::move(F)), x_(std::move(samples)), o_(o) {
        constexpr const char* where = "torch::dplase::cdf_trainer";
        if (!F_) throw invalid_argument_error(latentwalk::detail::sentence(where, "the network is null."));
        if (!x_.defined() || x_.dim() != 2 || x_.size(1) != F_->dim() || x_.size(0) < 2)
            throw dimension_error(latentwalk::detail::sentence(
                where, "the samples must be [M, " + std::to_string(F_->dim()) + "] with M ≥ 2."));
        if (o_.batch < 1 || !(o_.min_slope >= 0.0) || !(o_.monotonicity_weight >= 0.0) || !(o_.slope_eps > 0.0))
            throw invalid_argument_error(latentwalk::detail::sentence(where, "batch, min_slope, monotonicity_weight or slope_eps is out of range."));
    }

    std::vector<at::Tensor> parameters() const { return F_->parameters(); }

    cdf_loss loss(std::int64_t step) const {
        auto gen = step_generator(o_.seed, step);
        const auto x = draw_rows(x_, o_.batch, gen);
        const auto s = F_->slope(x, o_.slopes, o_.slope_eps);
        cdf_loss l;
        l.monotonicity = monotonicity_loss(s, o_.min_slope);
        l.likelihood = likelihood_loss(s);
        l.total = l.likelihood + o_.monotonicity_weight * l.monotonicity;
        return l;
    }

private:
    std::shared_ptr<cdf_network> F_;
    at::Tensor x_;
    cdf_trainer_options o_;
};

}  // namespace latentwalk::torch::dplase
