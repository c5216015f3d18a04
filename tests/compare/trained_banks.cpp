// compare: trained banks loaded from flow_trainer checkpoints (torch::load_trained_bank, the path of
// examples/compare_methods --banks). A short seeded flow_trainer run per bank type on a tiny generator,
// saved by flow_trainer::save, is loaded into a bank built with another seed: its paths (the ones
// compare_methods scores, bank_paths) equal the trained in-memory bank's to 1e-12, and differed before
// the load. Every refusal (missing, truncated, not a trainer checkpoint, another bank type, K or d) is a
// model_loading_error whose message is a sentence naming the function and the file, and leaves the
// bank untouched.
#include <latentwalk/torch/compare/score_methods.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

#include <torch/torch.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
namespace lc = latentwalk::torch::compare;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t d = 4, K = 3, T = 5, S = 7;
const lt::image_shape shape{1, 8, 8};

/// A fixed tiny non-linear generator R⁴ → 8×8 images: sin(W z + c).
lt::tensor_function tiny_generator() {
    at::manual_seed(321);
    const auto W = at::randn({shape.numel(), d}, at::kDouble), c = at::randn({shape.numel()}, at::kDouble);
    return [W, c](const at::Tensor& z) { return at::sin(at::linear(z, W, c)); };
}

fs::path scratch(const std::string& name) {
    const auto dir = fs::temp_directory_path() / ("latentwalk_compare_banks_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

/// Trains `bank` for a few steps and saves the trainer's checkpoint at `path`.
template <class Bank>
void train_and_save(const std::shared_ptr<Bank>& bank, const fs::path& path, std::int64_t steps = 4) {
    at::manual_seed(7);
    auto clf = std::make_shared<lt::lenet_pair_classifier>(1, bank->size());
    lt::flow_trainer_options o;
    o.loss.timesteps = T;
    o.batch = 8;
    o.bank_learning_rate = o.classifier_learning_rate = 5e-2;  // large, so a few steps move the bank far
    o.seed = 11;
    lt::flow_trainer<Bank, lt::lenet_pair_classifier> tr(bank, clf, tiny_generator(), shape, o);
    for (std::int64_t s = 0; s < steps; ++s) tr.step();
    tr.save(path);
}

template <class Bank>
double max_path_difference(const std::shared_ptr<Bank>& a, const std::shared_ptr<Bank>& b, double step) {
    const auto z0 = lc::comparison_starts(S, d, 3);
    const auto pa = lc::bank_paths(a, T, step), pb = lc::bank_paths(b, T, step);
    double worst = 0;
    for (std::int64_t k = 0; k < K; ++k) worst = std::max(worst, (pa(k, z0) - pb(k, z0)).abs().max().template item<double>());
    return worst;
}

std::vector<at::Tensor> snapshot(const ::torch::nn::Module& m) {
    std::vector<at::Tensor> v;
    for (const auto& p : m.parameters()) v.push_back(p.detach().clone());
    return v;
}

bool unchanged(const ::torch::nn::Module& m, const std::vector<at::Tensor>& before) {
    const auto now = m.parameters();
    for (std::size_t i = 0; i < now.size(); ++i)
        if (!at::equal(now[i].detach(), before[i])) return false;
    return true;
}

/// The refusal's message: a sentence naming the function and the file.
template <class Bank>
void check_refusal(const fs::path& path, Bank& bank, const std::string& why) {
    const auto before = snapshot(bank);
    std::string msg;
    try {
        lt::load_trained_bank(path, bank);
    } catch (const lw::model_loading_error& e) {
        msg = e.what();
    }
    CATCH_INFO(why << ": " << msg);
    CATCH_REQUIRE(!msg.empty());
    CATCH_CHECK(msg.rfind("latentwalk::torch::load_trained_bank: ", 0) == 0);
    CATCH_CHECK(msg.find(path.string()) != std::string::npos);
    CATCH_CHECK(msg.back() == '.');
    CATCH_CHECK(unchanged(bank, before));
}

}  // namespace

CATCH_TEST_CASE("compare: banks loaded from flow_trainer checkpoints walk the trained banks' paths to 1e-12", "[compare]") {
    auto lin = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = 1});
    auto rbf = std::make_shared<lt::rbf_bank>(d, lt::rbf_bank_options{.potentials = K, .step = 0.3, .seed = 1});
    auto pf = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = 1});
    train_and_save(lin, scratch("linear.ckpt"));
    train_and_save(rbf, scratch("warped_rbf.ckpt"));
    train_and_save(pf, scratch("potential_flow.ckpt"));

    // fresh banks of another seed: different paths until loaded
    auto lin2 = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = 9});
    auto rbf2 = std::make_shared<lt::rbf_bank>(d, lt::rbf_bank_options{.potentials = K, .step = 0.3, .seed = 9});
    auto pf2 = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = 9});
    CATCH_CHECK(max_path_difference(lin, lin2, 1.0) > 1e-2);
    CATCH_CHECK(max_path_difference(rbf, rbf2, 1.0) > 1e-2);
    CATCH_CHECK(max_path_difference(pf, pf2, 1.0) > 1e-3);

    CATCH_CHECK(lt::load_trained_bank(scratch("linear.ckpt"), *lin2) == 4);
    CATCH_CHECK(lt::load_trained_bank(scratch("warped_rbf.ckpt"), *rbf2) == 4);
    CATCH_CHECK(lt::load_trained_bank(scratch("potential_flow.ckpt"), *pf2) == 4);
    CATCH_CHECK(max_path_difference(lin, lin2, 1.0) <= 1e-12);
    CATCH_CHECK(max_path_difference(rbf, rbf2, 1.0) <= 1e-12);
    CATCH_CHECK(max_path_difference(pf, pf2, 1.0) <= 1e-12);
    CATCH_CHECK(max_path_difference(pf, pf2, 0.2) <= 1e-12);  // the evaluation rule's ε too
    fs::remove_all(scratch("").parent_path());
}

