#pragma once
// latentwalk/torch/dplase/joint_trainer.hpp — DP-LaSE's joint objective (eq. 11): the CDF network F, the
// correction module C and the directions Γ optimised together,
//
//     min_{F, C, Γ}  E_{z₀ ~ p₀} [ l_mon + l_lik + l_den + l_var ] + ζ l_reg,
//
// and the two schedules that train them (training_schedule: joint, the paper's; sequential, latentwalk's).
//
//     namespace dp = latentwalk::torch::dplase;
//     auto F = std::make_shared<dp::cdf_network>(d, fo);
//     auto C = std::make_shared<dp::correction_module>(d, co);
//     auto Gamma = std::make_shared<dp::direction_set>(d, K, go);
//     dp::joint_trainer trainer(F, C, Gamma, G1, prior_samples, {.step = 1.0});
//     dp::fit(trainer, {.steps = 1500});                      // one Adam, a learning rate per module
//     auto r = trainer.evaluate(test_samples);                // directions sorted by variation (direction_report)
//     dp::fit(trainer, {.schedule = dp::training_schedule::sequential, .steps = 1500});   // the other schedule
//
// One step of the joint schedule draws a batch z₀ (N rows of the samples; step_generator(seed, s)) and walks
// every z₀ along every γ_j: z_dp = z₀ + tγ_j + C(z₀, t, γ_j) (eq. 6; t = ε, or t ~ U[−ε, ε] with
// step_sampling::uniform_symmetric). On that one batch, with F′ by eq. (3) (or exactly, slope_method::exact):
// | term         | formula (paper eq.)                                              | its gradient reaches |
// |--------------|------------------------------------------------------------------|----------------------|
// | l_mon        | (4) mean_N Σ_i max(0, v − F′(z₀ᵢ))                                | F                    |
// | l_lik        | (5) mean_N Σ_i −log F′(z₀ᵢ)                                       | F                    |
// | l_den        | (7) mean_N Σ_j (Σ_i log F′(z₀ᵢ) − Σ_i log F′(z_dp,ᵢ(γ_j)))²       | F, C, Γ              |
// | l_var        | (8, 9) mean_N [−Σ_j ‖Δ_j‖² + λ Σ_{j≠h} D(Δ_j, Δ_h)], Δ_j = G₁(z₀) − G₁(z_dp(γ_j)) | C, Γ    |
// | ζ l_reg      | (10) ζ ‖ΓᵀΓ − I‖²_F (0 with the matrix exponential)               | Γ                    |
// total = w_mon l_mon + w_lik l_lik + w_den l_den + w_var l_var + ζ l_reg; the paper's weights are all 1 but ζ
// (joint_objective_weights' defaults; the paper gives no value of ζ: ours is the direction_trainer's 10).
//
// Paper and latentwalk (the released code trains Γ only, along eq. 1 or eq. 2: see directions.hpp):
// | option                           | paper (default)                          | latentwalk (named option)                |
// |----------------------------------|------------------------------------------|------------------------------------------|
// | training_schedule                | joint: every term, one optimiser (eq. 11,| sequential: F by l_lik + l_mon, then C by |
// |                                  | "jointly optimized")                     | l_den against the frozen F, then Γ by     |
// |                                  |                                          | l_var + ζ l_reg along the frozen C        |
// | variation_trains_correction      | true: l_var's gradient reaches C         | false: C's weights are detached in l_var  |
// |                                  |                                          | (C learns from l_den only; Γ still gets   |
// |                                  |                                          | l_var's gradient through C's input)       |
// | density_trains_cdf               | true: l_den's gradient reaches F         | false: F's weights are detached in l_den  |
// |                                  |                                          | (F learns from l_mon + l_lik only)        |
// | density_max_step                 | 0: l_den on the walked points of l_var   | > 0: l_den on separate walks, t ~ ±U[0, T]|
// |                                  | (t = ε)                                  | per (z₀, γ_j), so C covers |t| ≤ T        |
// With both flags false every module still trains at every step on the same batch, but each by its own terms
// ("joint, per module": F by l_mon + l_lik, C by l_den, Γ by l_var + ζ l_reg + l_den).
// What eq. (11) as written does (measured in tests/train_dplase/joint.cpp, d = 4, mixture prior): −‖Δ_j‖² is not
// bounded below in C, and l_den can be lowered by flattening F as well as by correcting the walk. Trained jointly,
// C grows to several times the step εγ (moving z_dp far along F's level sets raises the variation ×10), F's CDF
// error grows to 0.25 (sequentially 0.01), and the walks' log-density drift under the TRUE prior is 17× the linear
// walk's: eq. (11) reaches a lower value than the sequential schedule's parts give it, by a degenerate solution.
// The per-module routing does not have that failure (see the tests for its numbers).
//
// fit(trainer, o) runs Adam with one parameter group per module (learning rates fit_options::cdf_rate,
// correction_rate, direction_rate) and a final fifth of the steps at a tenth of each rate (the last iterate at
// the full rate carries Adam's noise: see cdf_network's tests). The sequential schedule runs, with the same
// rates, F for cdf_steps (+ a fifth annealed) by cdf_trainer, C for correction_steps by correction_trainer
// (directions uniform on the sphere, |t| ≤ correction_max_step, against F's exact log-density), and Γ for
// direction_steps (+ a fifth annealed) by direction_trainer along corrected_walk(C); F and C are frozen
// (requires_grad off) while the later stages train, and thawed afterwards. Long runs with progress and
// checkpoints: examples/train_dplase drives the same loss(step) through the training loop.
//
// evaluate(samples) is direction_trainer::evaluate along the corrected walk (t = ε for every z₀);
// density_drift(samples, t) is mean |log F′-density(z_dp) − log F′-density(z₀)| along Γ's columns at step t.
// Errors: invalid_argument_error for empty modules, modules of different dimensions, bad options;
// dimension_error for samples that are not [M, d] or a G₁ that does not return N rows; numerical_error when some
// F′ ≤ 0 at a point l_lik or l_den needs (the unconstrained F lost monotonicity there: raise w_mon or v, or
// use cdf_parameterization::monotone), or when a loss is NaN/Inf (fit names the step).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/dplase/adam_steps.hpp>
#include <latentwalk/torch/dplase/cdf_network.hpp>
#include <latentwalk/torch/dplase/correction_module.hpp>
#include <latentwalk/torch/dplase/directions.hpp>
#include <latentwalk/torch/dplase/losses.hpp>
#include <latentwalk/torch/dplase/walks.hpp>

