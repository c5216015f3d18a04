// traversal: linear, curve (Local Basis) and subspace traversals.
#include <cmath>
#include <limits>
#include <vector>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

/// g(x, y) = (x + x³/3, 2y): J = diag(1 + x², 2), so the x-direction is the second singular
/// direction for |x| < 1 and the first beyond: a curve traversal along x must switch components.
struct crossing_generator {
    using backend = B;
    Eigen::Index latent_dim() const { return 2; }
    Eigen::Index output_dim() const { return 2; }
    Vec operator()(const Vec& z) const { return (Vec(2) << z[0] + z[0] * z[0] * z[0] / 3.0, 2.0 * z[1]).finished(); }
    Mat jacobian(const Vec& z) const { return (Mat(2, 2) << 1.0 + z[0] * z[0], 0.0, 0.0, 2.0).finished(); }
};

/// Distance of p from the line through a with unit direction u.
double distance_to_line(const Vec& p, const Vec& a, const Vec& u) {
    const Vec d = p - a;
    return (d - d.dot(u) * u).norm();
}

}  // namespace

CATCH_TEST_CASE("traversal: curve traversal on a linear generator is a straight line of length N eps") {
    auto rng = lw::test::rng(41);
    const Mat A = lw::test::random_matrix(6, 3, rng);
    const le::linear_generator<double> g(A, lw::test::random_vector(6, rng));
    const Vec z0 = lw::test::random_vector(3, rng);
    Eigen::JacobiSVD<Mat> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const long long N = 12;
    const double eps = 0.05;
    for (long long comp : {0, 2}) {
        const auto path = lw::curve_traversal(g, z0, comp, N, eps);
        CATCH_REQUIRE(path.size() == static_cast<std::size_t>(2 * N + 1));
        CATCH_CHECK(path.start_index == static_cast<std::size_t>(N));
        CATCH_CHECK(path.points[path.start_index] == z0);
        const Vec u = svd.matrixU().col(comp);
        const Vec w0 = g(z0);
        for (std::size_t k = 0; k < path.size(); ++k) {
            CATCH_CHECK(distance_to_line(path.outputs[k], w0, u) <= 1e-12);
            if (k > 0) CATCH_CHECK((path.outputs[k] - path.outputs[k - 1]).norm() == Catch::Approx(eps).epsilon(1e-12));
            CATCH_CHECK(path.diagnostic("abs_cos")[k] == Catch::Approx(1.0).epsilon(1e-12));
            CATCH_CHECK(path.diagnostic("sigma")[k] == Catch::Approx(svd.singularValues()[comp]).epsilon(1e-12));
            CATCH_CHECK(path.diagnostic("component")[k] == static_cast<double>(comp));
        }
        CATCH_CHECK((path.outputs.back() - path.outputs.front()).norm() == Catch::Approx(2 * N * eps).epsilon(1e-12));
        CATCH_CHECK(path.output_length() == Catch::Approx(2 * N * eps).epsilon(1e-12));
        CATCH_CHECK(path.times.front() == Catch::Approx(-N * eps));
    }
    // without the 1/sigma scaling the latent point moves eps per step instead
    lw::curve_traversal_options o;
    o.scale_by_singular_value = false;
    o.both_sides = false;
    const auto raw = lw::curve_traversal(g, z0, 0, N, eps, o);
    CATCH_CHECK(raw.size() == static_cast<std::size_t>(N + 1));
    CATCH_CHECK(raw.latent_length() == Catch::Approx(N * eps).epsilon(1e-12));
    CATCH_CHECK(raw.output_length() == Catch::Approx(N * eps * svd.singularValues()[0]).epsilon(1e-12));
    // a leading-k basis from the matrix-free Lanczos method gives the same line
    lw::curve_traversal_options lz;
    lz.basis_rank = 2;
    lz.basis.method = lw::tangent_method::lanczos;
    const auto lanczos = lw::curve_traversal(g, z0, 1, N, eps, lz);
    CATCH_CHECK(lanczos.output_length() == Catch::Approx(2 * N * eps).epsilon(1e-10));
    CATCH_CHECK(distance_to_line(lanczos.outputs.front(), g(z0), svd.matrixU().col(1)) <= 1e-10);
    lz.basis_rank = 1;
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, z0, 1, N, eps, lz), lw::dimension_error);
}

