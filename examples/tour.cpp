// latentwalk's tour: the main job, on built-in data. Run it with scripts/tour.sh.
// Each section lives in examples/tour_sections/<area>.hpp.
//
//     tour                      text report on the terminal; pictures, report.md and tour.txt in ./tour-pictures/
//     tour --pictures DIR       the same, into DIR (created with its parents when missing)
//     tour --no-pictures        the text report only
//
// The pictures need cairo (libcairo2-dev; the latentwalk_plot target): without it the tour says so and
// prints the text report. A pictures folder that cannot be created is an error (exit status 1) before
// anything is computed.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <streambuf>
#include <string>

#include "tour_sections/foundation.hpp"
#include "tour_sections/tangent.hpp"
#include "tour_sections/traversal.hpp"
#include "tour_sections/density.hpp"
#include "tour_sections/grassmann.hpp"
#if defined(LATENTWALK_TOUR_WITH_TORCH)
#include "tour_sections/torch.hpp"
#endif
#if defined(LATENTWALK_HAVE_PLOT)
#include "tour_sections/pictures.hpp"
#endif

namespace {

/// Writes everything to two stream buffers: the terminal and the folder's tour.txt.
class tee_buffer : public std::streambuf {
public:
    tee_buffer(std::streambuf* a, std::streambuf* b) : a_(a), b_(b) {}

protected:
    int overflow(int c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        const bool ok = a_->sputc(static_cast<char>(c)) != traits_type::eof();
        if (b_) b_->sputc(static_cast<char>(c));
        return ok ? c : traits_type::eof();
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        if (b_) b_->sputn(s, n);
        return a_->sputn(s, n);
    }
    int sync() override {
        if (b_) b_->pubsync();
        return a_->pubsync();
    }

private:
    std::streambuf* a_;
    std::streambuf* b_;
};

constexpr const char* usage =
    "usage: tour [--pictures DIR | --no-pictures]\n"
    "  --pictures DIR   write the pictures (PNG and SVG), report.md and tour.txt into DIR (default: ./tour-pictures)\n"
    "  --no-pictures    print the text report only\n";

}  // namespace

int main(int argc, char** argv) {
    std::string folder = "tour-pictures";
    bool pictures = true;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--pictures" && i + 1 < argc) {
            folder = argv[++i];
            pictures = true;
        } else if (a == "--no-pictures") {
            pictures = false;
        } else if (a == "--help" || a == "-h") {
            std::cout << usage;
            return 0;
        } else {
            std::cerr << "tour: " << (a == "--pictures" ? "--pictures needs a folder." : "unknown option '" + a + "'.")
                      << "\n" << usage;
            return 2;
        }
    }
#if !defined(LATENTWALK_HAVE_PLOT)
    if (pictures) std::cout << "(pictures: not drawn, latentwalk was built without cairo: install libcairo2-dev)\n";
    pictures = false;
#endif
    std::ofstream text_copy;
    if (pictures) {
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec || !std::filesystem::is_directory(folder)) {
            std::cerr << "tour: cannot create the pictures folder '" << folder << "'"
                      << (ec ? ": " + ec.message() : std::string(": a file of that name is in the way")) << ".\n";
            return 1;
        }
        text_copy.open((std::filesystem::path(folder) / "tour.txt").string());
        if (!text_copy) {
            std::cerr << "tour: cannot write into the pictures folder '" << folder << "'.\n";
            return 1;
        }
    }
    tee_buffer tee(std::cout.rdbuf(), pictures ? text_copy.rdbuf() : nullptr);
    std::ostream out(&tee);

    out << "latentwalk " << LATENTWALK_VERSION_STRING << " — a tour of latent-space geometry\n\n";
    tour::foundation(out);
    tour::tangent(out);
    tour::traversal(out);
    tour::density(out);
    tour::grassmann(out);
#if defined(LATENTWALK_TOUR_WITH_TORCH)
    tour::torch(out);
#else
    out << "== LibTorch ==\ntorch section skipped: latentwalk was built without LibTorch (LATENTWALK_WITH_TORCH)\n\n";
#endif
#if defined(LATENTWALK_HAVE_PLOT)
    if (pictures) {
        try {
            plot::picture_report rep(folder);
            tour::pictures(rep, out);
        } catch (const latentwalk::error& e) {
            out.flush();
            std::cerr << "tour: the pictures could not be drawn: " << e.what() << "\n";
            return 1;
        }
    }
#endif
    out << "tour complete\n";
    out.flush();
}
