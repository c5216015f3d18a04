#pragma once
// latentwalk/grassmann/warpage_statistics.hpp — the Local Basis warpage experiments.
//
// Local Basis (Choi et al., "Do Not Escape From the Manifold", ICLR 2022) measures how much the
// local basis V_k(z) — the top-k right singular vectors of the generator's Jacobian J(z) — turns as
// z moves: a globally flat (linear) latent space has the same V_k everywhere (distance 0); a
// "fully warped" one looks like independent Haar-random subspaces. Each experiment returns a
// warpage_table of mean ± sample standard deviation of the chosen Grassmann distances for
// k = 1..k_max, from `pairs` independent pairs:
//
//   warpage_random_pairs(g, opt)             z, z' ~ N(0, I_n) independent
//   warpage_close_pairs(g, opt)              z ~ N(0, I_n), z' = z + ε u with u uniform on the unit
//                                            sphere, so ‖z' − z‖ = ε exactly (ε = opt.epsilon; the
//                                            paper's ablation uses 0.01, 0.1, 0.25, 0.5)
//   warpage_against_global(g, global, opt)   V_k(z) vs span of the first k columns of `global`
//                                            (e.g. sefa_directions or ganspace_directions)
//   warpage_haar_reference<B>(n, opt)        two independent Haar-random k-subspaces of R^n: the
//                                            "fully warped" reference (for k = 1 and large n the
//                                            angle concentrates at π/2: cos θ ≈ |N(0, 1)| / √n)
//
// The first k columns of one k_max-basis are the top-k basis, so every pair costs two calls of
// tangent_basis(g, z, k_max) (one for warpage_against_global), whatever k_max. opt.side selects
// the latent basis V (default, as in the paper) or the output basis U (tangent space of the image).
// Latent codes are drawn from N(0, I_n) with std::mt19937_64(opt.seed); results are reproducible.
//
// Batching: the experiment loops over pairs on the host (one unbatched tangent basis per point) and
// reads each distance with host_value; the linear algebra inside runs on the backend.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../concepts/generator.hpp"
#include "../derivatives.hpp"
#include "../detail/validate.hpp"
#include "../tangent/tangent_basis.hpp"
#include "detail/subspace_ops.hpp"
#include "grassmann_distance.hpp"
#include "principal_angles.hpp"
#include "random_subspace.hpp"
#include "warpage_table.hpp"

