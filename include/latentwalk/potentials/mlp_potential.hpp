#pragma once
// latentwalk/potentials/mlp_potential.hpp — the potential network of Song et al. (ICML 2023,
// PDETraversal) with its exact derivatives in closed form, written once against the backend seam:
// the same code runs unbatched on Eigen and xtensor and batched (one GEMM chain for a whole batch
// of codes, on the CPU or CUDA) on torch. eigen::mlp_potential and torch::mlp_potential wrap it.
//
//     latentwalk::mlp_potential<B> u(like, d, weights);          // weights: row-major host arrays
//     auto g   = u.gradient(z, t);                               // ∇_z u, z [..., d], t per sample
//     auto lap = u.laplacian(z, t);                              // Δ_z u exactly (no estimate)
//
//   a₁ = W_z z + b_z,            h₁ = tanh(a₁)                         (latent branch)
//   τ(t) = [sin(ω t), cos(ω t)], ω_k = 10000^(−k/(E/2 − 1)), k < E/2   (sinusoidal embedding)
//   p(t) = W_t2 GELU(W_t1 τ + b_t1) + b_t2                             (time branch, exact-erf GELU)
//   a₃ = W_f (h₁ + p) + b_f,     h₃ = tanh(a₃)                         (fusion)
//   o = w_outᵀ h₃ + b_out,       u = tanh(o) (output_tanh, the released code) or u = o
// Widths: latent d, hidden H, embedding E (even; the released code uses H = E = d).
//
// | member                      | method (forward propagation, no autograd)                 | cost per code    |
// |-----------------------------|-----------------------------------------------------------|------------------|
// | value, gradient             | forward pass + reverse sweep                              | ≈ 2Hd + 4H²      |
// | time_derivative, second_…   | forward mode in t through the time branch                 | ≈ H(E + H) + 2H² |
// | hessian_vector(z, t, v)     | forward-mode derivative of the gradient along v           | ≈ 2 gradients    |
// | laplacian(z, t)             | exact trace: the diagonal terms of the two tanh layers,   | H²·min(d, H)     |
// |                             | with the row norms of J₃ = W_f diag(1 − h₁²) W_z          | (one GEMM)       |
// The Laplacian's floor is that one product per code (the d Hessian-vector products of the generic
// rule cost ≈ 2d gradients). Its formula: with s = 1 − h² (tanh'), g_s = W_fᵀ(s₃ ⊙ w_out),
//   Δo = Σ_j (−2 h₁ ⊙ s₁ ⊙ g_s)_j ‖row_j W_z‖² + Σ_k (w_out ⊙ (−2 h₃ ⊙ s₃))_k ‖row_k J₃‖²,
//   Δu = κ Δo + κ' ‖∇o‖²  (κ = du/do, κ' = d²u/do²).
// The row norms of J₃ are the column norms of J₃ᵀ = Z diag(s₁) W_fᵀ with Z = W_zᵀ when d ≤ H and Z = R
// (W_zᵀ = QR, R H×H, computed once) when d > H: J₃ = W_f diag(s₁) Rᵀ Qᵀ has the rows of W_f diag(s₁) Rᵀ
// up to the orthonormal Qᵀ, so the product is always min(d, H) × H × H.
//
// Batching: z is [..., d]; t is a per-sample scalar (backend_traits<B>::batch_scalar) broadcasting
// with z's batch; results have the common batch. The weights are unbatched. Requires the backend's
// optional cwise_erf (BackendErf in latentwalk/concepts/backend.hpp) for the exact GELU.
//
// Weights: plain row-major host arrays (mlp_potential_weights), in the layout of PyTorch's
// nn.Linear.weight (out × in) — `W.detach().flatten().tolist()` — so a potential trained with the
// released code, or by latentwalk's torch trainer, evaluates here unchanged. Or backend values used as
// they are (mlp_potential_tensors: no copy; on torch in grad mode the results keep their graph into the
// weights, which is how torch::potential_bank trains a bank on these formulas).
// terms(z, t, request) gives u, ∇u and any of u_tt, Δu, ∇²u·v from one forward pass (a trainer's call).
//
// Errors: dimension_error for an array of the wrong length or a z / v of the wrong length;
// invalid_argument_error for d < 1, widths < 1 or an odd embedding width; numerical_error for
// NaN/Inf weights, z, v or t, and for a result that is not finite (a sentence, never a silent NaN).
#include <cmath>
#include <cstddef>
#include <numbers>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "../concepts/backend.hpp"
#include "../concepts/potential_field.hpp"
#include "../detail/host_matrix.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

