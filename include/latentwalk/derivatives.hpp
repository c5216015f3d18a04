#pragma once
// latentwalk/derivatives.hpp — jvp, vjp and jacobian for any DifferentiableGenerator.
//
// The user implements the minimum (any one of jvp, vjp, jacobian); these functions supply the rest:
//
// | the generator provides | jvp(g, z, v)          | vjp(g, z, u)          | jacobian(g, z)                       |
// |------------------------|-----------------------|-----------------------|--------------------------------------|
// | jacobian               | J v (1 Jacobian)      | Jᵀ u (1 Jacobian)     | its own                              |
// | jvp and vjp            | its own               | its own               | n JVPs if n ≤ m, else m VJPs         |
// | jvp only               | its own               | Jᵀu from n JVPs       | n JVPs (columns)                     |
// | vjp only               | J v from m VJPs       | its own               | m VJPs (rows)                        |
//
// Finite differences are never used here; see latentwalk/finite_differences.hpp.
// All three validate sizes and finiteness of their inputs and throw dimension_error /
// numerical_error with a sentence; they never modify their arguments. They also check what the
// generator returns (the length of g(z), jvp, vjp and the shape of jacobian; NaN or Inf in them at a
// finite point) and name the member that misbehaved: this is the one boundary every user result
// passes through (the traversals, tangent bases and PDE terms call these, and detail::evaluate for g(z)).
#include <algorithm>
#include <string>
#include <string_view>

#include "concepts/generator.hpp"
#include "detail/validate.hpp"

