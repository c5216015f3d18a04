#pragma once
// latentwalk/torch/compare/score_methods.hpp — every traversal method as one kind of object, and the one
// scoring routine that turns each into a row of the comparison table (compare/comparison_table.hpp).
//
//     namespace lc = latentwalk::torch::compare;
//     lc::scoring_context c{.generator = G, .shape = {1, 32, 32}, .latent_dim = 8};
//     c.reference_images = train;                           // [N, C·H·W] float: the nearest-image distance
//     c.factor_reader = reader;  c.specs = latentwalk::data::sprite_factor_specs();   // ground truth (optional)
//     lc::counted_function counted(G);                     // the generator the methods call: counts passes
//     auto sefa = lc::linear_paths(directions, lc::uniform_times(10, 0.3));          // z₀ + t n_k
//     auto lb   = lc::local_basis_paths(counted.generator(8, 1024), lc::uniform_times(10, 0.3));
//     auto r = lc::score_method({"SeFa", "first-layer weight", 8, lc::uniform_times(10, 0.3), sefa}, c, counted, {});
//     r.scores;   // method_scores: factor matrix, VP, NN ratio, escape, drift, curvature, cost
//     r.frames;   // [K, T + 1, C·H·W] float: the traversals from the first start (the picture)
//
// | path builder        | path of direction k from z₀ (t_0 = 0 … t_T)                         | generator passes / traversal |
// |---------------------|---------------------------------------------------------------------|------------------------------|
// | linear_paths        | z₀ + t_j n_k (SeFa, GANSpace, random, coordinate axes, DP-LaSE's Γ)  | 0                            |
// | walk_paths          | walk(z₀, t_j, n_k): any dplase::walk_function (eq. 2's density-      | 0                            |
// |                     | preserving walk ‖z₀‖(z₀ + tγ)/‖z₀ + tγ‖, a learned correction)       |                              |
// | bank_paths          | z_{j+1} = z_j + step·v^k(z_j, j): flow_path of a potential_bank,     | 0                            |
// |                     | linear_bank or rbf_bank (t_j = j·step)                               |                              |
// | local_basis_paths   | z₀ + t_j v_k(z₀), v_k the k-th right singular vector of J(z₀)        | min(n, m) (one batched dense |
// |                     | (Local Basis, linear along its own basis; batched dense tangent_basis)| basis: n JVPs)               |
// | curve_paths         | curve_traversal(g, z₀, k, T, step)'s rule, one-sided, latent step    | T·min(n, m) batched;         |
// |                     | `step` (scale_by_singular_value off: t_j = j·step in latent units),  | per_sample: curve_traversal's|
// |                     | all starts at once (curve_batching::per_sample: curve_traversal)     | (T + 1)·min(n, m) + T        |
// A path function returns [T + 1, B, d] for z₀ [B, d]; the times are the method's (traversal_method::times).
//
// score_method, for starts z₀ ~ N(0, I) [S, d] drawn from options.seed (the same starts for every method):
//   1. the paths of all K directions (timed; the passes the methods ask of `counted` are counted),
//   2. the frames g(z_j) (the uncounted generator), read by factor_reader into tracks when there is one,
//   3. factor_correlation, path_geometry and position_dependence (compare/traversal_metrics.hpp),
//   4. NN ratio: mean over frames j ≥ 1 of the distance to the nearest reference image, over the same for
//      the start frames (j = 0); escape: Σ‖g(z_{j+1}) − g(z_j) − J(z_j)Δz_j‖ / Σ‖g(z_{j+1}) − g(z_j)‖ with
//      J Δz by double backward (flows::detail::generator_jvp),
//   5. the VP score (flows/flow_metrics.hpp's vp_score, options.vp) of the endpoints z_T — the same
//      protocol, pairs, classifier and seeds for every method; skipped when options.vp_runs is 0.
// Step 1 traverses every code once: the VP data sets are recorded in advance from vp_score itself
// (draw_vp_data_set: per run, the block of starts each direction's endpoint will be asked for), and each direction's path function is called ONCE
// on the S metric starts and all runs' VP starts of that direction together (traverse_method); step 5
// hands vp_score an endpoint that reads z_T from that cache (endpoint_cache) instead of walking the pairs
// again, one call per run and direction. A path function must therefore treat its starts independently
// (every builder here does). The time and passes per traversal are those of the whole call over its codes.
// Every draw is seeded; on the CPU with one thread a run reproduces bit for bit.
//
// Errors: invalid_argument_error for fewer than 2 starts, K < 1, fewer than two times, an empty path
// function, or a reader without specs; dimension_error for a path of another shape than [T + 1, B, d];
// vp_score's and the generators' errors pass through. A frame the reader cannot read (its numerical_error:
// an empty image, the sprite faded away) ends that traversal's track there: the factor statistic uses the
// frames before it, and method_scores::unreadable_fraction counts the frames lost (a direction whose every
// track ends by the second frame gets a zero row); the reader's other errors pass through.
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include <latentwalk/compare/comparison_table.hpp>
#include <latentwalk/compare/traversal_metrics.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/torch/backend.hpp>
#include <latentwalk/torch/flows/flow_loss.hpp>
#include <latentwalk/torch/flows/flow_metrics.hpp>
#include <latentwalk/torch/module_generator.hpp>
#include <latentwalk/traversal/curve_traversal.hpp>

