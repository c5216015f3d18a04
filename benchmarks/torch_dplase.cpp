// DP-LaSE per step: what keeping the density costs a walk, and what it costs direction learning.
// Read the ratios of one run (items/s are walk steps or training steps), not the absolute times.
//
// Walks on Eigen, 10 steps of 0.3 from a prior draw along a unit direction, every point scored by the prior
// (the walks' log_densities), d = 32:
//   walk_none/<prior>        z₀ + tγ (eq. 1): density_preserving_walk with a zero correction
//   walk_learned_C/<prior>   z₀ + tγ + C(z₀, t, γ) (eq. 6): correction_network, 2 tanh layers of 128 (the
//                            architecture examples/train_dplase trains; the cost does not depend on the weights)
//   walk_projection/<prior>  project_to_level_set per step: the closed form (Gaussian, eq. 2) or the
//                            score-ray Newton search (the bimodal mixture, iterated steps)
//   walk_projection_F        the score-ray search on the learned F (learned_cdf_model, shared, H = 16)
//   (<prior>: 0 = standard Gaussian, 1 = the 0.3 N(−1.2, 0.5²) + 0.7 N(1, 0.7²) mixture of examples/train_dplase)
// Direction learning, one Adam step of l_var + ζ l_reg (K = 6, batch 64 z₀: 384 walks and 768 G₁ evaluations),
// torch CPU, one thread, G₁ = a 32 → 256 → 256 leaky-ReLU decoder (0) or partial_2 of the trained
// Fashion-MNIST VAE decoder examples/models/fashion_mnist_vae.pt (1, d = 16, 3136 features):
//   direction_step_linear/<g>      along z₀ + εγ (eq. 1, the released code's same_density = 0)
//   direction_step_eq2/<g>         along the norm-preserving walk (eq. 2)
//   direction_step_learned_C/<g>   along z₀ + εγ + C (eq. 6, C frozen, gradients through it)
//   joint_step/<g>                 one step of the joint objective (eq. 11, dplase::joint_trainer): l_mon, l_lik at z₀,
//                                  l_den and l_var along z₀ + εγ + C, F, C and Γ all trained (the sequential schedule's
//                                  Γ stage is direction_step_learned_C)
#include <benchmark/benchmark.h>

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <random>

#include <latentwalk/density/corrected_walk.hpp>
#include <latentwalk/density/iid_gaussian_mixture.hpp>
#include <latentwalk/eigen.hpp>
#include <latentwalk/torch/dplase.hpp>

