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
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + std::to_string(n) +
                                                          "; it must be at least 1."));
}

inline void require_nonzero_finite_step(std::string_view where, std::string_view name, double h) {
    require_finite_scalar(where, name, h);
    if (h == 0.0)
        throw invalid_argument_error(sentence(where, std::string(name) + " is zero; a traversal needs a non-zero step."));
}

inline void require_positive_finite(std::string_view where, std::string_view name, double v) {
    require_finite_scalar(where, name, v);
    if (!(v > 0.0))
        throw invalid_argument_error(sentence(where, std::string(name) + " is " + std::to_string(v) +
                                                          "; it must be positive."));
}

}  // namespace latentwalk::detail
