#pragma once
// latentwalk/pde/wave_residual.hpp — the residual of the wave equation on a potential,
//
//   f(z, t) = ∂²u/∂t² − c² Δ_z u          (Song et al., eq. 3)
//
// | mode             | returns                                   | cost                                 |
// |------------------|-------------------------------------------|--------------------------------------|
// | trace            | a 1-vector: ∂²u/∂t² − c² tr ∇²u           | the field's laplacian, or d HVPs     |
// | hessian_row_sum  | a d-vector: ∂²u/∂t² 1 − c² ∇²u·1          | 1 HVP (the released code's quantity, |
// |                  |   (the scalar ∂²u/∂t² broadcast, as torch |   where `u_tt − c**2 * u_zz` broadcasts|
// |                  |   broadcasts it in the released code)     |   a scalar against the d-vector u_zz)|
//
// Example: u = ½‖z‖² + ½ c² d t² has residual 0 in trace mode and c²(d − 1) in every entry in
// hessian_row_sum mode. The field must provide second_time_derivative, and laplacian or
// hessian_vector (hessian_row_sum mode needs hessian_vector).
#include <string>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"
#include "laplacian_mode.hpp"

namespace latentwalk {

template <class U>
concept WaveResidualField =
    ProvidesSecondTimeDerivative<U> && (ProvidesLaplacian<U> || ProvidesHessianVector<U>);

namespace detail {
template <class U>
vector_t<typename U::backend> wave_residual_unchecked(const U& u, const vector_t<typename U::backend>& z, double t,
                                                      double c, laplacian_mode mode) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    const auto tt = backend_traits<B>::constant(z, t);
    const auto utt = u.second_time_derivative(z, tt);
    const auto c2 = static_cast<scalar_t<B>>(c * c);
    if (mode == laplacian_mode::trace) return backend_traits<B>::lift(z, utt - c2 * laplacian_unchecked(u, z, tt));
    if constexpr (ProvidesHessianVector<U>) {
        const auto d = static_cast<index_t<B>>(u.dim());
        const auto row_sums = u.hessian_vector(z, tt, T::fill(z, d, 1.0));
        return T::axpy(-c2, row_sums, T::scale(T::fill(z, d, 1.0), utt));
    } else {
        throw invalid_argument_error(sentence("wave_residual", "laplacian_mode::hessian_row_sum needs a potential "
                                                               "with hessian_vector(z, t, v); this one has only laplacian."));
    }
}
}  // namespace detail

template <class U, class... Args>
    requires(!WaveResidualField<U>)
auto wave_residual(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    static_assert(WaveResidualField<U>,
                  "latentwalk::wave_residual: the potential needs second_time_derivative(z, t) and laplacian(z, t) "
                  "or hessian_vector(z, t, v) (see latentwalk/concepts/potential_field.hpp).");
}

/// The wave residual at (z, t) with wave speed c (see the table). Throws dimension_error for a z of
/// the wrong length, numerical_error for NaN/Inf in z, t or c.
template <WaveResidualField U>
vector_t<typename U::backend> wave_residual(const U& u, const vector_t<typename U::backend>& z, double t, double c,
                                            laplacian_mode mode = laplacian_mode::trace) {
    detail::validate_field_point("wave_residual", u, z, t);
    detail::require_finite_scalar("wave_residual", "the wave speed c", c);
    return detail::wave_residual_unchecked(u, z, t, c, mode);
}

}  // namespace latentwalk
