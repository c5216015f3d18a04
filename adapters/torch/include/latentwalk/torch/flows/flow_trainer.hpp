#pragma once
// latentwalk/torch/flows/flow_trainer.hpp — one optimization step of potential-flow training (or of a
// baseline under the same objective), with a checkpoint that resumes exactly.
//
//     auto bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K});
//     auto clf  = std::make_shared<lt::lenet_pair_classifier>(1, K);
//     lt::flow_trainer<lt::potential_bank, lt::lenet_pair_classifier> tr(bank, clf, decoder, {1, 28, 28});
//     for (int s = 0; s < 1000; ++s) { auto r = tr.step(); /* r.total, r.wave, …, r.accuracy */ }
//     tr.save("flows.ckpt");   …   tr.load("flows.ckpt");   // continues bit for bit
//
// Per step (§4.4): k ~ Cat{0…K−1}, t ~ Cat{0…max_start_time} (flow_loss_options), z₀ ~ N(0, I)
// [batch, d], all from one std::mt19937_64 seeded with `seed` (so a resumed run draws what the
// uninterrupted one would have drawn); the loss of flow_loss.hpp; one Adam step for the bank and one
// for the classifier. Defaults (the paper is silent; the released code's train.py): Adam, learning
// rate 1e-4 for both, batch 32, 100 000 iterations (Appendix A for VAEs). The generator is frozen:
// only the bank's and the classifier's parameters are stepped.
// Idle parameters: a batch uses one potential, so the other potentials' parameters take no part in
// its loss. `idle_parameters::keep_momentum` (default; what the released code's optimizer.zero_grad()
// did before PyTorch 2.0, and what torch::optim::Optimizer::zero_grad() does in LibTorch 1.13)
// zeroes their gradients, so Adam keeps moving every potential that was ever drawn by its decaying
// moments; `idle_parameters::frozen` (PyTorch ≥ 2.0's set_to_none) leaves them without a gradient,
// so Adam does not touch them until they are drawn again.
// Checkpoint: bank and classifier parameters and buffers, both Adam states, the step count and the
// generator state of the draws, in one torch::serialize archive written atomically. Which parameters
// hold a (zeroed) gradient is part of the run's state under keep_momentum: it is exactly the set that
// has an Adam state, and load() restores it from there, so a resumed run equals the uninterrupted one
// bit for bit on the CPU. A file of
// another bank shape, or a corrupt one, is a model_loading_error and leaves the trainer untouched
// as far as the parameters go.
// load_trained_bank(path, bank): the bank alone out of such a checkpoint (the entries "bank.…"; the
// classifier, the Adam states and the draws are left in the file), for programs that only walk the
// trained flow (examples/compare_methods --banks reads examples/train_potentials' <method>.ckpt). It
// returns the checkpoint's step count. A file that is missing, damaged, not a flow_trainer checkpoint,
// of another bank type (an entry of `bank` is missing) or of another K or d (an entry of another shape;
// the sentence gives both shapes) is a model_loading_error, and `bank` is then unchanged. Parameters
// and buffers are read; options stored in neither (rbf_bank's step) are the caller's: the bank walks
// with the options it was constructed with.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>

#include <latentwalk/torch/flows/detail/module_file.hpp>
#include <latentwalk/torch/flows/flow_loss.hpp>

