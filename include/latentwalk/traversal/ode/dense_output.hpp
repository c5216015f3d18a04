#pragma once
// latentwalk/traversal/ode/dense_output.hpp — z(t) between the stored points of an integration.
//
// | interpolant            | used for                                    | accuracy between points    |
// |------------------------|---------------------------------------------|----------------------------|
// | dopri5 continuous      | dopri5 with dense_output on and no          | 4th order (Hairer's DOPRI5 |
// | extension              | projection                                  | CONTD5)                    |
// | cubic Hermite          | the fixed-step Runge–Kutta methods, dopri5  | O(h⁴) through the points   |
// |                        | with a projection or dense_output off       | and their derivatives      |
// | piecewise linear       | integer_time (a discrete rule: between two  | exact at the points only   |
// |                        | integer times there is no trajectory)       |                            |
#include <array>

#include "../../concepts/backend.hpp"
#include "butcher_tableau.hpp"
#include "explicit_rk_stepper.hpp"

namespace latentwalk::detail {

/// The five coefficient vectors of dopri5's continuous extension over one step of size hs.
template <class B>
std::array<vector_t<B>, 5> dopri5_dense_coefficients(const vector_t<B>& z, const rk_step<B>& s, double hs) {
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    // Hairer's DOPRI5, CONTD5
    static constexpr std::array<double, max_rk_stages> d{-12715105075.0 / 11282082432.0,
                                                          0.0,
                                                          87487479700.0 / 32700410799.0,
                                                          -10690763975.0 / 1880347072.0,
                                                          701980252875.0 / 199316789632.0,
                                                          -1453857185.0 / 822651844.0,
                                                          69997945.0 / 29380423.0};
    std::array<vector_t<B>, 5> r;
    r[0] = z;
    r[1] = T::sub(s.z, z);
    r[2] = T::sub(T::scale(s.k[0], S(hs)), r[1]);
    r[3] = T::sub(T::sub(r[1], T::scale(s.k[6], S(hs))), r[2]);
    r[4] = rk_combine<B>(T::zeros(z, T::size(z)), d, 7, hs, s.k);
    return r;
}

/// r0 + θ(r1 + θ1(r2 + θ(r3 + θ1 r4))), θ1 = 1 − θ.
template <class B>
vector_t<B> dopri5_dense_value(const std::array<vector_t<B>, 5>& r, double th) {
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const double th1 = 1.0 - th;
    auto inner = T::axpy(S(th1), r[4], r[3]);
    inner = T::axpy(S(th), inner, r[2]);
    inner = T::axpy(S(th1), inner, r[1]);
    return T::axpy(S(th), inner, r[0]);
}

/// The cubic Hermite polynomial through (z0, f0) and (z1, f1) over a step h, at fraction th.
template <class B>
vector_t<B> hermite_value(const vector_t<B>& z0, const vector_t<B>& f0, const vector_t<B>& z1, const vector_t<B>& f1,
                          double h, double th) {
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const double th2 = th * th, th3 = th2 * th;
    const double h00 = 2 * th3 - 3 * th2 + 1, h10 = th3 - 2 * th2 + th, h01 = -2 * th3 + 3 * th2, h11 = th3 - th2;
    auto y = T::scale(z0, S(h00));
    y = T::axpy(S(h10 * h), f0, y);
    y = T::axpy(S(h01), z1, y);
    return T::axpy(S(h11 * h), f1, y);
}

/// (1 − th) z0 + th z1.
template <class B>
vector_t<B> linear_value(const vector_t<B>& z0, const vector_t<B>& z1, double th) {
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    return T::axpy(S(th), T::sub(z1, z0), z0);
}

}  // namespace latentwalk::detail
