#pragma once
// latentwalk/torch/mlp_potential.hpp — the potential network of Song et al. (ICML 2023,
// PDETraversal) on tensors, with its derivatives by autograd; the same parameters, in the same
// layout, as latentwalk::eigen::mlp_potential (adapters/eigen), so weights transfer both ways.
//
//   a₁ = W_z z + b_z,            h₁ = tanh(a₁)                         (latent branch)
//   τ(t) = [sin(ω t), cos(ω t)], ω_k = 10000^(−k/(E/2 − 1)), k < E/2   (sinusoidal embedding)
//   p(t) = W_t2 GELU(W_t1 τ + b_t1) + b_t2                             (time branch, exact-erf GELU)
//   a₃ = W_f (h₁ + p) + b_f,     h₃ = tanh(a₃)                         (fusion)
//   o = w_outᵀ h₃ + b_out,       u = tanh(o) (output_tanh, the released code) or u = o
//
// | member                          | method (all batched over the leading dimensions of z and t)     |
// |---------------------------------|-----------------------------------------------------------------|
// | value(z, t)                     | forward pass, no graph recorded                                 |
// | gradient(z, t)                  | closed form (default): latentwalk::mlp_potential's reverse sweep |
// | time_derivative, second_…       | closed form: forward mode in t through the time branch          |
// | hessian_vector(z, t, v)         | closed form: forward-mode derivative of the gradient along v    |
// | laplacian(z, t)                 | closed form: the exact trace from one batched GEMM chain,       |
// |                                 | B·H²·min(d, H) for a batch of B codes (memory B·min(d, H)·H)    |
// | forward(z, t)                   | u with the autograd graph (training, custom losses)            |
// The closed forms are latentwalk::mlp_potential (latentwalk/potentials/mlp_potential.hpp), written
// once against the seam and run here on torch::backend: a batch of codes is one chain of batched
// GEMMs on the CPU or CUDA, no autograd. With options.derivatives = mlp_derivatives::autograd the
// same members use autograd instead (reverse mode; the second time derivative and H·v by double
// backward; the Laplacian as the d products ∇²u e_i in one double-backward pass over a batch d times
// larger): the reference the tests compare the closed forms with (1e-13, double).
// H·1 (latentwalk::hessian_row_sum) and Hutchinson estimates (latentwalk::hutchinson_laplacian)
// come from the PDE layer through hessian_vector.
//
// Weights: row-major arrays as PyTorch's nn.Linear.weight (out × in); the constructor takes any
// struct with the fields of mlp_potential_weights (W_z, b_z, W_t1, b_t1, W_t2, b_t2, W_f, b_f,
// w_out, b_out) — eigen::mlp_potential<>::weights among them — and weights_as<W>() writes them back.
// parameters() gives the tensors themselves (leaves; set requires_grad to train them). The closed forms
// follow in-place changes of them (optimizer steps); a change through .data() / .set_data() bypasses
// the version counters LibTorch keeps, so after one construct a new potential.
// Errors: dimension_error for an array of the wrong length or z of the wrong length;
// invalid_argument_error for d < 1, an odd embedding width or a tensor of another dtype;
// numerical_error for NaN/Inf weights.
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>

#include <latentwalk/concepts/potential_field.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/potentials/mlp_potential.hpp>
#include <latentwalk/torch/backend.hpp>
#include <latentwalk/torch/module_generator.hpp>

namespace latentwalk::torch {

/// How the derivative members are computed.
enum class mlp_derivatives {
    closed_form,  ///< latentwalk::mlp_potential's forward propagation, batched GEMMs (default)
    autograd      ///< LibTorch autograd (double backward): the reference
};

struct mlp_potential_options {
    std::int64_t hidden = 0;     ///< H; 0 means d
    std::int64_t embedding = 0;  ///< E (even, ≥ 2); 0 means d rounded up to even
    bool output_tanh = true;     ///< the released code ends with tanh
    mlp_derivatives derivatives = mlp_derivatives::closed_form;
};

/// Row-major weights: W_* are out×in (nn.Linear.weight), b_* have length out (the core's struct).
using mlp_potential_weights = latentwalk::mlp_potential_weights;

template <class Scalar = double>
class mlp_potential {
public:
    using backend = torch::backend<Scalar>;
    using options = mlp_potential_options;
    using weights = mlp_potential_weights;

