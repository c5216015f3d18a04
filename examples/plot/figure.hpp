#pragma once
// examples/plot/figure.hpp — a small plotting layer over cairo for the tour and the examples:
// figures of panels with axes, lines, markers, arrows, bands, contours, heat maps, histograms,
// legends and titles; PNG and SVG (and PDF) from the same code, the format by the file's extension.
//
//     plot::figure fig(960, 420, 1, 2);                      // 960 × 420 device pixels, 1 row, 2 panels
//     fig.title = "Curve traversal on the sphere";
//     plot::axes& ax = fig.panel(0);
//     ax.title = "orthographic view"; ax.xlabel = "x"; ax.ylabel = "y"; ax.equal_aspect = true;
//     ax.line(xs, ys, {.colour = plot::palette::blue}, "curve traversal");
//     ax.band(ks, lo, hi, plot::palette::grey, "Haar: mean ± sd");
//     ax.arrow(0, 0, 0.3, 0.1, {.colour = plot::palette::vermillion});
//     fig.write("out/curve.png");                            // or .svg, .pdf
//
// What each panel offers (all coordinates are data coordinates; every call takes an optional legend label):
//
//   | call                                   | draws                                                        |
//   |----------------------------------------|--------------------------------------------------------------|
//   | line(xs, ys, style)                    | a polyline; a non-finite point breaks it                     |
//   | scatter(xs, ys, style)                 | markers (style.mark; circle when none)                       |
//   | arrow(x0, y0, x1, y1, style)           | a segment with a head of fixed device size at (x1, y1)       |
//   | band(xs, lo, hi, colour, alpha)        | the filled region between two curves (mean ± sd)             |
//   | polygon(xs, ys, fill, alpha, edge)     | a closed filled shape, optional outline                      |
//   | hline(y, style), vline(x, style)       | a horizontal / vertical reference line across the panel      |
//   | histogram(values, bins, lo, hi, ...)   | bars of counts, or of a density (area 1) when density = true |
//   | contour(field, levels, style)          | level sets of a scalar_grid (marching squares, contour.hpp)  |
//   | heatmap(field, lo, hi)                 | the field as a light colour map (bilinear), under the lines  |
//   | text(x, y, s, colour)                  | a label anchored at its left baseline                        |
//
// Axes: ticks at 1, 2, 5 × 10^k steps (nice_ticks), labels with as many decimals as the step needs,
// the limits from the data (padded by 4 %) unless set_xlim / set_ylim fix them; `log_y` uses decades;
// `equal_aspect` makes one data unit the same length on both axes (for geometry: the plot area shrinks
// along one axis, centred, to keep the limits); `show_axes = false`
// hides frame and ticks (for projections of 3-D scenes). The legend lists labelled elements in the
// order they were added, in the corner `legend_at` names.
//
// Palette: Okabe & Ito's eight colours (distinguishable with the common colour-vision deficiencies);
// palette::cycle(i) is the order every picture uses for its series; palette::sequential(t) is a
// blue → yellow ramp of increasing lightness (a cividis-like ramp) for levels and heat maps.
//
// Readability: fonts are DejaVu Sans (Debian fonts-dejavu-core) at 12–16 px, lines 2 px, for a
// picture read at the size it is written (no downscaling). Text may be UTF-8 (σ, ‖z‖, ±).
//
// Conventions: device pixels, origin at the top left, y down; data y up. Panels are numbered row-major.
// Layout is deterministic: after fig.layout() (write calls it) axes::to_device maps data to pixels, so a
// test can say where a plotted point must be. Errors: latentwalk::plot_error with a sentence for arrays of
// different lengths, a non-positive value on a log axis only when no positive value is left, an empty
// limit interval, a panel index out of range, an unknown extension or an unwritable file.
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <tuple>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "contour.hpp"
#include "image_grid.hpp"  // write_surface, plot_error

