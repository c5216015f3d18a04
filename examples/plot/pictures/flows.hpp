#pragma once
// examples/plot/pictures/flows.hpp — potential flows in the plane (picture 3 of the tour):
//
//   flows()   left: a landscape of four RBF bumps, u(z) = Σ αᵢ exp(−γ‖z − cᵢ‖²) (latentwalk::rbf_dipole_potential),
//             as contours over a light colour map, with the gradient-ascent flow dz/dt = ∇u from six starts,
//             integrated by latentwalk::potential_flow twice: unit-step Euler (Song et al.'s rule
//             z ← z + ∇u, t = 0, 1, ..., 10) and adaptive dopri5 (rtol 1e-8, dense output) over the same
//             interval; where the steps are long the Euler polygon cuts corners and overshoots the ridges.
//             right: WarpedGANSpace's RBF dipole (poles ±1.5 e₁, γ = 0.5) with its unit gradient field
//             (arrows) and the constant-speed flows (normalize_gradient, Euler, step 0.1) from five starts next to the negative pole.
//
// Deterministic: no randomness. Cost: about 700 potential evaluations and 2 × 161 × 161 for the fields.
#include <cmath>
#include <string>
#include <vector>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/potentials/rbf_dipole_potential.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include "../contour.hpp"
#include "../figure.hpp"

namespace plot::pictures {

/// The four-bump landscape of flows() (exposed for tests and for readers who want to reuse it).
inline latentwalk::rbf_dipole_potential<latentwalk::eigen::backend<double>> four_bump_landscape() {
    Eigen::MatrixXd C(2, 4);
    C << -1.2, 1.3, 0.2, 0.0,  //
        0.8, 1.0, -1.2, 0.2;
    return {C, {1.5, 1.0, 1.2, -0.8}, 0.6};
}

/// Picture 3: potential landscapes and their flows.
inline figure flows(int width = 1000, int height = 500) {
    namespace lw = latentwalk;
    using B = latentwalk::eigen::backend<double>;
    using Vec = Eigen::VectorXd;
    figure fig(width, height, 1, 2);
    fig.title = "Traversals as potential flows: dz/dt = ∇u(z)";
    fig.note = "Left: Euler with unit steps (the potential-flow paper's rule) vs dopri5 on the same interval t ∈ [0, 10]. "
               "Right: unit-speed flow of an RBF dipole.";
    auto value_of = [](const auto& u) {
        return [&u](double x, double y) { return u.value((Vec(2) << x, y).finished(), 0.0); };
    };
    {
        axes& ax = fig.panel(0);
        ax.title = "four RBF bumps: Euler (ε = 1) vs dopri5";
        ax.xlabel = "z₁";
        ax.ylabel = "z₂";
        ax.equal_aspect = true;
        ax.legend_at = corner::bottom_left;
        const auto u = four_bump_landscape();
        const auto field = scalar_grid::sample(value_of(u), -3, 3, 161, -3, 3, 161);
        const auto [lo, hi] = field.range();
        ax.heatmap(field, lo, hi);
        ax.contour(field, contour_levels(field, 12), style{.width = 1.1});
        lw::potential_flow_options<B> euler, exact;
        euler.ode.method = lw::ode_method::euler;
        euler.ode.steps = 10;
        euler.ode.t1 = 10.0;
        exact.ode.method = lw::ode_method::dopri5;
        exact.ode.t1 = 10.0;
        bool first = true;
        for (auto [x, y] : {std::pair{-0.3, -0.4}, std::pair{0.4, 0.5}, std::pair{-1.0, -0.3}, std::pair{0.9, -0.3},
                            std::pair{-0.2, 1.1}, std::pair{2.4, -1.6}}) {
            const Vec z0 = (Vec(2) << x, y).finished();
            const auto e = lw::potential_flow(u, z0, euler);
            const auto d = lw::potential_flow(u, z0, exact);
            std::vector<double> ex, ey, dx, dy;
            for (const auto& p : e.path.points) ex.push_back(p[0]), ey.push_back(p[1]);
            for (int i = 0; i <= 200; ++i) {
                const Vec p = d.at(10.0 * i / 200);
                dx.push_back(p[0]), dy.push_back(p[1]);
            }
            ax.line(dx, dy, style{.colour = palette::blue, .width = 2.5}, first ? "dopri5" : "");
            ax.line(ex, ey, style{.colour = palette::vermillion, .width = 1.8, .mark = marker::square, .marker_size = 6},
                    first ? "Euler, ε = 1 (paper's rule)" : "");
            ax.scatter({x}, {y}, style{.colour = palette::black, .mark = marker::circle, .marker_size = 8},
                       first ? "start" : "");
            first = false;
        }
        ax.set_xlim(-3, 3);
        ax.set_ylim(-3, 3);
    }
    {
        axes& ax = fig.panel(1);
        ax.title = "RBF dipole warp (poles ±1.5 e₁, γ = 0.5)";
        ax.xlabel = "z₁";
        ax.ylabel = "z₂";
        ax.equal_aspect = true;
        ax.legend_at = corner::bottom_left;
        const auto warp = lw::rbf_dipole_potential<B>::dipoles(Eigen::MatrixXd(Vec::Unit(2, 0)), 1.5, 0.5);
        const auto field = scalar_grid::sample(value_of(warp), -3, 3, 161, -3, 3, 161);
        const auto [lo, hi] = field.range();
        ax.heatmap(field, lo, hi);
        ax.contour(field, contour_levels(field, 10), style{.width = 1.1});
        for (int i = 0; i < 13; ++i)
            for (int j = 0; j < 13; ++j) {
                const Vec z = (Vec(2) << -2.7 + 0.45 * i, -2.7 + 0.45 * j).finished();
                const Vec g = warp.gradient(z, 0.0);
                if (!(g.norm() > 1e-12)) continue;
                const Vec a = z + 0.3 * g.normalized();
                ax.arrow(z[0], z[1], a[0], a[1], style{.colour = {0.35, 0.35, 0.35}, .width = 1.0},
                         i == 0 && j == 0 ? "∇u/‖∇u‖" : "");
            }
        lw::potential_flow_options<B> o;
        o.ode.method = lw::ode_method::euler;
        o.ode.steps = 26;
        o.ode.t1 = 2.6;
        o.normalize_gradient = true;
        bool first = true;
        for (double a : {-1.4, -0.7, 0.0, 0.7, 1.4}) {  // starts on the right half of a circle around the − pole
            const Vec z0 = (Vec(2) << -1.5 + 0.4 * std::cos(a), 0.4 * std::sin(a) + 0.02).finished();
            const auto sol = lw::potential_flow(warp, z0, o);
            std::vector<double> xs, ys;
            for (const auto& p : sol.path.points) xs.push_back(p[0]), ys.push_back(p[1]);
            ax.line(xs, ys, style{.colour = palette::vermillion, .width = 2.5}, first ? "unit-speed flow, 26 × 0.1" : "");
            ax.scatter({xs.front()}, {ys.front()}, style{.colour = palette::black, .marker_size = 8});
            ax.arrow(xs[xs.size() - 2], ys[ys.size() - 2], xs.back(), ys.back(),
                     style{.colour = palette::vermillion, .width = 2.5});
            first = false;
        }
        ax.set_xlim(-3, 3);
        ax.set_ylim(-3, 3);
    }
    return fig;
}

}  // namespace plot::pictures
