#pragma once
// latentwalk/torch.hpp — the LibTorch adapter: the batched tensor backend and the module and
// TorchScript generators. Includes only narrow ATen/autograd/JIT headers (never <torch/torch.h>).
#include <latentwalk/torch/backend.hpp>
#include <latentwalk/torch/module_generator.hpp>
#include <latentwalk/torch/torchscript_generator.hpp>
