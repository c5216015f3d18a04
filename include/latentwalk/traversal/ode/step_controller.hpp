#pragma once
// latentwalk/traversal/ode/step_controller.hpp — error control for the adaptive integrator.
//
// | piece          | rule                                                                          |
// |----------------|-------------------------------------------------------------------------------|
// | error norm     | RMS of e_i / (atol + rtol·max(|z_i|, |z_new,i|)) (Hairer–Nørsett–Wanner), the |
// |                | maximum over a batch                                                          |
// | accept         | norm ≤ 1                                                                      |
// | next step      | h·clamp(0.9·err^(−1/5), 0.2, 10), no growth right after a rejection, ≤ h_max  |
// | after a reject | h·clamp(0.9·err^(−1/5), 0.2, 1)                                               |
// | first step     | Hairer's starting step: 0.01·‖z‖/‖f‖ refined by one Euler step's curvature    |
//
// The exponent 1/5 is that of a 5(4) pair (dopri5).
#include <algorithm>
#include <cmath>

#include "../../detail/traversal_support.hpp"
#include "explicit_rk_stepper.hpp"

namespace latentwalk::detail {

/// RMS of e ⊘ (atol + rtol·max(|a|, |b|)); the maximum over a batch.
template <class B>
double ode_error_norm(const vector_t<B>& e, const vector_t<B>& a, const vector_t<B>& b, double rtol, double atol) {
    using T = backend_traits<B>;
    const auto n = T::size(e);
    const auto sc = T::axpy(scalar_t<B>(rtol), T::cwise_max(T::cwise_abs(a), T::cwise_abs(b)), T::fill(e, n, atol));
    return T::host_max(T::norm(T::cwise_quotient(e, sc))) / std::sqrt(static_cast<double>(n));
}

struct step_controller {
    double rtol = 1e-8;
    double atol = 1e-10;
    double hmax = 0.0;  ///< the largest |h|

    template <class B>
    double error_norm(const vector_t<B>& e, const vector_t<B>& z, const vector_t<B>& znew) const {
        return ode_error_norm<B>(e, z, znew, rtol, atol);
    }

    /// |h| after an accepted step with error norm `en`.
    double after_accept(double h, double en, bool last_rejected) const {
        double fac = en == 0.0 ? 10.0 : std::clamp(0.9 * std::pow(en, -0.2), 0.2, 10.0);
        if (last_rejected) fac = std::min(fac, 1.0);  // no growth right after a rejection
        return std::min(h * fac, hmax);
    }

    /// |h| after a rejected step with error norm `en`.
    double after_reject(double h, double en) const { return h * std::clamp(0.9 * std::pow(en, -0.2), 0.2, 1.0); }

    /// Hairer's starting step |h₀| for direction dir = ±1; costs one evaluation of f.
    template <class B, class F>
    double initial_step(const F& f, const vector_t<B>& z, const vector_t<B>& k1, double t, double dir, long long& count,
                        long long n) const {
        using T = backend_traits<B>;
        using S = scalar_t<B>;
        const double d0 = ode_error_norm<B>(z, z, z, rtol, atol);
        const double dd1 = ode_error_norm<B>(k1, z, z, rtol, atol);
        double h0 = (d0 < 1e-5 || dd1 < 1e-5) ? 1e-6 : 0.01 * d0 / dd1;
        h0 = std::min(h0, hmax);
        const auto k2 = ode_eval<B>(f, T::axpy(S(dir * h0), k1, z), t + dir * h0, count, n);
        const double dd2 = ode_error_norm<B>(T::sub(k2, k1), z, z, rtol, atol) / h0;
        const double dm = std::max(dd1, dd2);
        const double h1 = dm <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dm, 1.0 / 5.0);
        return std::min({100 * h0, h1, hmax});
    }
};

}  // namespace latentwalk::detail
