#pragma once
// latentwalk/eigen/mlp_generator.hpp — a dense multilayer perceptron with exact derivatives.
//
//   x₀ = PixelNorm(z) = z / sqrt(mean(z²) + ε)     (optional, first, as in StyleGAN2's mapping network)
//   a_l = W_l x_{l−1} + b_l,   x_l = φ_l(a_l)      (l = 1..L)
//
// φ_l is the hidden activation for l < L and the output activation (identity by default) for l = L.
// Activations: identity, tanh, leaky ReLU with slope α (φ(a) = a for a ≥ 0, α a otherwise; the
// derivative at 0 is taken as 1).
//
// Derivatives, all exact, through linearize(z) (one forward pass storing D_l = φ′(a_l)):
//   linearize(z)        the forward pass at z;                                  cost ≈ 1 evaluation
//   linearize(z).jvp(v) D_L W_L ⋯ D_1 W_1 P v, one pass through the weights;    cost ≈ 1 evaluation
//   linearize(z).vjp(u) Pᵀ W_1ᵀ D_1 ⋯ W_Lᵀ D_L u, one pass;                       cost ≈ 1 evaluation
//   jvp(z, v), vjp(z, u) linearize(z) then one product;                          cost ≈ 2 evaluations
//   jacobian(z)         the chain product from the cheaper end (forward from I_n when n ≤ m,
//                       backward from I_m otherwise).
// Matrix-free algorithms (tangent_basis) use linearize(z) through ProvidesLinearization, so each
// of their many products at one z costs one pass instead of two.
// PixelNorm's Jacobian P = (I − x₀x₀ᵀ/n)/s with s = sqrt(mean(z²)+ε) is symmetric. With ε = 0 the
// map is 0-homogeneous, so J(cz) = J(z)/c for c > 0 (ε > 0 makes this hold up to O(ε/mean(z²))).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <latentwalk/eigen/detail_model_checks.hpp>
#include <latentwalk/models/mlp_generator.hpp>

namespace latentwalk::eigen {

/// The activations (one enum for every backend's MLP: latentwalk::activation).
using activation = ::latentwalk::activation;

template <class Scalar = double>
class mlp_generator : private detail::checked_model<mlp_generator<Scalar>> {
    friend class detail::checked_model<mlp_generator<Scalar>>;

public:
    using backend = eigen::backend<Scalar>;
    using vector_type = eigen::vector<Scalar>;
    using matrix_type = eigen::matrix<Scalar>;

    struct layer {
        matrix_type weight;  ///< out × in
        vector_type bias;    ///< out
    };

    struct options {
        activation hidden = activation::leaky_relu;
        activation output = activation::identity;
        Scalar leaky_slope = Scalar(0.2);   ///< α of the leaky ReLU (StyleGAN2 uses 0.2)
        bool pixel_norm_first = false;      ///< normalise z first, as StyleGAN2's mapping network
        Scalar pixel_norm_epsilon = Scalar(1e-8);
    };

    mlp_generator(std::vector<layer> layers, options opts) : layers_(std::move(layers)), opts_(opts) { validate(); }
    explicit mlp_generator(std::vector<layer> layers) : mlp_generator(std::move(layers), options{}) {}

    /// Random weights for the given widths [n, h₁, ..., m]: W ~ N(0, gain²/fan_in), b ~ N(0, 0.1²), with
    /// gain 1 for tanh and identity and sqrt(2/(1+α²)) for the leaky ReLU (variance-preserving).
    static mlp_generator random(const std::vector<Eigen::Index>& widths, options opts, std::uint64_t seed) {
        if (widths.size() < 2)
            throw invalid_argument_error(
                "latentwalk::eigen::mlp_generator::random: widths must list at least the input and output sizes.");
        for (auto w : widths)
            if (w < 1)
                throw invalid_argument_error(
                    "latentwalk::eigen::mlp_generator::random: every width must be at least 1.");
        std::mt19937_64 rng(seed);
        std::normal_distribution<double> nd(0.0, 1.0);
        const double gain = opts.hidden == activation::leaky_relu
                                ? std::sqrt(2.0 / (1.0 + double(opts.leaky_slope) * double(opts.leaky_slope)))
                                : 1.0;
        std::vector<layer> ls;
        for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
            const auto in = widths[l], out = widths[l + 1];
            layer L{matrix_type(out, in), vector_type(out)};
            const double sd = gain / std::sqrt(double(in));
            for (Eigen::Index j = 0; j < in; ++j)
                for (Eigen::Index i = 0; i < out; ++i) L.weight(i, j) = static_cast<Scalar>(sd * nd(rng));
            for (Eigen::Index i = 0; i < out; ++i) L.bias[i] = static_cast<Scalar>(0.1 * nd(rng));
            ls.push_back(std::move(L));
        }
        return mlp_generator(std::move(ls), opts);
    }

