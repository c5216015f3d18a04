#pragma once
// examples/plot/pictures/traversals.hpp — traversal image grids (picture 7 of the tour) on a closed-form
// image generator, until trained generators exist:
//
//   pattern_decoder()           a linear decoder R⁴ → 8 × 8 grey images, f(z) = A z + 0.5, whose four columns are
//                               a horizontal ramp, a vertical ramp, a centred blob and a checkerboard, of
//                               decreasing norm, so that its Local Basis directions are the coordinate axes
//   decoder_traversal_grid()    rows: the Local Basis latent directions v₁..v₄ at z₀ = 0
//                               (latentwalk::tangent_basis); columns: t = −3·0.8 .. 3·0.8; each cell f(z₀ + t vᵢ)
//                               as an 8 × 8 image (plot::traversal_grid, values [0, 1] shown black to white)
//
// With a trained generator the same two calls apply: traversal_grid(g, z0, directions, steps, step, options)
// with its image shape. Deterministic; cost 4 · 7 evaluations of a 64 × 4 product.
#include <cmath>
#include <string>
#include <vector>

#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>

#include "../traversal_grid.hpp"

namespace plot::pictures {

/// The 8 × 8 pattern decoder (see the header comment); pixel (r, c) is output 8 r + c.
inline latentwalk::eigen::linear_generator<double> pattern_decoder() {
    Eigen::MatrixXd A(64, 4);
    for (int r = 0; r < 8; ++r)
        for (int c = 0; c < 8; ++c) {
            const int i = 8 * r + c;
            const double x = (c - 3.5) / 3.5, y = (r - 3.5) / 3.5;
            A(i, 0) = 0.20 * x;                                             // left → right ramp
            A(i, 1) = 0.16 * y;                                             // top → bottom ramp
            A(i, 2) = 0.30 * (std::exp(-2.0 * (x * x + y * y)) - 0.3);       // centred blob
            A(i, 3) = 0.06 * (((r + c) % 2 == 0) ? 1.0 : -1.0);             // checkerboard
        }
    return {A, Eigen::VectorXd::Constant(64, 0.5)};
}

struct decoder_grid_data {
    image_grid grid;
    Eigen::VectorXd z0;
    std::vector<Eigen::VectorXd> directions;  ///< the rows' unit latent directions
    long long steps;
    double step;
};

/// Picture 7 (closed-form stand-in): the pattern decoder's traversal grid along its Local Basis.
inline decoder_grid_data decoder_traversal_grid() {
    const auto g = pattern_decoder();
    const Eigen::VectorXd z0 = Eigen::VectorXd::Zero(4);
    const auto tb = latentwalk::tangent_basis(g, z0, 4);
    std::vector<Eigen::VectorXd> dirs;
    traversal_grid_options o{.height = 8, .width = 8};
    for (int i = 0; i < 4; ++i) {
        dirs.emplace_back(tb.latent_basis.col(i));
        char buf[48];
        std::snprintf(buf, sizeof buf, "v%d (σ=%.2f)", i + 1, tb.singular_values[i]);
        o.row_labels.emplace_back(buf);
    }
    o.title = "Local Basis traversal of an 8 × 8 linear decoder";
    o.scale = 6;
    const long long steps = 3;
    const double step = 0.8;
    auto grid = traversal_grid(g, z0, dirs, steps, step, o);
    return {std::move(grid), z0, dirs, steps, step};
}

}  // namespace plot::pictures
