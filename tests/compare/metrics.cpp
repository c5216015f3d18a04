// compare: the backend-free scores against hand-made traversals — the factor statistic's closed forms
// (continuous, circular, categorical), the disentanglement scores of hand-made matrices, the path
// geometry, and the sprite factor reader on rendered traversals where one factor alone moves.
#include <latentwalk/compare/comparison_table.hpp>
#include <latentwalk/compare/traversal_metrics.hpp>
#include <latentwalk/data/sprite_factor_reader.hpp>
#include <latentwalk/data/sprites.hpp>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace ld = latentwalk::data;
using Catch::Approx;

namespace {

/// sd of t_j = j (j = 0 … T), population moments.
double sd_of_steps(int T) {
    double m = T / 2.0, s = 0;
    for (int j = 0; j <= T; ++j) s += (j - m) * (j - m);
    return std::sqrt(s / (T + 1));
}

/// A track of rendered sprites (32×32) along t_j = j, factors from `at(j)`, read by read_sprite_factors.
template <class F>
lw::factor_track rendered_track(int T, F at) {
    std::vector<ld::sprite_factors> f;
    for (int j = 0; j <= T; ++j) f.push_back(at(j));
    const auto set = ld::render_sprites(f, {.resolution = 32});
    lw::factor_track tr;
    for (int j = 0; j <= T; ++j) {
        tr.times.push_back(j);
        tr.values.push_back(ld::read_sprite_factors(set.image(static_cast<std::size_t>(j)), 32, 32 * 32));
    }
    return tr;
}

}  // namespace

CATCH_TEST_CASE("compare: the factor statistic of hand-made tracks has its closed forms", "[compare]") {
    const std::vector<lw::factor_spec> specs = {{"a", 0.5}, {"angle", 0.25, lw::factor_kind::circular, 1.0},
                                                {"class", 0.5, lw::factor_kind::categorical}, {"still", 2.0}};
    lw::factor_track tr;
    for (int j = 0; j <= 4; ++j) {
        tr.times.push_back(j);
        // a: 0.3 per unit t; angle: +0.2 per step across the wrap (0.7, 0.9, 0.1, 0.3, 0.5); class changes at j = 3
        tr.values.push_back({1.0 + 0.3 * j, std::fmod(0.7 + 0.2 * j, 1.0), j >= 3 ? 2.0 : 1.0, 5.0});
    }
    const double st = sd_of_steps(4);  // √2
    CATCH_CHECK(lw::track_correlation(tr, specs, 0) == Approx(0.3 * st / 0.5).epsilon(1e-13));
    CATCH_CHECK(lw::track_correlation(tr, specs, 1) == Approx(0.2 * st / 0.25).epsilon(1e-12));  // unwrapped
    // categorical: y = (0, 0, 0, 1, 1): Cov(t, y) = mean(t y) − mean t · mean y = 7/5 − 2 · 2/5 = 0.6
    CATCH_CHECK(lw::track_correlation(tr, specs, 2) == Approx(0.6 / (st * 0.5)).epsilon(1e-13));
    CATCH_CHECK(lw::track_correlation(tr, specs, 3) == 0.0);
    // a decreasing factor has the negative statistic; the matrix keeps its magnitude
    auto down = tr;
    for (auto& row : down.values) row[0] = -row[0];
    CATCH_CHECK(lw::track_correlation(down, specs, 0) == Approx(-0.3 * st / 0.5).epsilon(1e-13));
    const auto fc = lw::factor_correlation({{tr, down}}, specs);
    CATCH_CHECK(fc.raw[0][0] == Approx(0.3 * st / 0.5).epsilon(1e-13));
    const double row = 0.3 * st / 0.5 + 0.2 * st / 0.25 + 0.6 / (st * 0.5);
    CATCH_CHECK(fc.share[0][1] == Approx(0.2 * st / 0.25 / row).epsilon(1e-12));
    CATCH_CHECK(fc.share[0][3] == 0.0);
    CATCH_CHECK(fc.top_factor[0] == 1);
}

