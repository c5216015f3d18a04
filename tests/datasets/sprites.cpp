// "data:" — the procedural sprites: the dSprites grid order and its 0/39 orientation duplicate, the
// renderer's documented geometry, and the moment estimators inverting the renderer.
#include <catch2/catch.hpp>

#include <latentwalk/data.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace data = latentwalk::data;
using data::sprite_shape;
constexpr double pi = std::numbers::pi;

namespace {

double angle_gap(double a, double b, double period) {
    double d = std::fmod(std::abs(a - b), period);
    return std::min(d, period - d);
}

}  // namespace

CATCH_TEST_CASE("data: the sprite grid is dSprites' order, shape slowest and y fastest, 737280 images", "[data]") {
    CATCH_CHECK(data::sprite_grid_size == 737280);
    CATCH_CHECK(data::sprite_grid_index({0, 0, 0, 0, 1}) == 1);
    CATCH_CHECK(data::sprite_grid_index({0, 0, 0, 1, 0}) == 32);
    CATCH_CHECK(data::sprite_grid_index({0, 0, 1, 0, 0}) == 1024);
    CATCH_CHECK(data::sprite_grid_index({0, 1, 0, 0, 0}) == 40960);
    CATCH_CHECK(data::sprite_grid_index({1, 0, 0, 0, 0}) == 245760);
    CATCH_CHECK(data::sprite_grid_index({2, 5, 39, 31, 31}) == 737279);
    // Round trip over a stride of the whole grid.
    for (std::size_t i = 0; i < data::sprite_grid_size; i += 997) {
        CATCH_REQUIRE(data::sprite_grid_index(data::sprite_grid_indices_of(i)) == i);
    }
    const auto first = data::sprite_grid_factors(0);
    CATCH_CHECK(first.shape == sprite_shape::square);
    CATCH_CHECK(first.scale == 0.5);
    CATCH_CHECK(first.orientation == 0.0);
    CATCH_CHECK(first.x == 0.0);
    CATCH_CHECK(first.y == 0.0);
    CATCH_CHECK(data::sprite_grid_factors(1).y == 1.0 / 31.0);
    CATCH_CHECK(data::sprite_grid_factors(32).x == 1.0 / 31.0);
    const auto last = data::sprite_grid_factors(737279);
    CATCH_CHECK(last.shape == sprite_shape::heart);
    CATCH_CHECK(last.scale == 1.0);
    CATCH_CHECK(last.orientation == Catch::Detail::Approx(2 * pi).epsilon(1e-15));
    CATCH_CHECK(last.x == 1.0);
    CATCH_CHECK(last.y == 1.0);
    for (std::size_t i = 0; i < 6; ++i) CATCH_CHECK(data::sprite_grid_scale(i) == Catch::Detail::Approx(0.5 + 0.1 * i).epsilon(1e-15));
    // The rendered grid carries the same factors as sprite_grid_factors, in factor_names' order.
    const auto g = data::render_sprite_grid(245760 - 3, 6, {.resolution = 32});
    CATCH_CHECK(g.factor_names == std::vector<std::string>{"shape", "scale", "orientation", "x", "y"});
    CATCH_CHECK(g.labels.empty());
    for (std::size_t i = 0; i < 6; ++i) {
        const auto f = data::sprite_grid_factors(245760 - 3 + i);
        CATCH_CHECK(g.factors[i * 5 + 0] == static_cast<double>(static_cast<int>(f.shape)));
        CATCH_CHECK(g.factors[i * 5 + 1] == f.scale);
        CATCH_CHECK(g.factors[i * 5 + 2] == f.orientation);
        CATCH_CHECK(g.factors[i * 5 + 3] == f.x);
        CATCH_CHECK(g.factors[i * 5 + 4] == f.y);
    }
    CATCH_CHECK(g.factors[2 * 5] == 0.0);  // the last square, then
    CATCH_CHECK(g.factors[3 * 5] == 1.0);  // the first ellipse
    // By index list, in the order given; and render_sprites of the same factors draws the same pixels.
    const std::vector<std::size_t> picks = {737279, 5, 245760};
    const auto p = data::render_sprite_grid(picks);
    const auto q = data::render_sprites({data::sprite_grid_factors(737279), data::sprite_grid_factors(5),
                                         data::sprite_grid_factors(245760)});
    CATCH_CHECK(p.count == 3);
    CATCH_CHECK(p.pixels == q.pixels);
    CATCH_CHECK(p.factors == q.factors);
}

