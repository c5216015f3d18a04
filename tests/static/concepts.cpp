// Compile-time checks of the concepts: archetypes model exactly their concepts, non-models are
// rejected, and every core algorithm instantiates with the archetypes. This file links only the
// core target (no Eigen include path), which also proves the core headers need nothing beyond the
// standard library. The executable runs the instantiated algorithms once on the archetypes.
#include <latentwalk/latentwalk.hpp>

#include <cstdio>

#include "archetypes.hpp"

namespace lw = latentwalk;
using namespace latentwalk::test;

// Backend
static_assert(lw::Backend<archetype_backend>);
static_assert(!lw::Backend<int>, "int has no backend_traits specialisation");
static_assert(!lw::Backend<struct unknown_tag>, "an unspecialised tag is not a Backend");

// Generator / DifferentiableGenerator
static_assert(!lw::Generator<int>);
static_assert(lw::Generator<archetype_generator>);
static_assert(!lw::DifferentiableGenerator<archetype_generator>, "a generator without derivatives is not differentiable");
static_assert(lw::DifferentiableGenerator<archetype_jvp_generator>);
static_assert(lw::DifferentiableGenerator<archetype_vjp_generator>);
static_assert(lw::ProvidesJvp<archetype_jvp_generator> && !lw::ProvidesVjp<archetype_jvp_generator>);
static_assert(lw::ProvidesVjp<archetype_vjp_generator> && !lw::ProvidesJacobian<archetype_vjp_generator>);
static_assert(lw::DifferentiableGenerator<lw::finite_differences<archetype_generator>>,
              "finite_differences turns a plain Generator into a DifferentiableGenerator");
struct no_call_operator {
    using backend = archetype_backend;
    std::ptrdiff_t latent_dim() const { return 1; }
    std::ptrdiff_t output_dim() const { return 1; }
};
static_assert(!lw::Generator<no_call_operator>);

// PotentialField
static_assert(lw::PotentialField<archetype_potential>);
static_assert(!lw::ProvidesLaplacian<archetype_potential>);
static_assert(!lw::PotentialField<archetype_generator>);
static_assert(!lw::PotentialField<int>);

// The batched archetype and the families
static_assert(lw::Backend<archetype_batched_backend>);
static_assert(lw::BackendTypes<archetype_backend> && lw::BackendConstruction<archetype_backend> &&
              lw::BackendLinearAlgebra<archetype_backend> && lw::BackendFactorizations<archetype_backend> &&
              lw::BackendElementwise<archetype_backend> && lw::BackendHostReductions<archetype_backend>);
static_assert(!std::is_convertible_v<lw::batch_scalar_t<archetype_batched_backend>, double>,
              "the batched archetype's batch_scalar does not convert to double");
static_assert(lw::DifferentiableGenerator<basic_archetype_jvp_generator<archetype_batched_backend>>);
static_assert(lw::PotentialField<basic_archetype_potential<archetype_batched_backend>>);
static_assert(lw::DensityModel<basic_archetype_density<archetype_batched_backend>>);

// DensityModel
static_assert(lw::DensityModel<archetype_density>);
static_assert(lw::DensityModel<lw::standard_gaussian<archetype_backend>>);
static_assert(lw::ProvidesLevelProjection<lw::standard_gaussian<archetype_backend>>);
static_assert(!lw::ProvidesLevelProjection<archetype_density>);
static_assert(!lw::DensityModel<archetype_potential>);

