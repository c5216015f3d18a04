#pragma once
// Internals shared by the traversal, flow and PDE headers: per-sample constants, validation of
// step counts and sizes, and the host-side summaries the trajectories keep.
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>

#include "../concepts/backend.hpp"
#include "validate.hpp"

namespace latentwalk::detail {

/// A per-sample scalar equal to `value` with the batch shape of `like` (for Eigen: the plain scalar).
template <class B>
batch_scalar_t<B> batch_constant(const vector_t<B>& like, double value) {
    using T = backend_traits<B>;
    if constexpr (std::is_convertible_v<scalar_t<B>, batch_scalar_t<B>>) {
        return static_cast<batch_scalar_t<B>>(static_cast<scalar_t<B>>(value));
    } else {
        return T::element(T::fill(like, 1, value), 0);
    }
}

/// A 1-vector holding the per-sample scalar a (so that a scalar residual and a vector residual share a type).
template <class B>
vector_t<B> as_one_vector(const vector_t<B>& like, const batch_scalar_t<B>& a) {
    using T = backend_traits<B>;
    return T::scale(T::fill(like, 1, 1.0), a);
}

inline void require_positive_count(std::string_view where, std::string_view name, long long n) {
    if (n < 1)
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + std::to_string(n) +
                                                          "; it must be at least 1."));
}

inline void require_nonzero_finite_step(std::string_view where, std::string_view name, double h) {
    require_finite_scalar(where, name, h);
    if (h == 0.0)
        throw invalid_argument_error(sentence(where, std::string(name) + " is zero; a traversal needs a non-zero step."));
}

inline void require_positive_finite(std::string_view where, std::string_view name, double v) {
    require_finite_scalar(where, name, v);
    if (!(v > 0.0))
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + std::to_string(v) +
                                                          "; it must be positive."));
}

}  // namespace latentwalk::detail
