#pragma once
// latentwalk/torch/dplase/correction_module.hpp — DP-LaSE's correction module C(z₀, ε, γ) (eq. 6),
// trained with the density-consistency loss l_den (eq. 7), and its export to
// latentwalk::correction_network (every backend).
//
//     namespace dp = latentwalk::torch::dplase;
//     auto C = std::make_shared<dp::correction_module>(d, dp::correction_module_options{});
//     dp::correction_trainer trainer(C, log_p, samples, {.max_step = 1.0});   // log_p: [N, d] → [N]
//     dp::adam_steps(trainer.parameters(), [&](auto s) { return trainer.loss(s).total; }, {.steps = 800});
//     latentwalk::correction_network<latentwalk::eigen::backend<double>> Ce(like, d, C->weights());
//
// The network: an MLP on [z₀, ε, γ] (2d + 1 inputs) with tanh hidden layers; the output layer starts
// at zero, so the untrained C is the linear walk. scale_by_step (default on; latentwalk's choice, the paper
// does not specify C's architecture) multiplies the output by ε, so that C(z₀, 0, γ) = 0 exactly: in our
// measurements it lowers l_den faster than an MLP that must learn to vanish at ε = 0. orthogonal_to_direction (default on) projects the
// output off γ, C ← C − ⟨C, γ⟩γ/‖γ‖²: l_den alone is minimised by C = −εγ (the walk that does not move),
// which the paper rules out only through the joint objective with l_var (eq. 11); the projection rules
// it out for C trained alone. Set it off for the paper's unconstrained C in joint training.
//
// The trainer draws z₀ from the prior's samples, a direction γ (uniform on the sphere, or a column of
// a fixed Γ) and a step t uniform in [min_step, max_step] per sample (sign flipped with probability ½
// when symmetric), and minimises l_den = mean (log p(z₀) − log p(z₀ + tγ + C))², with log p any
// differentiable tensor function ([N, d] → [N]): a learned F's log_density or a known prior's. Batches
// are drawn by step (step_generator(seed, s)).
// Errors: invalid_argument_error for bad sizes/options; dimension_error for samples that are not [M, d].
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>

#include <latentwalk/density/correction_network.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/torch/dplase/losses.hpp>
#include <latentwalk/torch/dplase/walks.hpp>

namespace latentwalk::torch::dplase {

struct correction_module_options {
    std::int64_t hidden = 64;
    std::int64_t layers = 2;               ///< hidden layers
    bool orthogonal_to_direction = true;   ///< see the header
    bool scale_by_step = true;             ///< multiply the output by ε (see the header)
    std::uint64_t seed = 0;
    at::ScalarType dtype = at::kDouble;
};

class correction_module : public ::torch::nn::Module {
public:
    correction_module(std::int64_t dim, correction_module_options o = {}) : d_(dim), o_(o) {
        if (dim < 1 || o.hidden < 1 || o.layers < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::dplase::correction_module", "the dimension, hidden and layers must be at least 1."));
        auto gen = step_generator(o.seed, -1);
        std::int64_t in = 2 * dim + 1;
        for (std::int64_t l = 0; l <= o.layers; ++l) {
            const std::int64_t out = l == o.layers ? dim : o.hidden;
            auto lin = ::torch::nn::Linear(::torch::nn::LinearOptions(in, out));
            lin->to(o.dtype);
            {
                at::NoGradGuard ng;
                const double bound = 1.0 / std::sqrt(static_cast<double>(in));
                if (l == o.layers) {
                    lin->weight.zero_();
                    lin->bias.zero_();
                } else {
                    lin->weight.copy_(at::rand({out, in}, gen, at::TensorOptions().dtype(at::kDouble)) * 2 * bound - bound);
                    lin->bias.copy_(at::rand({out}, gen, at::TensorOptions().dtype(at::kDouble)) * 2 * bound - bound);
                }
            }
            layers_.push_back(register_module("layer" + std::to_string(l), lin));
            in = out;
        }
    }

    std::int64_t dim() const { return d_; }
    const correction_module_options& options() const { return o_; }

    /// C(z₀ [N, d], t [N, 1], γ [N, d]) → [N, d].
    at::Tensor forward(const at::Tensor& z0, const at::Tensor& t, const at::Tensor& gamma) {
        return evaluate(z0, t, gamma, false);
    }

    /// C with its weights detached: the same values, gradients only to z₀, t and γ (joint_trainer's option
    /// variation_trains_correction = false).
    at::Tensor forward_frozen(const at::Tensor& z0, const at::Tensor& t, const at::Tensor& gamma) {
        return evaluate(z0, t, gamma, true);
    }

    /// C as a walk_function's correction.
    walk_function as_function() {
        return [self = std::static_pointer_cast<correction_module>(shared_from_this())](
                   const at::Tensor& z0, const at::Tensor& t, const at::Tensor& g) { return self->forward(z0, t, g); };
    }

    correction_network_weights weights() const {
        correction_network_weights w;
        w.orthogonal_to_direction = o_.orthogonal_to_direction;
        w.scale_by_step = o_.scale_by_step;
        auto host = [](const at::Tensor& t) {
            const auto c = t.detach().to(at::kDouble).contiguous().cpu();
            return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
        };
        for (const auto& L : layers_) {
            correction_network_weights::layer l;
            l.out = L->weight.size(0);
            l.in = L->weight.size(1);
            l.weight = host(L->weight);
            l.bias = host(L->bias);
            w.layers.push_back(std::move(l));
        }
        return w;
    }

private:
    at::Tensor evaluate(const at::Tensor& z0, const at::Tensor& t, const at::Tensor& gamma, bool frozen) {
        if (z0.dim() != 2 || z0.size(1) != d_ || gamma.sizes() != z0.sizes() || t.dim() != 2 || t.size(0) != z0.size(0) ||
            t.size(1) != 1)
            throw dimension_error(latentwalk::detail::sentence(
                "torch::dplase::correction_module", "z0 and gamma must be [N, " + std::to_string(d_) + "] and t [N, 1]."));
        auto a = at::cat({z0, t, gamma}, 1);
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const auto& L = layers_[l];
            a = frozen ? at::linear(a, L->weight.detach(), L->bias.detach()) : at::linear(a, L->weight, L->bias);
            if (l + 1 < layers_.size()) a = at::tanh(a);
        }
        if (o_.scale_by_step) a = a * t;
        if (o_.orthogonal_to_direction) a = a - (a * gamma).sum(-1, true) / (gamma * gamma).sum(-1, true) * gamma;
        return a;
    }

