// compare: score_method on a linear decoder g(z) = A z + b, where every method's path and every score is
// known in closed form — Local Basis's v_k are A's right singular vectors, the escape is 0, the factor
// statistic of a pixel read as a factor is |A_f · n| sd(t)/spread, drifts and lengths follow from the
// starts — and the whole table on a tiny non-linear generator.
#include <latentwalk/compare/comparison_table.hpp>
#include <latentwalk/torch/compare/score_methods.hpp>
#include <latentwalk/torch/dplase/walks.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "compare_support.hpp"
#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
namespace lc = latentwalk::torch::compare;
using Catch::Approx;
using compare_test::sd_of;

namespace {

constexpr std::int64_t n = 4, side = 4, m = side * side, K = 3, S = 6, T = 5;

/// A = U diag(σ) Vᵀ with orthonormal U (m×n), V (n×n) from a fixed QR, σ = (4, 3, 2, 1).
struct linear_decoder {
    at::Tensor U, V, sigma, A, b;
    linear_decoder() {
        at::manual_seed(5);
        U = std::get<0>(at::linalg_qr(at::randn({m, n}, at::kDouble)));
        V = std::get<0>(at::linalg_qr(at::randn({n, n}, at::kDouble)));
        sigma = at::tensor(std::vector<double>{4, 3, 2, 1}, at::kDouble);
        A = U.matmul(at::diag(sigma)).matmul(V.transpose(0, 1));
        b = at::full({m}, 0.5, at::kDouble);
    }
    lt::tensor_function function() const {
        return [A = A, b = b](const at::Tensor& z) { return at::matmul(z, A.transpose(0, 1)) + b; };
    }
};

/// Pixels 0 … 2 read as three continuous factors of spread 0.5.
lc::scoring_context pixel_context(const linear_decoder& dec) { return compare_test::pixel_context(dec.function(), side, n, 0.5); }

}  // namespace

CATCH_TEST_CASE("compare: on a linear decoder every direction's factor row is |A_f · n_k| sd(t)/spread", "[compare]") {
    const linear_decoder dec;
    const auto ctx = pixel_context(dec);
    lc::counted_function counted(ctx.generator);
    const auto times = lc::uniform_times(T, 0.4);
    const double st = sd_of(times);
    lc::score_options o;
    o.starts = S;
    o.vp.runs = 0;
    // coordinate axes and Local Basis (linear): the rows of the closed form with n_k = e_k and n_k = ±v_k
    const auto axes = lc::score_method({"axes", "e_k", K, times, lc::linear_paths(at::eye(n, at::kDouble).slice(0, 0, K), times)},
                                       ctx, counted, o);
    const auto lb = lc::score_method({"LB", "v_k", K, times, lc::local_basis_paths(counted.generator(n, m), times)}, ctx, counted, o);
    for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t f = 0; f < 3; ++f) {
            // factor values are read from float frames: agreement to float precision relative to the pixel range
            const double axis = std::abs(dec.A[f][k].item<double>()) * st / 0.5;
            CATCH_CHECK(axes.scores.factors->raw[k][f] == Approx(axis).margin(2e-5));
            const double lbk = dec.sigma[k].item<double>() * std::abs(dec.U[f][k].item<double>()) * st / 0.5;  // A v_k = σ_k u_k
            CATCH_CHECK(lb.scores.factors->raw[k][f] == Approx(lbk).margin(5e-5));
        }
    // a linear generator has no escape: g(z + Δ) − g(z) = J Δ exactly (float frames: ~1e-7 relative)
    CATCH_CHECK(*axes.scores.escape < 1e-5);
    CATCH_CHECK(*lb.scores.escape < 1e-5);
    // straight, start-independent paths; Local Basis costs n forward-mode JVP passes per traversal, the axes none
    CATCH_CHECK(axes.scores.curvature == Approx(0.0).margin(1e-12));
    CATCH_CHECK(axes.scores.position_dependence == Approx(0.0).margin(1e-24));
    CATCH_CHECK(lb.scores.position_dependence == Approx(0.0).margin(1e-20));
    CATCH_CHECK(axes.scores.latent_length == Approx(T * 0.4));
    CATCH_CHECK(axes.scores.generator_passes_per_traversal == 0.0);
    CATCH_CHECK(lb.scores.generator_passes_per_traversal == Approx(double(n)));
    // the drift of z₀ + t e_k at t = T·0.4: |2 t z₀,k + t²|/2, averaged over the starts and directions
    const auto z0 = lc::comparison_starts(S, n, o.seed);
    const double tT = T * 0.4;
    double drift = 0;
    for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t s = 0; s < S; ++s) drift += std::abs(2 * tT * z0[s][k].item<double>() + tT * tT) / 2;
    CATCH_CHECK(axes.scores.log_density_drift == Approx(drift / double(K * S)).epsilon(1e-12));
    // a reader that cannot read any frame: every track ends at once, all frames lost, zero rows
    auto blind = ctx;
    blind.factor_reader = [](const float*, std::size_t) -> std::vector<double> { throw lw::numerical_error("empty"); };
    const auto none = lc::score_method({"axes", "e_k", K, times, lc::linear_paths(at::eye(n, at::kDouble).slice(0, 0, K), times)},
                                       blind, counted, o);
    CATCH_CHECK(*none.scores.unreadable_fraction == 1.0);
    CATCH_CHECK(none.scores.factors->mean_max_share == 0.0);
    CATCH_CHECK(*axes.scores.unreadable_fraction == 0.0);
    // the frames of the picture are g of the first start's path
    const auto expect = ctx.generator((z0[0] + tT * at::eye(n, at::kDouble)[1]).unsqueeze(0)).to(at::kFloat);
    CATCH_CHECK((axes.frames[1][T] - expect[0]).abs().max().item<double>() < 1e-6);
}

