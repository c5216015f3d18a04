// grassmann: principal angles and the distance family against the mpmath oracles, invariances,
// metric axioms, Haar statistics and the error contract.
// Only the headers this file uses (not the umbrellas), so other areas' work in progress cannot break it.
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/random_subspace.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "support/test_support.hpp"

namespace lw = latentwalk;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using lw::grassmann_metric;

namespace {

/// The oracle key of each metric (the oracle spells out the naming collisions).
std::string oracle_key(grassmann_metric m) {
    switch (m) {
        case grassmann_metric::geodesic: return "geodesic_arc_length";
        case grassmann_metric::projection_frobenius: return "projection_frobenius_aka_chordal_conway";
        case grassmann_metric::projection_2: return "projection_2norm_aka_gap";
        case grassmann_metric::procrustes: return "procrustes_aka_chordal_frobenius_EAS";
        case grassmann_metric::spectral: return "spectral_aka_chordal_2norm_EAS";
        case grassmann_metric::fubini_study: return "fubini_study";
        case grassmann_metric::binet_cauchy: return "binet_cauchy";
        case grassmann_metric::martin: return "martin";
        case grassmann_metric::asimov: return "asimov_max_angle";
    }
    return "";
}

/// The oracle files write no tolerance for distances; ours: relative 1e-13 (exact zeros to 1e-15).
bool distance_matches(double got, double want) {
    if (want == 0.0) return std::abs(got) <= 1e-15;
    return std::abs(got - want) <= 1e-13 * std::abs(want);
}

MatrixXd gaussian(Eigen::Index r, Eigen::Index c, std::mt19937_64& rng) {
    std::normal_distribution<double> nd;
    return MatrixXd::NullaryExpr(r, c, [&] { return nd(rng); });
}

MatrixXd random_orthogonal(Eigen::Index k, std::mt19937_64& rng) {
    return lw::random_subspace<lw::eigen::backend<double>>(k, k, rng);
}

}  // namespace

CATCH_TEST_CASE("grassmann: principal angles, cosines and sines match every mpmath oracle case to 1e-14") {
    for (const auto& c : lw::test::oracles().at("principal_angles")) {
        CATCH_INFO("case " << c.at("name").get<std::string>());
        const MatrixXd A = lw::test::to_matrix(c.at("A")), B = lw::test::to_matrix(c.at("B"));
        const auto pa = lw::principal_angles(A, B);
        const VectorXd th = lw::test::to_vector(c.at("reference_angles_ascending"));
        const VectorXd co = lw::test::to_vector(c.at("reference_cosines_descending"));
        const VectorXd si = lw::test::to_vector(c.at("reference_sines_ascending"));
        CATCH_REQUIRE(pa.angles.size() == th.size());
        CATCH_CHECK((pa.angles - th).cwiseAbs().maxCoeff() <= 1e-14);
        CATCH_CHECK((pa.cosines - co).cwiseAbs().maxCoeff() <= 1e-14);
        CATCH_CHECK((pa.sines - si).cwiseAbs().maxCoeff() <= 1e-14);
        CATCH_CHECK(pa.missing == std::abs(A.cols() - B.cols()));
        // Swapping the arguments gives the same angles.
        CATCH_CHECK((lw::principal_angles(B, A).angles - th).cwiseAbs().maxCoeff() <= 1e-14);
    }
}

