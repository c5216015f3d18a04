#pragma once
// examples/plot/pictures/geometry.hpp — the pictures of the tour's first sections, on the closed-form
// teaching generators (latentwalk::eigen::sphere_embedding, torus_embedding):
//
//   tangent_frames()     sphere and torus, shaded, with the local basis of Local Basis at a few latent
//                        points: arrows r σᵢ uᵢ (U, Σ from latentwalk::tangent_basis) and the image
//                        J(z)·B(0, r) of a small latent ball, the ellipse with those semi-axes
//   curve_vs_line()      Iterative Curve-Traversal (latentwalk::curve_traversal) vs the straight line
//                        along the first tangent direction (latentwalk::linear_traversal), on the unit
//                        sphere in an orthographic view, and each one's distance from the sphere
//
// Each returns a plot::figure (the caller writes it, as PNG and SVG); nothing is random. The sphere of
// tangent_frames is panel 0, radius 1, centred at the data origin: its silhouette is the circle of radius
// panel(0).to_device(1, 0).first − panel(0).to_device(0, 0).first pixels (the pictures test checks it).
#include <cmath>
#include <string>
#include <vector>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/sphere_embedding.hpp>
#include <latentwalk/eigen/torus_embedding.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/traversal/curve_traversal.hpp>
#include <latentwalk/traversal/linear_traversal.hpp>

#include "../figure.hpp"
#include "../projection.hpp"

