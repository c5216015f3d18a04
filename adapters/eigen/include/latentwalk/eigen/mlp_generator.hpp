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
// Derivatives, all exact:
//   jvp      forward mode: one pass carrying (x, ẋ);                    cost ≈ 2 evaluations
//   vjp      reverse mode: a forward pass storing a_l, then backwards;  cost ≈ 2 evaluations
//   jacobian the chain product D_L W_L ⋯ D_1 W_1 P, propagated from the cheaper end
//            (forward from I_n when n ≤ m, backward from I_m otherwise).
// PixelNorm's Jacobian P = (I − x₀x₀ᵀ/n)/s with s = sqrt(mean(z²)+ε) is symmetric. With ε = 0 the
// map is 0-homogeneous, so J(cz) = J(z)/c for c > 0 (ε > 0 makes this hold up to O(ε/mean(z²))).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <latentwalk/eigen/detail_model_checks.hpp>

namespace latentwalk::eigen {

enum class activation { identity, tanh, leaky_relu };

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

    vector_type jvp(const vector_type& z, const vector_type& v) const {
        this->check_z("eigen::mlp_generator::jvp", z);
        this->check_v("eigen::mlp_generator::jvp", v);
        vector_type x = z, dx = v;
        if (opts_.pixel_norm_first) {
            const Scalar s = pixel_scale(z);
            x = z / s;
            dx = pixel_norm_jacobian_apply(x, s, v);
        }
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            const vector_type a = layers_[l].weight * x + layers_[l].bias;
            const vector_type da = layers_[l].weight * dx;
            const auto f = activation_of(l);
            x = a.unaryExpr([&](Scalar t) { return act(f, t); });
            dx = a.unaryExpr([&](Scalar t) { return dact(f, t); }).cwiseProduct(da);
        }
        return dx;
    }

    vector_type vjp(const vector_type& z, const vector_type& u) const {
        this->check_z("eigen::mlp_generator::vjp", z);
        this->check_u("eigen::mlp_generator::vjp", u);
        Scalar s = Scalar(1);
        const auto pre = forward_preactivations(z, s);
        vector_type g = u;
        for (std::size_t l = layers_.size(); l-- > 0;) {
            const auto f = activation_of(l);
            g = pre[l].unaryExpr([&](Scalar t) { return dact(f, t); }).cwiseProduct(g);
            g = layers_[l].weight.transpose() * g;
        }
        if (opts_.pixel_norm_first) g = pixel_norm_jacobian_apply(vector_type(z / s), s, g);
        return g;
    }

    /// The full Jacobian (output_dim × latent_dim) by the chain product from the cheaper end.
    matrix_type jacobian(const vector_type& z) const {
        this->check_z("eigen::mlp_generator::jacobian", z);
        Scalar s = Scalar(1);
        const auto pre = forward_preactivations(z, s);
        const Eigen::Index n = latent_dim(), m = output_dim();
        matrix_type P = matrix_type::Identity(n, n);
        if (opts_.pixel_norm_first) {
            const vector_type x0 = z / s;
            P = (P - x0 * x0.transpose() / Scalar(n)) / s;
        }
        if (n <= m) {
            matrix_type M = P;  // forward: M ← D_l W_l M
            for (std::size_t l = 0; l < layers_.size(); ++l) {
                const auto f = activation_of(l);
                M = pre[l].unaryExpr([&](Scalar t) { return dact(f, t); }).asDiagonal() * (layers_[l].weight * M);
            }
            return M;
        }
        matrix_type M = matrix_type::Identity(m, m);  // backward: M ← M D_l W_l
        for (std::size_t l = layers_.size(); l-- > 0;) {
            const auto f = activation_of(l);
            M = (M * pre[l].unaryExpr([&](Scalar t) { return dact(f, t); }).asDiagonal()) * layers_[l].weight;
        }
        return M * P;
    }

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
        const Scalar s = std::sqrt(z.squaredNorm() / Scalar(z.size()) + opts_.pixel_norm_epsilon);
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

    /// Pre-activations a_1..a_L at z (and the PixelNorm scale s).
    std::vector<vector_type> forward_preactivations(const vector_type& z, Scalar& s) const {
        std::vector<vector_type> pre;
        pre.reserve(layers_.size());
        vector_type x = z;
        if (opts_.pixel_norm_first) {
            s = pixel_scale(z);
            x = z / s;
        }
        for (std::size_t l = 0; l < layers_.size(); ++l) {
            pre.push_back(layers_[l].weight * x + layers_[l].bias);
            const auto f = activation_of(l);
            x = pre.back().unaryExpr([&](Scalar t) { return act(f, t); });
        }
        return pre;
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