namespace latentwalk {

/// Which singular vectors of J(z) form the local basis.
enum class basis_side {
    latent,  ///< right singular vectors V (n×k, directions in the latent space; Local Basis)
    output,  ///< left singular vectors U (m×k, the tangent space of the generated manifold)
};

/// Options of the warpage experiments.
struct warpage_options {
    long long pairs = 100;   ///< ≥ 2
    long long k_max = 10;    ///< ≥ 1, at most min(latent_dim, output_dim)
    double epsilon = 0.1;    ///< close pairs: ‖z' − z‖ (> 0)
    std::vector<grassmann_metric> metrics = {grassmann_metric::geodesic, grassmann_metric::projection_2};
    basis_side side = basis_side::latent;
    std::uint64_t seed = 1;
    tangent_basis_options tangent = {};  ///< passed to every tangent_basis call
};

namespace detail::grassmann {

inline void validate_warpage_options(std::string_view where, const warpage_options& o, long long max_k) {
    if (o.pairs < 2) throw invalid_argument_error(sentence(where, "options.pairs must be at least 2."));
    if (o.k_max < 1 || o.k_max > max_k) {
        throw invalid_argument_error(sentence(where, "options.k_max must lie in 1.." + std::to_string(max_k) +
                                                         " but is " + std::to_string(o.k_max) + "."));
    }
    if (!(o.epsilon > 0) || !std::isfinite(o.epsilon))
        throw invalid_argument_error(sentence(where, "options.epsilon must be positive and finite."));
    if (o.metrics.empty()) throw invalid_argument_error(sentence(where, "options.metrics is empty."));
}

/// Distances between the leading k columns of two orthonormal k_max-bases, k = 1..k_max.
template <class B>
std::vector<std::vector<double>> nested_distances(const matrix_t<B>& U1, const matrix_t<B>& U2, long long k_max,
                                                  const std::vector<grassmann_metric>& metrics) {
    using T = backend_traits<B>;
    std::vector<std::vector<double>> out(metrics.size(), std::vector<double>(static_cast<std::size_t>(k_max)));
    for (long long k = 1; k <= k_max; ++k) {
        const auto kk = static_cast<index_t<B>>(k);
        const auto pa = angles_of_orthonormal<B>(T::block_cols(U1, 0, kk), T::block_cols(U2, 0, kk));
        for (std::size_t i = 0; i < metrics.size(); ++i)
            out[i][static_cast<std::size_t>(k - 1)] = T::host_value(grassmann_distance_from_angles<B>(pa, metrics[i]));
    }
    return out;
}

template <class G>
matrix_t<typename G::backend> local_basis(const G& g, const vector_t<typename G::backend>& z,
                                          const warpage_options& o) {
    auto tb = tangent_basis(g, z, o.k_max, o.tangent);
    return o.side == basis_side::latent ? std::move(tb.latent_basis) : std::move(tb.output_basis);
}

inline std::string side_name(basis_side s) { return s == basis_side::latent ? "latent basis" : "output basis"; }

}  // namespace detail::grassmann

/// Warpage between local bases at independent random latent codes z, z' ~ N(0, I).
/// Throws invalid_argument_error on bad options; tangent_basis's errors pass through.
template <DifferentiableGenerator G>
warpage_table warpage_random_pairs(const G& g, const warpage_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    namespace d = detail::grassmann;
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    d::validate_warpage_options("warpage_random_pairs", options,
                                std::min<long long>(g.latent_dim(), g.output_dim()));
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const vector_t<B> like{};
    for (long long p = 0; p < options.pairs; ++p) {
        const auto z1 = T::random_normal(like, n, rng);
        const auto z2 = T::random_normal(like, n, rng);
        acc.add(d::nested_distances<B>(d::local_basis(g, z1, options), d::local_basis(g, z2, options), options.k_max,
                                       options.metrics));
    }
    return acc.finish("random pairs, " + d::side_name(options.side), options.metrics, options.k_max);
}

/// Warpage between local bases at z ~ N(0, I) and z + ε u, u uniform on the unit sphere.
template <DifferentiableGenerator G>
warpage_table warpage_close_pairs(const G& g, const warpage_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    namespace d = detail::grassmann;
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    d::validate_warpage_options("warpage_close_pairs", options, std::min<long long>(g.latent_dim(), g.output_dim()));
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const vector_t<B> like{};
    const auto eps = T::element(T::fill(like, 1, options.epsilon), 0);
    for (long long p = 0; p < options.pairs; ++p) {
        const auto z = T::random_normal(like, n, rng);
        const auto u = T::random_normal(like, n, rng);
        const auto unit = T::cwise_quotient(u, T::scale(T::fill(u, n, 1.0), T::norm(u)));
        const auto z2 = T::axpy(eps, unit, z);
        acc.add(d::nested_distances<B>(d::local_basis(g, z, options), d::local_basis(g, z2, options), options.k_max,
                                       options.metrics));
    }
    std::ostringstream name;
    name << "close pairs (epsilon = " << options.epsilon << "), " << d::side_name(options.side);
    return acc.finish(name.str(), options.metrics, options.k_max);
}

/// Warpage between the local basis at z ~ N(0, I) and the span of the first k columns of a global
/// basis (latent_dim × K for side = latent, output_dim × K for side = output; K ≥ k_max; full
/// column rank, orthonormalized inside). Throws dimension_error when `global` does not fit.
template <DifferentiableGenerator G>
warpage_table warpage_against_global(const G& g, const matrix_t<typename G::backend>& global,
                                     const warpage_options& options = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    namespace d = detail::grassmann;
    constexpr std::string_view where = "warpage_against_global";
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    d::validate_warpage_options(where, options, std::min<long long>(g.latent_dim(), g.output_dim()));
    const long long rows = options.side == basis_side::latent ? g.latent_dim() : g.output_dim();
    if (static_cast<long long>(T::rows(global)) != rows || static_cast<long long>(T::cols(global)) < options.k_max) {
        throw dimension_error(detail::sentence(
            where, "global is " + std::to_string(T::rows(global)) + "×" + std::to_string(T::cols(global)) + " but must have " +
                       std::to_string(rows) + " rows (the " + (options.side == basis_side::latent ? "latent" : "output") +
                       " dimension) and at least k_max = " + std::to_string(options.k_max) + " columns."));
    }
    const auto Qg = d::orthonormalize<B>(where, "global", global);
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const vector_t<B> like{};
    for (long long p = 0; p < options.pairs; ++p) {
        const auto z = T::random_normal(like, n, rng);
        acc.add(d::nested_distances<B>(d::local_basis(g, z, options), Qg, options.k_max, options.metrics));
    }
    return acc.finish("local vs global basis, " + d::side_name(options.side), options.metrics, options.k_max);
}

/// The fully warped reference: distances between independent Haar-random k-subspaces of R^n.
template <Backend B>
warpage_table warpage_haar_reference(long long n, const warpage_options& options = {}) {
    namespace d = detail::grassmann;
    d::validate_warpage_options("warpage_haar_reference", options, n);
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const auto nn = static_cast<index_t<B>>(n), kk = static_cast<index_t<B>>(options.k_max);
    for (long long p = 0; p < options.pairs; ++p) {
        const auto U1 = random_subspace<B>(nn, kk, rng);
        const auto U2 = random_subspace<B>(nn, kk, rng);
        acc.add(d::nested_distances<B>(U1, U2, options.k_max, options.metrics));
    }
    return acc.finish("Haar-random subspaces of R^" + std::to_string(n), options.metrics, options.k_max);
}

}  // namespace latentwalk