/// Widths and the output non-linearity of the PDETraversal potential network.
struct mlp_potential_options {
    long long hidden = 0;      ///< H; 0 means d
    long long embedding = 0;   ///< E (even, ≥ 2); 0 means d rounded up to even
    bool output_tanh = true;   ///< the released code ends with tanh
};

/// Row-major weights: W_* are out×in (nn.Linear.weight), b_* have length out.
struct mlp_potential_weights {
    std::vector<double> W_z, b_z;    ///< H×d, H
    std::vector<double> W_t1, b_t1;  ///< H×E, H
    std::vector<double> W_t2, b_t2;  ///< H×H, H
    std::vector<double> W_f, b_f;    ///< H×H, H
    std::vector<double> w_out;       ///< H   (nn.Linear(H, 1).weight)
    double b_out = 0.0;
};

/// The frequencies ω_k = 10000^(−k/(half − 1)), k < half, of the sinusoidal time embedding (ω = {1}
/// when half = 1). Shared by every implementation of the network (core, eigen, torch, the torch bank).
inline std::vector<double> sinusoidal_frequencies(long long half) {
    std::vector<double> omega(static_cast<std::size_t>(half > 0 ? half : 0), 1.0);
    for (long long k = 0; k < half && half > 1; ++k)
        omega[static_cast<std::size_t>(k)] = std::exp(-static_cast<double>(k) * std::log(10000.0) / static_cast<double>(half - 1));
    return omega;
}

/// The weights as backend values, used as they are (no host copy): what a trainer holds as its
/// parameters. W_z H×d, W_t1 H×E (the sine columns first), W_t2 and W_f H×H, the biases and w_out of
/// length H (unbatched), b_out a per-sample scalar of no batch (a 0-dim tensor on torch, a number on
/// Eigen and xtensor). A potential built from them computes with these values, so on torch in grad
/// mode every result carries its autograd graph back into them (torch::potential_bank trains this way).
template <class B>
struct mlp_potential_tensors {
    matrix_t<B> W_z, W_t1, W_t2, W_f;
    vector_t<B> b_z, b_t1, b_t2, b_f, w_out;
    batch_scalar_t<B> b_out;
};

template <class B>
class mlp_potential {
    LATENTWALK_REQUIRE_BACKEND(B);
    static_assert(BackendErf<B>,
                  "latentwalk::mlp_potential needs the backend's optional cwise_erf(x) (the exact GELU of the time "
                  "branch); add it to backend_traits<B> (see BackendErf in latentwalk/concepts/backend.hpp).");
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    using V = vector_t<B>;
    using M = matrix_t<B>;
    using BS = batch_scalar_t<B>;

public:
    using backend = B;
    using options = mlp_potential_options;
    using weights = mlp_potential_weights;

    /// The potential of dimension d with weights `w` (any struct with the fields of
    /// mlp_potential_weights), its tensors on the device and dtype of `like` (an unbatched vector;
    /// Eigen and xtensor ignore it beyond its type).
    template <class W = weights>
    mlp_potential(const V& like, long long d, const W& w, const options& opts = {}) : d_(d), opts_(opts) {
        constexpr const char* where = "mlp_potential";
        if (d < 1) throw invalid_argument_error(detail::sentence(where, "the dimension d must be at least 1."));
        if (opts.hidden < 0 || opts.embedding < 0)
            throw invalid_argument_error(detail::sentence(where, "the hidden and embedding widths must be positive (0 means d)."));
        H_ = opts.hidden > 0 ? opts.hidden : d;
        E_ = opts.embedding > 0 ? opts.embedding : d + (d % 2);
        if (E_ % 2 != 0)
            throw invalid_argument_error(
                detail::sentence(where, "the embedding width " + detail::number(E_) + " is odd; it holds sin and cos halves."));
        w_.W_z = checked(where, "W_z", w.W_z, H_ * d_);
        w_.b_z = checked(where, "b_z", w.b_z, H_);
        w_.W_t1 = checked(where, "W_t1", w.W_t1, H_ * E_);
        w_.b_t1 = checked(where, "b_t1", w.b_t1, H_);
        w_.W_t2 = checked(where, "W_t2", w.W_t2, H_ * H_);
        w_.b_t2 = checked(where, "b_t2", w.b_t2, H_);
        w_.W_f = checked(where, "W_f", w.W_f, H_ * H_);
        w_.b_f = checked(where, "b_f", w.b_f, H_);
        w_.w_out = checked(where, "w_out", w.w_out, H_);
        detail::require_finite_scalar(where, "b_out", w.b_out);
        w_.b_out = w.b_out;

        const long long half = E_ / 2;
        const auto mat = [&](long long r, long long c, const std::vector<double>& a, long long stride = 0, long long col0 = 0) {
            return detail::matrix_from_row_major<B>(like, r, c, a, stride, col0);
        };
        Wz_ = mat(H_, d_, w_.W_z);
        Wts_ = mat(H_, half, w_.W_t1, E_, 0);
        Wtc_ = mat(H_, half, w_.W_t1, E_, half);
        Wt2_ = mat(H_, H_, w_.W_t2);
        Wf_ = mat(H_, H_, w_.W_f);
        bz_ = T::from_values(like, w_.b_z);
        bt1_ = T::from_values(like, w_.b_t1);
        bt2_ = T::from_values(like, w_.b_t2);
        bf_ = T::from_values(like, w_.b_f);
        wout_ = T::from_values(like, w_.w_out);
        bout_ = T::constant(like, w_.b_out);
        derive(like);
    }