namespace latentwalk::torch {

/// What Adam does with the parameters a batch does not use (the potentials not drawn).
enum class idle_parameters {
    keep_momentum,  ///< zeroed gradients: Adam moves them by their moments (LibTorch 1.13, PyTorch < 2.0)
    frozen          ///< no gradient: Adam skips them (PyTorch ≥ 2.0's zero_grad(set_to_none=True))
};

namespace detail {

/// The state of a std::mt19937_64 as the "rng" entry of a checkpoint.
inline void write_rng(::torch::serialize::OutputArchive& archive, const std::mt19937_64& rng) {
    std::ostringstream os;
    os << rng;
    const std::string s = os.str();
    archive.write("rng", at::tensor(std::vector<std::int64_t>(s.begin(), s.end()), at::kLong), true);
}

/// Reads the "rng" entry and the named optimizer archives of a checkpoint; model_loading_error if any lacks.
inline std::mt19937_64 read_rng_and_optimizers(const char* where, ::torch::serialize::InputArchive& archive,
                                               const std::filesystem::path& path,
                                               std::vector<std::pair<std::string, ::torch::serialize::InputArchive*>> optimizers) {
    std::mt19937_64 rng;
    try {
        at::Tensor bytes;
        if (!archive.try_read("rng", bytes, true)) throw model_loading_error("");
        const auto h = bytes.to(at::kLong).contiguous();
        std::string s(static_cast<std::size_t>(h.numel()), ' ');
        for (std::int64_t i = 0; i < h.numel(); ++i) s[static_cast<std::size_t>(i)] = static_cast<char>(h.data_ptr<std::int64_t>()[i]);
        std::istringstream is(s);
        is >> rng;
        if (!is) throw model_loading_error("");
        for (auto& [name, sub] : optimizers) archive.read(name, *sub);
    } catch (const std::exception&) {
        throw model_loading_error(latentwalk::detail::sentence(where, "'" + path.string() + "' lacks the optimizer or generator state."));
    }
    return rng;
}

/// Loads optimizer states read by read_rng_and_optimizers; model_loading_error if one does not fit.
inline void load_optimizers(const char* where, const std::filesystem::path& path,
                            std::vector<std::pair<::torch::optim::Adam*, ::torch::serialize::InputArchive*>> pairs) {
    try {
        for (auto& [opt, sub] : pairs) opt->load(*sub);
    } catch (const std::exception& e) {
        throw model_loading_error(latentwalk::detail::sentence(where, "the optimizer state of '" + path.string() +
                                                                          "' does not fit: " + std::string(e.what()).substr(0, 160)));
    }
}

/// Under keep_momentum a parameter has a defined (zeroed) gradient iff it ever had one, which is
/// iff Adam holds a state for it; a fresh process has no gradients, so they are recreated here.
/// Under frozen, every gradient is cleared before each step anyway.
inline void restore_gradient_slots(::torch::optim::Adam& opt, idle_parameters idle) {
    for (auto& group : opt.param_groups())
        for (auto& p : group.params()) {
            const bool has_state = opt.state().count(c10::guts::to_string(p.unsafeGetTensorImpl())) > 0;
            if (has_state && idle == idle_parameters::keep_momentum) {
                if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
                else p.mutable_grad().zero_();
            } else {
                p.mutable_grad() = at::Tensor();
            }
        }
}

}  // namespace detail

struct flow_trainer_options {
    flow_loss_options loss{};
    std::int64_t batch = 32;               ///< the released code's default (its scripts: 128, 256)
    double bank_learning_rate = 1e-4;      ///< train.py --support-set-lr
    double classifier_learning_rate = 1e-4;///< train.py --reconstructor-lr
    std::uint64_t seed = 1;
    idle_parameters idle = idle_parameters::keep_momentum;
};

/// What one step measured (host values).
struct flow_step_record {
    std::int64_t step = 0, k = 0, t = 0;
    double total = 0, wave = 0, initial = 0, jacobian = 0, classifier = 0, accuracy = 0;
};

template <class Bank, class Classifier>
class flow_trainer {
public:
    flow_trainer(std::shared_ptr<Bank> bank, std::shared_ptr<Classifier> classifier, tensor_function generator,
                 image_shape shape, flow_trainer_options options = {})
        : bank_(std::move(bank)), classifier_(std::move(classifier)), generator_(std::move(generator)),
          shape_(shape), opts_(options), rng_(options.seed),
          bank_opt_(bank_->parameters(), ::torch::optim::AdamOptions(options.bank_learning_rate)),
          clf_opt_(classifier_->parameters(), ::torch::optim::AdamOptions(options.classifier_learning_rate)) {
        if (opts_.batch < 1)
            throw invalid_argument_error(latentwalk::detail::sentence("torch::flow_trainer", "the batch size must be at least 1."));
        pair_ = std::make_shared<::torch::nn::Module>();
        pair_->register_module("bank", bank_);
        pair_->register_module("classifier", classifier_);
    }

    Bank& bank() { return *bank_; }
    Classifier& classifier() { return *classifier_; }
    const flow_trainer_options& options() const { return opts_; }
    std::int64_t steps_done() const { return step_; }

    /// One optimization step; returns its losses.
    flow_step_record step() {
        classifier_->train();
        std::uniform_int_distribution<std::int64_t> pick_k(0, bank_->size() - 1);
        std::uniform_int_distribution<std::int64_t> pick_t(0, opts_.loss.max_start_time());
        const auto k = pick_k(rng_);
        const auto t = pick_t(rng_);
        const auto z0 = draw_latents(opts_.batch);
        if (opts_.idle == idle_parameters::frozen) {
            bank_->zero_grad(/*set_to_none=*/true);
            classifier_->zero_grad(/*set_to_none=*/true);
        } else {
            bank_opt_.zero_grad();
            clf_opt_.zero_grad();
        }
        flow_loss_terms terms = flow_loss(*bank_, *classifier_, generator_, shape_, z0, k, t, opts_.loss, rng_);
        terms.total.backward();
        bank_opt_.step();
        clf_opt_.step();
        ++step_;
        flow_step_record r;
        r.step = step_;
        r.k = k;
        r.t = t;
        r.total = terms.total.item<double>();
        r.wave = terms.wave.item<double>();
        r.initial = terms.initial.item<double>();
        r.jacobian = terms.jacobian.item<double>();
        r.classifier = terms.classifier.item<double>();
        r.accuracy = terms.accuracy;
        return r;
    }