CATCH_TEST_CASE("data: orientation indices 0 and 39 draw the same image, as in dSprites, and no other pair does", "[data]") {
    for (std::size_t shape = 0; shape < 3; ++shape) {
        for (std::size_t scale : {0, 5}) {
            for (std::size_t x : {0, 13, 31}) {
                for (std::size_t y : {0, 20, 31}) {
                    const std::vector<std::size_t> idx = {data::sprite_grid_index({shape, scale, 0, x, y}),
                                                          data::sprite_grid_index({shape, scale, 39, x, y}),
                                                          data::sprite_grid_index({shape, scale, 1, x, y})};
                    const auto s = data::render_sprite_grid(idx);
                    CATCH_CHECK(std::equal(s.image(0), s.image(0) + 4096, s.image(1)));
                    CATCH_CHECK(!std::equal(s.image(0), s.image(0) + 4096, s.image(2)));
                }
            }
        }
    }
    // Neighbouring grid images all differ (the grid is fine but every step shows), checked along y and x.
    const auto row = data::render_sprite_grid(data::sprite_grid_index({2, 0, 7, 10, 0}), 32);
    for (std::size_t i = 0; i + 1 < 32; ++i) CATCH_CHECK(!std::equal(row.image(i), row.image(i) + 4096, row.image(i + 1)));
}