CATCH_TEST_CASE("compare: the disentanglement scores of hand-made matrices are computed by hand", "[compare]") {
    const std::vector<lw::factor_spec> specs = {{"p", 1.0}, {"q", 1.0}};
    auto track = [](double cp, double cq) {  // t = 0, 1, 2 with factor rates cp, cq
        lw::factor_track t;
        for (int j = 0; j <= 2; ++j) t.times.push_back(j), t.values.push_back({cp * j, cq * j});
        return t;
    };
    const double st = sd_of_steps(2);
    // two directions, each moving one factor: every score is 1
    const auto clean = lw::factor_correlation({{track(1, 0)}, {track(0, 2)}}, specs);
    CATCH_CHECK(clean.mean_max_share == 1.0);
    CATCH_CHECK(clean.dci_disentanglement == Approx(1.0));
    CATCH_CHECK(clean.completeness == Approx(1.0));
    CATCH_CHECK(clean.factors_covered == 2);
    // one direction moving both equally: max share 1/2, D = 0; both directions alike: C = 0
    const auto mixed = lw::factor_correlation({{track(1, 1)}, {track(1, 1)}}, specs);
    CATCH_CHECK(mixed.mean_max_share == Approx(0.5));
    CATCH_CHECK(mixed.dci_disentanglement == Approx(0.0).margin(1e-15));
    CATCH_CHECK(mixed.completeness == Approx(0.0).margin(1e-15));
    CATCH_CHECK(mixed.factors_covered == 1);
    // rows (3, 1)·st and (0, 1)·st: shares (3/4, 1/4) and (0, 1); ρ = (4/5, 1/5);
    // D = 4/5 · (1 − H₂(3/4, 1/4)) + 1/5 · 1, H₂(3/4, 1/4) = −(3/4 log₂ 3/4 + 1/4 log₂ 1/4) = 0.811278…
    const auto part = lw::factor_correlation({{track(3, 1)}, {track(0, 1)}}, specs);
    const double h = -(0.75 * std::log2(0.75) + 0.25 * std::log2(0.25));
    CATCH_CHECK(part.raw[0][0] == Approx(3 * st / 1.0));
    CATCH_CHECK(part.mean_max_share == Approx((0.75 + 1.0) / 2));
    CATCH_CHECK(part.dci_disentanglement == Approx(0.8 * (1 - h) + 0.2));
    // C: column p (3, 0): entropy 0, mass 3/5; column q (1, 1): entropy 1, mass 2/5 → C = 3/5
    CATCH_CHECK(part.completeness == Approx(0.6));
    const auto md = lw::comparison_markdown({{.method = "m", .factors = part}});
    CATCH_CHECK(md.find("| m | 0.875 | ") != std::string::npos);
    CATCH_CHECK(md.find("| 2/2 |") != std::string::npos);
}

CATCH_TEST_CASE("compare: path geometry and position dependence have their closed forms", "[compare]") {
    // straight: z = (1, 0) + t (0, 1), t = 0, 1, 2: length 2, chord 2, drift |‖(1, 2)‖² − 1|/2 = 2
    const auto g = lw::path_geometry({{1, 0}, {1, 1}, {1, 2}});
    CATCH_CHECK(g.length == Approx(2.0));
    CATCH_CHECK(g.curvature == Approx(0.0).margin(1e-15));
    CATCH_CHECK(g.log_density_drift == Approx(2.0));
    CATCH_CHECK(g.max_log_density_drift == Approx(2.0));
    // out and back: chord 0, curvature 1; drift 0 at the end, 1.5 at the far point
    const auto back = lw::path_geometry({{1, 0}, {2, 0}, {1, 0}});
    CATCH_CHECK(back.curvature == Approx(1.0));
    CATCH_CHECK(back.log_density_drift == 0.0);
    CATCH_CHECK(back.max_log_density_drift == Approx(1.5));
    // on the circle of radius 2 (a norm-preserving walk): no drift at all
    const double c = std::cos(0.3), s = std::sin(0.3);
    CATCH_CHECK(lw::path_geometry({{2, 0}, {2 * c, 2 * s}}).max_log_density_drift == Approx(0.0).margin(1e-14));
    CATCH_CHECK(lw::position_dependence({{1, 2}, {1, 2}, {1, 2}}) == 0.0);
    CATCH_CHECK(lw::position_dependence({{1, 0}, {-1, 0}}) == 1.0);
    // Δ = (1, 0), (0, 1): mean (½, ½), residual energy 2·½ = 1 of total 2
    CATCH_CHECK(lw::position_dependence({{1, 0}, {0, 1}}) == Approx(0.5));
    CATCH_CHECK_THROWS_AS(lw::path_geometry({{1, 0}}), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::path_geometry({{1, 0}, {1}}), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::position_dependence({{1, 0}}), lw::dimension_error);
}

