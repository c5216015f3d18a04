#pragma once
// latentwalk/traversal/linear_traversal.hpp — straight lines z₀ + s·ε·d̂ (GANSpace, SeFa, any vector).
//
//     auto path = latentwalk::linear_traversal<B>(z0, d, steps, eps);          // z₀ … z₀ + N ε d̂
//     auto path = latentwalk::linear_traversal(g, z0, d, steps, eps, {.both_sides = true});  // + frames g(z)
// d is normalized unless options.normalize is false (then the step is ε·d). The points are
// z₀ + k ε d̂ for k = 0..N (or −N..N with both_sides, negative side first); times are k ε;
// directions hold d̂ at every point. Works on any vectors, so a line in the output space (to
// compare with a curve traversal that stays on the manifold) is the same call.
//
// Errors: dimension_error (sizes; a generator whose g(z) has the wrong length), invalid_argument_error
// (steps < 1 or above detail::max_steps_per_call, zero step), numerical_error (NaN/Inf in the inputs, a
// zero direction, a point that overflows to Inf, a frame g(z) that comes back NaN or Inf).
#include <string>
#include <utility>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../latent_space.hpp"
#include "../detail/traversal_support.hpp"
#include "trajectory.hpp"

namespace latentwalk {

struct linear_traversal_options {
    bool both_sides = false;  ///< also walk towards −d
    bool normalize = true;    ///< use d/‖d‖
};

/// The line through z0 along direction (vectors of one backend B).
template <class B>
trajectory<B> linear_traversal(const vector_t<B>& z0, const vector_t<B>& direction, long long steps, double step,
                               const linear_traversal_options& options = {}) {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const char* where = "linear_traversal";
    detail::require_step_count(where, "steps", steps);
    detail::require_nonzero_finite_step(where, "step", step);
    detail::require_length<B>(where, "direction", direction, static_cast<long long>(T::size(z0)), "the length of z0");
    detail::require_finite<B>(where, "z0", z0);
    detail::require_finite<B>(where, "direction", direction);
    vector_t<B> d = direction;
    if (options.normalize) {
        const auto nd = T::norm(direction);
        if (T::host_min(nd) <= 0.0)
            throw numerical_error(detail::sentence(where, "the direction is zero, so it cannot be normalized."));
        d = T::scale(direction, S(1) / nd);
    }
    trajectory<B> path;
    const long long lo = options.both_sides ? -steps : 0;
    for (long long k = lo; k <= steps; ++k) {
        const double s = static_cast<double>(k) * step;
        auto z = T::axpy(S(s), d, z0);
        if (!T::all_finite(z))
            throw numerical_error(detail::sentence(
                where, "the point z0 + k·step·d at k = " + detail::number(k) + " (step = " + detail::number(step) +
                           ") overflows to Inf; the line leaves the floating-point range, so use a smaller step."));
        path.points.push_back(std::move(z));
        path.times.push_back(s);
        path.directions.push_back(d);
    }
    path.start_index = static_cast<std::size_t>(-lo);
    return path;
}

template <class G, class V, class... Args>
    requires(!Generator<G> && !Backend<G>)
auto linear_traversal(const G&, const V&, const Args&...) {
    LATENTWALK_REQUIRE_GENERATOR(G);
}

/// The latent line with the generator's outputs recorded as frames (path.outputs).
template <Generator G>
trajectory<typename G::backend> linear_traversal(const G& g, const vector_t<typename G::backend>& z0,
                                                 const vector_t<typename G::backend>& direction, long long steps,
                                                 double step, const linear_traversal_options& options = {}) {
    using B = typename G::backend;
    const char* where = "linear_traversal";
    detail::require_length<B>(where, "z0", z0, static_cast<long long>(g.latent_dim()),
                              "the generator's latent dimension");
    auto path = linear_traversal<B>(z0, direction, steps, step, options);
    path.outputs.reserve(path.size());
    for (const auto& z : path.points) path.outputs.push_back(detail::evaluate(where, g, z));
    return path;
}

/// z0 and/or the direction tagged with their space (latentwalk/latent_space.hpp): both must live in
/// g's input space.
template <Generator G, class Z0, class D>
    requires(detail::SpaceTagged<Z0> || detail::SpaceTagged<D>) && detail::VectorOrTagged<Z0, typename G::backend> &&
            detail::VectorOrTagged<D, typename G::backend>
trajectory<typename G::backend> linear_traversal(const G& g, const Z0& z0, const D& direction, long long steps,
                                                 double step, const linear_traversal_options& options = {}) {
    using B = typename G::backend;
    const char* where = "linear_traversal";
    const auto in = input_space_of(g);
    return linear_traversal(g, detail::untag<B>(where, "z0", z0, in, "the generator's input space"),
                            detail::untag<B>(where, "the direction", direction, in, "the generator's input space"), steps, step,
                            options);
}

}  // namespace latentwalk
