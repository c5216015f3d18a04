#pragma once
// latentwalk/torch/training/vae_trainer.hpp — the VAE's trainer for train(): maximizes the one-sample
// ELBO with Adam on shuffled mini-batches.
//
//     namespace tr = latentwalk::torch::training;  namespace m = latentwalk::torch::models;
//     tr::manual_seed(seed);
//     m::vae model(m::vae_options{.latent_dim = 8, .height = 8, .width = 8});
//     tr::vae_trainer trainer(model, tr::to_tensor(train_set), {.batch_size = 64, .learning_rate = 1e-3});
//     tr::train(trainer, {.steps = 2000, .seed = seed, .out_dir = "run"});
//
// Step: a batch from the batch_sampler, ε from ctx.generator, loss = −mean(log p(x|z) − β·KL) in
// nats per image (β = kl_weight, 1 for the VAE proper), one Adam step (Kingma & Ba; defaults
// lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8: PyTorch's). Reported: loss (−ELBO when β = 1), nll (−log p(x|z)),
// kl. State: the model, Adam and the data order. The images stay where they are given (CPU or
// device); each batch is moved to the model's device.
// Errors: images not [N, C, H, W] of the model's geometry → dimension_error; batch_size > N →
// invalid_argument_error.
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <latentwalk/torch/models/vae.hpp>
#include <latentwalk/torch/training/batch_sampler.hpp>
#include <latentwalk/torch/training/checkpoint.hpp>
#include <latentwalk/torch/training/train_loop.hpp>

namespace latentwalk::torch::training {

struct adam_options {
    double learning_rate = 1e-3;
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
};

inline ::torch::optim::AdamOptions make_adam_options(const adam_options& a) {
    return ::torch::optim::AdamOptions(a.learning_rate).betas({a.beta1, a.beta2}).eps(a.eps);
}

struct vae_trainer_options {
    std::int64_t batch_size = 64;
    training::adam_options adam{};
    double kl_weight = 1.0;
    at::Device device = at::kCPU;
};

class vae_trainer {
public:
    vae_trainer(models::vae model, at::Tensor images, vae_trainer_options o = {})
        : model_(detail::on_device(std::move(model), o.device)),
          images_(detail::checked_training_images("torch::training::vae_trainer", std::move(images), model_->decoder()->geometry())),
          opts_(o),
          sampler_(images_.defined() && images_.dim() == 4 ? images_.size(0) : 0, o.batch_size),
          adam_(model_->parameters(), make_adam_options(o.adam)) {
        model_->train();
    }

    std::vector<std::string> loss_names() const { return {"loss", "nll", "kl"}; }

    step_result step(step_context& ctx) {
        const auto idx = sampler_.next(ctx.generator);
        const auto x = images_.index_select(0, idx.to(images_.device())).to(opts_.device, param_dtype());
        adam_.zero_grad();
        auto terms = model_->elbo_terms(x, ctx.generator);
        const auto nll = -terms.log_likelihood.mean();
        const auto kl = terms.kl.mean();
        const auto loss = nll + opts_.kl_weight * kl;
        loss.backward();
        adam_.step();
        return {{loss.item<double>(), nll.item<double>(), kl.item<double>()}, x.size(0)};
    }

    void save(output_archive& out) const {
        write_module(out, "model", model_);
        write_optimizer(out, "adam", adam_);
        sampler_.save(out, "sampler");
    }
    void load(input_archive& in) {
        read_module(in, "model", model_);
        read_optimizer(in, "adam", adam_);
        sampler_.load(in, "sampler");
    }

    models::vae& model() { return model_; }
    ::torch::optim::Adam& optimizer() { return adam_; }

private:
    at::ScalarType param_dtype() const { return model_->parameters().front().scalar_type(); }

    models::vae model_;
    at::Tensor images_;
    vae_trainer_options opts_;
    batch_sampler sampler_;
    ::torch::optim::Adam adam_;
};

static_assert(Trainer<vae_trainer>);

}  // namespace latentwalk::torch::training