namespace plot {

inline constexpr double pi = 3.14159265358979323846;

/// A colour, components in [0, 1].
struct rgb {
    double r = 0, g = 0, b = 0;
};

/// Okabe & Ito (2008), "Color Universal Design": eight colours safe for colour-blind readers.
namespace palette {
inline constexpr rgb black{0.0, 0.0, 0.0};
inline constexpr rgb orange{0.902, 0.624, 0.0};
inline constexpr rgb sky_blue{0.337, 0.706, 0.914};
inline constexpr rgb green{0.0, 0.620, 0.451};
inline constexpr rgb yellow{0.941, 0.894, 0.259};
inline constexpr rgb blue{0.0, 0.447, 0.698};
inline constexpr rgb vermillion{0.835, 0.369, 0.0};
inline constexpr rgb purple{0.800, 0.475, 0.655};
inline constexpr rgb grey{0.60, 0.60, 0.60};
inline constexpr rgb light_grey{0.85, 0.85, 0.85};

/// The series order of every picture: blue, vermillion, green, orange, purple, sky blue, black, yellow.
inline rgb cycle(std::size_t i) {
    constexpr rgb order[] = {blue, vermillion, green, orange, purple, sky_blue, black, yellow};
    return order[i % 8];
}

/// A sequential ramp for t in [0, 1]: dark blue → grey → yellow, lightness increasing (cividis-like).
inline rgb sequential(double t) {
    constexpr rgb stops[] = {{0.000, 0.135, 0.304}, {0.234, 0.306, 0.420}, {0.485, 0.482, 0.471},
                             {0.741, 0.672, 0.440}, {0.995, 0.905, 0.218}};
    t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(t));
    const double f = t - i;
    return {stops[i].r + f * (stops[i + 1].r - stops[i].r), stops[i].g + f * (stops[i + 1].g - stops[i].g),
            stops[i].b + f * (stops[i + 1].b - stops[i].b)};
}
}  // namespace palette

enum class marker { none, circle, square, triangle, diamond, cross };

/// How a line, marker or arrow is drawn.
struct style {
    rgb colour = palette::blue;
    double width = 2.0;       ///< line width, device pixels
    bool dashed = false;
    double alpha = 1.0;
    marker mark = marker::none;
    double marker_size = 7.0;  ///< device pixels across
};

enum class corner { top_right, top_left, bottom_right, bottom_left };

/// The 1-2-5 step giving about `target` intervals over `range` (> 0).
inline double nice_step(double range, int target = 6) {
    if (!(range > 0) || !std::isfinite(range)) return 1.0;
    const double raw = range / std::max(1, target);
    const double decade = std::pow(10.0, std::floor(std::log10(raw)));
    const double m = raw / decade;
    const double nice = m < 1.5 ? 1.0 : m < 3.5 ? 2.0 : m < 7.5 ? 5.0 : 10.0;
    return nice * decade;
}

/// Tick positions: the multiples of nice_step(hi − lo, target) inside [lo, hi].
inline std::vector<double> nice_ticks(double lo, double hi, int target = 6) {
    std::vector<double> ticks;
    if (!(hi > lo)) return ticks;
    const double step = nice_step(hi - lo, target);
    const double eps = 1e-9 * step;
    for (double k = std::ceil((lo - eps) / step); k * step <= hi + eps; k += 1.0) {
        const double v = k * step;
        ticks.push_back(std::abs(v) < eps ? 0.0 : v);
    }
    return ticks;
}

/// A tick label with as many decimals as `step` needs (scientific for very small or large magnitudes).
inline std::string tick_label(double v, double step) {
    char buf[32];
    const double mag = std::max(std::abs(v), step);
    if (mag != 0 && (mag >= 1e5 || mag < 1e-3)) {
        std::snprintf(buf, sizeof buf, "%.0e", v);
    } else {
        const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(step) - 1e-9)));
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    }
    return buf;
}

/// A measured number for a legend or a note: `digits` significant digits (%g).
inline std::string short_number(double v, int digits = 2) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

/// The decimal digits of n as Unicode subscripts (χ₅₁₂), for titles.
inline std::string subscript(long long n) {
    static const char* digits[] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
    std::string s = n < 0 ? "₋" : "";
    for (char c : std::to_string(n < 0 ? -n : n)) s += digits[c - '0'];
    return s;
}

/// Data → device map of one panel (set by figure::layout).
struct transform {
    double x0 = 0, y0 = 0, w = 1, h = 1;            ///< plot area in device pixels (top left, size)
    double xlo = 0, xhi = 1, ylo = 0, yhi = 1;      ///< data limits (log10 of them on a log axis)
    bool log_y = false;
    double dx(double x) const { return x0 + (x - xlo) / (xhi - xlo) * w; }
    double dy(double y) const {
        const double v = log_y ? (y > 0 ? std::log10(y) : -INFINITY) : y;
        return y0 + h - (v - ylo) / (yhi - ylo) * h;
    }
};

/// One panel: axes, its elements and their legend entries.
class axes {
public:
    std::string title, xlabel, ylabel;
    bool equal_aspect = false;
    bool show_axes = true;
    bool log_y = false;
    bool grid = true;  ///< light lines at the ticks
    corner legend_at = corner::top_right;

    void set_xlim(double lo, double hi) { xlim_ = checked_limits(lo, hi, "set_xlim"); }
    void set_ylim(double lo, double hi) { ylim_ = checked_limits(lo, hi, "set_ylim"); }

