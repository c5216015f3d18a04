#pragma once
// Input validation shared by every public entry point: sizes and finiteness, each failure a
// sentence naming the function and the argument. Validation only reads its arguments.
#include <charconv>
#include <cmath>
#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

#include "../concepts/backend.hpp"
#include "../error.hpp"

namespace latentwalk::detail {

/// A number as a message prints it: integers exactly, floating-point values in their shortest
/// round-trip form (1e-09, 0.1, -inf, nan) — std::to_string prints −1e-9 as "-0.000000".
template <class N>
    requires std::is_arithmetic_v<N>
std::string number(N v) {
    if constexpr (std::is_integral_v<N>) {
        return std::to_string(v);
    } else {
        const double d = static_cast<double>(v);
        if (std::isnan(d)) return "nan";
        if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
        char buf[64];
        const auto r = std::to_chars(buf, buf + sizeof buf, d);
        return std::string(buf, r.ptr);
    }
}

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
        throw numerical_error(sentence(where, std::string(name) + " is " + number(v) +
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

/// A user model's result vector: length `expected` and finite, else a sentence naming `member`
/// ("the generator's jvp(z, v)", "the potential's gradient(z, t)").
template <class B>
void check_model_vector(std::string_view where, std::string_view member, const vector_t<B>& r, long long expected,
                        std::string_view expected_what) {
    const auto got = static_cast<long long>(backend_traits<B>::size(r));
    if (got != expected)
        throw dimension_error(sentence(where, std::string(member) + " returned a vector of length " +
                                                  number(got) + ", but " + std::string(expected_what) + " is " +
                                                  number(expected) + "."));
    if (!backend_traits<B>::all_finite(r))
        throw numerical_error(sentence(where, std::string(member) + " came back with NaN or Inf at a finite point."));
}

/// A user model's Jacobian: rows × cols and finite, else a sentence.
template <class B>
void check_model_matrix(std::string_view where, const matrix_t<B>& J, long long rows, long long cols) {
    const auto r = static_cast<long long>(backend_traits<B>::rows(J));
    const auto c = static_cast<long long>(backend_traits<B>::cols(J));
    if (r != rows || c != cols)
        throw dimension_error(sentence(where, "the generator's jacobian(z) returned a " + number(r) + "×" + number(c) +
                                                  " matrix, but output_dim() × latent_dim() is " + number(rows) + "×" +
                                                  number(cols) + "."));
    if (!backend_traits<B>::all_finite(J))
        throw numerical_error(sentence(where, "the generator's jacobian(z) came back with NaN or Inf at a finite point."));
}

/// Wrappers that already checked their inner model's results (detail::counting_generator) say so,
/// and the derivation layer does not scan the result twice.
template <class G>
concept ChecksOwnResults = requires { requires G::checks_own_results; };

}  // namespace latentwalk::detail