CATCH_TEST_CASE("traversal: curve traversal stays on the sphere, a straight line in R^3 leaves it") {
    const double R = 2.0;
    const le::sphere_embedding<double> sphere(R);
    const Vec z0 = (Vec(2) << 1.0, 0.3).finished();
    const long long N = 20;
    const double eps = 0.1;
    for (long long comp : {0, 1}) {
        const auto path = lw::curve_traversal(sphere, z0, comp, N, eps);
        double off = 0.0;
        for (const auto& w : path.outputs) off = std::max(off, std::abs(w.norm() - R));
        CATCH_CHECK(off <= 1e-12);
        // each step is a chord of length about eps (exactly 2R sin(eps / 2R) along a meridian)
        if (comp == 0)
            for (std::size_t k = 1; k < path.size(); ++k)
                CATCH_CHECK((path.outputs[k] - path.outputs[k - 1]).norm() ==
                            Catch::Approx(2 * R * std::sin(eps / (2 * R))).epsilon(1e-12));
    }
    // the straight line along the first tangent direction: distance sqrt(R² + s²) − R from the sphere
    const Mat J = sphere.jacobian(z0);
    const Vec u0 = J.col(0).normalized();
    const auto line = lw::linear_traversal<B>(sphere(z0), u0, N, eps);
    for (std::size_t k = 0; k < line.size(); ++k) {
        const double s = static_cast<double>(k) * eps;
        CATCH_CHECK(line.points[k].norm() - R == Catch::Approx(std::sqrt(R * R + s * s) - R).margin(1e-13));
    }
    CATCH_CHECK(line.points.back().norm() - R > 0.8);  // 2 units of travel: about 0.83 off the sphere
}

CATCH_TEST_CASE("traversal: curve traversal follows its direction when the singular values cross") {
    const crossing_generator g;
    const Vec z0 = Vec::Zero(2);
    // at z0 the x-direction has sigma = 1 < 2: it is component 1
    lw::curve_traversal_options o;
    o.both_sides = false;
    const auto path = lw::curve_traversal(g, z0, 1, 40, 0.1, o);
    const auto& comp = path.diagnostic("component");
    CATCH_CHECK(comp.front() == 1.0);
    CATCH_CHECK(comp.back() == 0.0);  // past x = 1 the x-direction is the first component
    for (std::size_t k = 0; k < path.size(); ++k) {
        CATCH_CHECK(path.points[k][1] == 0.0);          // never turned to y
        CATCH_CHECK(path.diagnostic("abs_cos")[k] == Catch::Approx(1.0));
        if (k > 0) CATCH_CHECK(path.points[k][0] > path.points[k - 1][0]);  // signs kept: always forward
    }
    // the output still advances by about eps per step (exactly in the limit of small steps)
    CATCH_CHECK(path.output_length() == Catch::Approx(40 * 0.1).epsilon(0.02));
}

CATCH_TEST_CASE("traversal: projection onto the local subspace and subspace traversal") {
    auto rng = lw::test::rng(51);
    const Mat A = lw::test::random_matrix(5, 4, rng);
    const le::linear_generator<double> g(A);
    const Vec z0 = lw::test::random_vector(4, rng), d = lw::test::random_vector(4, rng);
    Eigen::JacobiSVD<Mat> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    for (long long k : {1, 2, 4}) {
        const Mat Vk = svd.matrixV().leftCols(k);
        CATCH_CHECK((lw::project_onto_local_subspace(g, z0, d, k) - Vk * (Vk.transpose() * d)).norm() <= 1e-12);
        const Vec w = lw::test::random_vector(5, rng);
        const Mat Uk = svd.matrixU().leftCols(k);
        CATCH_CHECK((lw::project_onto_local_subspace(g, z0, w, k, lw::subspace_side::output) - Uk * (Uk.transpose() * w))
                        .norm() <= 1e-12);
    }
    // the linear generator's subspaces do not turn: the traversal is the line along V_2 V_2^T d
    const Mat V2 = svd.matrixV().leftCols(2);
    const Vec p = (V2 * (V2.transpose() * d)).normalized();
    const auto path = lw::subspace_traversal(g, z0, d, 2, 5, 0.2);
    CATCH_REQUIRE(path.size() == 11);
    for (std::size_t i = 0; i < path.size(); ++i) {
        CATCH_CHECK((path.points[i] - (z0 + path.times[i] * p)).norm() <= 1e-12);
        CATCH_CHECK(path.diagnostic("retained")[i] == Catch::Approx((V2.transpose() * d).norm() / d.norm()));
    }
    // on the sphere a latent direction is always inside the full 2-D subspace (retained = 1)
    const le::sphere_embedding<double> sphere(1.0);
    const auto sp = lw::subspace_traversal(sphere, (Vec(2) << 1.0, 0.2).finished(), (Vec(2) << 1.0, 1.0).finished(), 2, 4, 0.1);
    for (double r : sp.diagnostic("retained")) CATCH_CHECK(r == Catch::Approx(1.0));
}

