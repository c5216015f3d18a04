#pragma once
// Tour section: traversals and potential flows — curve vs linear traversal on a sphere, an RBF
// dipole warp, the PDETraversal MLP potential with its wave-equation terms.
#include <cmath>
#include <iomanip>
#include <iostream>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>
#include <latentwalk/eigen/sphere_embedding.hpp>
#include <latentwalk/pde/hutchinson_laplacian.hpp>
#include <latentwalk/pde/initial_condition_loss.hpp>
#include <latentwalk/pde/jacobian_regularizer.hpp>
#include <latentwalk/pde/wave_loss.hpp>
#include <latentwalk/pde/wave_residual.hpp>
#include <latentwalk/potentials/rbf_dipole_potential.hpp>
#include <latentwalk/traversal/curve_traversal.hpp>
#include <latentwalk/traversal/linear_traversal.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

namespace tour {

inline void traversal(std::ostream& os) {
    namespace lw = latentwalk;
    namespace le = latentwalk::eigen;
    using B = le::backend<double>;
    using Vec = Eigen::VectorXd;
    os << "== Traversals and potential flows ==\n\n" << std::setprecision(4);

    // --- Local Basis: Iterative Curve-Traversal vs a straight line, on the unit sphere ---
    const le::sphere_embedding<double> sphere(1.0);
    const Vec z0 = (Vec(2) << 0.9, 0.4).finished();
    const long long N = 30;
    const double eps = 0.05;
    lw::curve_traversal_options co;
    co.both_sides = false;
    const auto curve = lw::curve_traversal(sphere, z0, 0, N, eps, co);
    const Vec u0 = sphere.jacobian(z0).col(0).normalized();
    const auto line = lw::linear_traversal<B>(sphere(z0), u0, N, eps);
    os << "Unit sphere, start (theta, phi) = (0.9, 0.4), " << N << " steps of " << eps
       << " along the first local direction:\n";
    os << "  step   curve: | |w| - 1 |   sigma   |cos|    line in R^3: | |w| - 1 |\n";
    for (long long k = 0; k <= N; k += 6) {
        const auto i = static_cast<std::size_t>(k);
        os << "  " << std::setw(4) << k << "   " << std::setw(16) << std::abs(curve.outputs[i].norm() - 1.0) << "   "
           << std::setw(5) << curve.diagnostic("sigma")[i] << "   " << std::setw(5) << curve.diagnostic("abs_cos")[i]
           << "    " << std::setw(10) << std::abs(line.points[i].norm() - 1.0) << "\n";
    }
    os << "  output path length: curve " << curve.output_length() << ", line " << N * eps
       << " (the curve bends with the sphere and never leaves it; |cos| = cos(eps) = " << std::cos(eps)
       << " is the turn of the tangent per step)\n\n";

    // --- WarpedGANSpace: an RBF dipole warp, followed with its unit gradient ---
    // warp k = 1 of K = 2 as the released code initialises it: radius r_k = 1 + 3k/K = 2.5
    const Eigen::MatrixXd axis = Vec::Unit(4, 0);
    const auto warp = lw::rbf_dipole_potential<B>::warped_gan_space(axis, 1, 2, 0.5);
    Vec zs = Vec::Zero(4);
    zs[0] = -0.7;
    zs[1] = 0.2;
    lw::potential_flow_options<B> wo;
    wo.ode.method = lw::ode_method::euler;
    wo.ode.steps = 20;
    wo.ode.t1 = 2.0;
    wo.normalize_gradient = true;
    wo.record_potential = true;
    const auto warped = lw::potential_flow(warp, zs, wo);
    os << "RBF dipole (WarpedGANSpace's initial warp 1 of 2: poles at -2.5 e1 and +2.5 e1, gamma 0.5), unit-speed\n"
       << "Euler flow (step 0.1) from (-0.7, 0.2, 0, 0):\n";
    for (std::size_t k = 0; k < warped.path.size(); k += 5)
        os << "  t = " << std::setw(4) << warped.path.times[k] << "  z = (" << (warped.path.points[k].array() + 0.0).matrix().transpose().format(Eigen::IOFormat(3, 0, ", "))
           << ")  u = " << warped.path.diagnostic("potential")[k] << "\n";
    os << "\n";

    // --- Song et al.: the MLP potential, its flow and its PDE terms ---
    const auto mlp = le::mlp_potential<double>::random(8, {}, 3, 2.0);
    const Vec zm = Vec::LinSpaced(8, -0.5, 0.5);
    // the paper's integer-time rule z_{t+1} = z_t + grad u(z_t, t), t = 0, 1, ..., 4
    auto po = lw::potential_flow_options<B>::paper_rule(5);
    const auto paper = lw::potential_flow(mlp, zm, po);
    po.ode.t1 = 5.0;
    po.ode.method = lw::ode_method::dopri5;
    po.ode.rtol = po.ode.atol = 1e-10;
    const auto exact = lw::potential_flow(mlp, zm, po);
    os << "MLP potential (d = H = E = 8, released architecture): flow over t in [0, 5]\n"
       << "  the paper's integer-time rule: 5 gradient evaluations + 1, |z(5) - z0| = " << (paper.path.back() - zm).norm()
       << "\n  dopri5 at 1e-10: " << exact.function_evaluations << " evaluations, " << exact.accepted_steps
       << " steps; the discrete rule is off by " << (paper.path.back() - exact.path.back()).norm() << "\n";
    const double c = 1.0;
    const double trace_res = lw::wave_residual(mlp, zm, 1.0, c)[0];
    const Vec row_res = lw::wave_residual(mlp, zm, 1.0, c, lw::laplacian_mode::hessian_row_sum);
    os << "  wave residual u_tt - c^2 Lap u at (z0, t = 1): trace mode " << trace_res
       << "; hessian_row_sum mode (released code) entries in [" << row_res.minCoeff() << ", " << row_res.maxCoeff() << "]\n";
    lw::hutchinson_options ho;
    ho.probes = 64;
    const auto est = lw::hutchinson_laplacian(mlp, zm, 1.0, ho);
    os << "  Laplacian: exact (forward propagation) " << mlp.laplacian(zm, 1.0) << ", Hutchinson 64 probes "
       << est.value << " +- " << est.standard_error << "\n";
    const le::linear_generator<double> gen(Eigen::MatrixXd::Identity(16, 8).eval());
    os << "  losses on the dopri5 path: L_f = " << lw::wave_loss(mlp, exact.path, c) << " (trace), "
       << lw::wave_loss(mlp, exact.path, c, lw::laplacian_mode::hessian_row_sum) << " (row sums); L_u = "
       << lw::initial_condition_loss(mlp, zm) << "; L_J(z0, 0) = " << lw::jacobian_regularizer(gen, mlp, zm, 0.0)
       << "\n\n";
}

}  // namespace tour
