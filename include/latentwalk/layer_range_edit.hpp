#pragma once
// latentwalk/layer_range_edit.hpp — layer-range (W+) editing: a synthesis network that takes one
// code per layer (L × d, StyleGAN's W+), edited on layers [start, end) only, as a Generator.
//
//     // synthesis: W+ (length 18·512) → image; w_plus: the code to edit (e.g. 18 copies of mapping(z))
//     latentwalk::layer_range_edit edit(synthesis, w_plus, /*layers*/ 18,
//                                       latentwalk::layer_range_preset(latentwalk::layer_preset::coarse));
//     edit(delta);                             // synthesis(w⁺ + P δ): δ ∈ W added to layers 0..3 only
//     latentwalk::tangent_basis(edit, delta0, 5);         // every algorithm runs on it: it is a Generator
//     latentwalk::curve_traversal(edit, delta0, 0, 12, 0.1);
//     auto w_edited = edit.edited_code(2.0 * d);          // the W+ code itself
//
// The wrapper is a DifferentiableGenerator with latent δ ∈ W (length d, declared latent_space::w)
// and the synthesis' output:
//     g(δ) = S(w⁺ + P δ),  P: Rᵈ → R^{L·d} copies δ into each layer l ∈ [start, end) and 0 elsewhere,
//     J_g(δ) = J_S(w⁺ + Pδ) P = Σ_{l ∈ [start, end)} ∂S/∂w_l,   J_gᵀ u = Pᵀ J_Sᵀ u (the layers' sum).
// δ = 0 is the unedited code. It derives jvp/vjp from whatever the synthesis provides
// (latentwalk/derivatives.hpp) and passes linearize through when the synthesis has it.
//
// Layout: a W+ code is a vector of length L·d holding layer l in entries [l·d, (l+1)·d) (StyleGAN's
// [L, d] array flattened row by row); with a batched backend it carries the batch in front.
//
// Presets (layer_range_preset), StyleGAN's style-mixing split by resolution (Karras et al., 2019,
// §3.1; two style inputs per resolution, L = 18 at 1024²), as GANSpace edits layer ranges:
//
// | preset  | layers       | resolutions          |
// |---------|--------------|----------------------|
// | coarse  | [0, 4)       | 4² – 8²              |
// | middle  | [4, 8)       | 16² – 32²            |
// | fine    | [8, L)       | 64² – 1024² (L = 18) |
// | all     | [0, L)       | every layer          |
//
// For another L the same split applies (fine needs L ≥ 9); any [start, end) is a layer_range{start, end}.
//
// Exactness: the entries of the edited code outside [start, end) are w⁺ + 0, equal to w⁺ bit for bit
// (only a stored −0.0 can come back as +0.0), so a synthesis whose layer outputs depend on their own
// layers returns the other layers' outputs bit-identical.
//
// Cost: g(δ) is one synthesis evaluation plus an (L·d)×d product for P δ (P is built once, O(L·d²)
// memory: 4.7 M entries for StyleGAN's 18 × 512); jvp/vjp add the same product.
//
// Errors: dimension_error (w⁺ or the synthesis' latent dimension not L·d, δ of the wrong length),
// invalid_argument_error (layers < 1, a range outside [0, L) or empty, width not dividing; a synthesis
// declaring an input space other than W+; a tagged w⁺ not in W+ or a tagged edit direction not in W),
// numerical_error (NaN/Inf in w⁺ or δ).
#include <string>
#include <utility>
#include <vector>

#include "concepts/generator.hpp"
#include "derivatives.hpp"
#include "detail/validate.hpp"
#include "latent_space.hpp"