CATCH_TEST_CASE("compare: a pure shift, scaling or rotation of a rendered sprite scores that factor only", "[compare]") {
    const auto specs = ld::sprite_factor_specs();
    const int T = 6;
    const double st = sd_of_steps(T);
    auto base = [](int) { return ld::sprite_factors{ld::sprite_shape::ellipse, 0.8, 0.4, 0.5, 0.5}; };
    auto check_only = [&](const lw::factor_track& tr, std::size_t f, double rate) {
        const auto fc = lw::factor_correlation({{tr}}, specs);
        CATCH_CHECK(fc.top_factor[0] == static_cast<long long>(f));
        CATCH_CHECK(fc.share[0][f] > 0.97);
        CATCH_CHECK(fc.raw[0][f] == Approx(rate * st / specs[f].spread).epsilon(0.03));
        CATCH_CHECK(fc.raw[0][0] == 0.0);  // the shape never changes class
    };
    // x: 0.2 … 0.8 in steps of 0.1 per unit t
    check_only(rendered_track(T, [&](int j) { auto f = base(j); f.x = 0.2 + 0.1 * j; return f; }), 3, 0.1);
    check_only(rendered_track(T, [&](int j) { auto f = base(j); f.y = 0.8 - 0.08 * j; return f; }), 4, 0.08);
    check_only(rendered_track(T, [&](int j) { auto f = base(j); f.scale = 0.5 + 0.05 * j; return f; }), 1, 0.05);
    // an ellipse turned by 0.3 rad per step: phase rate 0.3/π per unit t (period π), across its wrap
    check_only(rendered_track(T, [&](int j) { auto f = base(j); f.orientation = 2.5 + 0.3 * j; return f; }), 2,
               0.3 / std::numbers::pi);
    // a change of shape at the midpoint scores the categorical factor
    const auto swap = rendered_track(T, [&](int j) { auto f = base(j); if (j > T / 2) f.shape = ld::sprite_shape::square; return f; });
    CATCH_CHECK(lw::factor_correlation({{swap}}, specs).top_factor[0] == 0);
}

CATCH_TEST_CASE("compare: the sprite reader cleans the background and refuses what it cannot read", "[compare]") {
    const auto set = ld::render_sprites({{ld::sprite_shape::square, 0.9, 0.2, 0.3, 0.6}}, {.resolution = 32});
    const auto clean = ld::read_sprite_factors(set.image(0), 32, 1024);
    std::vector<float> hazy(set.image(0), set.image(0) + 1024);
    for (auto& v : hazy) v = v + 0.05f * (1.0f - v);  // a grey haze of 0.05 everywhere
    const auto read = ld::read_sprite_factors(hazy.data(), 32, 1024);
    CATCH_CHECK(read[3] == Approx(clean[3]).margin(0.01));
    CATCH_CHECK(read[4] == Approx(clean[4]).margin(0.01));
    CATCH_CHECK(clean[3] == Approx(0.3).margin(0.005));
    const auto unclean = ld::read_sprite_factors(hazy.data(), 32, 1024, 0.0);  // no cleaning: pulled to the middle
    CATCH_CHECK(std::abs(unclean[3] - 0.3) > 0.02);
    std::vector<float> empty(1024, 0.05f);
    CATCH_CHECK_THROWS_AS(ld::read_sprite_factors(empty.data(), 32, 1024), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(ld::read_sprite_factors(empty.data(), 32, 1000), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(ld::read_sprite_factors(empty.data(), 32, 1024, 1.0), lw::invalid_argument_error);
    // the uniform draws have the spreads the specs state (and are the same for the same seed)
    const auto draws = ld::uniform_sprite_factors(20000, 3);
    double mx = 0, sx = 0, ms = 0, ss = 0;
    for (const auto& f : draws) mx += f.x / 20000, ms += f.scale / 20000;
    for (const auto& f : draws) sx += (f.x - mx) * (f.x - mx) / 20000, ss += (f.scale - ms) * (f.scale - ms) / 20000;
    const auto specs = ld::sprite_factor_specs();
    CATCH_CHECK(std::sqrt(sx) == Approx(specs[3].spread).epsilon(0.02));
    CATCH_CHECK(std::sqrt(ss) == Approx(specs[1].spread).epsilon(0.02));
    CATCH_CHECK(ld::uniform_sprite_factors(3, 3)[2].y == draws[2].y);
    const std::vector<lw::factor_spec> bad = {{"x", 0.0}};
    CATCH_CHECK_THROWS_AS(lw::factor_correlation({{lw::factor_track{{0, 1}, {{0}, {1}}}}}, bad), lw::invalid_argument_error);
    const std::vector<lw::factor_spec> one = {{"x", 1.0}};
    CATCH_CHECK_THROWS_AS(lw::factor_correlation({{lw::factor_track{{0, 1}, {{0, 1}, {1, 2}}}}}, one), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::factor_correlation({{}}, one), lw::invalid_argument_error);
}
