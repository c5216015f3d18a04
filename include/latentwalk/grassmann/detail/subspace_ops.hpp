#pragma once
// Helpers shared by the Grassmann algorithms, written once against backend_traits<B>: column-wise
// matrix arithmetic (the seam has matrix products but no matrix sums), lifting a per-sample scalar
// into a 1-vector so that element-wise functions apply to it, the checked orthonormalization of a
// basis (QR with a rank test on R's diagonal) and the validation of orthonormal inputs.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../../concepts/backend.hpp"
#include "../../detail/validate.hpp"
#include "../../error.hpp"

namespace latentwalk::detail::grassmann {

/// A double in short scientific form for messages (std::to_string prints 1e-13 as 0.000000).
inline std::string format(double v) {
    std::ostringstream os;
    os.precision(3);
    os << v;
    return os.str();
}

/// A per-sample scalar as a vector of length 1 (batched like `like`), so cwise_* functions apply.
template <class B>
vector_t<B> lift(const vector_t<B>& like, const batch_scalar_t<B>& a) {
    using T = backend_traits<B>;
    return T::scale(T::fill(like, 1, 1.0), a);
}

/// The single entry of a length-1 vector as a per-sample scalar.
template <class B>
batch_scalar_t<B> lower(const vector_t<B>& x) {
    return backend_traits<B>::element(x, 0);
}

/// The diagonal of a square (or tall) matrix as a vector (batched).
template <class B>
vector_t<B> diagonal(const matrix_t<B>& R) {
    using T = backend_traits<B>;
    const index_t<B> c = T::cols(R);
    const auto like = T::col(R, 0);
    auto d = T::zeros(like, c);
    for (index_t<B> j = 0; j < c; ++j) d = T::axpy(T::element(T::col(R, j), j), T::unit(like, c, j), d);
    return d;
}

/// Frobenius norm of A, as a host double (the largest over a batch).
template <class B>
double frobenius_norm_host(const matrix_t<B>& A) {
    using T = backend_traits<B>;
    const index_t<B> c = T::cols(A);
    const auto like = T::col(A, 0);
    auto norms = T::zeros(like, c);
    for (index_t<B> j = 0; j < c; ++j) norms = T::axpy(T::norm(T::col(A, j)), T::unit(like, c, j), norms);
    return T::host_max(T::norm(norms));
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
        throw dimension_error(sentence(where, std::string(name) + " is " + std::to_string(r) + "×" +
                                                  std::to_string(c) + "; a basis needs at least one column and one row."));
    }
    require_finite<B>(where, name, A);
    if (c > r) {
        throw dimension_error(sentence(where, std::string(name) + " is " + std::to_string(r) + "×" + std::to_string(c) +
                                                  ": its rank is at most " + std::to_string(r) + " < " +
                                                  std::to_string(c) + " columns, so it is not a basis."));
    }
    auto qr = T::thin_qr(A);
    const std::vector<double> d = T::to_host(diagonal<B>(qr.R));
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
                where, std::string(name) + " is rank deficient: numerical rank " + std::to_string(rank) + " < " +
                           std::to_string(c) + " columns (|R_jj| ≤ " + format(tol) +
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
        throw dimension_error(sentence(where, std::string(name) + " is " + std::to_string(r) + "×" +
                                                  std::to_string(c) + "; an orthonormal basis needs 1 ≤ columns ≤ rows."));
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

/// Both bases live in the same ambient space.
template <class B>
void require_same_ambient(std::string_view where, const matrix_t<B>& A, const matrix_t<B>& M, std::string_view a_name,
                          std::string_view m_name) {
    using T = backend_traits<B>;
    if (T::rows(A) != T::rows(M)) {
        throw dimension_error(sentence(where, std::string(a_name) + " lives in R^" + std::to_string(T::rows(A)) +
                                                  " but " + std::string(m_name) + " in R^" + std::to_string(T::rows(M)) +
                                                  "; subspaces must share the ambient dimension."));
    }
}

}  // namespace latentwalk::detail::grassmann
