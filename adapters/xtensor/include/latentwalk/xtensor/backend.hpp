#pragma once
// latentwalk/xtensor/backend.hpp — the xtensor CPU backend (xtensor + xtensor-blas over BLAS/LAPACK).
//
//     #include <latentwalk/xtensor.hpp>            // target latentwalk::xtensor
//     namespace lx = latentwalk::xtensor;
//     xt::xtensor<double, 2> A = ...;              // plain xtensor containers, row-major
//     const auto pa = latentwalk::principal_angles(A, B);          // the backend is deduced
//     const auto tb = latentwalk::tangent_basis(generator, z, 3);  // generator::backend = lx::backend<double>
//
// Tag: latentwalk::xtensor::backend<Scalar> for Scalar = double or float.
// Types: vector = xt::xtensor<Scalar, 1>, matrix = xt::xtensor<Scalar, 2> (row-major, xtensor's
// default), batch_scalar = Scalar, index = std::ptrdiff_t. Like Eigen, the xtensor backend is
// unbatched: a vector is one latent code, and batch_size is 1.
// Every result is an evaluated container that owns its storage (never a view or a lazy
// expression of an argument), so the value semantics match the Eigen backend's.
//
// Method and cost
// | operation          | implemented with                                           | cost      |
// |--------------------|------------------------------------------------------------|-----------|
// | matvec, matmul     | xt::linalg::dot (BLAS gemv / gemm)                         | O(rc), O(rcc')|
// | tmatvec, tmatmul   | xt::linalg::dot on xt::transpose (the transposed copy)     | O(rc), O(rcc')|
// | thin_qr            | xt::linalg::qr, qrmode::reduced (LAPACK geqrf + orgqr)     | O(rc²)    |
// | thin_svd           | xt::linalg::svd, full_matrices = false (LAPACK gesdd)      | O(rc·min) |
// | singular_values    | xt::linalg::svd, compute_uv = false (gesdd, job 'N')       | O(rc·min) |
// | sym_eig            | xt::linalg::eigh (LAPACK syevd), eigenvalues ascending     | O(n³)     |
// | norm               | two passes: the largest |x_i|, then a scaled sum of squares| O(n)      |
// | dot, element-wise  | xtensor expressions, evaluated                             | O(n)      |
//
// What xtensor-blas lacks or does in a way the seam cannot use, and what this adapter does instead
// (primitives, never an algorithm):
// - LAPACK rejects empty matrices (leading dimension 0): thin_qr, thin_svd, singular_values,
//   sym_eig, matvec and matmul of a matrix with a zero dimension return the exact empty or zero
//   result without calling BLAS/LAPACK.
// - xt::linalg::qr returns a column-major xarray and xt::linalg::svd returns Vᵀ; both are copied
//   into row-major xt::xtensor<Scalar, 2> (V = (Vᵀ)ᵀ).
// - xt::linalg::norm forwards to BLAS nrm2, whose overflow safety depends on the BLAS build; norm
//   here is the scaled two-pass form (no overflow or underflow for any finite x), as Eigen's
//   stableNorm and the torch backend's norm.
// - column_signs (the sign convention of singular vectors) has no xtensor function: one loop.
// Nothing of the seam is missing: every required and deduced operation has an xtensor
// implementation here or in backend_defaults.
//
// Conventions: random_normal draws doubles from the caller's RNG, a matrix column by column, so for
// the same RNG state it draws what the Eigen backend draws. Errors of the LAPACK calls (no
// convergence) are thrown by xtensor-blas as std::runtime_error; the adapter rethrows them as
// latentwalk::convergence_error with a sentence naming the factorization.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xbuilder.hpp>
#include <xtensor/xmanipulation.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>
#include <xtensor-blas/xlinalg.hpp>

#include <latentwalk/concepts/backend.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::xtensor {

/// Backend tag for xtensor with element type Scalar (double or float).
template <class Scalar>
struct backend {
    static_assert(std::is_same_v<Scalar, double> || std::is_same_v<Scalar, float>,
                  "latentwalk::xtensor::backend: Scalar must be double or float.");
};

template <class Scalar> using vector = xt::xtensor<Scalar, 1>;
template <class Scalar> using matrix = xt::xtensor<Scalar, 2>;

}  // namespace latentwalk::xtensor