namespace latentwalk::torch::dplase {

enum class training_schedule {
    joint,       ///< the paper (eq. 11): F, C and Γ under one objective, one optimiser
    sequential,  ///< latentwalk's: F, then C against the frozen F, then Γ along the frozen C
};

/// The weights of eq. (11): all 1 in the paper, but ζ (not given there).
struct joint_objective_weights {
    double monotonicity = 1.0;   ///< w_mon
    double likelihood = 1.0;     ///< w_lik
    double density = 1.0;        ///< w_den
    double variation = 1.0;      ///< w_var (λ, the decorrelation's weight inside l_var, is variation_loss_options::lambda)
    double orthogonality = 10.0; ///< ζ
};

struct joint_trainer_options {
    std::int64_t batch = 64;                 ///< z₀ per step (every term is on the same batch)
    double step = 1.0;                       ///< ε
    step_sampling steps = step_sampling::fixed;
    variation_loss_options variation;        ///< λ, decorrelation form, reductions, channels
    loss_reduction orthogonality = loss_reduction::sum;
    joint_objective_weights weights;
    double min_slope = 1e-3;                 ///< v of l_mon
    slope_method slopes = slope_method::finite_difference;  ///< F′ in l_mon, l_lik and l_den
    double slope_eps = 1e-4;                 ///< ε of eq. (3)
    bool variation_trains_correction = true; ///< the paper: l_var's gradient reaches C (see the header)
    bool density_trains_cdf = true;          ///< the paper: l_den's gradient reaches F (see the header)
    double density_max_step = 0.0;           ///< 0 (the paper): l_den on l_var's walks; > 0: on separate |t| ≤ T walks
    std::uint64_t seed = 3;
};

/// Every term of eq. (11) at one step (0-dimensional tensors; total has the graph).
struct joint_loss {
    at::Tensor total;
    at::Tensor monotonicity, likelihood, density;                   ///< l_mon, l_lik, l_den
    at::Tensor variation_loss, variation, decorrelation;            ///< l_var = −variation + λ decorrelation
    at::Tensor orthogonality;                                       ///< l_reg (unweighted)
};

class joint_trainer {
public:
    using feature_function = direction_trainer::feature_function;

