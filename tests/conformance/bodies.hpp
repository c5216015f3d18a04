#pragma once
// The backend conformance suite: one body per algorithm family, a function template on a backend
// *case* P, run by every backend's test area (conformance: on Eigen, xtensor: on xtensor, torch: on
// LibTorch CPU/CUDA) against the Eigen double reference, closed forms and the oracles.
//
// A case P provides (see unbatched_case below for the unbatched backends, tests/torch/backend.cpp's
// torch_case for the batched one):
//   typename P::B                 the backend tag
//   P::label(), P::available()    a name for reports; false to skip (a CUDA case without a GPU)
//   P::tol                        relative tolerance against the Eigen double reference
//   P::samples                    1, or the batch size of P::vec / P::mats
//   P::vec(zs), P::mats(As)       backend objects from Eigen samples (batched when samples > 1)
//   P::param(x), P::param(A)      an unbatched backend object (a model parameter)
//   P::slice(x, b)                sample b of a batched vector (b < 0: x itself)
//   P::sample(x, b), P::sample_matrix(A, b), P::sample_scalar(a, b)   sample b as Eigen double
//   P::pick(x, index), P::pick_matrix(A, index)   sample `index` of a result (index < 0: unbatched)
//   P::mlp(ref)                   the Eigen reference MLP's weights as a generator on P::B
//   P::draws_like_eigen           random_normal draws the Eigen backend's numbers (unbatched double)
// Add a body here, and its line to LATENTWALK_CONFORMANCE_SUITE: every backend then runs it.
#include <latentwalk/check_derivatives.hpp>
#include <latentwalk/density/density_preserving_walk.hpp>
#include <latentwalk/density/diagonal_gaussian.hpp>
#include <latentwalk/density/standard_gaussian.hpp>
#include <latentwalk/derivatives.hpp>
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/grassmann_exp.hpp>
#include <latentwalk/grassmann/grassmann_log.hpp>
#include <latentwalk/grassmann/karcher_mean.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>
#include <latentwalk/models/embeddings.hpp>
#include <latentwalk/models/linear_generator.hpp>
#include <latentwalk/models/mlp_generator.hpp>
#include <latentwalk/pde/laplacian.hpp>
#include <latentwalk/pde/wave_residual.hpp>
#include <latentwalk/potentials/quadratic_potential.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/traversal/curve_traversal.hpp>
#include <latentwalk/traversal/linear_traversal.hpp>
#include <latentwalk/traversal/potential_flow.hpp>
#include <latentwalk/traversal/subspace_traversal.hpp>

#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "support/test_support.hpp"

/// The list of conformance bodies: CASE(test name without the area, body). Each area defines CASE to
/// open a CATCH_TEST_CASE named "<area>: <name>" with one section per backend configuration.
#define LATENTWALK_CONFORMANCE_SUITE(CASE)                                                                                    \
    CASE("tangent_basis of a linear generator, the sphere and the torus equals the closed forms, by every method",            \
         closed_form_tangent_conformance)                                                                                     \
    CASE("tangent_basis reproduces the svd.integer_6x4 oracle", svd_oracle_conformance)                                       \
    CASE("jacobian, jvp and vjp through the derivation layer agree with Eigen", derivation_layer_conformance)                 \
    CASE("check_derivatives tells a right JVP from a wrong one as on Eigen", derivative_check_conformance)                    \
    CASE("standard_gaussian log_density, score and level projection agree with Eigen", standard_gaussian_conformance)        \
    CASE("tangent_basis of an MLP by every method agrees with Eigen on singular values and subspaces", tangent_conformance)   \
    CASE("principal angles and Grassmann distances agree with Eigen and the oracles", grassmann_conformance)                  \
    CASE("Grassmann log, exp and the Karcher mean agree with Eigen and the oracle", grassmann_geometry_conformance)           \
    CASE("diagonal_gaussian and the density-preserving walk agree with Eigen", density_conformance)                           \
    CASE("traversals, potential flow, Laplacian and wave residual agree with Eigen", traversal_conformance)                   \
    CASE("curve traversal on the MLP follows the Eigen path", curve_conformance)                                              \
    CASE("warpage tables (random pairs, close pairs, against a global basis) agree with Eigen", warpage_conformance)

