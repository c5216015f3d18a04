#pragma once
// A fresh temporary folder for a test's files, removed with everything in it when the test ends.
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace latentwalk::test {

struct temp_folder {
    std::filesystem::path path;
    explicit temp_folder(const std::string& prefix = "latentwalk-test-") {
        std::random_device rd;
        path = std::filesystem::temp_directory_path() / (prefix + std::to_string(rd()) + std::to_string(rd()));
        std::filesystem::create_directories(path);
    }
    ~temp_folder() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    temp_folder(const temp_folder&) = delete;
    temp_folder& operator=(const temp_folder&) = delete;
};

}  // namespace latentwalk::test
