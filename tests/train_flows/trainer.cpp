// train_flows: the trainer — an interrupted run resumed from its checkpoint equals the uninterrupted one
// bit for bit; a short seeded run on a tiny generator lowers the total objective and L_J, keeps the
// wave residual bounded and lifts the classifier's held-out accuracy above chance by stated margins.
#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

#include "flows_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;

namespace {

constexpr std::int64_t d = 4, K = 3;
const lt::image_shape shape{1, 8, 8};

/// A fixed tiny generator R⁴ → 8×8 images: tanh(W₂ tanh(W₁ z)).
lt::tensor_function tiny_generator() {
    at::manual_seed(123);
    const auto W1 = at::randn({16, d}, at::kDouble) * 0.8;
    const auto W2 = at::randn({shape.numel(), 16}, at::kDouble) * 0.5;
    return [W1, W2](const at::Tensor& z) { return at::tanh(at::linear(at::tanh(at::linear(z, W1)), W2)); };
}

using trainer = lt::flow_trainer<lt::potential_bank, lt::lenet_pair_classifier>;

std::unique_ptr<trainer> make_trainer(const lt::tensor_function& G, double lr = 1e-3,
                                      lt::idle_parameters idle = lt::idle_parameters::keep_momentum,
                                      lt::lenet_normalization norm = lt::lenet_normalization::none) {
    at::manual_seed(7);  // the classifier's initial weights
    auto bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = 5});
    auto clf = std::make_shared<lt::lenet_pair_classifier>(1, K, at::TensorOptions().dtype(at::kDouble), norm);
    lt::flow_trainer_options o;
    o.loss.timesteps = 6;
    o.batch = 32;
    o.bank_learning_rate = lr;
    o.classifier_learning_rate = lr;
    o.seed = 2024;
    o.idle = idle;
    return std::make_unique<trainer>(bank, clf, G, shape, o);
}

struct evaluation {
    double wave = 0, initial = 0, jacobian = 0, classifier = 0, accuracy = 0;
};

/// The four terms and the accuracy on fixed held-out codes, every potential, start time 1, the
/// classifier in evaluation mode.
evaluation evaluate(trainer& tr, const lt::tensor_function& G) {
    at::manual_seed(99);
    const auto z0 = at::randn({96, d}, at::kDouble);
    tr.classifier().eval();
    evaluation e;
    std::mt19937_64 rng(1);
    for (std::int64_t k = 0; k < K; ++k) {
        const auto r = lt::flow_loss(tr.bank(), tr.classifier(), G, shape, z0, k, 1, tr.options().loss, rng);
        e.wave += r.wave.item<double>() / K;
        e.initial += r.initial.item<double>() / K;
        e.jacobian += r.jacobian.item<double>() / K;
        e.classifier += r.classifier.item<double>() / K;
        e.accuracy += r.accuracy / K;
    }
    tr.classifier().train();
    return e;
}

}  // namespace

