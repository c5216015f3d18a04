// The plotting layer itself (examples/plot/): tick steps, marching squares, the written files, the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "picture_support.hpp"
#include "plot/contour.hpp"
#include "plot/figure.hpp"
#include "plot/report.hpp"

namespace pt = pictures_test;

CATCH_TEST_CASE("pictures: nice_ticks uses 1, 2, 5 times a power of ten and covers the range") {
    CATCH_CHECK(plot::nice_step(1.0, 5) == Approx(0.2));
    CATCH_CHECK(plot::nice_step(100.0, 5) == Approx(20.0));
    CATCH_CHECK(plot::nice_step(0.07, 6) == Approx(0.01));
    const auto t = plot::nice_ticks(0.0, 1.0, 5);
    CATCH_REQUIRE(t.size() == 6);
    CATCH_CHECK(t.front() == 0.0);
    CATCH_CHECK(t.back() == Approx(1.0));
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(-3, 3);
    for (int trial = 0; trial < 200; ++trial) {
        const double a = u(rng) * std::pow(10.0, u(rng)), b = a + std::pow(10.0, u(rng));
        const auto ticks = plot::nice_ticks(a, b, 6);
        CATCH_REQUIRE(ticks.size() >= 3);
        CATCH_REQUIRE(ticks.size() <= 13);
        const double step = ticks[1] - ticks[0];
        const double mant = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
        CATCH_CHECK((std::abs(mant - 1) < 1e-6 || std::abs(mant - 2) < 1e-6 || std::abs(mant - 5) < 1e-6));
        for (double v : ticks) {
            CATCH_CHECK(v >= a - 1e-9 * step);
            CATCH_CHECK(v <= b + 1e-9 * step);
        }
        CATCH_CHECK(ticks.front() - a < step * (1 + 1e-9));  // no tick left out at either end
        CATCH_CHECK(b - ticks.back() < step * (1 + 1e-9));
    }
    CATCH_CHECK(plot::tick_label(0.5, 0.1) == "0.5");
    CATCH_CHECK(plot::tick_label(20.0, 5.0) == "20");
    CATCH_CHECK(plot::tick_label(-0.25, 0.05) == "-0.25");
}

CATCH_TEST_CASE("pictures: marching squares recovers a circle and resolves saddles") {
    const auto g = plot::scalar_grid::sample([](double x, double y) { return x * x + y * y; }, -1, 1, 81, -1, 1, 81);
    const auto segs = plot::contour_segments(g, 0.25);  // the circle of radius 0.5
    CATCH_REQUIRE(segs.size() > 50);
    double length = 0, worst = 0;
    for (const auto& s : segs) {
        worst = std::max({worst, std::abs(std::hypot(s.x0, s.y0) - 0.5), std::abs(std::hypot(s.x1, s.y1) - 0.5)});
        length += std::hypot(s.x1 - s.x0, s.y1 - s.y0);
    }
    // Linear interpolation of r² along an edge of length h = 0.025 errs by at most h²/(8r) ≈ 1.6e-4.
    CATCH_CHECK(worst < 2e-4);
    CATCH_CHECK(length == Approx(2 * plot::pi * 0.5).epsilon(2e-3));
    CATCH_CHECK(plot::contour_segments(g, 5.0).empty());  // above the maximum: nothing
    // f = x·y on a grid whose cell straddles the origin: the zero set is the two axes, never a diagonal.
    const auto h = plot::scalar_grid::sample([](double x, double y) { return x * y; }, -1, 1, 4, -1, 1, 4);
    for (const auto& s : plot::contour_segments(h, 0.0))
        for (auto [x, y] : {std::pair{s.x0, s.y0}, std::pair{s.x1, s.y1}}) CATCH_CHECK(std::min(std::abs(x), std::abs(y)) < 1e-12);
    const auto lv = plot::contour_levels(g, 4);
    CATCH_REQUIRE(lv.size() == 4);
    CATCH_CHECK(lv.front() > 0.0);
    CATCH_CHECK(lv.back() < 2.0);
}