CATCH_TEST_CASE("compare: the curve, the density-preserving walk and a linear bank score as computed by hand", "[compare]") {
    const linear_decoder dec;
    auto ctx = pixel_context(dec);
    lc::counted_function counted(ctx.generator);
    lc::score_options o;
    o.starts = S;
    o.vp.runs = 0;
    // On a linear generator the local basis is the same everywhere: the curve is the straight line
    // z₀ + j·step·v_k, T bases of n JVPs plus one evaluation per step.
    const auto times = lc::uniform_times(T, 0.3);
    const auto curve = lc::score_method({"curve", "", K, times, lc::curve_paths(counted.generator(n, m), T, 0.3)}, ctx, counted, o);
    const auto lb = lc::score_method({"LB", "", K, times, lc::local_basis_paths(counted.generator(n, m), times)}, ctx, counted, o);
    CATCH_CHECK(curve.scores.curvature == Approx(0.0).margin(1e-10));
    CATCH_CHECK(curve.scores.latent_length == Approx(T * 0.3).epsilon(1e-12));
    for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t f = 0; f < 3; ++f)
            CATCH_CHECK(curve.scores.factors->raw[k][f] == Approx(lb.scores.factors->raw[k][f]).margin(5e-5));
    CATCH_CHECK(curve.scores.generator_passes_per_traversal >= double(T * n));
    // eq. (2) keeps ‖z‖: no density drift anywhere along the path
    const auto dirs = at::eye(n, at::kDouble).slice(0, 0, K);
    const auto walk = lc::score_method({"DP", "", K, times, lc::walk_paths(lt::dplase::norm_preserving_walk(), dirs, times)}, ctx,
                                       counted, o);
    CATCH_CHECK(walk.scores.max_log_density_drift == Approx(0.0).margin(1e-12));
    CATCH_CHECK(walk.scores.curvature > 0.0);
    // a linear bank: z_T = z₀ + T a_k for every start (no position dependence), length T‖a_k‖
    auto bank = std::make_shared<lt::linear_bank>(n, lt::linear_bank_options{.potentials = K, .seed = 4});
    const auto flow = lc::score_method({"linear bank", "", K, lc::uniform_times(T, 1.0), lc::bank_paths(bank, T)}, ctx, counted, o);
    double len = 0;
    for (std::int64_t k = 0; k < K; ++k) {
        double a2 = 0;
        for (double x : bank->direction(k)) a2 += x * x;
        len += T * std::sqrt(a2) / double(K);
    }
    CATCH_CHECK(flow.scores.latent_length == Approx(len).epsilon(1e-12));
    CATCH_CHECK(flow.scores.position_dependence == Approx(0.0).margin(1e-20));
    CATCH_CHECK(flow.scores.generator_passes_per_traversal == 0.0);
    // NN ratio with the single reference image b = g(0) and orthonormal U (σ = 1): distances are ‖z‖, so the
    // ratio is mean_{j ≥ 1} ‖z_j‖ / mean ‖z₀‖, here for the norm-preserving walk exactly 1
    linear_decoder iso;
    iso.A = iso.U;
    auto ictx = pixel_context(iso);
    ictx.reference_images = iso.b.to(at::kFloat).unsqueeze(0);
    lc::counted_function icounted(ictx.generator);
    const auto iw = lc::score_method({"DP", "", K, times, lc::walk_paths(lt::dplase::norm_preserving_walk(), dirs, times)}, ictx,
                                     icounted, o);
    CATCH_CHECK(*iw.scores.fidelity_ratio == Approx(1.0).epsilon(1e-5));
    const auto il = lc::score_method({"axes", "", K, times, lc::linear_paths(dirs, times)}, ictx, icounted, o);
    const auto z0 = lc::comparison_starts(S, n, o.seed);
    double start = 0, later = 0;
    for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t s = 0; s < S; ++s) {
            start += z0[s].norm().item<double>();
            for (std::int64_t j = 1; j <= T; ++j) later += (z0[s] + times[j] * dirs[k]).norm().item<double>();
        }
    CATCH_CHECK(*il.scores.fidelity_ratio == Approx((later / double(T)) / start).epsilon(1e-5));
    CATCH_CHECK_THROWS_AS(lc::score_method({"bad", "", K, {0.0}, lc::linear_paths(dirs, {0.0})}, ctx, counted, o),
                          lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lc::score_method({"bad", "", K, times, lc::linear_paths(dirs, {0.0, 1.0})}, ctx, counted, o),
                          lw::dimension_error);
}

