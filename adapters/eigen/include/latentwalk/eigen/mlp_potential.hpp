#pragma once
// latentwalk/eigen/mlp_potential.hpp — the potential network of Song et al. (ICML 2023, PDETraversal)
// on Eigen, with exact derivatives by forward propagation (no autograd): latentwalk::mlp_potential
// (latentwalk/potentials/mlp_potential.hpp, written once against the seam) on eigen::backend, plus
// the Eigen conveniences (plain Scalar times, PyTorch's initialization, the time embedding).
//
//   a₁ = W_z z + b_z,            h₁ = tanh(a₁)                         (latent branch)
//   τ(t) = [sin(ω t), cos(ω t)], ω_k = 10000^(−k/(E/2 − 1)), k < E/2   (sinusoidal embedding)
//   p(t) = W_t2 GELU(W_t1 τ + b_t1) + b_t2                             (time branch, exact-erf GELU)
//   a₃ = W_f (h₁ + p) + b_f,     h₃ = tanh(a₃)                         (fusion)
//   o = w_outᵀ h₃ + b_out,       u = tanh(o) (output_tanh, the released code) or u = o
// Widths: latent d, hidden H, embedding E (even; the released code uses H = E = d).
//
// | member                      | method                                                   | cost          |
// |-----------------------------|----------------------------------------------------------|---------------|
// | value, gradient             | forward pass + reverse sweep                             | ≈ 2Hd + 4H²   |
// | time_derivative, second_…   | forward-mode in t through the time branch                | ≈ H(E+H) + 2H²|
// | hessian_vector(z, t, v)     | forward-mode derivative of the gradient along v          | ≈ 2 gradients |
// | laplacian(z, t)             | exact trace: Σ diag terms of the two tanh layers, using  | H²·min(d, H)  |
// |                             | the row norms of J₃ = W_f diag(1 − h₁²) W_z (one GEMM)   | (one GEMM)    |
// The Laplacian is exact, not estimated; it costs one H×H×min(d, H) matrix product (a gradient
// costs matrix-vector products), far below the d Hessian-vector products of the generic rule.
//
// Weights come from plain row-major arrays (mlp_potential::weights = latentwalk::mlp_potential_weights),
// in the layout of PyTorch's nn.Linear.weight (out × in, row-major) — `W.detach().flatten().tolist()` —
// so a potential trained with the released code can be evaluated here.
// Errors: as latentwalk::mlp_potential (dimension_error, invalid_argument_error, numerical_error).
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <Eigen/Core>

#include <latentwalk/concepts/potential_field.hpp>
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/potentials/mlp_potential.hpp>

namespace latentwalk::eigen {

template <class Scalar = double>
class mlp_potential {
public:
    using backend = eigen::backend<Scalar>;
    using vector_type = eigen::vector<Scalar>;
    using matrix_type = eigen::matrix<Scalar>;
    using core_type = latentwalk::mlp_potential<backend>;

    struct options {
        Eigen::Index hidden = 0;      ///< H; 0 means d
        Eigen::Index embedding = 0;   ///< E (even, ≥ 2); 0 means d rounded up to even
        bool output_tanh = true;      ///< the released code ends with tanh
    };

    /// Row-major weights: W_* are out×in (nn.Linear.weight), b_* have length out.
    using weights = latentwalk::mlp_potential_weights;

    /// Throws dimension_error when an array has the wrong length, numerical_error for NaN/Inf,
    /// invalid_argument_error for d < 1 or an odd embedding width.
    mlp_potential(Eigen::Index d, const weights& w, const options& opts = {})
        : core_(vector_type(), static_cast<long long>(d), w,
                latentwalk::mlp_potential_options{static_cast<long long>(opts.hidden), static_cast<long long>(opts.embedding),
                                                  opts.output_tanh}) {}

    /// PyTorch's default initialization (uniform ±1/sqrt(fan_in)) scaled by `scale`, from a seed.
    static mlp_potential random(Eigen::Index d, const options& opts = {}, std::uint64_t seed = 1, double scale = 1.0) {
        const Eigen::Index H = opts.hidden > 0 ? opts.hidden : d;
        const Eigen::Index E = opts.embedding > 0 ? opts.embedding : d + (d % 2);
        std::mt19937_64 rng(seed);
        auto draw = [&](Eigen::Index n, Eigen::Index fan_in) {
            std::uniform_real_distribution<double> U(-scale / std::sqrt(static_cast<double>(fan_in)),
                                                     scale / std::sqrt(static_cast<double>(fan_in)));
            std::vector<double> v(static_cast<std::size_t>(n));
            for (auto& x : v) x = U(rng);
            return v;
        };
        weights w;
        w.W_z = draw(H * d, d);   w.b_z = draw(H, d);
        w.W_t1 = draw(H * E, E);  w.b_t1 = draw(H, E);
        w.W_t2 = draw(H * H, H);  w.b_t2 = draw(H, H);
        w.W_f = draw(H * H, H);   w.b_f = draw(H, H);
        w.w_out = draw(H, H);     w.b_out = draw(1, H)[0];
        return mlp_potential(d, w, opts);
    }

    Eigen::Index dim() const { return static_cast<Eigen::Index>(core_.dim()); }
    Eigen::Index hidden() const { return static_cast<Eigen::Index>(core_.hidden()); }
    Eigen::Index embedding() const { return static_cast<Eigen::Index>(core_.embedding()); }
    /// The weights as given.
    const weights& host_weights() const { return core_.host_weights(); }
    /// The seam implementation this class wraps.
    const core_type& core() const { return core_; }

    /// The sinusoidal embedding τ(t) (length E: sines then cosines).
    vector_type time_embedding(Scalar t) const {
        const Eigen::Index E = embedding(), half = E / 2;
        const std::vector<double> omega = sinusoidal_frequencies(half);
        vector_type e(E);
        for (Eigen::Index k = 0; k < half; ++k) {
            const double w = omega[static_cast<std::size_t>(k)];
            e[k] = std::sin(static_cast<Scalar>(w) * t);
            e[half + k] = std::cos(static_cast<Scalar>(w) * t);
        }
        return e;
    }

    Scalar value(const vector_type& z, const Scalar& t) const { return core_.value(z, t); }
    vector_type gradient(const vector_type& z, const Scalar& t) const { return core_.gradient(z, t); }
    Scalar time_derivative(const vector_type& z, const Scalar& t) const { return core_.time_derivative(z, t); }
    Scalar second_time_derivative(const vector_type& z, const Scalar& t) const { return core_.second_time_derivative(z, t); }
    vector_type hessian_vector(const vector_type& z, const Scalar& t, const vector_type& v) const {
        return core_.hessian_vector(z, t, v);
    }
    Scalar laplacian(const vector_type& z, const Scalar& t) const { return core_.laplacian(z, t); }

private:
    core_type core_;
};

}  // namespace latentwalk::eigen