CATCH_TEST_CASE("pictures: a figure is written as a PNG of its size and an SVG that parses as XML") {
    pt::temp_folder dir("layer");
    plot::figure fig(640, 400, 1, 2);
    fig.title = "two panels";
    std::vector<double> x, y;
    for (int i = 0; i <= 50; ++i) x.push_back(i / 10.0), y.push_back(std::sin(i / 10.0));
    fig.panel(0).line(x, y, {}, "sin");
    fig.panel(0).xlabel = "x";
    fig.panel(0).ylabel = "y";
    fig.panel(1).log_y = true;
    std::vector<double> e;
    for (double v : x) e.push_back(std::exp(v));
    fig.panel(1).scatter(x, e, {.colour = plot::palette::vermillion}, "exp");
    fig.write(dir.file("fig.png"));
    fig.write(dir.file("fig.svg"));
    fig.write(dir.file("fig.pdf"));
    const auto png = pt::read_png(dir.file("fig.png"));
    CATCH_REQUIRE(png.ok);
    CATCH_CHECK(png.width == 640);
    CATCH_CHECK(png.height == 400);
    CATCH_CHECK(png.variance() > 100.0);
    const std::string svg = pt::read_text(dir.file("fig.svg"));
    CATCH_CHECK(svg.find("<svg") != std::string::npos);
    CATCH_CHECK(pt::xml_problem(svg) == "");
    CATCH_CHECK(pt::python_xml_problem(dir.file("fig.svg")) == "");
    CATCH_CHECK(std::filesystem::file_size(dir.file("fig.pdf")) > 500);
    // The data lands where the transform says: the line's first point (0, 0) is a dark-blue pixel.
    const auto [X, Y] = fig.panel(0).to_device(0.0, 0.0);
    CATCH_CHECK(png.at(static_cast<int>(X), static_cast<int>(Y)) < 150);
    // The well-formedness check can fail.
    CATCH_CHECK(pt::xml_problem("<svg><g></svg>") != "");
    CATCH_CHECK(pt::xml_problem("<svg a=1/>") != "");
    CATCH_CHECK(pt::xml_problem("<svg/><svg/>") != "");
}

CATCH_TEST_CASE("pictures: a missing or unwritable output folder gets an error sentence") {
    pt::temp_folder dir("errors");
    plot::figure fig(200, 150);
    fig.panel(0).line({0, 1}, {0, 1});
    const std::string missing = dir.file("no/such/folder/fig.png");
    { std::ofstream(dir.file("a_file")) << "x"; }
    for (const std::string& path : {missing, dir.file("no/such/folder/fig.svg"), dir.file("a_file/fig.png"),
                                    dir.file("a_file/fig.svg")}) {
        try {
            fig.write(path);
            CATCH_FAIL("writing " << path << " did not throw");
        } catch (const latentwalk::plot_error& e) {
            const std::string what = e.what();
            CATCH_CHECK(what.find("could not") != std::string::npos);
            CATCH_CHECK(what.find(path) != std::string::npos);
            CATCH_CHECK(what.back() == '.');
        }
    }
    CATCH_CHECK_THROWS_AS(fig.write(dir.file("fig.jpeg")), latentwalk::plot_error);
    CATCH_CHECK_THROWS_WITH(plot::picture_report(dir.file("missing")), Catch::Contains("does not exist"));
    CATCH_CHECK_THROWS_WITH(plot::picture_report(dir.file("a_file")), Catch::Contains("is not a folder"));
    plot::image_grid grid(1, 1, 2, 2);
    CATCH_CHECK_THROWS_AS(grid.write(missing), latentwalk::plot_error);
}

CATCH_TEST_CASE("pictures: the layer refuses bad input with sentences") {
    plot::figure fig(200, 150);
    CATCH_CHECK_THROWS_WITH(fig.panel(0).line({0, 1, 2}, {0, 1}), Catch::Contains("same length"));
    CATCH_CHECK_THROWS_WITH(fig.panel(3), Catch::Contains("does not exist"));
    CATCH_CHECK_THROWS_AS(fig.panel(0).set_xlim(1, 1), latentwalk::plot_error);
    fig.panel(0).log_y = true;
    fig.panel(0).line({0, 1}, {0, -1});
    CATCH_CHECK_THROWS_WITH(fig.layout(), Catch::Contains("logarithmic"));
    CATCH_CHECK_THROWS_AS(plot::figure(10, 10), latentwalk::plot_error);
    plot::scalar_grid bad;
    bad.xs = {0, 1};
    bad.ys = {0, 1};
    bad.values = {1, 2, 3};
    CATCH_CHECK_THROWS_WITH(plot::contour_segments(bad, 0.5), Catch::Contains("3 values"));
}
