#pragma once
// examples/plot/report.hpp — a folder of pictures with a Markdown page that places each picture under its
// section with a few sentences (GitHub and any Markdown viewer show it).
//
//     plot::picture_report rep("build/tour");             // the folder must exist and be writable
//     rep.section("Tangent bases");
//     rep.add(fig, "tangent_frames", "What the reader sees ...");   // writes tangent_frames.png and .svg
//     rep.add(grid, "traversal_grid", "...");                      // an image_grid, the same way
//     rep.finish("latentwalk tour", "tour.txt");                  // writes report.md (linking the text report)
//
// Each picture is written twice from the same drawing code: PNG (shown in report.md) and SVG (linked under it).
// Errors: latentwalk::plot_error with a sentence when the folder does not exist or is not a folder (checked by
// the constructor, before anything is drawn), and when a file cannot be written (write_surface's sentence).
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "figure.hpp"
#include "image_grid.hpp"

namespace plot {

class picture_report {
public:
    explicit picture_report(std::string folder) : folder_(std::move(folder)) {
        std::error_code ec;
        if (!std::filesystem::is_directory(folder_, ec))
            throw latentwalk::plot_error("plot::picture_report: the pictures folder '" + folder_ +
                                         "' does not exist or is not a folder; create it first.");
    }

    const std::string& folder() const { return folder_; }
    std::size_t pictures() const { return count_; }
    std::string path(const std::string& file) const { return (std::filesystem::path(folder_) / file).string(); }

    void section(const std::string& heading) { md_ += "\n## " + heading + "\n\n"; }
    void paragraph(const std::string& text) { md_ += text + "\n\n"; }

    /// Writes fig as stem.png and stem.svg and places it in the page with `text` under it.
    void add(figure& fig, const std::string& stem, const std::string& text) {
        fig.write(path(stem + ".png"));
        fig.write(path(stem + ".svg"));
        place(stem, fig.title, text);
    }
    void add(const image_grid& grid, const std::string& stem, const std::string& text) {
        grid.write(path(stem + ".png"));
        grid.write(path(stem + ".svg"));
        place(stem, grid.title, text);
    }

    /// Writes report.md: the title, a link to the text report (when given), then the sections.
    std::string finish(const std::string& title, const std::string& text_report = "") const {
        const std::string file = path("report.md");
        std::ofstream out(file);
        if (!out)
            throw latentwalk::plot_error("plot::picture_report::finish: could not open '" + file + "' for writing.");
        out << "# " << title << "\n\n";
        if (!text_report.empty())
            out << "The text report of the same run is [" << text_report << "](" << text_report
                << "). Every picture below is also written as SVG (linked under it).\n";
        out << md_;
        out.close();
        if (!out) throw latentwalk::plot_error("plot::picture_report::finish: could not write '" + file + "'.");
        return file;
    }

private:
    void place(const std::string& stem, const std::string& title, const std::string& text) {
        md_ += "![" + (title.empty() ? stem : title) + "](" + stem + ".png)\n\n" + text + " ([SVG](" + stem + ".svg))\n\n";
        ++count_;
    }

    std::string folder_;
    std::string md_;
    std::size_t count_ = 0;
};

}  // namespace plot