    Eigen::Index latent_dim() const { return layers_.front().weight.cols(); }
    Eigen::Index output_dim() const { return layers_.back().weight.rows(); }
    const std::vector<layer>& layers() const { return layers_; }
    const options& settings() const { return opts_; }

    vector_type operator()(const vector_type& z) const {
        this->check_z("eigen::mlp_generator::operator()", z);
        vector_type x = opts_.pixel_norm_first ? vector_type(z / pixel_scale(z)) : z;
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            vector_type a = layers_[l].weight * x + layers_[l].bias;
            x = a.unaryExpr([&](Scalar v) { return act(activation_of(l), v); });
        }
        return x;
    }

    /// The linearization of f at z: f(z) and the derivative factors D_l = φ′(a_l) (and PixelNorm's
    /// state), so that every later J v or Jᵀu is one pass through the weights instead of two (the
    /// forward pass at z is not repeated). Refers to this generator, which must outlive it.
    class linearization {
    public:
        const vector_type& value() const { return value_; }
        Eigen::Index latent_dim() const { return g_->latent_dim(); }
        Eigen::Index output_dim() const { return g_->output_dim(); }

        /// J(z) v, forward through the stored factors.
        vector_type jvp(const vector_type& v) const {
            g_->check_v("eigen::mlp_generator::linearization::jvp", v);
            vector_type dx = g_->opts_.pixel_norm_first ? pixel_norm_jacobian_apply(x0_, s_, v) : v;
            for (std::size_t l = 0; l < factors_.size(); ++l)
                dx = factors_[l].cwiseProduct(g_->layers_[l].weight * dx);
            return dx;
        }
        /// J(z)ᵀ u, backward through the stored factors.
        vector_type vjp(const vector_type& u) const {
            g_->check_u("eigen::mlp_generator::linearization::vjp", u);
            vector_type r = u;
            for (std::size_t l = factors_.size(); l-- > 0;)
                r = g_->layers_[l].weight.transpose() * factors_[l].cwiseProduct(r);
            if (g_->opts_.pixel_norm_first) r = pixel_norm_jacobian_apply(x0_, s_, r);
            return r;
        }
        /// J(z), output_dim × latent_dim, by the chain product from the cheaper end (forward from
        /// I_n when n ≤ m, backward from I_m otherwise).
        matrix_type jacobian() const {
            const Eigen::Index n = latent_dim(), m = output_dim();
            matrix_type P = matrix_type::Identity(n, n);
            if (g_->opts_.pixel_norm_first) P = (P - x0_ * x0_.transpose() / Scalar(n)) / s_;
            if (n <= m) {
                matrix_type M = P;
                for (std::size_t l = 0; l < factors_.size(); ++l)
                    M = factors_[l].asDiagonal() * (g_->layers_[l].weight * M);
                return M;
            }
            matrix_type M = matrix_type::Identity(m, m);
            for (std::size_t l = factors_.size(); l-- > 0;) M = (M * factors_[l].asDiagonal()) * g_->layers_[l].weight;
            return M * P;
        }

    private:
        friend class mlp_generator;
        const mlp_generator* g_ = nullptr;
        vector_type value_, x0_;
        Scalar s_ = Scalar(1);
        std::vector<vector_type> factors_;  ///< D_l = φ′_l(a_l), l = 1..L
    };

    /// One forward pass at z, keeping what J(z) v and J(z)ᵀu need.
    linearization linearize(const vector_type& z) const {
        this->check_z("eigen::mlp_generator::linearize", z);
        linearization lin;
        lin.g_ = this;
        vector_type x = z;
        if (opts_.pixel_norm_first) {
            lin.s_ = pixel_scale(z);
            x = z / lin.s_;
            lin.x0_ = x;
        }
        lin.factors_.reserve(layers_.size());
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const vector_type a = layers_[l].weight * x + layers_[l].bias;
            const auto f = activation_of(l);
            lin.factors_.push_back(a.unaryExpr([&](Scalar t) { return dact(f, t); }));
            x = a.unaryExpr([&](Scalar t) { return act(f, t); });
        }
        lin.value_ = std::move(x);
        return lin;
    }

    vector_type jvp(const vector_type& z, const vector_type& v) const {
        this->check_v("eigen::mlp_generator::jvp", v);
        return linearize(z).jvp(v);
    }
    vector_type vjp(const vector_type& z, const vector_type& u) const {
        this->check_u("eigen::mlp_generator::vjp", u);
        return linearize(z).vjp(u);
    }
    /// The full Jacobian (output_dim × latent_dim) by the chain product from the cheaper end.
    matrix_type jacobian(const vector_type& z) const { return linearize(z).jacobian(); }

