// grassmann: log, exp, geodesics, Karcher mean, global bases (SeFa, GANSpace) and the warpage tables.
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/ganspace_directions.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/grassmann_exp.hpp>
#include <latentwalk/grassmann/grassmann_geodesic.hpp>
#include <latentwalk/grassmann/grassmann_log.hpp>
#include <latentwalk/grassmann/karcher_mean.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/random_subspace.hpp>
#include <latentwalk/grassmann/sefa_directions.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <string>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using Eigen::MatrixXd;
using Eigen::VectorXd;
using lw::grassmann_metric;
using eb = le::backend<double>;

namespace {

MatrixXd gaussian(Eigen::Index r, Eigen::Index c, std::mt19937_64& rng) {
    std::normal_distribution<double> nd;
    return MatrixXd::NullaryExpr(r, c, [&] { return nd(rng); });
}

MatrixXd projector(const MatrixXd& Y) {
    const MatrixXd Q = Y.householderQr().householderQ() * MatrixXd::Identity(Y.rows(), Y.cols());
    return Q * Q.transpose();
}

double max_angle(const MatrixXd& A, const MatrixXd& B) { return lw::principal_angles(A, B).angles.maxCoeff(); }

}  // namespace

CATCH_TEST_CASE("grassmann: log, exp and the half-way point match the oracle's grassmann section") {
    const auto& o = lw::test::oracles().at("grassmann");
    const MatrixXd X = lw::test::to_matrix(o.at("X")), Y = lw::test::to_matrix(o.at("Y"));
    CATCH_CHECK((lw::principal_angles(X, Y).angles - lw::test::to_vector(o.at("reference_principal_angles")))
                    .cwiseAbs()
                    .maxCoeff() <= 1e-14);
    const MatrixXd D = lw::grassmann_log(X, Y);
    CATCH_CHECK((D - lw::test::to_matrix(o.at("reference_log_X_Y"))).cwiseAbs().maxCoeff() <= 1e-14);
    CATCH_CHECK(std::abs(D.norm() - o.at("reference_norm_log_equals_geodesic_distance").get<double>()) <= 1e-14);
    CATCH_CHECK(std::abs(lw::grassmann_distance(X, Y, grassmann_metric::geodesic) -
                         o.at("reference_geodesic_distance_from_angles").get<double>()) <= 1e-14);
    CATCH_CHECK((X.transpose() * D).cwiseAbs().maxCoeff() <= 1e-15);  // horizontal
    // exp(X, log(X, Y)) spans Y; exp(X, ½ log) has the oracle's projector and half the angles.
    CATCH_CHECK((projector(lw::grassmann_exp(X, D)) - lw::test::to_matrix(o.at("reference_projector_Y"))).cwiseAbs().maxCoeff() <=
                1e-14);
    const MatrixXd H = lw::grassmann_exp(X, MatrixXd(0.5 * D));
    CATCH_CHECK((H.transpose() * H - MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff() <= 1e-15);
    CATCH_CHECK((projector(H) - lw::test::to_matrix(o.at("reference_projector_exp_X_half_log"))).cwiseAbs().maxCoeff() <=
                1e-14);
    CATCH_CHECK((lw::principal_angles(X, H).angles - lw::test::to_vector(o.at("reference_angles_X_to_exp_X_half_log")))
                    .cwiseAbs()
                    .maxCoeff() <= 1e-14);
    // Another basis of span(Y) gives the same log (it depends on Y's span only).
    MatrixXd K(2, 2);
    K << 2, 1, -1, 3;
    CATCH_CHECK((lw::grassmann_log(X, MatrixXd(Y * K)) - D).cwiseAbs().maxCoeff() <= 1e-14);
}

CATCH_TEST_CASE("grassmann: exp after log returns the target subspace (also near pi/2 and for tiny angles)") {
    auto rng = lw::test::rng(51);
    for (int trial = 0; trial < 12; ++trial) {
        const Eigen::Index n = 12, p = 1 + trial % 4;
        const MatrixXd X = lw::random_subspace<eb>(n, p, rng);
        // Targets at spreads from 1e-9 to nearly orthogonal.
        const double spread = std::pow(10.0, -9.0 + trial);
        MatrixXd Y = X + spread * gaussian(n, p, rng);
        if (trial >= 10) {  // angles just below π/2: mostly orthogonal complement plus a little of X
            const MatrixXd W = gaussian(n, p, rng);
            Y = (W - X * (X.transpose() * W)) + 1e-6 * X;
        }
        CATCH_INFO("trial " << trial << " max angle " << max_angle(X, Y));
        const MatrixXd D = lw::grassmann_log(X, Y);
        CATCH_CHECK(std::abs(D.norm() - lw::grassmann_distance(X, Y, grassmann_metric::geodesic)) <=
                    1e-13 * std::max(1e-300, D.norm()) + 1e-15);
        CATCH_CHECK(max_angle(lw::grassmann_exp(X, D), Y) <= 1e-13);
    }
}

CATCH_TEST_CASE("grassmann: the geodesic midpoint halves every principal angle") {
    auto rng = lw::test::rng(52);
    for (int trial = 0; trial < 6; ++trial) {
        const MatrixXd X = gaussian(10, 3, rng), Y = gaussian(10, 3, rng);
        const VectorXd th = lw::principal_angles(X, Y).angles;
        for (double t : {0.25, 0.5, 0.75}) {
            const MatrixXd M = lw::grassmann_geodesic(X, Y, t);
            CATCH_CHECK((lw::principal_angles(X, M).angles - t * th).cwiseAbs().maxCoeff() <= 1e-13);
            CATCH_CHECK((lw::principal_angles(M, Y).angles - (1 - t) * th).cwiseAbs().maxCoeff() <= 1e-13);
        }
        CATCH_CHECK(max_angle(lw::grassmann_geodesic(X, Y, 0.0), X) <= 1e-14);
        CATCH_CHECK(max_angle(lw::grassmann_geodesic(X, Y, 1.0), Y) <= 1e-13);
    }
}

CATCH_TEST_CASE("grassmann: Karcher mean of symmetric geodesic pairs is their centre, with a convergence report") {
    auto rng = lw::test::rng(53);
    const Eigen::Index n = 9, p = 3;
    const MatrixXd C = lw::random_subspace<eb>(n, p, rng);
    std::vector<MatrixXd> points;
    for (int j = 0; j < 3; ++j) {
        MatrixXd D = 0.3 * gaussian(n, p, rng);
        D -= C * (C.transpose() * D);  // horizontal at C
        points.push_back(lw::grassmann_exp(C, D));
        points.push_back(lw::grassmann_exp(C, MatrixXd(-D)));
    }
    std::swap(points[0], points[3]);  // start away from the centre
    const auto r = lw::karcher_mean(points);
    CATCH_CHECK(r.converged);
    CATCH_CHECK(r.iterations >= 1);
    CATCH_CHECK(r.iterations < 50);
    CATCH_CHECK(r.gradient_norm <= 1e-12);
    CATCH_CHECK(r.gradient_norms.size() == static_cast<std::size_t>(r.iterations + 1));
    CATCH_CHECK(max_angle(r.mean, C) <= 1e-11);
    CATCH_CHECK((r.mean.transpose() * r.mean - MatrixXd::Identity(p, p)).cwiseAbs().maxCoeff() <= 1e-14);
    // A single iteration cannot meet 1e-12 from this start: report or throw as asked.
    lw::karcher_options o;
    o.max_iterations = 1;
    CATCH_CHECK_FALSE(lw::karcher_mean(points, o).converged);
    o.throw_if_not_converged = true;
    CATCH_CHECK_THROWS_AS(lw::karcher_mean(points, o), lw::convergence_error);
    CATCH_CHECK_THROWS_AS(lw::karcher_mean(std::vector<MatrixXd>{}), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::karcher_mean(std::vector<MatrixXd>{C, MatrixXd(C.leftCols(2))}), lw::dimension_error);
}

CATCH_TEST_CASE("grassmann: log and exp reject non-orthonormal X, non-tangent Delta and mismatched shapes") {
    const MatrixXd X = MatrixXd::Identity(5, 2);
    const MatrixXd Y = MatrixXd::Identity(5, 2).rowwise().reverse();
    CATCH_CHECK_THROWS_AS(lw::grassmann_log(MatrixXd(2.0 * X), Y), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::grassmann_log(X, MatrixXd(MatrixXd::Identity(5, 3))), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::grassmann_exp(X, X), lw::invalid_argument_error);  // XᵀΔ = I ≠ 0
    MatrixXd bad = Y;
    bad(0, 0) = std::numeric_limits<double>::quiet_NaN();
    CATCH_CHECK_THROWS_AS(lw::grassmann_exp(X, bad), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::grassmann_geodesic(X, Y, std::nan("")), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::grassmann_geodesic(X, MatrixXd(MatrixXd::Identity(6, 2)), 0.5), lw::dimension_error);
}

CATCH_TEST_CASE("grassmann: SeFa directions are the top eigenvectors of the row-normalized weight's Gram matrix") {
    // W's rows: 3 e1 and e1 + e2 (normalized: e1 and (e1 + e2)/√2), so ÃᵀÃ = [[3/2, 1/2], [1/2, 1/2]] on
    // the first two coordinates and 0 on the third: eigenvalues 1 ± 1/√2 and 0.
    MatrixXd W(2, 3);
    W << 3, 0, 0, 1, 1, 0;
    const auto s = lw::sefa_directions(W, 2);
    CATCH_CHECK(std::abs(s.eigenvalues[0] - (1 + 1 / std::sqrt(2.0))) <= 1e-15);
    CATCH_CHECK(std::abs(s.eigenvalues[1] - (1 - 1 / std::sqrt(2.0))) <= 1e-15);
    MatrixXd G(3, 3);
    G << 1.5, 0.5, 0, 0.5, 0.5, 0, 0, 0, 0;
    for (int j = 0; j < 2; ++j)
        CATCH_CHECK((G * s.directions.col(j) - s.eigenvalues[j] * s.directions.col(j)).norm() <= 1e-15);
    CATCH_CHECK((s.directions.transpose() * s.directions - MatrixXd::Identity(2, 2)).cwiseAbs().maxCoeff() <= 1e-15);
    // Scaling any row does not change the directions.
    MatrixXd W2 = W;
    W2.row(1) *= -7;
    CATCH_CHECK(max_angle(lw::sefa_directions(W2, 1).directions, s.directions.leftCols(1)) <= 1e-14);
    CATCH_CHECK_THROWS_AS(lw::sefa_directions(W, 4), lw::invalid_argument_error);
    MatrixXd Z = W;
    Z.row(0).setZero();
    CATCH_CHECK_THROWS_AS(lw::sefa_directions(Z, 1), lw::numerical_error);
}

CATCH_TEST_CASE("grassmann: GANSpace directions and variances of an exactly known sample set") {
    // Samples m ± 3 q1, m ± q2 (q1, q2 orthonormal): mean m, variances 18/3 = 6 and 2/3 (divisor N − 1 = 3).
    auto rng = lw::test::rng(54);
    const MatrixXd Q = lw::random_subspace<eb>(6, 2, rng);
    const VectorXd m = VectorXd::LinSpaced(6, -1, 1);
    MatrixXd S(6, 4);
    S << m + 3 * Q.col(0), m - 3 * Q.col(0), m + Q.col(1), m - Q.col(1);
    const auto g = lw::ganspace_directions(S, 2);
    CATCH_CHECK((g.mean - m).cwiseAbs().maxCoeff() <= 1e-15);
    CATCH_CHECK(std::abs(g.explained_variance[0] - 6.0) <= 1e-14);
    CATCH_CHECK(std::abs(g.explained_variance[1] - 2.0 / 3.0) <= 1e-14);
    CATCH_CHECK(std::abs(g.explained_variance_ratio[0] - 0.9) <= 1e-15);
    CATCH_CHECK(std::abs(g.explained_variance_ratio[1] - 0.1) <= 1e-15);
    CATCH_CHECK(std::abs(std::abs(g.directions.col(0).dot(Q.col(0))) - 1) <= 1e-14);
    CATCH_CHECK(std::abs(std::abs(g.directions.col(1).dot(Q.col(1))) - 1) <= 1e-14);
    CATCH_CHECK_THROWS_AS(lw::ganspace_directions(S, 4), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::ganspace_directions(MatrixXd(S.leftCols(1)), 1), lw::invalid_argument_error);
}

CATCH_TEST_CASE("grassmann: a linear generator has zero warpage, and Haar subspaces are the warped reference") {
    auto rng = lw::test::rng(55);
    const le::linear_generator<double> lin(gaussian(12, 6, rng));
    lw::warpage_options o;
    o.pairs = 8;
    o.k_max = 4;
    o.metrics = {grassmann_metric::geodesic, grassmann_metric::projection_2, grassmann_metric::binet_cauchy};
    for (const auto& t : {lw::warpage_random_pairs(lin, o), lw::warpage_close_pairs(lin, o)}) {
        CATCH_INFO(t.to_string());
        CATCH_CHECK(t.samples == 8);
        for (long long k = 1; k <= 4; ++k)
            for (auto m : o.metrics) CATCH_CHECK(t.mean_at(m, k) <= 1e-13);
    }
    o.side = lw::basis_side::output;
    CATCH_CHECK(lw::warpage_random_pairs(lin, o).mean_at(grassmann_metric::geodesic, 4) <= 1e-13);
    // Against its own SeFa-like global basis (the top right singular vectors), also zero.
    o.side = lw::basis_side::latent;
    Eigen::JacobiSVD<MatrixXd> svd(lin.A(), Eigen::ComputeThinV);
    CATCH_CHECK(lw::warpage_against_global(lin, MatrixXd(svd.matrixV()), o).mean_at(grassmann_metric::geodesic, 4) <=
                1e-13);
    // Haar reference for k = 1 in R^512: mean angle π/2 − E|N(0,1)|/√n ≈ π/2 − 0.0353 (projection_2 = sin θ ≈ 1).
    lw::warpage_options h;
    h.pairs = 400;
    h.k_max = 2;
    h.metrics = {grassmann_metric::asimov};
    const auto haar = lw::warpage_haar_reference<eb>(512, h);
    CATCH_CHECK(std::abs(haar.mean_at(grassmann_metric::asimov, 1) - (std::numbers::pi / 2 - std::sqrt(2 / (std::numbers::pi * 512)))) <=
                0.006);
    CATCH_CHECK(haar.mean_at(grassmann_metric::asimov, 2) > haar.mean_at(grassmann_metric::asimov, 1));
}

CATCH_TEST_CASE("grassmann: warpage of a nonlinear MLP grows with distance and prints as a table and CSV") {
    le::mlp_generator<double>::options mo;
    mo.hidden = le::activation::tanh;
    const auto mlp = le::mlp_generator<double>::random({8, 16, 16, 8}, mo, 3);
    lw::warpage_options o;
    o.pairs = 30;
    o.k_max = 3;
    o.epsilon = 0.01;
    const auto close = lw::warpage_close_pairs(mlp, o);
    o.epsilon = 0.5;
    const auto farther = lw::warpage_close_pairs(mlp, o);
    const auto random = lw::warpage_random_pairs(mlp, o);
    for (long long k = 1; k <= 3; ++k) {
        CATCH_CHECK(close.mean_at(grassmann_metric::geodesic, k) > 0);
        CATCH_CHECK(close.mean_at(grassmann_metric::geodesic, k) < farther.mean_at(grassmann_metric::geodesic, k));
        CATCH_CHECK(farther.mean_at(grassmann_metric::geodesic, k) < random.mean_at(grassmann_metric::geodesic, k));
    }
    // Close pairs: the basis turns in proportion to ε (first order), so ε = 0.01 is far below ε = 0.5.
    CATCH_CHECK(close.mean_at(grassmann_metric::geodesic, 1) < 0.1 * farther.mean_at(grassmann_metric::geodesic, 1));
    const std::string csv = random.csv();
    CATCH_CHECK(csv.rfind("experiment,metric,k,mean,std,samples\n", 0) == 0);
    CATCH_CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 2 * 3);
    std::ostringstream row;
    row.precision(17);
    row << ",geodesic,2," << random.mean_at(grassmann_metric::geodesic, 2) << ',' << random.stddev_at(grassmann_metric::geodesic, 2)
        << ",30\n";
    CATCH_CHECK(csv.find(row.str()) != std::string::npos);
    CATCH_CHECK(random.to_string().find("projection_2") != std::string::npos);
    o.k_max = 9;  // larger than min(n, m) = 8
    CATCH_CHECK_THROWS_AS(lw::warpage_random_pairs(mlp, o), lw::invalid_argument_error);
    o.k_max = 2;
    CATCH_CHECK_THROWS_AS(lw::warpage_against_global(mlp, MatrixXd(MatrixXd::Identity(7, 3)), o), lw::dimension_error);
}