    void line(const std::vector<double>& xs, const std::vector<double>& ys, style s = {}, std::string label = "") {
        same_size(xs, ys, "line");
        extend(xs, ys);
        add(std::move(label), s, legend_kind::line, [xs, ys, s](cairo_t* cr, const transform& t) {
            stroke_polyline(cr, t, xs, ys, s);
            if (s.mark != marker::none)
                for (std::size_t i = 0; i < xs.size(); ++i) draw_marker(cr, t.dx(xs[i]), t.dy(ys[i]), s);
        });
    }

    void scatter(const std::vector<double>& xs, const std::vector<double>& ys, style s = {}, std::string label = "") {
        same_size(xs, ys, "scatter");
        if (s.mark == marker::none) s.mark = marker::circle;
        extend(xs, ys);
        add(std::move(label), s, legend_kind::marker, [xs, ys, s](cairo_t* cr, const transform& t) {
            for (std::size_t i = 0; i < xs.size(); ++i) draw_marker(cr, t.dx(xs[i]), t.dy(ys[i]), s);
        });
    }

    void arrow(double x0, double y0, double x1, double y1, style s = {}, std::string label = "") {
        extend({x0, x1}, {y0, y1});
        add(std::move(label), s, legend_kind::arrow, [=](cairo_t* cr, const transform& t) {
            draw_arrow(cr, t.dx(x0), t.dy(y0), t.dx(x1), t.dy(y1), s);
        });
    }

