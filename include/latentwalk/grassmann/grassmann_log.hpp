#pragma once
// latentwalk/grassmann/grassmann_log.hpp — the Riemannian logarithm on the Grassmannian.
//
// grassmann_log(X, Y) is the tangent vector Δ at span(X) (n×p, XᵀΔ = 0) of the shortest geodesic
// to span(Y), in the horizontal lift at the basis X: it depends on X's basis (Δ Q for X Q) but only
// on Y's span. ‖Δ‖_F equals the geodesic distance ‖θ‖₂, and grassmann_exp(X, Δ) spans span(Y).
//
// Algorithm (Bendokat–Zimmermann–Absil, "A Grassmann manifold handbook", alg. 5.3, rearranged so
// that every angle comes from atan2 of an accurate sine and cosine and the principal vectors come
// from the cosine side only):
//   Q_Y          = thin QR of Y (any basis of the target span)
//   Ψ S Rᵀ       = SVD(Q_Yᵀ X)                 (p×p; S = cosines, R = principal vectors in X's coordinates)
//   W            = (I − X Xᵀ) Q_Y Ψ             (orthogonal columns of norms sin θ_i)
//   θ_i          = atan2(‖W_i‖, S_i)
//   Δ            = W diag(θ_i / sin θ_i) Rᵀ
// Taking U and V from a second SVD of the residual (as in the handbook) would be unstable near
// π/2, where the sines cluster at 1 and that SVD's singular vectors are ill-determined (exp∘log then
// misses by ~1e-9); here clustering only mixes directions whose angles agree to the same order.
// The result is unique when every principal angle is below π/2 (span(Y) off the cut locus of
// span(X)); at exactly π/2 one of the minimizing geodesics is returned.
#include <limits>
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
    const auto f = T::thin_svd(T::tmatmul(QY, X));   // Ψ S Rᵀ
    const auto QYPsi = T::matmul(QY, f.U);
    const auto W = T::sub(QYPsi, T::matmul(X, T::tmatmul(X, QYPsi)));  // (I − X Xᵀ) Q_Y Ψ
    const index_t<B> p = T::cols(X);
    const auto like = T::col(X, 0);
    const auto sines = T::column_norms(W);
    const auto theta = T::cwise_atan2(sines, f.S);
    // θ / sin θ, with sin θ = 0 (then θ = 0 and W_i = 0) mapped to 0: the floor is the smallest normal
    // number of the backend's scalar (a double floor would round to 0 in float and give 0/0).
    const auto safe = T::cwise_max(sines, T::fill(like, p, static_cast<double>(std::numeric_limits<scalar_t<B>>::min())));
    return T::matmul(T::scale_columns(W, T::cwise_quotient(theta, safe)), T::transpose(f.V));
}

}  // namespace detail::grassmann

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M>
    requires(!BackendMatrix<M>)
auto grassmann_log(const M&, const M&) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "grassmann_log", "X and Y");
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
