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
#include <functional>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/ganspace_directions.hpp>

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
    Eigen::MatrixXd pca_linear, pca_mapping;             ///< GANSpace PCA of 2000 outputs f(z) (global bases in W)
    latentwalk::eigen::mlp_generator<double> decoder;     ///< tanh MLP 32 → 64 → 64 → 256, seed 5
    latentwalk::eigen::mlp_generator<double> structured;  ///< the decoder with its first layer's σᵢ set to 2 i^−1.5

    static picture_generators make() {
        namespace le = latentwalk::eigen;
        le::mlp_generator<double>::options mo;
        mo.pixel_norm_first = true;
        auto mapping = le::mlp_generator<double>::random(std::vector<Eigen::Index>(9, 32), mo, 11);
        const Eigen::MatrixXd W1 = mapping.layers().front().weight;
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
        le::linear_generator<double> linear(W1);
        // The global bases live where U_k(z) lives, in the output space W: GANSpace's PCA of samples f(z).
        auto pca = [](const auto& g) {
            std::mt19937_64 rng(12);
            std::normal_distribution<double> normal;
            Eigen::MatrixXd w(g.output_dim(), 2000);
            for (Eigen::Index j = 0; j < w.cols(); ++j) {
                Eigen::VectorXd z(g.latent_dim());
                for (auto& x : z) x = normal(rng);
                w.col(j) = g(z);
            }
            return Eigen::MatrixXd(latentwalk::ganspace_directions(w, 8).directions);
        };
        Eigen::MatrixXd pl = pca(linear), pm = pca(mapping);
        return {std::move(mapping), std::move(linear), std::move(pl), std::move(pm), std::move(decoder), std::move(structured)};
    }
};