CATCH_TEST_CASE("grassmann: tiny angles keep full relative accuracy, also mixed with large ones") {
    // span(e1, e2, e3) vs span(e1 + t1 e4, e2 + t2 e5, cos(a) e3 + sin(a) e6): exact angles atan(t1), atan(t2), a.
    for (double t : {1e-7, 1e-10, 1e-13, 1e-16}) {
        MatrixXd A = MatrixXd::Zero(7, 3), B = MatrixXd::Zero(7, 3);
        A(0, 0) = A(1, 1) = A(2, 2) = 1;
        B(0, 0) = 1, B(3, 0) = t;
        B(1, 1) = 1, B(4, 1) = 5 * t;
        const double a = 1.4;
        B(2, 2) = std::cos(a), B(5, 2) = std::sin(a);
        const auto pa = lw::principal_angles(A, B);
        CATCH_INFO("t = " << t);
        CATCH_CHECK(std::abs(pa.angles[0] - std::atan(t)) <= 1e-15 * t);
        CATCH_CHECK(std::abs(pa.angles[1] - std::atan(5 * t)) <= 1e-15 * 5 * t);
        CATCH_CHECK(std::abs(pa.angles[2] - a) <= 1e-15);
        // Distances from tiny angles stay relatively accurate (the naive arccos path returns 0). With
        // tan θ_i = t_i the references are cancellation-free rationals: ∏ cos² = 1 / ∏ (1 + t_i²).
        const MatrixXd A2 = A.leftCols(2), B2 = B.leftCols(2);
        const double t1 = t, t2 = 5 * t;
        const double one_minus_prod_cos2 = (t1 * t1 + t2 * t2 + t1 * t1 * t2 * t2) / ((1 + t1 * t1) * (1 + t2 * t2));
        const auto chord = [](double tn) { return tn / std::sqrt(1 + tn * tn) * std::sqrt(2 / (1 + 1 / std::sqrt(1 + tn * tn))); };
        const std::pair<grassmann_metric, double> refs[] = {
            {grassmann_metric::geodesic, std::hypot(std::atan(t1), std::atan(t2))},
            {grassmann_metric::projection_frobenius, std::hypot(t1 / std::sqrt(1 + t1 * t1), t2 / std::sqrt(1 + t2 * t2))},
            {grassmann_metric::procrustes, std::hypot(chord(t1), chord(t2))},
            {grassmann_metric::binet_cauchy, std::sqrt(one_minus_prod_cos2)},
            {grassmann_metric::fubini_study, std::atan(std::sqrt(t1 * t1 + t2 * t2 + t1 * t1 * t2 * t2))},
            {grassmann_metric::martin, std::sqrt(std::log1p(t1 * t1) + std::log1p(t2 * t2))},
            {grassmann_metric::spectral, chord(t2)},
        };
        for (const auto& [m, want] : refs) {
            CATCH_INFO("metric " << lw::metric_name(m));
            const double got = lw::grassmann_distance(A2, B2, m);
            CATCH_INFO("relative error " << std::abs(got - want) / want);
            CATCH_CHECK(std::abs(got - want) <= 1e-15 * want);  // a few ulps
        }
    }
}

CATCH_TEST_CASE("grassmann: every distance matches the oracle's grassmann_distances") {
    for (const auto& c : lw::test::oracles().at("principal_angles")) {
        const std::string name = c.at("name").get<std::string>();
        const MatrixXd A = lw::test::to_matrix(c.at("A")), B = lw::test::to_matrix(c.at("B"));
        const auto& ref = c.at("grassmann_distances");
        const bool same_dim = A.cols() == B.cols();
        for (auto m : lw::all_grassmann_metrics) {
            CATCH_INFO("case " << name << ", metric " << lw::metric_name(m));
            // The oracle's main keys use the min(p, q) common angles.
            const double got = lw::grassmann_distance(A, B, m, lw::dimension_mismatch::common_angles_only);
            const auto& want = ref.at(oracle_key(m));
            if (want.is_null()) {  // martin at θ = π/2: documented as +inf
                CATCH_CHECK(got == std::numeric_limits<double>::infinity());
            } else {
                CATCH_CHECK(distance_matches(got, want.get<double>()));
            }
            if (same_dim) CATCH_CHECK(lw::grassmann_distance(A, B, m) == got);
        }
        // ‖P_A − P_B‖_F = √2 ‖sin θ‖ for equal dimensions.
        if (same_dim)
            CATCH_CHECK(distance_matches(std::sqrt(2.0) * lw::grassmann_distance(A, B, grassmann_metric::projection_frobenius),
                                         ref.at("||P1-P2||_F_projector_difference").get<double>()));
    }
}

CATCH_TEST_CASE("grassmann: different dimensions pad the missing angles with pi/2") {
    const auto& c = lw::test::oracles().at("principal_angles").at(4);
    CATCH_REQUIRE(c.at("name").get<std::string>() == "different_dims_6x3_vs_6x2");
    const MatrixXd A = lw::test::to_matrix(c.at("A")), B = lw::test::to_matrix(c.at("B"));
    const auto& ref = c.at("grassmann_distances");
    CATCH_CHECK(distance_matches(lw::grassmann_distance(A, B, grassmann_metric::geodesic),
                                 ref.at("padded_geodesic_sqrt(|k-l|pi^2/4+sum th^2)").get<double>()));
    CATCH_CHECK(distance_matches(lw::grassmann_distance(A, B, grassmann_metric::projection_frobenius),
                                 ref.at("padded_projection_frobenius_sqrt(|k-l|+sum sin^2)").get<double>()));
    CATCH_CHECK(distance_matches(lw::grassmann_distance(B, A, grassmann_metric::procrustes),
                                 ref.at("padded_procrustes_sqrt(2|k-l|+4 sum sin^2(th/2))").get<double>()));
    const double half_pi = std::numbers::pi / 2;
    CATCH_CHECK(lw::grassmann_distance(A, B, grassmann_metric::projection_2) == 1.0);
    CATCH_CHECK(lw::grassmann_distance(A, B, grassmann_metric::spectral) == std::sqrt(2.0));
    CATCH_CHECK(lw::grassmann_distance(A, B, grassmann_metric::asimov) == half_pi);
    CATCH_CHECK(std::abs(lw::grassmann_distance(A, B, grassmann_metric::fubini_study) - half_pi) <= 1e-15);
    CATCH_CHECK(lw::grassmann_distance(A, B, grassmann_metric::binet_cauchy) == 1.0);
    CATCH_CHECK(lw::grassmann_distance(A, B, grassmann_metric::martin) == std::numeric_limits<double>::infinity());
}

