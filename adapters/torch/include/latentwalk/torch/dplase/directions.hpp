#pragma once
// latentwalk/torch/dplase/directions.hpp — DP-LaSE's latent directions Γ = [γ₁ … γ_K]: maximal,
// decorrelated variation of an intermediate layer G₁ (eq. 8, 9) with orthogonality (eq. 10).
//
//     namespace dp = latentwalk::torch::dplase;
//     auto Gamma = std::make_shared<dp::direction_set>(d, K, dp::direction_set_options{});
//     dp::direction_trainer trainer(Gamma, G1, prior_samples, dp::norm_preserving_walk(), {.step = 3.0});
//     dp::adam_steps(trainer.parameters(), [&](auto s) { return trainer.loss(s).total; }, {.steps = 2000});
//     auto r = trainer.evaluate(test_samples);   // directions sorted by variation, decorrelation, ‖ΓᵀΓ − I‖
//
// G₁ is any tensor function z [N, d] → features [N, ...] (flattened to [N, m]): a partial generator, a
// module's intermediate layer, a module_generator's function. The walk z_dp(z₀, t, γ) is any
// walk_function: norm_preserving_walk() (eq. 2, the Gaussian prior: the paper's default), corrected_walk(C)
// (eq. 6, a learned C), linear_walk() (eq. 1; the default of the released maximum_traverse.py, same_density = 0;
// its StyleGAN2 and BigGAN scripts walk by eq. 2).
//
// Loss at one step: l_var (eq. 8, variation_loss in losses.hpp) + ζ l_reg (eq. 10).
// | option                          | paper (default)                          | released code (named option)                   |
// |---------------------------------|------------------------------------------|------------------------------------------------|
// | parameterization                | normalized_columns: γ_j = θ_j/‖θ_j‖,     | matrix_exponential: Γ = the first K columns of |
// |                                 | orthogonality by ζ l_reg                 | exp(S − Sᵀ), exactly orthogonal (BigGAN script;|
// |                                 |                                          | l_reg is then 0 and its weight unused)         |
// | re-orthogonalization            | none                                     | gram_schmidt() after every optimizer step      |
// |                                 |                                          | (StyleGAN2 script; the columns are re-         |
// |                                 |                                          | orthogonalized in order, not normalized)       |
// | direction_sampling              | all: every z₀ walks along every γ_j,     | random_pairs: each z₀ walks along two random   |
// |                                 | Σ_j and Σ_{j≠h} over all K directions    | directions j, h; positive ‖Δ_j‖² + ‖Δ_h‖²,     |
// |                                 |                                          | negative D(Δ_j, Δ_h) averaged over the pairs    |
// |                                 |                                          | with j ≠ h                                     |
// | step_sampling                   | fixed: t = ε                             | uniform_symmetric: t ~ U[−ε, ε] per z₀ (t_scale)|
// | decorrelation, reductions       | see losses.hpp (inner_product, sums)     | normalized_vector / _per_channel, means         |
// The paper does not say how ε is chosen during training; fixed ε is eq. (8) as written.
// The code's weights (wgt_pos, wgt_neg, wgt_orth) are the paper's (1, λ, ζ) up to a common factor: set
// λ = wgt_neg/wgt_pos and ζ = wgt_orth/wgt_pos.
//
// evaluate(samples) reports on a batch (no gradient): the directions sorted by the variation they cause
// (mean ‖Δ_j‖², descending; their columns and the variation permuted together), the pairwise
// decorrelation as mean squared cosines between Δ_j and Δ_h (K × K, dimensionless), and ‖ΓᵀΓ − I‖_F.
// Errors: invalid_argument_error for bad sizes/options; dimension_error for samples that are not [M, d]
// or a G₁ whose output does not have N rows.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/torch/dplase/losses.hpp>
#include <latentwalk/torch/dplase/walks.hpp>