    /// The potential of dimension d on backend values used as they are (see mlp_potential_tensors): the
    /// widths are read from the shapes (H from W_z, E from W_t1); opts.hidden and opts.embedding, when
    /// non-zero, must agree with them. host_weights() is not available on such a potential.
    mlp_potential(long long d, mlp_potential_tensors<B> w, const options& opts = {}) : d_(d), opts_(opts), host_(false) {
        constexpr const char* where = "mlp_potential";
        if (d < 1) throw invalid_argument_error(detail::sentence(where, "the dimension d must be at least 1."));
        H_ = static_cast<long long>(T::rows(w.W_z));
        E_ = static_cast<long long>(T::cols(w.W_t1));
        if ((opts.hidden > 0 && opts.hidden != H_) || (opts.embedding > 0 && opts.embedding != E_))
            throw invalid_argument_error(detail::sentence(
                where, "the options ask for widths H = " + detail::number(opts.hidden) + ", E = " + detail::number(opts.embedding) +
                           " but the tensors have H = " + detail::number(H_) + ", E = " + detail::number(E_) + "."));
        if (E_ % 2 != 0 || E_ < 2)
            throw invalid_argument_error(
                detail::sentence(where, "the embedding width " + detail::number(E_) + " is odd; it holds sin and cos halves."));
        const auto shape_is = [&](const char* name, const M& A, long long r, long long c) {
            if (static_cast<long long>(T::rows(A)) != r || static_cast<long long>(T::cols(A)) != c)
                throw dimension_error(detail::sentence(where, std::string(name) + " is " + detail::number(T::rows(A)) + "×" +
                                                                  detail::number(T::cols(A)) + " but must be " + detail::number(r) +
                                                                  "×" + detail::number(c) + " (out × in)."));
            if (!T::all_finite(A))
                throw numerical_error(detail::sentence(where, std::string(name) + " contains NaN or Inf; weights must be finite."));
        };
        const auto length_is = [&](const char* name, const V& x) {
            detail::require_length<B>(where, name, x, H_, "the hidden width");
            detail::require_finite<B>(where, name, x);
        };
        shape_is("W_z", w.W_z, H_, d_);
        shape_is("W_t1", w.W_t1, H_, E_);
        shape_is("W_t2", w.W_t2, H_, H_);
        shape_is("W_f", w.W_f, H_, H_);
        length_is("b_z", w.b_z);
        length_is("b_t1", w.b_t1);
        length_is("b_t2", w.b_t2);
        length_is("b_f", w.b_f);
        length_is("w_out", w.w_out);
        if (!T::all_finite(T::lift(w.b_z, w.b_out)))
            throw numerical_error(detail::sentence(where, "b_out is NaN or Inf; weights must be finite."));
        const long long half = E_ / 2;
        Wz_ = std::move(w.W_z);
        Wts_ = T::block_cols(w.W_t1, 0, static_cast<index_t<B>>(half));
        Wtc_ = T::block_cols(w.W_t1, static_cast<index_t<B>>(half), static_cast<index_t<B>>(half));
        Wt2_ = std::move(w.W_t2);
        Wf_ = std::move(w.W_f);
        bz_ = std::move(w.b_z);
        bt1_ = std::move(w.b_t1);
        bt2_ = std::move(w.b_t2);
        bf_ = std::move(w.b_f);
        wout_ = std::move(w.w_out);
        bout_ = std::move(w.b_out);
        derive(bz_);
    }