namespace latentwalk {

/// Layers [start, end) of a W+ code.
struct layer_range {
    long long start = 0;
    long long end = 0;
};

enum class layer_preset { coarse, middle, fine, all };

inline const char* to_string(layer_preset p) {
    switch (p) {
        case layer_preset::coarse: return "coarse";
        case layer_preset::middle: return "middle";
        case layer_preset::fine: return "fine";
        case layer_preset::all: return "all";
    }
    return "unknown";
}

/// The preset's range for a synthesis with `layers` style inputs (see the table in the header comment).
inline layer_range layer_range_preset(layer_preset p, long long layers = 18) {
    const char* where = "layer_range_preset";
    if (layers < 1)
        throw invalid_argument_error(detail::sentence(where, "layers = " + detail::number(layers) + "; it must be ≥ 1."));
    layer_range r{};
    switch (p) {
        case layer_preset::coarse: r = {0, 4}; break;
        case layer_preset::middle: r = {4, 8}; break;
        case layer_preset::fine: r = {8, layers}; break;
        case layer_preset::all: r = {0, layers}; break;
    }
    if (r.end > layers || r.start >= r.end)
        throw invalid_argument_error(detail::sentence(
            where, std::string("the ") + to_string(p) + " preset is layers [" + detail::number(r.start) + ", " +
                       detail::number(r.end) + ") but the synthesis has " + detail::number(layers) +
                       " layers; give a layer_range{start, end} instead."));
    return r;
}

namespace detail {
/// P: (layers·width) × width, an identity block in each layer of [start, end) and zeros elsewhere.
template <class B>
matrix_t<B> layer_placement(const vector_t<B>& like, long long layers, long long width, long long start, long long end) {
    using T = backend_traits<B>;
    auto P = T::zeros(like, static_cast<index_t<B>>(layers * width), static_cast<index_t<B>>(width));
    std::vector<double> column(static_cast<std::size_t>(layers * width), 0.0);
    for (long long j = 0; j < width; ++j) {
        for (long long l = start; l < end; ++l) column[static_cast<std::size_t>(l * width + j)] = 1.0;
        T::set_col(P, static_cast<index_t<B>>(j), T::from_values(like, column));
        for (long long l = start; l < end; ++l) column[static_cast<std::size_t>(l * width + j)] = 0.0;
    }
    return P;
}
}  // namespace detail

template <class S>
class layer_range_edit {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(S);
    using B = typename S::backend;
    using T = backend_traits<B>;

public:
    using backend = B;

    /// synthesis: a DifferentiableGenerator taking W+ codes of length layers·d; w_plus: the code edited.
    layer_range_edit(S synthesis, vector_t<B> w_plus, long long layers, layer_range range)
        : s_(std::move(synthesis)), base_(std::move(w_plus)), layers_(layers), range_(range) {
        const char* where = "layer_range_edit";
        detail::require_space(where, "the synthesis network's input", input_space_of(s_), latent_space::w_plus,
                              "a layer-range edit's synthesis input");
        if (layers_ < 1)
            throw invalid_argument_error(detail::sentence(where, "layers = " + detail::number(layers_) + "; it must be ≥ 1."));
        const auto total = static_cast<long long>(s_.latent_dim());
        if (total % layers_ != 0)
            throw dimension_error(detail::sentence(where, "the synthesis' latent dimension " + detail::number(total) +
                                                              " is not a multiple of layers = " + detail::number(layers_) +
                                                              ", so it is not an L × d W+ code."));
        width_ = total / layers_;
        detail::require_length<B>(where, "w_plus", base_, total, "the synthesis' latent dimension (layers × width)");
        detail::require_finite<B>(where, "w_plus", base_);
        if (range_.start < 0 || range_.end > layers_ || range_.start >= range_.end)
            throw invalid_argument_error(detail::sentence(
                where, "the layer range [" + detail::number(range_.start) + ", " + detail::number(range_.end) +
                           ") is empty or outside the synthesis' layers [0, " + detail::number(layers_) + ")."));
        place_ = detail::layer_placement<B>(base_, layers_, width_, range_.start, range_.end);
    }

