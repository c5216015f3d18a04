#pragma once
// Tour section: the pictures. Draws every picture of examples/plot/pictures/ into a folder, as PNG and SVG,
// and writes report.md there, one section per part of the tour with what a reader sees in each picture.
// Built only with cairo (LATENTWALK_HAVE_PLOT, the latentwalk_plot target); the tour calls it after the text
// sections, so the text report is unchanged.
//
// A trained generator joins pictures 4 and 6 as one more argument of warpage_curves / singular_spectra
// (warpage_of(name, g, global_directions), spectrum_of(name, g)), and picture 7 is
// plot::traversal_grid(g, z0, directions, steps, step, {.height = H, .width = W}).
#include <chrono>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/sefa_directions.hpp>

#include "plot/pictures/density.hpp"
#include "plot/pictures/flows.hpp"
#include "plot/pictures/generators.hpp"
#include "plot/pictures/geometry.hpp"
#include "plot/pictures/traversals.hpp"
#include "plot/report.hpp"

namespace tour {

/// The generators the warpage and spectrum pictures compare.
struct picture_generators {
    latentwalk::eigen::mlp_generator<double> mapping;     ///< PixelNorm + 8 leaky-ReLU layers, 32 → 32, seed 11
    latentwalk::eigen::linear_generator<double> linear;   ///< z ↦ W₁ z, the mapping's first layer
    Eigen::MatrixXd sefa;                                 ///< SeFa directions of W₁ (the global basis)
    latentwalk::eigen::mlp_generator<double> decoder;     ///< tanh MLP 32 → 64 → 64 → 256, seed 5
    latentwalk::eigen::mlp_generator<double> structured;  ///< the decoder with its first layer's σᵢ set to 2 i^−1.5