    long long dim() const { return d_; }
    long long hidden() const { return H_; }
    long long embedding() const { return E_; }
    const options& opts() const { return opts_; }
    /// The weights as given (row-major host arrays); only for a potential built from host arrays.
    const weights& host_weights() const {
        if (!host_)
            throw invalid_argument_error(detail::sentence("mlp_potential::host_weights",
                                                          "this potential was built from backend tensors; read its weights from them."));
        return w_;
    }

    /// What terms() computes besides u and ∇u.
    struct request {
        bool second_time_derivative = false;  ///< ∂²u/∂t²
        bool laplacian = false;               ///< Δ_z u (exact)
        std::optional<V> hessian_probe;       ///< v of ∇²u · v (length d, batched like z or not)
    };
    /// u, ∇u and what was requested, from one forward pass.
    struct evaluation {
        BS value;
        V gradient;
        std::optional<BS> u_tt, laplacian;
        std::optional<V> hessian_vector;
    };

    /// u, ∇u and the requested derivatives at (z, t) from one forward pass (each member as its own
    /// function computes it; the trainers' per-step call).
    evaluation terms(const V& z, const BS& t, const request& which) const {
        constexpr const char* where = "mlp_potential::terms";
        check(where, z, t);
        if (which.hessian_probe) {
            detail::require_length<B>(where, "the Hessian probe", *which.hessian_probe, d_, "the potential's dimension");
            detail::require_finite<B>(where, "the Hessian probe", *which.hessian_probe);
        }
        const auto f = forward(z, t, which.second_time_derivative ? 2 : 0);
        const auto gs = grad_s(f);
        const auto go = grad_o(f, gs);
        evaluation out{f.u, finite_result(where, "the gradient", T::scale(go, f.kappa)), {}, {}, {}};
        if (which.second_time_derivative) out.u_tt = u_tt_of(f);
        if (which.laplacian) out.laplacian = laplacian_of(f, gs, go);
        if (which.hessian_probe)
            out.hessian_vector = finite_result(where, "the Hessian-vector product", hessian_vector_of(f, gs, go, *which.hessian_probe));
        return out;
    }

    BS value(const V& z, const BS& t) const {
        check("mlp_potential::value", z, t);
        return forward(z, t).u;
    }

    V gradient(const V& z, const BS& t) const {
        constexpr const char* where = "mlp_potential::gradient";
        check(where, z, t);
        const auto f = forward(z, t);
        return finite_result(where, "the gradient", T::scale(grad_o(f, grad_s(f)), f.kappa));
    }

    BS time_derivative(const V& z, const BS& t) const {
        check("mlp_potential::time_derivative", z, t);
        const auto f = forward(z, t, 1);
        return f.kappa * T::dot(wout_, T::cwise_product(f.s3, T::matvec(Wf_, f.dp)));
    }

    BS second_time_derivative(const V& z, const BS& t) const {
        check("mlp_potential::second_time_derivative", z, t);
        return u_tt_of(forward(z, t, 2));
    }

    V hessian_vector(const V& z, const BS& t, const V& v) const {
        constexpr const char* where = "mlp_potential::hessian_vector";
        check(where, z, t);
        detail::require_length<B>(where, "v", v, d_, "the potential's dimension");
        detail::require_finite<B>(where, "v", v);
        const auto f = forward(z, t);
        const auto gs = grad_s(f);
        return finite_result(where, "the Hessian-vector product", hessian_vector_of(f, gs, grad_o(f, gs), v));
    }

    BS laplacian(const V& z, const BS& t) const {
        check("mlp_potential::laplacian", z, t);
        const auto f = forward(z, t);
        const auto gs = grad_s(f);
        return laplacian_of(f, gs, grad_o(f, gs));
    }

private:
    struct state {
        V h1, s1, h3, s3;  // s = 1 − h² (tanh')
        V dp, ddp;         // p'(t), p''(t) when asked for
        BS u, kappa, kappa_prime;  // u, du/do, d²u/do²
    };