namespace latentwalk {

template <class Scalar>
struct backend_traits<xtensor::backend<Scalar>> : backend_defaults<xtensor::backend<Scalar>> {
    using scalar = Scalar;
    using vector = xtensor::vector<Scalar>;
    using matrix = xtensor::matrix<Scalar>;
    using batch_scalar = Scalar;
    using index = std::ptrdiff_t;
    static constexpr const char* name = std::is_same_v<Scalar, double> ? "xtensor<double>" : "xtensor<float>";

    struct qr_result { matrix Q; matrix R; };
    struct svd_result { matrix U; vector S; matrix V; };
    struct eig_result { vector values; matrix vectors; };

    // ---- construction and shape ----------------------------------------------------------------
    static index size(const vector& x) { return static_cast<index>(x.size()); }
    static index rows(const matrix& A) { return static_cast<index>(A.shape()[0]); }
    static index cols(const matrix& A) { return static_cast<index>(A.shape()[1]); }

    template <class Like> static vector zeros(const Like&, index n) {
        vector x = vector::from_shape({us(n)});
        x.fill(Scalar(0));
        return x;
    }
    template <class Like> static matrix zeros(const Like&, index r, index c) {
        matrix A = matrix::from_shape({us(r), us(c)});
        A.fill(Scalar(0));
        return A;
    }
    template <class Like> static vector fill(const Like&, index n, double value) {
        vector x = vector::from_shape({us(n)});
        x.fill(static_cast<Scalar>(value));
        return x;
    }
    template <class Like> static vector from_values(const Like&, std::span<const double> values) {
        vector x = vector::from_shape({values.size()});
        for (std::size_t i = 0; i < values.size(); ++i) x(i) = static_cast<Scalar>(values[i]);
        return x;
    }
    static std::vector<double> to_host(const vector& x) {
        std::vector<double> out(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) out[i] = static_cast<double>(x(i));
        return out;
    }
    template <class Like, class Rng> static vector random_normal(const Like&, index n, Rng& rng) {
        std::normal_distribution<double> nd(0.0, 1.0);
        vector x = vector::from_shape({us(n)});
        for (std::size_t i = 0; i < x.size(); ++i) x(i) = static_cast<Scalar>(nd(rng));
        return x;
    }
    /// Column by column (as the Eigen backend), so the same RNG state gives the same matrix.
    template <class Like, class Rng> static matrix random_normal(const Like&, index r, index c, Rng& rng) {
        std::normal_distribution<double> nd(0.0, 1.0);
        matrix A = matrix::from_shape({us(r), us(c)});
        for (std::size_t j = 0; j < us(c); ++j)
            for (std::size_t i = 0; i < us(r); ++i) A(i, j) = static_cast<Scalar>(nd(rng));
        return A;
    }

    static vector col(const matrix& A, index j) { return xt::view(A, xt::all(), us(j)); }
    static void set_col(matrix& A, index j, const vector& x) { xt::view(A, xt::all(), us(j)) = x; }
    static matrix block_cols(const matrix& A, index j, index c) {
        return xt::view(A, xt::all(), xt::range(us(j), us(j + c)));
    }
    static matrix hcat(const matrix& A, const matrix& M) {
        matrix out = matrix::from_shape({A.shape()[0], A.shape()[1] + M.shape()[1]});
        xt::view(out, xt::all(), xt::range(0, A.shape()[1])) = A;
        xt::view(out, xt::all(), xt::range(A.shape()[1], A.shape()[1] + M.shape()[1])) = M;
        return out;
    }
    static vector segment(const vector& x, index i, index c) { return xt::view(x, xt::range(us(i), us(i + c))); }
    static vector head(const vector& x, index c) { return segment(x, 0, c); }
    static vector reverse(const vector& x) { return xt::flip(x, 0); }
    static vector unit(const vector& like, index n, index i) { return unit_impl(like, n, i); }
    static vector unit(const matrix& like, index n, index i) { return unit_impl(like, n, i); }
    template <class Like> static matrix identity(const Like&, index n) { return matrix(xt::eye<Scalar>(us(n))); }
    static Scalar element(const vector& x, index i) { return x(us(i)); }
    template <class Like> static long long batch_size(const Like&) { return 1; }
    template <class Like> static Scalar constant(const Like&, double s) { return static_cast<Scalar>(s); }
    template <class Like> static vector lift(const Like&, Scalar a) { return vector({a}); }
    static Scalar lower(const vector& x) { return x(0); }