namespace latentwalk::conformance {

namespace lw = ::latentwalk;
namespace le = ::latentwalk::eigen;

inline double max_rel(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want) {
    if (got.rows() != want.rows() || got.cols() != want.cols()) return HUGE_VAL;
    if (want.size() == 0) return 0.0;
    return (got - want).cwiseAbs().maxCoeff() / std::max(want.cwiseAbs().maxCoeff(), 1e-300);
}

/// A case for an unbatched backend (Eigen, xtensor, or any new one): conversions through the seam
/// itself (from_values, set_col, col, to_host), so a new backend needs no test code of its own.
template <class Tag, double Tol>
struct unbatched_case {
    using B = Tag;
    using T = backend_traits<B>;
    static constexpr double tol = Tol;
    static constexpr int samples = 1;
    static constexpr bool draws_like_eigen = std::is_same_v<scalar_t<B>, double>;
    static const char* label() { return T::name; }
    static bool available() { return true; }
    static vector_t<B> param(const Eigen::VectorXd& x) {
        return T::from_values(vector_t<B>{}, std::span<const double>(x.data(), static_cast<std::size_t>(x.size())));
    }
    static matrix_t<B> param(const Eigen::MatrixXd& A) {
        auto M = T::zeros(vector_t<B>{}, A.rows(), A.cols());
        for (Eigen::Index j = 0; j < A.cols(); ++j) T::set_col(M, j, param(Eigen::VectorXd(A.col(j))));
        return M;
    }
    static vector_t<B> vec(const std::vector<Eigen::VectorXd>& zs) { return param(zs.at(0)); }
    static matrix_t<B> mats(const std::vector<Eigen::MatrixXd>& As) { return param(As.at(0)); }
    static vector_t<B> slice(const vector_t<B>& x, int) { return x; }
    static Eigen::VectorXd sample(const vector_t<B>& x, int = 0) {
        const auto h = T::to_host(x);
        return Eigen::Map<const Eigen::VectorXd>(h.data(), static_cast<Eigen::Index>(h.size()));
    }
    static Eigen::MatrixXd sample_matrix(const matrix_t<B>& A, int = 0) {
        Eigen::MatrixXd M(T::rows(A), T::cols(A));
        for (Eigen::Index j = 0; j < M.cols(); ++j) M.col(j) = sample(T::col(A, j));
        return M;
    }
    static double sample_scalar(const batch_scalar_t<B>& a, int = 0) { return T::host_value(a); }
    static Eigen::VectorXd pick(const vector_t<B>& x, int) { return sample(x); }
    static Eigen::MatrixXd pick_matrix(const matrix_t<B>& A, int) { return sample_matrix(A); }
    /// The reference MLP's weights in the backend-generic latentwalk::mlp_generator.
    static lw::mlp_generator<B> mlp(const le::mlp_generator<double>& ref) {
        std::vector<typename lw::mlp_generator<B>::layer> layers;
        for (const auto& L : ref.layers()) layers.push_back({param(L.weight), param(L.bias)});
        const auto& o = ref.settings();
        typename lw::mlp_generator<B>::options g;
        g.hidden = o.hidden;
        g.output = o.output;
        g.leaky_slope = o.leaky_slope;
        g.pixel_norm_first = o.pixel_norm_first;
        g.pixel_norm_epsilon = o.pixel_norm_epsilon;
        return {std::move(layers), g};
    }
};

/// Runs an algorithm on the whole batch and checks every sample; an algorithm that reads per-sample
/// host values refuses a batch with dimension_error, and then it runs sample by sample and says so.
/// run(b): the result for sample b, or for the whole batch when b < 0; check(result, index, b).
template <class P, class Run, class Check>
void each_sample(const char* what, Run&& run, Check&& check) {
    if (P::samples > 1) {
        try {
            const auto r = run(-1);
            for (int b = 0; b < P::samples; ++b) check(r, b, b);
            return;
        } catch (const lw::dimension_error& e) {
            CATCH_WARN(what << " runs one latent code at a time, so it ran sample by sample: " << e.what());
        }
    }
    for (int b = 0; b < P::samples; ++b) check(run(P::samples > 1 ? b : -1), -1, b);
}

inline le::mlp_generator<double> reference_mlp() {
    le::mlp_generator<double>::options o;
    o.hidden = le::activation::tanh;
    o.pixel_norm_first = true;
    return le::mlp_generator<double>::random({6, 10, 9, 7}, o, 31);
}

inline std::vector<Eigen::VectorXd> latent_codes(Eigen::Index n, std::uint64_t salt) {
    auto rng = lw::test::rng(salt);
    std::vector<Eigen::VectorXd> zs;
    for (int b = 0; b < 3; ++b) zs.push_back(lw::test::random_vector(n, rng));
    return zs;
}

/// A generator whose JVP is 10 % too long: check_derivatives must catch it.
template <class G>
struct wrong_jvp {
    G g;
    using backend = typename G::backend;
    using vec = lw::vector_t<backend>;
    auto latent_dim() const { return g.latent_dim(); }
    auto output_dim() const { return g.output_dim(); }
    vec operator()(const vec& z) const { return g(z); }
    vec jvp(const vec& z, const vec& v) const { return lw::backend_traits<backend>::scale(g.jvp(z, v), 1.1); }
    vec vjp(const vec& z, const vec& u) const { return g.vjp(z, u); }
};

inline const lw::tangent_method all_methods[] = {lw::tangent_method::dense, lw::tangent_method::lanczos,
                                                 lw::tangent_method::randomized};

// ---- tangent bases ----------------------------------------------------------------------------

/// Closed forms: a linear generator's basis is the SVD of A at every z; the sphere's singular
/// values are (R, R|sin θ|) with ∂f/∂θ, ∂f/∂φ as bases; the torus's (R + r cos v, r).
template <class P>
void closed_form_tangent_conformance() {
    using B = typename P::B;
    if (!P::available()) return;
    auto rng = lw::test::rng(101);
    const Eigen::MatrixXd A = lw::test::random_matrix(8, 5, rng);
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const lw::linear_generator<B> g(P::param(A), P::param(Eigen::VectorXd(Eigen::VectorXd::LinSpaced(8, -1, 1))));
    const auto zs = latent_codes(5, 102);
    const auto z = P::vec(zs);
    double sv = 0, d_out = 0, d_lat = 0;
    for (auto method : all_methods) {
        lw::tangent_basis_options o;
        o.method = method;
        o.power_iterations = 3;
        each_sample<P>(
            "tangent_basis", [&](int b) { return lw::tangent_basis(g, P::slice(z, b), 3, o); },
            [&](const auto& tb, int index, int) {
                sv = std::max(sv, max_rel(P::pick(tb.singular_values, index), svd.singularValues().head(3)));
                d_out = std::max(d_out, lw::grassmann_distance(P::pick_matrix(tb.output_basis, index),
                                                               Eigen::MatrixXd(svd.matrixU().leftCols(3)),
                                                               lw::grassmann_metric::geodesic));
                d_lat = std::max(d_lat, lw::grassmann_distance(P::pick_matrix(tb.latent_basis, index),
                                                               Eigen::MatrixXd(svd.matrixV().leftCols(3)),
                                                               lw::grassmann_metric::geodesic));
            });
    }
    // Sphere of radius 2 at (θ, φ) per sample, torus (2, 1) at (u, v).
    std::vector<Eigen::VectorXd> angles = {Eigen::Vector2d(0.7, 0.2), Eigen::Vector2d(1.9, -2.5), Eigen::Vector2d(2.8, 1.0)};
    const auto za = P::vec(angles);
    const lw::sphere_embedding<B> sphere(2.0);
    const lw::torus_embedding<B> torus(2.0, 1.0);
    double sphere_err = 0, torus_err = 0, sphere_frame = 0;
    each_sample<P>(
        "tangent_basis (sphere)", [&](int b) { return lw::tangent_basis(sphere, P::slice(za, b), 2); },
        [&](const auto& tb, int index, int b) {
            const double th = angles[b][0], ph = angles[b][1];
            sphere_err = std::max(sphere_err, max_rel(P::pick(tb.singular_values, index), Eigen::Vector2d(2.0, 2.0 * std::abs(std::sin(th)))));
            // The first output direction is ∂f/∂θ / R = (cos θ cos φ, cos θ sin φ, −sin θ) up to sign.
            const Eigen::Vector3d e_theta(std::cos(th) * std::cos(ph), std::cos(th) * std::sin(ph), -std::sin(th));
            const Eigen::MatrixXd U = P::pick_matrix(tb.output_basis, index);
            sphere_frame = std::max(sphere_frame, 1.0 - std::abs(U.col(0).dot(e_theta)));
        });
    each_sample<P>(
        "tangent_basis (torus)", [&](int b) { return lw::tangent_basis(torus, P::slice(za, b), 2); },
        [&](const auto& tb, int index, int b) {
            const double rho = 2.0 + std::cos(angles[b][1]);
            torus_err = std::max(torus_err, max_rel(P::pick(tb.singular_values, index), Eigen::Vector2d(std::max(rho, 1.0), std::min(rho, 1.0))));
        });
    CATCH_INFO(P::label() << ": linear generator: singular values " << sv << ", subspaces " << d_out << " (output), "
                          << d_lat << " (latent); sphere " << sphere_err << " (frame " << sphere_frame << "); torus " << torus_err);
    CATCH_CHECK(sv < P::tol);
    CATCH_CHECK(d_out < P::tol);
    CATCH_CHECK(d_lat < P::tol);
    CATCH_CHECK(sphere_err < P::tol);
    CATCH_CHECK(sphere_frame < P::tol);
    CATCH_CHECK(torus_err < P::tol);
}

/// The mpmath SVD oracle (6×4 integer matrix) as a linear generator on the backend.
template <class P>
void svd_oracle_conformance() {
    using B = typename P::B;
    if (!P::available()) return;
    const auto& o = lw::test::oracles().at("svd").at("integer_6x4");
    const Eigen::MatrixXd A = lw::test::to_matrix(o.at("A"));
    const Eigen::VectorXd s_ref = lw::test::to_vector(o.at("reference_singular_values"));
    const Eigen::MatrixXd U_ref = lw::test::to_matrix(o.at("reference_U_6x4"));
    const Eigen::MatrixXd V_ref = lw::test::to_matrix(o.at("reference_V_4x4"));
    const lw::linear_generator<B> g(P::param(A));
    const auto z = P::vec({Eigen::VectorXd::LinSpaced(4, -1.0, 2.0), Eigen::VectorXd::Zero(4), Eigen::VectorXd::Ones(4)});
    double sv = 0, basis = 0;
    for (auto method : all_methods) {
        lw::tangent_basis_options opt;
        opt.method = method;
        if constexpr (std::is_same_v<lw::scalar_t<B>, double>) opt.tolerance = 1e-14;
        opt.power_iterations = 3;
        each_sample<P>(
            "tangent_basis", [&](int b) { return lw::tangent_basis(g, P::slice(z, b), 4, opt); },
            [&](const auto& tb, int index, int) {
                sv = std::max(sv, (P::pick(tb.singular_values, index) - s_ref).cwiseAbs().maxCoeff() / s_ref[0]);
                basis = std::max({basis, (P::pick_matrix(tb.latent_basis, index) - V_ref).cwiseAbs().maxCoeff(),
                                  (P::pick_matrix(tb.output_basis, index) - U_ref).cwiseAbs().maxCoeff()});
            });
    }
    CATCH_INFO(P::label() << ": singular values " << sv << " (relative to σ₁), bases with the oracle's signs " << basis);
    // The oracle is exact: the double bounds are the tangent area's (a few ulps of σ₁); float P::tol.
    const bool dbl = std::is_same_v<lw::scalar_t<B>, double>;
    CATCH_CHECK(sv <= (dbl ? 1e-14 : P::tol));
    CATCH_CHECK(basis <= (dbl ? 1e-13 : P::tol));
}

template <class P>
void derivation_layer_conformance() {
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 4), vs = latent_codes(6, 5), us = latent_codes(7, 6);
    const auto z = P::vec(zs), v = P::vec(vs), u = P::vec(us);
    const auto J = lw::jacobian(g, z);
    const auto Jv = lw::jvp(g, z, v);
    const auto Jtu = lw::vjp(g, z, u);
    const auto f = g(z);
    double worst = 0;
    for (int b = 0; b < P::samples; ++b) {
        worst = std::max(worst, max_rel(P::sample(f, b), ref(zs[b])));
        worst = std::max(worst, max_rel(P::sample_matrix(J, b), lw::jacobian(ref, zs[b])));
        worst = std::max(worst, max_rel(P::sample(Jv, b), lw::jvp(ref, zs[b], vs[b])));
        worst = std::max(worst, max_rel(P::sample(Jtu, b), lw::vjp(ref, zs[b], us[b])));
    }
    CATCH_INFO(P::label() << ": largest relative difference " << worst);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(lw::detail::jacobian_product_count(g) == 6);  // n = 6 ≤ m = 7: six JVPs
}

