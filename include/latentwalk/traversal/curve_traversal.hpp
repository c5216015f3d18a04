#pragma once
// latentwalk/traversal/curve_traversal.hpp — Iterative Curve-Traversal (Choi et al., ICLR 2022, "Local Basis").
//
//     auto path = latentwalk::curve_traversal(g, z0, /*component*/ 0, /*steps*/ 12, /*ε*/ 0.1);
//     path.outputs;                      // the frames g(z), negative side first
//     path.diagnostic("escape");         // how far the naive linear step would have left f(Z)
//
// Start at z₀ with the local basis J(z₀) = U Σ Vᵀ and the chosen component i. Each step:
//   z ← z + (ε/σ_i) v_i        (the output then moves ≈ ε: J v_i = σ_i u_i; `scale_by_singular_value`
//                               off: z ← z + ε v_i)
//   recompute J(z) = U Σ Vᵀ, follow the component j whose output direction u_j has the largest
//   |cos| with the previous output direction, and fix the sign of the new pair (u_j, v_j) by
//   `sign_rule` (below); the pair is always flipped together so J v_j = σ_j u_j stays true.
// Both sides of z₀ are walked (the negative side starts along −v_i) unless `both_sides` is off.
// The trajectory holds the points (negative side first), signed times k·ε, the unit latent
// directions followed, the frames g(z) (`outputs`), and the diagnostics "sigma" (σ of the followed
// component), "abs_cos" (|cos| between consecutive output directions, 1 at z₀), "component", and
// "escape": ‖g(z_{k+1}) − (g(z_k) ± ε u_k)‖, the distance of the naive linear step in W from the
// point the curve actually reaches (0 at z₀; ε is the output-side step, ± the side walked).
//
// Conventions (the paper's reading first, the authors' notebook code as named options):
//
// | option          | default (the paper, DESIGN §3.3)                 | the released code (iterative_curve-traversal, localbasis_utils.py) |
// |-----------------|--------------------------------------------------|--------------------------------------------------------------------|
// | sign_rule       | curve_sign_rule::output_cosine: flip the pair so  | curve_sign_rule::latent_dot: flip the whole new V by the sign of   |
// |                 | that ⟨u_prev, u_new⟩ > 0 (continuous in W)        | ⟨v_prev, v_new⟩ (continuous in Z; the code negates V only, its U   |
// |                 |                                                  | sign is unused there since matching is by |cos|)                    |
// | keep_steps      | empty: every step is a frame                      | the code's frames: curve_frame_steps(3, 12) = {3, 7, 11} of 12     |
// |                 |                                                  | steps per side (0-based: the points after 4, 8 and 12 steps)        |
// | follow_component| true: match by the largest |cos| of u (the paper) | false: keep index i at every step (the code's compare_basis=False) |
//
// Away from singular-value crossings and folds both sign rules agree (J changes little per step, so
// v_new ≈ s v_prev and u_new ≈ s u_prev with one sign s). Where J jumps — a fold of a piecewise-
// linear generator, a leaky-ReLU region boundary, the followed component switching rank — they can
// disagree: the U rule turns back in Z to keep moving forward in W; the V rule keeps going in Z.
// The released code's step is 2σ/num_steps unscaled by default (scale=False); here the step is
// `step` and `scale_by_singular_value` (default on) divides it by σ_i as DESIGN §3.3 states.
//
// Cost per step: one tangent_basis(g, z, k) (k = options.basis_rank, default all min(n, m); with
// the default method that is one Jacobian from the cheapest products and a thin SVD), plus one
// evaluation g(z) for the frames and the escape diagnostic.
// The component switching is a per-sample decision: this traversal runs one latent code at a time
// (its small host-side comparisons go through T::host_value).
//
// Errors: dimension_error (z₀ length, component ≥ min(n, m), a generator result of the wrong
// shape), invalid_argument_error (steps < 1 or above detail::max_steps_per_call,
// zero or non-finite step, keep_steps not increasing or outside 0..steps − 1), numerical_error
// (NaN/Inf in the inputs or in what the generator returns, σ = 0 while scaling by it).
#include <cmath>
#include <string>
#include <vector>

#include "../concepts/generator.hpp"
#include "../latent_space.hpp"
#include "../derivatives.hpp"
#include "../tangent/tangent_basis.hpp"
#include "../detail/traversal_support.hpp"
#include "trajectory.hpp"