    // ---- linear algebra ------------------------------------------------------------------------
    static Scalar dot(const vector& x, const vector& y) {
        Scalar s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) s += x(i) * y(i);
        return s;
    }
    /// ‖x‖₂ without overflow or underflow: m = max |x_i|, then m · sqrt(Σ (x_i/m)²).
    static Scalar norm(const vector& x) {
        Scalar m = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const Scalar a = std::abs(x(i));
            if (std::isnan(a)) return a;
            if (a > m) m = a;
        }
        if (m == Scalar(0) || !std::isfinite(m)) return m;
        Scalar s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const Scalar q = x(i) / m;
            s += q * q;
        }
        return m * std::sqrt(s);
    }
    static Scalar sum(const vector& x) { return x.size() ? static_cast<Scalar>(xt::sum(x)()) : Scalar(0); }
    static vector axpy(Scalar a, const vector& x, const vector& y) { return a * x + y; }
    static matrix axpy(Scalar a, const matrix& A, const matrix& M) { return a * A + M; }
    static vector add(const vector& x, const vector& y) { return x + y; }
    static vector sub(const vector& x, const vector& y) { return x - y; }
    static vector scale(const vector& x, Scalar a) { return a * x; }
    static matrix add(const matrix& A, const matrix& M) { return A + M; }
    static matrix sub(const matrix& A, const matrix& M) { return A - M; }
    static matrix scale(const matrix& A, Scalar a) { return a * A; }
    static matrix scale_columns(const matrix& A, const vector& d) { return A * xt::view(d, xt::newaxis(), xt::all()); }

    static vector matvec(const matrix& A, const vector& x) {
        if (A.shape()[0] == 0 || A.shape()[1] == 0) return zeros(x, rows(A));
        return xt::linalg::dot(A, x);
    }
    static matrix matmul(const matrix& A, const matrix& M) {
        if (A.shape()[0] == 0 || A.shape()[1] == 0 || M.shape()[1] == 0) return zeros(A, rows(A), cols(M));
        return xt::linalg::dot(A, M);
    }
    static matrix transpose(const matrix& A) { return xt::transpose(A); }
    static vector tmatvec(const matrix& A, const vector& x) { return matvec(transpose(A), x); }
    static matrix tmatmul(const matrix& A, const matrix& M) { return matmul(transpose(A), M); }
    static vector diagonal(const matrix& A) { return xt::diagonal(A); }

    // ---- factorizations ------------------------------------------------------------------------
    /// Thin Householder QR of an r×c matrix with r ≥ c: Q is r×c with orthonormal columns, R c×c.
    static qr_result thin_qr(const matrix& A) {
        const std::size_t r = A.shape()[0], c = A.shape()[1];
        if (r == 0 || c == 0) return {zeros(A, rows(A), cols(A)), zeros(A, cols(A), cols(A))};
        try {
            auto [Q, R] = xt::linalg::qr(A, xt::linalg::qrmode::reduced);
            return {matrix(Q), matrix(R)};
        } catch (const std::runtime_error& e) {
            throw convergence_error(std::string("latentwalk::xtensor::backend::thin_qr: LAPACK geqrf/orgqr failed (") +
                                    e.what() + ").");
        }
    }
    /// Thin SVD, singular values descending (LAPACK gesdd, as numpy's).
    static svd_result thin_svd(const matrix& A) {
        const std::size_t r = A.shape()[0], c = A.shape()[1], k = std::min(r, c);
        if (k == 0) return {zeros(A, rows(A), 0), zeros(A, 0), zeros(A, cols(A), 0)};
        try {
            auto [U, S, Vt] = xt::linalg::svd(A, false, true);
            return {matrix(U), vector(S), matrix(xt::transpose(Vt))};
        } catch (const std::runtime_error& e) {
            throw convergence_error(std::string("latentwalk::xtensor::backend::thin_svd: LAPACK gesdd did not converge (") +
                                    e.what() + ").");
        }
    }
    /// Singular values only, descending (gesdd without U and V).
    static vector singular_values(const matrix& A) {
        if (A.shape()[0] == 0 || A.shape()[1] == 0) return zeros(A, 0);
        try {
            auto res = xt::linalg::svd(A, false, false);
            return vector(std::get<1>(res));
        } catch (const std::runtime_error& e) {
            throw convergence_error(std::string("latentwalk::xtensor::backend::singular_values: LAPACK gesdd did not "
                                                "converge (") + e.what() + ").");
        }
    }
    /// Symmetric eigendecomposition (lower triangle read), eigenvalues ascending.
    static eig_result sym_eig(const matrix& A) {
        if (A.shape()[0] == 0) return {zeros(A, 0), zeros(A, 0, 0)};
        try {
            auto [w, V] = xt::linalg::eigh(A);
            return {vector(w), matrix(V)};
        } catch (const std::runtime_error& e) {
            throw convergence_error(std::string("latentwalk::xtensor::backend::sym_eig: LAPACK syevd did not converge (") +
                                    e.what() + ").");
        }
    }
    /// Per column, the sign (±1) of its entry of largest magnitude: the first such entry on a tie,
    /// +1 for a zero column.
    static vector column_signs(const matrix& A) {
        const std::size_t r = A.shape()[0], c = A.shape()[1];
        vector s = vector::from_shape({c});
        for (std::size_t j = 0; j < c; ++j) {
            std::size_t best = 0;
            for (std::size_t i = 1; i < r; ++i)
                if (std::abs(A(i, j)) > std::abs(A(best, j))) best = i;
            s(j) = r > 0 && A(best, j) < 0 ? Scalar(-1) : Scalar(1);
        }
        return s;
    }

    // ---- element-wise --------------------------------------------------------------------------
    static vector cwise_product(const vector& x, const vector& y) { return x * y; }
    static vector cwise_quotient(const vector& x, const vector& y) { return x / y; }
    static vector cwise_abs(const vector& x) { return xt::abs(x); }
    static vector cwise_sqrt(const vector& x) { return xt::sqrt(x); }
    static vector cwise_exp(const vector& x) { return xt::exp(x); }
    static vector cwise_log(const vector& x) { return xt::log(x); }
    static vector cwise_log1p(const vector& x) { return xt::log1p(x); }
    static vector cwise_expm1(const vector& x) { return xt::expm1(x); }
    /// The optional special-functions family.
    static vector cwise_erf(const vector& x) { return xt::erf(x); }
    static vector cwise_sin(const vector& x) { return xt::sin(x); }
    static vector cwise_cos(const vector& x) { return xt::cos(x); }
    static vector cwise_atan2(const vector& y, const vector& x) { return xt::atan2(y, x); }
    static vector cwise_max(const vector& x, const vector& y) { return xt::maximum(x, y); }
    static vector cwise_min(const vector& x, const vector& y) { return xt::minimum(x, y); }

    // ---- host reductions -----------------------------------------------------------------------
    static bool all_finite(const vector& x) { return std::all_of(x.begin(), x.end(), is_finite); }
    static bool all_finite(const matrix& A) { return std::all_of(A.begin(), A.end(), is_finite); }
    static double max_abs(const vector& x) { return max_abs_range(x.begin(), x.end()); }
    static double max_abs(const matrix& A) { return max_abs_range(A.begin(), A.end()); }
    static double host_max(Scalar a) { return static_cast<double>(a); }
    static double host_min(Scalar a) { return static_cast<double>(a); }
    static double host_value(Scalar a) { return static_cast<double>(a); }

private:
    static std::size_t us(index n) { return static_cast<std::size_t>(n); }
    static bool is_finite(Scalar a) { return std::isfinite(a); }
    template <class It> static double max_abs_range(It first, It last) {
        double m = 0.0;
        for (; first != last; ++first) {
            const double a = std::abs(static_cast<double>(*first));
            if (std::isnan(a)) return a;  // a NaN entry makes the result NaN
            if (a > m) m = a;
        }
        return m;
    }
    template <class Like> static vector unit_impl(const Like& like, index n, index i) {
        vector e = zeros(like, n);
        e(us(i)) = Scalar(1);
        return e;
    }
};

/// Plain xtensor containers deduce their backend (see backend_of in concepts/backend.hpp).
template <class Scalar>
struct backend_of<xt::xtensor<Scalar, 2>> {
    using type = xtensor::backend<Scalar>;
};
template <class Scalar>
struct backend_of<xt::xtensor<Scalar, 1>> {
    using type = xtensor::backend<Scalar>;
};

}  // namespace latentwalk
