// Compile-time proof that every core algorithm is written against the table of valid expressions
// and nothing more: each is instantiated with the unbatched archetype (the required families only,
// the rest from backend_defaults) and with the batched archetype, whose batch_scalar has exactly
// the table's arithmetic (no comparison, no conversion to double). Compiled, never run: the
// archetypes' factorizations are placeholders.
#include <latentwalk/latentwalk.hpp>

#include <random>
#include <vector>

#include "archetypes.hpp"

namespace lw = latentwalk;
using namespace latentwalk::test;

namespace {

template <class Tag>
[[maybe_unused]] double instantiate_all() {
    using T = lw::backend_traits<Tag>;
    using vec = lw::vector_t<Tag>;
    using mat = lw::matrix_t<Tag>;
    const basic_archetype_jvp_generator<Tag> g;
    const basic_archetype_potential<Tag> u;
    const vec z{{0.5, -0.25}}, d{{1.0, 0.0}};
    const mat A{2, 1, {1.0, 0.0}}, M{2, 1, {0.0, 1.0}};
    std::mt19937_64 rng(1);
    double acc = 0;

    // tangent/
    const auto tb = lw::tangent_basis(g, z, 1);
    acc += static_cast<double>(lw::numerical_rank(g, z) + lw::low_rank_error(g, z, 1).frobenius);
    acc += T::max_abs(lw::pullback_metric(g, z)) + T::max_abs(lw::local_stretch_factors(g, z));
    acc += T::max_abs(lw::randomized_range_finder(g, z, A, 1).Q) + T::max_abs(tb.output_basis);

    // grassmann/ (backend-explicit forms; the plain-matrix forms below deduce the tag)
    if constexpr (lw::BackendMatrix<mat>) {
        const auto pa = lw::principal_angles(A, M);
        acc += T::max_abs(pa.angles);
        for (auto m : lw::all_grassmann_metrics) acc += T::host_max(lw::grassmann_distance(A, M, m));
        const auto D = lw::grassmann_log(A, M);
        acc += T::max_abs(lw::grassmann_exp(A, D)) + T::max_abs(lw::grassmann_geodesic(A, M, 0.5));
        acc += T::max_abs(lw::karcher_mean(std::vector<mat>{A, M}).mean);
        acc += T::max_abs(lw::sefa_directions(A, 1).directions) + T::max_abs(lw::ganspace_directions(A, 1).directions);
    }
    acc += T::max_abs(lw::random_subspace<Tag>(z, 2, 1, rng));
    acc += static_cast<double>(lw::warpage_haar_reference<Tag>(4, {}).samples + lw::warpage_random_pairs(g, {}).samples +
                               lw::warpage_close_pairs(g, {}).samples + lw::warpage_against_global(g, A, {}).samples);

    // traversal/
    acc += static_cast<double>(lw::curve_traversal(g, z, 0, 2, 0.1).points.size());
    acc += static_cast<double>(lw::subspace_traversal(g, z, d, 1, 2, 0.1).points.size());
    acc += static_cast<double>(lw::linear_traversal<Tag>(z, d, 2, 0.1).points.size());
    acc += static_cast<double>(lw::linear_traversal(g, z, d, 2, 0.1).points.size());
    acc += T::max_abs(lw::project_onto_local_subspace(g, z, d, 1));
    acc += T::max_abs(lw::random_subspace_direction(g, z, 1, rng));
    acc += static_cast<double>(lw::potential_flow(u, z).path.size());

    // potentials/ and pde/
    const auto lin = lw::linear_potential<Tag>::time_scaled(d);
    const lw::quadratic_potential<Tag> quad(A, d);
    const lw::rbf_dipole_potential<Tag> rbf(A, std::vector<double>{1.0}, 0.5);
    acc += T::max_abs(lw::wave_residual(lin, z, 0.5, 1.0)) + T::max_abs(lw::heat_residual(lin, z, 0.5, 1.0));
    acc += T::max_abs(lw::hessian_row_sum(rbf, z, 0.5)) + T::host_max(lw::laplacian(quad, z, 0.5));
    acc += T::host_max(lw::hutchinson_laplacian(rbf, z, 0.5).value);
    acc += T::host_max(lw::initial_condition_loss(rbf, z)) + T::host_max(lw::jacobian_regularizer(g, u, z, 0.5));

    // density/
    const lw::standard_gaussian<Tag> p(2);
    const lw::diagonal_gaussian<Tag> dg(z, d);
    const lw::uniform_box<Tag> box(z, d);
    acc += static_cast<double>(lw::density_preserving_walk(p, z, d, 2, 0.1).points.size());
    acc += static_cast<double>(lw::density_preserving_walk(dg, z, d, 2, 0.1).points.size());
    acc += T::max_abs(lw::project_to_level_set(p, z, -3.0).point) + T::max_abs(box.score(z));
    acc += T::max_abs(lw::monotone_cdf_model<Tag>::fit(mat{2, 2, {0.0, 1.0, 1.0, 0.0}}).score(z));
    return acc;
}

}  // namespace

// Explicit instantiation points: both tags must compile.
double instantiate_unbatched_archetype() { return instantiate_all<archetype_backend>(); }
double instantiate_batched_archetype() { return instantiate_all<archetype_batched_backend>(); }
