#pragma once
// Tour section (LibTorch and cairo: LATENTWALK_TOUR_WITH_TORCH and LATENTWALK_HAVE_PLOT): the pictures of the
// trained generator, drawn from what tour_sections/trained.hpp measured (trained_data):
//   trained_spectra    picture 6 for the trained Fashion-MNIST VAE decoder against its random initialization:
//                      σᵢ of J(z) at the section's 24 codes, raw and relative to σ₁ (log scale)
//   trained_warpage    picture 4 for the same pair: the geodesic distance between U_k(z) and U_k(z′) for close
//                      (‖z′ − z‖ = 0.1) and independent pairs, against k, with the Haar-random level of R^784
//   trained_traversal  picture 7: traversal image grid of the trained decoder, rows the Local Basis latent
//                      directions v₁..v₆ at z₀ = 0, columns t = −3 … 3 (latentwalk::linear_traversal), and a last
//                      row the Iterative Curve-Traversal along the first local direction (curve_traversal)
//   trained_dp_walk    DP-LaSE's picture on the same decoder: from a prior draw z₀ (seed 21) along its Local Basis
//                      directions v₁..v₃, the linear walk z₀ + tγ (eq. 1) above the density-preserving walk of
//                      standard_gaussian (eq. 2, ‖z‖ = ‖z₀‖), t = 0 … 8 in steps of 1
// Deterministic (the codes and pairs are the section's, seed 3; z₀ = 0). Cost: 7 · 7 decoder evaluations and
// one curve traversal of 2 · 3 steps, well under a second.
#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <latentwalk/density/density_preserving_walk.hpp>
#include <latentwalk/density/standard_gaussian.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/traversal/curve_traversal.hpp>

#include "../plot/figure.hpp"
#include "../plot/report.hpp"
#include "../plot/traversal_grid.hpp"
#include "trained.hpp"

