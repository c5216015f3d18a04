#pragma once
// examples/plot/pictures/density.hpp — the χ_d shell of the Gaussian prior (picture 5 of the tour):
//
//   chi_shell(d)   left: the histogram of ‖z‖ for 10 000 draws of N(0, I_d) (latentwalk::standard_gaussian::sample)
//                  with the exact χ_d density exp(log_pdf(r)) of latentwalk::eigen::chi_statistics on top;
//                  right: ‖z‖ along the linear walk z₀ + tγ and along DP-LaSE's density-preserving walk
//                  (latentwalk::density_preserving_walk) for t ∈ [0, 30], over the shell's central 99 %
//                  (the band between the χ_d quantiles 0.005 and 0.995).
//
// Needs Boost.Math (chi_statistics); callers test LATENTWALK_PLOT_HAVE_CHI. Deterministic: std::mt19937_64(2021).
// Cost: 10 000 · d normal draws (d = 512: about 0.1 s).
#if __has_include(<boost/math/special_functions/gamma.hpp>)
#define LATENTWALK_PLOT_HAVE_CHI 1
#include <cmath>
#include <random>
#include <vector>

#include <latentwalk/density/density_preserving_walk.hpp>
#include <latentwalk/density/standard_gaussian.hpp>
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/chi_statistics.hpp>

#include "../figure.hpp"

namespace plot::pictures {

/// Picture 5: the χ_d shell and two walks through it, for N(0, I_d).
inline figure chi_shell(long long d = 512, int draws = 10000, int width = 1000, int height = 460) {
    namespace lw = latentwalk;
    using B = lw::eigen::backend<double>;
    const lw::standard_gaussian<B> prior(d);
    const lw::eigen::chi_statistics chi(d);
    std::mt19937_64 rng(2021);
    std::vector<double> norms;
    norms.reserve(static_cast<std::size_t>(draws));
    const Eigen::VectorXd like(d);
    for (int i = 0; i < draws; ++i) norms.push_back(prior.sample(rng, like).norm());

    figure fig(width, height, 1, 2);
    fig.title = "The Gaussian prior lives on a thin shell: ‖z‖ ~ χ" + subscript(d);
    fig.note = "d = " + std::to_string(d) + ": E‖z‖ = " + short_number(chi.mean(), 5) + ", sd = " +
               short_number(chi.standard_deviation(), 3) + " (latentwalk::eigen::chi_statistics); " +
               std::to_string(draws) + " draws, seed 2021.";
    {
        axes& ax = fig.panel(0);
        ax.title = "‖z‖ for z ~ N(0, I" + subscript(d) + ")";
        ax.xlabel = "‖z‖";
        ax.ylabel = "density";
        const double lo = chi.mean() - 5 * chi.standard_deviation(), hi = chi.mean() + 5 * chi.standard_deviation();
        ax.histogram(norms, 40, lo, hi, true, palette::sky_blue, 0.6, "histogram of the draws");
        std::vector<double> r, f;
        for (int i = 0; i <= 200; ++i) {
            r.push_back(lo + (hi - lo) * i / 200);
            f.push_back(std::exp(chi.log_pdf(r.back())));
        }
        ax.line(r, f, style{.colour = palette::vermillion, .width = 2.5}, "exact χ density");
        ax.vline(std::sqrt(static_cast<double>(d)), style{.colour = palette::black, .width = 1.2, .dashed = true}, "√d");
    }
    {
        axes& ax = fig.panel(1);
        ax.title = "‖z‖ along two walks from the same z₀";
        ax.xlabel = "t (step along the unit direction γ)";
        ax.ylabel = "‖z‖";
        ax.legend_at = corner::top_left;
        const Eigen::VectorXd z0 = prior.sample(rng, like);
        Eigen::VectorXd gamma = prior.sample(rng, like);
        gamma.normalize();
        const long long steps = 60;
        const auto walk = lw::density_preserving_walk(prior, z0, gamma, steps, 0.5);
        std::vector<double> t, lin, dp, blo, bhi;
        for (std::size_t j = 0; j < walk.points.size(); ++j) {
            t.push_back(walk.times[j]);
            lin.push_back((z0 + walk.times[j] * gamma).norm());
            dp.push_back(walk.points[j].norm());
            blo.push_back(chi.quantile(0.005));
            bhi.push_back(chi.quantile(0.995));
        }
        ax.band(t, blo, bhi, palette::grey, 0.3, "99 % of the prior's mass");
        ax.line(t, lin, style{.colour = palette::vermillion, .width = 2.5, .dashed = true}, "linear walk z₀ + tγ");
        ax.line(t, dp, style{.colour = palette::blue, .width = 2.5}, "density-preserving walk");
    }
    return fig;
}

}  // namespace plot::pictures
#endif
