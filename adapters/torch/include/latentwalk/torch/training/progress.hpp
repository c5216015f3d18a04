#pragma once
// latentwalk/torch/training/progress.hpp — the progress report of a training run.
//
//     progress_reporter p({.mode = progress_mode::automatic, .every = 100}, total_steps, loss_names);
//     p.update(step, images_per_second, eta_seconds, losses);
//     p.finish();
//
// Modes: `terminal` rewrites one line in place ("\r", at most 10 times a second); `lines` prints
// one line every `every` steps (and the last); `quiet` prints nothing; `automatic` (default) is
// `terminal` when the stream is std::cout and stdout is a TTY, `lines` otherwise. A line reads
//   step 1200/5000 (24.0 %)  3150 img/s  ETA 1 m 12 s  loss 45.21  recon 39.80  kl 5.41
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace latentwalk::torch::training {

enum class progress_mode { automatic, terminal, lines, quiet };

struct progress_options {
    progress_mode mode = progress_mode::automatic;
    std::int64_t every = 100;     ///< steps between lines in `lines` mode
    std::ostream* stream = &std::cout;
};

inline std::string format_duration(double seconds) {
    if (!(seconds >= 0) || seconds > 1e9) return "?";
    const auto s = static_cast<std::int64_t>(seconds + 0.5);
    std::ostringstream o;
    if (s >= 3600) o << s / 3600 << " h " << (s % 3600) / 60 << " m";
    else if (s >= 60) o << s / 60 << " m " << s % 60 << " s";
    else o << s << " s";
    return o.str();
}

class progress_reporter {
public:
    progress_reporter(progress_options o, std::int64_t total, std::vector<std::string> names)
        : opts_(o), total_(total), names_(std::move(names)) {
        if (!opts_.stream) opts_.mode = progress_mode::quiet;
        if (opts_.mode == progress_mode::automatic)
            opts_.mode = (opts_.stream == &std::cout && ::isatty(STDOUT_FILENO)) ? progress_mode::terminal
                                                                                  : progress_mode::lines;
        if (opts_.every < 1) opts_.every = 1;
    }

    void update(std::int64_t step, double images_per_second, double eta_seconds, const std::vector<double>& losses) {
        if (opts_.mode == progress_mode::quiet) return;
        const bool last = step == total_;
        if (opts_.mode == progress_mode::lines) {
            if (step % opts_.every != 0 && !last) return;
            *opts_.stream << line(step, images_per_second, eta_seconds, losses) << "\n" << std::flush;
            return;
        }
        const auto now = std::chrono::steady_clock::now();
        if (!last && printed_ && now - last_print_ < std::chrono::milliseconds(100)) return;
        last_print_ = now;
        printed_ = true;
        const auto text = line(step, images_per_second, eta_seconds, losses);
        *opts_.stream << "\r" << text << std::string(text.size() < width_ ? width_ - text.size() : 0, ' ') << std::flush;
        width_ = text.size();
    }

    void message(const std::string& text) {
        if (opts_.mode == progress_mode::quiet) return;
        if (opts_.mode == progress_mode::terminal && printed_) *opts_.stream << "\n";
        printed_ = false;
        width_ = 0;
        *opts_.stream << text << "\n" << std::flush;
    }

    void finish() {
        if (opts_.mode == progress_mode::terminal && printed_) *opts_.stream << "\n" << std::flush;
        printed_ = false;
    }

    [[nodiscard]] progress_mode mode() const noexcept { return opts_.mode; }

private:
    std::string line(std::int64_t step, double ips, double eta, const std::vector<double>& losses) const {
        std::ostringstream o;
        o << "step " << step << "/" << total_ << " (" << std::fixed << std::setprecision(1)
          << (total_ > 0 ? 100.0 * static_cast<double>(step) / static_cast<double>(total_) : 100.0) << " %)  "
          << std::setprecision(0) << ips << " img/s  ETA " << format_duration(eta);
        o << std::setprecision(4) << std::defaultfloat;
        for (std::size_t i = 0; i < losses.size() && i < names_.size(); ++i) o << "  " << names_[i] << " " << losses[i];
        return o.str();
    }

    progress_options opts_;
    std::int64_t total_;
    std::vector<std::string> names_;
    std::chrono::steady_clock::time_point last_print_{};
    bool printed_ = false;
    std::size_t width_ = 0;
};

}  // namespace latentwalk::torch::training