CATCH_TEST_CASE("grassmann: angles are invariant under A -> AQ (orthogonal Q), sign flips and scaling") {
    auto rng = lw::test::rng(41);
    for (int trial = 0; trial < 5; ++trial) {
        const MatrixXd A = gaussian(30, 4, rng), B = gaussian(30, 6, rng);
        const VectorXd ref = lw::principal_angles(A, B).angles;
        const MatrixXd QA = random_orthogonal(4, rng), QB = random_orthogonal(6, rng);
        CATCH_CHECK((lw::principal_angles(MatrixXd(A * QA), MatrixXd(B * QB)).angles - ref).cwiseAbs().maxCoeff() <= 1e-13);
        VectorXd signs = VectorXd::Ones(4);
        signs[1] = signs[3] = -1;
        CATCH_CHECK((lw::principal_angles(MatrixXd(A * signs.asDiagonal()), B).angles - ref).cwiseAbs().maxCoeff() <= 1e-14);
        CATCH_CHECK((lw::principal_angles(MatrixXd(-1e-3 * A), MatrixXd(7.0 * B)).angles - ref).cwiseAbs().maxCoeff() <= 1e-14);
        for (auto m : lw::all_grassmann_metrics) {
            const double d = lw::grassmann_distance(A, B, m), dq = lw::grassmann_distance(MatrixXd(A * QA), B, m);
            if (std::isfinite(d)) CATCH_CHECK(std::abs(d - dq) <= 1e-13 * std::max(1.0, d));
        }
    }
}

CATCH_TEST_CASE("grassmann: metric axioms hold on random triples (equal dimensions)") {
    auto rng = lw::test::rng(42);
    // Identity, symmetry, positivity and the triangle inequality on generic and clustered triples, for
    // every member of the family but martin (a divergence-like distance without a triangle inequality).
    for (int trial = 0; trial < 40; ++trial) {
        const Eigen::Index n = 8, k = 1 + trial % 3;
        const double spread = trial % 2 ? 1.0 : 0.05;  // generic and nearby subspaces
        const MatrixXd X = gaussian(n, k, rng);
        const MatrixXd Y = X + spread * gaussian(n, k, rng), Z = X + spread * gaussian(n, k, rng);
        for (auto m : lw::all_grassmann_metrics) {
            if (m == grassmann_metric::martin) continue;  // not a metric: no triangle inequality in general
            CATCH_INFO("metric " << lw::metric_name(m) << " trial " << trial);
            const double xy = lw::grassmann_distance(X, Y, m), yz = lw::grassmann_distance(Y, Z, m),
                         xz = lw::grassmann_distance(X, Z, m);
            CATCH_CHECK(lw::grassmann_distance(X, X, m) <= 1e-15);
            CATCH_CHECK(std::abs(xy - lw::grassmann_distance(Y, X, m)) <= 1e-14);
            CATCH_CHECK(xz <= xy + yz + 1e-14);
            CATCH_CHECK(xy > 0);
        }
    }
}

