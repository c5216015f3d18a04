#pragma once
// Internals of the density models: branch-free element-wise helpers written with backend
// primitives only, so that batched backends evaluate them without host-side branching.
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "../concepts/backend.hpp"
#include "validate.hpp"

namespace latentwalk::detail::density {

/// Element-wise sign: u_i / max(|u_i|, tiny) — exactly ±1 for |u_i| ≥ the smallest normal number, 0 at 0.
template <class B>
vector_t<B> sign(const vector_t<B>& u) {
    using T = backend_traits<B>;
    const auto n = T::size(u);
    const auto tiny = T::fill(u, n, static_cast<double>(std::numeric_limits<scalar_t<B>>::min()));
    return T::cwise_quotient(u, T::cwise_max(T::cwise_abs(u), tiny));
}

/// Element-wise step: 1 where u > 0, 0 where u < 0, ½ at 0 (the mean of the one-sided limits).
template <class B>
vector_t<B> step(const vector_t<B>& u) {
    using T = backend_traits<B>;
    const auto n = T::size(u);
    return T::scale(T::add(T::fill(u, n, 1.0), sign<B>(u)), scalar_t<B>(0.5));
}

/// min(max(z, lo), hi) element-wise.
template <class B>
vector_t<B> clamp(const vector_t<B>& z, const vector_t<B>& lo, const vector_t<B>& hi) {
    using T = backend_traits<B>;
    return T::cwise_min(T::cwise_max(z, lo), hi);
}

/// Σ_i log 1[lo_i ≤ z_i ≤ hi_i]: 0 when z lies in the closed box, −∞ otherwise (per sample).
template <class B>
batch_scalar_t<B> log_box_indicator(const vector_t<B>& z, const vector_t<B>& lo, const vector_t<B>& hi) {
    using T = backend_traits<B>;
    const auto n = T::size(z);
    const auto outside = T::cwise_abs(T::sub(z, clamp<B>(z, lo, hi)));  // 0 inside, > 0 outside
    const auto ones = T::fill(z, n, 1.0);
    // 1 − step(outside) is 1 inside and 0 outside; its log is 0 or −∞.
    const auto inside = T::sub(ones, T::cwise_product(sign<B>(outside), ones));
    return T::sum(T::cwise_log(inside));
}

/// Throws invalid_argument_error when some z_i lies outside [lo_i, hi_i] (host reduction over the batch).
template <class B>
void require_in_box(std::string_view where, const vector_t<B>& z, const vector_t<B>& lo, const vector_t<B>& hi,
                    std::string_view what) {
    using T = backend_traits<B>;
    if (T::max_abs(T::sub(z, clamp<B>(z, lo, hi))) > 0.0)
        throw invalid_argument_error(sentence(where, "z lies outside " + std::string(what) +
                                                         ", where the log-density is −∞ and has no gradient."));
}

/// The linear step y = z + tγ of a density-preserving step must stay in the double range.
template <class B>
void require_finite_step_point(std::string_view where, const vector_t<B>& y, double t) {
    if (!backend_traits<B>::all_finite(y))
        throw numerical_error(sentence(where, "the linear step z + t gamma overflows to Inf (t = " + number(t) +
                                                  "); the step leaves the floating-point range, so use a smaller t."));
}

/// A result of a density model (a log-density, a score, a projected point) must be finite; a finite
/// z whose exact answer lies outside the double range is refused with a sentence instead of −inf.
template <class B, class X>
X require_representable(std::string_view where, std::string_view what, X x) {
    using T = backend_traits<B>;
    bool ok;
    if constexpr (std::is_same_v<X, vector_t<B>>) ok = T::all_finite(x);
    else ok = std::isfinite(T::host_max(x)) && std::isfinite(T::host_min(x));
    if (!ok)
        throw numerical_error(sentence(where, std::string(what) + " at this z lies outside the double range (the exact "
                                                                  "value overflows); z is too far from the mode for "
                                                                  "this model in floating point."));
    return x;
}

/// DP-LaSE's norm-preserving map ‖z‖ (z + tγ)/‖z + tγ‖ with its input checks (z is checked by the
/// caller); throws numerical_error when z + tγ = 0.
template <class B>
vector_t<B> norm_preserving_step(const char* where, long long d, const vector_t<B>& z, const vector_t<B>& gamma,
                                 double t) {
    using T = backend_traits<B>;
    require_length<B>(where, "gamma", gamma, d, "the density's dimension");
    require_finite<B>(where, "gamma", gamma);
    require_finite_scalar(where, "t", t);
    const auto y = T::axpy(static_cast<scalar_t<B>>(t), gamma, z);
    require_finite_step_point<B>(where, y, t);
    const auto ny = T::norm(y);
    if (T::host_min(ny) <= 0.0)
        throw numerical_error(sentence(where, "z + t gamma = 0, which has no direction to rescale along."));
    return T::scale(y, T::norm(z) / ny);
}

}  // namespace latentwalk::detail::density
