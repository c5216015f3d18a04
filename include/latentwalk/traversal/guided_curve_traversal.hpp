#pragma once
// latentwalk/traversal/guided_curve_traversal.hpp — curve traversal that follows a reference
// direction (Local Basis's guided and stochastic traversals), written once against the backend seam.
//
//     // follow a W-space direction d (e.g. a GANSpace component or a StyleCLIP global direction)
//     auto path = latentwalk::guided_curve_traversal(g, z0, d, /*steps*/ 12, /*ε*/ 0.1);
//     // one guide per W+ layer: one trajectory each, the same ρ sequence for every layer
//     auto per_layer = latentwalk::guided_curve_traversal(g, z0, std::vector{d0, d1, d2}, 12, 0.1, o);
//
// At each point z with J(z) = U Σ Vᵀ (top k = options.candidates singular pairs), pick the
// candidate whose output direction u_j has the largest |cos| with the reference r, take its sign
// s = sign⟨u_j, r⟩ and step in the latent space by
//     z ← z + ρ ε s v_j            (no 1/σ scaling: the latent point moves ρ ε per step)
// with ρ = 1, or ρ ~ U(a, 2 − a) drawn afresh at every step for the stochastic variant (mean 1).
// The reference r is the guide at every step (default), or — with `match_previous` — the guide at
// the first step and the previously followed s·u afterwards (the curve then continues like
// Iterative Curve-Traversal from the guide's best match). Both sides are walked unless `both_sides`
// is off; the negative side follows −guide (and its own ρ draws, after the positive side's).
//
// On a linear generator g(z) = A z + b this is a straight line along the guide's best projection:
// z_N = z₀ + ε (Σ ρ) s v_j and g(z_N) = g(z₀) + ε (Σ ρ) σ_j s u_j, j = argmax_{j<k} |u_jᵀ d|.
//
// The guide lives in the generator's OUTPUT space (length output_dim: the space of U, W for a
// mapping network); it need not be unit length. The trajectory holds the points (negative side
// first), times ±(accumulated ρ)·ε, the latent directions s v_j followed, the frames g(z), and the
// diagnostics "component", "abs_cos" (|cos| with the reference, 1 at z₀), "sigma" and "rho".
//
// Conventions: the guide, the candidate count and the absence of 1/σ scaling are those of the
// authors' released notebooks (stochastic_traversal.ipynb); the paper describes the curve traversal
// only (curve_traversal.hpp). a = options.rho_low defaults to 0.5 (our choice; ρ ∈ [0.5, 1.5]).
//
// Cost per step: one tangent_basis(g, z, k) and one g(z). One latent code at a time (the choice
// of j is a per-sample decision read on the host through T::to_host).
//
// Errors: dimension_error (z₀ or a guide of the wrong length, candidates outside 0..min(n, m)),
// a generator result of the wrong shape), invalid_argument_error (steps < 1 or above
// detail::max_steps_per_call, zero or non-finite step, rho_low outside (0, 1], no guides),
// numerical_error (NaN/Inf, a zero guide).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../latent_space.hpp"
#include "../detail/traversal_support.hpp"
#include "../tangent/tangent_basis.hpp"
#include "trajectory.hpp"

