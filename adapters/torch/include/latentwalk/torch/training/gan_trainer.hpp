#pragma once
// latentwalk/torch/training/gan_trainer.hpp — the GAN's trainer for train(): alternating Adam steps
// on the spectrally normalized discriminator and the generator.
//
//     namespace tr = latentwalk::torch::training;  namespace m = latentwalk::torch::models;
//     tr::manual_seed(seed);
//     m::gan net(m::gan_options{.latent_dim = 32, .height = 28, .width = 28});
//     tr::gan_trainer trainer(net, tr::to_tensor(train_set), {.batch_size = 64});
//     tr::train(trainer, {.steps = 5000, .seed = seed, .out_dir = "run"});
//
// Step (SNGAN's "standard CNN" schedule, n_dis = discriminator_steps, 1 by default): for each
// discriminator step a real batch from the batch_sampler and z ~ N(0, I) from ctx.generator,
// L_D on real scores and scores of detached fakes; then one generator step on fresh z with L_G
// (models::gan_losses: hinge by default, or non-saturating). Adam for both with SNGAN's settings
// for this schedule by default: lr 2e-4, β₁ 0.5, β₂ 0.999. Reported: d_loss, g_loss and the mean
// real and fake scores. State: the network (with the spectral-norm buffers), both optimizers and the
// data order. Errors: as vae_trainer.
#include <cstdint>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <latentwalk/torch/models/gan.hpp>
#include <latentwalk/torch/training/batch_sampler.hpp>
#include <latentwalk/torch/training/train_loop.hpp>
#include <latentwalk/torch/training/vae_trainer.hpp>

namespace latentwalk::torch::training {

struct gan_trainer_options {
    std::int64_t batch_size = 64;
    training::adam_options adam{2e-4, 0.5, 0.999, 1e-8};
    models::gan_loss loss = models::gan_loss::hinge;
    int discriminator_steps = 1;
    at::Device device = at::kCPU;
};

class gan_trainer {
public:
    gan_trainer(models::gan net, at::Tensor images, gan_trainer_options o = {})
        : net_(detail::on_device(std::move(net), o.device)),
          images_(detail::checked_training_images("torch::training::gan_trainer", std::move(images), net_->generator()->geometry())),
          opts_(o),
          sampler_(images_.defined() && images_.dim() == 4 ? images_.size(0) : 0, o.batch_size),
          d_adam_(net_->discriminator()->parameters(), make_adam_options(o.adam)),
          g_adam_(net_->generator()->parameters(), make_adam_options(o.adam)) {
        if (o.discriminator_steps < 1)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::training::gan_trainer", "discriminator_steps must be at least 1, got " +
                                                    std::to_string(o.discriminator_steps) + "."));
        net_->train();
    }

    std::vector<std::string> loss_names() const { return {"d_loss", "g_loss", "d_real", "d_fake"}; }

    step_result step(step_context& ctx) {
        const auto dtype = net_->generator()->parameters().front().scalar_type();
        const auto n = net_->latent_dim(), B = opts_.batch_size;
        auto noise = [&] { return at::randn({B, n}, ctx.generator, at::TensorOptions().dtype(dtype)).to(opts_.device); };
        double d_loss = 0, real_mean = 0, fake_mean = 0;
        for (int i = 0; i < opts_.discriminator_steps; ++i) {
            const auto idx = sampler_.next(ctx.generator);
            const auto x = images_.index_select(0, idx.to(images_.device())).to(opts_.device, dtype);
            at::Tensor fake;
            {
                at::NoGradGuard no_grad;
                fake = net_->generate_images(noise());
            }
            d_adam_.zero_grad();
            const auto real_scores = net_->discriminator()->forward(x);
            const auto fake_scores = net_->discriminator()->forward(fake);
            const auto loss = models::gan_losses(real_scores, fake_scores, opts_.loss).first;
            loss.backward();
            d_adam_.step();
            d_loss = loss.item<double>();
            real_mean = real_scores.mean().item<double>();
            fake_mean = fake_scores.mean().item<double>();
        }
        g_adam_.zero_grad();
        const auto fake_scores = net_->discriminator()->forward(net_->generate_images(noise()));
        const auto g_loss = models::gan_losses(fake_scores.detach(), fake_scores, opts_.loss).second;
        g_loss.backward();
        g_adam_.step();
        return {{d_loss, g_loss.item<double>(), real_mean, fake_mean}, B * opts_.discriminator_steps};
    }

    void save(output_archive& out) const {
        write_module(out, "model", net_);
        write_optimizer(out, "d_adam", d_adam_);
        write_optimizer(out, "g_adam", g_adam_);
        sampler_.save(out, "sampler");
    }
    void load(input_archive& in) {
        read_module(in, "model", net_);
        read_optimizer(in, "d_adam", d_adam_);
        read_optimizer(in, "g_adam", g_adam_);
        sampler_.load(in, "sampler");
    }

    models::gan& model() { return net_; }

private:
    models::gan net_;
    at::Tensor images_;
    gan_trainer_options opts_;
    batch_sampler sampler_;
    ::torch::optim::Adam d_adam_, g_adam_;
};

static_assert(Trainer<gan_trainer>);

}  // namespace latentwalk::torch::training
