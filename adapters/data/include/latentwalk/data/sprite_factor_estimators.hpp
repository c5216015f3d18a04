#pragma once
// latentwalk/data/sprite_factor_estimators.hpp — a sprite's factors recovered from its image moments:
// the ground truth's inverse, used to score how well a method's directions move one factor alone.
//
//     image_set s = render_sprites({{sprite_shape::ellipse, 0.7, 0.4, 0.3, 0.6}});
//     sprite_factors f = estimate_sprite_factors(s, 0);              // shape from s.factors, if there
//     sprite_factors g = estimate_sprite_factors(s.image(0), 64, 64, sprite_shape::ellipse);
//     sprite_shape   h = estimate_sprite_shape(s.image(0), 64, 64);  // from moment invariants
//
// With pixel values w (the image's intensities as weights), pixel centres (u, v) = (j + ½, i + ½) in
// pixels of an N×N image, area A = Σ w and centroid (ū, v̄) = Σ w·(u, v) / A:
//   x, y         the inverse of the renderer's placement (sprites.hpp): x = (ū/N − R)/(1 − 2R),
//                y = (v̄/N − R)/(1 − 2R) with R = sprite_radius. Exact for the exact shape, because the
//                renderer centres each shape on its area centroid.
//   scale        sqrt(A / a_shape) / (R·N), with a_shape the shape's area at unit size: 2 (square),
//                π/2 (ellipse), 3.66197272581827/ρ² (heart; see sprites.hpp).
//   orientation  from complex central moments M_k = Σ w·ζᵏ with ζ = (u − ū) − i(v − v̄) (screen up):
//                rotating a shape by θ multiplies M_k by e^{ikθ}, so θ = (arg M_k − arg M_k⁰)/k modulo
//                2π/k, M_k⁰ the unrotated shape's moment:
//     square     k = 4 (M₄⁰ < 0: arg π); the result is in [0, π/2): a square has no other orientation
//     ellipse    k = 2 (M₂⁰ > 0: arg 0, the long axis); in [0, π)
//     heart      k = 3 (M₃⁰ on the positive imaginary axis: arg π/2) gives θ modulo 2π/3; of its three
//                candidates, 120° apart, the one whose rendering at the estimated position and scale
//                (anti-aliased, 4×4 samples) is nearest the image in least squares is kept; in [0, 2π).
//                Neither the heart's second moments (8 % anisotropy) nor its first harmonic Σ w·ζ|ζ|²
//                (0.5 % of its scale) picks the candidate reliably on small sprites; the template does.
//   shape        (estimate_sprite_shape) from rotation- and scale-invariant magnitudes
//                I_k = |M_k| / A^{1 + k/2}: I₃ ≥ 0.011 → heart (the heart's 0.0218; the square's and the
//                ellipse's are 0 by central symmetry), else I₂ ≥ 0.06 → ellipse (0.119; the square's 0),
//                else square. Thresholds halve the gaps.
// Accuracy, measured over 300 random factors per shape (scale 0.5..1, any orientation and position;
// tests/datasets/sprites.cpp asserts bounds with margin), worst case:
//   64×64 anti-aliased   position 0.03 px, scale 0.3 %, orientation 1.3° (square), 0.5° (ellipse, heart)
//   32×32 anti-aliased   position 0.04 px, scale 1.5 %, orientation 4° (square), 2–3° (ellipse, heart)
//   64×64 binary         position 0.33 px, scale 4.6 %, orientation 5–6°; a few small squares and
//                        ellipses misclassified by estimate_sprite_shape
//   32×32 binary         too coarse for moments (a scale-0.5 sprite is 5 px across): shape and heart
//                        orientation are unreliable.
// A sprite cut off by the image border, or several in one image, is outside what moments can invert.
//
// Cost: two passes over the image; the heart's orientation adds three renderings (about 0.1 ms at 64×64).
//
// Errors: dimension_error when the image set is not single-channel square or i ≥ count;
// invalid_argument_error for a shape outside the three; numerical_error when the image holds a
// non-finite or negative value or has no mass (an empty image has no centroid). Inputs are only read.
#include <algorithm>
#include <cmath>
#include <complex>
#include <limits>
#include <cstddef>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include <latentwalk/error.hpp>

