// compare: the fitted and trained methods of examples/compare_methods — SeFa, GANSpace, WarpedSpace's RBF
// dipoles, the potential flow and DP-LaSE's Γ — scored on a linear decoder g(z) = A z + b whose every row
// has the same norm (A = U diag(σ) Vᵀ with U four columns of a Hadamard matrix / 4, so |U_fk| = 1/4).
// There SeFa's directions are A's right singular vectors v_k (row normalization only rescales A),
// GANSpace's regressed directions on whitened latents are v_k/σ_k, and a pixel read as a factor has
// the factor statistic |A_f · n| sd(t)/spread along a line z₀ + t n; the flows' rows are computed by hand
// from paths integrated here, with gradients taken independently of the banks' own velocity code.
#include <latentwalk/compare/comparison_table.hpp>
#include <latentwalk/eigen.hpp>
#include <latentwalk/grassmann/ganspace_regression.hpp>
#include <latentwalk/grassmann/sefa_directions.hpp>
#include <latentwalk/torch/compare/score_methods.hpp>
#include <latentwalk/torch/dplase/directions.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

#include <torch/torch.h>

#include <cmath>
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
constexpr double spread = 0.5;

/// A = U diag(4, 3, 2, 1) Vᵀ, U = columns 1 … 4 of the 16×16 Sylvester–Hadamard matrix / 4 (entries ±1/4,
/// orthonormal), V from a fixed QR: every row of A has norm² Σ_k σ_k²/16 = 30/16.
struct hadamard_decoder {
    at::Tensor U, V, sigma, A, b;
    hadamard_decoder() {
        U = at::empty({m, n}, at::kDouble);
        for (std::int64_t i = 0; i < m; ++i)
            for (std::int64_t k = 0; k < n; ++k) U[i][k] = (__builtin_popcountll(std::uint64_t(i & (k + 1))) % 2 ? -0.25 : 0.25);
        at::manual_seed(21);
        V = std::get<0>(at::linalg_qr(at::randn({n, n}, at::kDouble)));
        sigma = at::tensor(std::vector<double>{4, 3, 2, 1}, at::kDouble);
        A = U.matmul(at::diag(sigma)).matmul(V.transpose(0, 1));
        b = at::full({m}, 0.5, at::kDouble);
    }
    lt::tensor_function function() const {
        return [A = A, b = b](const at::Tensor& z) { return at::matmul(z, A.transpose(0, 1)) + b; };
    }
};

Eigen::MatrixXd to_eigen(const at::Tensor& t) {
    const auto h = t.to(at::kDouble).contiguous();
    Eigen::MatrixXd e(h.size(0), h.size(1));
    for (Eigen::Index i = 0; i < e.rows(); ++i)
        for (Eigen::Index j = 0; j < e.cols(); ++j) e(i, j) = h[i][j].item<double>();
    return e;
}

/// Columns of an n×K Eigen matrix as unit rows of a [K, n] tensor.
at::Tensor unit_rows(const Eigen::MatrixXd& c) {
    at::Tensor t = at::empty({c.cols(), c.rows()}, at::kDouble);
    for (Eigen::Index k = 0; k < c.cols(); ++k)
        for (Eigen::Index i = 0; i < c.rows(); ++i) t[k][i] = c(i, k) / c.col(k).norm();
    return t;
}

/// Pixels 0 … 2 read as three continuous factors of spread 0.5.
lc::scoring_context pixel_context(const hadamard_decoder& dec) { return compare_test::pixel_context(dec.function(), side, n, spread); }

/// The factor row of direction k by hand from its latent paths [T + 1, S, n]: the mean over the starts of
/// |Cov(t, A_f z_j)| / (sd(t) · spread), population moments (b_f cancels in the covariance).
std::vector<double> hand_row(const at::Tensor& path, const std::vector<double>& times, const at::Tensor& A) {
    const auto T1 = path.size(0), B = path.size(1);
    const double st = sd_of(times);
    double tbar = 0;
    for (double t : times) tbar += t / double(T1);
    std::vector<double> row(3, 0.0);
    for (std::int64_t f = 0; f < 3; ++f)
        for (std::int64_t s = 0; s < B; ++s) {
            std::vector<double> x(static_cast<std::size_t>(T1));
            double xbar = 0;
            for (std::int64_t j = 0; j < T1; ++j) {
                x[std::size_t(j)] = (A[f] * path[j][s]).sum().item<double>();
                xbar += x[std::size_t(j)] / double(T1);
            }
            double cov = 0;
            for (std::int64_t j = 0; j < T1; ++j) cov += (times[std::size_t(j)] - tbar) * (x[std::size_t(j)] - xbar) / double(T1);
            row[std::size_t(f)] += std::abs(cov) / (st * spread) / double(B);
        }
    return row;
}

double mean_length(const std::vector<at::Tensor>& paths) {
    double len = 0, count = 0;
    for (const auto& p : paths)
        for (std::int64_t s = 0; s < p.size(1); ++s) {
            for (std::int64_t j = 0; j + 1 < p.size(0); ++j) len += (p[j + 1][s] - p[j][s]).norm().item<double>();
            ++count;
        }
    return len / count;
}

