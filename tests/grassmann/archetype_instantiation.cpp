// grassmann: compile-time proof that the Grassmann core is written against the backend seam only.
// Every algorithm is instantiated with the archetype backend of tests/static/archetypes.hpp (a
// std::vector backend that models Backend and nothing more); the function is compiled, never run.
#include <latentwalk/grassmann/ganspace_directions.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/grassmann_exp.hpp>
#include <latentwalk/grassmann/grassmann_log.hpp>
#include <latentwalk/grassmann/karcher_mean.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/random_subspace.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>

#include <random>

#include "static/archetypes.hpp"

namespace {

namespace lw = latentwalk;
namespace g = latentwalk::detail::grassmann;
using ab = lw::test::archetype_backend;
using am = lw::test::archetype_matrix;

static_assert(!lw::BackendMatrix<am>, "the archetype has no backend_of: only the backend-explicit forms apply");

[[maybe_unused]] double instantiate_with_archetypes(const am& A, const am& B, const lw::test::archetype_jvp_generator& gen) {
    std::mt19937_64 rng(1);
    const auto QA = g::orthonormalize<ab>("archetype", "A", A);
    const auto pa = g::angles_of_orthonormal<ab>(QA, g::orthonormalize<ab>("archetype", "B", B));
    double acc = 0;
    for (auto m : lw::all_grassmann_metrics) acc += lw::grassmann_distance_from_angles<ab>(pa, m);
    const auto D = g::log_of_orthonormal<ab>(QA, B);
    g::require_orthonormal<ab>("archetype", "A", QA);
    g::require_horizontal<ab>("archetype", QA, D);
    const auto E = g::exp_unchecked<ab>(QA, D);
    const auto R = lw::random_subspace<ab>(4, 2, rng);
    const auto table = lw::warpage_haar_reference<ab>(4, {});
    const auto local = lw::warpage_random_pairs(gen, {});
    return acc + static_cast<double>(E.a.size() + R.a.size() + table.samples + local.samples);
}

}  // namespace
