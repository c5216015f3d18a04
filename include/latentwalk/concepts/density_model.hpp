#pragma once
// latentwalk/concepts/density_model.hpp — DensityModel: a prior density p(z) on the latent space.
//
// Density-preserving walks (DP-LaSE) move on level sets {z : log p(z) = c} of such a model.
//
// Table of valid expressions. D: the model type; p: const D; B = D::backend; z: vector_t<B> of
// length d; c: double (a log-density level); rng: a std::uniform_random_bit_generator.
//
// | expression                  | returns          | meaning                                   | required? | cost      |
// |-----------------------------|------------------|-------------------------------------------|-----------|-----------|
// | D::backend                  | type             | a Backend tag                             | yes       | —         |
// | p.dim()                     | integral         | d                                         | yes       | O(1)      |
// | p.log_density(z)            | batch_scalar_t<B>| log p(z) (normalised)                     | yes       | O(d)      |
// | p.score(z)                  | vector_t<B>      | ∇ log p(z)                                | yes       | O(d)      |
// | p.project_to_level(z, c)    | vector_t<B>      | closed-form projection onto log p = c     | optional  | O(d)      |
// | p.sample(rng, like)         | vector_t<B>      | one draw, shaped like `like`              | optional  | O(d)      |
// | p.max_log_density()         | double           | sup log p (levels above it are refused)   | optional  | O(1)      |
//
// Models shipped (latentwalk/density/): standard_gaussian<B>, diagonal_gaussian<B>, truncated_normal<B>
// (BigGAN's resampling convention) and uniform_box<B>, all with project_to_level; monotone_cdf_model<B>
// (DP-LaSE's learned per-coordinate CDF, without: project_to_level_set finds its level sets by root finding).
// Algorithms: project_to_level_set, density_preserving_walk (latentwalk/density/).
// Archetype: tests/static/archetypes.hpp (archetype_density).
#include <concepts>

#include "backend.hpp"

namespace latentwalk {

template <class D>
concept DensityModel =
    requires { typename D::backend; } && Backend<typename D::backend> &&
    requires(const D& p, const vector_t<typename D::backend>& z) {
        { p.dim() } -> std::convertible_to<index_t<typename D::backend>>;
        { p.log_density(z) } -> std::convertible_to<batch_scalar_t<typename D::backend>>;
        { p.score(z) } -> std::convertible_to<vector_t<typename D::backend>>;
    };

template <class D>
concept ProvidesLevelProjection = DensityModel<D> &&
    requires(const D& p, const vector_t<typename D::backend>& z, double c) {
        { p.project_to_level(z, c) } -> std::convertible_to<vector_t<typename D::backend>>;
    };

}  // namespace latentwalk

#define LATENTWALK_REQUIRE_DENSITY_MODEL(D)                                                                  \
    static_assert(::latentwalk::DensityModel<D>,                                                             \
                  "latentwalk: this type is not a DensityModel: it needs a member type `backend`, dim(), "  \
                  "log_density(z) and score(z). See latentwalk/concepts/density_model.hpp.")
