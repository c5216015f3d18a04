#pragma once
// latentwalk/eigen/mlp_potential.hpp — the potential network of Song et al. (ICML 2023, PDETraversal),
// evaluated with exact derivatives by forward propagation (no autograd).
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
// Weights come from plain row-major arrays (mlp_potential::weights), in the layout of PyTorch's
// nn.Linear.weight (out × in, row-major) — `W.detach().flatten().tolist()` — so a potential trained
// with the released code can be evaluated here. This model is Eigen-specific (it lives in the
// adapter) because its Laplacian needs diagonal scalings and row norms of matrices.
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <Eigen/Core>

#include <latentwalk/concepts/potential_field.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/eigen/backend.hpp>

namespace latentwalk::eigen {

template <class Scalar = double>
class mlp_potential {
public:
    using backend = eigen::backend<Scalar>;
    using vector_type = eigen::vector<Scalar>;
    using matrix_type = eigen::matrix<Scalar>;

    struct options {
        Eigen::Index hidden = 0;      ///< H; 0 means d
        Eigen::Index embedding = 0;   ///< E (even, ≥ 2); 0 means d rounded up to even
        bool output_tanh = true;      ///< the released code ends with tanh
    };

    /// Row-major weights: W_* are out×in (nn.Linear.weight), b_* have length out.
    struct weights {
        std::vector<double> W_z, b_z;     ///< H×d, H
        std::vector<double> W_t1, b_t1;   ///< H×E, H
        std::vector<double> W_t2, b_t2;   ///< H×H, H
        std::vector<double> W_f, b_f;     ///< H×H, H
        std::vector<double> w_out;        ///< H   (nn.Linear(H, 1).weight)
        double b_out = 0.0;
    };

    /// Throws dimension_error when an array has the wrong length, numerical_error for NaN/Inf,
    /// invalid_argument_error for d < 1 or an odd embedding width.
    mlp_potential(Eigen::Index d, const weights& w, const options& opts = {}) : d_(d), opts_(opts) {
        const char* where = "eigen::mlp_potential";
        if (d < 1) throw invalid_argument_error(latentwalk::detail::sentence(where, "the dimension d must be at least 1."));
        H_ = opts.hidden > 0 ? opts.hidden : d;
        E_ = opts.embedding > 0 ? opts.embedding : d + (d % 2);
        if (E_ % 2 != 0)
            throw invalid_argument_error(latentwalk::detail::sentence(
                where, "the embedding width " + std::to_string(E_) + " is odd; it holds sin and cos halves."));
        Wz_ = load(where, "W_z", w.W_z, H_, d);
        bz_ = load(where, "b_z", w.b_z, H_, 1);
        Wt1_ = load(where, "W_t1", w.W_t1, H_, E_);
        bt1_ = load(where, "b_t1", w.b_t1, H_, 1);
        Wt2_ = load(where, "W_t2", w.W_t2, H_, H_);
        bt2_ = load(where, "b_t2", w.b_t2, H_, 1);
        Wf_ = load(where, "W_f", w.W_f, H_, H_);
        bf_ = load(where, "b_f", w.b_f, H_, 1);
        wout_ = load(where, "w_out", w.w_out, H_, 1);
        latentwalk::detail::require_finite_scalar(where, "b_out", w.b_out);
        bout_ = static_cast<Scalar>(w.b_out);
        const Eigen::Index half = E_ / 2;
        omega_.resize(half);
        for (Eigen::Index k = 0; k < half; ++k)
            omega_[k] = half > 1 ? static_cast<Scalar>(std::exp(-static_cast<double>(k) * std::log(10000.0) /
                                                                static_cast<double>(half - 1)))
                                 : Scalar(1);
        wz_row_sq_ = Wz_.rowwise().squaredNorm();
        if (d_ > H_) gram_ = Wz_ * Wz_.transpose();
    }

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

    Eigen::Index dim() const { return d_; }
    Eigen::Index hidden() const { return H_; }
    Eigen::Index embedding() const { return E_; }

    /// The sinusoidal embedding τ(t) (length E: sines then cosines).
    vector_type time_embedding(Scalar t) const {
        vector_type e(E_);
        const Eigen::Index half = E_ / 2;
        for (Eigen::Index k = 0; k < half; ++k) {
            e[k] = std::sin(omega_[k] * t);
            e[half + k] = std::cos(omega_[k] * t);
        }
        return e;
    }

    Scalar value(const vector_type& z, const Scalar& t) const {
        check("eigen::mlp_potential::value", z);
        return forward(z, t).u;
    }

