#pragma once
// examples/plot/image_grid.hpp — a grid of images (samples, reconstructions, traversals) written as
// PNG, SVG or PDF through cairo; the format follows the file name's extension.
//
//     plot::image_grid grid(rows, cols, height, width);          // grey images, values in [0, 1]
//     grid.set(r, c, pixels);                                    // row-major H×W (or C×H×W, C = 3)
//     grid.row_labels = {"u1", "u2"};                            // optional, drawn left of each row
//     grid.write("out/traversal.png");                           // or .svg / .pdf
//
// Conventions: cell (r, c) is row r from the top, column c from the left; pixel values are clamped
// to [0, 1] for display only (the data is not changed); each image pixel becomes `scale` × `scale`
// device pixels with nearest-neighbour sampling, so a PNG shows the exact pixels. Cells never set are
// drawn in the background colour. Errors: latentwalk::plot_error (a latentwalk::error) with a
// sentence for a cell out of range, pixel data of the wrong size or a non-finite value, an unknown
// extension, and an output file that cannot be written (missing folder, no permission).
#include <cairo.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <latentwalk/error.hpp>

namespace latentwalk {

/// A picture that cannot be drawn or written.
class plot_error : public error {
public:
    using error::error;
};

}  // namespace latentwalk

namespace plot {

/// The output format a file name asks for, by its extension.
enum class file_format { png, svg, pdf };

inline file_format format_of(const std::string& path) {
    auto ends_with = [&](const std::string& ext) {
        return path.size() >= ext.size() && path.compare(path.size() - ext.size(), ext.size(), ext) == 0;
    };
    if (ends_with(".png")) return file_format::png;
    if (ends_with(".svg")) return file_format::svg;
    if (ends_with(".pdf")) return file_format::pdf;
    throw latentwalk::plot_error("plot: the file name '" + path +
                                 "' has none of the extensions .png, .svg, .pdf that say which format to write.");
}

namespace detail {

/// Checks a cairo status and turns a failure into a sentence naming the file.
inline void check_status(cairo_status_t status, const std::string& path, const char* what) {
    if (status == CAIRO_STATUS_SUCCESS) return;
    throw latentwalk::plot_error(std::string("plot: could not ") + what + " '" + path + "': " +
                                 cairo_status_to_string(status) +
                                 " (does the folder exist and is it writable?).");
}

}  // namespace detail

/// Draws onto a cairo surface of the format that `path` asks for and writes it. `draw(cr)` paints in
/// device units of a width × height canvas.
template <class Draw>
void write_surface(const std::string& path, int width, int height, Draw&& draw) {
    const file_format format = format_of(path);
    cairo_surface_t* surface = nullptr;
    switch (format) {
        case file_format::png: surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height); break;
        case file_format::svg: surface = cairo_svg_surface_create(path.c_str(), width, height); break;
        case file_format::pdf: surface = cairo_pdf_surface_create(path.c_str(), width, height); break;
    }
    struct surface_guard {
        cairo_surface_t* s;
        ~surface_guard() { cairo_surface_destroy(s); }
    } surface_owner{surface};
    detail::check_status(cairo_surface_status(surface), path, "create");
    cairo_t* cr = cairo_create(surface);
    struct context_guard {
        cairo_t* c;
        ~context_guard() { cairo_destroy(c); }
    } context_owner{cr};
    draw(cr);
    detail::check_status(cairo_status(cr), path, "draw");
    cairo_surface_flush(surface);
    if (format == file_format::png) {
        detail::check_status(cairo_surface_write_to_png(surface, path.c_str()), path, "write");
    } else {
        cairo_surface_finish(surface);
        detail::check_status(cairo_surface_status(surface), path, "write");
    }
}

/// A rows × cols grid of equally sized grey (channels = 1) or colour (channels = 3) images.
class image_grid {
public:
    image_grid(std::size_t rows, std::size_t cols, std::size_t height, std::size_t width, std::size_t channels = 1)
        : rows_(rows), cols_(cols), height_(height), width_(width), channels_(channels),
          cells_(rows * cols), filled_(rows * cols, false) {
        if (rows == 0 || cols == 0 || height == 0 || width == 0)
            throw latentwalk::plot_error("plot::image_grid: rows, cols, height and width must all be positive.");
        if (channels != 1 && channels != 3)
            throw latentwalk::plot_error("plot::image_grid: channels must be 1 (grey) or 3 (RGB), not " +
                                         std::to_string(channels) + ".");
    }

    std::size_t rows() const noexcept { return rows_; }
    std::size_t cols() const noexcept { return cols_; }

    /// Copies one image (channels × height × width values, row-major) into cell (r, c).
    void set(std::size_t r, std::size_t c, const float* pixels, std::size_t size) {
        if (r >= rows_ || c >= cols_)
            throw latentwalk::plot_error("plot::image_grid::set: cell (" + std::to_string(r) + ", " +
                                         std::to_string(c) + ") is outside the " + std::to_string(rows_) + " × " +
                                         std::to_string(cols_) + " grid.");
        const std::size_t expected = channels_ * height_ * width_;
        if (size != expected)
            throw latentwalk::plot_error("plot::image_grid::set: an image has " + std::to_string(size) +
                                         " values but the grid's images have " + std::to_string(expected) +
                                         " (channels × height × width).");
        for (std::size_t i = 0; i < size; ++i)
            if (!std::isfinite(pixels[i]))
                throw latentwalk::plot_error("plot::image_grid::set: the image for cell (" + std::to_string(r) +
                                             ", " + std::to_string(c) + ") holds a NaN or infinite value.");
        cells_[r * cols_ + c].assign(pixels, pixels + size);
        filled_[r * cols_ + c] = true;
    }
    void set(std::size_t r, std::size_t c, const std::vector<float>& pixels) { set(r, c, pixels.data(), pixels.size()); }

