#pragma once
// examples/plot/projection.hpp — orthographic views of surfaces in R³ for 2-D panels.
//
//     plot::orthographic cam(0.5, 0.35);                  // azimuth, elevation (radians)
//     auto [x, y] = cam.project(p);                       // screen coordinates of a point of R³
//     plot::draw_surface(ax, cam, surface, 48, 24, in);   // shaded mesh, back to front
//
// The camera looks at the origin from the unit direction f = (cos e cos a, cos e sin a, sin e);
// screen right is r = (−sin a, cos a, 0) and screen up u = f × r = (−sin e cos a, −sin e sin a, cos e)
// (r × u = f: a right-handed frame with f towards the viewer), so project(p) = (p·r, p·u) and depth(p) = p·f (larger is nearer). Orthographic: a sphere of radius R
// centred at 0 has the silhouette circle of radius R, whatever the view.
// draw_surface fills the quads of a parametrized surface (u, v) ↦ S(u, v) ∈ R³ over [0, 2π)² back to front
// (painter's algorithm on the quad centres' depth) with Lambert shading from a light above the viewer; it
// is exact for convex surfaces and close for a torus seen from above (quads are small). `visible(p, inside)`
// says whether a point of the surface is seen: it faces the camera and no part of the solid (`inside(x)` < 0)
// lies between it and the viewer (ray marching in steps of `step`).
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <vector>

#include "figure.hpp"

namespace plot {

using point3 = std::array<double, 3>;

struct orthographic {
    point3 f, r, u;
    orthographic(double azimuth, double elevation)
        : f{std::cos(elevation) * std::cos(azimuth), std::cos(elevation) * std::sin(azimuth), std::sin(elevation)},
          r{-std::sin(azimuth), std::cos(azimuth), 0.0},
          u{-std::sin(elevation) * std::cos(azimuth), -std::sin(elevation) * std::sin(azimuth), std::cos(elevation)} {}

    static double dot(const point3& a, const point3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
    std::pair<double, double> project(const point3& p) const { return {dot(p, r), dot(p, u)}; }
    double depth(const point3& p) const { return dot(p, f); }

    /// Whether the surface point p with outward normal n is seen (see the header comment).
    bool visible(const point3& p, const point3& n, const std::function<double(const point3&)>& inside = {},
                 double reach = 8.0, double step = 0.02) const {
        if (dot(n, f) <= 0) return false;
        if (!inside) return true;
        for (double s = 4 * step; s < reach; s += step) {
            const point3 q{p[0] + s * f[0], p[1] + s * f[1], p[2] + s * f[2]};
            if (inside(q) < 0) return false;
        }
        return true;
    }
};

/// A parametrized surface: point S(u, v) and outward unit normal N(u, v), (u, v) ∈ [u0, u1] × [v0, v1].
struct surface {
    std::function<point3(double, double)> point;
    std::function<point3(double, double)> normal;
    double u0 = 0, u1 = 2 * pi, v0 = 0, v1 = 2 * pi;
};

/// Fills nu × nv quads of the surface, back to front, shaded; `tint` is the lit colour.
inline void draw_surface(axes& ax, const orthographic& cam, const surface& s, int nu, int nv,
                         rgb tint = {0.80, 0.86, 0.92}) {
    struct quad {
        double depth;
        std::vector<double> xs, ys;
        double shade;
    };
    std::vector<quad> quads;
    const point3 light{0.35 * cam.r[0] + 0.5 * cam.u[0] + cam.f[0], 0.35 * cam.r[1] + 0.5 * cam.u[1] + cam.f[1],
                       0.35 * cam.r[2] + 0.5 * cam.u[2] + cam.f[2]};
    const double ln = std::sqrt(orthographic::dot(light, light));
    for (int i = 0; i < nu; ++i)
        for (int j = 0; j < nv; ++j) {
            const double ua = s.u0 + (s.u1 - s.u0) * i / nu, ub = s.u0 + (s.u1 - s.u0) * (i + 1) / nu;
            const double va = s.v0 + (s.v1 - s.v0) * j / nv, vb = s.v0 + (s.v1 - s.v0) * (j + 1) / nv;
            const point3 n = s.normal(0.5 * (ua + ub), 0.5 * (va + vb));
            if (orthographic::dot(n, cam.f) <= 0) continue;  // back faces are hidden by the front ones
            quad q;
            q.depth = cam.depth(s.point(0.5 * (ua + ub), 0.5 * (va + vb)));
            for (auto [a, b] : {std::pair{ua, va}, std::pair{ub, va}, std::pair{ub, vb}, std::pair{ua, vb}}) {
                const auto [x, y] = cam.project(s.point(a, b));
                q.xs.push_back(x);
                q.ys.push_back(y);
            }
            q.shade = 0.55 + 0.45 * std::max(0.0, orthographic::dot(n, light) / ln);
            quads.push_back(std::move(q));
        }
    std::sort(quads.begin(), quads.end(), [](const quad& a, const quad& b) { return a.depth < b.depth; });
    for (const auto& q : quads) {
        const rgb c{tint.r * q.shade, tint.g * q.shade, tint.b * q.shade};
        ax.polygon(q.xs, q.ys, c, 1.0, style{.colour = {c.r * 0.9, c.g * 0.9, c.b * 0.9}, .width = 0.5});
    }
}

/// The projected polyline of the points p(t_i); hidden points (visible() false) break the line (NaN).
inline void project_polyline(const orthographic& cam, const std::vector<point3>& pts, const std::vector<bool>& shown,
                             std::vector<double>& xs, std::vector<double>& ys) {
    xs.clear();
    ys.clear();
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const auto [x, y] = cam.project(pts[i]);
        const bool on = shown.empty() || shown[i];
        xs.push_back(on ? x : NAN);
        ys.push_back(on ? y : NAN);
    }
}

}  // namespace plot
