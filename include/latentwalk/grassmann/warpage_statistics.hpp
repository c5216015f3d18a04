#pragma once
// latentwalk/grassmann/warpage_statistics.hpp — the Local Basis warpage experiments.
//
// Local Basis (Choi et al., "Do Not Escape From the Manifold", ICLR 2022) measures how much the
// local basis turns as the latent code moves. The local basis at w = f(z) is U_k(z), the top-k LEFT
// singular vectors of the partial generator's Jacobian J(z) = U Σ Vᵀ: the tangent space of the
// learned manifold f(Z) inside W (for StyleGAN2, f is the mapping network and U_k lives in W). A
// globally flat (linear) space has the same U_k everywhere (distance 0); a "fully warped" one looks
// like independent Haar-random subspaces. Each experiment returns a warpage_table of mean ± sample
// standard deviation of the chosen Grassmann distances for k = 1..k_max, from `pairs` pairs:
//
//   warpage_random_pairs(g, opt)             z, z' ~ N(0, I_n) independent
//   warpage_close_pairs(g, opt)              z ~ N(0, I_n), z' = z + ε u with u uniform on the unit
//                                            sphere, so ‖z' − z‖ = ε exactly (ε = opt.epsilon; the
//                                            paper's ablation uses 0.01, 0.1, 0.25, 0.5)
//   warpage_against_global(g, global, opt)   U_k(z) vs span of the first k columns of `global`, a
//                                            basis of the SAME space: for the default output side a
//                                            W-space basis such as GANSpace's PCA of samples w = f(z)
//                                            (ganspace_directions); for side = latent a Z-space basis
//                                            such as SeFa's (sefa_directions)
//   warpage_haar_reference<B>(n, opt)        two independent Haar-random k-subspaces of R^n: the
//                                            "fully warped" reference (for k = 1 and large n the
//                                            angle concentrates at π/2: cos θ ≈ |N(0, 1)| / √n)
//
// Conventions (paper default first, alternatives as named options):
//
// | option         | default (the paper)                              | alternative                        |
// |----------------|--------------------------------------------------|------------------------------------|
// | side           | basis_side::output: U_k, the tangent space in W   | basis_side::latent: V_k in Z       |
// | pairs          | 0 = 1000 pairs of latent codes, 100 Haar pairs    | any count ≥ 2 (tests, the tour)    |
// | k_max          | 0 = min(50, latent_dim, output_dim)              | any 1..min(latent_dim, output_dim) |
//
// The paper's sizes are warpage_paper_pairs, warpage_paper_haar_pairs and warpage_paper_k_max; the
// authors' notebooks (evaluate_basis_consistency*) use the same left singular vectors ("z_basis" of
// torch.svd(jacobian)). Pass smaller sizes explicitly where speed matters (the tests and the tour do).
//
// The first k columns of one k_max-basis are the top-k basis, so every pair costs two calls of
// tangent_basis(g, z, k_max) (one for warpage_against_global), whatever k_max.
// Latent codes are drawn from N(0, I_n) with std::mt19937_64(opt.seed); results are reproducible.
//
// Errors: invalid_argument_error for pairs = 1 or negative, k_max outside 0..min(n, m), a
// non-positive ε or no metrics; dimension_error when `global` is not a basis of the compared space
// (the sentence names the space its row count belongs to); tangent_basis's errors pass through.
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
#include "../detail/parallel_for.hpp"
#include "detail/subspace_ops.hpp"
#include "grassmann_distance.hpp"
#include "principal_angles.hpp"
#include "random_subspace.hpp"
#include "warpage_table.hpp"