    /// The potential with the given weights, its tensors on `device` with Scalar's dtype.
    template <class W = weights>
    mlp_potential(std::int64_t d, const W& w, const options& opts = {}, at::Device device = at::kCPU)
        : d_(d), opts_(opts) {
        using latentwalk::detail::sentence;
        constexpr const char* where = "torch::mlp_potential";
        if (d < 1) throw invalid_argument_error(sentence(where, "the dimension d must be at least 1."));
        H_ = opts.hidden > 0 ? opts.hidden : d;
        E_ = opts.embedding > 0 ? opts.embedding : d + (d % 2);
        if (E_ % 2 != 0)
            throw invalid_argument_error(
                sentence(where, "the embedding width " + std::to_string(E_) + " is odd; it holds sin and cos halves."));
        const auto to = at::TensorOptions().dtype(dtype_of<Scalar>).device(device);
        Wz_ = load(where, "W_z", w.W_z, {H_, d}, to);
        bz_ = load(where, "b_z", w.b_z, {H_}, to);
        Wt1_ = load(where, "W_t1", w.W_t1, {H_, E_}, to);
        bt1_ = load(where, "b_t1", w.b_t1, {H_}, to);
        Wt2_ = load(where, "W_t2", w.W_t2, {H_, H_}, to);
        bt2_ = load(where, "b_t2", w.b_t2, {H_}, to);
        Wf_ = load(where, "W_f", w.W_f, {H_, H_}, to);
        bf_ = load(where, "b_f", w.b_f, {H_}, to);
        wout_ = load(where, "w_out", w.w_out, {H_}, to);
        latentwalk::detail::require_finite_scalar(where, "b_out", w.b_out);
        bout_ = at::full({}, w.b_out, to);
        const std::int64_t half = E_ / 2;
        const std::vector<double> omega = latentwalk::sinusoidal_frequencies(half);
        omega_ = at::tensor(omega, at::kDouble).to(to);
    }

    std::int64_t dim() const { return d_; }
    std::int64_t hidden() const { return H_; }
    std::int64_t embedding() const { return E_; }

    /// The weights written into a struct with the fields of mlp_potential_weights (e.g.
    /// eigen::mlp_potential<>::weights), to build the same potential on another backend.
    template <class W = weights>
    W weights_as() const {
        W w;
        w.W_z = host(Wz_);
        w.b_z = host(bz_);
        w.W_t1 = host(Wt1_);
        w.b_t1 = host(bt1_);
        w.W_t2 = host(Wt2_);
        w.b_t2 = host(bt2_);
        w.W_f = host(Wf_);
        w.b_f = host(bf_);
        w.w_out = host(wout_);
        w.b_out = bout_.item<double>();
        return w;
    }

    /// The parameter tensors W_z, b_z, W_t1, b_t1, W_t2, b_t2, W_f, b_f, w_out, b_out (shared, not copied).
    std::vector<at::Tensor> parameters() const { return {Wz_, bz_, Wt1_, bt1_, Wt2_, bt2_, Wf_, bf_, wout_, bout_}; }

    /// u(z, t) with the autograd graph, for z [..., d] and t of a shape broadcasting with z's batch.
    at::Tensor forward(const at::Tensor& z, const at::Tensor& t) const {
        const auto h1 = at::tanh(at::linear(z, Wz_, bz_));
        const auto phase = t.to(omega_.options()).unsqueeze(-1) * omega_;
        const auto tau = at::cat({phase.sin(), phase.cos()}, -1);
        const auto p = at::linear(at::gelu(at::linear(tau, Wt1_, bt1_)), Wt2_, bt2_);
        const auto h3 = at::tanh(at::linear(h1 + p, Wf_, bf_));
        const auto o = (h3 * wout_).sum(-1) + bout_;
        return opts_.output_tanh ? o.tanh() : o;
    }