namespace plot::pictures {

namespace detail {

inline point3 to_point(const Eigen::VectorXd& v) { return {v[0], v[1], v[2]}; }

inline surface sphere_surface(double R) {
    return {[R](double t, double p) { return point3{R * std::sin(t) * std::cos(p), R * std::sin(t) * std::sin(p), R * std::cos(t)}; },
            [](double t, double p) { return point3{std::sin(t) * std::cos(p), std::sin(t) * std::sin(p), std::cos(t)}; },
            0.0, pi, 0.0, 2 * pi};
}

inline surface torus_surface(double R, double r) {
    return {[R, r](double u, double v) {
                return point3{(R + r * std::cos(v)) * std::cos(u), (R + r * std::cos(v)) * std::sin(u), r * std::sin(v)};
            },
            [](double u, double v) { return point3{std::cos(v) * std::cos(u), std::cos(v) * std::sin(u), std::sin(v)}; }};
}

/// Arrows r σᵢ uᵢ and the ellipse J·B(0, r) at latent z, when its point is seen; legend labels once.
template <class G>
void draw_frame(axes& ax, const orthographic& cam, const G& g, const surface& s, const Eigen::VectorXd& z, double r,
                const std::function<double(const point3&)>& inside, bool label) {
    const Eigen::VectorXd p = g(z);
    if (!cam.visible(to_point(p), s.normal(z[0], z[1]), inside)) return;
    const auto tb = latentwalk::tangent_basis(g, z, 2);
    const Eigen::MatrixXd& U = tb.output_basis;
    const Eigen::VectorXd& sv = tb.singular_values;
    std::vector<double> ex, ey;
    for (int i = 0; i <= 96; ++i) {
        const double t = 2 * pi * i / 96;
        const Eigen::VectorXd q = p + r * (sv[0] * std::cos(t) * U.col(0) + sv[1] * std::sin(t) * U.col(1));
        const auto [x, y] = cam.project(to_point(q));
        ex.push_back(x);
        ey.push_back(y);
    }
    ax.polygon(ex, ey, palette::orange, 0.45, style{.colour = palette::orange, .width = 1.5},
               label ? "J(z)·(latent disc of radius r)" : "");
    const auto [px, py] = cam.project(to_point(p));
    for (int i = 0; i < 2; ++i) {
        const auto [qx, qy] = cam.project(to_point(p + r * sv[i] * U.col(i)));
        ax.arrow(px, py, qx, qy, style{.colour = i == 0 ? palette::blue : palette::vermillion, .width = 2.5},
                 label ? (i == 0 ? "r σ₁ u₁" : "r σ₂ u₂") : "");
    }
    ax.scatter({px}, {py}, style{.colour = palette::black, .marker_size = 6});
}


}  // namespace detail

/// Picture 1: the sphere (radius 1) and the torus (R = 2, r = 0.5) with their local bases.
inline figure tangent_frames(int width = 1000, int height = 520) {
    namespace le = latentwalk::eigen;
    figure fig(width, height, 1, 2);
    fig.title = "Local Basis: the frame σᵢuᵢ of J(z) and the image of a small latent disc";
    fig.note = "U, Σ from latentwalk::tangent_basis(g, z, 2); sphere: σ = (1, sin θ); torus: σ = (R + r cos v, r). "
               "Orthographic views.";
    {
        axes& ax = fig.panel(0);
        ax.title = "sphere, radius 1, z = (θ, φ)";
        ax.show_axes = false;
        ax.equal_aspect = true;
        ax.legend_at = corner::bottom_left;
        const le::sphere_embedding<double> sphere(1.0);
        const orthographic cam(0.6, 0.45);
        const surface s = detail::sphere_surface(1.0);
        draw_surface(ax, cam, s, 48, 24);
        std::vector<double> cx, cy;
        for (int i = 0; i <= 180; ++i) cx.push_back(std::cos(2 * pi * i / 180)), cy.push_back(std::sin(2 * pi * i / 180));
        ax.line(cx, cy, style{.colour = palette::black, .width = 2.0});  // the silhouette, radius 1
        const auto inside = [](const point3& q) { return orthographic::dot(q, q) - 1.0; };
        bool first = true;
        for (auto [t, p] : {std::pair{0.45, 0.6}, std::pair{0.95, 0.0}, std::pair{1.0, 1.25}, std::pair{1.55, 0.5}}) {
            detail::draw_frame(ax, cam, sphere, s, (Eigen::VectorXd(2) << t, p).finished(), 0.25, inside, first);
            first = false;
        }
        ax.set_xlim(-1.15, 1.15);
        ax.set_ylim(-1.2, 1.2);
    }
    {
        axes& ax = fig.panel(1);
        ax.title = "torus, R = 2, r = 0.5, z = (u, v)";
        ax.show_axes = false;
        ax.equal_aspect = true;
        const le::torus_embedding<double> torus(2.0, 0.5);
        const orthographic cam(0.6, 0.8);
        const surface s = detail::torus_surface(2.0, 0.5);
        draw_surface(ax, cam, s, 72, 24);
        const auto inside = [](const point3& q) {
            const double a = std::hypot(q[0], q[1]) - 2.0;
            return a * a + q[2] * q[2] - 0.25;
        };
        for (auto [u, v] : {std::pair{0.6, 0.0}, std::pair{-0.5, 0.9}, std::pair{1.7, 1.57}, std::pair{0.6 + pi, 1.9},
                            std::pair{0.6 + pi, 0.5}})
            detail::draw_frame(ax, cam, torus, s, (Eigen::VectorXd(2) << u, v).finished(), 0.3, inside, false);
    }
    return fig;
}

/// Picture 2: curve traversal vs the straight line on the unit sphere, 40 steps of 0.05 from (0.9, 0.4).
inline figure curve_vs_line(int width = 1000, int height = 480) {
    namespace lw = latentwalk;
    namespace le = latentwalk::eigen;
    using B = le::backend<double>;
    const le::sphere_embedding<double> sphere(1.0);
    const Eigen::VectorXd z0 = (Eigen::VectorXd(2) << 0.9, 0.4).finished();
    const long long N = 40;
    const double eps = 0.05;
    lw::curve_traversal_options co;
    co.both_sides = false;
    const auto curve = lw::curve_traversal(sphere, z0, 0, N, eps, co);
    const Eigen::VectorXd u0 = lw::tangent_basis(sphere, z0, 1).output_basis.col(0);
    const auto line = lw::linear_traversal<B>(sphere(z0), u0, N, eps);

    figure fig(width, height, 1, 2);
    fig.title = "Curve traversal stays on the manifold; the straight line leaves it";
    fig.note = "Unit sphere, start (θ, φ) = (0.9, 0.4), 40 steps of ε = 0.05 along the first local direction; "
               "markers every 10 steps.";
    {
        axes& ax = fig.panel(0);
        ax.title = "orthographic view";
        ax.show_axes = false;
        ax.equal_aspect = true;
        ax.legend_at = corner::bottom_left;
        const orthographic cam(0.4 + 0.8, -0.15);  // the meridian φ = 0.4 seen from its front side
        draw_surface(ax, cam, detail::sphere_surface(1.0), 48, 24);
        std::vector<double> cx, cy;
        for (int i = 0; i <= 180; ++i) cx.push_back(std::cos(2 * pi * i / 180)), cy.push_back(std::sin(2 * pi * i / 180));
        ax.line(cx, cy, style{.colour = palette::black, .width = 1.5});
        std::vector<point3> cp, lp;
        std::vector<bool> cshow, lshow;
        for (const auto& w : curve.outputs) cp.push_back(detail::to_point(w)), cshow.push_back(cam.depth(cp.back()) > 0);
        for (const auto& w : line.points) {
            lp.push_back(detail::to_point(w));
            const auto [x, y] = cam.project(lp.back());
            lshow.push_back(cam.depth(lp.back()) > 0 || std::hypot(x, y) > 1.0);  // hidden only behind the sphere
        }
        std::vector<double> xs, ys;
        project_polyline(cam, cp, cshow, xs, ys);
        ax.line(xs, ys, style{.colour = palette::blue, .width = 3.0}, "curve traversal");
        std::vector<double> mx, my;
        for (std::size_t i = 0; i < xs.size(); i += 10) mx.push_back(xs[i]), my.push_back(ys[i]);
        ax.scatter(mx, my, style{.colour = palette::blue, .mark = marker::circle, .marker_size = 9});
        project_polyline(cam, lp, lshow, xs, ys);
        ax.line(xs, ys, style{.colour = palette::vermillion, .width = 3.0, .dashed = true}, "straight line in R³");
        mx.clear(), my.clear();
        for (std::size_t i = 0; i < xs.size(); i += 10) mx.push_back(xs[i]), my.push_back(ys[i]);
        ax.scatter(mx, my, style{.colour = palette::vermillion, .mark = marker::square, .marker_size = 9});
    }
    {
        axes& ax = fig.panel(1);
        ax.title = "distance from the sphere";
        ax.xlabel = "step";
        ax.ylabel = "| ‖w‖ − 1 |";
        ax.legend_at = corner::top_left;
        std::vector<double> k, dc, dl, theory;
        double worst = 0;
        for (long long i = 0; i <= N; ++i) {
            k.push_back(static_cast<double>(i));
            dc.push_back(std::abs(curve.outputs[static_cast<std::size_t>(i)].norm() - 1.0));
            worst = std::max(worst, dc.back());
            dl.push_back(std::abs(line.points[static_cast<std::size_t>(i)].norm() - 1.0));
            theory.push_back(std::sqrt(1.0 + std::pow(i * eps, 2)) - 1.0);
        }
        ax.line(k, dl, style{.colour = palette::vermillion, .width = 3.0, .mark = marker::square, .marker_size = 6},
                "straight line");
        ax.line(k, theory, style{.colour = palette::black, .width = 1.2, .dashed = true}, "√(1 + (kε)²) − 1");
        ax.line(k, dc, style{.colour = palette::blue, .width = 3.0, .mark = marker::circle, .marker_size = 6},
                "curve traversal (max " + short_number(worst) + ")");
    }
    return fig;
}

}  // namespace plot::pictures
