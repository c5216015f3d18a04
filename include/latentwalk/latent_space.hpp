#pragma once
// latentwalk/latent_space.hpp — which space a code or a direction lives in (Z, W, W+, ...), so that
// a W-space direction applied to a Z-space generator fails with a sentence instead of silently
// walking a meaningless line.
//
//     auto mapping = latentwalk::with_spaces(mlp, latentwalk::latent_space::z, latentwalk::latent_space::w);
//     auto d = latentwalk::tag(ganspace_w_direction, latentwalk::latent_space::w);
//     latentwalk::linear_traversal(mapping, z0, d, 10, 0.1);   // throws: the direction is in W, the input in Z
//     latentwalk::subspace_traversal(mapping, z0, d, 3, 10, 0.1, {.side = latentwalk::subspace_side::output});  // fine
//
// A generator declares its spaces with the optional members `latent_space input_space() const`
// and `latent_space output_space() const`; `with_spaces(g, in, out)` attaches them to any generator
// (it forwards g(z), jvp, vjp, jacobian and linearize untouched). layer_range_edit
// (latentwalk/layer_range_edit.hpp) declares its input as W and checks that its synthesis network
// takes W+. A code or direction is tagged with `tag(x, space)` (an `in_space<V>`: the vector and its
// space). The functions that take directions accept a tagged one and check it:
//
// | function                                   | a tagged argument must live in                          |
// |--------------------------------------------|---------------------------------------------------------|
// | linear_traversal(g, z0, d, ...)            | z0, d: g's input space                                  |
// | curve_traversal(g, z0, ...)                | z0: g's input space                                     |
// | subspace_traversal(g, z0, d, ...)          | z0: the input space; d: the input (side latent) or      |
// |                                            | output space (side output)                              |
// | project_onto_local_subspace(g, z, d, ...)  | as subspace_traversal                                   |
// | guided_curve_traversal(g, z0, guide, ...)  | z0: the input space; guide: the output space            |
// | layer_range_edit(s, w_plus, ...)           | w_plus: W+; edit directions: W                          |
//
// Conventions. The check is made "where the library can": when either side is
// `latent_space::unspecified` (an untagged vector, or a generator that does not declare its spaces)
// nothing is checked. Tags are runtime values, so a check costs one comparison.
//
// Errors: invalid_argument_error when the tagged space and the expected one are both specified and
// differ; the sentence names the function, the argument, both spaces, and what to do.
#include <string>
#include <type_traits>
#include <utility>

#include "concepts/generator.hpp"
#include "detail/validate.hpp"

namespace latentwalk {

enum class latent_space {
    unspecified,  ///< not declared: nothing is checked
    z,            ///< the prior's space (StyleGAN's Z, a VAE's latent)
    w,            ///< an intermediate latent space (StyleGAN's W: the mapping network's output)
    w_plus,       ///< per-layer codes, L × d stacked layer by layer (StyleGAN's W+)
    feature,      ///< an intermediate activation of a synthesis network (GANSpace's BigGAN layer)
    image         ///< the generator's final output
};

inline const char* to_string(latent_space s) {
    switch (s) {
        case latent_space::unspecified: return "an unspecified space";
        case latent_space::z: return "Z";
        case latent_space::w: return "W";
        case latent_space::w_plus: return "W+";
        case latent_space::feature: return "a feature space";
        case latent_space::image: return "the image space";
    }
    return "an unknown space";
}

/// A vector together with the space it lives in.
template <class V>
struct in_space {
    V value;
    latent_space space = latent_space::unspecified;
};

/// x tagged as living in `space`.
template <class V>
in_space<std::decay_t<V>> tag(V&& x, latent_space space) {
    return {std::forward<V>(x), space};
}

/// The space g's latent codes live in (g.input_space() when it has one).
template <class G>
latent_space input_space_of(const G& g) {
    if constexpr (requires { { g.input_space() } -> std::convertible_to<latent_space>; }) {
        return g.input_space();
    } else {
        return latent_space::unspecified;
    }
}

/// The space g's outputs live in (g.output_space() when it has one).
template <class G>
latent_space output_space_of(const G& g) {
    if constexpr (requires { { g.output_space() } -> std::convertible_to<latent_space>; }) {
        return g.output_space();
    } else {
        return latent_space::unspecified;
    }
}

/// Any Generator with declared input and output spaces; everything else is forwarded unchanged.
template <class G>
class space_tagged_generator {
    LATENTWALK_REQUIRE_GENERATOR(G);
    using B = typename G::backend;

public:
    using backend = B;

    space_tagged_generator(G g, latent_space input, latent_space output)
        : g_(std::move(g)), input_(input), output_(output) {}

    auto latent_dim() const { return g_.latent_dim(); }
    auto output_dim() const { return g_.output_dim(); }
    latent_space input_space() const { return input_; }
    latent_space output_space() const { return output_; }
    vector_t<B> operator()(const vector_t<B>& z) const { return g_(z); }

    vector_t<B> jvp(const vector_t<B>& z, const vector_t<B>& v) const
        requires ProvidesJvp<G>
    {
        return g_.jvp(z, v);
    }
    vector_t<B> vjp(const vector_t<B>& z, const vector_t<B>& u) const
        requires ProvidesVjp<G>
    {
        return g_.vjp(z, u);
    }
    matrix_t<B> jacobian(const vector_t<B>& z) const
        requires ProvidesJacobian<G>
    {
        return g_.jacobian(z);
    }
    auto linearize(const vector_t<B>& z) const
        requires ProvidesLinearization<G>
    {
        return g_.linearize(z);
    }

    const G& base() const { return g_; }

private:
    G g_;
    latent_space input_, output_;
};

/// g with declared spaces: with_spaces(mapping, latent_space::z, latent_space::w).
template <Generator G>
space_tagged_generator<G> with_spaces(G g, latent_space input, latent_space output) {
    return {std::move(g), input, output};
}

namespace detail {

template <class X>
struct is_in_space : std::false_type {};
template <class V>
struct is_in_space<in_space<V>> : std::true_type {};

/// X is an in_space<…> (a tagged vector).
template <class X>
concept SpaceTagged = is_in_space<std::remove_cvref_t<X>>::value;

/// X is the backend's vector or a tagged one.
template <class X, class B>
concept VectorOrTagged = std::convertible_to<const X&, const vector_t<B>&> ||
                         (SpaceTagged<X> && std::convertible_to<decltype(std::declval<const X&>().value), vector_t<B>>);

/// Throws when both spaces are specified and differ. `expected_what` says whose space it is
/// ("the generator's input space").
inline void require_space(std::string_view where, std::string_view name, latent_space got, latent_space expected,
                          std::string_view expected_what) {
    if (got == latent_space::unspecified || expected == latent_space::unspecified || got == expected) return;
    throw invalid_argument_error(sentence(
        where, std::string(name) + " is tagged as living in " + to_string(got) + " but " + std::string(expected_what) +
                   " is " + to_string(expected) + "; a vector of one space applied in another walks a meaningless "
                   "direction. Map it into " + to_string(expected) + " first, or call this on a generator whose "
                   "space it is (e.g. the synthesis network wrapped by layer_range_edit for W and W+ directions)."));
}

/// The vector of a tagged argument after its space was checked; an untagged one as it is.
template <class B, class X>
vector_t<B> untag(std::string_view where, std::string_view name, const X& x, latent_space expected,
                         std::string_view expected_what) {
    if constexpr (SpaceTagged<X>) {
        require_space(where, name, x.space, expected, expected_what);
        return x.value;
    } else {
        return x;
    }
}

}  // namespace detail

}  // namespace latentwalk
