#pragma once
// latentwalk/traversal/ode/explicit_rk_stepper.hpp — one step of any explicit Runge–Kutta tableau.
//
// Given z at t, the first stage k₁ = f(z, t) (kept by the driver: the previous step's last
// evaluation), and a signed step h, the stages are
//     k_i = f(z + h Σ_{j<i} a_ij k_j, t + c_i h),     z_new = z + h Σ_j b_j k_j,
// and for an embedded pair the error estimate h Σ_j e_j k_j. Zero coefficients are skipped, terms
// are added in stage order. For an FSAL tableau the last stage's point is z_new and it is evaluated
// at the step's end time `t_end` (exactly t1 on the final step), so it serves as the next k₁.
//
// Cost: stages − 1 evaluations of f (the first is given), O(stages² n) vector operations.
// Errors (from ode_eval): dimension_error when f returns a vector of another length, numerical_error
// when it returns NaN/Inf (the sentence says at which t).
#include <array>
#include <cstddef>
#include <string>

#include "../../detail/traversal_support.hpp"
#include "butcher_tableau.hpp"

namespace latentwalk::detail {

/// f(z, t), counted, with its length and finiteness checked.
template <class B, class F>
vector_t<B> ode_eval(const F& f, const vector_t<B>& z, double t, long long& count, long long n) {
    ++count;
    vector_t<B> v = f(z, t);
    require_length<B>("integrate_ode", "f(z, t)", v, n, "the state's length");
    require_finite_result<B>("integrate_ode", "the right-hand side f(z, t) at t = " + detail::number(t), v);
    return v;
}

/// y + Σ_{j<count} (h w_j) k_j, zero weights skipped.
template <class B>
vector_t<B> rk_combine(const vector_t<B>& y, const std::array<double, max_rk_stages>& w, std::size_t count, double h,
                       const std::array<vector_t<B>, max_rk_stages>& k) {
    using T = backend_traits<B>;
    vector_t<B> out = y;
    for (std::size_t j = 0; j < count; ++j)
        if (w[j] != 0.0) out = T::axpy(scalar_t<B>(h * w[j]), k[j], out);
    return out;
}

template <class B>
struct rk_step {
    vector_t<B> z;                                ///< the new point
    std::array<vector_t<B>, max_rk_stages> k;     ///< the stages (k[stages − 1] = f(z_new) for FSAL)
};

/// One explicit Runge–Kutta step of `tb` from (z, t) with step h; k1 = f(z, t).
template <class B, class F>
rk_step<B> explicit_rk_step(const F& f, const butcher_tableau& tb, const vector_t<B>& z, double t, double h,
                            const vector_t<B>& k1, double t_end, long long& count, long long n) {
    rk_step<B> s;
    s.k[0] = k1;
    for (std::size_t i = 1; i < tb.stages; ++i) {
        const bool last_fsal = tb.fsal && i + 1 == tb.stages;
        auto y = rk_combine<B>(z, tb.a[i], i, h, s.k);
        if (last_fsal) s.z = y;
        s.k[i] = ode_eval<B>(f, y, last_fsal ? t_end : t + tb.c[i] * h, count, n);
    }
    if (!tb.fsal) s.z = rk_combine<B>(z, tb.b, tb.stages, h, s.k);
    return s;
}

/// The embedded error estimate h Σ e_j k_j of a step (tableaux with `embedded`).
template <class B>
vector_t<B> rk_error_estimate(const butcher_tableau& tb, const rk_step<B>& s, double h) {
    using T = backend_traits<B>;
    return rk_combine<B>(T::zeros(s.z, T::size(s.z)), tb.e, tb.stages, h, s.k);
}

}  // namespace latentwalk::detail
