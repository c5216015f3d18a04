#pragma once
// latentwalk/concepts/generator.hpp — Generator and DifferentiableGenerator.
//
// A generator is a map f: Z = Rⁿ → W = Rᵐ (a full generator, or a *partial* one: latent →
// intermediate feature, as in Local Basis and DP-LaSE). With a batched backend, z carries leading
// batch dimensions and f acts per sample.
//
// Table of valid expressions. G: the generator type; g: const G; B = G::backend;
// z, v: vector_t<B> of length n; u: vector_t<B> of length m.
//
// | expression          | returns       | meaning                                  | required?            | cost           |
// |---------------------|---------------|------------------------------------------|----------------------|----------------|
// | G::backend          | type          | a Backend tag                            | Generator            | —              |
// | g.latent_dim()      | integral      | n                                        | Generator            | O(1)           |
// | g.output_dim()      | integral      | m                                        | Generator            | O(1)           |
// | g(z)                | vector_t<B>   | f(z) (length m)                          | Generator            | 1 evaluation   |
// | g.jvp(z, v)         | vector_t<B>   | J(z) v (length m)                        | one of these three   | ≈ 1–3 evals    |
// | g.vjp(z, u)         | vector_t<B>   | J(z)ᵀ u (length n)                       | for Differentiable-  | ≈ 1–3 evals    |
// | g.jacobian(z)       | matrix_t<B>   | J(z), m×n                                | Generator            | ≈ min(n,m) JVPs|
// | g.linearize(z)      | L             | the linear map J(z), with f(z) cached    | optional             | ≈ 1 evaluation |
// | L.jvp(v), L.vjp(u)  | vector_t<B>   | J(z) v, J(z)ᵀ u at the linearized z      | with linearize       | ≈ 1 evaluation |
//
// | G::batched_products| bool constant | jvp/vjp act sample by sample over any    | optional (batched    | —              |
// |                     |               | leading dims, broadcasting z's and v's   | backends)            |                |
//
// batched_products = true is a promise a model on a batched backend may make (torch::module_generator
// and torchscript_generator do): g.jvp(z, V) with V of shape [c, ..., n] (c directions stacked in a new
// leading dimension) returns [c, ..., m], z's leading dimensions broadcasting against V's (and likewise
// vjp, and linearize's products). The derivation layer then asks a block of c products — a Jacobian, the
// randomized method's sketches — as one batched call (chunked to a memory budget), which is what makes
// a dense Jacobian of a network cost one batched pass instead of n sequential ones (derivatives.hpp).
//
// linearize is an optimisation a model may offer (like JAX's linearize): matrix-free algorithms
// that ask many products at one z (tangent_basis's Lanczos and randomized methods) then pay the
// forward pass once. The library never requires it.
//
// The library derives what a DifferentiableGenerator does not provide (latentwalk/derivatives.hpp):
// jacobian from JVPs (n products) or VJPs (m products), whichever is fewer; jvp and vjp from
// jacobian. Finite differences are never used implicitly: wrap a plain Generator in
// latentwalk::finite_differences (latentwalk/finite_differences.hpp) to ask for them.
//
// Models shipped (adapters/eigen): linear_generator, sphere_embedding, torus_embedding,
// mlp_generator. Archetypes: tests/static/archetypes.hpp.
#include <concepts>

#include "backend.hpp"

namespace latentwalk {

template <class G>
concept Generator =
    requires { typename G::backend; } && Backend<typename G::backend> &&
    requires(const G& g, const vector_t<typename G::backend>& z) {
        { g.latent_dim() } -> std::convertible_to<index_t<typename G::backend>>;
        { g.output_dim() } -> std::convertible_to<index_t<typename G::backend>>;
        { g(z) } -> std::convertible_to<vector_t<typename G::backend>>;
    };

/// The generator provides J(z) v itself.
template <class G>
concept ProvidesJvp = Generator<G> && requires(const G& g, const vector_t<typename G::backend>& z) {
    { g.jvp(z, z) } -> std::convertible_to<vector_t<typename G::backend>>;
};

/// The generator provides J(z)ᵀ u itself.
template <class G>
concept ProvidesVjp = Generator<G> && requires(const G& g, const vector_t<typename G::backend>& z) {
    { g.vjp(z, z) } -> std::convertible_to<vector_t<typename G::backend>>;
};

/// The generator provides the full Jacobian itself.
template <class G>
concept ProvidesJacobian = Generator<G> && requires(const G& g, const vector_t<typename G::backend>& z) {
    { g.jacobian(z) } -> std::convertible_to<matrix_t<typename G::backend>>;
};

/// The generator can linearize itself at z: L = g.linearize(z) answers L.jvp(v) and L.vjp(u)
/// without repeating the forward pass (optional; see the table above).
template <class G>
concept ProvidesLinearization = Generator<G> && requires(const G& g, const vector_t<typename G::backend>& z) {
    { g.linearize(z).jvp(z) } -> std::convertible_to<vector_t<typename G::backend>>;
    { g.linearize(z).vjp(g(z)) } -> std::convertible_to<vector_t<typename G::backend>>;
};

/// The generator's products accept a block of directions in a new leading dimension (see
/// G::batched_products above) and its backend can stack matrix columns that way.
template <class G>
concept ProvidesBatchedProducts = Generator<G> && BackendBlockProducts<typename G::backend> &&
                                  requires { requires static_cast<bool>(G::batched_products); };

template <class G>
concept DifferentiableGenerator = Generator<G> && (ProvidesJvp<G> || ProvidesVjp<G> || ProvidesJacobian<G>);

}  // namespace latentwalk

/// static_assert sentences for the public entry points taking generators. Each sentence fires only
/// when the ones before it hold, so a type without `backend`, or with a broken call operator,
/// reads one true sentence and not also "provides none of jvp, vjp or jacobian".
#define LATENTWALK_REQUIRE_GENERATOR(G)                                                                      \
    static_assert(requires { typename G::backend; },                                                         \
                  "latentwalk: this type is not a Generator: it has no member type `backend` naming its "   \
                  "backend tag (e.g. using backend = latentwalk::eigen::backend<double>;). See "            \
                  "latentwalk/concepts/generator.hpp.");                                                     \
    static_assert(!requires { typename G::backend; } || ::latentwalk::Generator<G>,                          \
                  "latentwalk: this type is not a Generator: it needs latent_dim(), output_dim() and a "    \
                  "call operator g(z) returning the output vector. See latentwalk/concepts/generator.hpp.")

#define LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G)                                                       \
    LATENTWALK_REQUIRE_GENERATOR(G);                                                                         \
    static_assert(!::latentwalk::Generator<G> || ::latentwalk::DifferentiableGenerator<G>,                   \
                  "latentwalk: this Generator is not a DifferentiableGenerator: it provides none of "       \
                  "jvp(z, v), vjp(z, u) or jacobian(z). Add one of them, or wrap it in "                    \
                  "latentwalk::finite_differences to use finite differences explicitly.")
