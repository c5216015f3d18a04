#pragma once
// Helpers of the DP-LaSE training tests: tensor ↔ Eigen conversions, central-difference gradients, the
// bimodal test prior with its tensor log-density, and seeded draws.
#include <torch/torch.h>

#include <Eigen/Core>

#include <latentwalk/eigen.hpp>
#include <latentwalk/density/iid_gaussian_mixture.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <numbers>
#include <random>
#include <vector>

namespace latentwalk::test::dplase {

inline at::Tensor tensor_of(const Eigen::VectorXd& x) {
    auto t = at::empty({x.size()}, at::kDouble);
    for (Eigen::Index i = 0; i < x.size(); ++i) t[i] = x[i];
    return t;
}

inline at::Tensor tensor_of(const Eigen::MatrixXd& A) {
    auto t = at::empty({A.rows(), A.cols()}, at::kDouble);
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j) t[i][j] = A(i, j);
    return t;
}

inline Eigen::VectorXd vector_of(const at::Tensor& t) {
    const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous().reshape({-1});
    Eigen::VectorXd x(h.size(0));
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = h[i].item<double>();
    return x;
}

inline Eigen::MatrixXd matrix_of(const at::Tensor& t) {
    const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::MatrixXd A(h.size(0), h.size(1));
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j) A(i, j) = h[i][j].item<double>();
    return A;
}

/// The module with its weights moved off their initial values by scale · N(0, 1) (seeded; C's output layer starts at 0).
template <class M>
std::shared_ptr<M> perturbed(std::shared_ptr<M> m, std::uint64_t seed, double scale) {
    at::NoGradGuard ng;
    auto gen = at::detail::createCPUGenerator(seed);
    for (auto& t : m->parameters()) t.add_(at::randn(t.sizes(), gen, t.options()) * scale);
    return m;
}

using mixture = latentwalk::iid_gaussian_mixture<latentwalk::eigen::backend<double>>;

/// The bimodal test prior 0.3 N(−1.2, 0.5²) + 0.7 N(1, 0.7²) per coordinate (as in tests/density).
inline mixture bimodal(long d) { return {d, {0.3, 0.7}, {-1.2, 1.0}, {0.5, 0.7}}; }

/// log p of an iid Gaussian mixture as a differentiable tensor function [N, d] → [N].
inline std::function<at::Tensor(const at::Tensor&)> mixture_log_density(const mixture& p) {
    const auto w = p.weights(), m = p.means(), s = p.scales();
    return [w, m, s](const at::Tensor& x) {
        std::vector<at::Tensor> terms;
        for (std::size_t k = 0; k < w.size(); ++k) {
            const auto u = (x - m[k]) / s[k];
            terms.push_back(std::log(w[k]) - std::log(s[k]) - 0.5 * std::log(2 * std::numbers::pi) - 0.5 * u * u);
        }
        return at::logsumexp(at::stack(terms), 0).sum(-1);
    };
}

/// M draws of a density with a sample(rng, like) member, fixed seed, as a [M, d] tensor.
template <class D>
at::Tensor draws(const D& p, long d, long m, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    auto out = at::empty({m, d}, at::kDouble);
    auto acc = out.accessor<double, 2>();
    for (long j = 0; j < m; ++j) {
        const Eigen::VectorXd z = p.sample(rng, Eigen::VectorXd::Zero(d));
        for (long i = 0; i < d; ++i) acc[j][i] = z[i];
    }
    return out;
}

inline std::vector<double> column(const at::Tensor& x, long i) {
    const auto c = x.select(1, i).contiguous();
    return {c.data_ptr<double>(), c.data_ptr<double>() + c.numel()};
}

/// max |autograd gradient − central difference| / max(1, |gradient|) of the scalar f at x (double).
inline double gradient_error(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& x0,
                             double h = 1e-6) {
    auto x = x0.detach().clone().set_requires_grad(true);
    auto g = ::torch::autograd::grad({f(x)}, {x})[0].detach().reshape({-1});
    const auto flat = x0.detach().reshape({-1});
    double worst = 0.0, scale = 1.0;
    for (std::int64_t i = 0; i < flat.numel(); ++i) {
        auto xp = flat.clone(), xm = flat.clone();
        xp[i] += h;
        xm[i] -= h;
        const double fd = (f(xp.reshape(x0.sizes())).item<double>() - f(xm.reshape(x0.sizes())).item<double>()) / (2 * h);
        worst = std::max(worst, std::abs(fd - g[i].item<double>()));
        scale = std::max(scale, std::abs(g[i].item<double>()));
    }
    return worst / scale;
}

}  // namespace latentwalk::test::dplase