    joint_trainer(std::shared_ptr<cdf_network> F, std::shared_ptr<correction_module> C, std::shared_ptr<direction_set> gamma,
                  feature_function G1, at::Tensor samples, joint_trainer_options o = {})
        : F_(std::move(F)), C_(std::move(C)), gamma_(std::move(gamma)), G1_(std::move(G1)), x_(std::move(samples)), o_(o) {
        constexpr const char* where = "torch::dplase::joint_trainer";
        if (!F_ || !C_ || !gamma_ || !G1_)
            throw invalid_argument_error(latentwalk::detail::sentence(where, "F, C, Gamma or G1 is empty."));
        if (F_->dim() != gamma_->dim() || C_->dim() != gamma_->dim())
            throw invalid_argument_error(latentwalk::detail::sentence(
                where, "F, C and Gamma must share the latent dimension; got " + std::to_string(F_->dim()) + ", " +
                           std::to_string(C_->dim()) + " and " + std::to_string(gamma_->dim()) + "."));
        if (!x_.defined() || x_.dim() != 2 || x_.size(1) != gamma_->dim() || x_.size(0) < 2)
            throw dimension_error(latentwalk::detail::sentence(
                where, "the samples must be [M, " + std::to_string(gamma_->dim()) + "] with M ≥ 2."));
        const auto& w = o_.weights;
        if (o_.batch < 1 || !(o_.step > 0.0) || !(o_.min_slope >= 0.0) || !(o_.slope_eps > 0.0) ||
            !(o_.density_max_step >= 0.0) || !(w.monotonicity >= 0.0) || !(w.likelihood >= 0.0) || !(w.density >= 0.0) ||
            !(w.variation >= 0.0) || !(w.orthogonality >= 0.0))
            throw invalid_argument_error(latentwalk::detail::sentence(
                where, "batch, step, min_slope, slope_eps, density_max_step or a weight is out of range (weights and steps "
                       "must be non-negative, batch, step and slope_eps positive)."));
    }

    const joint_trainer_options& options() const { return o_; }
    std::shared_ptr<cdf_network> cdf() const { return F_; }
    std::shared_ptr<correction_module> correction() const { return C_; }
    std::shared_ptr<direction_set> directions() const { return gamma_; }
    const at::Tensor& samples() const { return x_; }
    const feature_function& features_function() const { return G1_; }

    /// F's, C's and Γ's parameters, in that order (one group each: parameter_groups()).
    std::vector<at::Tensor> parameters() const {
        std::vector<at::Tensor> p;
        for (const auto& g : parameter_groups()) p.insert(p.end(), g.begin(), g.end());
        return p;
    }
    std::vector<std::vector<at::Tensor>> parameter_groups() const {
        return {F_->parameters(), C_->parameters(), gamma_->parameters()};
    }

