#pragma once
// latentwalk/eigen/backend.hpp — the Eigen CPU reference backend.
//
// Tag: latentwalk::eigen::backend<Scalar> for Scalar = double (the reference) or float.
// vector = Eigen::Matrix<Scalar, Dynamic, 1>, matrix = Eigen::Matrix<Scalar, Dynamic, Dynamic>
// (column-major), batch_scalar = Scalar: the Eigen backend has no batch dimensions.
// Factorizations: Householder QR (thin), BDCSVD (thin U and V; Jacobi below 16 columns),
// SelfAdjointEigenSolver. Norms are Eigen's stableNorm (no overflow or underflow for any finite x).
// Writes the required families of latentwalk/concepts/backend.hpp and overrides most deduced
// operations with Eigen expressions (the reference keeps its historical kernels).
#include <cmath>
#include <cstddef>
#include <random>
#include <span>
#include <type_traits>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/QR>
#include <Eigen/SVD>

#include <latentwalk/concepts/backend.hpp>

namespace latentwalk::eigen {

/// Backend tag for Eigen with element type Scalar (double or float).
template <class Scalar>
struct backend {
    static_assert(std::is_same_v<Scalar, double> || std::is_same_v<Scalar, float>,
                  "latentwalk::eigen::backend: Scalar must be double or float.");
};

template <class Scalar> using vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
template <class Scalar> using matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;

}  // namespace latentwalk::eigen

namespace latentwalk {

template <class Scalar>
struct backend_traits<eigen::backend<Scalar>> : backend_defaults<eigen::backend<Scalar>> {
    using scalar = Scalar;
    using vector = eigen::vector<Scalar>;
    using matrix = eigen::matrix<Scalar>;
    using batch_scalar = Scalar;
    using index = Eigen::Index;
    static constexpr const char* name = std::is_same_v<Scalar, double> ? "eigen<double>" : "eigen<float>";

    struct qr_result { matrix Q; matrix R; };
    struct svd_result { matrix U; vector S; matrix V; };
    struct eig_result { vector values; matrix vectors; };

    static index size(const vector& x) { return x.size(); }
    static index rows(const matrix& A) { return A.rows(); }
    static index cols(const matrix& A) { return A.cols(); }

    template <class Like> static vector zeros(const Like&, index n) { return vector::Zero(n); }
    template <class Like> static matrix zeros(const Like&, index r, index c) { return matrix::Zero(r, c); }
    template <class Like> static vector unit(const Like&, index n, index i) { return vector::Unit(n, i); }
    template <class Like> static matrix identity(const Like&, index n) { return matrix::Identity(n, n); }
    template <class Like> static vector from_values(const Like&, std::span<const double> values) {
        vector x(static_cast<index>(values.size()));
        for (index i = 0; i < x.size(); ++i) x[i] = static_cast<Scalar>(values[static_cast<std::size_t>(i)]);
        return x;
    }
    static std::vector<double> to_host(const vector& x) {
        std::vector<double> out(static_cast<std::size_t>(x.size()));
        for (index i = 0; i < x.size(); ++i) out[static_cast<std::size_t>(i)] = static_cast<double>(x[i]);
        return out;
    }

    static vector col(const matrix& A, index j) { return A.col(j); }
    static void set_col(matrix& A, index j, const vector& x) { A.col(j) = x; }
    static matrix block_cols(const matrix& A, index j, index c) { return A.middleCols(j, c); }
    static matrix hcat(const matrix& A, const matrix& M) {
        matrix out(A.rows(), A.cols() + M.cols());
        out << A, M;
        return out;
    }

    static Scalar dot(const vector& x, const vector& y) { return x.dot(y); }
    static Scalar norm(const vector& x) { return x.stableNorm(); }
    static vector add(const vector& x, const vector& y) { return x + y; }
    static vector sub(const vector& x, const vector& y) { return x - y; }
    static vector scale(const vector& x, Scalar a) { return a * x; }
    static vector axpy(Scalar a, const vector& x, const vector& y) { return a * x + y; }
    static matrix axpy(Scalar a, const matrix& A, const matrix& M) { return a * A + M; }
    static matrix add(const matrix& A, const matrix& M) { return A + M; }
    static matrix sub(const matrix& A, const matrix& M) { return A - M; }
    static matrix scale(const matrix& A, Scalar a) { return a * A; }
    static matrix scale_columns(const matrix& A, const vector& d) { return A * d.asDiagonal(); }

    static vector matvec(const matrix& A, const vector& x) { return A * x; }
    static vector tmatvec(const matrix& A, const vector& x) { return A.transpose() * x; }
    static matrix matmul(const matrix& A, const matrix& M) { return A * M; }
    static matrix tmatmul(const matrix& A, const matrix& M) { return A.transpose() * M; }
    static matrix transpose(const matrix& A) { return A.transpose(); }

    /// Thin Householder QR of an r×c matrix with r ≥ c: Q is r×c with orthonormal columns.
    static qr_result thin_qr(const matrix& A) {
        Eigen::HouseholderQR<matrix> qr(A);
        const index c = A.cols();
        matrix Q = qr.householderQ() * matrix::Identity(A.rows(), c);
        matrix R = qr.matrixQR().topRows(c).template triangularView<Eigen::Upper>();
        return {std::move(Q), std::move(R)};
    }

    /// Thin SVD, singular values descending.
    static svd_result thin_svd(const matrix& A) {
        Eigen::BDCSVD<matrix> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
        return {svd.matrixU(), svd.singularValues(), svd.matrixV()};
    }

