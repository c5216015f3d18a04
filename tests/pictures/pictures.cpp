// The tour's pictures (examples/plot/pictures/): each is written as PNG and SVG, decodes at its stated size,
// is not blank, and two of them put their pixels where the data says.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/sefa_directions.hpp>

#include "picture_support.hpp"
#include "plot/pictures/density.hpp"
#include "plot/pictures/flows.hpp"
#include "plot/pictures/generators.hpp"
#include "plot/pictures/geometry.hpp"
#include "plot/pictures/traversals.hpp"
#include "plot/report.hpp"

namespace pt = pictures_test;

namespace {

/// Writes the picture as PNG and SVG and checks both files.
template <class Picture>
void check_written(Picture& pic, const pt::temp_folder& dir, const std::string& stem, int width, int height) {
    pic.write(dir.file(stem + ".png"));
    pic.write(dir.file(stem + ".svg"));
    const auto png = pt::read_png(dir.file(stem + ".png"));
    CATCH_INFO(stem << ".png: " << png.status);
    CATCH_REQUIRE(png.ok);
    CATCH_CHECK(png.width == width);
    CATCH_CHECK(png.height == height);
    // A blank or single-colour canvas has variance 0; a real picture mixes white, grey and colour.
    CATCH_CHECK(png.variance() > 200.0);
    const std::string svg = pt::read_text(dir.file(stem + ".svg"));
    CATCH_CHECK(svg.size() > 1000);
    CATCH_CHECK(pt::xml_problem(svg) == "");
    CATCH_CHECK(pt::python_xml_problem(dir.file(stem + ".svg")) == "");
}

}  // namespace

CATCH_TEST_CASE("pictures: sphere and torus with their local frames are written") {
    pt::temp_folder dir("frames");
    auto fig = plot::pictures::tangent_frames(1000, 520);
    check_written(fig, dir, "tangent_frames", 1000, 520);
}

CATCH_TEST_CASE("pictures: the sphere's silhouette lies at the radius the data says") {
    pt::temp_folder dir("silhouette");
    auto fig = plot::pictures::tangent_frames(1000, 520);
    fig.write(dir.file("frames.png"));
    const auto png = pt::read_png(dir.file("frames.png"));
    CATCH_REQUIRE(png.ok);
    const auto& ax = fig.panel(0);
    const auto [cx, cy] = ax.to_device(0.0, 0.0);
    const double radius = ax.to_device(1.0, 0.0).first - cx;  // the unit sphere's silhouette, in pixels
    CATCH_REQUIRE(radius > 100.0);
    CATCH_CHECK(ax.to_device(0.0, 1.0).second == Approx(cy - radius));  // equal aspect: the same in y
    const auto& t = ax.device_transform();
    const int row = static_cast<int>(std::lround(cy)), col = static_cast<int>(std::lround(cx));
    auto first_dark = [&](int x, int y, int dx, int dy) {  // walk in from the panel's edge to the outline
        for (; x >= 0 && y >= 0 && x < png.width && y < png.height; x += dx, y += dy)
            if (png.at(x, y) < 60.0) return std::hypot(x - cx, y - cy);
        return -1.0;
    };
    const double left = first_dark(static_cast<int>(t.x0) + 1, row, 1, 0);
    const double right = first_dark(static_cast<int>(t.x0 + t.w) - 1, row, -1, 0);
    const double top = first_dark(col, static_cast<int>(t.y0) + 1, 0, 1);
    CATCH_INFO("expected radius " << radius << " px; found left " << left << ", right " << right << ", top " << top);
    // The outline is 2 px wide and centred on the circle: its outer edge is 1 px outside.
    for (double r : {left, right, top}) CATCH_CHECK(std::abs(r - radius) <= 2.0);
}

CATCH_TEST_CASE("pictures: curve traversal vs the straight line on the sphere is written") {
    pt::temp_folder dir("curve");
    auto fig = plot::pictures::curve_vs_line(1000, 480);
    check_written(fig, dir, "curve_vs_line", 1000, 480);
}

CATCH_TEST_CASE("pictures: the potential landscapes and their flows are written") {
    pt::temp_folder dir("flows");
    auto fig = plot::pictures::flows(1000, 500);
    check_written(fig, dir, "flows", 1000, 500);
}

CATCH_TEST_CASE("pictures: warpage curves of a linear and a random generator are written") {
    namespace le = latentwalk::eigen;
    pt::temp_folder dir("warpage");
    le::mlp_generator<double>::options mo;
    mo.pixel_norm_first = true;
    const auto mlp = le::mlp_generator<double>::random({12, 12, 12, 12}, mo, 4);
    const Eigen::MatrixXd W = mlp.layers().front().weight;
    const le::linear_generator<double> lin(W);
    const Eigen::MatrixXd sefa = latentwalk::sefa_directions(W, 4).directions;
    plot::pictures::warpage_curves_options o;
    o.pairs = 8;
    o.k_max = 4;
    o.panel_width = 400;
    o.height = 420;
    auto fig = plot::pictures::warpage_curves(o, plot::pictures::warpage_of("linear", lin, sefa),
                                              plot::pictures::warpage_of("MLP", mlp, sefa));
    CATCH_CHECK(fig.panels() == 2);
    check_written(fig, dir, "warpage", 800, 420);
}

