#pragma once
// latentwalk/density/correction_network.hpp — DP-LaSE's correction module C(z₀, ε, γ), evaluated on any
// backend from the weights the torch trainer learned (latentwalk/torch/dplase/correction_module.hpp).
//
//     latentwalk::correction_network<B> C(like, d, trained.weights());
//     auto z = T::add(T::axpy(eps, gamma, z0), C(z0, eps, gamma));        // DP-LaSE's eq. (6)
//     auto walk = latentwalk::density_preserving_walk(p, z0, gamma, 10, 0.3, C);  // corrected_walk.hpp
//
// The network: a₁ = tanh(W_z z₀ + w_t ε + W_γ γ + b₁) (the first layer of an nn.Linear on the
// concatenation [z₀, ε, γ], split into its three column blocks), a_{l+1} = tanh(W_l a_l + b_l), and
// C = W_out a_L + b_out; with scale_by_step (default) C ← ε C, so that C(z₀, 0, γ) = 0 exactly (no step, no
// correction: latentwalk's choice; the paper does not specify C's architecture). With orthogonal_to_direction
// (the trainer's default, see there) the output is then projected off γ: C ← C − ⟨C, γ⟩ γ/‖γ‖², so that C
// cannot undo the step εγ.
//
// | member          | returns | cost                        |
// |-----------------|---------|-----------------------------|
// | C(z0, eps, γ)   | vector  | Σ_l (layer sizes products)  |
// Batched backends evaluate a batch of z₀ and γ at once (matvec broadcasts).
// Weights are row-major, out × in, as PyTorch's nn.Linear.weight. Errors: dimension_error for arrays of
// the wrong length or inputs of the wrong length; numerical_error for NaN/Inf weights or inputs.
#include <string>
#include <vector>

#include "../concepts/backend.hpp"
#include "../detail/host_matrix.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

/// Layers of C: layers[0] is H₁ × (2d + 1) on [z₀, ε, γ]; the last maps to d.
struct correction_network_weights {
    struct layer {
        long long out = 0, in = 0;
        std::vector<double> weight;  ///< out × in, row-major
        std::vector<double> bias;    ///< out
    };
    std::vector<layer> layers;
    bool orthogonal_to_direction = true;  ///< project the output off γ
    bool scale_by_step = true;            ///< multiply the output by ε (C vanishes at ε = 0)
};

template <class B>
class correction_network {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    correction_network(const vector_t<B>& like, index_t<B> dim, correction_network_weights w)
        : w_(std::move(w)), d_(dim) {
        constexpr const char* where = "correction_network";
        const auto d = static_cast<long long>(dim);
        if (d < 1) throw invalid_argument_error(detail::sentence(where, "the dimension must be at least 1."));
        if (w_.layers.size() < 2)
            throw invalid_argument_error(detail::sentence(where, "the network needs at least one hidden layer and an output layer."));
        long long in = 2 * d + 1;
        for (std::size_t l = 0; l < w_.layers.size(); ++l) {
            const auto& L = w_.layers[l];
            const std::string name = "layer " + detail::number(l);
            if (L.in != in)
                throw dimension_error(detail::sentence(where, name + " takes " + detail::number(L.in) +
                                                                  " inputs but must take " + detail::number(in) + "."));
            if (L.out < 1 || static_cast<long long>(L.weight.size()) != L.out * L.in ||
                static_cast<long long>(L.bias.size()) != L.out)
                throw dimension_error(detail::sentence(where, name + "'s weight or bias has the wrong number of entries."));
            for (double v : L.weight) detail::require_finite_scalar(where, name + "'s weight", v);
            for (double v : L.bias) detail::require_finite_scalar(where, name + "'s bias", v);
            in = L.out;
        }
        if (in != d)
            throw dimension_error(detail::sentence(where, "the last layer has " + detail::number(in) +
                                                              " outputs but the dimension is " + detail::number(d) + "."));
        auto matrix_of = [&](const correction_network_weights::layer& L, long long c0, long long cols) {
            return detail::matrix_from_row_major<B>(like, L.out, cols, L.weight, L.in, c0);
        };
        const auto& first = w_.layers[0];
        Wz_ = matrix_of(first, 0, d);
        const auto wt = matrix_of(first, d, 1);
        wt_ = T::col(wt, 0);
        Wg_ = matrix_of(first, d + 1, d);
        for (std::size_t l = 0; l < w_.layers.size(); ++l) {
            if (l > 0) W_.push_back(matrix_of(w_.layers[l], 0, w_.layers[l].in));
            b_.push_back(T::from_values(like, w_.layers[l].bias));
        }
    }

    index_t<B> dim() const { return d_; }
    const correction_network_weights& weights() const { return w_; }

    /// C(z₀, ε, γ).
    vector_t<B> operator()(const vector_t<B>& z0, double eps, const vector_t<B>& gamma) const {
        constexpr const char* where = "correction_network";
        detail::require_length<B>(where, "z0", z0, static_cast<long long>(d_), "the dimension");
        detail::require_length<B>(where, "gamma", gamma, static_cast<long long>(d_), "the dimension");
        detail::require_finite<B>(where, "z0", z0);
        detail::require_finite<B>(where, "gamma", gamma);
        detail::require_finite_scalar(where, "eps", eps);
        auto a = T::add(T::add(T::matvec(Wz_, z0), T::matvec(Wg_, gamma)), T::axpy(static_cast<scalar_t<B>>(eps), wt_, b_[0]));
        a = T::cwise_tanh(a);
        for (std::size_t l = 0; l < W_.size(); ++l) {
            a = T::add(T::matvec(W_[l], a), b_[l + 1]);
            if (l + 1 < W_.size()) a = T::cwise_tanh(a);
        }
        if (w_.scale_by_step) a = T::scale(a, static_cast<scalar_t<B>>(eps));
        if (w_.orthogonal_to_direction) {
            const auto gg = T::dot(gamma, gamma);
            if (!(T::host_max(-gg) < 0.0))
                throw invalid_argument_error(detail::sentence(where, "gamma is zero; the correction is projected off gamma and needs a direction."));
            a = T::axpy(-(T::dot(a, gamma) / gg), gamma, a);
        }
        return a;
    }

private:
    correction_network_weights w_;
    index_t<B> d_;
    matrix_t<B> Wz_, Wg_;
    vector_t<B> wt_;
    std::vector<matrix_t<B>> W_;
    std::vector<vector_t<B>> b_;
};

}  // namespace latentwalk