CATCH_TEST_CASE("traversal: traversals reject bad input and leave it untouched") {
    auto rng = lw::test::rng(61);
    const Mat A = lw::test::random_matrix(5, 3, rng);
    const le::linear_generator<double> g(A);
    const Vec z0 = lw::test::random_vector(3, rng);
    const Vec keep = z0;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, z0, 0, 5, 0.0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, z0, 0, 5, nan), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, z0, 0, 0, 0.1), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, z0, 3, 5, 0.1), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, Vec::Zero(4), 0, 5, 0.1), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::linear_traversal<B>(z0, Vec::Zero(3), 5, 0.1), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::linear_traversal<B>(z0, Vec::Ones(2), 5, 0.1), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::linear_traversal(g, z0, Vec::Ones(3), 0, 0.1), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::project_onto_local_subspace(g, z0, Vec::Ones(3), 0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::project_onto_local_subspace(g, z0, Vec::Ones(3), 4), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::project_onto_local_subspace(g, z0, Vec::Ones(5), 2), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(g, z0, Vec::Ones(3), 4, 3, 0.1), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(g, z0, Vec::Ones(3), 2, 3, 0.0), lw::invalid_argument_error);
    // a direction orthogonal to the local subspace has nothing to follow
    Eigen::JacobiSVD<Mat> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(g, z0, Vec(svd.matrixV().col(2)), 1, 3, 0.1), lw::numerical_error);
    // sigma = 0 with 1/sigma scaling
    const le::linear_generator<double> flat(Mat::Zero(3, 2));
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(flat, Vec::Zero(2), 0, 2, 0.1), lw::numerical_error);
    CATCH_CHECK(z0 == keep);
    // the linear traversal itself: both sides, normalized, times k eps
    const auto line = lw::linear_traversal(g, z0, (Vec(3) << 3.0, 0.0, 4.0).finished(), 2, 0.5, {.both_sides = true});
    CATCH_REQUIRE(line.size() == 5);
    CATCH_CHECK((line.points.front() - (z0 - Vec((Vec(3) << 0.6, 0.0, 0.8).finished()))).norm() <= 1e-15);
    CATCH_CHECK((line.outputs[3] - A * line.points[3]).norm() <= 1e-14);
}

CATCH_TEST_CASE("traversal: random directions inside the local subspace are unit and uniform there") {
    auto rng = lw::test::rng(71);
    const Mat A = lw::test::random_matrix(6, 5, rng);
    const le::linear_generator<double> g(A);
    const Vec z0 = lw::test::random_vector(5, rng);
    Eigen::JacobiSVD<Mat> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Mat V2 = svd.matrixV().leftCols(2);
    Mat second = Mat::Zero(2, 2);
    const int n = 4000;
    double norm_err = 0.0, outside = 0.0;
    for (int i = 0; i < n; ++i) {
        const Vec d = lw::random_subspace_direction(g, z0, 2, rng);
        norm_err = std::max(norm_err, std::abs(d.norm() - 1.0));
        outside = std::max(outside, (d - V2 * (V2.transpose() * d)).norm());  // distance from span(V_2)
        const Vec c = V2.transpose() * d;
        second += c * c.transpose() / n;
    }
    CATCH_CHECK(norm_err <= 1e-14);
    CATCH_CHECK(outside <= 1e-13);
    // uniform on the unit circle of the plane: E[c cᵀ] = I/2
    CATCH_CHECK((second - 0.5 * Mat::Identity(2, 2)).cwiseAbs().maxCoeff() <= 0.03);
    CATCH_CHECK_THROWS_AS(lw::random_subspace_direction(g, z0, 0, rng), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::random_subspace_direction(g, z0, 6, rng), lw::dimension_error);
}