namespace tour {

inline void trained_pictures(plot::picture_report& rep, const trained_data& d, std::ostream& os) {
    namespace lw = latentwalk;
    namespace lt = latentwalk::torch;
    using plot::palette::blue;
    using plot::palette::vermillion;
    auto done = [&](const std::string& stem) { os << "  " << stem << " " << rep.path(stem + ".png") << " (+ .svg)\n"; };
    rep.section("8. A trained generator: the Fashion-MNIST VAE decoder against its random initialization");
    {
        plot::figure fig(1000, 460, 1, 2);
        fig.title = "Singular spectrum of J(z): trained decoder vs its random initialization";
        fig.note = "σᵢ from batched dense tangent_basis at " + std::to_string(d.spectrum_trained.size()) +
                   " codes z ~ N(0, I₁₆) (seed 3); one line per code.";
        plot::axes& raw = fig.panel(0);
        plot::axes& rel = fig.panel(1);
        raw.title = "σᵢ";
        rel.title = "σᵢ / σ₁";
        for (plot::axes* ax : {&raw, &rel}) {
            ax->xlabel = "index i";
            ax->log_y = true;
            ax->legend_at = plot::corner::bottom_left;
        }
        raw.ylabel = "singular value";
        rel.ylabel = "relative singular value";
        auto draw = [&](const std::vector<std::vector<double>>& spectra, plot::rgb colour, const std::string& name) {
            for (std::size_t p = 0; p < spectra.size(); ++p) {
                const auto& s = spectra[p];
                std::vector<double> idx, r;
                for (std::size_t i = 0; i < s.size(); ++i) idx.push_back(static_cast<double>(i + 1)), r.push_back(s[i] / s[0]);
                const plot::style st{.colour = colour, .width = 1.3, .alpha = 0.6,
                                     .mark = p == 0 ? plot::marker::circle : plot::marker::none, .marker_size = 5};
                raw.line(idx, s, st, p == 0 ? name : "");
                rel.line(idx, r, st, p == 0 ? name : "");
            }
        };
        draw(d.spectrum_random, vermillion, "random initialization");
        draw(d.spectrum_trained, blue, "trained (600 steps)");
        rep.add(fig, "trained_spectra",
                "The same conv decoder (16 → 28 × 28) before and after 600 Adam steps on Fashion-MNIST. At initialization "
                "J(z) is small and nearly isotropic: all 16 singular values lie within a factor of about two. Training "
                "stretches the latent space by two orders of magnitude and unevenly: σ₁₆/σ₁ falls to about a tenth, so a "
                "handful of latent directions carry most of the change of the image, and the local dimension at a relative "
                "tolerance of 0.2 drops from 16 to about 10 (the text report has the numbers).");
        done("trained_spectra");
    }
    {
        plot::figure fig(620, 460);
        fig.title = "Warpage of the output basis U_k(z) in R^784";
        fig.note = "geodesic Grassmann distance, mean over " + std::to_string(d.pairs) +
                   " pairs; grey: two Haar-random k-planes of R^784.";
        plot::axes& ax = fig.panel(0);
        ax.xlabel = "subspace dimension k";
        ax.ylabel = "geodesic distance (rad)";
        ax.legend_at = plot::corner::top_left;
        std::vector<double> k(d.ks.begin(), d.ks.end());
        ax.line(k, d.haar, {.colour = plot::palette::grey, .width = 2.0, .dashed = true}, "Haar-random (fully warped)");
        ax.line(k, d.far_random, {.colour = vermillion, .width = 2.0, .mark = plot::marker::circle}, "random init: independent pairs");
        ax.line(k, d.close_random, {.colour = vermillion, .width = 2.0, .dashed = true, .mark = plot::marker::square},
                "random init: close pairs (0.1)");
        ax.line(k, d.far_trained, {.colour = blue, .width = 2.0, .mark = plot::marker::circle}, "trained: independent pairs");
        ax.line(k, d.close_trained, {.colour = blue, .width = 2.0, .dashed = true, .mark = plot::marker::square},
                "trained: close pairs (0.1)");
        double top = 0;
        for (const auto* v : {&d.haar, &d.far_random, &d.close_random, &d.far_trained, &d.close_trained})
            top = std::max(top, *std::max_element(v->begin(), v->end()));
        ax.set_ylim(0.0, 1.45 * top);  // headroom for the legend
        rep.add(fig, "trained_warpage",
                "How far the tangent space U_k(z) of the decoder's image turns between two latent codes. Training makes "
                "close codes share their tangent space better (the dashed lines fall), while independent codes keep "
                "nearly unrelated ones, below but near the Haar-random level: the trained latent space is locally "
                "consistent and globally warped, Local Basis's picture of trained generators.");
        done("trained_warpage");
    }
    {
        const auto& g = *d.trained;
        using TT = lw::backend_traits<lt::backend<double>>;
        const lt::vector<double> z0(at::zeros({g.latent_dim()}, at::kDouble));
        const auto tb = lw::tangent_basis(g, z0, 6);
        const std::vector<double> sigma = TT::to_host(tb.singular_values);
        std::vector<lt::vector<double>> dirs;
        plot::traversal_grid_options o{.height = 28, .width = 28};
        for (long long i = 0; i < 6; ++i) {
            dirs.emplace_back(TT::col(tb.latent_basis, i));
            char buf[48];
            std::snprintf(buf, sizeof buf, "v%lld (σ=%.2f)", i + 1, sigma[static_cast<std::size_t>(i)]);
            o.row_labels.emplace_back(buf);
        }
        o.title = "Local Basis traversals of the trained Fashion-MNIST decoder at z₀ = 0";
        o.scale = 3;
        const long long steps = 3;
        const double step = 1.0;
        std::vector<lw::trajectory<lt::backend<double>>> rows;
        for (const auto& v : dirs) rows.push_back(lw::linear_traversal(g, z0, v, steps, step, {.both_sides = true}));
        lw::curve_traversal_options co;
        co.both_sides = true;
        rows.push_back(lw::curve_traversal(g, z0, 0, steps, sigma[0] * step, co));  // output step σ₁: the first step matches row 1
        o.row_labels.emplace_back("ICT along u1");
        auto grid = plot::traversal_grid(g, rows, o);
        rep.add(grid, "trained_traversal",
                "Rows 1–6 walk the trained decoder's top six Local Basis directions v₁..v₆ at z₀ = 0 in unit steps from "
                "t = −3 to 3 (the middle column is g(z₀)); the last row is Iterative Curve-Traversal along the first "
                "component (output step σ₁, so its first step matches row 1), which re-derives the local basis at every step. Each direction changes the garment in its own way, and the "
                "larger σᵢ, the larger the change per unit step.");
        done("trained_traversal");
    }
    {
        const auto& g = *d.trained;
        using B = lt::backend<double>;
        using TT = lw::backend_traits<B>;
        std::mt19937_64 rng(21);
        const lt::vector<double> like(at::zeros({g.latent_dim()}, at::kDouble));
        const auto z0 = TT::random_normal(like, g.latent_dim(), rng);
        const auto tb = lw::tangent_basis(g, z0, 3);
        const lw::standard_gaussian<B> prior(g.latent_dim());
        const long long steps = 8;
        const double step = 1.0;
        std::vector<lw::trajectory<B>> rows;
        plot::traversal_grid_options o{.height = 28, .width = 28};
        const double r0 = TT::host_value(TT::norm(z0));
        std::vector<double> r_ends;
        for (long long i = 0; i < 3; ++i) {
            const auto v = TT::col(tb.latent_basis, i);
            auto line = lw::linear_traversal(g, z0, v, steps, step);
            const double r_end = TT::host_value(TT::norm(line.back()));
            rows.push_back(std::move(line));
            const auto walk = lw::density_preserving_walk(prior, z0, v, steps, step);
            lw::trajectory<B> dp;
            dp.points = walk.points;
            dp.times = walk.times;
            rows.push_back(std::move(dp));
            r_ends.push_back(r_end);
            o.row_labels.push_back("v" + std::to_string(i + 1) + " linear");
            o.row_labels.push_back("v" + std::to_string(i + 1) + " DP");
        }
        for (long long j = 0; j <= steps; ++j) o.col_labels.push_back("t=" + std::to_string(j));
        o.title = "Linear vs density-preserving walks on the trained decoder";
        o.scale = 3;
        auto grid = plot::traversal_grid(g, rows, o);
        char norms[160];
        std::snprintf(norms, sizeof norms, "‖z₀‖ = %.2f; at t = 8 the linear walks reach ‖z‖ = %.2f, %.2f, %.2f", r0,
                      r_ends[0], r_ends[1], r_ends[2]);
        rep.add(grid, "trained_dp_walk",
                "DP-LaSE's observation on latentwalk's trained decoder: from a prior draw z₀ along its top three Local "
                "Basis directions v₁..v₃, the linear walk z₀ + tγ (eq. 1, upper row of each pair) leaves the prior's shell "
                "(" + std::string(norms) + "; a draw of N(0, I₁₆) has ‖z‖ ≈ 4 ± 0.7) and its images saturate towards "
                "solid white, while the density-preserving walk (eq. 2, lower row) keeps ‖z‖ = ‖z₀‖, turns towards ±γ by "
                "arctan(t/‖z₀‖) and changes the garment less and less. The directions are Local Basis's, not learned by "
                "DP-LaSE's decorrelation objective (examples/train_dplase learns those on other generators).");
        done("trained_dp_walk");
    }
}

}  // namespace tour