/// Draws the pictures into rep's folder and writes report.md; prints one line per picture to os.
/// `more` draws further sections (the trained generator's, when the tour has one) before report.md is written.
inline void pictures(plot::picture_report& rep, std::ostream& os, const std::function<void()>& more = {}) {
    namespace pp = plot::pictures;
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    auto done = [&](const std::string& stem) {
        os << "  " << std::left << std::setw(22) << stem << std::right << " " << rep.path(stem + ".png") << " (+ .svg)\n";
    };
    // One picture: drawn (PNG and SVG), captioned in report.md and listed in the text report.
    auto show = [&](auto&& picture, const std::string& stem, const std::string& caption) {
        rep.add(picture, stem, caption);
        done(stem);
    };
    os << "== Pictures ==\n\n";

    rep.section("1. Generators and their local basis");
    show(pp::tangent_frames(), "tangent_frames",
            "The unit sphere and a torus (R = 2, r = 0.5) as 2-D latent generators. At each black point the arrows are "
            "r σ₁u₁ (blue) and r σ₂u₂ (vermillion) from `tangent_basis`, and the orange ellipse is the image of a latent "
            "disc of radius r under the Jacobian, whose semi-axes they are. On the sphere σ = (1, sin θ): the ellipses "
            "flatten towards the pole; on the torus σ₁ = R + r cos v is largest on the outer equator and smallest on the "
            "inner one, while σ₂ = r stays the same.");

    rep.section("2. Traversals: curve traversal vs the straight line");
    show(pp::curve_vs_line(), "curve_vs_line",
            "Local Basis's Iterative Curve-Traversal (blue) follows the first local direction step by step and bends "
            "with the sphere; the straight line along the same starting tangent (vermillion, dashed) leaves it. The "
            "right panel is each path's distance from the sphere: the line's grows as √(1 + (kε)²) − 1 (black dashed, "
            "the exact value), the curve's stays at rounding level.");

    rep.section("3. Potential flows");
    show(pp::flows(), "flows",
            "Left: a landscape of four RBF bumps (contours over a light colour map, bright is high) and its gradient-ascent "
            "flow from six starts. Blue is the flow integrated accurately (dopri5); vermillion squares are the "
            "potential-flow paper's rule z ← z + ∇u with unit steps over the same time, which cuts corners and "
            "overshoots where the gradient is large. Right: WarpedGANSpace's RBF dipole, whose unit gradient (grey "
            "arrows) carries codes from the negative pole on the left to the positive pole on the right at constant speed.");

    const auto gens = picture_generators::make();
    rep.section("4. Warpage of the latent space");
    show(pp::warpage_curves({}, pp::warpage_of("linear z ↦ W₁z", gens.linear, gens.pca_linear),
                            pp::warpage_of("mapping-like MLP", gens.mapping, gens.pca_mapping)), "warpage",
            "How far the k-dimensional local basis U_k(z) — the tangent space of the generator's image, the paper's "
            "output basis — turns between two latent codes (geodesic Grassmann distance, mean ± sd over 40 pairs), "
            "against k. The linear generator is flat: random and close pairs are exactly 0, and its distance to the "
            "global directions (GANSpace's PCA of 2000 outputs f(z), a basis of the same space W) is only the PCA's "
            "sampling error. For the mapping-like MLP (PixelNorm + 8 leaky-ReLU layers) close pairs (ε = 0.1) stay low "
            "— the basis is locally consistent — while random pairs and the comparison with the global PCA climb "
            "towards the grey band of two Haar-random subspaces: the latent space is globally warped.");

    rep.section("5. The Gaussian shell and density-preserving walks");
#if defined(LATENTWALK_PLOT_HAVE_CHI)
    show(pp::chi_shell(512), "chi_shell",
            "Left: in 512 dimensions the norm of a standard normal draw is almost fixed, ‖z‖ ≈ √d ≈ 22.6 with sd ≈ 0.71; "
            "the histogram of 10 000 draws sits under the exact χ₅₁₂ density. Right: a linear walk z₀ + tγ leaves "
            "this shell (grey band, 99 % of the mass) at t ≈ 10 and reaches norms a prior draw never has; "
            "DP-LaSE's density-preserving walk keeps ‖z‖ = ‖z₀‖ exactly.");
#else
    rep.paragraph("(The χ-shell picture needs Boost.Math for latentwalk::eigen::chi_statistics; it was not found.)");
    os << "  chi_shell              skipped: Boost.Math not found\n";
#endif

    rep.section("6. Singular spectra of the Jacobian");
    show(pp::singular_spectra({}, pp::spectrum_of("random tanh MLP 32 → 256", gens.decoder),
                              pp::spectrum_of("structured (first layer σᵢ = 2 i^−1.5)", gens.structured)), "spectra",
            "The singular values of J(z) at five latent codes per generator, raw (left) and relative to the largest "
            "(right), on a log scale. The random network spreads its stretch over many directions: its spectrum "
            "falls by a factor of about 20 over all 32. The structured one, the same network with a power-law spectrum "
            "in its first layer, decays steadily, so a few directions dominate — the situation in which a top-k local "
            "basis captures a generator. The lines of one generator nearly coincide: the spectrum's shape hardly "
            "depends on z. A trained generator is one more spectrum_of(name, g) argument.");

    rep.section("7. Traversal image grids");
    show(pp::decoder_traversal_grid().grid, "traversal_grid",
            "Rows are the Local Basis directions v₁..v₄ of a closed-form 8 × 8 linear decoder at z₀ = 0, columns the "
            "steps t = −2.4 … 2.4; the middle column is g(z₀) in every row. Each direction changes one pattern "
            "(horizontal ramp, vertical ramp, centred blob, checkerboard), in order of decreasing σ. The same call "
            "draws a trained generator's grid once one is provided (plot::traversal_grid).");

    if (more) more();

    const std::string md = rep.finish("latentwalk tour: pictures", "tour.txt");
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    os << "\n" << rep.pictures() << " pictures (PNG and SVG) and " << md << " written in " << std::setprecision(3)
       << secs << " s\n\n";
}

}  // namespace tour
