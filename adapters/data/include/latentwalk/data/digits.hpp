#pragma once
// latentwalk/data/digits.hpp — the UCI optical handwritten digits (Alpaydin & Kaynak, 1998; the 8×8
// test set scikit-learn ships as load_digits), read from python3-sklearn's digits.csv.gz.
//
//     using namespace latentwalk::data;
//     image_set d = load_digits();                    // 1797 × 1 × 8 × 8, labels 0..9
//     image_set f = load_digits(100);                 // the first 100 rows only
//     image_set m = load_digits("/my/digits.csv");    // a copy elsewhere (plain or gzip)
//
// File: one image per line, 65 comma-separated numbers: 64 pixel counts in 0..16 (row-major 8×8: the
// number of set pixels in each 4×4 block of the original 32×32 bitmap), then the label 0..9. Values must
// be whole numbers ("3" or "3.0"); lines are separated by '\n' ('\r\n' accepted); a final newline is
// optional; no header. The default path is python3-sklearn's
// /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz (`dpkg -L python3-sklearn`).
//
// Result: name "digits"; 1 × 8 × 8; pixels = count / 16 in [0, 1]; labels; no factors.
// Cost: 30 KB gzip; reading all 1797 rows takes about a millisecond.
//
// Errors: latentwalk::data_error with a sentence naming the file (and the line and column for content
// errors): missing (naming the Debian package python3-sklearn), unreadable, bad gzip, truncated, an empty
// file, a line with other than 65 values, a value that is not a whole number, a pixel outside 0..16, a
// label outside 0..9. Nothing is returned half-read.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "detail/file_bytes.hpp"
#include "image_set.hpp"

namespace latentwalk::data {

/// Where Debian's python3-sklearn installs the digits.
[[nodiscard]] inline std::filesystem::path default_digits_file() {
    return "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
}

/// The first `max_count` digits (all by default) from `file`.
[[nodiscard]] inline image_set load_digits(const std::filesystem::path& file = default_digits_file(),
                                           std::size_t max_count = detail::no_limit) {
    constexpr std::string_view where = "latentwalk::data::load_digits";
    const auto bytes = detail::read_file_bytes(where, file, "python3-sklearn");
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());

    image_set set;
    set.name = "digits";
    set.channels = 1;
    set.height = 8;
    set.width = 8;
    std::size_t line_number = 0;
    std::vector<std::string_view> fields;
    std::size_t pos = 0;
    while (pos < text.size() && set.count < max_count) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) {
            if (pos >= text.size()) break;  // the final newline
            detail::throw_file_error(where, file, "has an empty line " + std::to_string(line_number) +
                                                      "; every line of the digits file holds 65 values.");
        }
        fields.clear();
        for (std::size_t start = 0;;) {
            const std::size_t comma = line.find(',', start);
            fields.push_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        if (fields.size() != 65) {
            detail::throw_file_error(where, file, "has " + std::to_string(fields.size()) + " values on line " + std::to_string(line_number) +
                                                      "; a digits line holds 65 (64 pixel counts, then the label).");
        }
        for (std::size_t column = 1; column <= 65; ++column) {
            const std::string_view field = fields[column - 1];
            double value = 0.0;
            const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
            if (ec != std::errc{} || ptr != field.data() + field.size() || field.empty() || value != std::floor(value)) {
                detail::throw_file_error(where, file, "has '" + std::string(field) + "' at line " + std::to_string(line_number) +
                                                          ", value " + std::to_string(column) + "; the digits file holds whole numbers.");
            }
            if (column <= 64) {
                if (value < 0.0 || value > 16.0) {
                    detail::throw_file_error(where, file, "has the pixel count " + std::string(field) + " at line " +
                                                              std::to_string(line_number) + ", value " + std::to_string(column) +
                                                              "; pixel counts are 0..16.");
                }
                set.pixels.push_back(static_cast<float>(value) / 16.0F);
            } else {
                if (value < 0.0 || value > 9.0) {
                    detail::throw_file_error(where, file, "has the label " + std::string(field) + " at line " +
                                                              std::to_string(line_number) + "; digit labels are 0..9.");
                }
                set.labels.push_back(static_cast<std::int64_t>(value));
            }
        }
        ++set.count;
    }
    if (set.count == 0) detail::throw_file_error(where, file, "holds no digits (it is empty).");
    return set;
}

/// The first `max_count` digits from python3-sklearn's file.
[[nodiscard]] inline image_set load_digits(std::size_t max_count) { return load_digits(default_digits_file(), max_count); }

}  // namespace latentwalk::data
