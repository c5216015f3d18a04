// train: DP-LaSE's learned density machinery — the CDF network F (l_lik + l_mon) against the exact CDFs of
// a Gaussian, a mixture and a truncated normal after short fixed-seed trainings; the correction module C
// (l_den) against the drift of the uncorrected walk; the exports to learned_cdf_model and
// correction_network replaying torch on Eigen.
#include <latentwalk/eigen.hpp>
#include <latentwalk/density/cdf_distance.hpp>
#include <latentwalk/density/corrected_walk.hpp>
#include <latentwalk/density/iid_gaussian_mixture.hpp>
#include <latentwalk/torch/dplase/adam_steps.hpp>
#include <latentwalk/torch/dplase/cdf_network.hpp>
#include <latentwalk/torch/dplase/correction_module.hpp>
#include <latentwalk/torch/dplase/directions.hpp>

#include <cmath>
#include <cstdio>
#include <numbers>
#include <random>
#include <utility>
#include <vector>

#include "dplase_support.hpp"
#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace dp = latentwalk::torch::dplase;
using B = lw::eigen::backend<double>;
using latentwalk::test::dplase::matrix_of;
using latentwalk::test::dplase::tensor_of;
using latentwalk::test::dplase::vector_of;
using latentwalk::test::dplase::bimodal;
using latentwalk::test::dplase::column;
using latentwalk::test::dplase::draws;
using latentwalk::test::dplase::mixture_log_density;

namespace {

using log_density_function = dp::correction_trainer::log_density_function;

/// A trained F: `steps` Adam steps of l_lik + l_mon on the samples.
std::shared_ptr<dp::cdf_network> train_cdf(const at::Tensor& samples, dp::cdf_parameterization par, std::int64_t steps) {
    dp::cdf_network_options o;
    o.parameterization = par;
    o.hidden = 16;
    o.seed = 5;
    auto F = std::make_shared<dp::cdf_network>(samples.size(1), o);
    dp::cdf_trainer_options to;
    to.batch = 512;
    to.seed = 9;
    dp::cdf_trainer trainer(F, samples, to);
    // Two phases: lr 0.02, then a fifth of the steps at 0.002 (the last iterate of the first phase alone carries
    // Adam's noise: its CDF error scatters between 0.009 and 0.061 with the number of steps).
    dp::adam_options ao;
    ao.steps = steps;
    ao.learning_rate = 2e-2;
    dp::adam_steps(trainer.parameters(), [&](std::int64_t s) { return trainer.loss(s).total; }, ao);
    ao.first_step = steps;
    ao.steps = steps / 5;
    ao.learning_rate = 2e-3;
    dp::adam_steps(trainer.parameters(), [&](std::int64_t s) { return trainer.loss(s).total; }, ao);
    return F;
}

/// A trained C: `steps` Adam steps (lr 0.01) of l_den against log_p on the samples, |t| ≤ 1, H = 64; the l_den history.
std::pair<std::shared_ptr<dp::correction_module>, std::vector<double>> train_correction(const log_density_function& log_p,
                                                                                       const at::Tensor& samples,
                                                                                       std::uint64_t seed, std::int64_t steps) {
    dp::correction_module_options o;
    o.hidden = 64;
    o.seed = seed;
    auto C = std::make_shared<dp::correction_module>(samples.size(1), o);
    dp::correction_trainer_options to;
    to.batch = 256;
    to.max_step = 1.0;
    dp::correction_trainer trainer(C, log_p, samples, to);
    dp::adam_options ao;
    ao.steps = steps;
    ao.learning_rate = 1e-2;
    auto history = dp::adam_steps(trainer.parameters(), [&](std::int64_t s) { return trainer.loss(s).total; }, ao);
    return {C, std::move(history)};
}

}  // namespace

