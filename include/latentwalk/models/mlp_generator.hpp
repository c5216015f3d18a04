#pragma once
// latentwalk/models/mlp_generator.hpp — a dense multilayer perceptron with exact derivatives on any
// backend (the same model as the Eigen reference's latentwalk::eigen::mlp_generator, written once
// against the seam, so that xtensor, torch and any new backend get it without an adapter copy).
//
//     using B = latentwalk::xtensor::backend<double>;
//     latentwalk::mlp_generator<B>::options o;  o.hidden = latentwalk::activation::tanh;
//     const auto g = latentwalk::mlp_generator<B>::random({6, 10, 9, 7}, o, 31);  // Eigen's weights for seed 31
//     const auto tb = latentwalk::tangent_basis(g, z, 3);
//
//   x₀ = PixelNorm(z) = z / sqrt(mean(z²) + ε)     (optional, first, as in StyleGAN2's mapping network)
//   a_l = W_l x_{l−1} + b_l,   x_l = φ_l(a_l)      (l = 1..L)
// φ_l is the hidden activation for l < L and the output activation (identity by default) for l = L:
// identity, tanh, or the leaky ReLU with slope α (φ(a) = a for a ≥ 0, α a otherwise; φ′(0) = 1).
//
// | member              | computes                                              | cost            |
// |---------------------|-------------------------------------------------------|-----------------|
// | g(z)                | the forward pass                                      | 1 evaluation    |
// | g.linearize(z)      | f(z) and the factors D_l = φ′(a_l)                    | 1 evaluation    |
// | L.jvp(v), L.vjp(u)  | D_L W_L ⋯ D_1 W_1 P v, Pᵀ W_1ᵀ D_1 ⋯ W_Lᵀ D_L u       | 1 pass each     |
// | g.jvp(z, v), g.vjp  | linearize, then one product                           | 2 evaluations   |
// The Jacobian is left to the library (latentwalk/derivatives.hpp: min(n, m) products).
//
// Element-wise maps from the seam's primitives only: tanh(a) = t(max(a, 0)) − t(−min(a, 0)) with
// t(x) = −expm1(−2x)/(expm1(−2x) + 2) for x ≥ 0 (no overflow, no cancellation; within a few ulps of
// std::tanh); leaky ReLU = max(a, 0) + α min(a, 0) (exact); its derivative α + (1 − α)·H(a) with the
// step H(a) = 1 − min(max(−a·2^k, 0), 1), 2^k ≥ 1/denorm_min (exact: H = 1 for a ≥ 0, 0 for a < 0).
// Batched backends: z carries a batch; the weights are one sample's and broadcast.
// random(widths, opts, seed) draws W ~ N(0, gain²/fan_in) column by column and b ~ N(0, 0.1²) in the
// Eigen reference's order: in double the weights equal eigen::mlp_generator<double>::random's exactly.
// Errors: invalid_argument_error (no layers, bad options or widths), dimension_error (layer shapes),
// numerical_error (NaN/Inf weights; PixelNorm of z = 0 with ε = 0); members check z, v, u.
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "model_checks.hpp"

namespace latentwalk {

/// The activations of mlp_generator (latentwalk::eigen::activation is this type).
enum class activation { identity, tanh, leaky_relu };

template <class B>
class mlp_generator : private detail::generic_checked_model<B, mlp_generator<B>> {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    using vec = vector_t<B>;
    friend class detail::generic_checked_model<B, mlp_generator<B>>;

public:
    using backend = B;

    struct layer {
        matrix_t<B> weight;  ///< out × in
        vector_t<B> bias;    ///< out
    };
    struct options {
        activation hidden = activation::leaky_relu;
        activation output = activation::identity;
        double leaky_slope = 0.2;        ///< α of the leaky ReLU (StyleGAN2 uses 0.2)
        bool pixel_norm_first = false;   ///< normalise z first, as StyleGAN2's mapping network
        double pixel_norm_epsilon = 1e-8;
    };

    mlp_generator(std::vector<layer> layers, options opts) : layers_(std::move(layers)), opts_(opts) { validate(); }
    explicit mlp_generator(std::vector<layer> layers) : mlp_generator(std::move(layers), options{}) {}

