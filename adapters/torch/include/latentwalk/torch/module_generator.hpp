#pragma once
// latentwalk/torch/module_generator.hpp — any tensor function (a torch::nn::Module, a lambda, a
// TorchScript method) as a latentwalk DifferentiableGenerator on the LibTorch backend.
//
//     auto net = torch::nn::Linear(8, 16);                      // or any module with forward(x)
//     net->to(at::kDouble);
//     latentwalk::torch::module_generator<double> g(net, 8, 16);
//     auto Jv = latentwalk::jvp(g, z, v);                        // z, v: at::Tensor [..., 8], float64
//
// The function must map a tensor [..., n] to [..., m] sample by sample (leading batch dimensions
// kept). Derivatives, both batched over the leading dimensions in one call:
//   jvp(z, v)  J v by forward-mode AD: z is made a dual tensor (at::_make_dual) at a fresh
//              forward-AD level and the tangent of the output is read back (at::_unpack_dual).
//              If an operation in the function has no forward-mode formula in this LibTorch, the
//              JVP falls back to the double-backward trick, J v = ∂/∂u ⟨Jᵀu, v⟩ (two reverse passes);
//              module_generator_options::jvp = jvp_method::double_backward asks for it directly.
//   vjp(z, u)  Jᵀ u by reverse-mode autograd (torch::autograd::grad).
// jacobian(z) is derived by latentwalk/derivatives.hpp: the min(n, m) unit products as ONE batched call
// (batched_products = true; chunked to the caller's memory budget), not n sequential passes.
// Evaluation runs without recording the autograd graph. Errors: z of the wrong last dimension or a
// result of the wrong shape → dimension_error; a tensor of another dtype than the backend's Scalar →
// invalid_argument_error; an output that does not depend on the input → numerical_error; an exception
// raised by the function itself → latentwalk::error carrying its message.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <type_traits>
#include <utility>

#include <ATen/ATen.h>
#include <c10/core/GradMode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/forward_grad.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/backend.hpp>

namespace latentwalk::torch {

/// How module_generator computes J v.
enum class jvp_method {
    forward_mode,     ///< forward-mode AD (dual tensors); falls back to double_backward if an op lacks a formula
    double_backward,  ///< J v = ∂/∂u ⟨Jᵀu, v⟩ by two reverse passes
};

struct module_generator_options {
    jvp_method jvp = jvp_method::forward_mode;
};

namespace detail {

inline std::string shape_string(const at::Tensor& t) {
    if (!t.defined()) return "(undefined)";
    std::ostringstream os;
    os << "[";
    for (std::int64_t d = 0; d < t.dim(); ++d) os << (d ? ", " : "") << t.size(d);
    os << "]";
    return os.str();
}

/// The line of a LibTorch message that says what went wrong: the last "...Error: ..." line of a
/// TorchScript traceback, otherwise the first line.
inline std::string first_line(const char* what) {
    const std::string s(what);
    std::string best;
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find('\n', start);
        if (end == std::string::npos) end = s.size();
        std::string line = s.substr(start, end - start);
        const auto first = line.find_first_not_of(' ');
        if (first != std::string::npos) line = line.substr(first);
        if (best.empty() && !line.empty()) best = line;
        if (line.find("Error: ") != std::string::npos && line.find("Error: ") < 40) best = line;
        start = end + 1;
    }
    return best;
}

/// Enters a fresh forward-AD level for its lifetime (the C++ form of Python's fwAD.dual_level()).
class dual_level {
public:
    dual_level() : idx_(::torch::autograd::ForwardADLevel::get_next_idx()) {}
    ~dual_level() { ::torch::autograd::ForwardADLevel::release_idx(idx_); }
    dual_level(const dual_level&) = delete;
    dual_level& operator=(const dual_level&) = delete;
    std::int64_t index() const { return static_cast<std::int64_t>(idx_); }

private:
    std::uint64_t idx_;
};

/// Two batched vectors [..., a] and [..., b] expanded to their common leading shape, contiguous.
inline std::pair<at::Tensor, at::Tensor> broadcast_pair(const at::Tensor& a, const at::Tensor& b) {
    const auto sa = a.sizes(), sb = b.sizes();
    auto batch = at::infer_size(at::IntArrayRef(sa.begin(), sa.end() - 1), at::IntArrayRef(sb.begin(), sb.end() - 1));
    auto ea = batch, eb = batch;
    ea.push_back(sa.back());
    eb.push_back(sb.back());
    return {a.expand(ea).contiguous(), b.expand(eb).contiguous()};
}

template <class M>
concept has_forward = requires(const M& m, const at::Tensor& x) {
    { m->forward(x) } -> std::convertible_to<at::Tensor>;
};

}  // namespace detail