    /// Singular values only, descending. A tall matrix (rows ≥ 2 cols) is first reduced to its
    /// triangular QR factor (same singular values, backward stable), so no r×c factor is formed.
    static vector singular_values(const matrix& A) {
        if (A.rows() >= 2 * A.cols() && A.cols() > 0) {
            Eigen::HouseholderQR<matrix> qr(A);
            const matrix R = qr.matrixQR().topRows(A.cols()).template triangularView<Eigen::Upper>();
            return Eigen::BDCSVD<matrix>(R).singularValues();
        }
        return Eigen::BDCSVD<matrix>(A).singularValues();
    }

    /// Symmetric eigendecomposition, eigenvalues ascending.
    static eig_result sym_eig(const matrix& A) {
        Eigen::SelfAdjointEigenSolver<matrix> es(A);
        return {es.eigenvalues(), es.eigenvectors()};
    }

    /// Per column, the sign (±1) of its entry of largest magnitude: the first such entry on a tie,
    /// +1 for a zero column (the sign convention of singular vectors).
    static vector column_signs(const matrix& A) {
        vector s(A.cols());
        for (index j = 0; j < A.cols(); ++j) {
            index best = 0;
            for (index i = 1; i < A.rows(); ++i)
                if (std::abs(A(i, j)) > std::abs(A(best, j))) best = i;
            s[j] = A.rows() > 0 && A(best, j) < 0 ? Scalar(-1) : Scalar(1);
        }
        return s;
    }

    template <class Like, class Rng> static vector random_normal(const Like&, index n, Rng& rng) {
        std::normal_distribution<double> nd(0.0, 1.0);
        vector x(n);
        for (index i = 0; i < n; ++i) x[i] = static_cast<Scalar>(nd(rng));
        return x;
    }
    template <class Like, class Rng> static matrix random_normal(const Like&, index r, index c, Rng& rng) {
        std::normal_distribution<double> nd(0.0, 1.0);
        matrix A(r, c);
        for (index j = 0; j < c; ++j)
            for (index i = 0; i < r; ++i) A(i, j) = static_cast<Scalar>(nd(rng));
        return A;
    }

    template <class Like> static vector fill(const Like&, index n, double value) {
        return vector::Constant(n, static_cast<Scalar>(value));
    }
    static Scalar element(const vector& x, index i) { return x[i]; }
    static Scalar sum(const vector& x) { return x.sum(); }
    static vector cwise_product(const vector& x, const vector& y) { return x.cwiseProduct(y); }
    static vector cwise_quotient(const vector& x, const vector& y) { return x.cwiseQuotient(y); }
    static vector cwise_abs(const vector& x) { return x.cwiseAbs(); }
    static vector cwise_sqrt(const vector& x) { return x.cwiseSqrt(); }
    static vector cwise_exp(const vector& x) { return x.array().exp().matrix(); }
    static vector cwise_log(const vector& x) { return x.array().log().matrix(); }
    static vector cwise_atan2(const vector& y, const vector& x) {
        return y.binaryExpr(x, [](Scalar a, Scalar b) { return std::atan2(a, b); });
    }
    static vector cwise_sin(const vector& x) { return x.array().sin().matrix(); }
    static vector cwise_cos(const vector& x) { return x.array().cos().matrix(); }
    static vector cwise_log1p(const vector& x) { return x.array().log1p().matrix(); }
    static vector cwise_expm1(const vector& x) { return x.unaryExpr([](Scalar a) { return std::expm1(a); }); }
    /// The optional special-functions family (std::erf, element by element).
    static vector cwise_erf(const vector& x) { return x.unaryExpr([](Scalar a) { return std::erf(a); }); }
    static vector cwise_min(const vector& x, const vector& y) { return x.cwiseMin(y); }
    static vector cwise_max(const vector& x, const vector& y) { return x.cwiseMax(y); }
    static vector reverse(const vector& x) { return x.reverse(); }
    static vector head(const vector& x, index c) { return x.head(c); }
    static vector segment(const vector& x, index i, index c) { return x.segment(i, c); }

    static bool all_finite(const vector& x) { return x.allFinite(); }
    static bool all_finite(const matrix& A) { return A.allFinite(); }
    static double max_abs(const vector& x) { return x.size() ? static_cast<double>(x.cwiseAbs().maxCoeff()) : 0.0; }
    static double max_abs(const matrix& A) { return A.size() ? static_cast<double>(A.cwiseAbs().maxCoeff()) : 0.0; }
    static double host_max(Scalar a) { return static_cast<double>(a); }
    static double host_value(Scalar a) { return static_cast<double>(a); }

    // Deduced operations overridden because Eigen does them without a temporary (backend_defaults
    // writes the rest: diagonal, column_norms, lift, lower, host_min, cwise_min's fallback...).
    template <class Like> static long long batch_size(const Like&) { return 1; }
    template <class Like> static Scalar constant(const Like&, double s) { return static_cast<Scalar>(s); }
    static vector diagonal(const matrix& A) { return A.diagonal(); }
    static vector column_squared_norms(const matrix& A) { return A.colwise().squaredNorm().transpose(); }
};

/// Plain Eigen matrices and vectors deduce their backend (see backend_of in concepts/backend.hpp).
template <class Scalar>
struct backend_of<Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>> {
    using type = eigen::backend<Scalar>;
};
template <class Scalar>
struct backend_of<Eigen::Matrix<Scalar, Eigen::Dynamic, 1>> {
    using type = eigen::backend<Scalar>;
};

}  // namespace latentwalk
