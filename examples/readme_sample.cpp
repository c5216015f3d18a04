#include <latentwalk/eigen.hpp>
#include <iostream>

int main() {
    latentwalk::eigen::sphere_embedding<double> sphere(1.0);      // (θ, φ) ↦ R³
    Eigen::VectorXd z(2);
    z << 0.9, 0.4;
    Eigen::MatrixXd J = latentwalk::jacobian(sphere, z);          // 3×2, exact
    auto report = latentwalk::check_derivatives(sphere, z);       // Taylor and adjoint checks
    std::cout << "J =\n" << J << "\n" << report << "passed: " << report.passed() << "\n";
}
