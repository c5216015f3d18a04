#pragma once
// Tour section: tangent bases (Local Basis) — the singular spectrum of J(z) at a few latent points
// and what the dense, Lanczos and randomized methods cost.
#include <chrono>
#include <iomanip>
#include <iostream>
#include <random>

#include <latentwalk/eigen.hpp>
#include <latentwalk/tangent/low_rank_error.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>

namespace tour {

inline void tangent(std::ostream& os) {
    namespace lw = latentwalk;
    namespace le = latentwalk::eigen;
    os << "== Tangent bases: the local basis of a generator ==\n\n";
    // A small StyleGAN2-like mapping network (PixelNorm first, 8 leaky-ReLU layers) widened to
    // 2048 outputs, so that J(z) is 2048×128.
    le::mlp_generator<double>::options opts;
    opts.pixel_norm_first = true;
    std::vector<Eigen::Index> widths(9, 128);
    widths.back() = 2048;
    const auto g = le::mlp_generator<double>::random(widths, opts, 11);
    os << "Generator: MLP 128 -> 2048, 8 layers, PixelNorm first. J(z) = U S V^T; the top-k columns of U\n"
       << "span the tangent space of the learned manifold at f(z), those of V the latent directions.\n\n";

    std::mt19937_64 rng(3);
    std::normal_distribution<double> nd;
    os << std::setprecision(4);
    Eigen::VectorXd z0;
    for (int p = 0; p < 3; ++p) {
        const Eigen::VectorXd z = Eigen::VectorXd::NullaryExpr(128, [&] { return nd(rng); });
        if (p == 0) z0 = z;
        const auto tb = lw::tangent_basis(g, z, 8);
        const auto err = lw::low_rank_error(g, z, 8);
        os << "z" << p << ": top-8 singular values " << tb.singular_values.transpose() << "\n"
           << "    rank-8 approximation error: spectral " << err.relative_spectral << ", Frobenius "
           << err.relative_frobenius << " (relative); " << tb.report.summary() << "\n";
    }

    os << "\nWhat each method costs at z0 for k = 10 (subspace error: largest principal angle to dense):\n";
    lw::tangent_basis_options dense_opt;
    dense_opt.method = lw::tangent_method::dense;
    const auto ref = lw::tangent_basis(g, z0, 10, dense_opt);
    for (auto method : {lw::tangent_method::dense, lw::tangent_method::lanczos, lw::tangent_method::randomized}) {
        lw::tangent_basis_options o;
        o.method = method;
        const auto t0 = std::chrono::steady_clock::now();
        const auto tb = lw::tangent_basis(g, z0, 10, o);
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        const Eigen::MatrixXd R = tb.latent_basis - ref.latent_basis * (ref.latent_basis.transpose() * tb.latent_basis);
        const double angle = std::asin(std::min(1.0, Eigen::JacobiSVD<Eigen::MatrixXd>(R).singularValues()[0]));
        os << "  " << std::left << std::setw(11) << lw::to_string(method) << std::right << std::setw(8) << ms
           << " ms  " << std::setw(4) << tb.report.products() << " products + " << tb.report.jacobian_count
           << " Jacobian   subspace error " << std::setw(10) << angle << "   max residual " << tb.report.max_residual
           << "\n";
    }
    os << "Lanczos reaches the dense subspace from a few dozen products; the randomized sketch with one\n"
       << "power iteration is cheap but coarse on this flat spectrum (raise power_iterations for accuracy).\n\n";
}

}  // namespace tour
