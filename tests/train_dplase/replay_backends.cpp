// train: what DP-LaSE's trainers export runs on the other backends as on Eigen — the learned F
// (learned_cdf_model) and C (correction_network) on the batched torch backend (one call for a whole batch
// of codes) and on Eigen in float, against the torch modules they were exported from.
#include <latentwalk/eigen.hpp>
#include <latentwalk/density/corrected_walk.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/dplase/cdf_network.hpp>
#include <latentwalk/torch/dplase/correction_module.hpp>

#include <cmath>

#include "dplase_support.hpp"
#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace dp = latentwalk::torch::dplase;
using latentwalk::test::dplase::perturbed;
using latentwalk::test::dplase::vector_of;

CATCH_TEST_CASE("train_dplase: the exported F and C run batched on the torch backend and in float on Eigen as the modules do") {
    const long d = 5, N = 7;
    using TB = lw::torch::backend<double>;
    using EF = lw::eigen::backend<float>;
    auto gen = at::detail::createCPUGenerator(12);
    const auto opts = at::TensorOptions().dtype(at::kDouble);
    const auto z = at::randn({N, d}, gen, opts) * 1.3;
    const lw::torch::vector<double> like(at::zeros({d}, opts));

    // F, both parameterizations: cdf, log p and the score of the whole batch in one call.
    for (auto par : {dp::cdf_parameterization::unconstrained, dp::cdf_parameterization::monotone}) {
        CATCH_CAPTURE(static_cast<int>(par));
        dp::cdf_network_options o;
        o.parameterization = par;
        o.hidden = 6;
        o.seed = 3;
        auto F = perturbed(std::make_shared<dp::cdf_network>(d, o), 4, 0.1);
        const lw::learned_cdf_model<TB> Ft(like, d, F->weights());
        const lw::learned_cdf_model<EF> Ff(Eigen::VectorXf::Zero(d), d, F->weights());
        auto zg = z.clone().set_requires_grad(true);
        const auto score = ::torch::autograd::grad({F->log_density(zg).sum()}, {zg})[0];
        const auto lp = F->log_density(z).detach(), cdf = F->forward(z).detach();
        const at::Tensor lp_t = Ft.log_density(lw::torch::vector<double>(z));  // [N]
        CATCH_REQUIRE(lp_t.sizes() == at::IntArrayRef({N}));
        CATCH_CHECK((lp_t - lp).abs().max().item<double>() < 1e-12);
        CATCH_CHECK((Ft.cdf(lw::torch::vector<double>(z)).tensor() - cdf).abs().max().item<double>() < 1e-14);
        CATCH_CHECK((Ft.score(lw::torch::vector<double>(z)).tensor() - score).abs().max().item<double>() < 1e-12);
        for (long j = 0; j < N; ++j) {  // float: the rounding of float arithmetic on O(1) values
            const Eigen::VectorXf zf = vector_of(z[j]).cast<float>();
            CATCH_CHECK(std::abs(Ff.log_density(zf) - lp[j].item<double>()) < 2e-4 * (1 + std::abs(lp[j].item<double>())));
            CATCH_CHECK((Ff.score(zf).cast<double>() - vector_of(score[j])).cwiseAbs().maxCoeff() < 1e-4);
        }
    }

    // C: a batch of z₀ and γ at one step t, and the corrected walk of a batch on torch against the module.
    dp::correction_module_options co;
    co.hidden = 8;
    co.seed = 2;
    auto C = perturbed(std::make_shared<dp::correction_module>(d, co), 6, 0.3);
    const lw::correction_network<TB> Ct(like, d, C->weights());
    const lw::correction_network<EF> Cf(Eigen::VectorXf::Zero(d), d, C->weights());
    auto g = at::randn({N, d}, gen, opts);
    g = g / g.norm(2, {-1}, true);
    const double t = 0.7;
    at::NoGradGuard ng;
    const auto expect = C->forward(z, at::full({N, 1}, t, opts), g);
    const at::Tensor got = Ct(lw::torch::vector<double>(z), t, lw::torch::vector<double>(g)).tensor();
    CATCH_REQUIRE(got.sizes() == expect.sizes());
    CATCH_CHECK((got - expect).abs().max().item<double>() < 1e-13);
    CATCH_CHECK((got * g).sum(-1).abs().max().item<double>() < 1e-13);  // kept off γ (orthogonal_to_direction)
    for (long j = 0; j < N; ++j) {
        const Eigen::VectorXf cf = Cf(vector_of(z[j]).cast<float>(), t, vector_of(g[j]).cast<float>());
        CATCH_CHECK((cf.cast<double>() - vector_of(expect[j])).cwiseAbs().maxCoeff() < 1e-5 * (1 + expect[j].abs().max().item<double>()));
    }
    const lw::standard_gaussian<TB> prior(d);
    const auto walk = lw::density_preserving_walk(prior, lw::torch::vector<double>(z), lw::torch::vector<double>(g), 3, 0.5, Ct);
    for (long s = 1; s <= 3; ++s) {
        const auto zs = z + 0.5 * s * g + C->forward(z, at::full({N, 1}, 0.5 * s, opts), g);
        CATCH_CHECK((walk.points[static_cast<std::size_t>(s)].tensor() - zs).abs().max().item<double>() < 1e-12);
    }
}
