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
// Batched products. A generator with `batched_products` (ProvidesBatchedProducts: its jvp/vjp take c
// directions stacked in a new leading dimension, e.g. torch::module_generator) gets its n (or m) unit
// products as ONE batched call — the Local Basis authors' trick of pushing the identity through the
// network as a batch — chunked so that one call's results take at most `block_memory_bytes` (default
// 128 MiB: a 512×16384 float64 Jacobian in one pass). detail::jvp_block / vjp_block do the same for
// any block J M, Jᵀ M (the randomized method's sketches). Other generators (Eigen's, which have
// their own chain products) take the column loop; both give the same matrix to rounding (tests:
// torch "batched Jacobian equals the column loop").
//
// Finite differences are never used here; see latentwalk/finite_differences.hpp.
// All three validate sizes and finiteness of their inputs and throw dimension_error /
// numerical_error with a sentence; they never modify their arguments. They also check what the
// generator returns (the length of g(z), jvp, vjp and the shape of jacobian; NaN or Inf in them at a
// finite point) and name the member that misbehaved: this is the one boundary every user result
// passes through (the traversals, tangent bases and PDE terms call these, and detail::evaluate for g(z)).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "concepts/generator.hpp"
#include "detail/validate.hpp"

namespace latentwalk {

/// The most memory, in bytes, the results of one batched block of generator products may take
/// (one chunk of a Jacobian or sketch on a generator with batched_products): 128 MiB, so that a
/// 512×16384 float64 Jacobian (64 MiB) is one call. The network's own activations for the block come
/// on top (they scale with it): lower this when a large model runs out of memory.
inline constexpr std::size_t default_block_memory_bytes = std::size_t(128) << 20;

/// Options of jacobian(g, z, options).
struct jacobian_options {
    /// Results of one batched block of products at most this many bytes (≥ 1; see above).
    std::size_t block_memory_bytes = default_block_memory_bytes;
};

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
                                                 std::string_view where = "jacobian",
                                                 std::size_t block_bytes = default_block_memory_bytes);

/// Columns per batched call when each column holds `length` entries per sample (at least 1).
template <class B>
long long block_chunk(std::size_t budget, long long length, long long samples) {
    const double per = static_cast<double>(sizeof(scalar_t<B>)) * static_cast<double>(std::max(1LL, length)) *
                       static_cast<double>(std::max(1LL, samples));
    const double c = static_cast<double>(budget) / per;
    return c >= 1.0 ? static_cast<long long>(std::min(c, 1e15)) : 1LL;
}

/// One batched call carrying the c columns of M as c products (J M on the jvp side, Jᵀ M on the vjp
/// side), its result's shape checked and counted as c products; returns the products as columns.
template <class G>
matrix_t<typename G::backend> batched_products_call(std::string_view where, const G& g,
                                                    const vector_t<typename G::backend>& z,
                                                    const matrix_t<typename G::backend>& M, bool jvp_side) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    const long long c = static_cast<long long>(T::cols(M));
    const auto V = T::columns_as_batch(M);
    const long long len = jvp_side ? static_cast<long long>(g.output_dim()) : static_cast<long long>(g.latent_dim());
    const char* member = jvp_side ? "the generator's jvp(z, V) on a block of directions"
                                  : "the generator's vjp(z, U) on a block of directions";
    vector_t<B> r;
    if (jvp_side) {
        if constexpr (ProvidesJvp<G>) r = g.jvp(z, V);
    } else {
        if constexpr (ProvidesVjp<G>) r = g.vjp(z, V);
    }
    if constexpr (!ChecksOwnResults<G>)
        check_model_vector<B>(where, member, r, len, jvp_side ? "its output_dim()" : "its latent_dim()");
    const long long expected = c * static_cast<long long>(T::batch_size(z));
    bool leading_ok = static_cast<long long>(T::batch_size(r)) == expected;
    if constexpr (requires { r.batch_shape(); }) {
        const auto bs = r.batch_shape();
        leading_ok = leading_ok && !bs.empty() && static_cast<long long>(bs.front()) == c;
    }
    if (!leading_ok)
        throw dimension_error(sentence(
            where, std::string(member) + " returned a batch of " + number(static_cast<long long>(T::batch_size(r))) +
                       " vectors for " + number(c) + " directions stacked in front of z's batch of " +
                       number(static_cast<long long>(T::batch_size(z))) +
                       ": a generator that declares batched_products must keep that leading dimension."));
    if constexpr (requires { g.count_block(true, 1LL); }) g.count_block(jvp_side, c);
    return T::batch_as_columns(r);
}

/// J M (jvp_side) or Jᵀ M: one batched call per chunk of columns on a generator with batched
/// products, else one product per column. Results checked.
template <class G>
matrix_t<typename G::backend> product_block(const G& g, const vector_t<typename G::backend>& z,
                                            const matrix_t<typename G::backend>& M, bool jvp_side,
                                            std::string_view where, std::size_t block_bytes);

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

