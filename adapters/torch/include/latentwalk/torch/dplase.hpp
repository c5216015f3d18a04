#pragma once
// latentwalk/torch/dplase.hpp — DP-LaSE training on LibTorch (seed 002): the losses l_var, l_reg,
// l_mon, l_lik, l_den as functions; the directions Γ, the CDF network F and the correction module C with
// their trainers, and the joint objective of eq. (11) with both schedules (joint_trainer.hpp: joint, the
// paper's, and sequential); exports to the evaluation types every backend runs (learned_cdf_model,
// correction_network, a direction matrix). Narrow LibTorch headers only.
#include <latentwalk/torch/dplase/adam_steps.hpp>
#include <latentwalk/torch/dplase/cdf_network.hpp>
#include <latentwalk/torch/dplase/correction_module.hpp>
#include <latentwalk/torch/dplase/directions.hpp>
#include <latentwalk/torch/dplase/joint_trainer.hpp>
#include <latentwalk/torch/dplase/losses.hpp>
#include <latentwalk/torch/dplase/walks.hpp>