    /// B latent codes from the trainer's generator (N(0, I), the bank's dtype and device).
    at::Tensor draw_latents(std::int64_t B) {
        std::normal_distribution<double> nd;
        std::vector<double> v(static_cast<std::size_t>(B * bank_->dim()));
        for (auto& x : v) x = nd(rng_);
        return at::tensor(v, at::kDouble).reshape({B, bank_->dim()}).to(bank_->parameters().front().options());
    }

    void save(const std::filesystem::path& path) const {
        ::torch::serialize::OutputArchive archive, bo, co;
        detail::write_meta(archive, "kind", 21.0);
        detail::write_meta(archive, "step", static_cast<double>(step_));
        detail::write_module(*pair_, archive);
        bank_opt_.save(bo);
        clf_opt_.save(co);
        archive.write("bank_optimizer", bo);
        archive.write("classifier_optimizer", co);
        detail::write_rng(archive, rng_);
        detail::save_archive_atomically("torch::flow_trainer::save", archive, path);
    }

    void load(const std::filesystem::path& path) {
        constexpr const char* where = "torch::flow_trainer::load";
        ::torch::serialize::InputArchive archive, bo, co;
        detail::open_tagged_archive(where, archive, 21.0, path);
        const auto step = static_cast<std::int64_t>(detail::read_meta(where, archive, "step", path));
        const auto rng = detail::read_rng_and_optimizers(where, archive, path, {{"bank_optimizer", &bo}, {"classifier_optimizer", &co}});
        detail::read_module(where, *pair_, archive, path);
        detail::load_optimizers(where, path, {{&bank_opt_, &bo}, {&clf_opt_, &co}});
        rng_ = rng;
        step_ = step;
        detail::restore_gradient_slots(bank_opt_, opts_.idle);
        detail::restore_gradient_slots(clf_opt_, opts_.idle);
    }

private:
    std::shared_ptr<Bank> bank_;
    std::shared_ptr<Classifier> classifier_;
    std::shared_ptr<::torch::nn::Module> pair_;
    tensor_function generator_;
    image_shape shape_;
    flow_trainer_options opts_;
    std::mt19937_64 rng_;
    ::torch::optim::Adam bank_opt_, clf_opt_;
    std::int64_t step_ = 0;
};

namespace detail {
inline std::string shape_text(at::IntArrayRef sizes) {
    std::string s = "[";
    for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + std::to_string(sizes[i]);
    return s + "]";
}
}  // namespace detail

/// The bank of a flow_trainer checkpoint (see the header): refills `bank`'s parameters and buffers from
/// the file's entries "bank.<name>" and returns the number of steps the checkpoint was trained for.
/// model_loading_error (bank unchanged) if the file is missing or damaged, was not written by
/// flow_trainer::save, or holds a bank of another type, K or d.
template <class Bank>
std::int64_t load_trained_bank(const std::filesystem::path& path, Bank& bank) {
    constexpr const char* where = "torch::load_trained_bank";
    using latentwalk::detail::sentence;
    ::torch::serialize::InputArchive archive;
    detail::load_archive(where, archive, path);
    if (detail::read_meta(where, archive, "kind", path) != 21.0)
        throw model_loading_error(sentence(where, "'" + path.string() + "' is not a flow_trainer checkpoint (it holds another kind of model)."));
    const auto step = static_cast<std::int64_t>(detail::read_meta(where, archive, "step", path));
    std::vector<std::pair<at::Tensor, at::Tensor>> pending;
    auto take = [&](const std::string& name, const at::Tensor& target, bool is_buffer) {
        const std::string key = "bank." + name;
        at::Tensor t;
        bool ok = false;
        try {
            ok = archive.try_read(key, t, is_buffer) && t.defined();
        } catch (const std::exception&) {
            ok = false;
        }
        if (!ok)
            throw model_loading_error(sentence(where, "'" + path.string() + "' has no entry '" + key +
                                                          "': it holds another type of bank, or another number of potentials K."));
        if (t.sizes() != target.sizes())
            throw model_loading_error(sentence(where, "the entry '" + key + "' of '" + path.string() + "' has the shape " +
                                                          detail::shape_text(t.sizes()) + ", the bank's is " +
                                                          detail::shape_text(target.sizes()) +
                                                          ": it was trained with another number of potentials K or latent dimension d."));
        pending.emplace_back(target, t);
    };
    for (const auto& p : bank.named_parameters(true)) take(p.key(), p.value(), false);
    for (const auto& b : bank.named_buffers(true)) take(b.key(), b.value(), true);
    at::NoGradGuard no_grad;
    for (auto& [target, value] : pending) const_cast<at::Tensor&>(target).copy_(value.to(target.options()));
    return step;
}

}  // namespace latentwalk::torch