CATCH_TEST_CASE("compare: load_trained_bank refuses a missing, damaged or foreign file and another bank type, K or d, with a sentence", "[compare]") {
    auto lin = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = 1});
    auto pf = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = 1});
    train_and_save(lin, scratch("linear.ckpt"), 1);
    train_and_save(pf, scratch("potential_flow.ckpt"), 1);
    {  // truncated copy
        std::ifstream in(scratch("linear.ckpt"), std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream(scratch("truncated.ckpt"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    }
    lin->save(scratch("bank_only.ckpt"));  // a bank file (linear_bank::save), not a trainer checkpoint

    auto lin_same = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K, .seed = 5});
    check_refusal(scratch("absent.ckpt"), *lin_same, "missing");
    check_refusal(scratch("truncated.ckpt"), *lin_same, "truncated");
    check_refusal(scratch("bank_only.ckpt"), *lin_same, "not a trainer checkpoint");
    check_refusal(scratch("potential_flow.ckpt"), *lin_same, "another type (potential flow into linear)");
    auto rbf = std::make_shared<lt::rbf_bank>(d, lt::rbf_bank_options{.potentials = K, .seed = 5});
    check_refusal(scratch("linear.ckpt"), *rbf, "another type (linear into RBF)");
    auto lin_k = std::make_shared<lt::linear_bank>(d, lt::linear_bank_options{.potentials = K + 1, .seed = 5});
    check_refusal(scratch("linear.ckpt"), *lin_k, "another K");
    auto lin_d = std::make_shared<lt::linear_bank>(d + 1, lt::linear_bank_options{.potentials = K, .seed = 5});
    check_refusal(scratch("linear.ckpt"), *lin_d, "another d");
    auto pf_more = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K + 1, .seed = 5});
    check_refusal(scratch("potential_flow.ckpt"), *pf_more, "more potentials than the file");
    auto pf_fewer = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K - 1, .seed = 5});
    check_refusal(scratch("potential_flow.ckpt"), *pf_fewer, "fewer potentials than the file");
    fs::remove_all(scratch("").parent_path());
}