// The algorithms instantiated (and run) on a backend tag: archetype_backend, and the batched
// archetype, whose batch_scalar has only the table's arithmetic (an algorithm that compares a
// batch_scalar, converts it to double or calls std::sqrt on it fails to compile here).
template <class Tag>
bool run_algorithms(const char* label) {
    using archetype_jvp_generator = basic_archetype_jvp_generator<Tag>;
    using archetype_vjp_generator = basic_archetype_vjp_generator<Tag>;
    using archetype_generator = basic_archetype_generator<Tag>;
    using archetype_potential = basic_archetype_potential<Tag>;
    using archetype_backend = Tag;
    using T = lw::backend_traits<Tag>;
    using archetype_vector = lw::vector_t<Tag>;
    // Instantiate and run the algorithms of the core on the archetypes.
    const archetype_vector z{{0.5, -0.25}};
    const archetype_jvp_generator gj;
    const archetype_vjp_generator gv;
    const auto J1 = lw::jacobian(gj, z);  // from 2 JVPs
    const auto J2 = lw::jacobian(gv, z);  // from 3 VJPs
    const auto r1 = lw::check_derivatives(gj, z);
    const auto r2 = lw::check_derivatives(gv, z);
    // Central differences are not exactly linear in the direction: the adjoint identity holds to ~1e-12.
    lw::derivative_check_options fd_opts;
    fd_opts.adjoint_tolerance = 1e-9;
    const auto r3 = lw::check_derivatives(lw::finite_differences(archetype_generator{}), z, fd_opts);
    double diff = 0;
    for (std::size_t i = 0; i < J1.a.size(); ++i) diff = std::max(diff, std::abs(J1.a[i] - J2.a[i]));
    const lw::standard_gaussian<archetype_backend> p(2);
    const auto zp = p.project_to_level(z, -3.0);
    // Flows and PDE terms (traversal/, potentials/, pde/): u = t<a, z> moves z by a t²/2.
    lw::potential_flow_options<archetype_backend> po;
    po.ode.t1 = 2.0;
    const auto flow = lw::potential_flow(archetype_potential{}, z, po);
    const double flow_err = std::abs(flow.path.back().v[0] - (0.5 + 2.0)) + std::abs(flow.path.back().v[1] - (-0.25 + 4.0));
    const auto lin = lw::linear_potential<archetype_backend>::time_scaled(archetype_vector{{1.0, 2.0}});
    const double wave = T::host_value(lw::wave_loss(lin, flow.path, 1.0, lw::laplacian_mode::hessian_row_sum));
    // Tangent bases (tangent/): instantiated only, since the archetype's factorizations are placeholders.
    using vec = lw::vector_t<archetype_backend>;
    using mat = lw::matrix_t<archetype_backend>;
    [[maybe_unused]] lw::tangent_basis_result<archetype_backend> (*tangent)(
        const archetype_jvp_generator&, const vec&, long long, const lw::tangent_basis_options&) =
        &lw::tangent_basis<archetype_jvp_generator>;
    [[maybe_unused]] lw::range_finder_result<archetype_backend> (*range)(const archetype_vjp_generator&, const vec&,
                                                                         const mat&, int) =
        &lw::randomized_range_finder<archetype_vjp_generator>;
    [[maybe_unused]] mat (*metric)(const archetype_jvp_generator&, const vec&) =
        &lw::pullback_metric<archetype_jvp_generator>;
    [[maybe_unused]] long long (*rank)(const archetype_vjp_generator&, const vec&, double) =
        &lw::numerical_rank<archetype_vjp_generator>;
    [[maybe_unused]] lw::low_rank_error_result (*lre)(const archetype_jvp_generator&, const vec&, long long) =
        &lw::low_rank_error<archetype_jvp_generator>;
    const bool ok = diff < 1e-15 && r1.passed() && r2.passed() && r3.passed() &&
                    std::abs(T::host_value(p.log_density(zp)) + 3.0) < 1e-14 && flow_err < 1e-12 && wave == 0.0;
    std::printf("%s instantiation: jacobian agreement %.3g, checks %d %d %d\n", label, diff, r1.passed(), r2.passed(),
                r3.passed());
    return ok;
}

int main() {
    const bool a = run_algorithms<archetype_backend>("archetype");
    const bool b = run_algorithms<archetype_batched_backend>("batched archetype");
    return a && b ? 0 : 1;
}