CATCH_TEST_CASE("compare: the table of a tiny non-linear generator has a row per method, VP included", "[compare]") {
    // z (4) → tanh → sigmoid image 1×4×4: small enough that three methods with 1 VP run take seconds
    at::manual_seed(9);
    const auto W1 = at::randn({12, n}, at::kDouble), W2 = at::randn({m, 12}, at::kDouble);
    const lt::tensor_function G = [W1, W2](const at::Tensor& z) {
        return at::sigmoid(at::matmul(at::tanh(at::matmul(z, W1.transpose(0, 1))), W2.transpose(0, 1)));
    };
    lc::scoring_context ctx{.generator = G, .shape = {1, side, side}, .latent_dim = n};
    ctx.reference_images = G(at::randn({200, n}, at::kDouble)).to(at::kFloat);
    lc::counted_function counted(G);
    lc::score_options o;
    o.starts = 8;
    o.vp.pairs = 120;
    o.vp.epochs = 3;
    o.vp.runs = 2;
    const auto times = lc::uniform_times(4, 0.5);
    const auto dirs = at::eye(n, at::kDouble).slice(0, 0, 2);
    std::vector<lw::method_scores> rows;
    rows.push_back(lc::score_method({"axes", "e_k", 2, times, lc::linear_paths(dirs, times)}, ctx, counted, o).scores);
    rows.push_back(lc::score_method({"LB", "v_k", 2, times, lc::local_basis_paths(counted.generator(n, m), times)}, ctx, counted, o).scores);
    rows.push_back(lc::score_method({"DP", "eq. 2", 2, times, lc::walk_paths(lt::dplase::norm_preserving_walk(), dirs, times)}, ctx,
                                    counted, o).scores);
    for (const auto& r : rows) {
        CATCH_CHECK(r.vp_runs.size() == 2);
        CATCH_CHECK(*r.vp_mean >= 0.0);
        CATCH_CHECK(*r.vp_mean <= 1.0);
        CATCH_CHECK(*r.escape > 1e-4);   // a curved generator leaves its tangent plane
        CATCH_CHECK(*r.fidelity_ratio > 0.0);
        CATCH_CHECK(!r.factors);
    }
    CATCH_CHECK(rows[2].max_log_density_drift == Approx(0.0).margin(1e-12));
    const auto md = lw::comparison_markdown(rows);
    CATCH_CHECK(md.find("| axes | — | — | — | — | — |") != std::string::npos);
    std::istringstream csv(lw::comparison_csv(rows));
    std::string line;
    int lines = 0;
    while (std::getline(csv, line)) {
        CATCH_CHECK(std::count(line.begin(), line.end(), ',') == 21);
        ++lines;
    }
    CATCH_CHECK(lines == 4);
}

