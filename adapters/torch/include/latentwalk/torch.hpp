#pragma once
// latentwalk/torch.hpp — the LibTorch adapter: the batched tensor backend, the module and
// TorchScript generators, and the PDETraversal potential network. Includes only narrow
// ATen/autograd/JIT headers (never <torch/torch.h>).
#include <latentwalk/torch/backend.hpp>
#include <latentwalk/torch/mlp_potential.hpp>
#include <latentwalk/torch/module_generator.hpp>
#include <latentwalk/torch/torchscript_generator.hpp>
