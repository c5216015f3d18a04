#pragma once
// latentwalk/grassmann/grassmann_exp.hpp — the Riemannian exponential on the Grassmannian.
//
// For X (n×p) with orthonormal columns and a horizontal tangent vector Δ (n×p, XᵀΔ = 0) with thin
// SVD Δ = U Σ Vᵀ (Edelman–Arias–Smith 1998, thm 2.3):
//   grassmann_exp(X, Δ) = X V cos(Σ) Vᵀ + U sin(Σ) Vᵀ,
// an orthonormal basis of the end point of the geodesic t ↦ span(X V cos(tΣ) + U sin(tΣ)) at t = 1.
// The basis returned is the one transported along the geodesic (it equals X at Δ = 0); compare
// subspaces through principal angles or projectors, never bases entry by entry.
#include <cmath>
#include <string>
#include <string_view>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"

namespace latentwalk {

namespace detail::grassmann {

template <class B>
matrix_t<B> exp_unchecked(const matrix_t<B>& X, const matrix_t<B>& Delta) {
    using T = backend_traits<B>;
    const auto f = T::thin_svd(Delta);
    const auto cos_part = T::matmul(T::scale_columns(T::matmul(X, f.V), T::cwise_cos(f.S)), T::transpose(f.V));
    const auto sin_part = T::matmul(T::scale_columns(f.U, T::cwise_sin(f.S)), T::transpose(f.V));
    return T::add(cos_part, sin_part);
}

/// Throws unless XᵀΔ ≈ 0 relative to ‖Δ‖ (Δ horizontal at X).
template <class B>
void require_horizontal(std::string_view where, const matrix_t<B>& X, const matrix_t<B>& Delta) {
    using T = backend_traits<B>;
    const double off = T::max_abs(T::tmatmul(X, Delta));
    const double scale = std::max(1.0, T::max_abs(Delta)) * static_cast<double>(T::rows(X));
    const double tol = std::sqrt(static_cast<double>(std::numeric_limits<scalar_t<B>>::epsilon())) * scale;
    if (!(off <= tol)) {
        throw invalid_argument_error(
            sentence(where, "Delta is not a tangent vector at X: max |XᵀΔ| = " + format(off) + " > " + format(tol) +
                                "; project it first with Δ − X (XᵀΔ)."));
    }
}

}  // namespace detail::grassmann

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M>
    requires(!BackendMatrix<M>)
auto grassmann_exp(const M&, const M&) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "grassmann_exp", "X and Delta");
}

/// Riemannian exponential at span(X) (X orthonormal n×p) of the tangent vector Delta (n×p, XᵀΔ = 0).
/// Throws dimension_error on shape mismatch, invalid_argument_error if X is not orthonormal or Δ not
/// horizontal, numerical_error on NaN/Inf.
template <BackendMatrix M>
M grassmann_exp(const M& X, const M& Delta) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    constexpr std::string_view where = "grassmann_exp";
    detail::grassmann::require_orthonormal<B>(where, "X", X);
    detail::require_shape<B>(where, "Delta", Delta, static_cast<long long>(T::rows(X)),
                             static_cast<long long>(T::cols(X)));
    detail::require_finite<B>(where, "Delta", Delta);
    detail::grassmann::require_horizontal<B>(where, X, Delta);
    return detail::grassmann::exp_unchecked<B>(X, Delta);
}

}  // namespace latentwalk
