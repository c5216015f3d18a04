#pragma once
// examples/plot/pictures/generators.hpp — pictures that compare generators, written for any latentwalk
// DifferentiableGenerator on any backend, so that a trained generator is one more argument:
//
//     using namespace plot::pictures;
//     auto fig = warpage_curves({}, warpage_of("linear", lin, W), warpage_of("random MLP", mlp, W1),
//                               warpage_of("trained", trained, sefa.directions));      // one panel each
//     auto fig = singular_spectra({}, spectrum_of("random MLP", mlp), spectrum_of("trained", trained));
//
//   warpage_curves     (picture 4) per generator, the geodesic Grassmann distance between local bases
//                      V_k(z), V_k(z') against k = 1..k_max, mean ± sd over the pairs, for random pairs,
//                      close pairs (‖z' − z‖ = ε) and local vs the given global directions, over the band of
//                      two Haar-random subspaces (the fully warped reference). Computed by
//                      latentwalk::warpage_random_pairs / _close_pairs / _against_global / _haar_reference.
//   singular_spectra   (picture 6) the singular values σ₁ ≥ σ₂ ≥ … of J(z) (latentwalk::tangent_basis, all
//                      min(n, m) of them) at `points` latent codes z ~ N(0, I_n) per generator, raw (log scale)
//                      and divided by σ₁ (the spectrum's shape: how many directions matter).
//
// Deterministic: every experiment draws from std::mt19937_64(options.seed). Cost: warpage 4 · pairs tangent
// bases per generator; spectra `points` per generator. Entries hold references: the generators must outlive
// the call. Errors: those of the latentwalk functions called (dimension_error for k_max too large, ...).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <latentwalk/grassmann/warpage_statistics.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>

#include "../figure.hpp"

