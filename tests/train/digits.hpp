#pragma once
// The UCI digits (python3-sklearn's digits.csv.gz) for the train: tests, as a latentwalk::data::image_set
// (1797 × 1 × 8 × 8, pixels / 16). Read with `gzip -dc` until the data component's load_digits()
// reaches this branch; the split is fixed: the first 1500 images train, the last 297 are held out.
#include <cstdio>
#include <sstream>
#include <string>

#include <latentwalk/data/image_set.hpp>

namespace latentwalk::test {

inline const data::image_set& digits() {
    static const data::image_set set = [] {
        data::image_set s;
        s.name = "digits";
        s.height = s.width = 8;
        const char* cmd = "gzip -dc /usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz";
        FILE* p = ::popen(cmd, "r");
        if (!p) throw data_error("test: could not run gzip on the digits file (python3-sklearn).");
        std::string text;
        char buf[65536];
        std::size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
        ::pclose(p);
        std::istringstream lines(text);
        std::string line;
        while (std::getline(lines, line)) {
            if (line.empty()) continue;
            std::istringstream row(line);
            std::string cell;
            for (int i = 0; i < 64; ++i) {
                std::getline(row, cell, ',');
                s.pixels.push_back(std::stof(cell) / 16.0f);
            }
            std::getline(row, cell, ',');
            s.labels.push_back(std::stoll(cell));
            ++s.count;
        }
        if (s.count != 1797) throw data_error("test: the digits file does not hold 1797 rows (python3-sklearn).");
        return s;
    }();
    return set;
}

inline constexpr std::size_t digits_train = 1500;

}  // namespace latentwalk::test
