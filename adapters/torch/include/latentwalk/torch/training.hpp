#pragma once
// latentwalk/torch/training.hpp — the models and trainers of the LibTorch adapter in one include.
// Link latentwalk::torch and latentwalk::data (image_set). See adapters/torch/README.md, "Training".
#include <latentwalk/torch/models/conv_decoder.hpp>
#include <latentwalk/torch/models/conv_geometry.hpp>
#include <latentwalk/torch/models/gan.hpp>
#include <latentwalk/torch/models/spectral_norm.hpp>
#include <latentwalk/torch/models/vae.hpp>
#include <latentwalk/torch/training/batch_sampler.hpp>
#include <latentwalk/torch/training/checkpoint.hpp>
#include <latentwalk/torch/training/gan_trainer.hpp>
#include <latentwalk/torch/training/image_tensor.hpp>
#include <latentwalk/torch/training/metrics.hpp>
#include <latentwalk/torch/training/progress.hpp>
#include <latentwalk/torch/training/train_loop.hpp>
#include <latentwalk/torch/training/vae_trainer.hpp>