    void band(const std::vector<double>& xs, const std::vector<double>& lo, const std::vector<double>& hi, rgb colour,
              double alpha = 0.25, std::string label = "") {
        same_size(xs, lo, "band");
        same_size(xs, hi, "band");
        extend(xs, lo);
        extend(xs, hi);
        style s{colour, 0, false, alpha};
        add(std::move(label), s, legend_kind::patch, [xs, lo, hi, colour, alpha](cairo_t* cr, const transform& t) {
            if (xs.empty()) return;
            cairo_new_path(cr);
            for (std::size_t i = 0; i < xs.size(); ++i) cairo_line_to(cr, t.dx(xs[i]), t.dy(hi[i]));
            for (std::size_t i = xs.size(); i-- > 0;) cairo_line_to(cr, t.dx(xs[i]), t.dy(lo[i]));
            cairo_close_path(cr);
            cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, alpha);
            cairo_fill(cr);
        });
    }

    void polygon(const std::vector<double>& xs, const std::vector<double>& ys, rgb fill, double alpha = 1.0,
                 std::optional<style> edge = std::nullopt, std::string label = "") {
        same_size(xs, ys, "polygon");
        extend(xs, ys);
        style s{fill, 0, false, alpha};
        add(std::move(label), s, legend_kind::patch, [xs, ys, fill, alpha, edge](cairo_t* cr, const transform& t) {
            cairo_new_path(cr);
            for (std::size_t i = 0; i < xs.size(); ++i) cairo_line_to(cr, t.dx(xs[i]), t.dy(ys[i]));
            cairo_close_path(cr);
            cairo_set_source_rgba(cr, fill.r, fill.g, fill.b, alpha);
            if (edge) {
                cairo_fill_preserve(cr);
                apply(cr, *edge);
                cairo_stroke(cr);
            } else {
                cairo_fill(cr);
            }
        });
    }

    void hline(double y, style s = {}, std::string label = "") {
        extend({}, {y});
        add(std::move(label), s, legend_kind::line, [y, s](cairo_t* cr, const transform& t) {
            apply(cr, s);
            cairo_move_to(cr, t.x0, t.dy(y));
            cairo_line_to(cr, t.x0 + t.w, t.dy(y));
            cairo_stroke(cr);
        });
    }

    void vline(double x, style s = {}, std::string label = "") {
        extend({x}, {});
        add(std::move(label), s, legend_kind::line, [x, s](cairo_t* cr, const transform& t) {
            apply(cr, s);
            cairo_move_to(cr, t.dx(x), t.y0);
            cairo_line_to(cr, t.dx(x), t.y0 + t.h);
            cairo_stroke(cr);
        });
    }

    /// Bars over `bins` equal bins of [lo, hi]; values outside are not counted. density: bar areas sum to
    /// the fraction of values inside (1 when all are). Returns the bar heights.
    std::vector<double> histogram(const std::vector<double>& values, int bins, double lo, double hi, bool density,
                                  rgb colour, double alpha = 0.55, std::string label = "") {
        if (bins < 1 || !(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
            throw latentwalk::plot_error("plot::axes::histogram: bins must be positive and lo < hi finite.");
        std::vector<double> h(static_cast<std::size_t>(bins), 0.0);
        const double width = (hi - lo) / bins;
        for (double v : values) {
            if (!(v >= lo && v <= hi)) continue;
            const int b = std::min(bins - 1, static_cast<int>((v - lo) / width));
            h[static_cast<std::size_t>(b)] += 1.0;
        }
        if (density && !values.empty())
            for (double& c : h) c /= static_cast<double>(values.size()) * width;
        extend({lo, hi}, {0.0});
        extend({}, {*std::max_element(h.begin(), h.end())});
        style s{colour, 0, false, alpha};
        add(std::move(label), s, legend_kind::patch, [h, lo, width, colour, alpha](cairo_t* cr, const transform& t) {
            for (std::size_t b = 0; b < h.size(); ++b) {
                if (h[b] <= 0) continue;
                const double xa = t.dx(lo + width * static_cast<double>(b)), xb = t.dx(lo + width * static_cast<double>(b + 1));
                const double base = t.log_y ? t.y0 + t.h : t.dy(0.0);
                cairo_rectangle(cr, xa, t.dy(h[b]), xb - xa, base - t.dy(h[b]));
                cairo_set_source_rgba(cr, colour.r, colour.g, colour.b, alpha);
                cairo_fill_preserve(cr);
                cairo_set_source_rgba(cr, colour.r * 0.7, colour.g * 0.7, colour.b * 0.7, 1.0);
                cairo_set_line_width(cr, 0.8);
                cairo_stroke(cr);
            }
        });
        return h;
    }

    /// Level sets of `field` at `levels`; each level coloured by palette::sequential unless `s` fixes a
    /// colour (fixed_colour = true). The label goes to the legend once.
    void contour(const scalar_grid& field, const std::vector<double>& levels, style s = {.width = 1.2},
                 bool fixed_colour = false, std::string label = "") {
        field.validate("plot::axes::contour");
        extend({field.xs.front(), field.xs.back()}, {field.ys.front(), field.ys.back()});
        std::vector<std::pair<rgb, std::vector<segment>>> sets;
        const double lmin = levels.empty() ? 0 : *std::min_element(levels.begin(), levels.end());
        const double lmax = levels.empty() ? 1 : *std::max_element(levels.begin(), levels.end());
        for (double level : levels) {
            const rgb c = fixed_colour ? s.colour : palette::sequential(lmax > lmin ? 0.85 * (level - lmin) / (lmax - lmin) : 0.5);
            sets.emplace_back(c, contour_segments(field, level));
        }
        add(std::move(label), s, legend_kind::line, [sets, s](cairo_t* cr, const transform& t) {
            for (const auto& [c, segs] : sets) {
                style sc = s;
                sc.colour = c;
                apply(cr, sc);
                for (const auto& g : segs) {
                    cairo_move_to(cr, t.dx(g.x0), t.dy(g.y0));
                    cairo_line_to(cr, t.dx(g.x1), t.dy(g.y1));
                }
                cairo_stroke(cr);
            }
        });
    }

    /// The field as a colour map (palette::sequential, lightened) between lo and hi, bilinear.
    void heatmap(const scalar_grid& field, double lo, double hi, double lighten = 0.55) {
        field.validate("plot::axes::heatmap");
        if (!(hi > lo)) throw latentwalk::plot_error("plot::axes::heatmap: hi must exceed lo.");
        extend({field.xs.front(), field.xs.back()}, {field.ys.front(), field.ys.back()});
        add("", {}, legend_kind::none, [field, lo, hi, lighten](cairo_t* cr, const transform& t) {
            const int nx = static_cast<int>(field.xs.size()), ny = static_cast<int>(field.ys.size());
            cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, nx, ny);
            const int stride = cairo_image_surface_get_stride(img);
            unsigned char* data = cairo_image_surface_get_data(img);
            auto byte = [](double v) { return static_cast<std::uint32_t>(std::lround(255.0 * std::clamp(v, 0.0, 1.0))); };
            for (int j = 0; j < ny; ++j) {
                auto* row = reinterpret_cast<std::uint32_t*>(data + (ny - 1 - j) * stride);  // y up
                for (int i = 0; i < nx; ++i) {
                    const rgb c = palette::sequential((field.at(i, j) - lo) / (hi - lo));
                    auto l = [&](double v) { return byte(v + lighten * (1.0 - v)); };
                    row[i] = (l(c.r) << 16) | (l(c.g) << 8) | l(c.b);
                }
            }
            cairo_surface_mark_dirty(img);
            const double X0 = t.dx(field.xs.front()), X1 = t.dx(field.xs.back());
            const double Y0 = t.dy(field.ys.back()), Y1 = t.dy(field.ys.front());
            cairo_save(cr);
            cairo_rectangle(cr, X0, Y0, X1 - X0, Y1 - Y0);
            cairo_clip(cr);
            cairo_translate(cr, X0, Y0);
            cairo_scale(cr, (X1 - X0) / (nx - 1), (Y1 - Y0) / (ny - 1));
            cairo_set_source_surface(cr, img, -0.5, -0.5);
            cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
            cairo_paint(cr);
            cairo_restore(cr);
            cairo_surface_destroy(img);
        });
    }

    void text(double x, double y, std::string s, rgb colour = palette::black, double size = 12) {
        extend({x}, {y});
        add("", {}, legend_kind::none, [=](cairo_t* cr, const transform& t) {
            cairo_set_source_rgb(cr, colour.r, colour.g, colour.b);
            cairo_set_font_size(cr, size);
            cairo_move_to(cr, t.dx(x), t.dy(y));
            cairo_show_text(cr, s.c_str());
        });
    }

    /// Where data (x, y) lands in device pixels; valid after figure::layout().
    std::pair<double, double> to_device(double x, double y) const { return {tf_.dx(x), tf_.dy(y)}; }
    const transform& device_transform() const { return tf_; }
    bool empty() const { return elements_.empty(); }

private:
    friend class figure;
    enum class legend_kind { none, line, marker, arrow, patch };
    struct element {
        std::string label;
        style s;
        legend_kind kind;
        std::function<void(cairo_t*, const transform&)> draw;
    };

    static std::pair<double, double> checked_limits(double lo, double hi, const char* what) {
        if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
            throw latentwalk::plot_error(std::string("plot::axes::") + what + ": the limits must be finite with lo < hi.");
        return {lo, hi};
    }
    static void same_size(const std::vector<double>& a, const std::vector<double>& b, const char* what) {
        if (a.size() != b.size())
            throw latentwalk::plot_error(std::string("plot::axes::") + what + ": the x and y arrays have " +
                                         std::to_string(a.size()) + " and " + std::to_string(b.size()) +
                                         " values; they must have the same length.");
    }
    void extend(const std::vector<double>& xs, const std::vector<double>& ys) {
        for (double x : xs)
            if (std::isfinite(x)) xb_.first = std::min(xb_.first, x), xb_.second = std::max(xb_.second, x);
        for (double y : ys)
            if (std::isfinite(y)) {
                yb_.first = std::min(yb_.first, y), yb_.second = std::max(yb_.second, y);
                if (y > 0) ypos_ = std::min(ypos_, y);
            }
    }
    void add(std::string label, style s, legend_kind kind, std::function<void(cairo_t*, const transform&)> draw) {
        elements_.push_back({std::move(label), s, kind, std::move(draw)});
    }

    static void apply(cairo_t* cr, const style& s) {
        cairo_set_source_rgba(cr, s.colour.r, s.colour.g, s.colour.b, s.alpha);
        cairo_set_line_width(cr, s.width);
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
        if (s.dashed) {
            const double dash[] = {6.0, 4.0};
            cairo_set_dash(cr, dash, 2, 0);
        } else {
            cairo_set_dash(cr, nullptr, 0, 0);
        }
    }
    static void stroke_polyline(cairo_t* cr, const transform& t, const std::vector<double>& xs,
                                const std::vector<double>& ys, const style& s) {
        apply(cr, s);
        cairo_new_path(cr);
        bool pen = false;
        for (std::size_t i = 0; i < xs.size(); ++i) {
            const double X = t.dx(xs[i]), Y = t.dy(ys[i]);
            if (!std::isfinite(X) || !std::isfinite(Y)) {
                pen = false;
                continue;
            }
            if (pen) cairo_line_to(cr, X, Y);
            else cairo_move_to(cr, X, Y);
            pen = true;
        }
        cairo_stroke(cr);
    }
    static void draw_marker(cairo_t* cr, double X, double Y, const style& s) {
        if (!std::isfinite(X) || !std::isfinite(Y)) return;
        const double r = s.marker_size / 2;
        style edge = s;
        edge.width = 1.3;
        edge.dashed = false;
        cairo_new_path(cr);
        switch (s.mark) {
            case marker::none:
            case marker::circle: cairo_arc(cr, X, Y, r, 0, 2 * pi); break;
            case marker::square: cairo_rectangle(cr, X - r, Y - r, 2 * r, 2 * r); break;
            case marker::triangle:
                cairo_move_to(cr, X, Y - r * 1.15);
                cairo_line_to(cr, X + r, Y + r * 0.75);
                cairo_line_to(cr, X - r, Y + r * 0.75);
                cairo_close_path(cr);
                break;
            case marker::diamond:
                cairo_move_to(cr, X, Y - r * 1.2);
                cairo_line_to(cr, X + r, Y);
                cairo_line_to(cr, X, Y + r * 1.2);
                cairo_line_to(cr, X - r, Y);
                cairo_close_path(cr);
                break;
            case marker::cross:
                apply(cr, edge);
                cairo_set_line_width(cr, 2.0);
                cairo_move_to(cr, X - r, Y - r);
                cairo_line_to(cr, X + r, Y + r);
                cairo_move_to(cr, X - r, Y + r);
                cairo_line_to(cr, X + r, Y - r);
                cairo_stroke(cr);
                return;
        }
        cairo_set_source_rgba(cr, s.colour.r, s.colour.g, s.colour.b, s.alpha);
        cairo_fill_preserve(cr);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
        cairo_set_line_width(cr, 0.9);
        cairo_stroke(cr);
    }
    static void draw_arrow(cairo_t* cr, double X0, double Y0, double X1, double Y1, const style& s) {
        const double len = std::hypot(X1 - X0, Y1 - Y0);
        if (!(len > 0) || !std::isfinite(len)) return;
        const double ux = (X1 - X0) / len, uy = (Y1 - Y0) / len;
        const double head = std::min(len * 0.6, 5.0 + 2.5 * s.width), half = head * 0.45;
        apply(cr, s);
        cairo_move_to(cr, X0, Y0);
        cairo_line_to(cr, X1 - ux * head * 0.8, Y1 - uy * head * 0.8);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        cairo_move_to(cr, X1, Y1);
        cairo_line_to(cr, X1 - ux * head - uy * half, Y1 - uy * head + ux * half);
        cairo_line_to(cr, X1 - ux * head + uy * half, Y1 - uy * head - ux * half);
        cairo_close_path(cr);
        cairo_fill(cr);
    }

    std::vector<element> elements_;
    std::pair<double, double> xb_{INFINITY, -INFINITY}, yb_{INFINITY, -INFINITY};
    double ypos_ = INFINITY;  ///< smallest positive y (the lower limit of a log axis)
    std::optional<std::pair<double, double>> xlim_, ylim_;
    transform tf_;
};