CATCH_TEST_CASE("train_dplase: the cdf_network's export replays F, F', log p and the score on Eigen to 1e-12") {
    for (auto par : {dp::cdf_parameterization::unconstrained, dp::cdf_parameterization::monotone}) {
        CATCH_CAPTURE(static_cast<int>(par));
        dp::cdf_network_options o;
        o.parameterization = par;
        o.hidden = 5;
        o.seed = 11;
        auto F = latentwalk::test::dplase::perturbed(std::make_shared<dp::cdf_network>(3, o), 3, 0.1);
        const lw::learned_cdf_model<B> Fe(Eigen::VectorXd::Zero(3), 3, F->weights());
        CATCH_REQUIRE(Fe.min_slope(Eigen::VectorXd::Zero(3), -4, 4) > 0);
        auto gen = at::detail::createCPUGenerator(4);
        const auto x = at::randn({6, 3}, gen, at::TensorOptions().dtype(at::kDouble)) * 1.5;
        auto xg = x.clone().set_requires_grad(true);
        const auto score = ::torch::autograd::grad({F->log_density(xg).sum()}, {xg})[0];
        const auto cdf = F->forward(x).detach(), slope = F->slope(x, dp::slope_method::exact).detach();
        const auto lp = F->log_density(x).detach();
        for (long j = 0; j < 6; ++j) {
            const Eigen::VectorXd z = vector_of(x[j]);
            CATCH_CHECK((Fe.cdf(z) - vector_of(cdf[j])).cwiseAbs().maxCoeff() < 1e-14);
            CATCH_CHECK((Fe.slope(z) - vector_of(slope[j])).cwiseAbs().maxCoeff() < 1e-14);
            CATCH_CHECK(std::abs(Fe.log_density(z) - lp[j].item<double>()) < 1e-12);
            CATCH_CHECK((Fe.score(z) - vector_of(score[j])).cwiseAbs().maxCoeff() < 1e-12);
        }
        // The paper's finite-difference slope (eq. 3) is the exact one to O(ε).
        const auto fd = F->slope(x, dp::slope_method::finite_difference, 1e-6).detach();
        CATCH_CHECK((fd - slope).abs().max().item<double>() < 1e-5);
    }
    CATCH_CHECK_THROWS_AS(dp::cdf_network(0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(dp::cdf_network(2).forward(at::zeros({4, 3}, at::kDouble)), lw::dimension_error);
}

CATCH_TEST_CASE("train_dplase: F learned from Gaussian, mixture and truncated-normal samples is within a stated CDF error") {
    // 4000 samples in d = 2, 800 + 160 Adam steps (lr 0.02, then 0.002; batch 512, H = 16); the error is max over a grid and
    // both coordinates of |F_i(x) − G(x)|, and the KS statistic of 4000 held-out draws (its 1 % critical
    // value is 0.026: sampling noise alone sits near 0.014). Bounds: 0.05 for both, and half the untrained F's
    // error where that is above 0.05. Measured: 0.009–0.020, KS 0.019–0.033; the EM-fitted
    // monotone_cdf_model on the same samples 0.012–0.014: F reaches the sampling noise's level, not below.
    const lw::standard_gaussian<B> gauss(2);
    const auto mix = bimodal(2);
    const lw::truncated_normal<B> trunc(2, 1.5);
    struct law {
        const char* name;
        at::Tensor train, test;
        std::function<double(double)> cdf;
        double lo, hi, bound;
    };
    std::vector<law> laws;
    laws.push_back({"N(0, 1)", draws(gauss, 2, 4000, 1), draws(gauss, 2, 4000, 2), lw::standard_normal_cdf, -3, 3, 0.05});
    laws.push_back({"mixture", draws(mix, 2, 4000, 3), draws(mix, 2, 4000, 4),
                    [&](double x) { return mix.coordinate_cdf(x); }, -3, 3, 0.05});
    laws.push_back({"truncated normal tau = 1.5", draws(trunc, 2, 4000, 5), draws(trunc, 2, 4000, 6),
                    [](double x) { return lw::truncated_normal_coordinate_cdf(1.5, x); }, -1.5, 1.5, 0.05});
    for (const auto& L : laws) {
        for (auto par : {dp::cdf_parameterization::unconstrained, dp::cdf_parameterization::monotone}) {
            CATCH_CAPTURE(L.name, static_cast<int>(par));
            const double untrained = lw::max_cdf_error(
                lw::learned_cdf_model<B>(Eigen::VectorXd::Zero(2), 2, train_cdf(L.train, par, 0)->weights()),
                Eigen::VectorXd::Zero(2), L.cdf, L.lo, L.hi, 301);
            const auto F = train_cdf(L.train, par, 800);
            const lw::learned_cdf_model<B> Fe(Eigen::VectorXd::Zero(2), 2, F->weights());
            const double err = lw::max_cdf_error(Fe, Eigen::VectorXd::Zero(2), L.cdf, L.lo, L.hi, 301);
            double ks = 0;
            for (long i = 0; i < 2; ++i)
                ks = std::max(ks, lw::ks_statistic(column(L.test, i), [&](double x) {
                                  return Fe.cdf(Eigen::Vector2d(x, x))[i];
                              }));
            // The EM-fitted monotone_cdf_model on the same samples, for comparison.
            const auto em = lw::monotone_cdf_model<B>::fit(matrix_of(L.train).transpose());
            const double em_err = lw::max_cdf_error(em, Eigen::VectorXd::Zero(2), L.cdf, L.lo, L.hi, 301);
            std::printf("F on %-28s %-13s: max CDF error %.4f (untrained %.4f), KS %.4f (EM monotone_cdf_model: %.4f); "
                        "min h' %.3g\n",
                        L.name, par == dp::cdf_parameterization::monotone ? "monotone" : "unconstrained", err, untrained, ks, em_err,
                        Fe.min_slope(Eigen::VectorXd::Zero(2), L.lo, L.hi));
            CATCH_CHECK(err < L.bound);
            if (untrained > 0.05) CATCH_CHECK(err < untrained / 2);  // the untrained F is already near Φ (0.031)
            CATCH_CHECK(ks < L.bound);
            CATCH_CHECK(Fe.min_slope(Eigen::VectorXd::Zero(2), L.lo, L.hi) > 0);
        }
    }
}

CATCH_TEST_CASE("train_dplase: C trained with l_den on the mixture cuts the walk's log-density drift and replays on Eigen") {
    const long d = 4;
    const auto p = bimodal(d);
    const auto log_p = mixture_log_density(p);
    const auto train = draws(p, d, 8000, 7), test = draws(p, d, 256, 8);
    const auto [C, history] = train_correction(log_p, train, 1, 2500);
    // Held out: each test z₀ with its own random unit γ, at t = 0.25, 0.5, 0.75, 1.
    auto gen = at::detail::createCPUGenerator(21);
    const auto gamma = dp::random_unit_directions(test.size(0), d, gen, test);
    const auto lp0 = log_p(test);
    at::NoGradGuard ng;
    double drift_linear = 0, drift_c = 0;  // at the largest trained step
    for (double t : {0.25, 0.5, 0.75, 1.0}) {
        const auto tt = at::full({test.size(0), 1}, t, test.options());
        const auto lin = test + tt * gamma;
        const auto cor = lin + C->forward(test, tt, gamma);
        const double dl = (log_p(lin) - lp0).abs().mean().item<double>(), dc = (log_p(cor) - lp0).abs().mean().item<double>();
        std::printf("C on the mixture, t = %.2f: mean |log p drift| linear %.4f, corrected %.4f\n", t, dl, dc);
        drift_linear = dl;
        drift_c = dc;
    }
    double early = 0, late = 0;  // l_den over the first and the last 100 steps
    for (std::size_t k = 0; k < 100; ++k) {
        early += history[k] / 100;
        late += history[history.size() - 1 - k] / 100;
    }
    std::printf("C: l_den %.4f over the first 100 steps, %.4f over the last 100\n", early, late);
    // What C achieves is modest (see adapters/torch/README.md; measured: drift 1.29 → 1.04 at t = 1, l_den
    // 0.77 → 0.44): the stated improvement is 15 % of the drift at the largest step, and a third of l_den.
    CATCH_CHECK(drift_c < 0.85 * drift_linear);
    CATCH_CHECK(late < 0.67 * early);
    // The Eigen export, walked by the core's corrected walk against the true prior, replays torch.
    const lw::correction_network<B> Ce(Eigen::VectorXd::Zero(d), d, C->weights());
    for (long j = 0; j < 4; ++j) {
        const Eigen::VectorXd z0 = vector_of(test[j]), g = vector_of(gamma[j]);
        const auto walk = lw::density_preserving_walk(p, z0, g, 4, 0.25, Ce);
        for (long s = 1; s <= 4; ++s) {
            const auto tt = at::full({1, 1}, 0.25 * s, test.options());
            const auto zt = (test[j].unsqueeze(0) + tt * gamma[j].unsqueeze(0) +
                             C->forward(test[j].unsqueeze(0), tt, gamma[j].unsqueeze(0)))[0];
            CATCH_CHECK((walk.points[static_cast<std::size_t>(s)] - vector_of(zt)).cwiseAbs().maxCoeff() < 1e-12);
            CATCH_CHECK(std::abs(walk.log_densities[static_cast<std::size_t>(s)] - log_p(zt.unsqueeze(0))[0].item<double>()) <
                        1e-11);
        }
    }
}

CATCH_TEST_CASE("train_dplase: C trained with l_den against F learned on the truncated normal cuts the drift of walks inside the box") {
    // DP-LaSE's pipeline for a prior known only by samples: F from 8000 draws of N(0, 1) truncated to [−2, 2] in
    // d = 4 (monotone F, 600 + 120 steps), then C against F's log-density (|t| ≤ 1, 1500 steps), scored by the
    // TRUE truncated prior: inside the box log p(z) = −‖z‖²/2 + const, outside −∞. 256 held-out z₀, each with
    // its own unit γ, at t = 1; the drift means are over the walks whose linear and corrected points both stay
    // inside (the others are counted).
    const long d = 4;
    const double tau = 2.0;
    const lw::truncated_normal<B> p(d, tau);
    const auto train = draws(p, d, 8000, 31), test = draws(p, d, 256, 32);
    const auto F = train_cdf(train, dp::cdf_parameterization::monotone, 600);
    for (auto& w : F->parameters()) w.set_requires_grad(false);
    const auto C = train_correction([F](const at::Tensor& z) { return F->log_density(z); }, train, 3, 1500).first;
    auto gen = at::detail::createCPUGenerator(33);
    const auto gamma = dp::random_unit_directions(test.size(0), d, gen, test);
    at::NoGradGuard ng;
    const auto tt = at::full({test.size(0), 1}, 1.0, test.options());
    const auto lin = test + tt * gamma;
    const auto cor = lin + C->forward(test, tt, gamma);
    const auto inside = [&](const at::Tensor& z) { return (z.abs() <= tau).all(-1); };
    const auto keep = inside(lin) & inside(cor);
    const auto half_sq = [](const at::Tensor& z) { return 0.5 * (z * z).sum(-1); };
    const auto kept = keep.sum().item<long>();
    CATCH_REQUIRE(kept > 64);
    const double dl = (half_sq(lin) - half_sq(test)).abs().masked_select(keep).mean().item<double>();
    const double dc = (half_sq(cor) - half_sq(test)).abs().masked_select(keep).mean().item<double>();
    std::printf("C on the truncated normal (tau = 2, d = 4), t = 1: %ld of 256 walks inside; mean |log p drift| linear %.4f, "
                "corrected %.4f; left the box: linear %ld, corrected %ld\n",
                kept, dl, dc, (~inside(lin)).sum().item<long>(), (~inside(cor)).sum().item<long>());
    // Measured: 211 of 256 inside; drift 0.644 → 0.449; 42 linear and 15 corrected walks leave the box. Stated: 15 %
    // less drift, and fewer corrected walks leaving the support than linear ones.
    CATCH_CHECK(dc < 0.85 * dl);
    CATCH_CHECK((~inside(cor)).sum().item<long>() < (~inside(lin)).sum().item<long>());
}

CATCH_TEST_CASE("train_dplase: direction sets have unit columns, and the matrix-exponential form stays orthonormal in training") {
    for (auto par : {dp::direction_parameterization::normalized_columns, dp::direction_parameterization::matrix_exponential}) {
        CATCH_CAPTURE(static_cast<int>(par));
        dp::direction_set_options go;
        go.parameterization = par;
        go.seed = 2;
        auto G = std::make_shared<dp::direction_set>(6, 3, go);
        const auto D = G->directions().detach();
        CATCH_CHECK((D.norm(2, {0}) - 1).abs().max().item<double>() < 1e-14);
        CATCH_CHECK(dp::orthogonality_loss(D).item<double>() < 1e-26);  // both start orthonormal
        // A few steps of a loss that pulls the columns together: only the exact parameterization stays orthonormal.
        const auto target = at::ones({6, 3}, at::kDouble) / std::sqrt(6.0);
        dp::adam_options ao;
        ao.steps = 50;
        ao.learning_rate = 0.05;
        dp::adam_steps(G->parameters(), [&](std::int64_t) { return -(G->directions() * target).sum(); }, ao);
        const auto E = G->directions().detach();
        CATCH_CHECK((E.norm(2, {0}) - 1).abs().max().item<double>() < 1e-14);
        const double orth = dp::orthogonality_loss(E).item<double>();
        if (par == dp::direction_parameterization::matrix_exponential) {
            CATCH_CHECK(orth < 1e-24);
            CATCH_CHECK_THROWS_AS(G->gram_schmidt(), lw::invalid_argument_error);
        } else {
            CATCH_CHECK(orth > 1e-2);  // the penalty is what keeps them apart (it is not in this loss)
            // The StyleGAN2 script's re-orthogonalization: orthonormal again, the first direction unchanged.
            G->gram_schmidt();
            const auto O = G->directions().detach();
            CATCH_CHECK(dp::orthogonality_loss(O).item<double>() < 1e-26);
            CATCH_CHECK((O.select(1, 0) - E.select(1, 0)).abs().max().item<double>() < 1e-15);
        }
    }
    CATCH_CHECK_THROWS_AS(dp::direction_set(3, 4), lw::invalid_argument_error);
}
