#pragma once
// Orthonormalization of a basis with its rank test, the check that a basis is orthonormal, and the
// Frobenius norm on the host: shared kernels (Grassmann geometry, subspace traversals, warpage),
// written once against backend_traits<B>.
//
// | function                              | does                                                  | cost        |
// |---------------------------------------|-------------------------------------------------------|-------------|
// | orthonormalize<B>(where, name, A)     | thin QR of A after checks; dimension_error naming the | O(rc²)      |
// |                                       | numerical rank when |R_jj| ≤ tol·max|R_jj|            |             |
// |                                       | (A's columns scaled to unit norm first: the test and  |             |
// |                                       | Q are invariant to column scaling, 1e-300 .. 1e300)   |             |
// | rank_tolerance<B>(r, c)               | tol = 16 max(r, c) ε                                  | —           |
// | require_orthonormal<B>(where, name, X)| invalid_argument_error unless max|XᵀX − I| ≤ sqrt(ε)  | O(rc²)      |
// | frobenius_norm_host<B>(A)             | ‖A‖_F (largest over a batch)                          | O(rc)       |
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../../concepts/backend.hpp"
#include "../../error.hpp"
#include "../validate.hpp"

namespace latentwalk::detail::linalg {

/// A double in short scientific form for messages (std::to_string prints 1e-13 as 0.000000).
inline std::string format(double v) {
    std::ostringstream os;
    os.precision(3);
    os << v;
    return os.str();
}

/// Frobenius norm of A, as a host double (the largest over a batch).
template <class B>
double frobenius_norm_host(const matrix_t<B>& A) {
    using T = backend_traits<B>;
    return T::host_max(T::norm(T::column_norms(A)));
}

/// Relative tolerance of the rank test on R's diagonal: |R_jj| ≤ tol · max_j |R_jj| counts as zero.
template <class B>
double rank_tolerance(long long rows, long long cols) {
    return 16.0 * static_cast<double>(std::max(rows, cols)) * std::numeric_limits<scalar_t<B>>::epsilon();
}

/// Validates a basis (finite, at least one column, no more columns than rows, full column rank)
/// and returns an orthonormal basis of its span from thin QR. The rank test reads R's diagonal on
/// the host (to_host: per sample, row-major over a batch); the error names the rank found.
template <class B>
matrix_t<B> orthonormalize(std::string_view where, std::string_view name, const matrix_t<B>& A) {
    using T = backend_traits<B>;
    const auto r = static_cast<long long>(T::rows(A));
    const auto c = static_cast<long long>(T::cols(A));
    if (c < 1 || r < 1) {
        throw dimension_error(sentence(where, std::string(name) + " is " + detail::number(r) + "×" +
                                                  detail::number(c) + "; a basis needs at least one column and one row."));
    }
    require_finite<B>(where, name, A);
    if (c > r) {
        throw dimension_error(sentence(where, std::string(name) + " is " + detail::number(r) + "×" + detail::number(c) +
                                                  ": its rank is at most " + detail::number(r) + " < " +
                                                  detail::number(c) + " columns, so it is not a basis."));
    }
    // Equilibrate first, so that the algorithm is scale-invariant in floating point too: every column
    // is scaled to unit norm (the backends' column norms are overflow-safe), in two passes of
    // 1/√‖a_j‖ each so that neither a column of norm 1e300 nor one of 1e-310 over- or underflows the
    // scale. Positive column scalings leave the span unchanged; the rank test below then reads the
    // conditioning of the span and not the columns' lengths.
    const auto norms = T::column_norms(A);  // per sample of a batch
    const std::vector<double> host_norms = T::to_host(norms);
    for (std::size_t j = 0; j < host_norms.size(); ++j)
        if (!(host_norms[j] > 0.0))
            throw dimension_error(sentence(where, std::string(name) + " is rank deficient: its column " +
                                                      detail::number(static_cast<long long>(j % static_cast<std::size_t>(c))) +
                                                      " is zero; pass a full-column-rank basis."));
    auto inverse = [&](const vector_t<B>& x) { return T::cwise_quotient(T::fill(x, T::size(x), 1.0), x); };
    const auto A1 = T::scale_columns(A, inverse(T::cwise_sqrt(norms)));
    auto qr = T::thin_qr(T::scale_columns(A1, inverse(T::column_norms(A1))));
    const std::vector<double> d = T::to_host(T::diagonal(qr.R));
    const double tol = rank_tolerance<B>(r, c);
    const std::size_t cs = static_cast<std::size_t>(c);
    for (std::size_t s = 0; s + cs <= d.size(); s += cs) {  // one sample of the batch at a time
        double largest = 0.0;
        for (std::size_t j = 0; j < cs; ++j) largest = std::max(largest, std::abs(d[s + j]));
        long long rank = 0;
        for (std::size_t j = 0; j < cs; ++j)
            if (std::abs(d[s + j]) > tol * largest) ++rank;
        if (rank < c) {
            throw dimension_error(sentence(
                where, std::string(name) + " is rank deficient: numerical rank " + detail::number(rank) + " < " +
                           detail::number(c) + " columns (|R_jj| ≤ " + format(tol) +
                           " · max |R_jj| in its QR factorization); pass a full-column-rank basis."));
        }
    }
    return std::move(qr.Q);
}

/// Throws unless X has orthonormal columns to within sqrt(ε) (max |XᵀX − I|).
template <class B>
void require_orthonormal(std::string_view where, std::string_view name, const matrix_t<B>& X) {
    using T = backend_traits<B>;
    const auto r = static_cast<long long>(T::rows(X));
    const auto c = static_cast<long long>(T::cols(X));
    if (c < 1 || c > r) {
        throw dimension_error(sentence(where, std::string(name) + " is " + detail::number(r) + "×" +
                                                  detail::number(c) + "; an orthonormal basis needs 1 ≤ columns ≤ rows."));
    }
    require_finite<B>(where, name, X);
    const auto G = T::sub(T::tmatmul(X, X), T::identity(T::col(X, 0), T::cols(X)));
    const double err = T::max_abs(G);
    const double tol = std::sqrt(static_cast<double>(std::numeric_limits<scalar_t<B>>::epsilon()));
    if (!(err <= tol)) {
        throw invalid_argument_error(sentence(where, std::string(name) + " must have orthonormal columns but max |" +
                                                         std::string(name) + "ᵀ" + std::string(name) + " − I| = " +
                                                         format(err) + " > " + format(tol) +
                                                         "; orthonormalize it first (e.g. thin QR)."));
    }
}

}  // namespace latentwalk::detail::linalg