    vector_type gradient(const vector_type& z, const Scalar& t) const {
        check("eigen::mlp_potential::gradient", z);
        const auto f = forward(z, t);
        return f.kappa * grad_o(f);
    }

    Scalar time_derivative(const vector_type& z, const Scalar& t) const {
        check("eigen::mlp_potential::time_derivative", z);
        const auto f = forward(z, t);
        const auto tf = time_features(t);
        const vector_type a3dot = Wf_ * tf.dp;
        return f.kappa * wout_.dot(f.s3.cwiseProduct(a3dot));
    }

    Scalar second_time_derivative(const vector_type& z, const Scalar& t) const {
        check("eigen::mlp_potential::second_time_derivative", z);
        const auto f = forward(z, t);
        const auto tf = time_features(t);
        const vector_type a3dot = Wf_ * tf.dp;
        const vector_type a3ddot = Wf_ * tf.ddp;
        const Scalar odot = wout_.dot(f.s3.cwiseProduct(a3dot));
        const vector_type h3ddot = f.s3.cwiseProduct(a3ddot) -
                                   Scalar(2) * f.h3.cwiseProduct(f.s3).cwiseProduct(a3dot.cwiseAbs2());
        const Scalar oddot = wout_.dot(h3ddot);
        return f.kappa * oddot + f.kappa_prime * odot * odot;
    }

    vector_type hessian_vector(const vector_type& z, const Scalar& t, const vector_type& v) const {
        check("eigen::mlp_potential::hessian_vector", z);
        latentwalk::detail::require_length<backend>("eigen::mlp_potential::hessian_vector", "v", v,
                                                    static_cast<long long>(d_), "the potential's dimension");
        const auto f = forward(z, t);
        const vector_type delta3 = wout_.cwiseProduct(f.s3);
        const vector_type gs = Wf_.transpose() * delta3;
        const vector_type go = Wz_.transpose() * f.s1.cwiseProduct(gs);
        // forward-mode along v
        const vector_type h1dot = f.s1.cwiseProduct(Wz_ * v);
        const vector_type h3dot = f.s3.cwiseProduct(Wf_ * h1dot);
        const Scalar odot = wout_.dot(h3dot);
        const vector_type ddelta3 = Scalar(-2) * wout_.cwiseProduct(f.h3).cwiseProduct(h3dot);
        const vector_type dgs = Wf_.transpose() * ddelta3;
        const vector_type ds1 = Scalar(-2) * f.h1.cwiseProduct(h1dot);
        const vector_type Hov = Wz_.transpose() * (ds1.cwiseProduct(gs) + f.s1.cwiseProduct(dgs));
        return f.kappa * Hov + (f.kappa_prime * odot) * go;
    }

    Scalar laplacian(const vector_type& z, const Scalar& t) const {
        check("eigen::mlp_potential::laplacian", z);
        const auto f = forward(z, t);
        const vector_type delta3 = wout_.cwiseProduct(f.s3);
        const vector_type gs = Wf_.transpose() * delta3;
        const vector_type go = Wz_.transpose() * f.s1.cwiseProduct(gs);
        // first tanh layer: Σ_j (tanh''(a₁) ⊙ g_s)_j ‖row_j W_z‖²
        const vector_type s1pp = Scalar(-2) * f.h1.cwiseProduct(f.s1);
        const Scalar first = s1pp.cwiseProduct(gs).dot(wz_row_sq_);
        // second tanh layer: Σ_k (w_out ⊙ tanh''(a₃))_k ‖row_k J₃‖², J₃ = W_f diag(s₁) W_z
        vector_type rows_sq;
        if (d_ <= H_) {
            const matrix_type J3 = Wf_ * (f.s1.asDiagonal() * Wz_);
            rows_sq = J3.rowwise().squaredNorm();
        } else {
            const matrix_type P = Wf_ * f.s1.asDiagonal();
            rows_sq = (P * gram_).cwiseProduct(P).rowwise().sum();
        }
        const vector_type s3pp = Scalar(-2) * f.h3.cwiseProduct(f.s3);
        const Scalar second = wout_.cwiseProduct(s3pp).dot(rows_sq);
        return f.kappa * (first + second) + f.kappa_prime * go.squaredNorm();
    }

private:
    struct forward_state {
        vector_type h1, s1, h3, s3;  // s = 1 − h² (tanh')
        Scalar u, kappa, kappa_prime;  // u, du/do, d²u/do²
    };
    struct time_state {
        vector_type p, dp, ddp;  // p(t), p'(t), p''(t)
    };