namespace latentwalk::torch::dplase {

enum class direction_parameterization {
    normalized_columns,  ///< the paper: unit columns, orthogonality by the penalty ζ l_reg
    matrix_exponential,  ///< the released BigGAN script: first K columns of exp(S − Sᵀ), exactly orthogonal
};

enum class direction_sampling {
    all,           ///< the paper's Σ_j, Σ_{j≠h} over all K directions for every z₀
    random_pairs,  ///< the released code: two random directions per z₀
};

enum class step_sampling {
    fixed,              ///< t = ε (eq. 8 as written)
    uniform_symmetric,  ///< t ~ U[−ε, ε] per z₀ (the released code's t_scale)
};

struct direction_set_options {
    direction_parameterization parameterization = direction_parameterization::normalized_columns;
    std::uint64_t seed = 0;
    at::ScalarType dtype = at::kDouble;
};

/// Γ as a module: directions() is [d, K] with unit columns.
class direction_set : public ::torch::nn::Module {
public:
    direction_set(std::int64_t dim, std::int64_t count, direction_set_options o = {}) : d_(dim), k_(count), o_(o) {
        if (dim < 1 || count < 1 || count > dim)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::dplase::direction_set", "need 1 ≤ K ≤ d directions; got K = " + std::to_string(count) +
                                                    " in dimension " + std::to_string(dim) + "."));
        auto gen = step_generator(o.seed, -1);
        const auto opt = at::TensorOptions().dtype(at::kDouble);
        if (o.parameterization == direction_parameterization::normalized_columns) {
            // Orthonormal start, as the released code's Gram–Schmidt of a Gaussian matrix.
            auto q = std::get<0>(at::linalg_qr(at::randn({dim, count}, gen, opt)));
            theta_ = register_parameter("theta", q.to(o.dtype));
        } else {
            theta_ = register_parameter("theta", (at::randn({dim, dim}, gen, opt) * 0.5).to(o.dtype));
        }
    }

    std::int64_t dim() const { return d_; }
    std::int64_t count() const { return k_; }
    const direction_set_options& options() const { return o_; }

    /// The StyleGAN2 script's re-orthogonalization (call it after each optimizer step): for i = 1 … K − 1,
    /// θ_h ← θ_h − ⟨θ_i, θ_h⟩/(‖θ_i‖² + 1e-16) θ_i for every h > i, in place and without normalizing (the
    /// normalization is in directions()). Only for normalized_columns (invalid_argument_error otherwise).
    void gram_schmidt() {
        if (o_.parameterization != direction_parameterization::normalized_columns)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::dplase::direction_set::gram_schmidt", "only the normalized_columns parameterization is re-orthogonalized."));
        at::NoGradGuard ng;
        for (std::int64_t i = 0; i + 1 < k_; ++i) {
            const auto a = theta_.select(1, i);
            auto rest = theta_.narrow(1, i + 1, k_ - i - 1);
            const auto c = at::matmul(a, rest) / ((a * a).sum() + 1e-16);  // [K − i − 1]
            rest.sub_(a.unsqueeze(1) * c.unsqueeze(0));
        }
    }

    at::Tensor directions() const {
        if (o_.parameterization == direction_parameterization::normalized_columns)
            return theta_ / theta_.norm(2, {0}, true);
        const auto S = 0.5 * (theta_ - theta_.transpose(0, 1));
        return at::linalg_matrix_exp(S).narrow(1, 0, k_);
    }

private:
    std::int64_t d_, k_;
    direction_set_options o_;
    at::Tensor theta_;
};

struct direction_trainer_options {
    std::int64_t batch = 64;
    double step = 1.0;                       ///< ε
    step_sampling steps = step_sampling::fixed;
    direction_sampling sampling = direction_sampling::all;
    variation_loss_options variation;        ///< λ, decorrelation form, reductions, channels
    double orthogonality_weight = 10.0;      ///< ζ
    loss_reduction orthogonality = loss_reduction::sum;
    std::uint64_t seed = 3;
};