template <class Scalar = double>
class module_generator {
public:
    using backend = torch::backend<Scalar>;
    using function_type = std::function<at::Tensor(const at::Tensor&)>;
    using index = std::int64_t;
    /// jvp and vjp broadcast the leading dimensions of their two arguments, so a block of c directions
    /// [c, ..., n] is one batched call (latentwalk/concepts/generator.hpp, ProvidesBatchedProducts).
    static constexpr bool batched_products = true;

    /// Wraps a tensor function [..., latent_dim] → [..., output_dim].
    module_generator(function_type f, index latent_dim, index output_dim, module_generator_options opts = {})
        : f_(std::move(f)), n_(latent_dim), m_(output_dim), opts_(opts) {
        if (!f_)
            throw invalid_argument_error(
                latentwalk::detail::sentence("torch::module_generator", "the function is empty."));
        if (n_ < 1 || m_ < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::module_generator", "latent_dim and output_dim must be at least 1, got " +
                                               std::to_string(n_) + " and " + std::to_string(m_) + "."));
    }

    /// Wraps a module handle with a forward(x) member: a torch::nn::ModuleHolder (torch::nn::Linear,
    /// a TORCH_MODULE type) or a std::shared_ptr to a module. The handle is shared, not copied.
    template <class M>
        requires detail::has_forward<M>
    module_generator(M module, index latent_dim, index output_dim, module_generator_options opts = {})
        : module_generator(function_type([module](const at::Tensor& x) { return at::Tensor(module->forward(x)); }),
                           latent_dim, output_dim, opts) {}

    index latent_dim() const { return n_; }
    index output_dim() const { return m_; }
    const module_generator_options& options() const { return opts_; }

    /// f(z) for z [..., n], without recording an autograd graph.
    vector<Scalar> operator()(const vector<Scalar>& z) const {
        check("torch::module_generator", "z", z.tensor(), n_, "latent dimension");
        return guarded("torch::module_generator", [&] {
            at::NoGradGuard no_grad;
            return call("torch::module_generator", z.tensor());
        });
    }

    /// J(z) v, batched over the common leading dimensions of z and v.
    vector<Scalar> jvp(const vector<Scalar>& z, const vector<Scalar>& v) const {
        check("torch::module_generator::jvp", "z", z.tensor(), n_, "latent dimension");
        check("torch::module_generator::jvp", "v", v.tensor(), n_, "latent dimension");
        auto [zb, vb] = detail::broadcast_pair(z.tensor().detach(), v.tensor().detach());
        if (opts_.jvp == jvp_method::double_backward)
            return guarded("torch::module_generator::jvp", [&] { return jvp_double_backward(zb, vb); });
        bool no_formula = false;
        std::string why;
        try {
            return jvp_forward(zb, vb);
        } catch (const latentwalk::error&) {
            throw;
        } catch (const std::exception& e) {
            why = detail::first_line(e.what());
            no_formula = why.find("forward AD") != std::string::npos || why.find("forward-mode") != std::string::npos ||
                         why.find("forward grad") != std::string::npos;
            if (!no_formula)
                throw error(latentwalk::detail::sentence("torch::module_generator::jvp",
                                                         "the module raised an error: " + why));
        }
        return guarded("torch::module_generator::jvp", [&] { return jvp_double_backward(zb, vb); });
    }

    /// J(z)ᵀ u, batched over the common leading dimensions of z and u.
    vector<Scalar> vjp(const vector<Scalar>& z, const vector<Scalar>& u) const {
        check("torch::module_generator::vjp", "z", z.tensor(), n_, "latent dimension");
        check("torch::module_generator::vjp", "u", u.tensor(), m_, "output dimension");
        auto [zb, ub] = detail::broadcast_pair(z.tensor().detach(), u.tensor().detach());
        return guarded("torch::module_generator::vjp", [&] {
            at::AutoGradMode grad_mode(true);
            auto zr = zb.detach().requires_grad_(true);
            auto out = call("torch::module_generator::vjp", zr);
            if (!out.requires_grad()) throw independent("torch::module_generator::vjp");
            auto g = ::torch::autograd::grad({out}, {zr}, {ub}, /*retain_graph=*/false, /*create_graph=*/false,
                                             /*allow_unused=*/true);
            if (!g[0].defined()) throw independent("torch::module_generator::vjp");
            return g[0].detach();
        });
    }

    /// The wrapped function.
    const function_type& function() const { return f_; }

