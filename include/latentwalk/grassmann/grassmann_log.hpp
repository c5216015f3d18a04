#pragma once
// latentwalk/grassmann/grassmann_log.hpp — the Riemannian logarithm on the Grassmannian.
//
// grassmann_log(X, Y) is the tangent vector Δ at span(X) (n×p, XᵀΔ = 0) of the shortest geodesic
// to span(Y), in the horizontal lift at the basis X: it depends on X's basis (Δ Q for X Q) but only
// on Y's span. ‖Δ‖_F equals the geodesic distance ‖θ‖₂, and grassmann_exp(X, Δ) spans span(Y).
//
// Algorithm (Bendokat–Zimmermann–Absil, "A Grassmann manifold handbook", alg. 5.3, with the
// angles taken by atan2 instead of arcsin so that angles near π/2 stay accurate):
//   Q_Y          = thin QR of Y (any basis of the target span)
//   Ψ S Rᵀ       = SVD(Q_Yᵀ X)                       (p×p)
//   Y*           = Q_Y Ψ Rᵀ                          (Procrustes-aligned basis of span(Y): XᵀY* = R S Rᵀ ⪰ 0)
//   U Σ_s Vᵀ     = thin SVD((I − X Xᵀ) Y*)           (sines)
//   cos_i        = v_iᵀ (Xᵀ Y*) v_i                   (cosines paired with the same right vectors)
//   Δ            = U diag(atan2(Σ_s, cos)) Vᵀ
// The result is unique when every principal angle is below π/2 (span(Y) off the cut locus of
// span(X)); at exactly π/2 one of the minimizing geodesics is returned.
#include <string_view>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"

namespace latentwalk {

namespace detail::grassmann {

/// Log at the orthonormal X of the span of the orthonormal QY (no validation).
template <class B>
matrix_t<B> log_of_orthonormal(const matrix_t<B>& X, const matrix_t<B>& QY) {
    using T = backend_traits<B>;
    const auto align = T::thin_svd(T::tmatmul(QY, X));                    // Ψ S Rᵀ
    const auto Ystar = T::matmul(QY, T::matmul(align.U, T::transpose(align.V)));
    const auto XtY = T::tmatmul(X, Ystar);                                   // R S Rᵀ
    const auto residual = sub<B>(Ystar, T::matmul(X, XtY));                   // (I − X Xᵀ) Y*
    const auto f = T::thin_svd(residual);
    const index_t<B> p = T::cols(X);
    const auto like = T::col(X, 0);
    auto cosines = T::zeros(like, p);
    for (index_t<B> i = 0; i < p; ++i) {
        const auto v = T::col(f.V, i);
        cosines = T::axpy(T::dot(v, T::matvec(XtY, v)), T::unit(like, p, i), cosines);
    }
    const auto theta = T::cwise_atan2(f.S, cosines);
    return T::matmul(scale_columns<B>(f.U, theta), T::transpose(f.V));
}

}  // namespace detail::grassmann

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M>
    requires(!BackendMatrix<M>)
void grassmann_log(const M&, const M&) {
    static_assert(BackendMatrix<M>, "latentwalk::grassmann_log: X and Y must be matrices of a latentwalk backend "
                                    "(for Eigen: Eigen::MatrixXd or Eigen::MatrixXf); include <latentwalk/eigen.hpp>.");
}

/// Riemannian logarithm of span(Y) at span(X). X (n×p) must have orthonormal columns (its basis
/// fixes the horizontal lift); Y (n×p) is any full-rank basis. Throws dimension_error on shape
/// mismatch or rank deficiency, invalid_argument_error if X is not orthonormal, numerical_error on NaN.
template <BackendMatrix M>
M grassmann_log(const M& X, const M& Y) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    constexpr std::string_view where = "grassmann_log";
    detail::grassmann::require_orthonormal<B>(where, "X", X);
    detail::require_shape<B>(where, "Y", Y, static_cast<long long>(T::rows(X)), static_cast<long long>(T::cols(X)));
    const auto QY = detail::grassmann::orthonormalize<B>(where, "Y", Y);
    return detail::grassmann::log_of_orthonormal<B>(X, QY);
}

}  // namespace latentwalk
