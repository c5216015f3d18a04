#pragma once
// examples/plot/contour.hpp — a scalar field sampled on a grid, and its level sets by marching squares.
//
//     auto field = plot::scalar_grid::sample([](double x, double y) { return x * x + y * y; },
//                                            -1, 1, 81, -1, 1, 81);                // 81 × 81 samples
//     auto segs  = plot::contour_segments(field, 0.25);                            // the circle r = 0.5
//     auto lv    = plot::contour_levels(field, 8);                                 // 8 levels inside the range
//
// Method: every grid cell's four corners are classified above/below the level (16 cases); each edge
// crossed is cut at the linearly interpolated zero of f − level, and the cut points are joined by a
// segment (two segments in the saddle cases, disambiguated by the mean of the four corners, the usual
// "asymptotic-free" rule). Cost O(nx·ny) per level. A smooth level set is recovered with an error of
// O(h²) in the cell size h (linear interpolation along edges).
//
// Conventions: values[j·nx + i] = f(xs[i], ys[j]); xs and ys ascend strictly. A corner exactly at the level
// counts as above it, so a level equal to the field's minimum or maximum gives no segments of zero length.
// Non-finite corners skip their cell. Errors: latentwalk::plot_error for a grid smaller than 2 × 2, axes not
// ascending, a values array of the wrong size, or a non-finite level.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "image_grid.hpp"  // latentwalk::plot_error

namespace plot {

/// f sampled on the tensor grid xs × ys (row j holds y = ys[j]).
struct scalar_grid {
    std::vector<double> xs, ys;
    std::vector<double> values;  ///< values[j * xs.size() + i] = f(xs[i], ys[j])

    double at(std::size_t i, std::size_t j) const { return values[j * xs.size() + i]; }

    /// Samples f(x, y) at nx × ny equally spaced points of [x0, x1] × [y0, y1].
    template <class F>
    static scalar_grid sample(F&& f, double x0, double x1, std::size_t nx, double y0, double y1, std::size_t ny) {
        if (nx < 2 || ny < 2 || !(x1 > x0) || !(y1 > y0))
            throw latentwalk::plot_error("plot::scalar_grid::sample: the grid needs nx, ny >= 2 and x1 > x0, y1 > y0.");
        scalar_grid g;
        for (std::size_t i = 0; i < nx; ++i) g.xs.push_back(x0 + (x1 - x0) * static_cast<double>(i) / static_cast<double>(nx - 1));
        for (std::size_t j = 0; j < ny; ++j) g.ys.push_back(y0 + (y1 - y0) * static_cast<double>(j) / static_cast<double>(ny - 1));
        g.values.reserve(nx * ny);
        for (std::size_t j = 0; j < ny; ++j)
            for (std::size_t i = 0; i < nx; ++i) g.values.push_back(f(g.xs[i], g.ys[j]));
        return g;
    }

    /// Throws plot_error when the grid is not usable (see the header comment).
    void validate(const char* where) const {
        if (xs.size() < 2 || ys.size() < 2)
            throw latentwalk::plot_error(std::string(where) + ": the grid must be at least 2 × 2.");
        if (values.size() != xs.size() * ys.size())
            throw latentwalk::plot_error(std::string(where) + ": the grid has " + std::to_string(values.size()) +
                                         " values for " + std::to_string(xs.size()) + " × " + std::to_string(ys.size()) +
                                         " points.");
        for (std::size_t i = 1; i < xs.size(); ++i)
            if (!(xs[i] > xs[i - 1])) throw latentwalk::plot_error(std::string(where) + ": xs must ascend strictly.");
        for (std::size_t j = 1; j < ys.size(); ++j)
            if (!(ys[j] > ys[j - 1])) throw latentwalk::plot_error(std::string(where) + ": ys must ascend strictly.");
    }

    /// Smallest and largest finite value.
    std::pair<double, double> range() const {
        double lo = INFINITY, hi = -INFINITY;
        for (double v : values)
            if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
        return {lo, hi};
    }
};

/// One piece of a level set, in data coordinates.
struct segment {
    double x0, y0, x1, y1;
};

/// The level set {f = level} of the sampled field as segments (marching squares, see the header comment).
inline std::vector<segment> contour_segments(const scalar_grid& g, double level) {
    g.validate("plot::contour_segments");
    if (!std::isfinite(level)) throw latentwalk::plot_error("plot::contour_segments: the level must be finite.");
    std::vector<segment> out;
    const std::size_t nx = g.xs.size(), ny = g.ys.size();
    for (std::size_t j = 0; j + 1 < ny; ++j)
        for (std::size_t i = 0; i + 1 < nx; ++i) {
            // Corners counter-clockwise from the lower left: 0 (i, j), 1 (i+1, j), 2 (i+1, j+1), 3 (i, j+1).
            const double v[4] = {g.at(i, j), g.at(i + 1, j), g.at(i + 1, j + 1), g.at(i, j + 1)};
            if (!(std::isfinite(v[0]) && std::isfinite(v[1]) && std::isfinite(v[2]) && std::isfinite(v[3]))) continue;
            const double px[4] = {g.xs[i], g.xs[i + 1], g.xs[i + 1], g.xs[i]};
            const double py[4] = {g.ys[j], g.ys[j], g.ys[j + 1], g.ys[j + 1]};
            int code = 0;
            for (int c = 0; c < 4; ++c)
                if (v[c] >= level) code |= 1 << c;
            if (code == 0 || code == 15) continue;
            // Cut point on edge e (from corner e to corner e+1).
            auto cut = [&](int e, double& x, double& y) {
                const int a = e, b = (e + 1) % 4;
                const double t = (level - v[a]) / (v[b] - v[a]);
                x = px[a] + t * (px[b] - px[a]);
                y = py[a] + t * (py[b] - py[a]);
            };
            // Edges crossed: those whose two corners differ.
            int edges[4], count = 0;
            for (int e = 0; e < 4; ++e)
                if (((code >> e) & 1) != ((code >> ((e + 1) % 4)) & 1)) edges[count++] = e;
            auto add = [&](int e0, int e1) {
                segment s{};
                cut(e0, s.x0, s.y0);
                cut(e1, s.x1, s.y1);
                out.push_back(s);
            };
            if (count == 2) {
                add(edges[0], edges[1]);
            } else {  // saddle: corners 0 and 2 on one side, 1 and 3 on the other
                const bool centre_above = 0.25 * (v[0] + v[1] + v[2] + v[3]) >= level;
                const bool zero_above = (code & 1) != 0;
                if (centre_above == zero_above) {  // corners 0, 2 connected through the centre: cut off 1 and 3
                    add(0, 1);
                    add(2, 3);
                } else {  // cut off corners 0 and 2
                    add(3, 0);
                    add(1, 2);
                }
            }
        }
    return out;
}

/// `count` levels equally spaced strictly inside the field's finite range.
inline std::vector<double> contour_levels(const scalar_grid& g, int count) {
    const auto [lo, hi] = g.range();
    std::vector<double> levels;
    if (!(hi > lo) || count < 1) return levels;
    for (int i = 1; i <= count; ++i) levels.push_back(lo + (hi - lo) * i / (count + 1.0));
    return levels;
}

}  // namespace plot
