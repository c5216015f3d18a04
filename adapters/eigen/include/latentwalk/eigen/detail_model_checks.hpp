#pragma once
// Shared constructor-time validation for the Eigen models.
#include <string>
#include <string_view>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/eigen/backend.hpp>

namespace latentwalk::eigen::detail {

template <class M>
void require_finite_parameter(std::string_view where, std::string_view name, const M& x) {
    if (!x.allFinite())
        throw numerical_error(::latentwalk::detail::sentence(where, std::string(name) +
                                                                        " contains NaN or Inf; model parameters must be finite."));
}

inline void require_positive_parameter(std::string_view where, std::string_view name, double v) {
    if (!(v > 0.0) || !std::isfinite(v))
        throw invalid_argument_error(::latentwalk::detail::sentence(
            where, std::string(name) + " is " + std::to_string(v) + "; it must be a finite positive number."));
}

}  // namespace latentwalk::eigen::detail

namespace latentwalk::eigen::detail {

/// Validates an argument of a model's public member (g(z), g.jvp(z, v), ...): length and finiteness.
template <class V>
void require_model_input(std::string_view where, std::string_view name, const V& x, Eigen::Index expected,
                         std::string_view expected_what) {
    if (x.size() != expected)
        throw dimension_error(::latentwalk::detail::sentence(
            where, std::string(name) + " has length " + std::to_string(x.size()) + " but " +
                       std::string(expected_what) + " is " + std::to_string(expected) + "."));
    if (!x.allFinite())
        throw numerical_error(
            ::latentwalk::detail::sentence(where, std::string(name) + " contains NaN or Inf; inputs must be finite."));
}

}  // namespace latentwalk::eigen::detail

namespace latentwalk::eigen::detail {

/// CRTP base giving a model check_z / check_v / check_u against its own latent_dim()/output_dim().
template <class Derived>
class checked_model {
protected:
    template <class V> void check_z(const char* where, const V& z) const {
        require_model_input(where, "z", z, self().latent_dim(), "the latent dimension");
    }
    template <class V> void check_v(const char* where, const V& v) const {
        require_model_input(where, "v", v, self().latent_dim(), "the latent dimension");
    }
    template <class V> void check_u(const char* where, const V& u) const {
        require_model_input(where, "u", u, self().output_dim(), "the output dimension");
    }

private:
    const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace latentwalk::eigen::detail