namespace latentwalk::torch::compare {

/// (k, z₀ [B, d]) ↦ [T + 1, B, d]: the latent points of direction k's traversal from each start.
using path_function = std::function<at::Tensor(std::int64_t k, const at::Tensor& z0)>;
/// z(z₀ [B, d], t [B, 1], direction [B, d]) → [B, d]: the signature of dplase::walk_function.
using walk_map = std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>;

struct traversal_method {
    std::string name{};
    std::string note{};            ///< how the directions were found (printed under the factor matrix)
    std::int64_t directions = 0;   ///< K
    std::vector<double> times{};   ///< t_0 … t_T of the path's points (the factor correlation's t)
    path_function path{};
};

/// t_j = j·step, j = 0 … steps.
[[nodiscard]] inline std::vector<double> uniform_times(std::int64_t steps, double step) {
    std::vector<double> t(static_cast<std::size_t>(steps + 1));
    for (std::int64_t j = 0; j <= steps; ++j) t[static_cast<std::size_t>(j)] = double(j) * step;
    return t;
}

/// A tensor function that counts the rows (latent codes) passed through it: the methods' generator.
class counted_function {
public:
    explicit counted_function(tensor_function f) : f_(std::move(f)), rows_(std::make_shared<std::int64_t>(0)) {}
    [[nodiscard]] tensor_function function() const {
        return [f = f_, rows = rows_](const at::Tensor& z) {
            *rows += z.dim() <= 1 ? 1 : z.numel() / z.size(-1);
            return f(z);
        };
    }
    /// The counted function as a DifferentiableGenerator (forward-mode JVPs: one pass per product).
    [[nodiscard]] std::shared_ptr<module_generator<double>> generator(std::int64_t latent_dim, std::int64_t output_dim) const {
        return std::make_shared<module_generator<double>>(function(), latent_dim, output_dim);
    }
    [[nodiscard]] std::int64_t rows() const { return *rows_; }
    void reset() const { *rows_ = 0; }

private:
    tensor_function f_;
    std::shared_ptr<std::int64_t> rows_;
};

namespace detail {

inline at::Tensor stack_times(const at::Tensor& z0, const std::vector<double>& times,
                              const std::function<at::Tensor(const at::Tensor& t)>& at_time) {
    std::vector<at::Tensor> pts;
    pts.reserve(times.size());
    for (double t : times) pts.push_back(at_time(at::full({z0.size(0), 1}, t, z0.options())));
    return at::stack(pts, 0);
}

inline void require_directions(const char* where, const at::Tensor& d) {
    if (!d.defined() || d.dim() != 2 || d.size(0) < 1)
        throw dimension_error(latentwalk::detail::sentence(where, "the directions must be a [K, d] tensor with K ≥ 1."));
}

}  // namespace detail

/// z₀ + t_j n_k with n_k the k-th row of `directions` [K, d].
[[nodiscard]] inline path_function linear_paths(at::Tensor directions, std::vector<double> times) {
    detail::require_directions("torch::compare::linear_paths", directions);
    return [d = directions.detach(), times = std::move(times)](std::int64_t k, const at::Tensor& z0) {
        const auto n = d[k].to(z0.options());
        return detail::stack_times(z0, times, [&](const at::Tensor& t) { return z0 + t * n; });
    };
}

/// walk(z₀, t_j, n_k): a dplase::walk_function along the rows of `directions` [K, d].
[[nodiscard]] inline path_function walk_paths(walk_map walk, at::Tensor directions, std::vector<double> times) {
    detail::require_directions("torch::compare::walk_paths", directions);
    if (!walk) throw invalid_argument_error(latentwalk::detail::sentence("torch::compare::walk_paths", "the walk is empty."));
    return [walk = std::move(walk), d = directions.detach(), times = std::move(times)](std::int64_t k, const at::Tensor& z0) {
        at::NoGradGuard g;
        const auto n = d[k].to(z0.options()).expand_as(z0);
        return detail::stack_times(z0, times, [&](const at::Tensor& t) { return walk(z0, t, n); });
    };
}

/// The flow of a bank (potential_bank, linear_bank, rbf_bank): `steps` steps of `step`; the bank is shared.
template <class Bank>
[[nodiscard]] path_function bank_paths(std::shared_ptr<Bank> bank, std::int64_t steps, double step = 1.0) {
    return [bank = std::move(bank), steps, step](std::int64_t k, const at::Tensor& z0) {
        at::NoGradGuard g;
        return flow_path(*bank, k, z0, steps, step);
    };
}

/// Local Basis, linear: z₀ + t_j v_k(z₀) from one batched dense tangent basis of `g` at the starts.
[[nodiscard]] inline path_function local_basis_paths(std::shared_ptr<module_generator<double>> g, std::vector<double> times) {
    return [g = std::move(g), times = std::move(times)](std::int64_t k, const at::Tensor& z0) {
        const auto tb = latentwalk::tangent_basis(*g, vector<double>(z0.to(at::kDouble).contiguous()), k + 1,
                                                  {.method = tangent_method::dense});
        const at::Tensor V = tb.latent_basis.tensor();  // [B, n, k + 1]
        const auto v = V.select(-1, k).to(z0.options());
        return detail::stack_times(z0, times, [&](const at::Tensor& t) { return z0 + t * v; });
    };
}

/// How curve_paths walks a batch of starts.
enum class curve_batching {
    batched,     ///< all starts at once: one batched dense tangent basis per step (default)
    per_sample,  ///< latentwalk::curve_traversal once per start (the reference; one code at a time)
};

/// Local Basis's Iterative Curve-Traversal along component k, one-sided, `steps` latent steps of `step`
/// (curve_traversal's paper defaults: follow the component by the largest |cos| of u, sign by ⟨u_prev, u⟩,
/// here with scale_by_singular_value off). `batched` runs the same rule on all starts at once; it equals
/// the per-sample curve_traversal point for point (tests/compare) and skips its frames and escape series.
[[nodiscard]] inline path_function curve_paths(std::shared_ptr<module_generator<double>> g, std::int64_t steps, double step,
                                               curve_batching batching = curve_batching::batched) {
    return [g = std::move(g), steps, step, batching](std::int64_t k, const at::Tensor& z0) {
        if (batching == curve_batching::per_sample) {
            curve_traversal_options o;
            o.scale_by_singular_value = false;
            o.both_sides = false;
            o.record_outputs = false;
            std::vector<at::Tensor> rows;
            for (std::int64_t b = 0; b < z0.size(0); ++b) {
                const auto tr = latentwalk::curve_traversal(*g, vector<double>(z0[b].to(at::kDouble).contiguous()), k, steps, step, o);
                std::vector<at::Tensor> pts;
                for (const auto& p : tr.points) pts.push_back(p.tensor());
                rows.push_back(at::stack(pts, 0));  // [T + 1, d]
            }
            return at::stack(rows, 1).to(z0.options());
        }
        const std::int64_t r = std::min(g->latent_dim(), g->output_dim());
        if (k < 0 || k >= r)
            throw dimension_error(latentwalk::detail::sentence("torch::compare::curve_paths", "component " + std::to_string(k) +
                                                                   " does not exist: min(n, m) = " + std::to_string(r) + "."));
        auto basis = [&](const at::Tensor& z) {
            return latentwalk::tangent_basis(*g, vector<double>(z.contiguous()), r, {.method = tangent_method::dense});
        };
        at::Tensor z = z0.to(at::kDouble).contiguous();
        auto tb = basis(z);
        at::Tensor u = tb.output_basis.tensor().select(-1, k), v = tb.latent_basis.tensor().select(-1, k);  // [B, m], [B, n]
        std::vector<at::Tensor> pts{z};
        for (std::int64_t j = 0; j < steps; ++j) {
            z = z + step * v;
            pts.push_back(z);
            if (j + 1 == steps) break;
            tb = basis(z);
            const at::Tensor U = tb.output_basis.tensor(), V = tb.latent_basis.tensor();  // [B, m, r], [B, n, r]
            const auto cosines = at::matmul(U.transpose(-1, -2), u.unsqueeze(-1)).squeeze(-1);  // [B, r]
            const auto best = cosines.abs().argmax(-1, true);                                    // first maximum, as the loop
            const auto c = cosines.gather(-1, best);                                             // [B, 1]
            const auto sgn = at::where(c < 0, at::full_like(c, -1.0), at::full_like(c, 1.0));
            u = U.gather(-1, best.unsqueeze(-2).expand({U.size(0), U.size(1), 1})).squeeze(-1) * sgn;
            v = V.gather(-1, best.unsqueeze(-2).expand({V.size(0), V.size(1), 1})).squeeze(-1) * sgn;
        }
        return at::stack(pts, 0).to(z0.options());
    };
}

/// One run's VP data set, by direction: the blocks of starts vp_score hands to each direction's endpoint.
struct vp_data_set {
    std::vector<at::Tensor> starts{};  ///< K blocks [n_k, d] float64 (n_k may be 0), in vp_score's order
};

/// Run `run` of vp_score(·, K, ·, d, o)'s data set, recorded from vp_score itself: it is called for that one
/// run with an endpoint that keeps each block of starts and stops it (before any image is made or any
/// classifier trained) once all o.pairs starts are seen — so the draw is vp_score's own, whatever it is.
[[nodiscard]] inline vp_data_set draw_vp_data_set(const vp_score_options& o, std::int64_t K, std::int64_t d, std::int64_t run) {
    struct recorded {};  // thrown through vp_score once the data set is complete
    vp_score_options one = o;
    one.runs = 1;
    one.seed = o.run_seed(run);
    vp_data_set v;
    v.starts.assign(static_cast<std::size_t>(K), at::empty({0, d}, at::kDouble));
    std::int64_t seen = 0;
    const traversal_endpoint record = [&](std::int64_t k, const at::Tensor& z0) -> at::Tensor {
        v.starts[static_cast<std::size_t>(k)] = z0.to(at::kDouble).clone();
        seen += z0.size(0);
        if (seen >= o.pairs) throw recorded{};
        return z0;
    };
    const tensor_function never = [](const at::Tensor&) -> at::Tensor { throw recorded{}; };
    try {
        (void)vp_score(never, {1, 1, 1}, K, record, d, one);
    } catch (const recorded&) {
    }
    if (seen != o.pairs)
        throw numerical_error(latentwalk::detail::sentence("torch::compare::draw_vp_data_set", "vp_score asked for the endpoints of " +
                                                                std::to_string(seen) + " starts, not of its " + std::to_string(o.pairs) + " pairs."));
    return v;
}

/// The starts of a VP data set that vp_score hands to direction k's endpoint, in its order.
[[nodiscard]] inline at::Tensor vp_starts_of(const vp_data_set& v, std::int64_t k) { return v.starts.at(static_cast<std::size_t>(k)); }

/// Endpoints z_T of known starts, by direction: a traversal_endpoint that returns the cached z_T when it is
/// asked for exactly (bit for bit) a block of starts it holds, and walks `fallback` otherwise (counted).
class endpoint_cache {
public:
    void add(std::int64_t k, at::Tensor z0, at::Tensor zT) { entries_->push_back({k, std::move(z0), std::move(zT)}); }
    /// The endpoint (it shares the cache and its counters: valid after the cache object is gone).
    [[nodiscard]] traversal_endpoint endpoint(path_function fallback, std::int64_t T1) const {
        return [entries = entries_, hits = hits_, misses = misses_, fallback = std::move(fallback), T1](std::int64_t k,
                                                                                                      const at::Tensor& z0) {
            for (const auto& e : *entries)
                if (e.k == k && e.z0.sizes() == z0.sizes() && at::equal(e.z0, z0.to(e.z0.options()))) {
                    ++*hits;
                    return e.zT;
                }
            ++*misses;
            return fallback(k, z0).select(0, T1 - 1);
        };
    }
    [[nodiscard]] std::int64_t hits() const { return *hits_; }
    [[nodiscard]] std::int64_t misses() const { return *misses_; }
    [[nodiscard]] std::size_t size() const { return entries_->size(); }

private:
    struct entry {
        std::int64_t k;
        at::Tensor z0, zT;
    };
    std::shared_ptr<std::vector<entry>> entries_ = std::make_shared<std::vector<entry>>();
    std::shared_ptr<std::int64_t> hits_ = std::make_shared<std::int64_t>(0), misses_ = std::make_shared<std::int64_t>(0);
};

/// Every traversal a method's scores need, each walked once.
struct method_traversals {
    std::vector<at::Tensor> paths{};  ///< K paths [T + 1, S, d] float64 from the metric starts
    endpoint_cache vp{};              ///< z_T of every VP pair, by run and direction
    double seconds = 0;               ///< the K path calls
    std::int64_t passes = 0;          ///< generator rows asked of `counted` by them
    std::int64_t codes = 0;           ///< starts traversed: K·S plus the VP pairs
    double vp_share = 0;              ///< the VP pairs' fraction of `codes`
};

/// Step 1 of score_method: one path call per direction on the metric starts z0 [S, d] followed by that
/// direction's starts of every VP run (vp.runs = 0: the metric starts only). The paths' shape is checked.
[[nodiscard]] inline method_traversals traverse_method(const traversal_method& m, const at::Tensor& z0,
                                                       const counted_function& counted, const vp_score_options& vp) {
    using latentwalk::detail::sentence;
    const std::string where = "torch::compare::traverse_method (" + m.name + ")";
    const std::int64_t K = m.directions, S = z0.size(0), d = z0.size(1);
    const auto T1 = static_cast<std::int64_t>(m.times.size());
    if (vp.runs > 0 && (K < 2 || vp.pairs < 2 * K))
        throw invalid_argument_error(sentence(where, "the VP data sets need K ≥ 2 directions and at least 2K pairs."));
    std::vector<vp_data_set> sets;
    for (std::int64_t run = 0; run < vp.runs; ++run) sets.push_back(draw_vp_data_set(vp, K, d, run));
    method_traversals out;
    counted.reset();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t k = 0; k < K; ++k) {
        std::vector<at::Tensor> blocks{z0.to(at::kDouble)};
        for (const auto& v : sets) blocks.push_back(vp_starts_of(v, k));
        const auto all = at::cat(blocks, 0);
        auto p = m.path(k, all).detach().to(at::kDouble);
        const auto N = all.size(0);
        if (p.dim() != 3 || p.size(0) != T1 || p.size(1) != N || p.size(2) != d)
            throw dimension_error(sentence(where, "the path of direction " + std::to_string(k) + " has shape " +
                                                      torch::detail::shape_string(p) + "; it must be [" + std::to_string(T1) + ", " +
                                                      std::to_string(N) + ", " + std::to_string(d) + "]."));
        out.paths.push_back(p.slice(1, 0, S).contiguous());
        std::int64_t offset = S;
        for (std::size_t r = 1; r < blocks.size(); ++r) {
            const auto nr = blocks[r].size(0);
            if (nr > 0) out.vp.add(k, blocks[r], p.select(0, T1 - 1).slice(0, offset, offset + nr).contiguous());
            offset += nr;
        }
        out.codes += N;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.passes = counted.rows();
    out.vp_share = double(out.codes - K * S) / double(out.codes);
    return out;
}

/// Where the scores come from: the generator, the data and the ground truth (optional parts empty).
struct scoring_context {
    tensor_function generator{};  ///< the uncounted generator (frames, escape, VP)
    image_shape shape{};
    std::int64_t latent_dim = 0;
    at::Tensor reference_images{};  ///< [N, C·H·W] float training images for the NN ratio; undefined: no NN ratio
    /// One frame (C·H·W floats) → the F factor values in the order of `specs`; empty: no ground truth.
    std::function<std::vector<double>(const float*, std::size_t)> factor_reader{};
    std::vector<factor_spec> specs{};
};

struct score_options {
    std::int64_t starts = 32;     ///< S start points per direction
    std::uint64_t seed = 1;       ///< the starts (std::mt19937_64, N(0, I))
    bool escape = true;
    vp_score_options vp{};        ///< vp.runs = 0 skips the VP score
    std::int64_t frame_batch = 512;
};

struct scored_method {
    method_scores scores{};
    at::Tensor frames{};  ///< [K, T + 1, C·H·W] float: each direction's traversal from the first start
    std::int64_t vp_cache_misses = 0;  ///< VP endpoint blocks walked again (0 unless vp_score's draw changed)
};

/// The starts every method shares: [S, d] from N(0, I) with std::mt19937_64(seed).
[[nodiscard]] inline at::Tensor comparison_starts(std::int64_t S, std::int64_t d, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> nd;
    std::vector<double> v(static_cast<std::size_t>(S * d));
    for (auto& x : v) x = nd(rng);
    return at::tensor(v, at::kDouble).reshape({S, d});
}

/// Scores one method (see the header comment). `counted` is the generator the method's paths call.
[[nodiscard]] inline scored_method score_method(const traversal_method& m, const scoring_context& c,
                                                const counted_function& counted, const score_options& o = {}) {
    using latentwalk::detail::sentence;
    const std::string where = "torch::compare::score_method (" + m.name + ")";
    const std::int64_t K = m.directions, S = o.starts, d = c.latent_dim, P = c.shape.numel();
    const auto T1 = static_cast<std::int64_t>(m.times.size());
    if (K < 1 || S < 2 || T1 < 2 || !m.path || d < 1 || !c.generator)
        throw invalid_argument_error(sentence(where, "it needs K ≥ 1 directions, at least 2 starts and 2 times, a path "
                                                     "function, a generator and a latent dimension."));
    if (c.factor_reader && c.specs.empty())
        throw invalid_argument_error(sentence(where, "a factor reader needs the factor specs."));
    at::NoGradGuard no_grad;
    const auto z0 = comparison_starts(S, d, o.seed);

    // 1. paths, timed and counted: the metric starts and the VP pairs in one call per direction
    if (o.vp.runs > 0 && K < 2) throw invalid_argument_error(sentence(where, "the VP score needs at least 2 directions."));
    auto tv = traverse_method(m, z0, counted, o.vp.runs > 0 ? o.vp : vp_score_options{.runs = 0});
    const auto& paths = tv.paths;

    method_scores r;
    r.method = m.name;
    r.note = m.note;
    r.directions = K;
    r.starts = S;
    r.steps = T1 - 1;
    r.seconds_per_traversal = tv.seconds / double(tv.codes);
    r.generator_passes_per_traversal = double(tv.passes) / double(tv.codes);

    // 2.–4. frames, factors, geometry, fidelity, escape
    auto render = [&](const at::Tensor& z) {  // [N, d] → [N, P] float CPU
        std::vector<at::Tensor> parts;
        for (std::int64_t s = 0; s < z.size(0); s += o.frame_batch) {
            const auto e = std::min(z.size(0), s + o.frame_batch);
            parts.push_back(c.generator(z.slice(0, s, e)).reshape({e - s, P}).to(at::kCPU, at::kFloat));
        }
        return at::cat(parts, 0).contiguous();
    };
    auto nearest = [&](const at::Tensor& x) {  // mean distance to the nearest reference image
        double sum = 0;
        for (std::int64_t s = 0; s < x.size(0); s += 256) {
            const auto e = std::min(x.size(0), s + 256);
            sum += at::cdist(x.slice(0, s, e), c.reference_images).amin(1).sum().item<double>();
        }
        return sum / double(x.size(0));
    };
    std::vector<std::vector<factor_track>> tracks(static_cast<std::size_t>(K));
    scored_method out;
    out.frames = at::empty({K, T1, P}, at::kFloat);
    std::int64_t lost = 0;
    double drift = 0, max_drift = 0, curvature = 0, length = 0, dependence = 0, esc_num = 0, esc_den = 0;
    std::vector<at::Tensor> start_frames, later_frames;
    for (std::int64_t k = 0; k < K; ++k) {
        const auto& p = paths[static_cast<std::size_t>(k)];
        const auto frames = render(p.reshape({T1 * S, d})).reshape({T1, S, P});
        out.frames[k].copy_(frames.select(1, 0));
        if (c.reference_images.defined()) {
            start_frames.push_back(frames.select(0, 0));
            later_frames.push_back(frames.slice(0, 1, T1).reshape({(T1 - 1) * S, P}));
        }
        const auto ph = p.contiguous();
        std::vector<std::vector<double>> disp;
        for (std::int64_t s = 0; s < S; ++s) {
            std::vector<std::vector<double>> pts(static_cast<std::size_t>(T1));
            for (std::int64_t j = 0; j < T1; ++j) {
                const double* q = ph[j][s].data_ptr<double>();
                pts[static_cast<std::size_t>(j)].assign(q, q + d);
            }
            const auto g = path_geometry(pts);
            drift += g.log_density_drift;
            max_drift += g.max_log_density_drift;
            curvature += g.curvature;
            length += g.length;
            std::vector<double> dz(static_cast<std::size_t>(d));
            for (std::int64_t i = 0; i < d; ++i) dz[static_cast<std::size_t>(i)] = pts.back()[static_cast<std::size_t>(i)] - pts[0][static_cast<std::size_t>(i)];
            disp.push_back(std::move(dz));
            if (c.factor_reader) {
                factor_track tr;
                for (std::int64_t j = 0; j < T1; ++j) {
                    const auto f = frames[j][s].contiguous();
                    try {
                        tr.values.push_back(c.factor_reader(f.data_ptr<float>(), static_cast<std::size_t>(P)));
                        tr.times.push_back(m.times[static_cast<std::size_t>(j)]);
                    } catch (const numerical_error&) {  // the frame shows nothing to read: the track ends here
                        lost += T1 - j;
                        break;
                    }
                }
                if (tr.times.size() >= 2) tracks[static_cast<std::size_t>(k)].push_back(std::move(tr));
            }
        }
        if (c.factor_reader && tracks[static_cast<std::size_t>(k)].empty()) {
            // every traversal lost its content by the second frame: a zero row (a constant track)
            const std::vector<double> still(c.specs.size(), 0.0);
            tracks[static_cast<std::size_t>(k)].push_back({{m.times[0], m.times[1]}, {still, still}});
        }
        dependence += position_dependence(disp);
        if (o.escape) {
            const auto za = p.slice(0, 0, T1 - 1).reshape({(T1 - 1) * S, d});
            const auto dz = (p.slice(0, 1, T1) - p.slice(0, 0, T1 - 1)).reshape({(T1 - 1) * S, d});
            const auto xa = frames.slice(0, 0, T1 - 1).reshape({(T1 - 1) * S, P}).to(at::kDouble);
            const auto xb = frames.slice(0, 1, T1).reshape({(T1 - 1) * S, P}).to(at::kDouble);
            const auto jv = torch::detail::generator_jvp(c.generator, za, dz).detach().reshape({(T1 - 1) * S, P}).to(at::kDouble);
            esc_num += (xb - xa - jv).norm(2, -1).sum().item<double>();
            esc_den += (xb - xa).norm(2, -1).sum().item<double>();
        }
    }
    const double n = double(K * S);
    r.log_density_drift = drift / n;
    r.max_log_density_drift = max_drift / n;
    r.curvature = curvature / n;
    r.latent_length = length / n;
    r.position_dependence = dependence / double(K);
    if (o.escape && esc_den > 0) r.escape = esc_num / esc_den;
    if (c.reference_images.defined()) {
        const double a = nearest(at::cat(start_frames, 0)), b = nearest(at::cat(later_frames, 0));
        if (a > 0) r.fidelity_ratio = b / a;
    }
    if (c.factor_reader) {
        r.factors = factor_correlation(tracks, c.specs);
        r.unreadable_fraction = double(lost) / double(K * S * T1);
    }

    // 5. VP score of the endpoints, read from the cache of step 1
    if (o.vp.runs > 0) {
        const auto t5 = std::chrono::steady_clock::now();
        const auto vp = vp_score(c.generator, c.shape, K, tv.vp.endpoint(m.path, T1), d, o.vp);
        // the VP's own time (images, classifier) and its pairs' share of the path calls
        r.vp_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t5).count() + tv.vp_share * tv.seconds;
        out.vp_cache_misses = tv.vp.misses();
        r.vp_mean = vp.mean;
        r.vp_sd = vp.sd;
        r.vp_runs = vp.runs;
    }
    out.scores = std::move(r);
    return out;
}

}  // namespace latentwalk::torch::compare
