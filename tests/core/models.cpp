// core: the Eigen reference models and their exact derivatives.
#include <latentwalk/eigen.hpp>

#include <cmath>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

CATCH_TEST_CASE("core: linear_generator gives A z + b and Jacobian A exactly") {
    auto rng = lw::test::rng(1);
    const Eigen::MatrixXd A = lw::eigen::matrix<double>::NullaryExpr(5, 3, [&] { return std::normal_distribution<>()(rng); });
    const Eigen::VectorXd b = Eigen::VectorXd::LinSpaced(5, -1, 1);
    const le::linear_generator<double> g(A, b);
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(3, 0.5, 2.0);
    CATCH_CHECK((g(z) - (A * z + b)).norm() == 0.0);
    CATCH_CHECK((lw::jacobian(g, z) - A).norm() == 0.0);
    const Eigen::VectorXd u = Eigen::VectorXd::Ones(5);
    CATCH_CHECK((lw::vjp(g, z, u) - A.transpose() * u).norm() == 0.0);
}

CATCH_TEST_CASE("core: sphere embedding Jacobian has orthogonal columns of norms R and R sin(theta)") {
    const double R = 1.5;
    const le::sphere_embedding<double> s(R);
    for (double theta : {0.3, 1.0, 2.5}) {
        Eigen::VectorXd z(2);
        z << theta, -0.7;
        CATCH_CHECK(std::abs(s(z).norm() - R) < 1e-15);
        const Eigen::MatrixXd J = lw::jacobian(s, z);
        CATCH_CHECK(std::abs(J.col(0).norm() - R) < 1e-14);
        CATCH_CHECK(std::abs(J.col(1).norm() - R * std::sin(theta)) < 1e-14);
        CATCH_CHECK(std::abs(J.col(0).dot(J.col(1))) < 1e-14);
        CATCH_CHECK(std::abs(J.col(0).dot(s(z))) < 1e-14);  // tangent to the sphere
    }
}
