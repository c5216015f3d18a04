#pragma once
// latentwalk/data/sprite_factor_reader.hpp — the sprite factors of a generated image as the method
// comparison reads them (compare/traversal_metrics.hpp): the moment estimators of
// sprite_factor_estimators.hpp applied to a cleaned copy of the image, with the factor specs to match.
//
//     auto specs = latentwalk::data::sprite_factor_specs();             // shape, scale, orientation, x, y
//     std::vector<double> f = latentwalk::data::read_sprite_factors(image, 32, 32 * 32);  // 5 values, specs' order
//     auto draws = latentwalk::data::uniform_sprite_factors(5000, 3);  // train_generator's training factors (seed 3)
//
// Values, in the order of sprite_factor_specs():
//   shape        0, 1, 2 (estimate_sprite_shape)                     categorical, spread √(2/9) = 0.4714:
//                                                                     the sd of [f ≠ f′] for two uniform shapes
//   scale        moment estimate                                      continuous, spread 0.5/√12 = 0.1443
//   orientation  θ / period(shape) ∈ [0, 1): the phase, so that the   circular, period 1, spread 1/√12
//                square's 4-fold and the ellipse's 2-fold symmetry are one turn (a phase change
//                of 1 is one full symmetry period of the shape read in that frame)
//   x, y         moment estimates                                     continuous, spread 1/√12 = 0.2887 each
// Spreads are the standard deviations of the factors under the uniform factor distribution that
// examples/train_generator --data sprites trains on (scale U[0.5, 1], orientation U[0, 2π), x, y U[0, 1],
// shapes equally likely).
// Cleaning (ours): a generator's output is never exactly 0 off the sprite (a sigmoid output of 0.01
// over 1024 pixels weighs as much as a fifth of a scale-0.5 sprite and pulls the centroid to the middle),
// so pixel values below `background` (default 0.1) are set to 0 before the moments; clean renderings are
// unchanged by any background below their smallest non-zero value (1/64 for the default anti-aliasing).
// Cost: estimate_sprite_factors' (two passes; three renderings for a heart).
// Errors: dimension_error for side 0 or an image of another size; invalid_argument_error for a background
// outside [0, 1); numerical_error for a non-finite or negative pixel and for an image that is empty after
// cleaning (no sprite). The image is only read.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <latentwalk/compare/traversal_metrics.hpp>
#include <latentwalk/error.hpp>

#include "sprite_factor_estimators.hpp"

namespace latentwalk::data {

/// The five factor specs of read_sprite_factors (see the header comment).
[[nodiscard]] inline std::vector<factor_spec> sprite_factor_specs() {
    const double u = 1.0 / std::sqrt(12.0);
    return {{"shape", std::sqrt(2.0 / 9.0), factor_kind::categorical},
            {"scale", 0.5 * u},
            {"orientation", u, factor_kind::circular, 1.0},
            {"x", u},
            {"y", u}};
}

/// n factor draws from the distribution the specs' spreads assume (shape uniform over the three, scale
/// U[0.5, 1], orientation U[0, 2π), x, y U[0, 1]), in the order examples/train_generator --data sprites
/// draws its training set with std::mt19937_64(seed): the same seed gives its training sprites.
[[nodiscard]] inline std::vector<sprite_factors> uniform_sprite_factors(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> shape(0, 2);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<sprite_factors> f(n);
    for (auto& s : f) {
        s.shape = static_cast<sprite_shape>(shape(rng));
        s.scale = 0.5 + 0.5 * unit(rng);
        s.orientation = 2.0 * std::numbers::pi * unit(rng);
        s.x = unit(rng);
        s.y = unit(rng);
    }
    return f;
}

/// {shape, scale, orientation phase, x, y} of a side × side grey image (row-major), after cleaning.
[[nodiscard]] inline std::vector<double> read_sprite_factors(const float* image, std::size_t side, std::size_t size,
                                                             double background = 0.1) {
    constexpr const char* where = "read_sprite_factors";
    if (side == 0 || size != side * side)
        throw dimension_error(detail::sprite_sentence(where, "the image holds " + std::to_string(size) + " values; a " +
                                                                 std::to_string(side) + "×" + std::to_string(side) +
                                                                 " sprite image holds side² > 0."));
    if (!(background >= 0.0 && background < 1.0))
        throw invalid_argument_error(detail::sprite_sentence(where, "background is " + std::to_string(background) +
                                                                        "; it must lie in [0, 1)."));
    std::vector<float> clean(image, image + size);
    double mass = 0;
    for (std::size_t i = 0; i < size; ++i) {
        if (!std::isfinite(clean[i]) || clean[i] < 0.0f)
            throw numerical_error(detail::sprite_sentence(where, "pixel " + std::to_string(i) + " is " + std::to_string(clean[i]) +
                                                                     "; intensities must be finite and non-negative."));
        if (clean[i] < background) clean[i] = 0.0f;
        mass += clean[i];
    }
    if (!(mass > 0))
        throw numerical_error(detail::sprite_sentence(where, "no pixel reaches the background level " + std::to_string(background) +
                                                                 ": the image shows no sprite."));
    const sprite_shape shape = estimate_sprite_shape(clean.data(), side, side);
    const sprite_factors f = estimate_sprite_factors(clean.data(), side, side, shape);
    return {static_cast<double>(static_cast<int>(shape)), f.scale, f.orientation / sprite_orientation_period(shape), f.x, f.y};
}

}  // namespace latentwalk::data