CATCH_TEST_CASE("data: the renderer's geometry: in frame on the whole grid, areas, symmetries, binary and 32x32", "[data]") {
    // Scale 1 at the four corners of the position grid, every third orientation: nothing is cut off
    // (the pixel sum equals the same sprite's in the middle of the image) though the sprite touches the edge.
    for (std::size_t shape = 0; shape < 3; ++shape) {
        for (std::size_t o = 0; o < 40; o += 3) {
            const auto centre = data::render_sprites({{static_cast<sprite_shape>(shape), 1.0, data::sprite_grid_orientation(o), 0.5, 0.5}});
            double reference = 0.0;
            for (float v : centre.pixels) reference += v;
            for (std::size_t x : {0, 31}) {
                for (std::size_t y : {0, 31}) {
                    const auto s = data::render_sprite_grid(std::vector<std::size_t>{data::sprite_grid_index({shape, 5, o, x, y})});
                    double sum = 0.0;
                    for (float v : s.pixels) sum += v;
                    CATCH_CHECK(sum == Catch::Detail::Approx(reference).epsilon(3e-3));
                }
            }
        }
    }
    // Pixel sums against the documented unit areas (R = 0.16 of the side): supersampled coverage is the area.
    const double R = 64 * data::sprite_radius;
    const double areas[] = {2.0, pi / 2, 3.66197272581827 / std::pow(1.29348122728179, 2)};
    for (int shape = 0; shape < 3; ++shape) {
        const auto s = data::render_sprites({{static_cast<sprite_shape>(shape), 0.9, 0.3, 0.4, 0.6}},
                                            {.resolution = 64, .supersampling = 16});
        double sum = 0.0;
        for (float v : s.pixels) sum += v;
        CATCH_CHECK(sum == Catch::Detail::Approx(areas[shape] * std::pow(0.9 * R, 2)).epsilon(2e-3));
    }
    // The heart's constants, independently: its pixel sum on a fine 1024×1024 grid matches the quadrature area.
    {
        const auto s = data::render_sprites({{sprite_shape::heart, 1.0, 0.0, 0.5, 0.5}}, {.resolution = 1024, .supersampling = 2});
        double sum = 0.0, su = 0.0, sv = 0.0;
        for (std::size_t i = 0; i < 1024; ++i) {
            for (std::size_t j = 0; j < 1024; ++j) {
                const double w = s.pixel(0, 0, i, j);
                sum += w, su += w * (j + 0.5), sv += w * (i + 0.5);
            }
        }
        const double r = 1024 * data::sprite_radius;
        CATCH_CHECK(sum / (r * r) == Catch::Detail::Approx(areas[2]).epsilon(1e-4));
        CATCH_CHECK(su / sum == Catch::Detail::Approx(512.0).margin(0.02));  // the centroid is the sprite's centre
        CATCH_CHECK(sv / sum == Catch::Detail::Approx(512.0).margin(0.02));
        // Lobes up, tip down at orientation 0: the heart's lowest ink is farther from the centre than its highest.
        std::size_t top = 1024, bottom = 0;
        for (std::size_t i = 0; i < 1024; ++i) {
            for (std::size_t j = 0; j < 1024; ++j) {
                if (s.pixel(0, 0, i, j) > 0.0F) top = std::min(top, i), bottom = std::max(bottom, i);
            }
        }
        CATCH_CHECK(bottom + 1 - 512.0 == Catch::Detail::Approx(r).margin(1.0));  // the tip touches the radius
        CATCH_CHECK(512.0 - top < r - 10);
    }
    // Symmetries: a square turned by π/2 and an ellipse turned by π draw the same coverage (to sampling).
    const auto sq = data::render_sprites({{sprite_shape::square, 0.8, 0.3, 0.5, 0.5}, {sprite_shape::square, 0.8, 0.3 + pi / 2, 0.5, 0.5}});
    const auto el = data::render_sprites({{sprite_shape::ellipse, 0.8, 0.3, 0.5, 0.5}, {sprite_shape::ellipse, 0.8, 0.3 + pi, 0.5, 0.5}});
    for (std::size_t k = 0; k < 4096; ++k) {
        CATCH_CHECK(std::abs(sq.pixels[k] - sq.pixels[4096 + k]) <= 2.0F / 64);
        CATCH_CHECK(std::abs(el.pixels[k] - el.pixels[4096 + k]) <= 2.0F / 64);
    }
    // Counter-clockwise on the screen: an ellipse at θ = π/4 has its long axis from lower left to upper right.
    const auto tilted = data::render_sprites({{sprite_shape::ellipse, 1.0, pi / 4, 0.5, 0.5}});
    CATCH_CHECK(tilted.pixel(0, 0, 32 - 6, 32 + 6) > 0.9F);  // up and right
    CATCH_CHECK(tilted.pixel(0, 0, 32 - 6, 32 - 6) < 0.1F);  // up and left
    // Binary: values 0 or 1, the pixel centre's membership; 32×32 works; rendering is deterministic.
    const auto b = data::render_sprites({{sprite_shape::heart, 0.7, 1.0, 0.2, 0.7}}, {.resolution = 32, .anti_aliased = false});
    CATCH_CHECK(b.height == 32);
    CATCH_CHECK(b.pixels.size() == 1024);
    CATCH_CHECK(std::all_of(b.pixels.begin(), b.pixels.end(), [](float v) { return v == 0.0F || v == 1.0F; }));
    CATCH_CHECK(std::count(b.pixels.begin(), b.pixels.end(), 1.0F) > 10);
    CATCH_CHECK(data::render_sprites({{sprite_shape::heart, 0.7, 1.0, 0.2, 0.7}}).pixels ==
                data::render_sprites({{sprite_shape::heart, 0.7, 1.0, 0.2, 0.7}}).pixels);
}