template <class G>
matrix_t<typename G::backend> product_block(const G& g, const vector_t<typename G::backend>& z,
                                            const matrix_t<typename G::backend>& M, bool jvp_side,
                                            std::string_view where, std::size_t block_bytes) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    using I = index_t<B>;
    const auto c = T::cols(M);
    const I len = static_cast<I>(jvp_side ? g.output_dim() : g.latent_dim());
    if constexpr (ProvidesBatchedProducts<G>) {
        const auto chunk = static_cast<I>(block_chunk<B>(block_bytes, static_cast<long long>(len),
                                                         static_cast<long long>(T::batch_size(z))));
        if (chunk >= c) return batched_products_call(where, g, z, M, jvp_side);
        matrix_t<B> out = batched_products_call(where, g, z, T::block_cols(M, 0, chunk), jvp_side);
        for (I j = chunk; j < c; j += chunk)
            out = T::hcat(out, batched_products_call(where, g, z, T::block_cols(M, j, std::min(chunk, c - j)), jvp_side));
        return out;
    } else {
        (void)block_bytes;
        auto out = T::zeros(z, len, c);
        for (I j = 0; j < c; ++j)
            T::set_col(out, j, jvp_side ? jvp_unchecked(g, z, T::col(M, j), where) : vjp_unchecked(g, z, T::col(M, j), where));
        return out;
    }
}

/// J M, one JVP per column of M (a batched call per chunk on generators with batched products).
template <class G>
matrix_t<typename G::backend> jvp_block(const G& g, const vector_t<typename G::backend>& z,
                                        const matrix_t<typename G::backend>& M, std::string_view where = "jvp",
                                        std::size_t block_bytes = default_block_memory_bytes) {
    return product_block(g, z, M, true, where, block_bytes);
}

/// Jᵀ M, one VJP per column of M (a batched call per chunk on generators with batched products).
template <class G>
matrix_t<typename G::backend> vjp_block(const G& g, const vector_t<typename G::backend>& z,
                                        const matrix_t<typename G::backend>& M, std::string_view where = "vjp",
                                        std::size_t block_bytes = default_block_memory_bytes) {
    return product_block(g, z, M, false, where, block_bytes);
}

/// The unit products of one side (columns of J from n JVPs, or of Jᵀ from m VJPs), each checked:
/// chunks of the identity as batched calls on generators with batched products, else a column loop.
template <class G>
matrix_t<typename G::backend> unit_products(const G& g, const vector_t<typename G::backend>& z, bool jvp_side,
                                            std::string_view where, std::size_t block_bytes) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    using I = index_t<B>;
    const I n = static_cast<I>(jvp_side ? g.latent_dim() : g.output_dim());   // directions
    const I len = static_cast<I>(jvp_side ? g.output_dim() : g.latent_dim());  // result length
    if constexpr (ProvidesBatchedProducts<G>) {
        const auto chunk = std::min<I>(n, static_cast<I>(block_chunk<B>(block_bytes, static_cast<long long>(std::max(n, len)),
                                                                         static_cast<long long>(T::batch_size(z)))));
        matrix_t<B> out = batched_products_call(where, g, z, T::unit_columns(z, n, 0, chunk), jvp_side);
        for (I j = chunk; j < n; j += chunk)
            out = T::hcat(out, batched_products_call(where, g, z, T::unit_columns(z, n, j, std::min(chunk, n - j)), jvp_side));
        return out;
    } else {
        (void)block_bytes;
        auto out = T::zeros(z, len, n);
        for (I j = 0; j < n; ++j)
            T::set_col(out, j, jvp_side ? jvp_unchecked(g, z, T::unit(z, n, j), where) : vjp_unchecked(g, z, T::unit(z, n, j), where));
        return out;
    }
}

/// J assembled from n JVPs of the unit vectors (each checked; one batched call per chunk when the
/// generator has batched products).
template <class G>
matrix_t<typename G::backend> jacobian_from_jvps(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where = "jacobian",
                                                 std::size_t block_bytes = default_block_memory_bytes) {
    return unit_products(g, z, true, where, block_bytes);
}

/// J assembled from m VJPs of the unit vectors (Jᵀ by columns, then transposed; each checked).
template <class G>
matrix_t<typename G::backend> jacobian_from_vjps(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where = "jacobian",
                                                 std::size_t block_bytes = default_block_memory_bytes) {
    return backend_traits<typename G::backend>::transpose(unit_products(g, z, false, where, block_bytes));
}

template <class G>
matrix_t<typename G::backend> jacobian_unchecked(const G& g, const vector_t<typename G::backend>& z,
                                                 std::string_view where, std::size_t block_bytes) {
    using B = typename G::backend;
    if constexpr (ProvidesJacobian<G>) {
        matrix_t<B> J = g.jacobian(z);
        if constexpr (!ChecksOwnResults<G>) check_model_matrix<B>(where, J, static_cast<long long>(g.output_dim()),
                                                                 static_cast<long long>(g.latent_dim()));
        return J;
    } else if constexpr (ProvidesJvp<G> && ProvidesVjp<G>) {
        if (g.latent_dim() <= g.output_dim()) return jacobian_from_jvps(g, z, where, block_bytes);
        return jacobian_from_vjps(g, z, where, block_bytes);
    } else if constexpr (ProvidesJvp<G>) {
        return jacobian_from_jvps(g, z, where, block_bytes);
    } else {
        return jacobian_from_vjps(g, z, where, block_bytes);
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
matrix_t<typename G::backend> jacobian(const G& g, const vector_t<typename G::backend>& z,
                                       const jacobian_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    detail::validate_latent("jacobian", g, z);
    if (options.block_memory_bytes < 1)
        throw invalid_argument_error(detail::sentence(
            "jacobian", "options.block_memory_bytes is 0; one batched block of products needs a budget of at least "
                        "one byte (it is rounded up to one product per call)."));
    return detail::jacobian_unchecked(g, z, "jacobian", options.block_memory_bytes);
}

}  // namespace latentwalk
