#pragma once
// Helpers shared by the train_flows tests: tensor <-> Eigen conversions, a fixed seed for torch.
#include <cstdint>
#include <vector>

#include <ATen/ATen.h>
#include <Eigen/Core>

#include "support/test_support.hpp"

namespace flows_test {

inline Eigen::VectorXd to_eigen(const at::Tensor& v) {
    const auto h = v.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::VectorXd out(h.numel());
    for (Eigen::Index i = 0; i < out.size(); ++i) out[i] = h.data_ptr<double>()[i];
    return out;
}

inline Eigen::MatrixXd to_eigen_matrix(const at::Tensor& m) {
    const auto h = m.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::MatrixXd out(h.size(0), h.size(1));
    for (Eigen::Index i = 0; i < out.rows(); ++i)
        for (Eigen::Index j = 0; j < out.cols(); ++j) out(i, j) = h[i][j].item<double>();
    return out;
}

inline at::Tensor to_tensor(const Eigen::VectorXd& v) {
    return at::tensor(std::vector<double>(v.data(), v.data() + v.size()), at::kDouble);
}

/// Largest absolute difference of two tensors (as doubles).
inline double max_abs_diff(const at::Tensor& a, const at::Tensor& b) {
    return (a.detach().to(at::kDouble) - b.detach().to(at::kDouble)).abs().max().item<double>();
}

inline double max_abs(const at::Tensor& a) { return a.detach().to(at::kDouble).abs().max().item<double>(); }

}  // namespace flows_test
