#pragma once
// latentwalk/pde/wave_loss.hpp — L_f = (1/T) Σ_k ‖f(z_k, t_k)‖², the PINN loss of Song et al. (eq. 4),
// over collocation points (z_k, t_k), usually the points of a flow's trajectory.
// f is wave_residual in the chosen laplacian_mode. (The released code takes the mean over the d
// entries of the hessian_row_sum residual as well, i.e. this value divided by d in that mode.)
#include <string>
#include <vector>

#include "../traversal/trajectory.hpp"
#include "wave_residual.hpp"

namespace latentwalk {

template <class U, class... Args>
    requires(!WaveResidualField<U>)
auto wave_loss(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    static_assert(WaveResidualField<U>,
                  "latentwalk::wave_loss: the potential needs second_time_derivative(z, t) and laplacian(z, t) "
                  "or hessian_vector(z, t, v) (see latentwalk/concepts/potential_field.hpp).");
}

/// Collocation points and their times (same count ≥ 1). Throws dimension_error on a count mismatch.
template <WaveResidualField U>
batch_scalar_t<typename U::backend> wave_loss(const U& u, const std::vector<vector_t<typename U::backend>>& points,
                                              const std::vector<double>& times, double c,
                                              laplacian_mode mode = laplacian_mode::trace) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    if (points.empty()) throw invalid_argument_error(detail::sentence("wave_loss", "there are no collocation points."));
    if (points.size() != times.size())
        throw dimension_error(detail::sentence("wave_loss", "there are " + detail::number(points.size()) +
                                                                " points but " + detail::number(times.size()) +
                                                                " times; give one time per point."));
    detail::require_finite_scalar("wave_loss", "the wave speed c", c);
    for (std::size_t k = 0; k < points.size(); ++k) detail::validate_field_point("wave_loss", u, points[k], times[k]);
    auto f0 = detail::wave_residual_unchecked(u, points[0], times[0], c, mode);
    auto acc = T::dot(f0, f0);
    for (std::size_t k = 1; k < points.size(); ++k) {
        const auto f = detail::wave_residual_unchecked(u, points[k], times[k], c, mode);
        acc = acc + T::dot(f, f);
    }
    return acc * scalar_t<B>(1.0 / static_cast<double>(points.size()));
}

/// Over the points and times of a trajectory.
template <WaveResidualField U>
batch_scalar_t<typename U::backend> wave_loss(const U& u, const trajectory<typename U::backend>& path, double c,
                                              laplacian_mode mode = laplacian_mode::trace) {
    return wave_loss(u, path.points, path.times, c, mode);
}

}  // namespace latentwalk
