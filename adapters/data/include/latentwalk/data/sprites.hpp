#pragma once
// latentwalk/data/sprites.hpp — procedural sprites with exact generative factors, on the dSprites grid
// (Matthey, Higgins, Hassabis & Lerchner, 2017: github.com/deepmind/dsprites-dataset).
//
//     using namespace latentwalk::data;
//     image_set g = render_sprite_grid(0, 1024);                  // the first 1024 grid images, 64×64
//     image_set b = render_sprites({{sprite_shape::heart, 0.8, 1.0, 0.25, 0.5}}, {.resolution = 32});
//     sprite_factors f = sprite_grid_factors(123456);             // the factors of grid image 123456
//     std::size_t i = sprite_grid_index({.shape = 2, .scale = 5, .orientation = 0, .x = 31, .y = 0});
//
// Factors (the dSprites definition; colour, always white in dSprites, is left out):
//   shape        square (0), ellipse (1), heart (2)                    3 values
//   scale        linspace(0.5, 1, 6)                                   6 values
//   orientation  linspace(0, 2π, 40) radians: index 0 and index 39 draw the same image (0 and 2π),
//                as in dSprites                                         40 values
//   x, y         linspace(0, 1, 32)                                    32 values each
// Grid order: shape slowest, then scale, orientation, x, and y fastest —
//   index = (((shape·6 + scale)·40 + orientation)·32 + x)·32 + y,  737 280 images in all,
// dSprites' published order. image_set::factor_names = {"shape", "scale", "orientation", "x", "y"}
// and factors holds their values per image (shape as 0, 1, 2; dSprites' latents_values store 1, 2, 3).
// Any continuous values can be drawn with render_sprites: the grid is only the published sampling.
//
// Rasterization (ours; dSprites publishes images, not a renderer). Image coordinates: the image is the
// unit square, u to the right, v downward (v = row, as the array is stored); pixel (row i, column j) of an
// N×N image covers [j/N, (j+1)/N] × [i/N, (i+1)/N]. With R = sprite_radius = 0.16 of the image side:
//   centre      (u, v) = (R + (1 − 2R)·x,  R + (1 − 2R)·y): x = 0 is the left, y = 0 the top; the
//               centre is the shape's area centroid, so an image's centroid recovers (x, y).
//   size        every shape at scale s fits the disc of radius s·R about its centroid and touches its
//               edge (at 64×64, scale 1 spans a disc of 10.24 px radius); with the centre margin R no
//               sprite on the grid leaves the image. sqrt(area) is proportional to s.
//   orientation θ turns the shape counter-clockwise as seen on the screen (v up is the positive sense).
//   shapes      in the shape's own frame (p, q), q up, before rotation and scaling by s·R:
//     square    |p| ≤ 1/√2 and |q| ≤ 1/√2 (corners on the unit circle; area 2); 4-fold symmetric
//     ellipse   p² + (q/0.5)² ≤ 1 (semi-axes 1 along p at θ = 0 and 0.5; area π/2); 2-fold symmetric
//     heart     the sextic heart curve (X² + Y² − 1)³ − X²·Y³ ≤ 0 with X = ρ·p, Y = ρ·q + c, where
//               c = 0.29348122728179 is the curve's area centroid (so the heart's centroid is at the
//               origin) and ρ = 1 + c its distance to the tip (0, −1) (so the tip touches the unit
//               circle). Lobes up, tip down at θ = 0; area 3.66197272581827/ρ²; one mirror axis,
//               no rotational symmetry (period 2π). Constants from polar quadrature of the curve
//               (scipy quad, 1e-13).
//   pixel value anti-aliased (default): the fraction of supersampling² sample points, the centres of a
//               regular supersampling × supersampling grid inside the pixel, that fall inside the shape
//               (default 8 × 8 = 64 samples: values in steps of 1/64). binary (anti_aliased = false):
//               1 where the pixel centre is inside, else 0, like dSprites' binary images.
// The renderer is deterministic (no random sampling): the same factors give the same floats, on any
// machine with IEEE doubles. Values outside the grid's ranges (x < 0, scale > 1, ...) are drawn as
// they are, parts outside the image cut off.
//
// Cost: about (2·s·R·N + 2)²·supersampling² inside tests per image (only the sprite's bounding box is
// visited): ~35 000 at 64×64, scale 1, 8×8 samples, well under a millisecond. The whole grid at 64×64
// holds 737 280·4096 floats = 12 GB: render it in ranges (`first`, `count`) or by index lists.
//
// Errors: invalid_argument_error for a resolution of 0 or above 4096, supersampling 0 or above 64, a
// scale ≤ 0, a shape outside the three, a grid index ≥ 737 280 or a grid factor index out of its range;
// numerical_error for a non-finite factor. Inputs are only read; on error nothing is returned.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <numbers>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <latentwalk/error.hpp>