    at::Tensor value(const vector<Scalar>& z, const at::Tensor& t) const {
        check("torch::mlp_potential::value", z.tensor());
        at::NoGradGuard no_grad;
        return forward(z.tensor(), t);
    }

    vector<Scalar> gradient(const vector<Scalar>& z, const at::Tensor& t) const {
        check("torch::mlp_potential::gradient", z.tensor());
        if (closed_form()) return closed()->gradient(z, t.to(z.tensor().options()));
        at::AutoGradMode grad_mode(true);
        auto zr = leaf(z.tensor(), t);
        auto g = ::torch::autograd::grad({forward(zr, t.detach()).sum()}, {zr});
        return g[0].detach();
    }

    at::Tensor time_derivative(const vector<Scalar>& z, const at::Tensor& t) const {
        check("torch::mlp_potential::time_derivative", z.tensor());
        if (closed_form()) return closed()->time_derivative(z, t.to(z.tensor().options()));
        at::AutoGradMode grad_mode(true);
        auto tr = time_leaf(z.tensor(), t);
        auto g = ::torch::autograd::grad({forward(z.tensor().detach(), tr).sum()}, {tr});
        return g[0].detach();
    }

    at::Tensor second_time_derivative(const vector<Scalar>& z, const at::Tensor& t) const {
        check("torch::mlp_potential::second_time_derivative", z.tensor());
        if (closed_form()) return closed()->second_time_derivative(z, t.to(z.tensor().options()));
        at::AutoGradMode grad_mode(true);
        auto tr = time_leaf(z.tensor(), t);
        auto g = ::torch::autograd::grad({forward(z.tensor().detach(), tr).sum()}, {tr}, {}, true, true);
        auto gg = ::torch::autograd::grad({g[0].sum()}, {tr}, {}, false, false, /*allow_unused=*/true);
        return gg[0].defined() ? gg[0].detach() : at::zeros_like(tr).detach();
    }

    vector<Scalar> hessian_vector(const vector<Scalar>& z, const at::Tensor& t, const vector<Scalar>& v) const {
        check("torch::mlp_potential::hessian_vector", z.tensor());
        check("torch::mlp_potential::hessian_vector", v.tensor());
        if (closed_form()) return closed()->hessian_vector(z, t.to(z.tensor().options()), v);
        at::AutoGradMode grad_mode(true);
        auto zr = leaf(z.tensor(), t);
        auto g = ::torch::autograd::grad({forward(zr, t.detach()).sum()}, {zr}, {}, true, true);
        auto hv = ::torch::autograd::grad({(g[0] * v.tensor()).sum()}, {zr});
        return hv[0].detach();
    }

    /// Δ_z u exactly: tr ∇²u from the d products ∇²u e_i, taken in one pass over a batch d times larger.
    at::Tensor laplacian(const vector<Scalar>& z, const at::Tensor& t) const {
        check("torch::mlp_potential::laplacian", z.tensor());
        if (closed_form()) return closed()->laplacian(z, t.to(z.tensor().options()));
        at::AutoGradMode grad_mode(true);
        const auto zb = leaf(z.tensor(), t).detach();  // [..., d]
        std::vector<std::int64_t> rep(static_cast<std::size_t>(zb.dim()) + 1, 1);
        rep[0] = d_;
        auto zr = zb.unsqueeze(0).repeat(rep).requires_grad_(true);  // [d, ..., d]
        auto g = ::torch::autograd::grad({forward(zr, t.detach()).sum()}, {zr}, {}, true, true);
        std::vector<std::int64_t> eshape(static_cast<std::size_t>(zr.dim()), 1);
        eshape.front() = d_;
        eshape.back() = d_;
        const auto e = at::eye(d_, zr.options().requires_grad(false)).reshape(eshape);  // e_i along the new dim
        auto hv = ::torch::autograd::grad({(g[0] * e).sum()}, {zr});                   // row i: ∇²u e_i
        return (hv[0] * e).sum(-1).sum(0).detach();
    }

private:
    bool closed_form() const { return opts_.derivatives == mlp_derivatives::closed_form; }

