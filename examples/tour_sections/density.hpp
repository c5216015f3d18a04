#pragma once
// Tour section: prior densities and DP-LaSE's density-preserving walk, for d = 512.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>

#include <latentwalk/eigen.hpp>

namespace tour {

inline void density(std::ostream& os) {
    namespace lw = latentwalk;
    using B = latentwalk::eigen::backend<double>;
    os << "== Densities and density-preserving walks (DP-LaSE) ==\n\n";
    const Eigen::Index d = 512;
    const lw::standard_gaussian<B> prior(d);
    std::mt19937_64 rng(2021);
    const Eigen::VectorXd z0 = prior.sample(rng, Eigen::VectorXd(d));
    Eigen::VectorXd gamma = prior.sample(rng, Eigen::VectorXd(d));
    gamma.normalize();  // a unit direction, as GANSpace/SeFa directions are
    const double c0 = prior.log_density(z0);

#if __has_include(<boost/math/special_functions/gamma.hpp>)
    const latentwalk::eigen::chi_statistics chi(d);
    os << std::setprecision(6) << "N(0, I_512) puts its mass on a thin shell: E|z| = " << chi.mean()
       << ", sd |z| = " << chi.standard_deviation() << ", 99.9% of draws have |z| < " << chi.quantile(0.999) << ".\n";
#endif
    os << "z0 has |z0| = " << z0.norm() << " and log p(z0) = " << c0 << ".\n\n";

    // Linear traversal z0 + tγ against DP-LaSE's rule ‖z0‖ (z0 + tγ)/‖z0 + tγ‖ at the same t.
    const auto walk = lw::density_preserving_walk(prior, z0, gamma, 8, 2.5);
    os << "     t   |z| linear   log p linear - log p(z0)   |z| DP walk   log p DP walk - log p(z0)\n";
    for (std::size_t j = 0; j < walk.points.size(); ++j) {
        const double t = walk.times[j];
        const Eigen::VectorXd linear = z0 + t * gamma;
        os << std::setw(6) << std::fixed << std::setprecision(1) << t << std::setw(13) << std::setprecision(3)
           << linear.norm() << std::setw(27) << std::setprecision(3) << prior.log_density(linear) - c0 << std::setw(14)
           << std::setprecision(3) << walk.points[j].norm() << std::setw(28) << std::scientific << std::setprecision(1)
           << walk.log_densities[j] - c0 << std::defaultfloat << "\n";
    }
    os << "The linear path drifts by -t^2/2 - t<gamma, z0> in log-density and leaves the typical shell;\n"
       << "the density-preserving walk stays on the sphere |z| = |z0| to rounding (max drift "
       << std::setprecision(2) << walk.max_level_drift << ").\n";
    const Eigen::VectorXd far = prior.density_preserving_step(z0, gamma, 1e6);
    os << "For t -> infinity it saturates at |z0| gamma: |P(z0, gamma, 1e6) - |z0| gamma| = "
       << (far - z0.norm() * gamma).norm() << ".\n\n";

    // A non-Gaussian prior: BigGAN's truncated normal (tau = 2) learned by the monotone CDF model from
    // 4000 draws, then walked by step-and-project with score-ray Newton projections.
    const Eigen::Index k = 16;
    const lw::truncated_normal<B> truncated(k, 2.0);
    Eigen::MatrixXd draws(k, 4000);
    for (Eigen::Index j = 0; j < draws.cols(); ++j) draws.col(j) = truncated.sample(rng, Eigen::VectorXd(k));
    lw::monotone_cdf_fit_options fit_options;
    fit_options.share_across_coordinates = true;  // DP-LaSE's i.i.d. assumption: one F for all coordinates
    const auto learned = lw::monotone_cdf_model<B>::fit(draws, fit_options);
    const auto& rep = learned.fit_report();
    os << "Monotone CDF model fitted to 4000 draws of the truncated normal (tau = 2, d = 16, one shared F): "
       << rep.iterations << " EM iterations, mean -log F' = " << std::setprecision(5)
       << rep.mean_negative_log_likelihood << ", F' >= " << rep.min_slope << ".\n";
    const Eigen::VectorXd y0 = draws.col(0);
    Eigen::VectorXd dir = Eigen::VectorXd::Ones(k).normalized();
    const auto learned_walk = lw::density_preserving_walk(learned, y0, dir, 20, 0.02);
    const Eigen::VectorXd y_lin = y0 + 20 * 0.02 * dir;
    int newton = 0;
    for (const auto& r : learned_walk.projections) newton += r.iterations;
    os << "20 steps of 0.02: linear drift in learned log p = " << learned.log_density(y_lin) - learned.log_density(y0)
       << ", density-preserving walk drift = " << learned_walk.max_level_drift << " (" << newton
       << " Newton/bisection steps in all).\n\n";
}

}  // namespace tour
