// conformance: the backend conformance suite (conformance/bodies.hpp) on the Eigen backend itself,
// double and float. The Eigen double case checks the closed forms and the oracles, and runs the
// backend-generic models (latentwalk::mlp_generator, linear_generator, embeddings) against the
// Eigen reference's own models; the float case bounds what single precision costs (1e-4).
#include "conformance/bodies.hpp"

namespace {
using eigen_double = latentwalk::conformance::unbatched_case<latentwalk::eigen::backend<double>, 1e-12>;
using eigen_float = latentwalk::conformance::unbatched_case<latentwalk::eigen::backend<float>, 1e-4>;
}  // namespace

#define LATENTWALK_EIGEN_CONFORMANCE_CASE(name, body)                       \
    CATCH_TEST_CASE("conformance: " name, "[conformance]") {                \
        CATCH_SECTION("eigen double") { latentwalk::conformance::body<eigen_double>(); }             \
        CATCH_SECTION("eigen float") { latentwalk::conformance::body<eigen_float>(); }               \
    }
LATENTWALK_CONFORMANCE_SUITE(LATENTWALK_EIGEN_CONFORMANCE_CASE)
