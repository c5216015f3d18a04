#pragma once
// Helpers of the tangent tests: generator wrappers that expose only some derivatives, a
// generator with a wrong VJP, spectra built from orthogonal factors, and principal angles
// computed here with Eigen (independently of the library's grassmann code).
#include <latentwalk/eigen.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>

#include <cmath>
#include <random>

#include "support/test_support.hpp"

namespace tangent_test {

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

/// Only JVP and VJP are visible (the usual autodiff situation).
template <class G>
struct products_only {
    using backend = typename G::backend;
    const G* g;
    auto latent_dim() const { return g->latent_dim(); }
    auto output_dim() const { return g->output_dim(); }
    auto operator()(const lw::vector_t<backend>& z) const { return (*g)(z); }
    auto jvp(const lw::vector_t<backend>& z, const lw::vector_t<backend>& v) const { return g->jvp(z, v); }
    auto vjp(const lw::vector_t<backend>& z, const lw::vector_t<backend>& u) const { return g->vjp(z, u); }
};

/// Only the JVP is visible.
template <class G>
struct jvp_only {
    using backend = typename G::backend;
    const G* g;
    auto latent_dim() const { return g->latent_dim(); }
    auto output_dim() const { return g->output_dim(); }
    auto operator()(const lw::vector_t<backend>& z) const { return (*g)(z); }
    auto jvp(const lw::vector_t<backend>& z, const lw::vector_t<backend>& v) const { return g->jvp(z, v); }
};

/// A generator whose VJP is the transpose of a different matrix than its JVP uses.
struct wrong_adjoint {
    using backend = le::backend<double>;
    Eigen::MatrixXd A, B;
    Eigen::Index latent_dim() const { return A.cols(); }
    Eigen::Index output_dim() const { return A.rows(); }
    Eigen::VectorXd operator()(const Eigen::VectorXd& z) const { return A * z; }
    Eigen::VectorXd jvp(const Eigen::VectorXd&, const Eigen::VectorXd& v) const { return A * v; }
    Eigen::VectorXd vjp(const Eigen::VectorXd&, const Eigen::VectorXd& u) const { return B.transpose() * u; }
};

/// A generator whose products come back NaN.
struct nan_products {
    using backend = le::backend<double>;
    Eigen::Index latent_dim() const { return 6; }
    Eigen::Index output_dim() const { return 8; }
    Eigen::VectorXd operator()(const Eigen::VectorXd&) const { return Eigen::VectorXd::Zero(8); }
    Eigen::VectorXd jvp(const Eigen::VectorXd&, const Eigen::VectorXd&) const {
        return Eigen::VectorXd::Constant(8, std::nan(""));
    }
    Eigen::VectorXd vjp(const Eigen::VectorXd&, const Eigen::VectorXd&) const {
        return Eigen::VectorXd::Constant(6, std::nan(""));
    }
};

/// A random matrix with orthonormal columns (QR of a Gaussian matrix).
inline Eigen::MatrixXd random_orthonormal(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
    std::normal_distribution<double> nd;
    Eigen::MatrixXd G = Eigen::MatrixXd::NullaryExpr(rows, cols, [&] { return nd(rng); });
    Eigen::HouseholderQR<Eigen::MatrixXd> qr(G);
    return qr.householderQ() * Eigen::MatrixXd::Identity(rows, cols);
}

/// A = U diag(s) Vᵀ with random orthonormal U (m×r), V (n×r), r = s.size().
inline Eigen::MatrixXd with_spectrum(Eigen::Index m, Eigen::Index n, const Eigen::VectorXd& s, std::mt19937_64& rng) {
    return random_orthonormal(m, s.size(), rng) * s.asDiagonal() * random_orthonormal(n, s.size(), rng).transpose();
}

/// Largest principal angle between span(P) and span(Q) (P, Q with orthonormal columns, same
/// width): asin of the largest singular value of (I − P Pᵀ) Q, accurate for small angles.
inline double max_principal_angle(const Eigen::MatrixXd& P, const Eigen::MatrixXd& Q) {
    const Eigen::MatrixXd R = Q - P * (P.transpose() * Q);
    const double s = Eigen::JacobiSVD<Eigen::MatrixXd>(R).singularValues()[0];
    return std::asin(std::min(1.0, s));
}

/// Departure from orthonormal columns, ‖QᵀQ − I‖_max.
inline double orthonormality_error(const Eigen::MatrixXd& Q) {
    return (Q.transpose() * Q - Eigen::MatrixXd::Identity(Q.cols(), Q.cols())).cwiseAbs().maxCoeff();
}

/// The sign convention: each column's entry of largest magnitude is positive.
inline bool follows_sign_convention(const Eigen::MatrixXd& V) {
    for (Eigen::Index i = 0; i < V.cols(); ++i) {
        Eigen::Index r = 0;
        V.col(i).cwiseAbs().maxCoeff(&r);
        if (V(r, i) <= 0) return false;
    }
    return true;
}

inline lw::tangent_basis_options method_options(lw::tangent_method m, double tol = 1e-13) {
    lw::tangent_basis_options o;
    o.method = m;
    o.tolerance = tol;
    return o;
}

}  // namespace tangent_test
