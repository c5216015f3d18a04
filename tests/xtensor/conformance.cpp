// xtensor: the backend conformance suite (conformance/bodies.hpp) on the xtensor backend, double
// (1e-12 relative to the Eigen double reference on invariants) and float (1e-4).
#include <latentwalk/xtensor.hpp>

#include "conformance/bodies.hpp"

namespace {
using xtensor_double = latentwalk::conformance::unbatched_case<latentwalk::xtensor::backend<double>, 1e-12>;
using xtensor_float = latentwalk::conformance::unbatched_case<latentwalk::xtensor::backend<float>, 1e-4>;
}  // namespace

#define LATENTWALK_XTENSOR_CONFORMANCE_CASE(name, body)                     \
    CATCH_TEST_CASE("xtensor: " name, "[conformance]") {                    \
        CATCH_SECTION("xtensor double") { latentwalk::conformance::body<xtensor_double>(); }         \
        CATCH_SECTION("xtensor float") { latentwalk::conformance::body<xtensor_float>(); }           \
    }
LATENTWALK_CONFORMANCE_SUITE(LATENTWALK_XTENSOR_CONFORMANCE_CASE)
