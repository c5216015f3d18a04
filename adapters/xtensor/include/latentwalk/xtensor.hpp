#pragma once
// latentwalk/xtensor.hpp — the xtensor CPU backend (xtensor + xtensor-blas over BLAS/LAPACK) and the
// backend-generic closed-form models, together with the core. Target: latentwalk::xtensor.
//
// Includes: the core (<latentwalk/latentwalk.hpp>), latentwalk/xtensor/backend.hpp, and the
// generic models (latentwalk/models/: linear_generator, sphere_embedding, torus_embedding,
// mlp_generator), with the aliases below. Like the Eigen umbrella (<latentwalk/eigen.hpp>: core,
// backend, Eigen's own models) and unlike the torch one (<latentwalk/torch.hpp>: backend and torch
// models, not the core, to keep LibTorch translation units small).
// The xtensor backend is unbatched, like Eigen: one latent code per vector.
#include <latentwalk/latentwalk.hpp>
#include <latentwalk/models/embeddings.hpp>
#include <latentwalk/models/linear_generator.hpp>
#include <latentwalk/models/mlp_generator.hpp>
#include <latentwalk/xtensor/backend.hpp>

namespace latentwalk::xtensor {
template <class Scalar = double> using linear_generator = ::latentwalk::linear_generator<backend<Scalar>>;
template <class Scalar = double> using sphere_embedding = ::latentwalk::sphere_embedding<backend<Scalar>>;
template <class Scalar = double> using torus_embedding = ::latentwalk::torus_embedding<backend<Scalar>>;
template <class Scalar = double> using mlp_generator = ::latentwalk::mlp_generator<backend<Scalar>>;
/// N(0, I_d) on the xtensor backend.
template <class Scalar = double> using standard_gaussian = ::latentwalk::standard_gaussian<backend<Scalar>>;
}  // namespace latentwalk::xtensor