template <class P>
void derivative_check_conformance() {
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto z = P::vec(latent_codes(6, 7));
    const auto report = lw::check_derivatives(g, z);
    CATCH_INFO(P::label() << "\n" << report.summary());
    CATCH_CHECK(report.passed());
    CATCH_CHECK(report.jvp.order == Catch::Approx(2.0).margin(0.3));
    // Unbatched double, the random directions are the Eigen reference's own draws: the remainders agree.
    const auto eref = lw::check_derivatives(ref, latent_codes(6, 7)[0]);
    CATCH_CHECK(eref.passed());
    if constexpr (P::samples == 1 && P::draws_like_eigen)
        CATCH_CHECK(report.jvp.remainders[0] == Catch::Approx(eref.jvp.remainders[0]).epsilon(1e-8));
    const wrong_jvp<std::remove_cv_t<decltype(g)>> bad{g};
    const auto failed = lw::check_derivatives(bad, z);
    CATCH_INFO(failed.summary());
    CATCH_CHECK_FALSE(failed.jvp.passed);
    CATCH_CHECK_FALSE(failed.adjoint_passed);
    CATCH_CHECK(failed.jvp.order < 1.5);
}

template <class P>
void standard_gaussian_conformance() {
    using B = typename P::B;
    using T = lw::backend_traits<B>;
    if (!P::available()) return;
    const lw::standard_gaussian<B> p(5);
    const lw::standard_gaussian<le::backend<double>> ref(5);
    const auto zs = latent_codes(5, 8);
    const auto z = P::vec(zs);
    const auto logp = p.log_density(z);
    const auto score = p.score(z);
    const double c = ref.max_log_density() - 3.0;
    const auto proj = p.project_to_level(z, c);
    const auto logp_proj = p.log_density(proj);
    double worst = 0;
    for (int b = 0; b < P::samples; ++b) {
        worst = std::max(worst, lw::test::rel_diff(P::sample_scalar(logp, b), ref.log_density(zs[b])));
        worst = std::max(worst, max_rel(P::sample(score, b), ref.score(zs[b])));
        worst = std::max(worst, max_rel(P::sample(proj, b), ref.project_to_level(zs[b], c)));
        worst = std::max(worst, lw::test::rel_diff(P::sample_scalar(logp_proj, b), c));
    }
    // The oracle: log N(z; 0, I_4) and its score at the oracle's z (mpmath).
    const auto& o = lw::test::oracles().at("gaussian_prior").at("standard_normal_logpdf");
    const lw::standard_gaussian<B> p4(4);
    const auto z4 = P::param(lw::test::to_vector(o.at("z")));
    const double oracle = lw::test::rel_diff(T::host_value(p4.log_density(z4)), o.at("reference_logpdf").get<double>());
    const double oracle_score = max_rel(P::pick(p4.score(z4), -1), lw::test::to_vector(o.at("reference_grad_logpdf")));
    CATCH_INFO(P::label() << ": largest relative difference " << worst << "; oracle " << oracle << ", score " << oracle_score);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(oracle < P::tol);
    CATCH_CHECK(oracle_score < P::tol);
    // Bad input: the same exceptions as on Eigen, and z is left as it was.
    const auto before = T::to_host(z);
    CATCH_REQUIRE_THROWS_AS(p.project_to_level(z, ref.max_log_density() + 1.0), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(p.project_to_level(T::zeros(z, 5), c), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(p.log_density(T::zeros(z, 4)), lw::dimension_error);
    CATCH_CHECK(T::to_host(z) == before);
}

template <class P>
void tangent_conformance() {
    if (!P::available()) return;
    const auto ref = reference_mlp();  // 6 → 7
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 9);
    const auto z = P::vec(zs);
    for (auto method : all_methods) {
        lw::tangent_basis_options o;
        o.method = method;
        double sv = 0, d_out = 0, d_lat = 0;
        bool converged = true;
        each_sample<P>(
            "tangent_basis", [&](int b) { return lw::tangent_basis(g, P::slice(z, b), 3, o); },
            [&](const auto& tb, int index, int b) {
                const auto eb = lw::tangent_basis(ref, zs[b], 3, o);
                sv = std::max(sv, max_rel(P::pick(tb.singular_values, index), eb.singular_values));
                d_out = std::max(d_out, lw::grassmann_distance(P::pick_matrix(tb.output_basis, index), eb.output_basis,
                                                               lw::grassmann_metric::geodesic));
                d_lat = std::max(d_lat, lw::grassmann_distance(P::pick_matrix(tb.latent_basis, index), eb.latent_basis,
                                                               lw::grassmann_metric::geodesic));
                converged = converged && tb.report.converged;
            });
        CATCH_INFO(P::label() << ", " << lw::to_string(method) << ": singular values " << sv << ", subspace distances "
                              << d_out << " (output), " << d_lat << " (latent)");
        CATCH_CHECK(sv < P::tol);
        CATCH_CHECK(d_out < P::tol);
        CATCH_CHECK(d_lat < P::tol);
        CATCH_CHECK(converged);
    }
}

// ---- Grassmann ----------------------------------------------------------------------------------

template <class P>
void grassmann_conformance() {
    if (!P::available()) return;
    auto rng = lw::test::rng(10);
    std::vector<Eigen::MatrixXd> As, Bs, Cs;
    for (int b = 0; b < 3; ++b) {
        As.push_back(lw::test::random_matrix(8, 3, rng));
        Bs.push_back(lw::test::random_matrix(8, 2, rng));
        Cs.push_back(As.back() + 1e-7 * lw::test::random_matrix(8, 3, rng));  // tiny angles
    }
    const auto A = P::mats(As), Bm = P::mats(Bs), C = P::mats(Cs);
    const auto pa = lw::principal_angles(A, Bm);
    double angles = 0, distances = 0;
    for (int b = 0; b < P::samples; ++b)
        angles = std::max(angles, max_rel(P::sample(pa.angles, b), lw::principal_angles(As[b], Bs[b]).angles));
    for (auto metric : {lw::grassmann_metric::geodesic, lw::grassmann_metric::projection_frobenius,
                        lw::grassmann_metric::procrustes, lw::grassmann_metric::fubini_study,
                        lw::grassmann_metric::binet_cauchy, lw::grassmann_metric::martin}) {
        const auto d = lw::grassmann_distance(A, Bm, metric);
        for (int b = 0; b < P::samples; ++b)
            distances = std::max(distances, lw::test::rel_diff(P::sample_scalar(d, b), lw::grassmann_distance(As[b], Bs[b], metric)));
    }
    // The mpmath oracle cases (unbatched parameters).
    double oracle = 0;
    for (const auto& c : lw::test::oracles().at("principal_angles")) {
        const auto o = lw::principal_angles(P::param(lw::test::to_matrix(c.at("A"))), P::param(lw::test::to_matrix(c.at("B"))));
        const Eigen::VectorXd th = lw::test::to_vector(c.at("reference_angles_ascending"));
        const Eigen::VectorXd got = P::pick(o.angles, -1);
        oracle = std::max(oracle, got.size() == th.size() ? (got - th).cwiseAbs().maxCoeff() : HUGE_VAL);
    }
    CATCH_INFO(P::label() << ": angles " << angles << ", distances " << distances << ", oracle angles (absolute) " << oracle);
    CATCH_CHECK(angles < P::tol);
    CATCH_CHECK(distances < P::tol);
    CATCH_CHECK(oracle < std::max(P::tol, 1e-14));
    if constexpr (P::tol < 1e-6) {  // angles of order 1e-7 keep their relative accuracy
        const auto tiny = lw::principal_angles(A, C);
        double worst = 0;
        for (int b = 0; b < P::samples; ++b)
            worst = std::max(worst, max_rel(P::sample(tiny.angles, b), lw::principal_angles(As[b], Cs[b]).angles));
        CATCH_INFO("tiny angles: " << worst);
        CATCH_CHECK(worst < 1e-6);
    }
}

/// log, exp and the Karcher mean take unbatched bases (the oracle's X, Y and random subspaces).
template <class P>
void grassmann_geometry_conformance() {
    using B = typename P::B;
    if (!P::available()) return;
    const auto& o = lw::test::oracles().at("grassmann");
    const Eigen::MatrixXd X = lw::test::to_matrix(o.at("X")), Y = lw::test::to_matrix(o.at("Y"));
    const auto D = lw::grassmann_log(P::param(X), P::param(Y));
    const Eigen::MatrixXd D_ref = lw::grassmann_log(X, Y);
    const double log_err = max_rel(P::pick_matrix(D, -1), D_ref);
    const double log_oracle = max_rel(P::pick_matrix(D, -1), lw::test::to_matrix(o.at("reference_log_X_Y")));
    const Eigen::MatrixXd E = P::pick_matrix(lw::grassmann_exp(P::param(X), D), -1);
    const Eigen::MatrixXd P_ref = lw::test::to_matrix(o.at("reference_projector_Y"));
    const double exp_oracle = (E * E.transpose() - P_ref).cwiseAbs().maxCoeff();
    // log of a subspace at itself, on a basis where every product is exact: the angles are exactly 0,
    // so θ/sin θ takes the 0/0 guard, whose floor must be a normal number of the backend's scalar.
    const Eigen::MatrixXd E2 = Eigen::MatrixXd::Identity(5, 2);
    const Eigen::MatrixXd zero_log = P::pick_matrix(lw::grassmann_log(P::param(E2), P::param(E2)), -1);
    CATCH_CHECK(zero_log.allFinite());
    CATCH_CHECK(zero_log.cwiseAbs().maxCoeff() == 0.0);
    auto rng = lw::test::rng(103);
    std::vector<Eigen::MatrixXd> bases;
    std::vector<lw::matrix_t<B>> on_backend;
    const Eigen::MatrixXd center = lw::test::random_matrix(9, 3, rng);
    for (int i = 0; i < 5; ++i) {
        bases.push_back(center + 0.3 * lw::test::random_matrix(9, 3, rng));
        on_backend.push_back(P::param(bases.back()));
    }
    const auto km = lw::karcher_mean(on_backend);
    const auto kref = lw::karcher_mean(bases);
    const double mean_distance =
        lw::grassmann_distance(P::pick_matrix(km.mean, -1), kref.mean, lw::grassmann_metric::geodesic);
    CATCH_INFO(P::label() << ": log vs Eigen " << log_err << ", vs oracle " << log_oracle << "; exp projector vs oracle "
                          << exp_oracle << "; Karcher mean distance to the Eigen mean " << mean_distance << " after "
                          << km.iterations << " iterations (Eigen " << kref.iterations << ")");
    const double oracle_tol = std::max(P::tol, 1e-14);
    CATCH_CHECK(log_err < P::tol);
    CATCH_CHECK(log_oracle < oracle_tol);
    CATCH_CHECK(exp_oracle < oracle_tol);
    CATCH_CHECK(mean_distance < P::tol);
    if constexpr (std::is_same_v<lw::scalar_t<B>, double>) CATCH_CHECK(km.converged);
}

// ---- densities and traversals -------------------------------------------------------------------

template <class P>
void density_conformance() {
    using B = typename P::B;
    if (!P::available()) return;
    Eigen::VectorXd mean(4), stddev(4);
    mean << 0.5, -1.0, 0.0, 2.0;
    stddev << 1.0, 0.5, 2.0, 1.5;
    const lw::diagonal_gaussian<B> p(P::param(mean), P::param(stddev));
    const lw::diagonal_gaussian<le::backend<double>> ref(mean, stddev);
    const auto zs = latent_codes(4, 12), ds = latent_codes(4, 13);
    const auto z = P::vec(zs), dir = P::vec(ds);
    const double c = ref.max_log_density() - 2.0;
    const auto logp = p.log_density(z);
    const auto score = p.score(z);
    const auto proj = p.project_to_level(z, c);
    double worst = 0, walk_worst = 0;
    for (int b = 0; b < P::samples; ++b) {
        worst = std::max(worst, lw::test::rel_diff(P::sample_scalar(logp, b), ref.log_density(zs[b])));
        worst = std::max(worst, max_rel(P::sample(score, b), ref.score(zs[b])));
        worst = std::max(worst, max_rel(P::sample(proj, b), ref.project_to_level(zs[b], c)));
    }
    each_sample<P>(
        "density_preserving_walk",
        [&](int b) { return lw::density_preserving_walk(p, P::slice(z, b), P::slice(dir, b), 5, 0.1); },
        [&](const auto& walk, int index, int b) {
            const auto ew = lw::density_preserving_walk(ref, zs[b], ds[b], 5, 0.1);
            CATCH_REQUIRE(walk.points.size() == ew.points.size());
            for (std::size_t j = 0; j < ew.points.size(); ++j)
                walk_worst = std::max(walk_worst, max_rel(P::pick(walk.points[j], index), ew.points[j]));
        });
    CATCH_INFO(P::label() << ": density " << worst << ", walk " << walk_worst);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(walk_worst < P::tol);
}

template <class P>
void traversal_conformance() {
    using B = typename P::B;
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 14), ds = latent_codes(6, 15);
    const auto z = P::vec(zs), dir = P::vec(ds);
    auto rng = lw::test::rng(16);
    const Eigen::MatrixXd M = lw::test::random_matrix(6, 6, rng);
    const Eigen::MatrixXd H = -(M * M.transpose() / 6.0 + Eigen::MatrixXd::Identity(6, 6));
    const Eigen::VectorXd h = Eigen::VectorXd::LinSpaced(6, -1.0, 1.0);
    const lw::quadratic_potential<B> u(P::param(H), P::param(h));
    const lw::quadratic_potential<le::backend<double>> uref(H, h);
    lw::potential_flow_options<B> fo;
    fo.ode.method = lw::ode_method::rk4;
    fo.ode.steps = 20;
    lw::potential_flow_options<le::backend<double>> fref;
    fref.ode.method = lw::ode_method::rk4;
    fref.ode.steps = 20;
    double worst_line = 0, worst_sub = 0, worst_flow = 0, worst_pde = 0;
    each_sample<P>(
        "linear_traversal", [&](int b) { return lw::linear_traversal(g, P::slice(z, b), P::slice(dir, b), 4, 0.25); },
        [&](const auto& line, int index, int b) {
            const auto el = lw::linear_traversal(ref, zs[b], ds[b], 4, 0.25);
            CATCH_REQUIRE(line.points.size() == el.points.size());
            CATCH_REQUIRE(line.outputs.size() == el.outputs.size());
            for (std::size_t j = 0; j < el.points.size(); ++j) {
                worst_line = std::max(worst_line, max_rel(P::pick(line.points[j], index), el.points[j]));
                worst_line = std::max(worst_line, max_rel(P::pick(line.outputs[j], index), el.outputs[j]));
            }
        });
    each_sample<P>(
        "subspace_traversal", [&](int b) { return lw::subspace_traversal(g, P::slice(z, b), P::slice(dir, b), 2, 4, 0.1); },
        [&](const auto& sub, int index, int b) {
            const auto es = lw::subspace_traversal(ref, zs[b], ds[b], 2, 4, 0.1);
            CATCH_REQUIRE(sub.points.size() == es.points.size());
            for (std::size_t j = 0; j < es.points.size(); ++j)
                worst_sub = std::max(worst_sub, max_rel(P::pick(sub.points[j], index), es.points[j]));
        });
    each_sample<P>(
        "potential_flow", [&](int b) { return lw::potential_flow(u, P::slice(z, b), fo); },
        [&](const auto& flow, int index, int b) {
            const auto ef = lw::potential_flow(uref, zs[b], fref);
            CATCH_REQUIRE(flow.path.points.size() == ef.path.points.size());
            for (std::size_t j = 0; j < ef.path.points.size(); ++j)
                worst_flow = std::max(worst_flow, max_rel(P::pick(flow.path.points[j], index), ef.path.points[j]));
        });
    const auto lap = lw::laplacian(u, z, 0.5);
    const auto res = lw::wave_residual(u, z, 0.5, 2.0);
    for (int b = 0; b < P::samples; ++b) {
        worst_pde = std::max(worst_pde, lw::test::rel_diff(P::sample_scalar(lap, b), lw::laplacian(uref, zs[b], 0.5)));
        worst_pde = std::max(worst_pde, max_rel(P::sample(res, b), lw::wave_residual(uref, zs[b], 0.5, 2.0)));
    }
    CATCH_INFO(P::label() << ": linear " << worst_line << ", subspace " << worst_sub << ", flow " << worst_flow << ", pde "
                          << worst_pde);
    CATCH_CHECK(worst_line < P::tol);
    CATCH_CHECK(worst_sub < P::tol);
    CATCH_CHECK(worst_flow < P::tol);
    CATCH_CHECK(worst_pde < P::tol);
}

