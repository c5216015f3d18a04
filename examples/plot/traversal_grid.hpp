#pragma once
// examples/plot/traversal_grid.hpp — traversal image grids (picture 7 of the tour): rows are directions (or
// traversals), columns are steps, each cell the generator's output at that latent point shown as an image.
//
//     plot::traversal_grid_options o{.height = 28, .width = 28};      // the output is a 28 × 28 grey image
//     o.row_labels = {"v1", "v2", "v3"};
//     auto grid = plot::traversal_grid(g, z0, directions, 4, 0.5, o);  // linear, −4..4 steps of 0.5
//     grid.write("traversal.png");
//     auto grid2 = plot::traversal_grid(g, {curve_traversal(g, z0, 0, 4, 0.5), ...}, o);  // any trajectories
//
// The first form walks latentwalk::linear_traversal(g, z0, d, steps, step, {.both_sides = true}) along each
// direction (normalized), so the middle column is g(z0) in every row and column j is t = (j − steps)·step.
// The second takes trajectories of any traversal (curve_traversal, potential_flow's path,
// density_preserving_walk's points wrapped in a trajectory): their recorded outputs when present, g(z) of
// their points otherwise; a row shorter than the longest leaves its last cells blank.
//
// Pixels: output value v is shown as (v − lo)/(hi − lo), clamped to [0, 1] (options.lo, hi; auto_range uses
// the smallest and largest value over all cells instead). The output is channels × height × width, row-major
// (channel planes first), as image_grid expects. Works on every backend (T::to_host copies each output).
// Errors: latentwalk::plot_error when output_dim ≠ channels · height · width, there are no rows, or the labels
// are more than the rows; the traversal functions' own errors pass through.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <latentwalk/concepts/generator.hpp>
#include <latentwalk/traversal/linear_traversal.hpp>
#include <latentwalk/traversal/trajectory.hpp>

#include "image_grid.hpp"

namespace plot {

struct traversal_grid_options {
    std::size_t height = 0, width = 0;  ///< image size; output_dim must be channels · height · width
    std::size_t channels = 1;            ///< 1 (grey) or 3 (RGB planes)
    double lo = 0.0, hi = 1.0;           ///< the output values shown as black and white
    bool auto_range = false;             ///< use the min and max over all cells instead of lo, hi
    std::vector<std::string> row_labels{}; ///< one per row (optional)
    std::vector<std::string> col_labels{}; ///< one per column (optional; the linear form labels t when empty)
    std::string title{};
    int scale = 4;                       ///< device pixels per image pixel
};

/// Rows: the given trajectories; columns: their points (see the header comment).
template <latentwalk::Generator G>
image_grid traversal_grid(const G& g, const std::vector<latentwalk::trajectory<typename G::backend>>& rows,
                          const traversal_grid_options& o) {
    using T = latentwalk::backend_traits<typename G::backend>;
    const char* where = "plot::traversal_grid";
    if (rows.empty()) throw latentwalk::plot_error(std::string(where) + ": there are no traversals to draw.");
    const std::size_t size = o.channels * o.height * o.width;
    if (size == 0 || static_cast<std::size_t>(g.output_dim()) != size)
        throw latentwalk::plot_error(std::string(where) + ": the generator's output has " + std::to_string(g.output_dim()) +
                                     " values but the images are " + std::to_string(o.channels) + " × " +
                                     std::to_string(o.height) + " × " + std::to_string(o.width) +
                                     " (options.channels, height, width).");
    if (o.row_labels.size() > rows.size())
        throw latentwalk::plot_error(std::string(where) + ": there are " + std::to_string(o.row_labels.size()) +
                                     " row labels for " + std::to_string(rows.size()) + " rows.");
    if (!(o.hi > o.lo) && !o.auto_range)
        throw latentwalk::plot_error(std::string(where) + ": options.hi must exceed options.lo.");
    std::vector<std::vector<std::vector<double>>> cells(rows.size());
    std::size_t cols = 0;
    double vmin = INFINITY, vmax = -INFINITY;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        const auto& path = rows[r];
        cols = std::max(cols, path.size());
        for (std::size_t j = 0; j < path.size(); ++j) {
            std::vector<double> v = T::to_host(path.outputs.size() == path.size() ? path.outputs[j] : g(path.points[j]));
            if (v.size() != size)
                throw latentwalk::plot_error(std::string(where) + ": a recorded output of row " + std::to_string(r) +
                                             " has " + std::to_string(v.size()) + " values, not " + std::to_string(size) + ".");
            for (double x : v)
                if (std::isfinite(x)) vmin = std::min(vmin, x), vmax = std::max(vmax, x);
            cells[r].push_back(std::move(v));
        }
    }
    double lo = o.lo, hi = o.hi;
    if (o.auto_range) {
        lo = vmin, hi = vmax;
        if (!(hi > lo)) hi = lo + 1.0;
    }
    image_grid grid(rows.size(), cols, o.height, o.width, o.channels);
    grid.scale = o.scale;
    grid.title = o.title;
    grid.row_labels = o.row_labels;
    grid.col_labels = o.col_labels;
    std::vector<float> px(size);
    for (std::size_t r = 0; r < cells.size(); ++r)
        for (std::size_t c = 0; c < cells[r].size(); ++c) {
            for (std::size_t i = 0; i < size; ++i)
                px[i] = static_cast<float>(std::clamp((cells[r][c][i] - lo) / (hi - lo), 0.0, 1.0));
            grid.set(r, c, px);
        }
    return grid;
}

/// Rows: linear traversals along each direction through z0, columns t = −steps·step .. steps·step.
template <latentwalk::Generator G>
image_grid traversal_grid(const G& g, const latentwalk::vector_t<typename G::backend>& z0,
                          const std::vector<latentwalk::vector_t<typename G::backend>>& directions, long long steps,
                          double step, traversal_grid_options o) {
    std::vector<latentwalk::trajectory<typename G::backend>> rows;
    for (const auto& d : directions) rows.push_back(latentwalk::linear_traversal(g, z0, d, steps, step, {.both_sides = true}));
    if (o.col_labels.empty())
        for (long long j = -steps; j <= steps; ++j) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%+.2g", static_cast<double>(j) * step);
            o.col_labels.push_back(j == 0 ? "0" : buf);
        }
    return traversal_grid(g, rows, o);
}

}  // namespace plot