#if defined(LATENTWALK_PLOT_HAVE_CHI)
CATCH_TEST_CASE("pictures: the chi shell and the two walks through it are written") {
    pt::temp_folder dir("chi");
    auto fig = plot::pictures::chi_shell(64, 2000, 900, 420);
    check_written(fig, dir, "chi_shell", 900, 420);
}
#endif

CATCH_TEST_CASE("pictures: singular spectra of two generators are written") {
    namespace le = latentwalk::eigen;
    pt::temp_folder dir("spectra");
    const auto a = le::mlp_generator<double>::random({10, 16, 20}, {}, 1);
    const le::linear_generator<double> b(Eigen::MatrixXd::Identity(20, 10) * 0.5);
    auto fig = plot::pictures::singular_spectra({.points = 3, .seed = 2, .width = 900, .height = 400},
                                                plot::pictures::spectrum_of("MLP", a),
                                                plot::pictures::spectrum_of("linear", b));
    check_written(fig, dir, "spectra", 900, 400);
}

CATCH_TEST_CASE("pictures: the traversal grid's cells show the generator's outputs") {
    pt::temp_folder dir("grid");
    auto data = plot::pictures::decoder_traversal_grid();
    const auto& grid = data.grid;
    CATCH_REQUIRE(grid.rows() == 4);
    CATCH_REQUIRE(grid.cols() == 7);
    // image_grid's layout: 60 px of row labels, 16 px of column labels, 20 px of title, padding 2.
    const int scale = grid.scale, pad = grid.padding, cell = 8 * scale;
    const int W = 60 + 7 * (cell + pad) + pad, H = 20 + 16 + 4 * (cell + pad) + pad;
    check_written(grid, dir, "traversal_grid", W, H);
    const auto png = pt::read_png(dir.file("traversal_grid.png"));
    const auto g = plot::pictures::pattern_decoder();
    int checked = 0, worst = 0;
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t c = 0; c < 7; ++c) {
            const double t = (static_cast<double>(c) - 3.0) * data.step;
            const Eigen::VectorXd out = g(Eigen::VectorXd(data.z0 + t * data.directions[r]));
            for (int y = 0; y < 8; ++y)
                for (int x = 0; x < 8; ++x) {
                    const int X = 60 + pad + static_cast<int>(c) * (cell + pad) + x * scale + scale / 2;
                    const int Y = 20 + 16 + pad + static_cast<int>(r) * (cell + pad) + y * scale + scale / 2;
                    const int expected = static_cast<int>(std::lround(255.0 * std::clamp(out[8 * y + x], 0.0, 1.0)));
                    worst = std::max(worst, std::abs(png.red(X, Y) - expected));
                    ++checked;
                }
        }
    CATCH_CHECK(checked == 4 * 7 * 64);
    CATCH_CHECK(worst <= 1);
    // The middle column is g(z0) in every row; the rows differ elsewhere.
    CATCH_CHECK(g(data.z0).isApprox(Eigen::VectorXd::Constant(64, 0.5)));
}

CATCH_TEST_CASE("pictures: traversal_grid refuses an image shape that does not fit the output") {
    const auto g = plot::pictures::pattern_decoder();
    const std::vector<Eigen::VectorXd> dirs{Eigen::VectorXd::Unit(4, 0)};
    CATCH_CHECK_THROWS_WITH(plot::traversal_grid(g, Eigen::VectorXd::Zero(4).eval(), dirs, 2, 0.5, {.height = 7, .width = 8}),
                            Catch::Contains("64 values"));
}

CATCH_TEST_CASE("pictures: a report places every picture in report.md and refuses a missing folder") {
    pt::temp_folder dir("report");
    plot::picture_report rep(dir.path.string());
    rep.section("Flows");
    auto fig = plot::pictures::flows(600, 320);
    rep.add(fig, "flows", "What the reader sees.");
    auto grid = plot::pictures::decoder_traversal_grid();
    rep.add(grid.grid, "grid", "Rows are directions.");
    const std::string md = pt::read_text(rep.finish("test report", "tour.txt"));
    CATCH_CHECK(rep.pictures() == 2);
    CATCH_CHECK(md.find("## Flows") != std::string::npos);
    CATCH_CHECK(md.find("(flows.png)") != std::string::npos);
    CATCH_CHECK(md.find("(grid.svg)") != std::string::npos);
    CATCH_CHECK(md.find("[tour.txt](tour.txt)") != std::string::npos);
    CATCH_CHECK(pt::read_png(dir.file("grid.png")).ok);
    CATCH_CHECK_THROWS_WITH(plot::picture_report(dir.file("not-there")), Catch::Contains("not-there"));
}