    std::vector<std::string> row_labels;  ///< optional, one per row, drawn left of the row
    std::vector<std::string> col_labels;  ///< optional, one per column, drawn above it
    std::string title;                    ///< optional, drawn above everything
    int scale = 3;                        ///< device pixels per image pixel
    int padding = 2;                      ///< device pixels between cells
    int label_width = 60;                 ///< device pixels left of the rows; 0: as wide as the widest row label

    /// Writes the grid; the format follows the extension (.png, .svg, .pdf).
    void write(const std::string& path) const {
        const bool has_rows = !row_labels.empty(), has_cols = !col_labels.empty(), has_title = !title.empty();
        const int label_w = has_rows ? (label_width > 0 ? label_width : widest_row_label() + 6) : 0;
        const int label_h = has_cols ? 16 : 0, title_h = has_title ? 20 : 0;
        const int cell_w = static_cast<int>(width_) * scale, cell_h = static_cast<int>(height_) * scale;
        const int W = label_w + static_cast<int>(cols_) * (cell_w + padding) + padding;
        const int H = title_h + label_h + static_cast<int>(rows_) * (cell_h + padding) + padding;
        write_surface(path, W, H, [&](cairo_t* cr) {
            cairo_set_source_rgb(cr, 1, 1, 1);
            cairo_paint(cr);
            cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
            cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
            if (has_title) {
                cairo_set_font_size(cr, 13);
                cairo_move_to(cr, padding, 15);
                cairo_show_text(cr, title.c_str());
            }
            cairo_set_font_size(cr, 10);
            for (std::size_t c = 0; c < cols_ && c < col_labels.size(); ++c) {
                cairo_move_to(cr, label_w + padding + static_cast<double>(c) * (cell_w + padding), title_h + 12);
                cairo_show_text(cr, col_labels[c].c_str());
            }
            for (std::size_t r = 0; r < rows_ && r < row_labels.size(); ++r) {
                cairo_move_to(cr, 2, title_h + label_h + padding + static_cast<double>(r) * (cell_h + padding) + cell_h / 2.0 + 4);
                cairo_show_text(cr, row_labels[r].c_str());
            }
            // Each image becomes a small image surface drawn with nearest-neighbour scaling.
            for (std::size_t r = 0; r < rows_; ++r)
                for (std::size_t c = 0; c < cols_; ++c) {
                    const double x0 = label_w + padding + static_cast<double>(c) * (cell_w + padding);
                    const double y0 = title_h + label_h + padding + static_cast<double>(r) * (cell_h + padding);
                    if (!filled_[r * cols_ + c]) {
                        cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
                        cairo_rectangle(cr, x0, y0, cell_w, cell_h);
                        cairo_fill(cr);
                        continue;
                    }
                    draw_cell(cr, cells_[r * cols_ + c], x0, y0);
                }
        });
    }

private:
    /// The widest row label at the labels' font (10 px sans-serif), in device pixels, rounded up.
    int widest_row_label() const {
        cairo_surface_t* probe = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
        cairo_t* cr = cairo_create(probe);
        cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
        cairo_set_font_size(cr, 10);
        double widest = 0;
        for (const auto& l : row_labels) {
            cairo_text_extents_t e;
            cairo_text_extents(cr, l.c_str(), &e);
            widest = std::max(widest, e.x_advance);
        }
        cairo_destroy(cr);
        cairo_surface_destroy(probe);
        return static_cast<int>(std::ceil(widest));
    }

    void draw_cell(cairo_t* cr, const std::vector<float>& px, double x0, double y0) const {
        const int w = static_cast<int>(width_), h = static_cast<int>(height_);
        cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
        const int stride = cairo_image_surface_get_stride(img);
        unsigned char* data = cairo_image_surface_get_data(img);
        auto byte = [](float v) {
            return static_cast<std::uint32_t>(std::lround(255.0f * std::clamp(v, 0.0f, 1.0f)));
        };
        const std::size_t plane = height_ * width_;
        for (int y = 0; y < h; ++y) {
            auto* row = reinterpret_cast<std::uint32_t*>(data + y * stride);
            for (int x = 0; x < w; ++x) {
                const std::size_t i = static_cast<std::size_t>(y) * width_ + static_cast<std::size_t>(x);
                const std::uint32_t R = byte(px[i]);
                const std::uint32_t G = channels_ == 3 ? byte(px[plane + i]) : R;
                const std::uint32_t B = channels_ == 3 ? byte(px[2 * plane + i]) : R;
                row[x] = (R << 16) | (G << 8) | B;
            }
        }
        cairo_surface_mark_dirty(img);
        cairo_save(cr);
        cairo_translate(cr, x0, y0);
        cairo_scale(cr, scale, scale);
        cairo_set_source_surface(cr, img, 0, 0);
        cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
        cairo_rectangle(cr, 0, 0, w, h);
        cairo_fill(cr);
        cairo_restore(cr);
        cairo_surface_destroy(img);
    }

    std::size_t rows_, cols_, height_, width_, channels_;
    std::vector<std::vector<float>> cells_;
    std::vector<bool> filled_;
};

}  // namespace plot