#include "image_set.hpp"

namespace latentwalk::data {

enum class sprite_shape { square = 0, ellipse = 1, heart = 2 };

/// The five continuous factors of one sprite.
struct sprite_factors {
    sprite_shape shape = sprite_shape::square;
    double scale = 1.0;        ///< size; 0.5..1 on the grid
    double orientation = 0.0;  ///< radians, counter-clockwise on the screen; 0..2π on the grid
    double x = 0.5;            ///< horizontal position, 0 = left, 1 = right; 0..1 on the grid
    double y = 0.5;            ///< vertical position, 0 = top, 1 = bottom; 0..1 on the grid
};

struct sprite_options {
    std::size_t resolution = 64;   ///< N: N×N images (dSprites: 64; 32 is the small option)
    bool anti_aliased = true;      ///< supersampled coverage; false: binary, pixel centre inside
    std::size_t supersampling = 8; ///< samples per pixel side when anti-aliased
};

/// The centre margin and the radius of a scale-1 sprite, as a fraction of the image side.
inline constexpr double sprite_radius = 0.16;

/// The grid's sizes, in order: shape, scale, orientation, x, y.
inline constexpr std::array<std::size_t, 5> sprite_grid_sizes = {3, 6, 40, 32, 32};
inline constexpr std::size_t sprite_grid_size = 3 * 6 * 40 * 32 * 32;  // 737 280

/// Indices into the grid's factor values.
struct sprite_grid_indices {
    std::size_t shape = 0, scale = 0, orientation = 0, x = 0, y = 0;
};

/// The smallest rotation that maps the shape onto itself: π/2 (square), π (ellipse), 2π (heart).
[[nodiscard]] inline double sprite_orientation_period(sprite_shape shape) {
    switch (shape) {
        case sprite_shape::square: return std::numbers::pi / 2;
        case sprite_shape::ellipse: return std::numbers::pi;
        default: return 2 * std::numbers::pi;
    }
}

[[nodiscard]] inline std::string_view sprite_shape_name(sprite_shape shape) {
    switch (shape) {
        case sprite_shape::square: return "square";
        case sprite_shape::ellipse: return "ellipse";
        case sprite_shape::heart: return "heart";
    }
    return "unknown";
}

namespace detail {

inline constexpr double heart_centroid = 0.29348122728179;  // area centroid (Y) of the sextic heart curve
inline constexpr double heart_rho = 1.0 + heart_centroid;    // centroid-to-tip distance
inline constexpr double heart_curve_area = 3.66197272581827;

[[nodiscard]] inline std::string sprite_sentence(std::string_view where, std::string_view what) {
    return "latentwalk::data::" + std::string(where) + ": " + std::string(what);
}

inline void require_grid_index(std::string_view where, std::string_view name, std::size_t value, std::size_t size) {
    if (value >= size) {
        throw invalid_argument_error(sprite_sentence(where, std::string(name) + " is " + std::to_string(value) +
                                                                 " but the grid has " + std::to_string(size) +
                                                                 " values of it (indices 0.." + std::to_string(size - 1) + ")."));
    }
}

inline void validate_sprite_options(std::string_view where, const sprite_options& o) {
    if (o.resolution == 0 || o.resolution > 4096) {
        throw invalid_argument_error(sprite_sentence(where, "options.resolution is " + std::to_string(o.resolution) +
                                                                 "; it must be 1..4096 pixels (64 is dSprites', 32 the small option)."));
    }
    if (o.anti_aliased && (o.supersampling == 0 || o.supersampling > 64)) {
        throw invalid_argument_error(sprite_sentence(where, "options.supersampling is " + std::to_string(o.supersampling) +
                                                                 "; it must be 1..64 samples per pixel side."));
    }
}

inline void validate_sprite_factors(std::string_view where, std::size_t i, const sprite_factors& f) {
    const std::string which = "factors[" + std::to_string(i) + "]";
    const int shape = static_cast<int>(f.shape);
    if (shape < 0 || shape > 2) {
        throw invalid_argument_error(sprite_sentence(where, which + ".shape is " + std::to_string(shape) +
                                                                 "; it must be square (0), ellipse (1) or heart (2)."));
    }
    const double values[] = {f.scale, f.orientation, f.x, f.y};
    const char* names[] = {"scale", "orientation", "x", "y"};
    for (int k = 0; k < 4; ++k) {
        if (!std::isfinite(values[k])) {
            throw numerical_error(sprite_sentence(where, which + "." + names[k] + " is " + std::to_string(values[k]) +
                                                          "; sprite factors must be finite."));
        }
    }
    if (!(f.scale > 0.0)) {
        throw invalid_argument_error(sprite_sentence(where, which + ".scale is " + std::to_string(f.scale) +
                                                                 "; it must be positive (the grid's scales are 0.5..1)."));
    }
}

/// Whether the point (p, q) of the shape's own frame is inside the unit-size shape.
[[nodiscard]] inline bool inside_sprite_shape(sprite_shape shape, double p, double q) {
    switch (shape) {
        case sprite_shape::square: {
            constexpr double h = 0.70710678118654752440;  // 1/√2
            return std::abs(p) <= h && std::abs(q) <= h;
        }
        case sprite_shape::ellipse: return p * p + 4.0 * q * q <= 1.0;
        case sprite_shape::heart: {
            const double X = heart_rho * p;
            const double Y = heart_rho * q + heart_centroid;
            const double r = X * X + Y * Y - 1.0;
            return r * r * r - X * X * Y * Y * Y <= 0.0;
        }
    }
    return false;
}

/// Draws one sprite into an N×N float buffer (overwritten).
inline void draw_sprite(const sprite_factors& f, const sprite_options& o, float* out) {
    const std::size_t n = o.resolution;
    const double N = static_cast<double>(n);
    for (std::size_t k = 0; k < n * n; ++k) out[k] = 0.0F;
    // Centre and radius in pixel units (pixel (i, j) spans [j, j + 1] × [i, i + 1]).
    const double cu = N * (sprite_radius + (1.0 - 2.0 * sprite_radius) * f.x);
    const double cv = N * (sprite_radius + (1.0 - 2.0 * sprite_radius) * f.y);
    const double radius = N * sprite_radius * f.scale;
    const double c = std::cos(f.orientation), s = std::sin(f.orientation);
    const double inv = 1.0 / radius;
    auto span = [&](double centre) {  // pixels that meet [centre − radius, centre + radius]
        const double lo = std::floor(centre - radius) - 1.0, hi = std::ceil(centre + radius) + 1.0;
        const long long a = static_cast<long long>(std::max(0.0, lo));
        const long long b = static_cast<long long>(std::min(N, std::max(0.0, hi)));
        return std::array<long long, 2>{a, b};
    };
    const auto cols = span(cu), rows = span(cv);
    // (u, v) → shape frame: d = ((u − cu), −(v − cv)) / radius (screen up), then rotate by −θ.
    auto inside = [&](double u, double v) {
        const double du = (u - cu) * inv, dv = -(v - cv) * inv;
        return inside_sprite_shape(f.shape, c * du + s * dv, -s * du + c * dv);
    };
    const std::size_t m = o.anti_aliased ? o.supersampling : 1;
    const double step = 1.0 / static_cast<double>(m);
    const float weight = 1.0F / static_cast<float>(m * m);
    for (long long i = rows[0]; i < rows[1]; ++i) {
        for (long long j = cols[0]; j < cols[1]; ++j) {
            std::size_t hits = 0;
            for (std::size_t a = 0; a < m; ++a) {
                const double v = static_cast<double>(i) + (static_cast<double>(a) + 0.5) * step;
                for (std::size_t b = 0; b < m; ++b) {
                    const double u = static_cast<double>(j) + (static_cast<double>(b) + 0.5) * step;
                    hits += inside(u, v) ? 1 : 0;
                }
            }
            out[static_cast<std::size_t>(i) * n + static_cast<std::size_t>(j)] = static_cast<float>(hits) * weight;
        }
    }
}

[[nodiscard]] inline image_set empty_sprite_set(std::size_t count, const sprite_options& o) {
    image_set set;
    set.name = "sprites";
    set.count = count;
    set.channels = 1;
    set.height = o.resolution;
    set.width = o.resolution;
    set.factor_names = {"shape", "scale", "orientation", "x", "y"};
    set.pixels.resize(count * o.resolution * o.resolution);
    set.factors.resize(count * 5);
    return set;
}

inline void store_sprite(image_set& set, std::size_t i, const sprite_factors& f, const sprite_options& o) {
    draw_sprite(f, o, set.pixels.data() + i * set.image_size());
    double* row = set.factors.data() + i * 5;
    row[0] = static_cast<double>(static_cast<int>(f.shape));
    row[1] = f.scale;
    row[2] = f.orientation;
    row[3] = f.x;
    row[4] = f.y;
}

}  // namespace detail

/// The grid's value of each factor: scale(i) = 0.5 + i/10, orientation(i) = 2π·i/39, position(i) = i/31.
[[nodiscard]] inline double sprite_grid_scale(std::size_t i) {
    detail::require_grid_index("sprite_grid_scale", "i", i, 6);
    return 0.5 + 0.5 * static_cast<double>(i) / 5.0;
}
[[nodiscard]] inline double sprite_grid_orientation(std::size_t i) {
    detail::require_grid_index("sprite_grid_orientation", "i", i, 40);
    return 2.0 * std::numbers::pi * static_cast<double>(i) / 39.0;
}
[[nodiscard]] inline double sprite_grid_position(std::size_t i) {
    detail::require_grid_index("sprite_grid_position", "i", i, 32);
    return static_cast<double>(i) / 31.0;
}

/// The grid index of factor indices (y fastest).
[[nodiscard]] inline std::size_t sprite_grid_index(const sprite_grid_indices& k) {
    constexpr std::string_view where = "sprite_grid_index";
    detail::require_grid_index(where, "indices.shape", k.shape, 3);
    detail::require_grid_index(where, "indices.scale", k.scale, 6);
    detail::require_grid_index(where, "indices.orientation", k.orientation, 40);
    detail::require_grid_index(where, "indices.x", k.x, 32);
    detail::require_grid_index(where, "indices.y", k.y, 32);
    return (((k.shape * 6 + k.scale) * 40 + k.orientation) * 32 + k.x) * 32 + k.y;
}

/// The factor indices of a grid index.
[[nodiscard]] inline sprite_grid_indices sprite_grid_indices_of(std::size_t index) {
    detail::require_grid_index("sprite_grid_indices_of", "index", index, sprite_grid_size);
    sprite_grid_indices k;
    k.y = index % 32;
    index /= 32;
    k.x = index % 32;
    index /= 32;
    k.orientation = index % 40;
    index /= 40;
    k.scale = index % 6;
    k.shape = index / 6;
    return k;
}

/// The factor values of a grid index.
[[nodiscard]] inline sprite_factors sprite_grid_factors(std::size_t index) {
    const sprite_grid_indices k = sprite_grid_indices_of(index);
    return {static_cast<sprite_shape>(k.shape), sprite_grid_scale(k.scale), sprite_grid_orientation(k.orientation),
            sprite_grid_position(k.x), sprite_grid_position(k.y)};
}

/// One image per entry of `factors`, with those factors as labels.
[[nodiscard]] inline image_set render_sprites(std::span<const sprite_factors> factors, const sprite_options& options = {}) {
    detail::validate_sprite_options("render_sprites", options);
    for (std::size_t i = 0; i < factors.size(); ++i) detail::validate_sprite_factors("render_sprites", i, factors[i]);
    image_set set = detail::empty_sprite_set(factors.size(), options);
    for (std::size_t i = 0; i < factors.size(); ++i) detail::store_sprite(set, i, factors[i], options);
    return set;
}
[[nodiscard]] inline image_set render_sprites(std::initializer_list<sprite_factors> factors, const sprite_options& options = {}) {
    return render_sprites(std::span<const sprite_factors>(factors.begin(), factors.size()), options);
}

/// Grid images first, first + 1, …, first + count − 1 (all 737 280 by default: 12 GB at 64×64).
[[nodiscard]] inline image_set render_sprite_grid(std::size_t first = 0, std::size_t count = sprite_grid_size,
                                                  const sprite_options& options = {}) {
    detail::validate_sprite_options("render_sprite_grid", options);
    if (first > sprite_grid_size || count > sprite_grid_size - first) {
        throw invalid_argument_error(detail::sprite_sentence(
            "render_sprite_grid", "the range first = " + std::to_string(first) + ", count = " + std::to_string(count) +
                                      " runs past the grid's " + std::to_string(sprite_grid_size) + " images."));
    }
    image_set set = detail::empty_sprite_set(count, options);
    set.name = "sprites/grid";
    for (std::size_t i = 0; i < count; ++i) detail::store_sprite(set, i, sprite_grid_factors(first + i), options);
    return set;
}

/// The grid images at the given indices, in that order.
[[nodiscard]] inline image_set render_sprite_grid(std::span<const std::size_t> indices, const sprite_options& options = {}) {
    detail::validate_sprite_options("render_sprite_grid", options);
    for (std::size_t i = 0; i < indices.size(); ++i) {
        detail::require_grid_index("render_sprite_grid", "indices[" + std::to_string(i) + "]", indices[i], sprite_grid_size);
    }
    image_set set = detail::empty_sprite_set(indices.size(), options);
    set.name = "sprites/grid";
    for (std::size_t i = 0; i < indices.size(); ++i) detail::store_sprite(set, i, sprite_grid_factors(indices[i]), options);
    return set;
}

}  // namespace latentwalk::data