namespace latentwalk {

namespace detail {

// The one boundary where a user model's results enter the library. Every product below checks the
// shape of what the model returned (and, for one scan of the result, its finiteness) and names the
// member that misbehaved, so that a wrong-length JVP is a sentence and never an out-of-bounds write.

/// g(z), checked: length output_dim() and finite. Every library call of a user's g(z) goes here.
template <class G>
vector_t<typename G::backend> evaluate(std::string_view where, const G& g, const vector_t<typename G::backend>& z) {
    vector_t<typename G::backend> w = g(z);
    check_model_vector<typename G::backend>(where, "the generator's call operator g(z)", w, static_cast<long long>(g.output_dim()),
                                            "its output_dim()");
    return w;
}

template <class G>
matrix_t<typename G::backend> jacobian_unchecked(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where = "jacobian");

/// J v; the arguments are validated by the caller's entry point, the generator's result here.
template <class G>
vector_t<typename G::backend> jvp_unchecked(const G& g, const vector_t<typename G::backend>& z,
                                            const vector_t<typename G::backend>& v, std::string_view where = "jvp") {
    using T = backend_traits<typename G::backend>;
    if constexpr (ProvidesJvp<G>) {
        vector_t<typename G::backend> r = g.jvp(z, v);
        if constexpr (!ChecksOwnResults<G>) check_model_vector<typename G::backend>(where, "the generator's jvp(z, v)", r, static_cast<long long>(g.output_dim()),
                                                "its output_dim()");
        return r;
    } else {
        return T::matvec(jacobian_unchecked(g, z, where), v);
    }
}

/// Jᵀ u; the arguments are validated by the caller's entry point, the generator's result here.
template <class G>
vector_t<typename G::backend> vjp_unchecked(const G& g, const vector_t<typename G::backend>& z,
                                            const vector_t<typename G::backend>& u, std::string_view where = "vjp") {
    using T = backend_traits<typename G::backend>;
    if constexpr (ProvidesVjp<G>) {
        vector_t<typename G::backend> r = g.vjp(z, u);
        if constexpr (!ChecksOwnResults<G>) check_model_vector<typename G::backend>(where, "the generator's vjp(z, u)", r, static_cast<long long>(g.latent_dim()),
                                                "its latent_dim()");
        return r;
    } else {
        return T::tmatvec(jacobian_unchecked(g, z, where), u);
    }
}

/// J assembled column by column from n JVPs (each checked).
template <class G>
matrix_t<typename G::backend> jacobian_from_jvps(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where = "jacobian") {
    using T = backend_traits<typename G::backend>;
    const auto n = static_cast<index_t<typename G::backend>>(g.latent_dim());
    const auto m = static_cast<index_t<typename G::backend>>(g.output_dim());
    auto J = T::zeros(z, m, n);
    for (index_t<typename G::backend> j = 0; j < n; ++j) T::set_col(J, j, jvp_unchecked(g, z, T::unit(z, n, j), where));
    return J;
}

/// J assembled row by row from m VJPs (built as Jᵀ column by column, then transposed; each checked).
template <class G>
matrix_t<typename G::backend> jacobian_from_vjps(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where = "jacobian") {
    using T = backend_traits<typename G::backend>;
    const auto n = static_cast<index_t<typename G::backend>>(g.latent_dim());
    const auto m = static_cast<index_t<typename G::backend>>(g.output_dim());
    auto Jt = T::zeros(z, n, m);
    for (index_t<typename G::backend> i = 0; i < m; ++i) T::set_col(Jt, i, vjp_unchecked(g, z, T::unit(z, m, i), where));
    return T::transpose(Jt);
}

template <class G>
matrix_t<typename G::backend> jacobian_unchecked(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where) {
    using B = typename G::backend;
    if constexpr (ProvidesJacobian<G>) {
        matrix_t<B> J = g.jacobian(z);
        if constexpr (!ChecksOwnResults<G>) check_model_matrix<B>(where, J, static_cast<long long>(g.output_dim()),
                                                                 static_cast<long long>(g.latent_dim()));
        return J;
    } else if constexpr (ProvidesJvp<G> && ProvidesVjp<G>) {
        if (g.latent_dim() <= g.output_dim()) return jacobian_from_jvps(g, z, where);
        return jacobian_from_vjps(g, z, where);
    } else if constexpr (ProvidesJvp<G>) {
        return jacobian_from_jvps(g, z, where);
    } else {
        return jacobian_from_vjps(g, z, where);
    }
}

/// Number of generator products jacobian() spends (0 when the generator provides its own).
template <class G>
long long jacobian_product_count(const G& g) {
    if constexpr (ProvidesJacobian<G>) {
        return 0;
    } else if constexpr (ProvidesJvp<G> && ProvidesVjp<G>) {
        return static_cast<long long>(std::min<long long>(g.latent_dim(), g.output_dim()));
    } else if constexpr (ProvidesJvp<G>) {
        return static_cast<long long>(g.latent_dim());
    } else {
        return static_cast<long long>(g.output_dim());
    }
}

template <class G>
void validate_latent(std::string_view where, const G& g, const vector_t<typename G::backend>& z) {
    require_length<typename G::backend>(where, "z", z, static_cast<long long>(g.latent_dim()),
                                        "the generator's latent dimension");
    require_finite<typename G::backend>(where, "z", z);
}

}  // namespace detail

// Entry points are constrained on their concept; these fallbacks catch every other call so that the
// compiler reports the library's sentence instead of "no matching function".
template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto jvp(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}
template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto vjp(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}
template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto jacobian(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

/// J(z) v. Throws dimension_error if z or v do not have the latent length, numerical_error on NaN/Inf.
template <DifferentiableGenerator G>
vector_t<typename G::backend> jvp(const G& g, const vector_t<typename G::backend>& z,
                                  const vector_t<typename G::backend>& v) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    detail::validate_latent("jvp", g, z);
    detail::require_length<typename G::backend>("jvp", "v", v, static_cast<long long>(g.latent_dim()),
                                                "the generator's latent dimension");
    detail::require_finite<typename G::backend>("jvp", "v", v);
    return detail::jvp_unchecked(g, z, v);
}

/// J(z)ᵀ u. Throws dimension_error if z is not of latent length or u not of output length.
template <DifferentiableGenerator G>
vector_t<typename G::backend> vjp(const G& g, const vector_t<typename G::backend>& z,
                                  const vector_t<typename G::backend>& u) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    detail::validate_latent("vjp", g, z);
    detail::require_length<typename G::backend>("vjp", "u", u, static_cast<long long>(g.output_dim()),
                                                "the generator's output dimension");
    detail::require_finite<typename G::backend>("vjp", "u", u);
    return detail::vjp_unchecked(g, z, u);
}

/// J(z), output_dim × latent_dim, from the cheapest products the generator offers (table above).
template <DifferentiableGenerator G>
matrix_t<typename G::backend> jacobian(const G& g, const vector_t<typename G::backend>& z) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    detail::validate_latent("jacobian", g, z);
    return detail::jacobian_unchecked(g, z);
}

}  // namespace latentwalk