/// Curve traversal (Local Basis, Algorithm 2) runs a tangent basis per step: the path must follow
/// the Eigen reference's step for step.
template <class P>
void curve_conformance() {
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 17);
    const auto z = P::vec(zs);
    double worst = 0;
    each_sample<P>(
        "curve_traversal", [&](int b) { return lw::curve_traversal(g, P::slice(z, b), 0, 6, 0.1); },
        [&](const auto& path, int index, int b) {
            const auto ep = lw::curve_traversal(ref, zs[b], 0, 6, 0.1);
            CATCH_REQUIRE(path.points.size() == ep.points.size());
            for (std::size_t j = 0; j < ep.points.size(); ++j)
                worst = std::max(worst, max_rel(P::pick(path.points[j], index), ep.points[j]));
        });
    CATCH_INFO(P::label() << ": curve traversal, largest relative difference " << worst);
    CATCH_CHECK(worst < P::tol);
}

// Warpage experiments draw their own latent codes, so they create objects from a default-constructed
// `like` (on torch: CPU, the backend's dtype, no batch).
template <class P>
void warpage_conformance() {
    if (!P::available() || P::samples > 1) return;  // unbatched parameters; one configuration per scalar
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    lw::warpage_options o;
    o.pairs = 4;
    o.k_max = 3;
    o.metrics = {lw::grassmann_metric::geodesic, lw::grassmann_metric::projection_2};
    o.side = lw::basis_side::latent;  // the global basis below is a 6×3 basis of the latent space
    const Eigen::MatrixXd I63 = Eigen::MatrixXd::Identity(6, 3);
    const auto global = P::param(I63);
    const lw::warpage_table tables[] = {lw::warpage_random_pairs(g, o), lw::warpage_close_pairs(g, o),
                                        lw::warpage_against_global(g, global, o)};
    const lw::warpage_table refs[] = {lw::warpage_random_pairs(ref, o), lw::warpage_close_pairs(ref, o),
                                      lw::warpage_against_global(ref, I63, o)};
    double worst = 0;
    for (int e = 0; e < 3; ++e)
        for (auto m : o.metrics)
            for (long long k = 1; k <= o.k_max; ++k)
                worst = std::max(worst, lw::test::rel_diff(tables[e].mean_at(m, k), refs[e].mean_at(m, k)));
    CATCH_INFO(P::label() << ": warpage means, largest relative difference " << worst);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(refs[0].mean_at(lw::grassmann_metric::geodesic, 1) > 0.0);  // a nonlinear model warps
}

}  // namespace latentwalk::conformance