    static picture_generators make() {
        namespace le = latentwalk::eigen;
        le::mlp_generator<double>::options mo;
        mo.pixel_norm_first = true;
        auto mapping = le::mlp_generator<double>::random(std::vector<Eigen::Index>(9, 32), mo, 11);
        const Eigen::MatrixXd W1 = mapping.layers().front().weight;
        const Eigen::MatrixXd sefa = latentwalk::sefa_directions(W1, 8).directions;
        le::mlp_generator<double>::options dopt;
        dopt.hidden = le::activation::tanh;
        auto decoder = le::mlp_generator<double>::random({32, 64, 64, 256}, dopt, 5);
        auto layers = decoder.layers();
        const Eigen::MatrixXd D1 = layers.front().weight;
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(D1, Eigen::ComputeThinU | Eigen::ComputeThinV);
        Eigen::VectorXd s(svd.singularValues().size());
        for (Eigen::Index i = 0; i < s.size(); ++i) s[i] = 2.0 * std::pow(static_cast<double>(i + 1), -1.5);
        layers.front().weight = svd.matrixU() * s.asDiagonal() * svd.matrixV().transpose();
        le::mlp_generator<double> structured(layers, dopt);
        return {std::move(mapping), le::linear_generator<double>(W1), sefa, std::move(decoder), std::move(structured)};
    }
};

/// Draws the pictures into rep's folder and writes report.md; prints one line per picture to os.
inline void pictures(plot::picture_report& rep, std::ostream& os) {
    namespace pp = plot::pictures;
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    auto done = [&](const std::string& stem) {
        os << "  " << std::left << std::setw(22) << stem << std::right << " " << rep.path(stem + ".png") << " (+ .svg)\n";
    };
    os << "== Pictures ==\n\n";

    rep.section("1. Generators and their local basis");
    {
        auto fig = pp::tangent_frames();
        rep.add(fig, "tangent_frames",
                "The unit sphere and a torus (R = 2, r = 0.5) as 2-D latent generators. At each black point the arrows are "
                "r σ₁u₁ (blue) and r σ₂u₂ (vermillion) from `tangent_basis`, and the orange ellipse is the image of a latent "
                "disc of radius r under the Jacobian, whose semi-axes they are. On the sphere σ = (1, sin θ): the ellipses "
                "flatten towards the pole; on the torus σ₁ = R + r cos v is largest on the outer equator and smallest on the "
                "inner one, while σ₂ = r stays the same.");
        done("tangent_frames");
    }

    rep.section("2. Traversals: curve traversal vs the straight line");
    {
        auto fig = pp::curve_vs_line();
        rep.add(fig, "curve_vs_line",
                "Local Basis's Iterative Curve-Traversal (blue) follows the first local direction step by step and bends "
                "with the sphere; the straight line along the same starting tangent (vermillion, dashed) leaves it. The "
                "right panel is each path's distance from the sphere: the line's grows as √(1 + (kε)²) − 1 (black dashed, "
                "the exact value), the curve's stays at rounding level.");
        done("curve_vs_line");
    }

    rep.section("3. Potential flows");
    {
        auto fig = pp::flows();
        rep.add(fig, "flows",
                "Left: a landscape of four RBF bumps (contours over a light colour map, bright is high) and its gradient-ascent "
                "flow from six starts. Blue is the flow integrated accurately (dopri5); vermillion squares are the "
                "potential-flow paper's rule z ← z + ∇u with unit steps over the same time, which cuts corners and "
                "overshoots where the gradient is large. Right: WarpedGANSpace's RBF dipole, whose unit gradient (grey "
                "arrows) carries codes from the negative pole on the left to the positive pole on the right at constant speed.");
        done("flows");
    }

    const auto gens = picture_generators::make();
    rep.section("4. Warpage of the latent space");
    {
        auto fig = pp::warpage_curves({}, pp::warpage_of("linear z ↦ W₁z", gens.linear, gens.sefa),
                                      pp::warpage_of("mapping-like MLP", gens.mapping, gens.sefa));
        rep.add(fig, "warpage",
                "How far the k-dimensional local basis V_k(z) turns between two latent codes (geodesic Grassmann distance, "
                "mean ± sd over 40 pairs), against k. The linear generator is flat: random and close pairs are exactly 0, "
                "and its distance to the global SeFa directions is the same at every z (no spread) — but not 0, because "
                "SeFa normalizes the rows of W₁ before its eigendecomposition, so its directions are not W₁'s singular "
                "vectors. For the mapping-like MLP (PixelNorm + 8 leaky-ReLU layers) close pairs (ε = 0.1) stay low — the "
                "basis is locally consistent — while random pairs and the comparison with SeFa climb close to the grey "
                "band of two Haar-random subspaces: the latent space is globally warped.");
        done("warpage");
    }

    rep.section("5. The Gaussian shell and density-preserving walks");
#if defined(LATENTWALK_PLOT_HAVE_CHI)
    {
        auto fig = pp::chi_shell(512);
        rep.add(fig, "chi_shell",
                "Left: in 512 dimensions the norm of a standard normal draw is almost fixed, ‖z‖ ≈ √d ≈ 22.6 with sd ≈ 0.71; "
                "the histogram of 10 000 draws sits under the exact χ₅₁₂ density. Right: a linear walk z₀ + tγ leaves "
                "this shell (grey band, 99 % of the mass) at t ≈ 10 and reaches norms a prior draw never has; "
                "DP-LaSE's density-preserving walk keeps ‖z‖ = ‖z₀‖ exactly.");
        done("chi_shell");
    }
#else
    rep.paragraph("(The χ-shell picture needs Boost.Math for latentwalk::eigen::chi_statistics; it was not found.)");
    os << "  chi_shell              skipped: Boost.Math not found\n";
#endif

    rep.section("6. Singular spectra of the Jacobian");
    {
        auto fig = pp::singular_spectra({}, pp::spectrum_of("random tanh MLP 32 → 256", gens.decoder),
                                        pp::spectrum_of("structured (first layer σᵢ = 2 i^−1.5)", gens.structured));
        rep.add(fig, "spectra",
                "The singular values of J(z) at five latent codes per generator, raw (left) and relative to the largest "
                "(right), on a log scale. The random network spreads its stretch over many directions: its spectrum "
                "falls by a factor of about 20 over all 32. The structured one, the same network with a power-law spectrum "
                "in its first layer, decays steadily, so a few directions dominate — the situation in which a top-k local "
                "basis captures a generator. The lines of one generator nearly coincide: the spectrum's shape hardly "
                "depends on z. A trained generator is one more spectrum_of(name, g) argument.");
        done("spectra");
    }

    rep.section("7. Traversal image grids");
    {
        auto grid = pp::decoder_traversal_grid();
        rep.add(grid.grid, "traversal_grid",
                "Rows are the Local Basis directions v₁..v₄ of a closed-form 8 × 8 linear decoder at z₀ = 0, columns the "
                "steps t = −2.4 … 2.4; the middle column is g(z₀) in every row. Each direction changes one pattern "
                "(horizontal ramp, vertical ramp, centred blob, checkerboard), in order of decreasing σ. The same call "
                "draws a trained generator's grid once one is provided (plot::traversal_grid).");
        done("traversal_grid");
    }

    const std::string md = rep.finish("latentwalk tour: pictures", "tour.txt");
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    os << "\n" << rep.pictures() << " pictures (PNG and SVG) and " << md << " written in " << std::setprecision(3)
       << secs << " s\n\n";
}

}  // namespace tour
