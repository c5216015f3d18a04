#pragma once
// latentwalk/torch/flows/sprite_traversals.hpp — transformation sequences with exact states for the
// traversal-trained VAE (traversal_vae.hpp): procedural sprites (latentwalk/data/sprites.hpp) moved
// along one factor — scale, rotation, x- or y-translation — in S equal steps, each state rendered
// exactly (no interpolation of pixels).
//
//     auto train = latentwalk::torch::sprite_traversals(4096, {.resolution = 32, .seed = 1});
//     auto test  = latentwalk::torch::sprite_traversals(512,  {.resolution = 32, .seed = 2});
//     // train.images [4096, 8, 1, 32, 32], train.factor [4096] ∈ {0 scale, 1 rotation, 2 x, 3 y}
//
// Sequence i varies factor i mod 4 (so the factors are balanced); the other factors, the shape and the
// start are drawn from a std::mt19937_64 seeded with `seed`:
// | factor (index) | states s = 0 … S−1                        | start                         | others       |
// |----------------|--------------------------------------------|-------------------------------|--------------|
// | scale (0)      | s₀ + s·0.35/(S−1)                          | s₀ ~ U[0.5, 0.65]             | scale ~ U[0.5, 1]|
// | rotation (1)   | θ₀ + s·(7π/16)/(S−1) (counter-clockwise)    | θ₀ ~ U[0, 2π)                 | θ ~ U[0, 2π) |
// | x (2)          | x₀ + s·0.56/(S−1) (to the right)           | x₀ ~ U[0, 0.44]               | x, y ~ U[0, 1]|
// | y (3)          | y₀ + s·0.56/(S−1) (downward)               | y₀ ~ U[0, 0.44]               |              |
// The shape is uniform over square, ellipse, heart. The spans stay inside the dSprites ranges, and the
// rotation span 7π/16 stays below the square's period π/2, so no two states of a sequence coincide.
// With S = 8 (the default, Appendix A.1's "8 states") the steps are 0.05 in scale, π/16 in angle and
// 0.08 in position (2.6 px at 32×32 after the centre margin).
// Cost: N·S sprite renderings (data::render_sprites), ~0.1 ms each at 32×32. Images float32, CPU.
// Errors: invalid_argument_error for N < 1, S < 2 or an empty factor list (the renderer's own errors
// for a bad resolution).
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include <latentwalk/data/sprites.hpp>
#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/flows/traversal_vae.hpp>

namespace latentwalk::torch {

enum class sprite_factor { scale = 0, rotation = 1, x = 2, y = 3 };

struct sprite_traversal_options {
    std::int64_t states = 8;                  ///< S
    std::size_t resolution = 32;              ///< N×N images
    bool anti_aliased = true;
    std::uint64_t seed = 1;
    std::vector<sprite_factor> factors = {sprite_factor::scale, sprite_factor::rotation, sprite_factor::x, sprite_factor::y};
};

inline const char* sprite_factor_name(sprite_factor f) {
    switch (f) {
        case sprite_factor::scale: return "scale";
        case sprite_factor::rotation: return "rotation";
        case sprite_factor::x: return "x";
        case sprite_factor::y: return "y";
    }
    return "?";
}

/// N sequences of S sprite states, sequence i along factors[i mod F] (its index in `factors` is the label).
inline traversal_set sprite_traversals(std::int64_t count, const sprite_traversal_options& o = {}) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::sprite_traversals";
    if (count < 1) throw invalid_argument_error(sentence(where, "it needs at least one sequence."));
    if (o.states < 2) throw invalid_argument_error(sentence(where, "each sequence needs at least 2 states."));
    if (o.factors.empty()) throw invalid_argument_error(sentence(where, "the factor list is empty."));
    std::mt19937_64 rng(o.seed);
    auto U = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
    const double last = static_cast<double>(o.states - 1);
    std::vector<data::sprite_factors> all;
    all.reserve(static_cast<std::size_t>(count * o.states));
    std::vector<std::int64_t> labels(static_cast<std::size_t>(count));
    const auto F = static_cast<std::int64_t>(o.factors.size());
    for (std::int64_t i = 0; i < count; ++i) {
        const auto label = i % F;
        labels[static_cast<std::size_t>(i)] = label;
        const auto which = o.factors[static_cast<std::size_t>(label)];
        data::sprite_factors base;
        base.shape = static_cast<data::sprite_shape>(std::uniform_int_distribution<int>(0, 2)(rng));
        base.scale = U(0.5, 1.0);
        base.orientation = U(0.0, 2.0 * std::numbers::pi);
        base.x = U(0.0, 1.0);
        base.y = U(0.0, 1.0);
        double start = 0, span = 0;
        switch (which) {
            case sprite_factor::scale: start = U(0.5, 0.65), span = 0.35; break;
            case sprite_factor::rotation: start = base.orientation, span = 7.0 * std::numbers::pi / 16.0; break;
            case sprite_factor::x:
            case sprite_factor::y: start = U(0.0, 0.44), span = 0.56; break;
        }
        for (std::int64_t s = 0; s < o.states; ++s) {
            auto f = base;
            const double v = start + static_cast<double>(s) * span / last;
            switch (which) {
                case sprite_factor::scale: f.scale = v; break;
                case sprite_factor::rotation: f.orientation = v; break;
                case sprite_factor::x: f.x = v; break;
                case sprite_factor::y: f.y = v; break;
            }
            all.push_back(f);
        }
    }
    const auto set = data::render_sprites(all, {.resolution = o.resolution, .anti_aliased = o.anti_aliased});
    const auto R = static_cast<std::int64_t>(o.resolution);
    traversal_set out;
    out.images = at::tensor(set.pixels, at::kFloat).reshape({count, o.states, 1, R, R});
    out.factor = at::tensor(labels, at::kLong);
    for (const auto f : o.factors) out.factor_names.emplace_back(sprite_factor_name(f));
    return out;
}

}  // namespace latentwalk::torch