    /// w_plus tagged with its space: it must be a W+ code.
    layer_range_edit(S synthesis, const in_space<vector_t<B>>& w_plus, long long layers, layer_range range)
        : layer_range_edit(std::move(synthesis),
                           detail::untag<B>("layer_range_edit", "w_plus", w_plus, latent_space::w_plus,
                                            "a layer-range edit's base code"),
                           layers, range) {}

    index_t<B> latent_dim() const { return static_cast<index_t<B>>(width_); }
    auto output_dim() const { return s_.output_dim(); }
    latent_space input_space() const { return latent_space::w; }
    latent_space output_space() const { return output_space_of(s_); }

    long long layers() const { return layers_; }
    long long width() const { return width_; }
    layer_range range() const { return range_; }
    const vector_t<B>& base_code() const { return base_; }
    const S& synthesis() const { return s_; }

    /// The edited W+ code w⁺ + P δ (layers outside the range unchanged).
    vector_t<B> edited_code(const vector_t<B>& delta) const {
        check_delta("layer_range_edit::edited_code", delta);
        return T::add(base_, T::matvec(place_, delta));
    }
    /// δ tagged with its space: an edit direction must live in W.
    vector_t<B> edited_code(const in_space<vector_t<B>>& delta) const {
        return edited_code(detail::untag<B>("layer_range_edit::edited_code", "the edit", delta, latent_space::w,
                                            "a layer-range edit's latent space"));
    }

    vector_t<B> operator()(const vector_t<B>& delta) const { return s_(edited_code(delta)); }

    vector_t<B> jvp(const vector_t<B>& delta, const vector_t<B>& v) const {
        check_delta("layer_range_edit::jvp", v);
        return detail::jvp_unchecked(s_, edited_code(delta), T::matvec(place_, v));
    }
    vector_t<B> vjp(const vector_t<B>& delta, const vector_t<B>& u) const {
        detail::require_length<B>("layer_range_edit::vjp", "u", u, static_cast<long long>(s_.output_dim()),
                                  "the synthesis' output dimension");
        return T::tmatvec(place_, detail::vjp_unchecked(s_, edited_code(delta), u));
    }

    /// The synthesis' linearization at w⁺ + Pδ seen through P (only when the synthesis has linearize).
    auto linearize(const vector_t<B>& delta) const
        requires ProvidesLinearization<S>
    {
        struct linearization {
            decltype(std::declval<const S&>().linearize(std::declval<const vector_t<B>&>())) inner;
            const matrix_t<B>* place;
            vector_t<B> jvp(const vector_t<B>& v) const { return inner.jvp(T::matvec(*place, v)); }
            vector_t<B> vjp(const vector_t<B>& u) const { return T::tmatvec(*place, inner.vjp(u)); }
        };
        return linearization{s_.linearize(edited_code(delta)), &place_};
    }

private:
    void check_delta(const char* where, const vector_t<B>& x) const {
        detail::require_length<B>(where, "the edit", x, width_, "the W width d of one layer");
        detail::require_finite<B>(where, "the edit", x);
    }

    S s_;
    vector_t<B> base_;
    long long layers_;
    long long width_ = 0;
    layer_range range_;
    matrix_t<B> place_;
};

/// A W code repeated on every layer: the W+ code that StyleGAN's synthesis sees for w = mapping(z)
/// (through the same placement matrix as layer_range_edit: O(L·d²) once).
template <class B>
vector_t<B> broadcast_to_layers(const vector_t<B>& w, long long layers) {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    if (layers < 1)
        throw invalid_argument_error(
            detail::sentence("broadcast_to_layers", "layers = " + detail::number(layers) + "; it must be ≥ 1."));
    detail::require_finite<B>("broadcast_to_layers", "w", w);
    return T::matvec(detail::layer_placement<B>(w, layers, static_cast<long long>(T::size(w)), 0, layers), w);
}

}  // namespace latentwalk