    /// Random weights for the widths [n, h₁, ..., m] (gain 1 for tanh and identity, sqrt(2/(1+α²)) for
    /// the leaky ReLU), created like `like` (dtype and device on torch).
    static mlp_generator random(const std::vector<long long>& widths, options opts, std::uint64_t seed,
                                const vec& like = vec{}) {
        if (widths.size() < 2)
            throw invalid_argument_error("latentwalk::mlp_generator::random: widths must list at least the input and output sizes.");
        for (auto w : widths)
            if (w < 1) throw invalid_argument_error("latentwalk::mlp_generator::random: every width must be at least 1.");
        // One host normal_distribution for the whole draw (it caches every second variate), values
        // sd·N(0, 1) formed in double and then cast: the Eigen reference's numbers, in its order.
        std::mt19937_64 rng(seed);
        std::normal_distribution<double> nd(0.0, 1.0);
        const double gain = opts.hidden == activation::leaky_relu
                                ? std::sqrt(2.0 / (1.0 + opts.leaky_slope * opts.leaky_slope))
                                : 1.0;
        auto draw = [&](index_t<B> count, double sd) {
            std::vector<double> v(static_cast<std::size_t>(count));
            for (auto& x : v) x = sd * nd(rng);
            return T::from_values(like, std::span<const double>(v));
        };
        std::vector<layer> ls;
        for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
            const auto in = static_cast<index_t<B>>(widths[l]), out = static_cast<index_t<B>>(widths[l + 1]);
            const double sd = gain / std::sqrt(double(in));
            auto W = T::zeros(like, out, in);
            for (index_t<B> j = 0; j < in; ++j) T::set_col(W, j, draw(out, sd));
            auto b = draw(out, 0.1);
            ls.push_back({std::move(W), std::move(b)});
        }
        return mlp_generator(std::move(ls), opts);
    }

    index_t<B> latent_dim() const { return T::cols(layers_.front().weight); }
    index_t<B> output_dim() const { return T::rows(layers_.back().weight); }
    const std::vector<layer>& layers() const { return layers_; }
    const options& settings() const { return opts_; }

    vec operator()(const vec& z) const {
        this->check_z("mlp_generator::operator()", z);
        vec x = opts_.pixel_norm_first ? T::scale(z, S(1) / pixel_scale(z)) : z;
        for (std::size_t l = 0; l < layers_.size(); ++l) x = act(activation_of(l), pre_activation(l, x));
        return x;
    }

    /// f(z) and the derivative factors at z (refers to this generator, which must outlive it).
    class linearization {
    public:
        const vec& value() const { return value_; }
        index_t<B> latent_dim() const { return g_->latent_dim(); }
        index_t<B> output_dim() const { return g_->output_dim(); }
        vec jvp(const vec& v) const {
            g_->check_v("mlp_generator::linearization::jvp", v);
            vec dx = g_->opts_.pixel_norm_first ? pixel_norm_apply(v) : v;
            for (std::size_t l = 0; l < factors_.size(); ++l)
                dx = T::cwise_product(factors_[l], T::matvec(g_->layers_[l].weight, dx));
            return dx;
        }
        vec vjp(const vec& u) const {
            g_->check_u("mlp_generator::linearization::vjp", u);
            vec r = u;
            for (std::size_t l = factors_.size(); l-- > 0;) r = T::tmatvec(g_->layers_[l].weight, T::cwise_product(factors_[l], r));
            return g_->opts_.pixel_norm_first ? pixel_norm_apply(r) : r;
        }

    private:
        friend class mlp_generator;
        /// P w for PixelNorm's symmetric Jacobian P = (I − x₀x₀ᵀ/n)/s.
        vec pixel_norm_apply(const vec& w) const {
            const S n = static_cast<S>(T::size(x0_));
            return T::scale(T::axpy(-(T::dot(x0_, w) / n), x0_, w), S(1) / s_);
        }
        const mlp_generator* g_ = nullptr;
        vec value_, x0_;
        batch_scalar_t<B> s_{};
        std::vector<vec> factors_;
    };

    linearization linearize(const vec& z) const {
        this->check_z("mlp_generator::linearize", z);
        linearization lin;
        lin.g_ = this;
        vec x = z;
        if (opts_.pixel_norm_first) {
            lin.s_ = pixel_scale(z);
            x = T::scale(z, S(1) / lin.s_);
            lin.x0_ = x;
        }
        lin.factors_.reserve(layers_.size());
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const vec a = pre_activation(l, x);
            lin.factors_.push_back(dact(activation_of(l), a));
            x = act(activation_of(l), a);
        }
        lin.value_ = std::move(x);
        return lin;
    }
    vec jvp(const vec& z, const vec& v) const {
        this->check_v("mlp_generator::jvp", v);
        return linearize(z).jvp(v);
    }
    vec vjp(const vec& z, const vec& u) const {
        this->check_u("mlp_generator::vjp", u);
        return linearize(z).vjp(u);
    }