    /// The derived matrices (transposes, the embedding frequencies, ‖row_j W_z‖², Z), from the weights.
    void derive(const V& like) {
        WzT_ = T::transpose(Wz_);
        WfT_ = T::transpose(Wf_);
        const std::vector<double> omega = sinusoidal_frequencies(E_ / 2);
        std::vector<double> omega2(omega.size());
        for (std::size_t k = 0; k < omega.size(); ++k) omega2[k] = omega[k] * omega[k];
        Omega_ = detail::matrix_from_row_major<B>(like, E_ / 2, 1, omega);
        omega_ = T::from_values(like, omega);
        omega2_ = T::from_values(like, omega2);
        wz_row_sq_ = T::column_squared_norms(WzT_);
        // Z of the Laplacian: W_zᵀ (d×H) or, when d > H, the H×H factor R of W_zᵀ = QR.
        Z_ = d_ > H_ ? T::thin_qr(WzT_).R : WzT_;
    }

    /// u_tt from a forward pass of time order 2.
    BS u_tt_of(const state& f) const {
        const auto a3dot = T::matvec(Wf_, f.dp);
        const auto a3ddot = T::matvec(Wf_, f.ddp);
        const auto odot = T::dot(wout_, T::cwise_product(f.s3, a3dot));
        const auto h3ddot = T::sub(T::cwise_product(f.s3, a3ddot),
                                   T::scale(T::cwise_product(T::cwise_product(f.h3, f.s3), T::cwise_product(a3dot, a3dot)),
                                            S(2)));
        return f.kappa * T::dot(wout_, h3ddot) + f.kappa_prime * odot * odot;
    }

    /// ∇²u · v from a forward pass, g_s = W_fᵀ(s₃ ⊙ w_out) and ∇o.
    V hessian_vector_of(const state& f, const V& gs, const V& go, const V& v) const {
        // forward mode along v
        const auto h1dot = T::cwise_product(f.s1, T::matvec(Wz_, v));
        const auto h3dot = T::cwise_product(f.s3, T::matvec(Wf_, h1dot));
        const auto odot = T::dot(wout_, h3dot);
        const auto ddelta3 = T::scale(T::cwise_product(T::cwise_product(wout_, f.h3), h3dot), S(-2));
        const auto dgs = T::matvec(WfT_, ddelta3);
        const auto ds1 = T::scale(T::cwise_product(f.h1, h1dot), S(-2));
        const auto Hov = T::matvec(WzT_, T::add(T::cwise_product(ds1, gs), T::cwise_product(f.s1, dgs)));
        return T::axpy(f.kappa_prime * odot, go, T::scale(Hov, f.kappa));
    }

    /// Δu from a forward pass, g_s and ∇o.
    BS laplacian_of(const state& f, const V& gs, const V& go) const {
        // first tanh layer: Σ_j (tanh''(a₁) ⊙ g_s)_j ‖row_j W_z‖²
        const auto s1pp = T::scale(T::cwise_product(f.h1, f.s1), S(-2));
        const auto first = T::dot(T::cwise_product(s1pp, gs), wz_row_sq_);
        // second tanh layer: Σ_k (w_out ⊙ tanh''(a₃))_k ‖row_k J₃‖², the rows of J₃ = the columns of Z diag(s₁) W_fᵀ
        const auto rows_sq = T::column_squared_norms(T::matmul(T::scale_columns(Z_, f.s1), WfT_));
        const auto s3pp = T::scale(T::cwise_product(f.h3, f.s3), S(-2));
        const auto second = T::dot(T::cwise_product(wout_, s3pp), rows_sq);
        return f.kappa * (first + second) + f.kappa_prime * T::dot(go, go);
    }

    static std::vector<double> checked(const char* where, const char* name, const std::vector<double>& a, long long n) {
        if (static_cast<long long>(a.size()) != n)
            throw dimension_error(detail::sentence(where, std::string(name) + " has " + detail::number(a.size()) +
                                                              " values but must have " + detail::number(n) +
                                                              " (row-major, out × in)."));
        for (double x : a)
            if (!std::isfinite(x))
                throw numerical_error(detail::sentence(where, std::string(name) + " contains NaN or Inf; weights must be finite."));
        return a;
    }