CATCH_TEST_CASE("compare: the batched curve paths equal curve_traversal point for point on a curved generator", "[compare]") {
    at::manual_seed(11);
    const auto W1 = at::randn({10, n}, at::kDouble), W2 = at::randn({m, 10}, at::kDouble);
    const lt::tensor_function G = [W1, W2](const at::Tensor& z) {
        return at::matmul(at::tanh(at::matmul(z, W1.transpose(0, 1))), W2.transpose(0, 1));
    };
    lc::counted_function counted(G);
    const auto g = counted.generator(n, m);
    const auto z0 = lc::comparison_starts(5, n, 3);
    for (std::int64_t k = 0; k < 2; ++k) {
        counted.reset();
        const auto batched = lc::curve_paths(g, 8, 0.25)(k, z0);
        const auto batched_passes = counted.rows();
        counted.reset();
        const auto reference = lc::curve_paths(g, 8, 0.25, lc::curve_batching::per_sample)(k, z0);
        CATCH_CHECK((batched - reference).abs().max().item<double>() < 1e-12);
        CATCH_CHECK(batched_passes == 5 * 8 * n);                 // T bases of n JVPs per start
        CATCH_CHECK(counted.rows() == 5 * ((8 + 1) * n + 8 + 1));  // curve_traversal: T + 1 bases and T + 1 frames
        // the curve bends where the generator does: not the straight line along v_k(z₀)
        const auto straight = lc::local_basis_paths(g, lc::uniform_times(8, 0.25))(k, z0);
        CATCH_CHECK((batched - straight).abs().max().item<double>() > 1e-3);
    }
}

CATCH_TEST_CASE("compare: the cached VP endpoints equal the recomputed ones and give the same VP score", "[compare]") {
    at::manual_seed(13);
    const auto W1 = at::randn({10, n}, at::kDouble), W2 = at::randn({m, 10}, at::kDouble);
    const lt::tensor_function G = [W1, W2](const at::Tensor& z) {
        return at::sigmoid(at::matmul(at::tanh(at::matmul(z, W1.transpose(0, 1))), W2.transpose(0, 1)));
    };
    lc::counted_function counted(G);
    constexpr std::int64_t steps = 4, starts = 5, dirs = 2;
    const lc::traversal_method curve{"curve", "", dirs, lc::uniform_times(steps, 0.3), lc::curve_paths(counted.generator(n, m), steps, 0.3)};
    lt::vp_score_options vp;
    vp.pairs = 40;
    vp.epochs = 2;
    vp.batch = 8;
    vp.runs = 2;
    vp.seed = 5;
    const auto z0 = lc::comparison_starts(starts, n, 1);
    const auto tv = lc::traverse_method(curve, z0, counted, vp);
    CATCH_CHECK(tv.codes == dirs * starts + vp.runs * vp.pairs);  // every code walked once
    CATCH_CHECK(tv.passes == tv.codes * steps * n);              // T bases of n JVPs per code
    for (std::int64_t k = 0; k < dirs; ++k) CATCH_CHECK((tv.paths[std::size_t(k)] - curve.path(k, z0)).abs().max().item<double>() < 1e-12);
    const auto cached = tv.vp.endpoint(curve.path, steps + 1);
    for (std::int64_t run = 0; run < vp.runs; ++run)
        for (std::int64_t k = 0; k < dirs; ++k) {
            const auto s = lc::vp_starts_of(lc::draw_vp_data_set(vp, dirs, n, run), k);
            CATCH_REQUIRE(s.size(0) > 0);
            CATCH_CHECK((cached(k, s) - curve.path(k, s).select(0, steps)).abs().max().item<double>() < 1e-12);
        }
    CATCH_CHECK(tv.vp.hits() == vp.runs * dirs);
    CATCH_CHECK(tv.vp.misses() == 0);
    // a block it does not hold is walked, and counted as a miss
    CATCH_CHECK((cached(1, z0) - curve.path(1, z0).select(0, steps)).abs().max().item<double>() < 1e-12);
    CATCH_CHECK(tv.vp.misses() == 1);
    // the VP score with the cache equals vp_score walking every pair itself, same seed, run for run
    const auto walked = lt::vp_score(G, {1, side, side}, dirs, [&](std::int64_t k, const at::Tensor& z) {
        return curve.path(k, z).select(0, steps);
    }, n, vp);
    lc::scoring_context ctx{.generator = G, .shape = {1, side, side}, .latent_dim = n};
    lc::score_options o;
    o.starts = starts;
    o.seed = 1;
    o.escape = false;
    o.vp = vp;
    const auto r = lc::score_method(curve, ctx, counted, o);
    CATCH_CHECK(r.vp_cache_misses == 0);
    CATCH_REQUIRE(r.scores.vp_runs.size() == std::size_t(vp.runs));
    for (std::size_t run = 0; run < walked.runs.size(); ++run) CATCH_CHECK(r.scores.vp_runs[run] == walked.runs[run]);
    CATCH_CHECK(r.scores.generator_passes_per_traversal == Approx(double(steps * n)));
    lt::vp_score_options few = vp;
    few.pairs = 3;  // fewer than 2K pairs: refused before anything is walked
    CATCH_CHECK_THROWS_AS(lc::traverse_method(curve, z0, counted, few), lw::invalid_argument_error);
}