private:
    activation activation_of(std::size_t l) const { return l + 1 == layers_.size() ? opts_.output : opts_.hidden; }
    vec pre_activation(std::size_t l, const vec& x) const { return T::add(T::matvec(layers_[l].weight, x), layers_[l].bias); }
    vec zeros_like(const vec& a) const { return T::zeros(a, T::size(a)); }

    /// tanh from expm1 on a non-negative argument: −expm1(−2x)/(expm1(−2x) + 2).
    static vec tanh_nonnegative(const vec& x) {
        const auto e = T::cwise_expm1(T::scale(x, S(-2)));
        return T::scale(T::cwise_quotient(e, T::add(e, T::fill(e, T::size(e), 2.0))), S(-1));
    }
    vec act(activation f, const vec& a) const {
        switch (f) {
            case activation::tanh: {
                const vec zero = zeros_like(a);
                return T::sub(tanh_nonnegative(T::cwise_max(a, zero)), tanh_nonnegative(T::scale(T::cwise_min(a, zero), S(-1))));
            }
            case activation::leaky_relu: {
                const vec zero = zeros_like(a);
                return T::axpy(static_cast<S>(opts_.leaky_slope), T::cwise_min(a, zero), T::cwise_max(a, zero));
            }
            default: return a;
        }
    }
    vec dact(activation f, const vec& a) const {
        switch (f) {
            case activation::tanh: {
                const vec t = act(f, a);
                return T::sub(T::fill(a, T::size(a), 1.0), T::cwise_product(t, t));
            }
            case activation::leaky_relu: {
                const S alpha = static_cast<S>(opts_.leaky_slope);
                return T::axpy(S(1) - alpha, step(a), T::fill(a, T::size(a), opts_.leaky_slope));
            }
            default: return T::fill(a, T::size(a), 1.0);
        }
    }
    /// H(a) = 1 for a ≥ 0, 0 for a < 0, exactly: −a·2^k (two power-of-two factors, exact) is ≥ 1 for
    /// every a < 0 down to the smallest subnormal, ≤ 0 for a ≥ 0.
    static vec step(const vec& a) {
        constexpr bool is_double = std::numeric_limits<S>::max_exponent > 128;
        const S big1 = std::ldexp(S(1), is_double ? 1000 : 100), big2 = std::ldexp(S(1), is_double ? 80 : 55);
        const vec zero = T::zeros(a, T::size(a)), one = T::fill(a, T::size(a), 1.0);
        const vec neg = T::cwise_min(T::cwise_max(T::scale(T::scale(a, -big1), big2), zero), one);
        return T::sub(one, neg);
    }

    batch_scalar_t<B> pixel_scale(const vec& z) const {
        const S n = static_cast<S>(T::size(z));
        // √(‖z‖²/n + ε) = m √((a/m)² + (√ε/m)²) with a = ‖z‖/√n (overflow-safe norm), m = max(a, √ε):
        // no overflow of ‖z‖² for large z (a hypot written with backend primitives, per sample)
        const auto la = T::lift(z, T::norm(z) / std::sqrt(n));
        const auto le = T::fill(la, 1, std::sqrt(opts_.pixel_norm_epsilon));
        const auto lm = T::cwise_max(la, le);
        const auto ra = T::cwise_quotient(la, lm), re = T::cwise_quotient(le, lm);
        const auto s = T::lower(
            T::cwise_product(lm, T::cwise_sqrt(T::add(T::cwise_product(ra, ra), T::cwise_product(re, re)))));
        if (!(T::host_min(s) > 0.0))
            throw numerical_error("latentwalk::mlp_generator: PixelNorm of the zero vector is undefined when "
                                  "pixel_norm_epsilon is 0; z must not be zero.");
        return s;
    }

    void validate() const {
        const char* where = "mlp_generator";
        if (layers_.empty()) throw invalid_argument_error("latentwalk::mlp_generator: it needs at least one layer.");
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const auto& L = layers_[l];
            const std::string id = "layer " + detail::number(l);
            if (T::rows(L.weight) == 0 || T::cols(L.weight) == 0)
                throw dimension_error("latentwalk::mlp_generator: " + id + " has an empty weight matrix.");
            detail::require_length<B>(where, id + " bias", L.bias, static_cast<long long>(T::rows(L.weight)),
                                      "the number of rows of its weight");
            if (l > 0 && T::cols(L.weight) != T::rows(layers_[l - 1].weight))
                throw dimension_error("latentwalk::mlp_generator: " + id + " takes " + detail::number(T::cols(L.weight)) +
                                      " inputs but layer " + detail::number(l - 1) + " gives " +
                                      detail::number(T::rows(layers_[l - 1].weight)) + " outputs.");
            detail::require_finite<B>(where, id + " weight", L.weight);
            detail::require_finite<B>(where, id + " bias", L.bias);
        }
        if (!(opts_.pixel_norm_epsilon >= 0.0) || !std::isfinite(opts_.pixel_norm_epsilon))
            throw invalid_argument_error("latentwalk::mlp_generator: pixel_norm_epsilon must be a finite number ≥ 0.");
        if (!std::isfinite(opts_.leaky_slope))
            throw invalid_argument_error("latentwalk::mlp_generator: leaky_slope must be finite.");
    }

    std::vector<layer> layers_;
    options opts_;
};

}  // namespace latentwalk
