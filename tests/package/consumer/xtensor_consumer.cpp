// A consumer of the installed package's xtensor component: the sphere's tangent basis on xtensor
// has the closed-form singular values (R, R sin θ), and principal angles deduce the backend.
#include <latentwalk/xtensor.hpp>

#include <cmath>
#include <iostream>

int main() {
    using T = latentwalk::backend_traits<latentwalk::xtensor::backend<double>>;
    const latentwalk::xtensor::sphere_embedding<double> sphere(2.0);
    const T::vector z = {0.7, 0.3};
    const auto tb = latentwalk::tangent_basis(sphere, z, 2);
    const T::matrix A = {{1.0, 0.0}, {0.0, 1.0}, {0.0, 0.0}}, B = {{1.0}, {1.0}, {0.0}};
    const auto pa = latentwalk::principal_angles(A, B);  // span(e1 + e2) lies in span(e1, e2): angle 0
    const bool ok = std::abs(tb.singular_values(0) - 2.0) < 1e-14 &&
                    std::abs(tb.singular_values(1) - 2.0 * std::sin(0.7)) < 1e-14 && std::abs(pa.angles(0)) < 1e-15 &&
                    latentwalk::check_derivatives(sphere, z).passed();
    std::cout << (ok ? "xtensor consumer: ok" : "xtensor consumer: WRONG RESULT") << " (" << T::name << ")\n";
    return ok ? 0 : 1;
}
