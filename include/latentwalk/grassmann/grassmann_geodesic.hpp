#pragma once
// latentwalk/grassmann/grassmann_geodesic.hpp — points on the shortest geodesic between two subspaces.
//
// grassmann_geodesic(X, Y, t) = grassmann_exp(Q_X, t · grassmann_log(Q_X, Y)) with Q_X the thin-QR
// orthonormal basis of X: t = 0 gives span(X), t = 1 span(Y), and the principal angles between
// span(X) and the point at t are t·θ (for 0 ≤ t ≤ 1 and every angle below π/2). Any t is allowed
// (extrapolation along the geodesic).
#include <string_view>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"
#include "grassmann_exp.hpp"
#include "grassmann_log.hpp"

namespace latentwalk {

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M, class Tp>
    requires(!BackendMatrix<M>)
auto grassmann_geodesic(const M&, const M&, Tp) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "grassmann_geodesic", "X and Y");
}

/// An orthonormal basis of the point at parameter t on the geodesic from span(X) to span(Y)
/// (both n×p, full column rank). Throws dimension_error on shape mismatch or rank deficiency,
/// numerical_error on NaN/Inf (in X, Y or t).
template <BackendMatrix M>
M grassmann_geodesic(const M& X, const M& Y, double t) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    constexpr std::string_view where = "grassmann_geodesic";
    detail::require_finite_scalar(where, "t", t);
    detail::grassmann::require_same_ambient<B>(where, X, Y, "X", "Y");
    detail::require_shape<B>(where, "Y", Y, static_cast<long long>(T::rows(X)), static_cast<long long>(T::cols(X)));
    const auto QX = detail::grassmann::orthonormalize<B>(where, "X", X);
    const auto QY = detail::grassmann::orthonormalize<B>(where, "Y", Y);
    const auto Delta = detail::grassmann::log_of_orthonormal<B>(QX, QY);
    const auto t_scalar = T::element(T::fill(T::col(QX, 0), 1, t), 0);
    return detail::grassmann::exp_unchecked<B>(QX, T::scale(Delta, t_scalar));
}

}  // namespace latentwalk
