#pragma once
// Tour section: generators, their Jacobians and derivative checks.
#include <iomanip>
#include <iostream>

#include <latentwalk/eigen.hpp>

namespace tour {

inline void foundation(std::ostream& os) {
    namespace lw = latentwalk;
    namespace le = latentwalk::eigen;
    os << "== 1. Generators, Jacobians, derivative checks ==\n\n";
    os << std::setprecision(6);

    const le::sphere_embedding<double> sphere(1.0);
    Eigen::VectorXd z(2);
    z << 0.9, 0.4;
    os << "Sphere of radius 1, latent (theta, phi) = (" << z[0] << ", " << z[1] << ") -> " << sphere(z).transpose()
       << "\n";
    const Eigen::MatrixXd Js = lw::jacobian(sphere, z);
    os << "J (3x2, exact):\n" << Js << "\n";
    const auto svs = Js.jacobiSvd().singularValues();
    os << "singular values " << svs.transpose() << "  (theory: R = 1 and R sin(theta) = " << std::sin(z[0]) << ")\n";
    os << lw::check_derivatives(sphere, z).summary() << "\n";

    const le::torus_embedding<double> torus(2.0, 0.5);
    Eigen::VectorXd w(2);
    w << 0.3, 2.0;
    const Eigen::MatrixXd Jt = lw::jacobian(torus, w);
    os << "Torus R = 2, r = 0.5 at (u, v) = (" << w[0] << ", " << w[1] << "): singular values "
       << Jt.jacobiSvd().singularValues().transpose() << "  (theory: R + r cos v = " << 2.0 + 0.5 * std::cos(w[1])
       << " and r = 0.5)\n";
    os << lw::check_derivatives(torus, w).summary() << "\n";

    le::mlp_generator<double>::options opts;
    opts.hidden = le::activation::tanh;
    opts.pixel_norm_first = true;
    const auto mlp = le::mlp_generator<double>::random({16, 32, 32, 8}, opts, 7);
    Eigen::VectorXd zm = Eigen::VectorXd::LinSpaced(16, -1.0, 1.0);
    const Eigen::MatrixXd Jm = lw::jacobian(mlp, zm);
    const auto sm = Jm.jacobiSvd().singularValues();
    os << "MLP 16 -> 32 -> 32 -> 8 (tanh, PixelNorm first): J is " << Jm.rows() << "x" << Jm.cols()
       << ", singular values " << sm.transpose() << "\n";
    os << "PixelNorm makes f 0-homogeneous: ||J(2z) - J(z)/2|| / ||J(z)|| = "
       << (lw::jacobian(mlp, Eigen::VectorXd(2.0 * zm)) - Jm / 2.0).norm() / Jm.norm() << "\n";
    os << lw::check_derivatives(mlp, zm).summary() << "\n";

    struct wrong_vjp_sphere {  // a user's generator with a transposition bug in its VJP
        using backend = le::backend<double>;
        le::sphere_embedding<double> s;
        Eigen::Index latent_dim() const { return 2; }
        Eigen::Index output_dim() const { return 3; }
        Eigen::VectorXd operator()(const Eigen::VectorXd& z) const { return s(z); }
        Eigen::VectorXd jvp(const Eigen::VectorXd& z, const Eigen::VectorXd& v) const { return s.jvp(z, v); }
        Eigen::VectorXd vjp(const Eigen::VectorXd& z, const Eigen::VectorXd& u) const {
            return s.jacobian(z).transpose().colwise().reverse() * u;  // components swapped
        }
    };
    os << "A generator with a buggy VJP is caught:\n" << lw::check_derivatives(wrong_vjp_sphere{sphere}, z).summary()
       << "\n";
}

}  // namespace tour
