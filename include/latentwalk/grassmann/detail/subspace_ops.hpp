#pragma once
// Helpers of the Grassmann algorithms: the ambient-dimension check, and the shared kernels of
// detail/linalg/ (orthonormalization with its rank test, the orthonormality check) under the
// names the Grassmann headers use.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../../concepts/backend.hpp"
#include "../../detail/linalg/orthonormalize.hpp"
#include "../../detail/validate.hpp"
#include "../../error.hpp"

namespace latentwalk::detail::grassmann {

using linalg::format;
using linalg::frobenius_norm_host;
using linalg::orthonormalize;
using linalg::rank_tolerance;
using linalg::require_orthonormal;

/// Both bases live in the same ambient space.
template <class B>
void require_same_ambient(std::string_view where, const matrix_t<B>& A, const matrix_t<B>& M, std::string_view a_name,
                          std::string_view m_name) {
    using T = backend_traits<B>;
    if (T::rows(A) != T::rows(M)) {
        throw dimension_error(sentence(where, std::string(a_name) + " lives in R^" + detail::number(T::rows(A)) +
                                                  " but " + std::string(m_name) + " in R^" + detail::number(T::rows(M)) +
                                                  "; subspaces must share the ambient dimension."));
    }
}

}  // namespace latentwalk::detail::grassmann
