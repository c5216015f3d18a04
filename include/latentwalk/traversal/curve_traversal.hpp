#pragma once
// latentwalk/traversal/curve_traversal.hpp — Iterative Curve-Traversal (Choi et al., ICLR 2022, "Local Basis").
//
// Start at z₀ with the local basis J(z₀) = U Σ Vᵀ and the chosen component i. Each step:
//   z ← z + (ε/σ_i) v_i        (the output then moves ≈ ε: J v_i = σ_i u_i; `scale_by_singular_value`
//                               off: z ← z + ε v_i)
//   recompute J(z) = U Σ Vᵀ, follow the component j whose output direction u_j has the largest
//   |cos| with the previous output direction, and flip (u_j, v_j) together so that cos > 0
//   (continuous signs; J v_j = σ_j u_j stays true).
// Both sides of z₀ are walked (the negative side starts along −v_i) unless `both_sides` is off.
// The trajectory holds the points (negative side first), signed times k·ε, the unit latent
// directions followed, the frames g(z) (`outputs`), and the diagnostics "sigma" (σ of the followed
// component), "abs_cos" (|cos| between consecutive output directions, 1 at z₀) and "component".
//
// Cost per step: one tangent_basis(g, z, k) (k = options.basis_rank, default all min(n, m); with
// the default method that is one Jacobian from the cheapest products and a thin SVD).
// The component switching is a per-sample decision: this traversal runs one latent code at a time
// (its small host-side comparisons go through T::host_value).
//
// Errors: dimension_error (z₀ length, component ≥ min(n, m)), invalid_argument_error (steps < 1,
// zero or non-finite step), numerical_error (NaN/Inf, σ = 0 while scaling by it).
#include <cmath>
#include <string>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../tangent/tangent_basis.hpp"
#include "../detail/traversal_support.hpp"
#include "trajectory.hpp"

namespace latentwalk {

struct curve_traversal_options {
    bool scale_by_singular_value = true;  ///< step ε/σ in the latent space (output moves ≈ ε)
    bool both_sides = true;               ///< walk along −v_i as well
    bool record_outputs = true;           ///< keep the frames g(z)
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
    detail::require_positive_count(where, "steps", steps);
    detail::require_nonzero_finite_step(where, "step", step);
    const long long full = std::min<long long>(g.latent_dim(), g.output_dim());
    if (options.basis_rank < 0 || options.basis_rank > full)
        throw dimension_error(detail::sentence(where, "options.basis_rank = " + std::to_string(options.basis_rank) +
                                                          " is outside 0.." + std::to_string(full) + "."));
    const long long r = options.basis_rank > 0 ? options.basis_rank : full;
    if (component < 0 || component >= r)
        throw dimension_error(detail::sentence(where, "component " + std::to_string(component) +
                                                          " does not exist: the traversal uses " + std::to_string(r) +
                                                          " singular directions (min(n, m) = " + std::to_string(full) +
                                                          ")."));
    auto local_basis = [&](const vector_t<B>& z) {
        auto tb = tangent_basis(g, z, r, options.basis);
        return tb;
    };

    struct state {
        vector_t<B> z, u, v;
        double sigma, abs_cos;
        long long comp;
    };
    const auto svd0 = local_basis(z0);
    const auto c0 = static_cast<index_t<B>>(component);

    auto walk = [&](double side) {
        std::vector<state> out;
        state s{z0, T::scale(T::col(svd0.output_basis, c0), S(side)), T::scale(T::col(svd0.latent_basis, c0), S(side)),
                T::host_value(T::element(svd0.singular_values, c0)), 1.0, component};
        for (long long k = 0; k < steps; ++k) {
            double h = step;
            if (options.scale_by_singular_value) {
                if (!(s.sigma > 0.0))
                    throw numerical_error(detail::sentence(
                        where, "the followed singular value is zero after " + std::to_string(k) +
                                   " steps, so the step ε/σ is undefined; the generator is singular along this curve."));
                h = step / s.sigma;
            }
            state next;
            next.z = T::axpy(S(h), s.v, s.z);
            detail::require_finite_result<B>(where, "the traversal point", next.z);
            const auto svd = local_basis(next.z);
            // the component whose output direction is most parallel to the previous one
            const auto cosines = T::to_host(T::tmatvec(svd.output_basis, s.u));  // one sample: host-side argmax
            long long best = 0;
            for (long long j = 1; j < r; ++j)
                if (std::abs(cosines[static_cast<std::size_t>(j)]) > std::abs(cosines[static_cast<std::size_t>(best)]))
                    best = j;
            const double c = cosines[static_cast<std::size_t>(best)];
            const double sgn = c < 0 ? -1.0 : 1.0;
            const auto jb = static_cast<index_t<B>>(best);
            next.u = T::scale(T::col(svd.output_basis, jb), S(sgn));
            next.v = T::scale(T::col(svd.latent_basis, jb), S(sgn));
            next.sigma = T::host_value(T::element(svd.singular_values, jb));
            next.abs_cos = std::abs(c);
            next.comp = best;
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
    auto push = [&](const state& s, double t) {
        path.points.push_back(s.z);
        path.times.push_back(t);
        path.directions.push_back(s.v);
        if (options.record_outputs) path.outputs.push_back(g(s.z));
        sig.push_back(s.sigma);
        cosd.push_back(s.abs_cos);
        comp.push_back(static_cast<double>(s.comp));
    };
    for (std::size_t k = neg.size(); k-- > 0;) push(neg[k], -static_cast<double>(k + 1) * step);
    path.start_index = neg.size();
    push(state{z0, T::col(svd0.output_basis, c0), T::col(svd0.latent_basis, c0), T::host_value(T::element(svd0.singular_values, c0)), 1.0, component}, 0.0);
    for (std::size_t k = 0; k < pos.size(); ++k) push(pos[k], static_cast<double>(k + 1) * step);
    return path;
}

}  // namespace latentwalk