struct direction_loss {
    at::Tensor total, variation, decorrelation, orthogonality;
};

/// Directions sorted by variation, and the statistics of the table in examples/train_dplase.
struct direction_report {
    at::Tensor directions;                 ///< [d, K], columns sorted by variation (descending)
    std::vector<double> variation;         ///< mean ‖Δ_j‖² per sorted direction
    std::vector<std::int64_t> order;       ///< order[j] = the index in direction_set of sorted column j
    at::Tensor decorrelation;              ///< [K, K] mean squared cosine of Δ_j and Δ_h (1 on the diagonal)
    double max_decorrelation = 0.0;        ///< max off-diagonal entry
    double orthogonality_error = 0.0;      ///< ‖ΓᵀΓ − I‖_F
};

class direction_trainer {
public:
    using feature_function = std::function<at::Tensor(const at::Tensor&)>;

    direction_trainer(std::shared_ptr<direction_set> gamma, feature_function G1, at::Tensor samples, walk_function walk,
                      direction_trainer_options o = {})
        : gamma_(std::move(gamma)), G1_(std::move(G1)), x_(std::move(samples)), walk_(std::move(walk)), o_(o) {
        constexpr const char* where = "torch::dplase::direction_trainer";
        if (!gamma_ || !G1_ || !walk_)
            throw invalid_argument_error(latentwalk::detail::sentence(where, "the directions, G1 or the walk is empty."));
        if (!x_.defined() || x_.dim() != 2 || x_.size(1) != gamma_->dim())
            throw dimension_error(latentwalk::detail::sentence(where, "the samples must be [M, " + std::to_string(gamma_->dim()) + "]."));
        if (o_.batch < 1 || !(o_.step > 0.0) || !(o_.orthogonality_weight >= 0.0))
            throw invalid_argument_error(latentwalk::detail::sentence(where, "batch, step or orthogonality_weight is out of range."));
        if (o_.sampling == direction_sampling::random_pairs && gamma_->count() < 2)
            throw invalid_argument_error(latentwalk::detail::sentence(where, "random_pairs needs at least 2 directions."));
    }

    std::vector<at::Tensor> parameters() const { return gamma_->parameters(); }

    direction_loss loss(std::int64_t step) const {
        auto gen = step_generator(o_.seed, step);
        const auto z0 = draw_rows(x_, o_.batch, gen);
        const auto G = gamma_->directions();
        const auto t = times(o_.batch, gen, z0);
        direction_loss l;
        if (o_.sampling == direction_sampling::all) {
            const auto deltas = all_deltas(z0, t, G);
            auto v = variation_loss(deltas, o_.variation);
            l.variation = v.variation;
            l.decorrelation = v.decorrelation;
            l.total = v.total;
        } else {
            const auto K = gamma_->count();
            const auto opt = at::TensorOptions().dtype(at::kLong);
            const auto j = at::randint(K, {o_.batch}, gen, opt), h = at::randint(K, {o_.batch}, gen, opt);
            const auto f0 = features(z0);
            const auto Gt = G.transpose(0, 1);
            const auto dj = f0 - features(walk_(z0, t, Gt.index_select(0, j.to(G.device()))));
            const auto dh = f0 - features(walk_(z0, t, Gt.index_select(0, h.to(G.device()))));
            auto sq = (dj * dj).sum(-1) + (dh * dh).sum(-1);
            if (o_.variation.variation == loss_reduction::mean) sq = sq / static_cast<double>(f0.size(1));
            l.variation = sq.mean();
            const auto pair = pairwise_decorrelation(at::stack({dj, dh}), o_.variation).select(0, 0).select(0, 1);  // [N]
            const auto differ = (j != h).to(pair.options());
            l.decorrelation = (pair * differ).sum() / at::clamp_min(differ.sum(), 1.0);
            l.total = -l.variation + o_.variation.lambda * l.decorrelation;
        }
        l.orthogonality = orthogonality_loss(G, o_.orthogonality);
        if (gamma_->options().parameterization == direction_parameterization::normalized_columns)
            l.total = l.total + o_.orthogonality_weight * l.orthogonality;
        return l;
    }