namespace latentwalk {

struct guided_traversal_options {
    /// Leading singular pairs searched for the best match; 0 means all min(n, m).
    long long candidates = 0;
    bool stochastic = false;      ///< ρ ~ U(rho_low, 2 − rho_low) per step instead of ρ = 1
    double rho_low = 0.5;         ///< a in (0, 1]
    std::uint64_t seed = 1;       ///< std::mt19937_64 seed of the ρ draws
    bool match_previous = false;  ///< after the first step match the previous choice instead of the guide
    bool both_sides = true;       ///< also walk towards −guide
    bool record_outputs = true;   ///< keep the frames g(z)
    tangent_basis_options basis{};
};

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
void guided_curve_traversal(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
}

namespace detail {

template <class G>
void validate_guided(const char* where, const G& g, const vector_t<typename G::backend>& z0,
                     const std::vector<vector_t<typename G::backend>>& guides, long long steps, double step,
                     const guided_traversal_options& o) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    validate_latent(where, g, z0);
    require_step_count(where, "steps", steps);
    require_nonzero_finite_step(where, "step", step);
    const long long full = std::min<long long>(g.latent_dim(), g.output_dim());
    if (o.candidates < 0 || o.candidates > full)
        throw dimension_error(sentence(where, "options.candidates = " + detail::number(o.candidates) +
                                                  " is outside 0.." + detail::number(full) + "."));
    if (o.stochastic && !(o.rho_low > 0.0 && o.rho_low <= 1.0))
        throw invalid_argument_error(sentence(where, "options.rho_low = " + detail::number(o.rho_low) +
                                                         " must lie in (0, 1] so that ρ ~ U(a, 2 − a) is positive."));
    if (guides.empty()) throw invalid_argument_error(sentence(where, "no guide was given."));
    for (std::size_t l = 0; l < guides.size(); ++l) {
        const std::string name = guides.size() == 1 ? "guide" : "guides[" + detail::number(l) + "]";
        require_length<B>(where, name, guides[l], static_cast<long long>(g.output_dim()),
                          "the generator's output dimension (the guide lives where U does)");
        require_finite<B>(where, name, guides[l]);
        if (T::host_max(-T::norm(guides[l])) >= 0.0)
            throw numerical_error(sentence(where, name + " is zero, so no basis vector is closest to it."));
    }
}

/// One guided walk per guide, sharing the ρ sequence (drawn once per step and side).
template <class G>
std::vector<trajectory<typename G::backend>> guided_walks(const G& g, const vector_t<typename G::backend>& z0,
                                                          const std::vector<vector_t<typename G::backend>>& guides,
                                                          long long steps, double step,
                                                          const guided_traversal_options& o) {
    using B = typename G::backend;
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    const char* where = "guided_curve_traversal";
    const long long full = std::min<long long>(g.latent_dim(), g.output_dim());
    const long long r = o.candidates > 0 ? o.candidates : full;

    // the ρ draws: positive side's steps, then the negative side's
    std::vector<double> rho_pos(static_cast<std::size_t>(steps), 1.0), rho_neg(static_cast<std::size_t>(steps), 1.0);
    if (o.stochastic) {
        std::mt19937_64 rng(o.seed);
        std::uniform_real_distribution<double> U(o.rho_low, 2.0 - o.rho_low);
        for (auto& x : rho_pos) x = U(rng);
        for (auto& x : rho_neg) x = U(rng);
    }
    const auto svd0 = tangent_basis(g, z0, r, o.basis);
    const vector_t<B> w0 = detail::evaluate(where, g, z0);

    struct point {
        vector_t<B> z, w, u, v;  // u, v: the signed pair followed FROM z
        double sigma, abs_cos, rho;
        long long comp;
    };
    // the best candidate for reference `ref` in the basis `tb`
    auto choose = [&](const auto& tb, const vector_t<B>& ref) {
        const auto cosines = T::to_host(T::tmatvec(tb.output_basis, ref));
        long long best = 0;
        for (long long j = 1; j < r; ++j)
            if (std::abs(cosines[static_cast<std::size_t>(j)]) > std::abs(cosines[static_cast<std::size_t>(best)])) best = j;
        const double c = cosines[static_cast<std::size_t>(best)];
        const double sgn = c < 0 ? -1.0 : 1.0;
        const auto jb = static_cast<index_t<B>>(best);
        return point{vector_t<B>{}, vector_t<B>{}, T::scale(T::col(tb.output_basis, jb), S(sgn)),
                     T::scale(T::col(tb.latent_basis, jb), S(sgn)), T::host_value(T::element(tb.singular_values, jb)),
                     std::abs(c) / T::host_value(T::norm(ref)), 1.0, best};
    };
    auto walk = [&](const vector_t<B>& guide, double side, const std::vector<double>& rho) {
        const auto ref0 = T::scale(guide, S(side));
        std::vector<point> out;
        point p = choose(svd0, ref0);
        p.z = z0;
        p.w = w0;
        out.push_back(p);
        for (long long k = 0; k < steps; ++k) {
            const double rk = rho[static_cast<std::size_t>(k)];
            const auto z = T::axpy(S(rk * step), p.v, p.z);
            require_finite_result<B>(where, "the traversal point", z);
            const auto tb = tangent_basis(g, z, r, o.basis);
            point next = choose(tb, o.match_previous ? p.u : ref0);
            next.z = z;
            next.w = detail::evaluate(where, g, z);
            next.rho = rk;
            out.push_back(std::move(next));
            p = out.back();
        }
        return out;
    };

    std::vector<trajectory<B>> paths;
    for (const auto& guide : guides) {
        const auto pos = walk(guide, 1.0, rho_pos);
        std::vector<point> neg;
        if (o.both_sides) neg = walk(guide, -1.0, rho_neg);
        trajectory<B> path;
        auto& comp = path.diagnostics["component"];
        auto& cosd = path.diagnostics["abs_cos"];
        auto& sig = path.diagnostics["sigma"];
        auto& rh = path.diagnostics["rho"];
        auto push = [&](const point& q, double t, double cos_shown) {
            path.points.push_back(q.z);
            path.times.push_back(t);
            path.directions.push_back(q.v);
            if (o.record_outputs) path.outputs.push_back(q.w);
            comp.push_back(static_cast<double>(q.comp));
            cosd.push_back(cos_shown);
            sig.push_back(q.sigma);
            rh.push_back(q.rho);
        };
        std::vector<double> tneg(neg.size(), 0.0), tpos(pos.size(), 0.0);
        for (std::size_t k = 1; k < neg.size(); ++k) tneg[k] = tneg[k - 1] - neg[k].rho * step;
        for (std::size_t k = 1; k < pos.size(); ++k) tpos[k] = tpos[k - 1] + pos[k].rho * step;
        for (std::size_t k = neg.size(); k-- > 1;) push(neg[k], tneg[k], neg[k].abs_cos);
        path.start_index = path.points.size();
        push(pos[0], 0.0, pos[0].abs_cos);
        for (std::size_t k = 1; k < pos.size(); ++k) push(pos[k], tpos[k], pos[k].abs_cos);
        paths.push_back(std::move(path));
    }
    return paths;
}

}  // namespace detail