    using closed_type = latentwalk::mlp_potential<backend>;
    /// The closed forms hold a copy of the weights (with transposes and a QR factor); it is rebuilt
    /// when the parameters changed in place since (their version counters moved: optimizer steps,
    /// copy_ under NoGradGuard). Shared by copies of this object, which share the parameter tensors.
    struct closed_cache {
        std::mutex mutex;
        std::shared_ptr<const closed_type> value;
        std::int64_t version = -1;
    };
    std::int64_t parameter_version() const {
        std::int64_t v = 0;
        for (const auto& p : parameters()) v += static_cast<std::int64_t>(p._version());
        return v;
    }
    std::shared_ptr<const closed_type> closed() const {
        const auto v = parameter_version();
        std::lock_guard<std::mutex> lock(cache_->mutex);
        if (!cache_->value || cache_->version != v) {
            at::NoGradGuard no_grad;
            cache_->value = std::make_shared<const closed_type>(
                vector<Scalar>(at::zeros({1}, Wz_.options().requires_grad(false))), d_,
                weights_as<latentwalk::mlp_potential_weights>(),
                latentwalk::mlp_potential_options{H_, E_, opts_.output_tanh});
            cache_->version = v;
        }
        return cache_->value;
    }

    static at::Tensor load(const char* where, const char* name, const std::vector<double>& values,
                           std::vector<std::int64_t> shape, const at::TensorOptions& to) {
        std::int64_t n = 1;
        for (auto s : shape) n *= s;
        if (static_cast<std::int64_t>(values.size()) != n)
            throw dimension_error(latentwalk::detail::sentence(
                where, std::string(name) + " has " + std::to_string(values.size()) + " entries but must have " +
                           std::to_string(n) + "."));
        for (double v : values)
            if (!std::isfinite(v))
                throw numerical_error(latentwalk::detail::sentence(
                    where, std::string(name) + " contains NaN or Inf; weights must be finite."));
        return at::tensor(values, at::kDouble).reshape(shape).to(to);
    }

    static std::vector<double> host(const at::Tensor& t) {
        const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
        return {h.data_ptr<double>(), h.data_ptr<double>() + h.numel()};
    }

    void check(const char* where, const at::Tensor& z) const {
        using latentwalk::detail::sentence;
        if (!z.defined() || z.dim() < 1 || z.size(-1) != d_)
            throw dimension_error(sentence(where, "z has shape " + detail::shape_string(z) +
                                                      " but its last dimension must be the potential's dimension " +
                                                      std::to_string(d_) + "."));
        if (z.scalar_type() != dtype_of<Scalar>)
            throw invalid_argument_error(sentence(where, "z has dtype " + std::string(c10::toString(z.scalar_type())) +
                                                             " but the potential's backend is " +
                                                             backend_traits<backend>::name + "."));
        if (!at::isfinite(z).all().item<bool>())
            throw numerical_error(sentence(where, "z contains NaN or Inf; inputs must be finite."));
    }

    /// z expanded to the common batch of z and t, as a fresh leaf that requires grad.
    at::Tensor leaf(const at::Tensor& z, const at::Tensor& t) const {
        const auto zs = z.sizes();
        auto batch = at::infer_size(at::IntArrayRef(zs.begin(), zs.end() - 1), t.sizes());
        batch.push_back(d_);
        return z.detach().expand(batch).contiguous().requires_grad_(true);
    }

    /// t expanded to the common batch of z and t, as a fresh leaf that requires grad.
    at::Tensor time_leaf(const at::Tensor& z, const at::Tensor& t) const {
        const auto zs = z.sizes();
        const auto batch = at::infer_size(at::IntArrayRef(zs.begin(), zs.end() - 1), t.sizes());
        return t.detach().to(omega_.options()).expand(batch).contiguous().requires_grad_(true);
    }

    std::int64_t d_, H_ = 0, E_ = 0;
    options opts_;
    at::Tensor Wz_, bz_, Wt1_, bt1_, Wt2_, bt2_, Wf_, bf_, wout_, bout_, omega_;
    std::shared_ptr<closed_cache> cache_ = std::make_shared<closed_cache>();
};

static_assert(ProvidesHessianVector<mlp_potential<double>> && ProvidesLaplacian<mlp_potential<double>>);

}  // namespace latentwalk::torch
