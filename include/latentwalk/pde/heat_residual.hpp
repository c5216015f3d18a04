#pragma once
// latentwalk/pde/heat_residual.hpp — the residual of the heat (diffusion) equation on a potential,
//
//   f(z, t) = ∂u/∂t − κ Δ_z u,
// the same shape as wave_residual (see laplacian_mode.hpp for the two "Laplacians"): trace mode
// returns a 1-vector, hessian_row_sum mode the d-vector ∂u/∂t 1 − κ ∇²u·1. Example solution:
// u = exp(−κ‖k‖² t) sin(kᵀz). The field must provide time_derivative, and laplacian or
// hessian_vector (hessian_row_sum mode needs hessian_vector).
#include <string>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"
#include "laplacian_mode.hpp"

namespace latentwalk {

template <class U>
concept HeatResidualField = ProvidesTimeDerivative<U> && (ProvidesLaplacian<U> || ProvidesHessianVector<U>);

template <class U, class... Args>
    requires(!HeatResidualField<U>)
auto heat_residual(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    static_assert(HeatResidualField<U>,
                  "latentwalk::heat_residual: the potential needs time_derivative(z, t) and laplacian(z, t) or "
                  "hessian_vector(z, t, v) (see latentwalk/concepts/potential_field.hpp).");
}

/// ∂u/∂t − κ Δu at (z, t). Throws dimension_error for a z of the wrong length, numerical_error for
/// NaN/Inf in z, t or κ, invalid_argument_error for hessian_row_sum mode on a field without HVPs.
template <HeatResidualField U>
vector_t<typename U::backend> heat_residual(const U& u, const vector_t<typename U::backend>& z, double t,
                                            double kappa, laplacian_mode mode = laplacian_mode::trace) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    detail::validate_field_point("heat_residual", u, z, t);
    detail::require_finite_scalar("heat_residual", "the diffusivity kappa", kappa);
    const auto tt = backend_traits<B>::constant(z, t);
    const auto ut = u.time_derivative(z, tt);
    const auto k = static_cast<scalar_t<B>>(kappa);
    if (mode == laplacian_mode::trace) return backend_traits<B>::lift(z, ut - k * detail::laplacian_unchecked(u, z, tt));
    if constexpr (ProvidesHessianVector<U>) {
        const auto d = static_cast<index_t<B>>(u.dim());
        return T::axpy(-k, u.hessian_vector(z, tt, T::fill(z, d, 1.0)), T::scale(T::fill(z, d, 1.0), ut));
    } else {
        throw invalid_argument_error(detail::sentence("heat_residual", "laplacian_mode::hessian_row_sum needs a potential "
                                                                       "with hessian_vector(z, t, v); this one has only laplacian."));
    }
}

}  // namespace latentwalk
