// The suite's main: prints the library and dependency versions and the RNG seed, then seeds every
// RNG of the tests from Catch's --rng-seed (tests draw their generators from latentwalk::test::rng()).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <iostream>

#include <Eigen/Core>
#include <latentwalk/version.hpp>

#include "support/test_support.hpp"

#ifdef LATENTWALK_TEST_HAVE_BOOST
#include <boost/version.hpp>
#endif

namespace latentwalk::test {
std::uint64_t& seed_storage() {
    static std::uint64_t seed = 0;
    return seed;
}
}  // namespace latentwalk::test

int main(int argc, char* argv[]) {
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    const auto& cfg = session.configData();
    latentwalk::test::seed_storage() = cfg.rngSeed;
    const bool listing = cfg.listTests || cfg.listTestNamesOnly || cfg.listTags || cfg.listReporters;
    if (!listing) {
        std::cout << "latentwalk " << LATENTWALK_VERSION_STRING << " | Eigen " << EIGEN_WORLD_VERSION << '.'
                  << EIGEN_MAJOR_VERSION << '.' << EIGEN_MINOR_VERSION << " | Catch2 " << CATCH_VERSION_MAJOR << '.'
                  << CATCH_VERSION_MINOR << '.' << CATCH_VERSION_PATCH
#ifdef LATENTWALK_TEST_HAVE_BOOST
                  << " | Boost " << BOOST_VERSION / 100000 << '.' << BOOST_VERSION / 100 % 1000
#endif
                  << " | C++ " << __cplusplus << " | rng seed " << cfg.rngSeed << " (set with --rng-seed)\n";
    }
    return session.run();
}