CATCH_TEST_CASE("grassmann: Haar pairs of lines in R^512 sit near pi/2 as theory says") {
    // For k = 1, cos θ = |uᵀv| with u, v independent uniform unit vectors: √n cos θ → |N(0, 1)|, so
    // E cos θ ≈ sqrt(2 / (π n)) = 0.03526 and Var(cos θ) ≈ (1 − 2/π) / n, i.e. θ ≈ π/2 − 0.035.
    auto rng = lw::test::rng(43);
    const int pairs = 2000;
    const Eigen::Index n = 512;
    double sum_cos = 0, sum_cos2 = 0, min_theta = 10;
    for (int i = 0; i < pairs; ++i) {
        const MatrixXd u = lw::random_subspace<lw::eigen::backend<double>>(n, 1, rng);
        const MatrixXd v = lw::random_subspace<lw::eigen::backend<double>>(n, 1, rng);
        const double th = lw::principal_angles(u, v).angles[0];
        sum_cos += std::cos(th);
        sum_cos2 += std::cos(th) * std::cos(th);
        min_theta = std::min(min_theta, th);
    }
    const double mean = sum_cos / pairs, var = sum_cos2 / pairs - mean * mean;
    const double mean_theory = std::sqrt(2.0 / (std::numbers::pi * n));
    const double var_theory = (1 - 2 / std::numbers::pi) / n;
    // 5 standard errors of the sample mean.
    CATCH_CHECK(std::abs(mean - mean_theory) <= 5 * std::sqrt(var_theory / pairs));
    CATCH_CHECK(std::abs(var / var_theory - 1) <= 0.15);
    CATCH_CHECK(min_theta > std::numbers::pi / 2 - 0.25);  // P(cos > 0.25) = P(|N| > 5.7) ≈ 1e-8
}

CATCH_TEST_CASE("grassmann: random_subspace is orthonormal with Haar sign convention") {
    auto rng = lw::test::rng(44);
    const MatrixXd Q = lw::random_subspace<lw::eigen::backend<double>>(20, 5, rng);
    CATCH_CHECK((Q.transpose() * Q - MatrixXd::Identity(5, 5)).cwiseAbs().maxCoeff() <= 1e-14);
    // With the sign fix, Q equals G R⁻¹ with R's diagonal positive: the R of QᵀG has positive diagonal.
    auto rng2 = lw::test::rng(44);
    const MatrixXd G = gaussian(20, 5, rng2);
    const MatrixXd R = Q.transpose() * G;
    for (Eigen::Index j = 0; j < 5; ++j) CATCH_CHECK(R(j, j) > 0);
    CATCH_CHECK((Q * R - G).cwiseAbs().maxCoeff() <= 1e-12);
    CATCH_CHECK_THROWS_AS(lw::random_subspace<lw::eigen::backend<double>>(3, 4, rng), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::random_subspace<lw::eigen::backend<double>>(3, 0, rng), lw::invalid_argument_error);
}

CATCH_TEST_CASE("grassmann: bad bases throw sentences naming the problem and leave inputs untouched") {
    MatrixXd A(5, 3);
    A << 1, 0, 1, 0, 1, 1, 0, 0, 0, 2, 1, 3, 0, 0, 0;  // column 3 = column 1 + column 2: rank 2
    const MatrixXd A_copy = A;
    const MatrixXd B = MatrixXd::Identity(5, 3);
    try {
        (void)lw::principal_angles(A, B);
        CATCH_FAIL("rank-deficient A was accepted");
    } catch (const lw::dimension_error& e) {
        const std::string msg = e.what();
        CATCH_CHECK(msg.find("principal_angles") != std::string::npos);
        CATCH_CHECK(msg.find("rank 2") != std::string::npos);
    }
    CATCH_CHECK(A == A_copy);
    CATCH_CHECK_THROWS_AS(lw::grassmann_distance(B, A, grassmann_metric::geodesic), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::principal_angles(MatrixXd(MatrixXd::Zero(5, 2)), B), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::principal_angles(MatrixXd(MatrixXd::Identity(6, 3)), B), lw::dimension_error);  // ambient
    CATCH_CHECK_THROWS_AS(lw::principal_angles(MatrixXd(MatrixXd::Identity(3, 4)), MatrixXd(MatrixXd::Identity(3, 1))),
                          lw::dimension_error);  // more columns than rows
    MatrixXd N = B;
    N(2, 1) = std::numeric_limits<double>::quiet_NaN();
    CATCH_CHECK_THROWS_AS(lw::principal_angles(N, B), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::grassmann_distance(B, N, grassmann_metric::martin), lw::numerical_error);
}

CATCH_TEST_CASE("grassmann: single precision bases give the oracle angles to float accuracy") {
    const auto& c = lw::test::oracles().at("principal_angles").at(0);
    const Eigen::MatrixXf A = lw::test::to_matrix(c.at("A")).cast<float>(), B = lw::test::to_matrix(c.at("B")).cast<float>();
    const auto pa = lw::principal_angles(A, B);
    const VectorXd th = lw::test::to_vector(c.at("reference_angles_ascending"));
    CATCH_CHECK((pa.angles.cast<double>() - th).cwiseAbs().maxCoeff() <= 2e-6);
    const double geo = lw::grassmann_distance(A, B, grassmann_metric::geodesic);
    CATCH_CHECK(std::abs(geo - c.at("grassmann_distances").at("geodesic_arc_length").get<double>()) <= 4e-6);
}
