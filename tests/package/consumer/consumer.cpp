// A consumer of the installed package: checks a Jacobian of the installed sphere embedding.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <iostream>

int main() {
    const latentwalk::eigen::sphere_embedding<double> sphere(2.0);
    Eigen::VectorXd z(2);
    z << 0.7, 0.3;
    const auto J = latentwalk::jacobian(sphere, z);
    // Columns are orthogonal with norms R and R sin θ.
    const bool ok = std::abs(J.col(0).norm() - 2.0) < 1e-14 && std::abs(J.col(1).norm() - 2.0 * std::sin(0.7)) < 1e-14 &&
                    std::abs(J.col(0).dot(J.col(1))) < 1e-14 && latentwalk::check_derivatives(sphere, z).passed();
    std::cout << (ok ? "consumer: ok" : "consumer: WRONG RESULT") << " (latentwalk " << LATENTWALK_VERSION_STRING << ")\n";
    return ok ? 0 : 1;
}