namespace {

namespace lw = latentwalk;
namespace dp = latentwalk::torch::dplase;
using B = lw::eigen::backend<double>;
constexpr long walk_steps = 10;
constexpr double walk_eps = 0.3;
constexpr Eigen::Index dim = 32;

const lw::iid_gaussian_mixture<B>& mixture() {
    static const lw::iid_gaussian_mixture<B> m(dim, {0.3, 0.7}, {-1.2, 1.0}, {0.5, 0.7});
    return m;
}

struct walk_case {
    Eigen::VectorXd z0, gamma;
};

walk_case start(bool mix) {
    std::mt19937_64 rng(11);
    const Eigen::VectorXd like = Eigen::VectorXd::Zero(dim);
    walk_case c;
    c.z0 = mix ? mixture().sample(rng, like) : lw::standard_gaussian<B>(dim).sample(rng, like);
    std::normal_distribution<double> nd;
    c.gamma = Eigen::VectorXd::NullaryExpr(dim, [&] { return nd(rng); }).normalized();
    return c;
}

const lw::correction_network<B>& correction() {
    static const lw::correction_network<B> C = [] {
        dp::correction_module_options o;
        o.hidden = 128;
        o.seed = 5;
        dp::correction_module m(dim, o);
        return lw::correction_network<B>(Eigen::VectorXd::Zero(dim), dim, m.weights());
    }();
    return C;
}

template <class Walk>
void run_walk(benchmark::State& state, Walk&& walk) {
    for (auto _ : state) benchmark::DoNotOptimize(walk());
    state.SetItemsProcessed(state.iterations() * walk_steps);
}

template <class F>
void on_prior(benchmark::State& state, F&& f) {
    if (state.range(0) == 0) f(lw::standard_gaussian<B>(dim), start(false));
    else f(mixture(), start(true));
}

void BM_walk_none(benchmark::State& state) {
    const auto none = [](const Eigen::VectorXd& z, double, const Eigen::VectorXd&) -> Eigen::VectorXd {
        return Eigen::VectorXd::Zero(z.size());
    };
    on_prior(state, [&](const auto& p, const walk_case& c) {
        run_walk(state, [&] { return lw::density_preserving_walk(p, c.z0, c.gamma, walk_steps, walk_eps, none); });
    });
}
void BM_walk_learned_C(benchmark::State& state) {
    on_prior(state, [&](const auto& p, const walk_case& c) {
        run_walk(state, [&] { return lw::density_preserving_walk(p, c.z0, c.gamma, walk_steps, walk_eps, correction()); });
    });
}
void BM_walk_projection(benchmark::State& state) {
    on_prior(state, [&](const auto& p, const walk_case& c) {
        run_walk(state, [&] { return lw::density_preserving_walk(p, c.z0, c.gamma, walk_steps, walk_eps); });
    });
}
void BM_walk_projection_F(benchmark::State& state) {
    static const lw::learned_cdf_model<B> F = [] {
        dp::cdf_network_options o;
        o.shared = true;
        o.hidden = 16;
        dp::cdf_network f(dim, o);
        return lw::learned_cdf_model<B>(Eigen::VectorXd::Zero(dim), dim, f.weights());
    }();
    const auto c = start(false);
    run_walk(state, [&] { return lw::density_preserving_walk(F, c.z0, c.gamma, walk_steps, walk_eps); });
}

/// G₁ of the benchmark's generator <g> (range(0)) and its latent dimension; an empty function after SkipWithError.
std::pair<dp::direction_trainer::feature_function, std::int64_t> features_of(benchmark::State& state) {
    if (state.range(0) == 0) {
        const auto leaky = ::torch::nn::LeakyReLUOptions().negative_slope(0.2);
        ::torch::nn::Sequential decoder(::torch::nn::Linear(dim, 256), ::torch::nn::LeakyReLU(leaky), ::torch::nn::Linear(256, 256),
                                        ::torch::nn::LeakyReLU(leaky));
        decoder->to(at::kDouble);
        for (auto& w : decoder->parameters()) w.set_requires_grad(false);
        return {[decoder](const at::Tensor& z) mutable { return decoder->forward(z); }, dim};
    }
    const std::string file = std::string(LATENTWALK_TORCH_FIXTURES_DIR) + "/../../../examples/models/fashion_mnist_vae.pt";
    if (!std::filesystem::exists(file)) {
        state.SkipWithError("examples/models/fashion_mnist_vae.pt is missing");
        return {{}, 0};
    }
    auto script = std::make_shared<::torch::jit::Module>(::torch::jit::load(file));
    script->to(at::kDouble);
    return {[script](const at::Tensor& z) { return script->get_method("partial_2")({z}).toTensor().reshape({z.size(0), -1}); }, 16};
}

/// One Adam step (learning rate 0.01) of trainer.loss(step).total per iteration.
template <class Trainer>
void adam_loop(benchmark::State& state, const Trainer& t) {
    ::torch::optim::Adam adam(t.parameters(), ::torch::optim::AdamOptions(0.01));
    std::int64_t step = 0;
    for (auto _ : state) {
        adam.zero_grad();
        auto l = t.loss(step++).total;
        l.backward();
        adam.step();
    }
    state.SetItemsProcessed(state.iterations());
}

/// One Adam step of direction learning per iteration.
void direction_step(benchmark::State& state, const std::function<dp::walk_function(std::int64_t)>& make_walk) {
    at::set_num_threads(1);
    at::manual_seed(3);
    const auto [G1, d] = features_of(state);
    if (!G1) return;
    const auto samples = at::randn({4096, d}, at::kDouble);
    auto Gamma = std::make_shared<dp::direction_set>(d, 6, dp::direction_set_options{.seed = 1});
    dp::direction_trainer_options o;
    o.batch = 64;
    dp::direction_trainer t(Gamma, G1, samples, make_walk(d), o);
    adam_loop(state, t);
}

/// One Adam step of the joint objective (eq. 11): F, C and Γ trained together, the example's sizes.
void BM_joint_step(benchmark::State& state) {
    at::set_num_threads(1);
    at::manual_seed(3);
    const auto [G1, d] = features_of(state);
    if (!G1) return;
    const auto samples = at::randn({4096, d}, at::kDouble);
    auto F = std::make_shared<dp::cdf_network>(d, dp::cdf_network_options{.hidden = 16, .shared = true});
    auto C = std::make_shared<dp::correction_module>(d, dp::correction_module_options{.hidden = 128});
    auto Gamma = std::make_shared<dp::direction_set>(d, 6, dp::direction_set_options{.seed = 1});
    dp::joint_trainer_options o;
    o.batch = 64;
    const dp::joint_trainer t(F, C, Gamma, G1, samples, o);
    adam_loop(state, t);
}
void BM_direction_step_linear(benchmark::State& state) {
    direction_step(state, [](std::int64_t) { return dp::linear_walk(); });
}
void BM_direction_step_eq2(benchmark::State& state) {
    direction_step(state, [](std::int64_t) { return dp::norm_preserving_walk(); });
}
void BM_direction_step_learned_C(benchmark::State& state) {
    static std::vector<std::shared_ptr<dp::correction_module>> keep;  // the modules outlive the walk functions
    direction_step(state, [](std::int64_t d) {
        dp::correction_module_options co;
        co.hidden = 128;
        keep.push_back(std::make_shared<dp::correction_module>(d, co));
        for (auto& w : keep.back()->parameters()) w.set_requires_grad(false);
        return dp::corrected_walk(keep.back()->as_function());
    });
}

}  // namespace

BENCHMARK(BM_walk_none)->Arg(0)->Arg(1);
BENCHMARK(BM_walk_learned_C)->Arg(0)->Arg(1);
BENCHMARK(BM_walk_projection)->Arg(0)->Arg(1);
BENCHMARK(BM_walk_projection_F);
BENCHMARK(BM_direction_step_linear)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_direction_step_eq2)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_direction_step_learned_C)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_joint_step)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