lc::score_options no_vp() {
    lc::score_options o;
    o.starts = S;
    o.vp.runs = 0;
    return o;
}

}  // namespace

CATCH_TEST_CASE("compare: SeFa and GANSpace find the right singular vectors of a linear decoder and score as by hand", "[compare]") {
    const hadamard_decoder dec;
    const auto ctx = pixel_context(dec);
    lc::counted_function counted(ctx.generator);
    const auto times = lc::uniform_times(T, 0.4);
    const double st = sd_of(times);
    // SeFa on the decoder's weight: every row has norm² 30/16, so ÃᵀÃ = AᵀA · 16/30 = V diag(σ²) Vᵀ · 16/30
    const auto sefa = lw::sefa_directions(to_eigen(dec.A), K);
    // GANSpace on whitened latents ±e_i (sample covariance ∝ I) and features y = A z + b: the PCA basis is
    // ±u_k and the paper's regression gives u_k = v_k / σ_k exactly
    Eigen::MatrixXd Z = Eigen::MatrixXd::Zero(n, 2 * n);
    for (Eigen::Index i = 0; i < n; ++i) {
        Z(i, 2 * i) = 1.0;
        Z(i, 2 * i + 1) = -1.0;
    }
    const Eigen::MatrixXd Y = (to_eigen(dec.A) * Z).colwise() + to_eigen(dec.b.unsqueeze(1)).col(0);
    const auto gs = lw::ganspace_regression(Z, Y, K);
    for (std::int64_t k = 0; k < K; ++k) {
        Eigen::VectorXd v(n);
        for (Eigen::Index i = 0; i < n; ++i) v(i) = dec.V[i][k].item<double>();
        CATCH_CHECK(std::abs(sefa.directions.col(k).dot(v)) == Approx(1.0).epsilon(1e-12));
        CATCH_CHECK(sefa.eigenvalues(k) == Approx(dec.sigma[k].item<double>() * dec.sigma[k].item<double>() * 16.0 / 30.0).epsilon(1e-12));
        CATCH_CHECK(gs.latent_directions.col(k).norm() == Approx(1.0 / dec.sigma[k].item<double>()).epsilon(1e-12));
        CATCH_CHECK(std::abs(gs.latent_directions.col(k).normalized().dot(v)) == Approx(1.0).epsilon(1e-12));
    }
    CATCH_CHECK(gs.relative_residual > 0.0);  // k = 3 < n = 4: the fourth latent coordinate is not explained
    // their rows: A n_k = ±σ_k u_k, so every pixel's statistic is σ_k |U_fk| sd(t)/spread = σ_k/4 · sd(t)/spread,
    // every row's shares 1/3, and the straight paths have no escape and no start dependence
    const auto rs = lc::score_method({"SeFa", "", K, times, lc::linear_paths(unit_rows(sefa.directions), times)}, ctx, counted, no_vp());
    const auto rg = lc::score_method({"GANSpace", "", K, times, lc::linear_paths(unit_rows(gs.latent_directions), times)}, ctx,
                                     counted, no_vp());
    for (const auto* r : {&rs, &rg}) {
        for (std::int64_t k = 0; k < K; ++k)
            for (std::int64_t f = 0; f < 3; ++f) {
                const double expect = dec.sigma[k].item<double>() / 4.0 * st / spread;
                CATCH_CHECK(r->scores.factors->raw[k][f] == Approx(expect).margin(5e-5));
                CATCH_CHECK(r->scores.factors->share[k][f] == Approx(1.0 / 3.0).margin(1e-4));
            }
        CATCH_CHECK(r->scores.factors->mean_max_share == Approx(1.0 / 3.0).margin(1e-4));
        CATCH_CHECK(*r->scores.escape < 1e-5);
        CATCH_CHECK(r->scores.position_dependence == Approx(0.0).margin(1e-20));
        CATCH_CHECK(r->scores.latent_length == Approx(T * 0.4).epsilon(1e-12));
        CATCH_CHECK(r->scores.generator_passes_per_traversal == 0.0);
    }
}