    void check(const char* where, const V& z, const BS& t) const {
        detail::require_length<B>(where, "z", z, d_, "the potential's dimension");
        detail::require_finite<B>(where, "z", z);
        if (!T::all_finite(T::lift(z, t))) throw numerical_error(detail::sentence(where, "t is NaN or Inf; times must be finite."));
    }

    V finite_result(const char* where, const char* what, V x) const {
        if (!T::all_finite(x))
            throw numerical_error(detail::sentence(where, std::string(what) + " is not finite (NaN or Inf) at this z and t."));
        return x;
    }

    V ones_like(const V& x) const { return T::fill(x, T::size(x), 1.0); }
    V tanh_derivative(const V& h) const { return T::sub(ones_like(h), T::cwise_product(h, h)); }

    /// The forward pass; `time_order` 1 or 2 also propagates p'(t) (and p''(t)) through the time branch.
    state forward(const V& z, const BS& t, int time_order = 0) const {
        state f;
        f.h1 = T::cwise_tanh(T::add(T::matvec(Wz_, z), bz_));
        f.s1 = tanh_derivative(f.h1);
        // time branch: τ = [sin(ωt), cos(ωt)] enters through the sine and cosine halves of W_t1
        const auto phase = T::matvec(Omega_, T::lift(z, t));
        const auto sn = T::cwise_sin(phase), cs = T::cwise_cos(phase);
        const auto a2 = T::add(T::add(T::matvec(Wts_, sn), T::matvec(Wtc_, cs)), bt1_);
        const auto e = T::cwise_erf(T::scale(a2, static_cast<S>(1.0 / std::numbers::sqrt2)));
        const auto Phi = T::scale(T::add(ones_like(a2), e), S(0.5));  // the normal CDF at a₂
        const auto p = T::add(T::matvec(Wt2_, T::cwise_product(a2, Phi)), bt2_);
        if (time_order > 0) {
            const auto phi = T::scale(T::cwise_exp(T::scale(T::cwise_product(a2, a2), S(-0.5))),
                                      static_cast<S>(1.0 / std::sqrt(2.0 * std::numbers::pi)));
            const auto gp = T::add(Phi, T::cwise_product(a2, phi));  // GELU'
            const auto a2d = T::sub(T::matvec(Wts_, T::cwise_product(omega_, cs)), T::matvec(Wtc_, T::cwise_product(omega_, sn)));
            f.dp = T::matvec(Wt2_, T::cwise_product(gp, a2d));
            if (time_order > 1) {
                const auto a2dd = T::scale(T::add(T::matvec(Wts_, T::cwise_product(omega2_, sn)),
                                                  T::matvec(Wtc_, T::cwise_product(omega2_, cs))),
                                           S(-1));
                const auto gpp = T::cwise_product(phi, T::sub(T::fill(a2, T::size(a2), 2.0), T::cwise_product(a2, a2)));
                f.ddp = T::matvec(Wt2_, T::add(T::cwise_product(gpp, T::cwise_product(a2d, a2d)), T::cwise_product(gp, a2dd)));
            }
        }
        f.h3 = T::cwise_tanh(T::add(T::matvec(Wf_, T::add(f.h1, p)), bf_));
        f.s3 = tanh_derivative(f.h3);
        const BS o = T::dot(wout_, f.h3) + bout_;
        if (opts_.output_tanh) {
            const BS th = T::lower(T::cwise_tanh(T::lift(z, o)));
            f.u = th;
            f.kappa = S(1) - th * th;
            f.kappa_prime = S(-2) * th * f.kappa;
        } else {
            f.u = o;
            f.kappa = T::constant(z, 1.0);
            f.kappa_prime = T::constant(z, 0.0);
        }
        return f;
    }

    /// g_s = W_fᵀ (s₃ ⊙ w_out) and ∇_z o = W_zᵀ (s₁ ⊙ g_s).
    V grad_s(const state& f) const { return T::matvec(WfT_, T::cwise_product(wout_, f.s3)); }
    V grad_o(const state& f, const V& gs) const { return T::matvec(WzT_, T::cwise_product(f.s1, gs)); }

    long long d_, H_ = 0, E_ = 0;
    options opts_;
    weights w_;
    bool host_ = true;  // built from host arrays (w_ holds them)
    M Wz_, WzT_, Wts_, Wtc_, Wt2_, Wf_, WfT_, Omega_, Z_;
    V bz_, bt1_, bt2_, bf_, wout_, omega_, omega2_, wz_row_sq_;
    BS bout_{};
};

}  // namespace latentwalk