    static Scalar gelu(Scalar x) { return Scalar(0.5) * x * (Scalar(1) + std::erf(x / std::numbers::sqrt2_v<Scalar>)); }
    static Scalar normal_pdf(Scalar x) {
        return std::exp(Scalar(-0.5) * x * x) / std::sqrt(Scalar(2) * std::numbers::pi_v<Scalar>);
    }
    static Scalar gelu_prime(Scalar x) {
        return Scalar(0.5) * (Scalar(1) + std::erf(x / std::numbers::sqrt2_v<Scalar>)) + x * normal_pdf(x);
    }
    static Scalar gelu_second(Scalar x) { return normal_pdf(x) * (Scalar(2) - x * x); }

    time_state time_features(Scalar t) const {
        const Eigen::Index half = E_ / 2;
        vector_type tau(E_), dtau(E_), ddtau(E_);
        for (Eigen::Index k = 0; k < half; ++k) {
            const Scalar w = omega_[k], s = std::sin(w * t), c = std::cos(w * t);
            tau[k] = s;
            tau[half + k] = c;
            dtau[k] = w * c;
            dtau[half + k] = -w * s;
            ddtau[k] = -w * w * s;
            ddtau[half + k] = -w * w * c;
        }
        const vector_type a2 = Wt1_ * tau + bt1_;
        const vector_type a2d = Wt1_ * dtau;
        const vector_type a2dd = Wt1_ * ddtau;
        vector_type g(H_), gd(H_), gdd(H_);
        for (Eigen::Index i = 0; i < H_; ++i) {
            const Scalar gp = gelu_prime(a2[i]);
            g[i] = gelu(a2[i]);
            gd[i] = gp * a2d[i];
            gdd[i] = gelu_second(a2[i]) * a2d[i] * a2d[i] + gp * a2dd[i];
        }
        return {Wt2_ * g + bt2_, Wt2_ * gd, Wt2_ * gdd};
    }

    forward_state forward(const vector_type& z, Scalar t) const {
        forward_state f;
        f.h1 = (Wz_ * z + bz_).array().tanh().matrix();
        f.s1 = (Scalar(1) - f.h1.array().square()).matrix();
        const auto tf = time_features(t);
        f.h3 = (Wf_ * (f.h1 + tf.p) + bf_).array().tanh().matrix();
        f.s3 = (Scalar(1) - f.h3.array().square()).matrix();
        const Scalar o = wout_.dot(f.h3) + bout_;
        if (opts_.output_tanh) {
            const Scalar th = std::tanh(o);
            f.u = th;
            f.kappa = Scalar(1) - th * th;
            f.kappa_prime = Scalar(-2) * th * f.kappa;
        } else {
            f.u = o;
            f.kappa = Scalar(1);
            f.kappa_prime = Scalar(0);
        }
        return f;
    }

    /// ∇_z o = W_zᵀ (s₁ ⊙ W_fᵀ (s₃ ⊙ w_out)).
    vector_type grad_o(const forward_state& f) const {
        return Wz_.transpose() * f.s1.cwiseProduct(Wf_.transpose() * wout_.cwiseProduct(f.s3));
    }

    static matrix_type load(const char* where, const char* name, const std::vector<double>& a, Eigen::Index rows,
                            Eigen::Index cols) {
        if (static_cast<Eigen::Index>(a.size()) != rows * cols)
            throw dimension_error(latentwalk::detail::sentence(
                where, std::string(name) + " has " + std::to_string(a.size()) + " values but must have " +
                           std::to_string(rows) + "×" + std::to_string(cols) + " = " + std::to_string(rows * cols) +
                           " (row-major, out × in)."));
        matrix_type M(rows, cols);
        for (Eigen::Index i = 0; i < rows; ++i)
            for (Eigen::Index j = 0; j < cols; ++j) {
                const double x = a[static_cast<std::size_t>(i * cols + j)];
                if (!std::isfinite(x))
                    throw numerical_error(latentwalk::detail::sentence(where, std::string(name) +
                                                                                  " contains NaN or Inf; weights must be finite."));
                M(i, j) = static_cast<Scalar>(x);
            }
        return M;
    }

    void check(const char* where, const vector_type& z) const {
        latentwalk::detail::require_length<backend>(where, "z", z, static_cast<long long>(d_), "the potential's dimension");
        latentwalk::detail::require_finite<backend>(where, "z", z);
    }

    Eigen::Index d_, H_ = 0, E_ = 0;
    options opts_;
    matrix_type Wz_, Wt1_, Wt2_, Wf_;
    vector_type bz_, bt1_, bt2_, bf_, wout_;
    Scalar bout_ = 0;
    vector_type omega_;
    vector_type wz_row_sq_;
    matrix_type gram_;
};

}  // namespace latentwalk::eigen