CATCH_TEST_CASE("compare: the RBF dipoles, the potential flow and DP-LaSE's Γ score as computed by hand on a linear decoder", "[compare]") {
    const hadamard_decoder dec;
    const auto ctx = pixel_context(dec);
    lc::counted_function counted(ctx.generator);
    const auto z0 = lc::comparison_starts(S, n, no_vp().seed);

    // WarpedSpace's RBF dipoles: T steps of length 0.3 along ∇u/‖∇u‖, u = Σ_i α_i exp(−γ‖z − c_i‖²), the
    // gradient written out here; latent length exactly T·0.3 for every start
    auto rbf = std::make_shared<lt::rbf_bank>(n, lt::rbf_bank_options{.potentials = K, .dipoles = 2, .radius = 1.5, .step = 0.3,
                                                                        .seed = 3});
    const auto centres = rbf->named_parameters()["centres"].detach(), log_gamma = rbf->named_parameters()["log_gamma"].detach();
    const auto alphas = at::tensor(std::vector<double>{1, 1, -1, -1}, at::kDouble);
    std::vector<at::Tensor> rbf_paths;
    for (std::int64_t k = 0; k < K; ++k) {
        const double g = std::exp(log_gamma[k].item<double>());
        std::vector<at::Tensor> pts{z0};
        at::Tensor z = z0.clone();
        for (std::int64_t j = 0; j < T; ++j) {
            at::Tensor grad = at::zeros_like(z);
            for (std::int64_t i = 0; i < 4; ++i) {
                const auto diff = z - centres[k][i];
                grad -= 2 * g * alphas[i].item<double>() * at::exp(-g * (diff * diff).sum(1, true)) * diff;
            }
            z = z + 0.3 * grad / grad.norm(2, 1, true);
            pts.push_back(z);
        }
        rbf_paths.push_back(at::stack(pts, 0));
    }
    const auto rtimes = lc::uniform_times(T, 0.3);
    const auto rr = lc::score_method({"RBF", "", K, rtimes, lc::bank_paths(rbf, T)}, ctx, counted, no_vp());
    for (std::int64_t k = 0; k < K; ++k) {
        const auto row = hand_row(rbf_paths[std::size_t(k)], rtimes, dec.A);
        for (std::int64_t f = 0; f < 3; ++f) CATCH_CHECK(rr.scores.factors->raw[k][f] == Approx(row[std::size_t(f)]).margin(5e-5));
    }
    CATCH_CHECK(rr.scores.latent_length == Approx(T * 0.3).epsilon(1e-12));
    CATCH_CHECK(rr.scores.position_dependence > 1e-3);  // the dipoles' field depends on where the walk starts
    CATCH_CHECK(*rr.scores.escape < 1e-5);              // still a linear decoder

    // the potential flow: the paper's rule z_{j+1} = z_j + ∇_z u^k(z_j, j), the gradient by autograd of u
    // (not the bank's closed-form gradient)
    auto pf = std::make_shared<lt::potential_bank>(n, lt::potential_bank_options{.potentials = K, .seed = 2});
    std::vector<at::Tensor> pf_paths;
    for (std::int64_t k = 0; k < K; ++k) {
        std::vector<at::Tensor> pts{z0};
        at::Tensor z = z0.clone();
        for (std::int64_t j = 0; j < T; ++j) {
            const auto zg = z.detach().requires_grad_(true);
            const auto u = pf->value(k, zg, at::full({S}, double(j), at::kDouble)).sum();
            const auto grad = ::torch::autograd::grad({u}, {zg})[0];
            z = z + grad.detach();
            pts.push_back(z);
        }
        pf_paths.push_back(at::stack(pts, 0));
    }
    const auto ptimes = lc::uniform_times(T, 1.0);
    const auto rp = lc::score_method({"PF", "", K, ptimes, lc::bank_paths(pf, T)}, ctx, counted, no_vp());
    double drift = 0;
    for (std::int64_t k = 0; k < K; ++k) {
        const auto row = hand_row(pf_paths[std::size_t(k)], ptimes, dec.A);
        for (std::int64_t f = 0; f < 3; ++f) CATCH_CHECK(rp.scores.factors->raw[k][f] == Approx(row[std::size_t(f)]).margin(5e-5));
        const auto& p = pf_paths[std::size_t(k)];
        for (std::int64_t s = 0; s < S; ++s)
            drift += std::abs(p[T][s].square().sum().item<double>() - p[0][s].square().sum().item<double>()) / 2 / double(K * S);
    }
    CATCH_CHECK(rp.scores.latent_length == Approx(mean_length(pf_paths)).epsilon(1e-9));
    CATCH_CHECK(rp.scores.log_density_drift == Approx(drift).epsilon(1e-9));
    CATCH_CHECK(rp.scores.generator_passes_per_traversal == 0.0);

    // DP-LaSE's Γ walked linearly: orthonormal columns γ_k, rows |A_f γ_k| sd(t)/spread
    const lt::dplase::direction_set gamma(n, K, {.seed = 5});
    const auto G = gamma.directions().detach().to(at::kDouble);  // [n, K]
    CATCH_CHECK((G.transpose(0, 1).matmul(G) - at::eye(K, at::kDouble)).abs().max().item<double>() < 1e-10);
    const auto times = lc::uniform_times(T, 0.4);
    const auto rd = lc::score_method({"Γ", "", K, times, lc::linear_paths(G.transpose(0, 1).contiguous(), times)}, ctx, counted, no_vp());
    for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t f = 0; f < 3; ++f)
            CATCH_CHECK(rd.scores.factors->raw[k][f] ==
                        Approx((dec.A[f] * G.select(1, k)).sum().abs().item<double>() * sd_of(times) / spread).margin(5e-5));
}