namespace latentwalk {

/// Which singular vectors of J(z) form the local basis.
enum class basis_side {
    output,  ///< left singular vectors U (m×k): the tangent space of f(Z) in W — Local Basis (default)
    latent,  ///< right singular vectors V (n×k): the matching directions in the latent space Z
};

/// The paper's sizes: 1000 pairs of latent codes, 100 pairs of Haar-random subspaces, k = 1..50.
inline constexpr long long warpage_paper_pairs = 1000;
inline constexpr long long warpage_paper_haar_pairs = 100;
inline constexpr long long warpage_paper_k_max = 50;

/// Options of the warpage experiments (0 = the paper's size, see the table in the header comment).
struct warpage_options {
    long long pairs = 0;     ///< 0: 1000 latent pairs (100 for warpage_haar_reference); else ≥ 2
    long long k_max = 0;     ///< 0: min(50, min(latent_dim, output_dim)); else 1..min(latent_dim, output_dim)
    double epsilon = 0.1;    ///< close pairs: ‖z' − z‖ (> 0)
    std::vector<grassmann_metric> metrics = {grassmann_metric::geodesic, grassmann_metric::projection_2};
    basis_side side = basis_side::output;  ///< U (the paper); basis_side::latent for V
    std::uint64_t seed = 1;
    tangent_basis_options tangent = {};  ///< passed to every tangent_basis call
    /// Threads for the latent pairs (≥ 1). The codes are drawn first, in order, and the pairs' rows are
    /// added in order, so every thread count gives the one-thread table bit for bit. With more than
    /// one thread the generator's const members (g(z), jvp, vjp, jacobian) are called concurrently:
    /// they must be thread-safe (the shipped Eigen models are; a torch module should run with
    /// at::set_num_threads(1) so that the threads do not oversubscribe the cores).
    int threads = 1;
};

namespace detail::grassmann {

/// Checks the options and returns them with the paper's sizes filled in for the zeros.
inline warpage_options resolve_warpage_options(std::string_view where, const warpage_options& o, long long max_k,
                                               long long paper_pairs = warpage_paper_pairs) {
    if (o.pairs != 0 && o.pairs < 2)
        throw invalid_argument_error(sentence(where, "options.pairs must be 0 (the paper's " +
                                                         detail::number(paper_pairs) + ") or at least 2 but is " +
                                                         detail::number(o.pairs) + "."));
    if (o.k_max < 0 || o.k_max > max_k) {
        throw invalid_argument_error(sentence(where, "options.k_max must lie in 1.." + detail::number(max_k) +
                                                         " (or be 0 for the paper's min(50, " + detail::number(max_k) +
                                                         ")) but is " + detail::number(o.k_max) + "."));
    }
    if (!(o.epsilon > 0) || !std::isfinite(o.epsilon))
        throw invalid_argument_error(sentence(where, "options.epsilon must be positive and finite."));
    if (o.metrics.empty()) throw invalid_argument_error(sentence(where, "options.metrics is empty."));
    if (o.threads < 1 || o.threads > 4096)
        throw invalid_argument_error(sentence(where, "options.threads is " + detail::number(o.threads) +
                                                         "; it must lie in 1..4096."));
    warpage_options r = o;
    if (r.pairs == 0) r.pairs = paper_pairs;
    if (r.k_max == 0) r.k_max = std::min(warpage_paper_k_max, max_k);
    return r;
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

/// Computes row(p) for every pair on options.threads threads and adds the rows in pair order.
template <class Row>
void add_pair_rows(warpage_accumulator& acc, const warpage_options& o, Row&& row) {
    std::vector<std::vector<std::vector<double>>> rows(static_cast<std::size_t>(o.pairs));
    parallel_for(o.pairs, o.threads, [&](long long p) { rows[static_cast<std::size_t>(p)] = row(p); });
    for (auto& r : rows) acc.add(std::move(r));
}

template <class G>
matrix_t<typename G::backend> local_basis(const G& g, const vector_t<typename G::backend>& z,
                                          const warpage_options& o) {
    auto tb = tangent_basis(g, z, o.k_max, o.tangent);
    return o.side == basis_side::latent ? std::move(tb.latent_basis) : std::move(tb.output_basis);
}

inline std::string side_name(basis_side s) { return s == basis_side::latent ? "latent basis" : "output basis"; }

/// Local vs global compares two bases of one space: `global` must have the rows of the local
/// basis's space (m for U, n for V) and at least k_max columns; the sentence says which space the
/// given row count belongs to when it is the other one.
inline void require_global_of_same_space(std::string_view where, const warpage_options& o, long long rows,
                                         long long cols, long long n, long long m) {
    const bool output = o.side == basis_side::output;
    const long long want = output ? m : n;
    const std::string shape = detail::number(rows) + "×" + detail::number(cols);
    if (rows != want) {
        std::string why = "global is " + shape + " but the " + (output ? "output" : "latent") + " basis " +
                          (output ? "U lives in the output space W" : "V lives in the latent space Z") + " of dimension " +
                          detail::number(want) + ", so global must have " + detail::number(want) + " rows";
        if (rows == (output ? n : m))
            why += output ? "; its " + detail::number(rows) +
                                " rows are the latent dimension, so it is a basis of Z (e.g. SeFa's): compare it with "
                                "options.side = basis_side::latent, or compare U with a W-space basis such as "
                                "ganspace_directions of samples f(z)"
                          : "; its " + detail::number(rows) +
                                " rows are the output dimension, so it is a basis of W (e.g. a GANSpace PCA of f(z)): "
                                "compare it with options.side = basis_side::output (the default)";
        throw dimension_error(sentence(where, why + "."));
    }
    if (cols < o.k_max)
        throw dimension_error(sentence(where, "global is " + shape + " but needs at least k_max = " +
                                                  detail::number(o.k_max) + " columns."));
}

}  // namespace detail::grassmann

/// Warpage between local bases at independent random latent codes z, z' ~ N(0, I).
/// Throws invalid_argument_error on bad options; tangent_basis's errors pass through.
template <DifferentiableGenerator G>
warpage_table warpage_random_pairs(const G& g, const warpage_options& requested = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    namespace d = detail::grassmann;
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    const auto options = d::resolve_warpage_options("warpage_random_pairs", requested,
                                                    std::min<long long>(g.latent_dim(), g.output_dim()));
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const vector_t<B> like{};
    std::vector<vector_t<B>> z1, z2;  // drawn first, in the one-thread order
    for (long long p = 0; p < options.pairs; ++p) {
        z1.push_back(T::random_normal(like, n, rng));
        z2.push_back(T::random_normal(like, n, rng));
    }
    d::add_pair_rows(acc, options, [&](long long p) {
        const auto i = static_cast<std::size_t>(p);
        return d::nested_distances<B>(d::local_basis(g, z1[i], options), d::local_basis(g, z2[i], options),
                                      options.k_max, options.metrics);
    });
    return acc.finish("random pairs, " + d::side_name(options.side), options.metrics, options.k_max);
}

/// Warpage between local bases at z ~ N(0, I) and z + ε u, u uniform on the unit sphere.
template <DifferentiableGenerator G>
warpage_table warpage_close_pairs(const G& g, const warpage_options& requested = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    namespace d = detail::grassmann;
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    const auto options = d::resolve_warpage_options("warpage_close_pairs", requested,
                                                    std::min<long long>(g.latent_dim(), g.output_dim()));
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const vector_t<B> like{};
    const auto eps = T::element(T::fill(like, 1, options.epsilon), 0);
    std::vector<vector_t<B>> z1, z2;  // drawn first, in the one-thread order
    for (long long p = 0; p < options.pairs; ++p) {
        const auto z = T::random_normal(like, n, rng);
        const auto u = T::random_normal(like, n, rng);
        const auto unit = T::cwise_quotient(u, T::scale(T::fill(u, n, 1.0), T::norm(u)));
        z2.push_back(T::axpy(eps, unit, z));
        z1.push_back(z);
    }
    d::add_pair_rows(acc, options, [&](long long p) {
        const auto i = static_cast<std::size_t>(p);
        return d::nested_distances<B>(d::local_basis(g, z1[i], options), d::local_basis(g, z2[i], options),
                                      options.k_max, options.metrics);
    });
    std::ostringstream name;
    name << "close pairs (epsilon = " << options.epsilon << "), " << d::side_name(options.side);
    return acc.finish(name.str(), options.metrics, options.k_max);
}

/// Warpage between the local basis at z ~ N(0, I) and the span of the first k columns of a global
/// basis of the same space: output_dim × K for side = output (the default; e.g. a GANSpace PCA of
/// samples f(z)), latent_dim × K for side = latent (e.g. SeFa); K ≥ k_max; full column rank,
/// orthonormalized inside. Throws dimension_error, naming the space, when `global` does not fit.
template <DifferentiableGenerator G>
warpage_table warpage_against_global(const G& g, const matrix_t<typename G::backend>& global,
                                     const warpage_options& requested = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    namespace d = detail::grassmann;
    constexpr std::string_view where = "warpage_against_global";
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    const auto options =
        d::resolve_warpage_options(where, requested, std::min<long long>(g.latent_dim(), g.output_dim()));
    d::require_global_of_same_space(where, options, static_cast<long long>(T::rows(global)),
                                    static_cast<long long>(T::cols(global)), g.latent_dim(), g.output_dim());
    const auto Qg = d::orthonormalize<B>(where, "global", global);
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const vector_t<B> like{};
    std::vector<vector_t<B>> zs;  // drawn first, in the one-thread order
    for (long long p = 0; p < options.pairs; ++p) zs.push_back(T::random_normal(like, n, rng));
    d::add_pair_rows(acc, options, [&](long long p) {
        return d::nested_distances<B>(d::local_basis(g, zs[static_cast<std::size_t>(p)], options), Qg, options.k_max,
                                      options.metrics);
    });
    return acc.finish("local vs global basis, " + d::side_name(options.side), options.metrics, options.k_max);
}

/// The fully warped reference: distances between independent Haar-random k-subspaces of R^n.
template <Backend B>
warpage_table warpage_haar_reference(long long n, const warpage_options& requested = {}) {
    namespace d = detail::grassmann;
    const auto options = d::resolve_warpage_options("warpage_haar_reference", requested, n, warpage_paper_haar_pairs);
    std::mt19937_64 rng(options.seed);
    d::warpage_accumulator acc(options.metrics.size(), options.k_max);
    const auto nn = static_cast<index_t<B>>(n), kk = static_cast<index_t<B>>(options.k_max);
    for (long long p = 0; p < options.pairs; ++p) {
        const auto U1 = random_subspace<B>(nn, kk, rng);
        const auto U2 = random_subspace<B>(nn, kk, rng);
        acc.add(d::nested_distances<B>(U1, U2, options.k_max, options.metrics));
    }
    return acc.finish("Haar-random subspaces of R^" + detail::number(n), options.metrics, options.k_max);
}

}  // namespace latentwalk
