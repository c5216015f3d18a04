#pragma once
// Input validation shared by every public entry point: sizes and finiteness, each failure a
// sentence naming the function and the argument. Validation only reads its arguments.
#include <cmath>
#include <string>
#include <string_view>

#include "../concepts/backend.hpp"
#include "../error.hpp"

namespace latentwalk::detail {

inline std::string sentence(std::string_view where, std::string_view what) {
    std::string s = "latentwalk::";
    s += where;
    s += ": ";
    s += what;
    return s;
}

template <class B>
void require_length(std::string_view where, std::string_view name, const vector_t<B>& x, long long expected,
                    std::string_view expected_what) {
    const auto n = static_cast<long long>(backend_traits<B>::size(x));
    if (n != expected) {
        throw dimension_error(sentence(where, std::string(name) + " has length " + std::to_string(n) + " but " +
                                                  std::string(expected_what) + " is " + std::to_string(expected) +
                                                  "."));
    }
}

template <class B>
void require_shape(std::string_view where, std::string_view name, const matrix_t<B>& A, long long rows,
                   long long cols) {
    const auto r = static_cast<long long>(backend_traits<B>::rows(A));
    const auto c = static_cast<long long>(backend_traits<B>::cols(A));
    if ((rows >= 0 && r != rows) || (cols >= 0 && c != cols)) {
        auto dim = [](long long v) { return v < 0 ? std::string("any") : std::to_string(v); };
        throw dimension_error(sentence(where, std::string(name) + " is " + std::to_string(r) + "×" +
                                                  std::to_string(c) + " but must be " + dim(rows) + "×" +
                                                  dim(cols) + "."));
    }
}

template <class B, class X>
void require_finite(std::string_view where, std::string_view name, const X& x) {
    if (!backend_traits<B>::all_finite(x)) {
        throw numerical_error(sentence(where, std::string(name) + " contains NaN or Inf; inputs must be finite."));
    }
}

inline void require_finite_scalar(std::string_view where, std::string_view name, double v) {
    if (!std::isfinite(v)) {
        throw numerical_error(sentence(where, std::string(name) + " is " + std::to_string(v) +
                                                  "; it must be a finite number."));
    }
}

/// A result computed by user code (a generator's JVP, say) came back non-finite.
template <class B, class X>
void require_finite_result(std::string_view where, std::string_view what, const X& x) {
    if (!backend_traits<B>::all_finite(x)) {
        throw numerical_error(sentence(where, std::string(what) + " came back with NaN or Inf."));
    }
}

}  // namespace latentwalk::detail
