#pragma once
// Tour section: Grassmann geometry and the Local Basis warpage experiment.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <vector>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/grassmann/ganspace_directions.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>

namespace tour {

inline void grassmann(std::ostream& os) {
    namespace lw = latentwalk;
    namespace le = latentwalk::eigen;
    using Eigen::MatrixXd;
    const auto start = std::chrono::steady_clock::now();
    os << "== Grassmann geometry: principal angles, distances, warpage ==\n\n";

    // Tiny and large angles together: span(e1, e2) vs span(e1 + 1e-10 e3, cos(1.2) e2 + sin(1.2) e4).
    MatrixXd A = MatrixXd::Zero(5, 2), B = MatrixXd::Zero(5, 2);
    A(0, 0) = A(1, 1) = 1;
    B(0, 0) = 1, B(2, 0) = 1e-10, B(1, 1) = std::cos(1.2), B(3, 1) = std::sin(1.2);
    const auto pa = lw::principal_angles(A, B);
    os << std::setprecision(10) << "principal angles of span(e1, e2) and span(e1 + 1e-10 e3, cos 1.2 e2 + sin 1.2 e4): "
       << pa.angles.transpose() << "  (exact: atan(1e-10) = 1e-10 and 1.2)\n";
    const Eigen::VectorXd naive = (MatrixXd(A.transpose() * B.householderQr().householderQ() * MatrixXd::Identity(5, 2)))
                                      .jacobiSvd()
                                      .singularValues()
                                      .cwiseMin(1.0)
                                      .array()
                                      .acos()
                                      .matrix();
    os << "the textbook arccos of singular values gives " << naive.transpose() << "\n";
    os << std::setprecision(6) << "distances:";
    for (auto m : lw::all_grassmann_metrics) os << " " << lw::metric_name(m) << " = " << lw::grassmann_distance(A, B, m) << ";";
    os << "\n(martin is +inf only at a right angle; different dimensions count missing angles as pi/2)\n\n";

    // Warpage: how much the local basis U_k(z) (the tangent space of f(Z) in W) turns between latent codes.
    const Eigen::Index n = 64;
    le::mlp_generator<double>::options mo;
    mo.pixel_norm_first = true;  // as StyleGAN2's mapping network: PixelNorm, then 8 leaky-ReLU layers
    const auto mapping = le::mlp_generator<double>::random(std::vector<Eigen::Index>(9, n), mo, 11);
    const auto& first = mapping.layers().front().weight;
    const le::linear_generator<double> linear(first);
    lw::warpage_options o;  // the paper's side (output basis U) and metrics; fewer pairs and k than its 1000 and 50
    o.pairs = 40;
    o.k_max = 3;
    o.metrics = {lw::grassmann_metric::geodesic, lw::grassmann_metric::projection_2};
    os << "Warpage of " << n << " -> " << n << " generators, " << o.pairs
       << " pairs each, local bases U_k(z) in W (Local Basis); mean ± std:\n\n";
    os << "linear generator z -> W z (flat: the same subspace everywhere):\n" << lw::warpage_random_pairs(linear, o) << "\n";
    os << "mapping-like MLP (PixelNorm + 8 leaky-ReLU layers):\n";
    os << lw::warpage_close_pairs(mapping, o) << "\n";
    os << lw::warpage_random_pairs(mapping, o) << "\n";
    // Local vs global compares bases of one space: U_k(z) in W against GANSpace's PCA of samples w = f(z).
    std::mt19937_64 sample_rng(12);
    std::normal_distribution<double> normal;
    MatrixXd w_samples(n, 400);
    for (Eigen::Index j = 0; j < w_samples.cols(); ++j) {
        Eigen::VectorXd z(n);
        for (auto& x : z) x = normal(sample_rng);
        w_samples.col(j) = mapping(z);
    }
    const auto pca = lw::ganspace_directions(w_samples, o.k_max);
    os << "local bases vs the global GANSpace directions (PCA of 400 samples w = f(z)):\n"
       << lw::warpage_against_global(mapping, pca.directions, o) << "\n";
    os << "fully warped reference:\n" << lw::warpage_haar_reference<le::backend<double>>(n, o) << "\n";
    os << "Reading: close pairs turn little (locally consistent), random pairs approach the Haar level for\n"
       << "small k (globally warped), and the linear generator never turns.\n";
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    os << std::setprecision(3) << "(section ran in " << secs << " s)\n\n";
}

}  // namespace tour
