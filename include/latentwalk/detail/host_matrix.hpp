#pragma once
// latentwalk/detail/host_matrix.hpp — a backend matrix from row-major host values (the layout of
// PyTorch's nn.Linear.weight and of the weights structs), for the closed-form networks that copy
// their weights onto the backend once (mlp_potential, correction_network).
#include <cstddef>
#include <span>
#include <vector>

#include "../concepts/backend.hpp"

namespace latentwalk::detail {

/// The rows × cols block of the row-major host array `a` (row stride `stride`, first column `col0`):
/// M(r, j) = a[r·stride + col0 + j], on the device and dtype of `like`. stride 0 means cols. The
/// caller has checked the sizes (a.size() ≥ (rows − 1)·stride + col0 + cols).
template <class B>
matrix_t<B> matrix_from_row_major(const vector_t<B>& like, long long rows, long long cols, std::span<const double> a,
                                  long long stride = 0, long long col0 = 0) {
    using T = backend_traits<B>;
    if (stride == 0) stride = cols;
    auto M = T::zeros(like, static_cast<index_t<B>>(rows), static_cast<index_t<B>>(cols));
    std::vector<double> column(static_cast<std::size_t>(rows));
    for (long long j = 0; j < cols; ++j) {
        for (long long r = 0; r < rows; ++r) column[static_cast<std::size_t>(r)] = a[static_cast<std::size_t>(r * stride + col0 + j)];
        T::set_col(M, static_cast<index_t<B>>(j), T::from_values(like, column));
    }
    return M;
}

}  // namespace latentwalk::detail