namespace plot::pictures {

/// One generator of warpage_curves: a name, the generator and its global directions (n × K, K ≥ k_max).
template <class G>
struct warpage_entry {
    std::string name;
    const G& g;
    latentwalk::matrix_t<typename G::backend> global;
};
template <class G>
warpage_entry<G> warpage_of(std::string name, const G& g, latentwalk::matrix_t<typename G::backend> global) {
    return {std::move(name), g, std::move(global)};
}

struct warpage_curves_options {
    long long pairs = 40;
    long long k_max = 8;
    double epsilon = 0.1;
    std::uint64_t seed = 1;
    int panel_width = 420, height = 440;
};

namespace detail {

inline void warpage_series(axes& ax, const latentwalk::warpage_table& t, rgb colour, const std::string& label,
                           bool dashed = false, marker mark = marker::circle) {
    std::vector<double> k, m, lo, hi;
    for (long long i = 1; i <= t.k_max; ++i) {
        k.push_back(static_cast<double>(i));
        m.push_back(t.mean_at(latentwalk::grassmann_metric::geodesic, i));
        const double s = t.stddev_at(latentwalk::grassmann_metric::geodesic, i);
        lo.push_back(m.back() - s);
        hi.push_back(m.back() + s);
    }
    ax.band(k, lo, hi, colour, 0.2);
    ax.line(k, m, style{.colour = colour, .width = 2.2, .dashed = dashed, .mark = mark, .marker_size = 7}, label);
}

template <class G>
double warpage_panel(axes& ax, const warpage_entry<G>& e, const warpage_curves_options& o) {
    namespace lw = latentwalk;
    lw::warpage_options w;
    w.pairs = o.pairs;
    w.k_max = o.k_max;
    w.epsilon = o.epsilon;
    w.seed = o.seed;
    w.metrics = {lw::grassmann_metric::geodesic};
    const auto haar = lw::warpage_haar_reference<typename G::backend>(static_cast<long long>(e.g.latent_dim()), w);
    const auto random = lw::warpage_random_pairs(e.g, w);
    const auto close = lw::warpage_close_pairs(e.g, w);
    const auto global = lw::warpage_against_global(e.g, e.global, w);
    ax.title = e.name + " (n = " + std::to_string(e.g.latent_dim()) + ")";
    ax.xlabel = "subspace dimension k";
    ax.ylabel = "geodesic distance (rad)";
    ax.legend_at = corner::top_left;
    warpage_series(ax, haar, palette::grey, "Haar-random (fully warped)", true, marker::none);
    warpage_series(ax, random, palette::blue, "random pairs");
    warpage_series(ax, global, palette::green, "local vs global directions", false, marker::diamond);
    warpage_series(ax, close, palette::vermillion, "close pairs (ε = " + short_number(o.epsilon) + ")", false,
                   marker::square);
    double top = 0;
    for (const auto* t : {&haar, &random, &close, &global})
        for (long long k = 1; k <= t->k_max; ++k)
            top = std::max(top, t->mean_at(lw::grassmann_metric::geodesic, k) + t->stddev_at(lw::grassmann_metric::geodesic, k));
    return top;
}

}  // namespace detail

/// Picture 4: warpage curves, one panel per generator, on a common y scale.
template <class... G>
figure warpage_curves(const warpage_curves_options& o, const warpage_entry<G>&... entries) {
    static_assert(sizeof...(G) >= 1, "plot::pictures::warpage_curves: pass at least one warpage_of(name, g, global).");
    const int n = static_cast<int>(sizeof...(G));
    figure fig(o.panel_width * n, o.height, 1, n);
    fig.title = "Warpage: how far the local basis V_k(z) turns between latent codes";
    fig.note = "mean ± sd over " + std::to_string(o.pairs) + " pairs (latentwalk::warpage_* , geodesic metric); "
               "a flat latent space stays at 0, a fully warped one reaches the grey band.";
    std::size_t i = 0;
    double top = 0;
    ((top = std::max(top, detail::warpage_panel(fig.panel(i++), entries, o))), ...);
    for (std::size_t p = 0; p < fig.panels(); ++p) {
        fig.panel(p).set_ylim(-0.05 * top, 1.25 * top);  // headroom for the legend
        fig.panel(p).set_xlim(0.5, static_cast<double>(o.k_max) + 0.5);
    }
    return fig;
}

/// One generator of singular_spectra.
template <class G>
struct spectrum_entry {
    std::string name;
    const G& g;
};
template <class G>
spectrum_entry<G> spectrum_of(std::string name, const G& g) {
    return {std::move(name), g};
}

struct singular_spectra_options {
    int points = 5;           ///< latent codes per generator
    std::uint64_t seed = 3;
    int width = 1000, height = 460;
};

/// Picture 6: the singular spectra of J(z), raw and relative to σ₁, all generators in both panels.
template <class... G>
figure singular_spectra(const singular_spectra_options& o, const spectrum_entry<G>&... entries) {
    static_assert(sizeof...(G) >= 1, "plot::pictures::singular_spectra: pass at least one spectrum_of(name, g).");
    figure fig(o.width, o.height, 1, 2);
    fig.title = "Singular spectrum of the Jacobian J(z) at " + std::to_string(o.points) + " latent codes per generator";
    fig.note = "σᵢ from latentwalk::tangent_basis(g, z, min(n, m)), z ~ N(0, I) with seed " + std::to_string(o.seed) +
               "; one line per code.";
    axes& raw = fig.panel(0);
    axes& rel = fig.panel(1);
    raw.title = "σᵢ";
    rel.title = "σᵢ / σ₁";
    for (axes* ax : {&raw, &rel}) {
        ax->xlabel = "index i";
        ax->log_y = true;
        ax->legend_at = corner::bottom_left;
    }
    raw.ylabel = "singular value";
    rel.ylabel = "relative singular value";
    std::size_t colour = 0;
    auto one = [&](const auto& e) {
        namespace lw = latentwalk;
        using B = typename std::decay_t<decltype(e.g)>::backend;
        using T = lw::backend_traits<B>;
        std::mt19937_64 rng(o.seed);
        const long long n = static_cast<long long>(e.g.latent_dim()), m = static_cast<long long>(e.g.output_dim());
        const long long k = std::min(n, m);
        const lw::vector_t<B> like{};
        for (int p = 0; p < o.points; ++p) {
            const auto z = T::random_normal(like, n, rng);
            const std::vector<double> s = T::to_host(lw::tangent_basis(e.g, z, k).singular_values);
            std::vector<double> idx, r;
            for (std::size_t i = 0; i < s.size(); ++i) idx.push_back(static_cast<double>(i + 1)), r.push_back(s[i] / s[0]);
            const style st{.colour = palette::cycle(colour), .width = 1.6, .alpha = 0.85,
                           .mark = p == 0 ? marker::circle : marker::none, .marker_size = 5};
            raw.line(idx, s, st, p == 0 ? e.name : "");
            rel.line(idx, r, st, p == 0 ? e.name : "");
        }
        ++colour;
    };
    (one(entries), ...);
    return fig;
}

}  // namespace plot::pictures