    joint_loss loss(std::int64_t step) const {
        constexpr const char* where = "torch::dplase::joint_trainer::loss";
        auto gen = step_generator(o_.seed, step);
        const auto z0 = draw_rows(x_, o_.batch, gen);
        const auto N = z0.size(0), d = z0.size(1);
        const auto G = gamma_->directions();
        const auto K = G.size(1);
        const auto t = o_.steps == step_sampling::fixed ? at::full({N, 1}, o_.step, z0.options())
                                                        : uniform_steps(N, -o_.step, o_.step, gen, z0);
        joint_loss l;
        // l_mon, l_lik at z₀.
        const auto s0 = F_->slope(z0, o_.slopes, o_.slope_eps);
        l.monotonicity = monotonicity_loss(s0, o_.min_slope);
        l.likelihood = likelihood_loss(s0);
        // Every z₀ along every γ_j: [K N, d].
        const auto Z0 = z0.unsqueeze(0).expand({K, N, d}).reshape({K * N, d});
        const auto T = t.unsqueeze(0).expand({K, N, 1}).reshape({K * N, 1});
        const auto Gm = G.transpose(0, 1).unsqueeze(1).expand({K, N, d}).reshape({K * N, d});
        const auto linear = Z0 + T * Gm;
        const auto corr = C_->forward(Z0, T, Gm);
        const auto zdp = linear + corr;
        const auto zvar = o_.variation_trains_correction ? zdp : linear + C_->forward_frozen(Z0, T, Gm);
        // l_var.
        const auto f0 = features(z0, where);
        const auto f = features(zvar, where).reshape({K, N, -1});
        auto v = variation_loss(f0.unsqueeze(0) - f, o_.variation);
        l.variation_loss = v.total;
        l.variation = v.variation;
        l.decorrelation = v.decorrelation;
        // l_den: log-densities Σ_i log F′ at z₀ and at the walked points.
        const auto a = log_slope_sum(o_.density_trains_cdf ? s0 : F_->slope(z0, o_.slopes, o_.slope_eps, true), where);
        at::Tensor b;
        if (o_.density_max_step > 0.0) {
            auto tt = uniform_steps(K * N, 0.0, o_.density_max_step, gen, z0);
            const auto sign = at::where(at::rand({K * N, 1}, gen, at::TensorOptions().dtype(at::kDouble)) < 0.5, -1.0, 1.0);
            tt = tt * sign.to(z0.options());
            const auto zd = Z0 + tt * Gm + C_->forward(Z0, tt, Gm);
            b = log_slope_sum(F_->slope(zd, o_.slopes, o_.slope_eps, !o_.density_trains_cdf), where).reshape({K, N});
        } else {
            b = log_slope_sum(F_->slope(zdp, o_.slopes, o_.slope_eps, !o_.density_trains_cdf), where).reshape({K, N});
        }
        l.density = density_consistency_loss(a, b);
        l.orthogonality = orthogonality_loss(G, o_.orthogonality);
        const auto& w = o_.weights;
        l.total = w.monotonicity * l.monotonicity + w.likelihood * l.likelihood + w.density * l.density +
                  w.variation * l.variation_loss;
        if (gamma_->options().parameterization == direction_parameterization::normalized_columns)
            l.total = l.total + w.orthogonality * l.orthogonality;
        return l;
    }

    /// The directions' report along the corrected walk (direction_trainer::evaluate, t = ε).
    direction_report evaluate(const at::Tensor& samples) const {
        direction_trainer_options to;
        to.step = o_.step;
        to.variation = o_.variation;
        const direction_trainer dt(gamma_, G1_, x_, corrected_walk(C_->as_function()), to);
        return dt.evaluate(samples);
    }

    /// mean over samples and Γ's columns of |Σ_i log F′(z_dp,ᵢ) − Σ_i log F′(z₀ᵢ)| at step t (exact F′), under F.
    double density_drift(const at::Tensor& samples, double t) const {
        at::NoGradGuard ng;
        const auto G = gamma_->directions();
        const auto K = G.size(1), N = samples.size(0), d = samples.size(1);
        const auto Z0 = samples.unsqueeze(0).expand({K, N, d}).reshape({K * N, d});
        const auto T = at::full({K * N, 1}, t, samples.options());
        const auto Gm = G.transpose(0, 1).unsqueeze(1).expand({K, N, d}).reshape({K * N, d});
        const auto z = Z0 + T * Gm + C_->forward(Z0, T, Gm);
        return (F_->log_density(z) - F_->log_density(Z0)).abs().mean().item<double>();
    }

private:
    at::Tensor features(const at::Tensor& z, const char* where) const {
        auto f = G1_(z);
        if (f.dim() < 1 || f.size(0) != z.size(0))
            throw dimension_error(latentwalk::detail::sentence(where, "G1 must map [N, d] to [N, ...] features."));
        return f.reshape({z.size(0), -1});
    }