CATCH_TEST_CASE("data: the moment estimators invert the renderer on random continuous factors", "[data]") {
    std::mt19937_64 rng(20261201);  // fixed seed
    std::uniform_real_distribution<double> U(0.0, 1.0);
    struct bounds { std::size_t resolution; bool aa; double pixels, rel_scale, degrees[3]; };
    // Bounds with a margin over the measured worst cases documented in sprite_factor_estimators.hpp.
    const bounds cases[] = {{64, true, 0.05, 0.005, {2.0, 1.0, 1.0}},
                            {32, true, 0.06, 0.02, {6.0, 3.0, 4.0}},
                            {64, false, 0.45, 0.06, {8.0, 8.0, 9.0}}};
    for (const auto& c : cases) {
        for (int shape = 0; shape < 3; ++shape) {
            std::vector<data::sprite_factors> truth;
            for (int t = 0; t < 60; ++t) {
                truth.push_back({static_cast<sprite_shape>(shape), 0.5 + 0.5 * U(rng), 2 * pi * U(rng), U(rng), U(rng)});
            }
            const auto set = data::render_sprites(truth, {.resolution = c.resolution, .anti_aliased = c.aa});
            const double px = static_cast<double>(c.resolution) * (1 - 2 * data::sprite_radius);  // pixels per unit of x
            for (std::size_t t = 0; t < truth.size(); ++t) {
                const auto e = data::estimate_sprite_factors(set, t);
                CATCH_INFO("resolution " << c.resolution << (c.aa ? " anti-aliased" : " binary") << ", shape " << shape << ", sprite " << t);
                CATCH_CHECK(e.shape == truth[t].shape);
                CATCH_CHECK(std::abs(e.x - truth[t].x) * px < c.pixels);
                CATCH_CHECK(std::abs(e.y - truth[t].y) * px < c.pixels);
                CATCH_CHECK(std::abs(e.scale / truth[t].scale - 1) < c.rel_scale);
                const double period = data::sprite_orientation_period(truth[t].shape);
                CATCH_CHECK(e.orientation >= 0.0);
                CATCH_CHECK(e.orientation < period);
                CATCH_CHECK(angle_gap(e.orientation, truth[t].orientation, period) * 180 / pi < c.degrees[shape]);
                if (c.aa) {
                    CATCH_CHECK(data::estimate_sprite_shape(set.image(t), c.resolution, c.resolution) == truth[t].shape);
                }
            }
        }
    }
    // Without a shape factor in the set, the shape is estimated from the moments.
    auto anonymous = data::render_sprites({{sprite_shape::heart, 0.6, 4.0, 0.3, 0.8}});
    anonymous.factor_names.clear();
    anonymous.factors.clear();
    const auto h = data::estimate_sprite_factors(anonymous, 0);
    CATCH_CHECK(h.shape == sprite_shape::heart);
    CATCH_CHECK(h.orientation == Catch::Detail::Approx(4.0).margin(0.02));
}

CATCH_TEST_CASE("data: sprite functions refuse bad arguments with a sentence", "[data]") {
    using latentwalk::invalid_argument_error;
    CATCH_CHECK_THROWS_AS(data::render_sprites({{sprite_shape::square, 0.0, 0, 0.5, 0.5}}), invalid_argument_error);
    CATCH_CHECK_THROWS_AS(data::render_sprites({{sprite_shape::square, NAN, 0, 0.5, 0.5}}), latentwalk::numerical_error);
    CATCH_CHECK_THROWS_AS(data::render_sprites({{static_cast<sprite_shape>(3), 1.0, 0, 0.5, 0.5}}), invalid_argument_error);
    CATCH_CHECK_THROWS_AS(data::render_sprites({{}}, {.resolution = 0}), invalid_argument_error);
    CATCH_CHECK_THROWS_AS(data::render_sprites({{}}, {.supersampling = 0}), invalid_argument_error);
    CATCH_CHECK_THROWS_AS(data::render_sprite_grid(737270, 11), invalid_argument_error);
    CATCH_CHECK_THROWS_AS(data::sprite_grid_index({0, 6, 0, 0, 0}), invalid_argument_error);
    CATCH_CHECK_THROWS_AS(data::sprite_grid_factors(737280), invalid_argument_error);
    CATCH_CHECK_THROWS_WITH(data::sprite_grid_index({0, 0, 40, 0, 0}),
                            "latentwalk::data::sprite_grid_index: indices.orientation is 40 but the grid has 40 values of it (indices 0..39).");
    const std::vector<float> empty(64 * 64, 0.0F);
    CATCH_CHECK_THROWS_AS(data::estimate_sprite_factors(empty.data(), 64, 64, sprite_shape::square), latentwalk::numerical_error);
    CATCH_CHECK_THROWS_AS(data::estimate_sprite_factors(empty.data(), 64, 32, sprite_shape::square), latentwalk::dimension_error);
    const auto one = data::render_sprites({{}});
    CATCH_CHECK_THROWS_AS(data::estimate_sprite_factors(one, 1), latentwalk::dimension_error);
}