/// Follows one guide (a direction in the output space); see the header comment.
template <DifferentiableGenerator G>
trajectory<typename G::backend> guided_curve_traversal(const G& g, const vector_t<typename G::backend>& z0,
                                                       const vector_t<typename G::backend>& guide, long long steps,
                                                       double step, const guided_traversal_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    const std::vector<vector_t<typename G::backend>> guides{guide};
    detail::validate_guided("guided_curve_traversal", g, z0, guides, steps, step, options);
    return std::move(detail::guided_walks(g, z0, guides, steps, step, options).front());
}

/// One guide per layer (e.g. per W+ layer): one trajectory per guide, in order, with the same ρ draws.
template <DifferentiableGenerator G>
std::vector<trajectory<typename G::backend>> guided_curve_traversal(
    const G& g, const vector_t<typename G::backend>& z0, const std::vector<vector_t<typename G::backend>>& guides,
    long long steps, double step, const guided_traversal_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    detail::validate_guided("guided_curve_traversal", g, z0, guides, steps, step, options);
    return detail::guided_walks(g, z0, guides, steps, step, options);
}

/// z0 and/or the guide tagged with their space (latentwalk/latent_space.hpp): z0 must live in g's
/// input space, the guide in g's output space (e.g. a W direction for a mapping network Z → W).
template <DifferentiableGenerator G, class Z0, class D>
    requires(detail::SpaceTagged<Z0> || detail::SpaceTagged<D>) && detail::VectorOrTagged<Z0, typename G::backend> &&
            detail::VectorOrTagged<D, typename G::backend>
trajectory<typename G::backend> guided_curve_traversal(const G& g, const Z0& z0, const D& guide, long long steps,
                                                       double step, const guided_traversal_options& options = {}) {
    using B = typename G::backend;
    const char* where = "guided_curve_traversal";
    return guided_curve_traversal(g, detail::untag<B>(where, "z0", z0, input_space_of(g), "the generator's input space"),
                                  detail::untag<B>(where, "the guide", guide, output_space_of(g),
                                                   "the generator's output space (the guide lives where U does)"),
                                  steps, step, options);
}

}  // namespace latentwalk