    /// The report on `samples` [N, d] (no gradient), with t = ε (fixed) for every z₀.
    direction_report evaluate(const at::Tensor& samples) const {
        at::NoGradGuard ng;
        if (!samples.defined() || samples.dim() != 2 || samples.size(1) != gamma_->dim())
            throw dimension_error(latentwalk::detail::sentence("torch::dplase::direction_trainer::evaluate",
                                                               "the samples must be [N, d]."));
        const auto G = gamma_->directions();
        const auto t = at::full({samples.size(0), 1}, o_.step, samples.options());
        const auto deltas = all_deltas(samples, t, G);  // [K, N, m]
        const auto K = gamma_->count();
        const auto var = (deltas * deltas).sum(-1).mean(1).to(at::kDouble).cpu();
        std::vector<double> v(var.data_ptr<double>(), var.data_ptr<double>() + K);
        direction_report r;
        r.order.resize(static_cast<std::size_t>(K));
        std::iota(r.order.begin(), r.order.end(), 0);
        std::stable_sort(r.order.begin(), r.order.end(), [&](auto a, auto b) { return v[a] > v[b]; });
        const auto idx = at::tensor(r.order, at::TensorOptions().dtype(at::kLong)).to(G.device());
        r.directions = G.index_select(1, idx).detach().clone();
        for (auto j : r.order) r.variation.push_back(v[static_cast<std::size_t>(j)]);
        variation_loss_options cos;
        cos.decorrelation = decorrelation_form::normalized_vector;
        r.decorrelation = pairwise_decorrelation(deltas.index_select(0, idx), cos).mean(-1).to(at::kDouble).cpu();
        for (std::int64_t a = 0; a < K; ++a)
            for (std::int64_t b = 0; b < K; ++b)
                if (a != b) r.max_decorrelation = std::max(r.max_decorrelation, r.decorrelation[a][b].item<double>());
        r.orthogonality_error = std::sqrt(orthogonality_loss(G).item<double>());
        return r;
    }

private:
    at::Tensor features(const at::Tensor& z) const {
        auto f = G1_(z);
        if (f.dim() < 1 || f.size(0) != z.size(0))
            throw dimension_error(latentwalk::detail::sentence("torch::dplase::direction_trainer",
                                                               "G1 must map [N, d] to [N, ...] features."));
        return f.reshape({z.size(0), -1});
    }

    at::Tensor times(std::int64_t n, at::Generator& gen, const at::Tensor& like) const {
        if (o_.steps == step_sampling::fixed) return at::full({n, 1}, o_.step, like.options());
        return uniform_steps(n, -o_.step, o_.step, gen, like);
    }

    /// Δ_j = G₁(z₀) − G₁(z_dp(z₀, t, γ_j)) for every j: [K, N, m] (one batched G₁ call on K N points).
    at::Tensor all_deltas(const at::Tensor& z0, const at::Tensor& t, const at::Tensor& G) const {
        const auto K = G.size(1), N = z0.size(0), d = z0.size(1);
        const auto Z0 = z0.unsqueeze(0).expand({K, N, d}).reshape({K * N, d});
        const auto T = t.unsqueeze(0).expand({K, N, 1}).reshape({K * N, 1});
        const auto Gm = G.transpose(0, 1).unsqueeze(1).expand({K, N, d}).reshape({K * N, d});
        const auto f0 = features(z0);
        const auto f = features(walk_(Z0, T, Gm)).reshape({K, N, -1});
        return f0.unsqueeze(0) - f;
    }

    std::shared_ptr<direction_set> gamma_;
    feature_function G1_;
    at::Tensor x_;
    walk_function walk_;
    direction_trainer_options o_;
};

}  // namespace latentwalk::torch::dplase