/// A width × height picture of rows × cols panels, with an optional title and a note under the panels.
class figure {
public:
    figure(int width, int height, int rows = 1, int cols = 1)
        : width_(width), height_(height), rows_(rows), cols_(cols), panels_(static_cast<std::size_t>(std::max(0, rows * cols))) {
        if (width < 64 || height < 64 || rows < 1 || cols < 1)
            throw latentwalk::plot_error("plot::figure: the size must be at least 64 × 64 pixels and there must be at "
                                         "least one row and one column of panels.");
    }

    std::string title;
    std::string note;  ///< one line of small text along the bottom edge (units, seeds, ...)

    int width() const { return width_; }
    int height() const { return height_; }
    std::size_t panels() const { return panels_.size(); }

    axes& panel(std::size_t i) {
        check_index(i);
        return panels_[i];
    }
    const axes& panel(std::size_t i) const {
        check_index(i);
        return panels_[i];
    }
    axes& panel(int row, int col) { return panel(static_cast<std::size_t>(row * cols_ + col)); }

    /// Fixes every panel's data limits and plot area (write calls it; to_device is valid afterwards).
    void layout() {
        const double top = title.empty() ? 0.0 : 30.0, bottom = note.empty() ? 0.0 : 20.0;
        const double cw = static_cast<double>(width_) / cols_, ch = (height_ - top - bottom) / rows_;
        for (int r = 0; r < rows_; ++r)
            for (int c = 0; c < cols_; ++c) {
                axes& ax = panels_[static_cast<std::size_t>(r * cols_ + c)];
                const double ml = ax.show_axes ? (ax.ylabel.empty() ? 52.0 : 70.0) : 10.0;
                const double mb = ax.show_axes ? (ax.xlabel.empty() ? 30.0 : 50.0) : 10.0;
                const double mt = ax.title.empty() ? 12.0 : 32.0, mr = 16.0;
                transform& t = ax.tf_;
                t.x0 = c * cw + ml;
                t.y0 = top + r * ch + mt;
                t.w = std::max(10.0, cw - ml - mr);
                t.h = std::max(10.0, ch - mt - mb);
                t.log_y = ax.log_y;
                auto limits = [](std::pair<double, double> b, const std::optional<std::pair<double, double>>& fixed,
                                 bool log) {
                    if (fixed) return log ? std::pair{std::log10(fixed->first), std::log10(fixed->second)} : *fixed;
                    if (!(b.second >= b.first)) b = {0.0, 1.0};
                    if (log) b = {std::log10(b.first), std::log10(b.second)};
                    double span = b.second - b.first;
                    if (!(span > 0)) {
                        const double d = b.first != 0 ? 0.1 * std::abs(b.first) : 1.0;
                        return std::pair{b.first - d, b.second + d};
                    }
                    return std::pair{b.first - 0.04 * span, b.second + 0.04 * span};
                };
                std::tie(t.xlo, t.xhi) = limits(ax.xb_, ax.xlim_, false);
                if (ax.log_y && !ax.ylim_ && !(ax.ypos_ <= ax.yb_.second))
                    throw latentwalk::plot_error("plot::figure::layout: a panel with a logarithmic y axis has no positive "
                                                 "value to show; set its limits with set_ylim or plot positive data.");
                std::tie(t.ylo, t.yhi) =
                    limits(ax.log_y ? std::pair{ax.ypos_, ax.yb_.second} : ax.yb_, ax.ylim_, ax.log_y);
                if (ax.equal_aspect && !ax.log_y) {
                    // Same pixels per unit on both axes: narrow the plot area along the looser axis, centred.
                    const double sx = t.w / (t.xhi - t.xlo), sy = t.h / (t.yhi - t.ylo);
                    if (sx > sy) {
                        const double w = sy * (t.xhi - t.xlo);
                        t.x0 += (t.w - w) / 2, t.w = w;
                    } else {
                        const double h = sx * (t.yhi - t.ylo);
                        t.y0 += (t.h - h) / 2, t.h = h;
                    }
                }
            }
    }