private:
    activation activation_of(std::size_t l) const { return l + 1 == layers_.size() ? opts_.output : opts_.hidden; }

    Scalar act(activation f, Scalar a) const {
        switch (f) {
            case activation::tanh: return std::tanh(a);
            case activation::leaky_relu: return a >= Scalar(0) ? a : opts_.leaky_slope * a;
            default: return a;
        }
    }
    Scalar dact(activation f, Scalar a) const {
        switch (f) {
            case activation::tanh: {
                const Scalar t = std::tanh(a);
                return Scalar(1) - t * t;
            }
            case activation::leaky_relu: return a >= Scalar(0) ? Scalar(1) : opts_.leaky_slope;
            default: return Scalar(1);
        }
    }

    Scalar pixel_scale(const vector_type& z) const {
        // √(‖z‖²/n + ε) as hypot(‖z‖/√n, √ε): no overflow of ‖z‖² for |z_i| up to DBL_MAX
        const Scalar s = std::hypot(z.stableNorm() / std::sqrt(Scalar(z.size())), std::sqrt(opts_.pixel_norm_epsilon));
        if (!(s > Scalar(0)))
            throw numerical_error(
                "latentwalk::eigen::mlp_generator: PixelNorm of the zero vector is undefined when "
                "pixel_norm_epsilon is 0; z must not be zero.");
        return s;
    }
    /// P w for PixelNorm's (symmetric) Jacobian P = (I − x₀x₀ᵀ/n)/s, x₀ = z/s.
    static vector_type pixel_norm_jacobian_apply(const vector_type& x0, Scalar s, const vector_type& w) {
        return (w - x0 * (x0.dot(w) / Scalar(x0.size()))) / s;
    }

    void validate() const {
        const char* where = "eigen::mlp_generator";
        if (layers_.empty())
            throw invalid_argument_error("latentwalk::eigen::mlp_generator: it needs at least one layer.");
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const auto& L = layers_[l];
            const std::string id = "layer " + std::to_string(l);
            if (L.weight.rows() == 0 || L.weight.cols() == 0)
                throw dimension_error("latentwalk::eigen::mlp_generator: " + id + " has an empty weight matrix.");
            if (L.bias.size() != L.weight.rows())
                throw dimension_error("latentwalk::eigen::mlp_generator: " + id + " has a bias of length " +
                                      std::to_string(L.bias.size()) + " but its weight has " +
                                      std::to_string(L.weight.rows()) + " rows.");
            if (l > 0 && L.weight.cols() != layers_[l - 1].weight.rows())
                throw dimension_error("latentwalk::eigen::mlp_generator: " + id + " takes " +
                                      std::to_string(L.weight.cols()) + " inputs but layer " +
                                      std::to_string(l - 1) + " gives " + std::to_string(layers_[l - 1].weight.rows()) +
                                      " outputs.");
            detail::require_finite_parameter(where, id + " weight", L.weight);
            detail::require_finite_parameter(where, id + " bias", L.bias);
        }
        if (!(opts_.pixel_norm_epsilon >= Scalar(0)) || !std::isfinite(double(opts_.pixel_norm_epsilon)))
            throw invalid_argument_error(
                "latentwalk::eigen::mlp_generator: pixel_norm_epsilon must be a finite number ≥ 0.");
        if (!std::isfinite(double(opts_.leaky_slope)))
            throw invalid_argument_error("latentwalk::eigen::mlp_generator: leaky_slope must be finite.");
    }

    std::vector<layer> layers_;
    options opts_;
};

}  // namespace latentwalk::eigen
