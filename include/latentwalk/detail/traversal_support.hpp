#pragma once
// Internals shared by the traversal, flow and PDE headers: validation of step counts, steps and
// sizes. (Per-sample constants and 1-vectors are the backend primitives T::constant and T::lift.)
#include <cmath>
#include <string>
#include <string_view>

#include "../concepts/backend.hpp"
#include "validate.hpp"

namespace latentwalk::detail {

inline void require_positive_count(std::string_view where, std::string_view name, long long n) {
    if (n < 1)
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + detail::number(n) +
                                                          "; it must be at least 1."));
}

/// The most steps one traversal, walk or fixed-step integration takes (documented in
/// traversal/trajectory.hpp). Each step stores a point and a direction (and a frame), so a larger
/// count is a typo or an overflow, and refusing it up front keeps std::bad_alloc and a signed
/// `steps + 1` overflow out of the library's calls.
inline constexpr long long max_steps_per_call = 10'000'000;

inline void require_step_count(std::string_view where, std::string_view name, long long n) {
    require_positive_count(where, name, n);
    if (n > max_steps_per_call)
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + number(n) +
                                                          "; one call takes at most " + number(max_steps_per_call) +
                                                          " steps (every step stores a point), so split the walk."));
}

inline void require_nonzero_finite_step(std::string_view where, std::string_view name, double h) {
    require_finite_scalar(where, name, h);
    if (h == 0.0)
        throw invalid_argument_error(sentence(where, std::string(name) + " is zero; a traversal needs a non-zero step."));
}

inline void require_positive_finite(std::string_view where, std::string_view name, double v) {
    require_finite_scalar(where, name, v);
    if (!(v > 0.0))
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + detail::number(v) +
                                                          "; it must be positive."));
}

}  // namespace latentwalk::detail
