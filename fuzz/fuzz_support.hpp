#pragma once
// Shared pieces of latentwalk's libFuzzer targets (fuzz/*.cpp).
//
// The contract every target checks: an input is either accepted, or refused with an exception of
// latentwalk's hierarchy (latentwalk::error). Everything else is a finding and ends the process with a
// report on stderr (libFuzzer then saves the input as crash-<sha1>): another exception type, a result
// that breaks a documented property (NaN/Inf returned silently, angles outside [0, π/2]...), and of
// course crashes and sanitizer reports (the targets build with ASan + UBSan, -fno-sanitize-recover).
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <typeinfo>

#include <unistd.h>

#include <latentwalk/error.hpp>

namespace latentwalk::fuzz {

/// Reports a broken property and aborts (a libFuzzer finding).
[[noreturn]] inline void finding(const std::string& what) {
    std::fprintf(stderr, "latentwalk fuzz finding: %s\n", what.c_str());
    std::fflush(stderr);
    std::abort();
}

/// Runs `body`; latentwalk::error is an accepted refusal, any other exception a finding.
template <class Body>
void library_exceptions_only(const char* target, Body&& body) {
    try {
        body();
    } catch (const latentwalk::error&) {
        // the contract: a sentence of the library's own hierarchy
    } catch (const std::exception& e) {
        finding(std::string(target) + ": an exception outside latentwalk's hierarchy escaped (" + typeid(e).name() +
                "): " + e.what());
    } catch (...) {
        finding(std::string(target) + ": a non-std exception escaped");
    }
}

/// A per-process temporary file holding the fuzz input (the readers under test take paths).
class input_file {
public:
    explicit input_file(const char* suffix)
        : path_(std::filesystem::temp_directory_path() /
                ("latentwalk-fuzz-" + std::to_string(::getpid()) + suffix)) {}
    ~input_file() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    input_file(const input_file&) = delete;
    input_file& operator=(const input_file&) = delete;

    const std::filesystem::path& write(const unsigned char* data, std::size_t size) {
        std::ofstream out(path_, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
        out.close();
        if (!out) finding("could not write the temporary input file " + path_.string());
        return path_;
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace latentwalk::fuzz
