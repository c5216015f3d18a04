#pragma once
// latentwalk/torch/dplase/adam_steps.hpp — the few Adam steps the DP-LaSE trainers run on their own
// (tests, small fits). Long runs with progress, checkpoints and exact resume go through the project's
// training loop, which calls each trainer's loss(step) the same way; this helper has none of that.
//
//     auto history = dp::adam_steps(trainer.parameters(), [&](std::int64_t s) { return trainer.loss(s).total; },
//                                   {.steps = 500, .learning_rate = 1e-2});
//
// Errors: invalid_argument_error for steps < 0, a non-positive learning rate or no parameters;
// numerical_error when a loss comes out NaN or Inf (the step and its value are named).
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <ATen/ATen.h>
#include <torch/optim/adam.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::torch::dplase {

struct adam_options {
    std::int64_t steps = 1000;
    double learning_rate = 1e-2;
    std::int64_t first_step = 0;  ///< the step index of the first step (the batches are drawn by step)
    std::function<void(std::int64_t, double)> on_step;  ///< called after each step with (step, loss)
};

/// Runs `steps` Adam steps on `parameters`, minimising loss(step); returns the losses.
inline std::vector<double> adam_steps(std::vector<at::Tensor> parameters,
                                      const std::function<at::Tensor(std::int64_t)>& loss, const adam_options& o) {
    constexpr const char* where = "torch::dplase::adam_steps";
    if (o.steps < 0 || !(o.learning_rate > 0.0) || parameters.empty())
        throw invalid_argument_error(latentwalk::detail::sentence(
            where, "steps must be non-negative, the learning rate positive, and there must be parameters."));
    ::torch::optim::Adam opt(parameters, ::torch::optim::AdamOptions(o.learning_rate));
    std::vector<double> history;
    history.reserve(static_cast<std::size_t>(o.steps));
    for (std::int64_t s = o.first_step; s < o.first_step + o.steps; ++s) {
        opt.zero_grad();
        auto l = loss(s);
        const double v = l.item<double>();
        if (!std::isfinite(v))
            throw numerical_error(latentwalk::detail::sentence(
                where, "the loss at step " + std::to_string(s) + " is " + std::to_string(v) + "."));
        l.backward();
        opt.step();
        history.push_back(v);
        if (o.on_step) o.on_step(s, v);
    }
    return history;
}

}  // namespace latentwalk::torch::dplase