#include "image_set.hpp"
#include "sprites.hpp"

namespace latentwalk::data {

namespace detail {

struct sprite_moments {
    double area = 0.0, u = 0.0, v = 0.0;                 // mass and centroid, pixel units
    std::complex<double> m2, m3, m4;                      // central complex moments Σ w·ζᵏ
};

[[nodiscard]] inline sprite_moments measure_sprite(std::string_view where, const float* image, std::size_t height,
                                                   std::size_t width) {
    sprite_moments m;
    double su = 0.0, sv = 0.0;
    for (std::size_t i = 0; i < height; ++i) {
        for (std::size_t j = 0; j < width; ++j) {
            const double w = image[i * width + j];
            if (!std::isfinite(w) || w < 0.0) {
                throw numerical_error(sprite_sentence(where, "the image holds " + std::to_string(w) + " at row " +
                                                                  std::to_string(i) + ", column " + std::to_string(j) +
                                                                  "; moments need finite, non-negative intensities."));
            }
            m.area += w;
            su += w * (static_cast<double>(j) + 0.5);
            sv += w * (static_cast<double>(i) + 0.5);
        }
    }
    if (!(m.area > 0.0)) {
        throw numerical_error(sprite_sentence(where, "the image is empty (all pixels 0); it has no centroid."));
    }
    m.u = su / m.area;
    m.v = sv / m.area;
    for (std::size_t i = 0; i < height; ++i) {
        for (std::size_t j = 0; j < width; ++j) {
            const double w = image[i * width + j];
            if (w == 0.0) continue;
            const std::complex<double> z((static_cast<double>(j) + 0.5) - m.u, -((static_cast<double>(i) + 0.5) - m.v));
            const std::complex<double> z2 = z * z;
            m.m2 += w * z2;
            m.m3 += w * z2 * z;
            m.m4 += w * z2 * z2;
        }
    }
    return m;
}

/// a mod period, in [0, period).
[[nodiscard]] inline double wrap_angle(double a, double period) {
    double r = std::fmod(a, period);
    if (r < 0.0) r += period;
    if (r >= period) r -= period;
    return r;
}

[[nodiscard]] inline double sprite_unit_area(sprite_shape shape) {
    switch (shape) {
        case sprite_shape::square: return 2.0;
        case sprite_shape::ellipse: return std::numbers::pi / 2;
        default: return heart_curve_area / (heart_rho * heart_rho);
    }
}

inline void require_sprite_shape(std::string_view where, sprite_shape shape) {
    const int s = static_cast<int>(shape);
    if (s < 0 || s > 2) {
        throw invalid_argument_error(sprite_sentence(where, "shape is " + std::to_string(s) +
                                                                 "; it must be square (0), ellipse (1) or heart (2)."));
    }
}

[[nodiscard]] inline sprite_shape classify_sprite(const sprite_moments& m) {
    const double i2 = std::abs(m.m2) / (m.area * m.area);
    const double i3 = std::abs(m.m3) / std::pow(m.area, 2.5);
    if (i3 >= 0.011) return sprite_shape::heart;
    if (i2 >= 0.06) return sprite_shape::ellipse;
    return sprite_shape::square;
}

inline void require_image_shape(std::string_view where, std::size_t height, std::size_t width) {
    if (height == 0 || height != width) {
        throw dimension_error(sprite_sentence(where, "the image is " + std::to_string(height) + "×" + std::to_string(width) +
                                                          "; sprite images are square and non-empty."));
    }
}

}  // namespace detail

/// The shape whose moment invariants the image has (see the header).
[[nodiscard]] inline sprite_shape estimate_sprite_shape(const float* image, std::size_t height, std::size_t width) {
    detail::require_image_shape("estimate_sprite_shape", height, width);
    return detail::classify_sprite(detail::measure_sprite("estimate_sprite_shape", image, height, width));
}

/// The factors of a single-sprite image of the given shape. Orientation is in [0, period) for the shape.
[[nodiscard]] inline sprite_factors estimate_sprite_factors(const float* image, std::size_t height, std::size_t width,
                                                            sprite_shape shape) {
    constexpr std::string_view where = "estimate_sprite_factors";
    detail::require_image_shape(where, height, width);
    detail::require_sprite_shape(where, shape);
    const detail::sprite_moments m = detail::measure_sprite(where, image, height, width);
    const double N = static_cast<double>(width);
    const double R = sprite_radius;
    sprite_factors f;
    f.shape = shape;
    f.x = (m.u / N - R) / (1.0 - 2.0 * R);
    f.y = (m.v / N - R) / (1.0 - 2.0 * R);
    f.scale = std::sqrt(m.area / detail::sprite_unit_area(shape)) / (R * N);
    constexpr double pi = std::numbers::pi;
    switch (shape) {
        case sprite_shape::square: f.orientation = detail::wrap_angle((std::arg(m.m4) - pi) / 4.0, pi / 2); break;
        case sprite_shape::ellipse: f.orientation = detail::wrap_angle(std::arg(m.m2) / 2.0, pi); break;
        case sprite_shape::heart: {
            const double base = (std::arg(m.m3) - pi / 2) / 3.0;
// The three candidates differ by 120°: keep the one whose rendering (at the estimated
            // position and scale) is nearest the image in least squares.
            std::vector<float> canvas(height * width);
            double best = base, best_misfit = std::numeric_limits<double>::infinity();
            for (int j = 0; j < 3; ++j) {
                const double candidate = base + 2.0 * pi * j / 3.0;
                sprite_factors trial = f;
                trial.orientation = candidate;
                detail::draw_sprite(trial, {.resolution = width, .anti_aliased = true, .supersampling = 4}, canvas.data());
                double misfit = 0.0;
                for (std::size_t k = 0; k < canvas.size(); ++k) {
                    const double d = static_cast<double>(image[k]) - static_cast<double>(canvas[k]);
                    misfit += d * d;
                }
                if (misfit < best_misfit) best_misfit = misfit, best = candidate;
            }
            f.orientation = detail::wrap_angle(best, 2.0 * pi);
            break;
        }
    }
    return f;
}

/// The factors of image i of a sprite set; the shape is the set's "shape" factor when it has one,
/// estimate_sprite_shape's otherwise.
[[nodiscard]] inline sprite_factors estimate_sprite_factors(const image_set& set, std::size_t i) {
    constexpr std::string_view where = "estimate_sprite_factors";
    if (i >= set.count) {
        throw dimension_error(detail::sprite_sentence(where, "i is " + std::to_string(i) + " but the set holds " +
                                                                 std::to_string(set.count) + " images."));
    }
    if (set.channels != 1) {
        throw dimension_error(detail::sprite_sentence(where, "the set has " + std::to_string(set.channels) +
                                                                 " channels; sprite images have one."));
    }
    sprite_shape shape;
    const std::size_t k = set.factor_names.size();
    if (k > 0 && set.factor_names[0] == "shape" && set.factors.size() == set.count * k) {
        const double s = set.factors[i * k];
        if (!(s == 0.0 || s == 1.0 || s == 2.0)) {
            throw invalid_argument_error(detail::sprite_sentence(where, "the set's shape factor of image " + std::to_string(i) + " is " +
                                                                            std::to_string(s) + "; it must be 0, 1 or 2."));
        }
        shape = static_cast<sprite_shape>(static_cast<int>(s));
    } else {
        shape = estimate_sprite_shape(set.image(i), set.height, set.width);
    }
    return estimate_sprite_factors(set.image(i), set.height, set.width, shape);
}

}  // namespace latentwalk::data
