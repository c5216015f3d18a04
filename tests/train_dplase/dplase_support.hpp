#pragma once
// Helpers of the DP-LaSE training tests: tensor ↔ Eigen conversions and central-difference gradients.
#include <torch/torch.h>

#include <Eigen/Core>

#include <functional>
#include <memory>

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