    /// Lays out and writes the figure; the format follows the extension (.png, .svg, .pdf).
    void write(const std::string& path) {
        layout();
        write_surface(path, width_, height_, [&](cairo_t* cr) {
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_paint(cr);
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
            if (!title.empty()) {
                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
                cairo_set_font_size(cr, 16);
                cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
                centred_text(cr, title, width_ / 2.0, 21);
                cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
            }
            for (const axes& ax : panels_) draw_panel(cr, ax);
            if (!note.empty()) {
                cairo_set_font_size(cr, 11);
                cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
                cairo_move_to(cr, 8, height_ - 6);
                cairo_show_text(cr, note.c_str());
            }
        });
    }

private:
    void check_index(std::size_t i) const {
        if (i >= panels_.size())
            throw latentwalk::plot_error("plot::figure::panel: panel " + std::to_string(i) + " does not exist; the figure has " +
                                         std::to_string(panels_.size()) + ".");
    }
    static void centred_text(cairo_t* cr, const std::string& s, double x, double y) {
        cairo_text_extents_t e;
        cairo_text_extents(cr, s.c_str(), &e);
        cairo_move_to(cr, x - e.width / 2 - e.x_bearing, y);
        cairo_show_text(cr, s.c_str());
    }

    static void draw_panel(cairo_t* cr, const axes& ax) {
        const transform& t = ax.tf_;
        cairo_set_dash(cr, nullptr, 0, 0);
        const double ystep = nice_step(t.yhi - t.ylo, 5);
        const std::vector<double> xt = nice_ticks(t.xlo, t.xhi, 6);
        std::vector<double> yt;
        if (ax.log_y) {
            for (double e = std::ceil(t.ylo - 1e-9); e <= t.yhi + 1e-9; e += std::max(1.0, std::ceil((t.yhi - t.ylo) / 6)))
                yt.push_back(e);
        } else {
            yt = nice_ticks(t.ylo, t.yhi, 5);
        }
        auto ydev = [&](double v) { return t.y0 + t.h - (v - t.ylo) / (t.yhi - t.ylo) * t.h; };  // in axis units
        if (ax.show_axes && ax.grid) {
            cairo_set_source_rgb(cr, 0.92, 0.92, 0.92);
            cairo_set_line_width(cr, 1.0);
            for (double x : xt) cairo_move_to(cr, std::round(t.dx(x)) + 0.5, t.y0), cairo_line_to(cr, std::round(t.dx(x)) + 0.5, t.y0 + t.h);
            for (double y : yt) cairo_move_to(cr, t.x0, std::round(ydev(y)) + 0.5), cairo_line_to(cr, t.x0 + t.w, std::round(ydev(y)) + 0.5);
            cairo_stroke(cr);
        }
        // Data, clipped to the plot area.
        cairo_save(cr);
        cairo_rectangle(cr, t.x0, t.y0, t.w, t.h);
        cairo_clip(cr);
        for (const auto& e : ax.elements_) {
            cairo_save(cr);
            e.draw(cr, t);
            cairo_restore(cr);
        }
        cairo_restore(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        if (ax.show_axes) {
            cairo_set_line_width(cr, 1.0);
            cairo_rectangle(cr, std::round(t.x0) + 0.5, std::round(t.y0) + 0.5, std::round(t.w), std::round(t.h));
            cairo_stroke(cr);
            cairo_set_font_size(cr, 12);
            const double xstep = nice_step(t.xhi - t.xlo, 6);
            for (double x : xt) {
                const double X = std::round(t.dx(x)) + 0.5;
                cairo_move_to(cr, X, t.y0 + t.h), cairo_line_to(cr, X, t.y0 + t.h + 5);
                cairo_stroke(cr);
                centred_text(cr, tick_label(x, xstep), X, t.y0 + t.h + 19);
            }
            for (double y : yt) {
                const double Y = std::round(ydev(y)) + 0.5;
                cairo_move_to(cr, t.x0 - 5, Y), cairo_line_to(cr, t.x0, Y);
                cairo_stroke(cr);
                const std::string s = ax.log_y ? log_label(y) : tick_label(y, ystep);
                cairo_text_extents_t ext;
                cairo_text_extents(cr, s.c_str(), &ext);
                cairo_move_to(cr, t.x0 - 8 - ext.x_advance, Y + 4.5);
                cairo_show_text(cr, s.c_str());
            }
            cairo_set_font_size(cr, 13);
            if (!ax.xlabel.empty()) centred_text(cr, ax.xlabel, t.x0 + t.w / 2, t.y0 + t.h + 40);
            if (!ax.ylabel.empty()) {
                cairo_save(cr);
                cairo_translate(cr, t.x0 - 56, t.y0 + t.h / 2);
                cairo_rotate(cr, -pi / 2);
                centred_text(cr, ax.ylabel, 0, 0);
                cairo_restore(cr);
            }
        }
        if (!ax.title.empty()) {
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
            cairo_set_font_size(cr, 14);
            centred_text(cr, ax.title, t.x0 + t.w / 2, t.y0 - 10);
            cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        }
        draw_legend(cr, ax);
    }

    static std::string log_label(double e) {
        char buf[16];
        const int k = static_cast<int>(std::lround(e));
        if (k >= -2 && k <= 3) std::snprintf(buf, sizeof buf, "%g", std::pow(10.0, k));
        else std::snprintf(buf, sizeof buf, "1e%d", k);
        return buf;
    }

    static void draw_legend(cairo_t* cr, const axes& ax) {
        std::vector<const axes::element*> entries;
        for (const auto& e : ax.elements_)
            if (!e.label.empty() && e.kind != axes::legend_kind::none) entries.push_back(&e);
        if (entries.empty()) return;
        const transform& t = ax.tf_;
        cairo_set_font_size(cr, 12);
        double text_w = 0;
        for (const auto* e : entries) {
            cairo_text_extents_t ext;
            cairo_text_extents(cr, e->label.c_str(), &ext);
            text_w = std::max(text_w, ext.x_advance);
        }
        const double row = 18, sw = 26, pad = 7;
        const double bw = pad * 3 + sw + text_w, bh = pad * 2 + row * static_cast<double>(entries.size()) - 4;
        const bool right = ax.legend_at == corner::top_right || ax.legend_at == corner::bottom_right;
        const bool top = ax.legend_at == corner::top_right || ax.legend_at == corner::top_left;
        const double bx = right ? t.x0 + t.w - bw - 8 : t.x0 + 8, by = top ? t.y0 + 8 : t.y0 + t.h - bh - 8;
        cairo_rectangle(cr, bx, by, bw, bh);
        cairo_set_source_rgba(cr, 1, 1, 1, 0.88);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
        cairo_set_line_width(cr, 1.0);
        cairo_stroke(cr);
        for (std::size_t i = 0; i < entries.size(); ++i) {
            const auto& e = *entries[i];
            const double cy = by + pad + row * static_cast<double>(i) + 6, x0 = bx + pad;
            cairo_save(cr);
            switch (e.kind) {
                case axes::legend_kind::line:
                    axes::apply(cr, e.s);
                    cairo_move_to(cr, x0, cy), cairo_line_to(cr, x0 + sw, cy);
                    cairo_stroke(cr);
                    if (e.s.mark != marker::none) axes::draw_marker(cr, x0 + sw / 2, cy, e.s);
                    break;
                case axes::legend_kind::marker: axes::draw_marker(cr, x0 + sw / 2, cy, e.s); break;
                case axes::legend_kind::arrow: axes::draw_arrow(cr, x0, cy, x0 + sw, cy, e.s); break;
                case axes::legend_kind::patch:
                    cairo_rectangle(cr, x0, cy - 6, sw, 12);
                    cairo_set_source_rgba(cr, e.s.colour.r, e.s.colour.g, e.s.colour.b, std::max(0.35, e.s.alpha));
                    cairo_fill(cr);
                    break;
                case axes::legend_kind::none: break;
            }
            cairo_restore(cr);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            cairo_move_to(cr, x0 + sw + pad, cy + 4.5);
            cairo_show_text(cr, e.label.c_str());
        }
    }

    int width_, height_, rows_, cols_;
    std::vector<axes> panels_;
};

}  // namespace plot