namespace latentwalk {

/// How the sign of the next singular pair is chosen (see the table in the header comment).
enum class curve_sign_rule {
    output_cosine,  ///< ⟨u_prev, u_new⟩ > 0 — the paper's continuity in W (default)
    latent_dot,     ///< ⟨v_prev, v_new⟩ > 0 — the authors' released code
};

/// The released code's frame steps: for `frames_per_side` frames out of `steps_per_side` steps, the
/// 0-based step indices ⌊i/f · s⌋ − 1 for i = 1..f (f = 3, s = 12: {3, 7, 11}). Throws
/// invalid_argument_error unless 1 ≤ frames_per_side ≤ steps_per_side.
inline std::vector<long long> curve_frame_steps(long long frames_per_side, long long steps_per_side) {
    if (frames_per_side < 1 || frames_per_side > steps_per_side)
        throw invalid_argument_error(detail::sentence(
            "curve_frame_steps", "needs 1 ≤ frames_per_side ≤ steps_per_side but they are " +
                                     detail::number(frames_per_side) + " and " + detail::number(steps_per_side) + "."));
    std::vector<long long> out;
    for (long long i = 1; i <= frames_per_side; ++i) out.push_back(i * steps_per_side / frames_per_side - 1);
    return out;
}

struct curve_traversal_options {
    bool scale_by_singular_value = true;  ///< step ε/σ in the latent space (output moves ≈ ε)
    bool both_sides = true;               ///< walk along −v_i as well
    bool record_outputs = true;           ///< keep the frames g(z)
    curve_sign_rule sign_rule = curve_sign_rule::output_cosine;  ///< the paper's; latent_dot is the code's
    bool follow_component = true;         ///< match by |cos| (the paper); false keeps the index (code default)
    /// 0-based step indices kept per side (strictly increasing, < steps); empty keeps every step.
    /// The start point is always kept. curve_frame_steps(3, 12) gives the code's {3, 7, 11}.
    std::vector<long long> keep_steps{};
    /// Number k of leading singular directions computed at each point and searched for the best
    /// match; 0 means all min(n, m). The followed component must be < k.
    long long basis_rank = 0;
    tangent_basis_options basis{};        ///< how tangent_basis computes them (method, tolerance, ...)
};

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
auto curve_traversal(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

template <DifferentiableGenerator G>
trajectory<typename G::backend> curve_traversal(const G& g, const vector_t<typename G::backend>& z0,
                                                long long component, long long steps, double step,
                                                const curve_traversal_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const char* where = "curve_traversal";
    detail::validate_latent(where, g, z0);
    detail::require_step_count(where, "steps", steps);
    detail::require_nonzero_finite_step(where, "step", step);
    const long long full = std::min<long long>(g.latent_dim(), g.output_dim());
    if (options.basis_rank < 0 || options.basis_rank > full)
        throw dimension_error(detail::sentence(where, "options.basis_rank = " + detail::number(options.basis_rank) +
                                                          " is outside 0.." + detail::number(full) + "."));
    const long long r = options.basis_rank > 0 ? options.basis_rank : full;
    for (std::size_t i = 0; i < options.keep_steps.size(); ++i) {
        const long long k = options.keep_steps[i];
        if (k < 0 || k >= steps || (i > 0 && k <= options.keep_steps[i - 1]))
            throw invalid_argument_error(detail::sentence(
                where, "options.keep_steps must be strictly increasing step indices in 0.." + detail::number(steps - 1) +
                           " but entry " + detail::number(i) + " is " + detail::number(k) + "."));
    }
    if (component < 0 || component >= r)
        throw dimension_error(detail::sentence(where, "component " + detail::number(component) +
                                                          " does not exist: the traversal uses " + detail::number(r) +
                                                          " singular directions (min(n, m) = " + detail::number(full) +
                                                          ")."));
    auto local_basis = [&](const vector_t<B>& z) {
        auto tb = tangent_basis(g, z, r, options.basis);
        return tb;
    };

    struct state {
        vector_t<B> z, u, v, w;  // w = g(z)
        double sigma, abs_cos, escape;
        long long comp;
    };
    const auto svd0 = local_basis(z0);
    const auto c0 = static_cast<index_t<B>>(component);
    const vector_t<B> w0 = detail::evaluate(where, g, z0);

    auto walk = [&](double side) {
        std::vector<state> out;
        state s{z0, T::scale(T::col(svd0.output_basis, c0), S(side)), T::scale(T::col(svd0.latent_basis, c0), S(side)),
                w0, T::host_value(T::element(svd0.singular_values, c0)), 1.0, 0.0, component};
        for (long long k = 0; k < steps; ++k) {
            double h = step;
            if (options.scale_by_singular_value) {
                if (!(s.sigma > 0.0))
                    throw numerical_error(detail::sentence(
                        where, "the followed singular value is zero after " + detail::number(k) +
                                   " steps, so the step ε/σ is undefined; the generator is singular along this curve."));
                h = step / s.sigma;
            }
            state next;
            next.z = T::axpy(S(h), s.v, s.z);
            detail::require_finite_result<B>(where, "the traversal point", next.z);
            const auto svd = local_basis(next.z);
            // the component whose output direction is most parallel to the previous one
            const auto cosines = T::to_host(T::tmatvec(svd.output_basis, s.u));  // one sample: host-side argmax
            long long best = s.comp;
            if (options.follow_component) {
                best = 0;
                for (long long j = 1; j < r; ++j)
                    if (std::abs(cosines[static_cast<std::size_t>(j)]) > std::abs(cosines[static_cast<std::size_t>(best)]))
                        best = j;
            }
            const double c = cosines[static_cast<std::size_t>(best)];
            const auto jb = static_cast<index_t<B>>(best);
            const double orient = options.sign_rule == curve_sign_rule::output_cosine
                                      ? c
                                      : T::host_value(T::dot(s.v, T::col(svd.latent_basis, jb)));
            const double sgn = orient < 0 ? -1.0 : 1.0;
            next.u = T::scale(T::col(svd.output_basis, jb), S(sgn));
            next.v = T::scale(T::col(svd.latent_basis, jb), S(sgn));
            next.sigma = T::host_value(T::element(svd.singular_values, jb));
            next.abs_cos = std::abs(c);
            next.comp = best;
            // escape: the naive step in W, w + ε u (u carries the side), against the point reached
            next.w = detail::evaluate(where, g, next.z);
            next.escape = T::host_value(T::norm(T::sub(next.w, T::axpy(S(step), s.u, s.w))));
            out.push_back(next);
            s = std::move(next);
        }
        return out;
    };

    const auto pos = walk(1.0);
    std::vector<state> neg;
    if (options.both_sides) neg = walk(-1.0);

    trajectory<B> path;
    auto& sig = path.diagnostics["sigma"];
    auto& cosd = path.diagnostics["abs_cos"];
    auto& comp = path.diagnostics["component"];
    auto& esc = path.diagnostics["escape"];
    auto push = [&](const state& s, double t) {
        path.points.push_back(s.z);
        path.times.push_back(t);
        path.directions.push_back(s.v);
        if (options.record_outputs) path.outputs.push_back(s.w);
        sig.push_back(s.sigma);
        cosd.push_back(s.abs_cos);
        comp.push_back(static_cast<double>(s.comp));
        esc.push_back(s.escape);
    };
    // the kept step indices per side (all when keep_steps is empty)
    std::vector<std::size_t> kept;
    if (options.keep_steps.empty()) {
        for (long long k = 0; k < steps; ++k) kept.push_back(static_cast<std::size_t>(k));
    } else {
        for (long long k : options.keep_steps) kept.push_back(static_cast<std::size_t>(k));
    }
    if (options.both_sides)
        for (std::size_t i = kept.size(); i-- > 0;) push(neg[kept[i]], -static_cast<double>(kept[i] + 1) * step);
    path.start_index = path.points.size();
    push(state{z0, T::col(svd0.output_basis, c0), T::col(svd0.latent_basis, c0), w0,
               T::host_value(T::element(svd0.singular_values, c0)), 1.0, 0.0, component},
         0.0);
    for (std::size_t k : kept) push(pos[k], static_cast<double>(k + 1) * step);
    return path;
}

/// z0 tagged with its space (latentwalk/latent_space.hpp): checked against g's input space.
template <DifferentiableGenerator G, detail::SpaceTagged Z0>
trajectory<typename G::backend> curve_traversal(const G& g, const Z0& z0, long long component, long long steps,
                                                double step, const curve_traversal_options& options = {}) {
    return curve_traversal(g, detail::untag<typename G::backend>("curve_traversal", "z0", z0, input_space_of(g), "the generator's input space"),
                           component, steps, step, options);
}

}  // namespace latentwalk