private:
    static void check(const char* where, const char* name, const at::Tensor& x, index expected, const char* what) {
        using latentwalk::detail::sentence;
        if (!x.defined()) throw invalid_argument_error(sentence(where, std::string(name) + " is an undefined tensor."));
        if (x.dim() < 1 || x.size(-1) != expected)
            throw dimension_error(sentence(where, std::string(name) + " has shape " + detail::shape_string(x) +
                                                      " but its last dimension must be the generator's " + what +
                                                      " " + std::to_string(expected) + "."));
        if (x.scalar_type() != dtype_of<Scalar>)
            throw invalid_argument_error(sentence(
                where, std::string(name) + " has dtype " + std::string(c10::toString(x.scalar_type())) +
                           " but the generator's backend is " + backend_traits<backend>::name + " (dtype " +
                           std::string(c10::toString(dtype_of<Scalar>)) + "); convert the tensor with .to()."));
    }

    static numerical_error independent(const char* where) {
        return numerical_error(latentwalk::detail::sentence(
            where, "the module's output does not depend on its input, so its derivatives are undefined "
                   "(a constant module cannot serve as a generator)."));
    }

    /// Runs the function and checks that it maps [..., n] to [..., m].
    at::Tensor call(const char* where, const at::Tensor& x) const {
        at::Tensor out = f_(x);
        if (!out.defined() || out.dim() != x.dim() || out.size(-1) != m_ ||
            !std::equal(x.sizes().begin(), x.sizes().end() - 1, out.sizes().begin()))
            throw dimension_error(latentwalk::detail::sentence(
                where, "the module returned shape " + detail::shape_string(out) + " for an input of shape " +
                           detail::shape_string(x) + "; it must return [..., " + std::to_string(m_) +
                           "] with the input's leading dimensions."));
        return out;
    }

    /// Runs body, turning an exception of LibTorch (c10::Error, a TorchScript interpreter error) into
    /// latentwalk::error with the line that says what went wrong.
    template <class Body>
    static vector<Scalar> guarded(const char* where, Body&& body) {
        try {
            return vector<Scalar>(body());
        } catch (const latentwalk::error&) {
            throw;
        } catch (const std::exception& e) {
            throw error(latentwalk::detail::sentence(where, "the module raised an error: " +
                                                                detail::first_line(e.what())));
        }
    }

    at::Tensor jvp_forward(const at::Tensor& z, const at::Tensor& v) const {
        at::NoGradGuard no_grad;
        c10::AutoFwGradMode forward_mode(true);
        detail::dual_level level;
        auto dual = at::_make_dual(z, v, level.index());
        auto out = call("torch::module_generator::jvp", dual);
        auto tangent = std::get<1>(at::_unpack_dual(out, level.index()));
        if (!tangent.defined()) throw independent("torch::module_generator::jvp");
        return tangent.clone(at::MemoryFormat::Contiguous);
    }

    at::Tensor jvp_double_backward(const at::Tensor& z, const at::Tensor& v) const {
        at::AutoGradMode grad_mode(true);
        auto zr = z.detach().requires_grad_(true);
        auto out = call("torch::module_generator::jvp", zr);
        if (!out.requires_grad()) throw independent("torch::module_generator::jvp");
        auto u = at::zeros_like(out).requires_grad_(true);
        auto g = ::torch::autograd::grad({out}, {zr}, {u}, /*retain_graph=*/true, /*create_graph=*/true,
                                         /*allow_unused=*/true);
        if (!g[0].defined()) throw independent("torch::module_generator::jvp");
        if (!g[0].requires_grad()) return at::zeros_like(out).detach();
        auto jv = ::torch::autograd::grad({g[0]}, {u}, {v}, /*retain_graph=*/false, /*create_graph=*/false,
                                          /*allow_unused=*/true);
        if (!jv[0].defined()) return at::zeros_like(out).detach();
        return jv[0].detach();
    }

    function_type f_;
    index n_;
    index m_;
    module_generator_options opts_;
};

}  // namespace latentwalk::torch