// The cause of the 1.6e-3 this case once found: under LibTorch 1.13, Optimizer::zero_grad() zeroes
// gradients instead of dropping them, so every potential drawn once keeps a zero gradient and Adam
// keeps moving it; a fresh process had no gradients, so Adam skipped those potentials until drawn.
// load() now recreates the gradient slots from the Adam state (flow_trainer.hpp, idle_parameters).
CATCH_TEST_CASE("train_flows: a trainer resumed from its checkpoint continues bit for bit") {
    const auto G = tiny_generator();
    for (const auto idle : {lt::idle_parameters::keep_momentum, lt::idle_parameters::frozen}) {
        CATCH_INFO("idle = " << (idle == lt::idle_parameters::frozen ? "frozen" : "keep_momentum"));
        auto a = make_trainer(G, 1e-3, idle, lt::lenet_normalization::batch);
        for (int s = 0; s < 8; ++s) a->step();
        const auto path = std::filesystem::temp_directory_path() / "latentwalk_train_flows_trainer.ckpt";
        auto b = make_trainer(G, 1e-3, idle, lt::lenet_normalization::batch);
        for (int s = 0; s < 4; ++s) b->step();
        b->save(path);
        b.reset();
        auto c = make_trainer(G, 1e-3, idle, lt::lenet_normalization::batch);  // a fresh process: new trainer, then load
        c->load(path);
        CATCH_CHECK(c->steps_done() == 4);
        for (int s = 0; s < 4; ++s) c->step();
        double worst = 0;
        const auto pa = a->bank().named_parameters(), pc = c->bank().named_parameters();
        for (const auto& p : pa) worst = std::max(worst, flows_test::max_abs_diff(p.value(), pc[p.key()]));
        const auto qa = a->classifier().named_parameters(), qc = c->classifier().named_parameters();
        for (const auto& p : qa) worst = std::max(worst, flows_test::max_abs_diff(p.value(), qc[p.key()]));
        const auto ba = a->classifier().named_buffers(), bc = c->classifier().named_buffers();
        for (const auto& p : ba) worst = std::max(worst, flows_test::max_abs_diff(p.value(), bc[p.key()]));
        CATCH_CHECK(worst == 0.0);
        // the next draws are the same too
        CATCH_CHECK(flows_test::max_abs_diff(a->draw_latents(4), c->draw_latents(4)) == 0.0);
        // and a checkpoint of another shape is refused
        auto other = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K + 1});
        auto clf = std::make_shared<lt::lenet_pair_classifier>(1, K + 1);
        trainer wrong(other, clf, G, shape);
        CATCH_CHECK_THROWS_AS(wrong.load(path), lw::model_loading_error);
        std::filesystem::remove(path);
    }
}

// What the method gives on this generator (seed 2024, lr 1e-3, batch 32, T = 6, K = 3), measured on
// fixed held-out codes: L_J −0.62 → −4.46 (250 steps), L_k 1.10 → 0.46, accuracy 0.32 → 0.85, the
// weighted total (all λ = 1, eq. 10) 0.52 → −3.70. L_f and L_u RISE (0.011 → 0.058, 0.026 → 0.24):
// at initialization the potentials are nearly flat (small ∇u), and L_J = −‖J_G ∇u‖² rewards larger
// velocities, so both constraints grow with the flow's amplitude while the total falls; that is the
// objective's trade-off at the paper's weights, not a defect. The scale-free ratio L_f / L_u (f and
// ∇u both scale with u) falls (0.41 → 0.24): relative to its speed, the flow gets closer to a wave.
// With the released code's BatchNorm LeNet the same run stays at chance (0.34 after 150 steps, 0.57
// without BN): pair_classifiers.hpp says why.
CATCH_TEST_CASE("train_flows: a short seeded run lowers the total objective and L_J, keeps the wave residual bounded and lifts held-out accuracy well above chance") {
    const auto G = tiny_generator();
    auto tr = make_trainer(G);
    const auto before = evaluate(*tr, G);
    for (int s = 0; s < 250; ++s) tr->step();
    const auto after = evaluate(*tr, G);
    const auto total = [](const evaluation& e) { return e.wave + e.initial + e.jacobian + e.classifier; };
    std::cout << "train_flows, 250 steps (seed 2024): L_f " << before.wave << " -> " << after.wave << ", L_u "
              << before.initial << " -> " << after.initial << ", L_J " << before.jacobian << " -> " << after.jacobian
              << ", L_k " << before.classifier << " -> " << after.classifier << ", total " << total(before) << " -> "
              << total(after) << ", L_f/L_u " << before.wave / before.initial << " -> " << after.wave / after.initial
              << ", held-out accuracy " << before.accuracy << " -> " << after.accuracy << " (chance " << 1.0 / K
              << ")\n";
    CATCH_CHECK(total(after) < total(before) - 3.0);
    CATCH_CHECK(after.jacobian < 4.0 * before.jacobian);
    CATCH_CHECK(after.classifier < before.classifier - 0.4);
    CATCH_CHECK(after.accuracy > 1.0 / K + 0.35);
    CATCH_CHECK(after.wave < 0.1);
    CATCH_CHECK(after.wave / after.initial < 0.75 * (before.wave / before.initial));
}