    std::int64_t d_;
    correction_module_options o_;
    std::vector<::torch::nn::Linear> layers_;
};

struct correction_trainer_options {
    std::int64_t batch = 256;
    double min_step = 0.0, max_step = 1.0;  ///< t uniform in [min_step, max_step]
    bool symmetric = true;                  ///< t's sign flipped with probability ½
    at::Tensor directions;                  ///< optional Γ [d, K]: γ drawn among its columns; else uniform on the sphere
    std::uint64_t seed = 2;
};

struct correction_loss {
    at::Tensor total;  ///< l_den
};

class correction_trainer {
public:
    using log_density_function = std::function<at::Tensor(const at::Tensor&)>;

    correction_trainer(std::shared_ptr<correction_module> C, log_density_function log_p, at::Tensor samples,
                       correction_trainer_options o = {})
        : C_(std::move(C)), log_p_(std::move(log_p)), x_(std::move(samples)), o_(std::move(o)) {
        constexpr const char* where = "torch::dplase::correction_trainer";
        if (!C_ || !log_p_) throw invalid_argument_error(latentwalk::detail::sentence(where, "the module or log-density is empty."));
        if (!x_.defined() || x_.dim() != 2 || x_.size(1) != C_->dim())
            throw dimension_error(latentwalk::detail::sentence(where, "the samples must be [M, " + std::to_string(C_->dim()) + "]."));
        if (o_.batch < 1 || !(o_.max_step >= o_.min_step) || !(o_.min_step >= 0.0))
            throw invalid_argument_error(latentwalk::detail::sentence(where, "batch or the step range is out of range."));
        if (o_.directions.defined() && (o_.directions.dim() != 2 || o_.directions.size(0) != C_->dim()))
            throw dimension_error(latentwalk::detail::sentence(where, "directions must be [d, K]."));
    }

    std::vector<at::Tensor> parameters() const { return C_->parameters(); }

    /// One batch: z₀, t, γ of step `step`.
    struct batch_draw {
        at::Tensor z0, t, gamma;
    };
    batch_draw draw(std::int64_t step) const {
        auto gen = step_generator(o_.seed, step);
        batch_draw b;
        b.z0 = draw_rows(x_, o_.batch, gen);
        if (o_.directions.defined()) {
            const auto idx = at::randint(o_.directions.size(1), {o_.batch}, gen, at::TensorOptions().dtype(at::kLong));
            b.gamma = o_.directions.transpose(0, 1).index_select(0, idx.to(o_.directions.device())).to(b.z0.options());
        } else {
            b.gamma = random_unit_directions(o_.batch, C_->dim(), gen, b.z0);
        }
        b.t = uniform_steps(o_.batch, o_.min_step, o_.max_step, gen, b.z0);
        if (o_.symmetric) {
            const auto sign = at::where(at::rand({o_.batch, 1}, gen, at::TensorOptions().dtype(at::kDouble)) < 0.5, -1.0, 1.0);
            b.t = b.t * sign.to(b.z0.options());
        }
        return b;
    }

    correction_loss loss(std::int64_t step) const {
        const auto b = draw(step);
        const auto z = b.z0 + b.t * b.gamma + C_->forward(b.z0, b.t, b.gamma);
        correction_loss l;
        l.total = density_consistency_loss(log_p_(b.z0), log_p_(z));
        return l;
    }

private:
    std::shared_ptr<correction_module> C_;
    log_density_function log_p_;
    at::Tensor x_;
    correction_trainer_options o_;
};

}  // namespace latentwalk::torch::dplase