    static at::Tensor log_slope_sum(const at::Tensor& slopes, const char* where) {
        if (!(slopes.min().item<double>() > 0.0))
            throw numerical_error(latentwalk::detail::sentence(
                where, "some slope F′ is not positive at a point of l_lik or l_den, so log F′ is undefined: F is not "
                       "increasing there (raise the weight of l_mon or its minimum slope v, or use the monotone "
                       "parameterization)."));
        return at::log(slopes).sum(-1);
    }

    std::shared_ptr<cdf_network> F_;
    std::shared_ptr<correction_module> C_;
    std::shared_ptr<direction_set> gamma_;
    feature_function G1_;
    at::Tensor x_;
    joint_trainer_options o_;
};

struct fit_options {
    training_schedule schedule = training_schedule::joint;
    std::int64_t steps = 1000;             ///< joint: steps of eq. (11); sequential: Γ's steps (direction_steps)
    std::int64_t cdf_steps = -1;           ///< sequential: F's steps (−1: steps)
    std::int64_t correction_steps = -1;    ///< sequential: C's steps (−1: steps)
    double cdf_rate = 2e-2, correction_rate = 3e-3, direction_rate = 1e-2;  ///< Adam's learning rate per module
    bool anneal = true;                    ///< a fifth more steps at a tenth of the rates (F and Γ; joint: all)
    std::int64_t cdf_batch = 256, correction_batch = 256;  ///< sequential: the batches of F's and C's stages
    double correction_max_step = 1.0;      ///< sequential: C's |t| range
    std::function<void(const std::string&, std::int64_t, double)> on_step;  ///< (stage, step, loss) after each step
};

/// What fit ran: the total loss per step of each stage ("joint", "joint_anneal"; "F", "F_anneal", "C", "Gamma",
/// "Gamma_anneal").
struct fit_history {
    std::vector<std::string> stages;
    std::vector<std::vector<double>> losses;
};

namespace detail {
inline std::vector<double> grouped_adam(const std::vector<std::vector<at::Tensor>>& groups, const std::vector<double>& rates,
                                        const std::function<at::Tensor(std::int64_t)>& loss, std::int64_t first,
                                        std::int64_t steps, const std::string& stage,
                                        const std::function<void(const std::string&, std::int64_t, double)>& on_step) {
    std::vector<::torch::optim::OptimizerParamGroup> pg;
    for (std::size_t g = 0; g < groups.size(); ++g)
        pg.emplace_back(groups[g], std::make_unique<::torch::optim::AdamOptions>(rates[g]));
    ::torch::optim::Adam opt(std::move(pg), ::torch::optim::AdamOptions(rates.front()));
    std::vector<double> h;
    for (std::int64_t s = first; s < first + steps; ++s) {
        opt.zero_grad();
        auto l = loss(s);
        const double v = l.item<double>();
        if (!std::isfinite(v))
            throw numerical_error(latentwalk::detail::sentence(
                "torch::dplase::fit", "the " + stage + " loss at step " + std::to_string(s) + " is " + std::to_string(v) + "."));
        l.backward();
        opt.step();
        h.push_back(v);
        if (on_step) on_step(stage, s, v);
    }
    return h;
}

struct frozen {
    std::vector<at::Tensor> params;
    explicit frozen(std::vector<at::Tensor> p) : params(std::move(p)) {
        for (auto& t : params) t.set_requires_grad(false);
    }
    ~frozen() {
        for (auto& t : params) t.set_requires_grad(true);
    }
    frozen(const frozen&) = delete;
    frozen& operator=(const frozen&) = delete;
};
}  // namespace detail

/// Trains the trainer's F, C and Γ by the chosen schedule (see the header); returns the losses of each stage.
inline fit_history fit(const joint_trainer& trainer, const fit_options& o = {}) {
    constexpr const char* where = "torch::dplase::fit";
    if (o.steps < 0 || !(o.cdf_rate > 0.0) || !(o.correction_rate > 0.0) || !(o.direction_rate > 0.0) || o.cdf_batch < 1 ||
        o.correction_batch < 1 || !(o.correction_max_step >= 0.0))
        throw invalid_argument_error(latentwalk::detail::sentence(
            where, "steps must be non-negative, the rates and batches positive and correction_max_step non-negative."));
    fit_history h;
    auto record = [&](const std::string& stage, std::vector<double> v) {
        h.stages.push_back(stage);
        h.losses.push_back(std::move(v));
    };
    const auto anneal_steps = o.anneal ? o.steps / 5 : 0;
    if (o.schedule == training_schedule::joint) {
        const auto groups = trainer.parameter_groups();
        const auto loss = [&](std::int64_t s) { return trainer.loss(s).total; };
        record("joint", detail::grouped_adam(groups, {o.cdf_rate, o.correction_rate, o.direction_rate}, loss, 0, o.steps,
                                             "joint", o.on_step));
        if (anneal_steps > 0)
            record("joint_anneal", detail::grouped_adam(groups, {o.cdf_rate / 10, o.correction_rate / 10, o.direction_rate / 10},
                                                        loss, o.steps, anneal_steps, "joint_anneal", o.on_step));
        return h;
    }
    const auto& jo = trainer.options();
    const auto F = trainer.cdf();
    const auto C = trainer.correction();
    const auto Gamma = trainer.directions();
    const auto cdf_steps = o.cdf_steps < 0 ? o.steps : o.cdf_steps;
    const auto correction_steps = o.correction_steps < 0 ? o.steps : o.correction_steps;
    // F.
    cdf_trainer_options fto;
    fto.batch = o.cdf_batch;
    fto.min_slope = jo.min_slope;
    fto.monotonicity_weight = jo.weights.likelihood > 0 ? jo.weights.monotonicity / jo.weights.likelihood : jo.weights.monotonicity;
    fto.slopes = jo.slopes;
    fto.slope_eps = jo.slope_eps;
    fto.seed = jo.seed;
    const cdf_trainer ft(F, trainer.samples(), fto);
    const auto floss = [&](std::int64_t s) { return ft.loss(s).total; };
    record("F", detail::grouped_adam({F->parameters()}, {o.cdf_rate}, floss, 0, cdf_steps, "F", o.on_step));
    if (o.anneal && cdf_steps / 5 > 0)
        record("F_anneal", detail::grouped_adam({F->parameters()}, {o.cdf_rate / 10}, floss, cdf_steps, cdf_steps / 5,
                                                "F_anneal", o.on_step));
    // C against the frozen F.
    {
        const detail::frozen fF(F->parameters());
        correction_trainer_options cto;
        cto.batch = o.correction_batch;
        cto.max_step = o.correction_max_step;
        cto.seed = jo.seed + 1;
        const correction_trainer ct(C, [F](const at::Tensor& z) { return F->log_density(z); }, trainer.samples(), cto);
        record("C", detail::grouped_adam({C->parameters()}, {o.correction_rate}, [&](std::int64_t s) { return ct.loss(s).total; },
                                         0, correction_steps, "C", o.on_step));
    }
    // Γ along the frozen C.
    {
        const detail::frozen fF(F->parameters()), fC(C->parameters());
        direction_trainer_options dto;
        dto.batch = jo.batch;
        dto.step = jo.step;
        dto.steps = jo.steps;
        dto.variation = jo.variation;
        dto.orthogonality_weight = jo.weights.variation > 0 ? jo.weights.orthogonality / jo.weights.variation : jo.weights.orthogonality;
        dto.orthogonality = jo.orthogonality;
        dto.seed = jo.seed + 2;
        const direction_trainer dt(Gamma, trainer.features_function(), trainer.samples(), corrected_walk(C->as_function()), dto);
        const auto gloss = [&](std::int64_t s) { return dt.loss(s).total; };
        record("Gamma", detail::grouped_adam({Gamma->parameters()}, {o.direction_rate}, gloss, 0, o.steps, "Gamma", o.on_step));
        if (anneal_steps > 0)
            record("Gamma_anneal", detail::grouped_adam({Gamma->parameters()}, {o.direction_rate / 10}, gloss, o.steps, anneal_steps,
                                                        "Gamma_anneal", o.on_step));
    }
    return h;
}

}  // namespace latentwalk::torch::dplase
