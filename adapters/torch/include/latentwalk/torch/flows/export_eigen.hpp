#pragma once
// latentwalk/torch/flows/export_eigen.hpp — trained flows as CPU-reference (Eigen) evaluation types.
//
//     auto eig = latentwalk::torch::to_eigen(bank);          // K eigen::mlp_potential<double>
//     auto sol = latentwalk::potential_flow(eig.potentials[k], z0, opts);   // replays the torch flow
//     latentwalk::wave_loss(eig.potentials[k], path, eig.wave_speeds[k]);  // the core's evaluation
//
// Needs both latentwalk::torch and latentwalk::eigen (this header includes Eigen). The weights are
// copied in double precision; the Eigen potentials evaluate the same formulas (tests: a flow of T
// steps agrees to 1e-10 in double). Baselines: to_eigen(linear_bank) gives linear_potential<eigen>,
// to_eigen(rbf_bank) gives rbf_dipole_potential<eigen> (see flows/baseline_banks.hpp).
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>
#include <latentwalk/potentials/linear_potential.hpp>
#include <latentwalk/potentials/rbf_dipole_potential.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>

namespace latentwalk::torch {

template <class Scalar = double>
struct eigen_potential_bank {
    std::vector<eigen::mlp_potential<Scalar>> potentials;  ///< u^0 … u^{K−1}
    std::vector<double> wave_speeds;                        ///< c_0 … c_{K−1}
};

template <class Scalar = double>
eigen_potential_bank<Scalar> to_eigen(const potential_bank& bank) {
    eigen_potential_bank<Scalar> out;
    using E = eigen::mlp_potential<Scalar>;
    typename E::options o;
    o.hidden = bank.hidden();
    o.embedding = bank.embedding();
    o.output_tanh = bank.output_tanh();
    for (std::int64_t k = 0; k < bank.size(); ++k) {
        out.potentials.emplace_back(bank.dim(), bank.weights_as<typename E::weights>(k), o);
        out.wave_speeds.push_back(bank.wave_speed(k));
    }
    return out;
}

/// The K linear baselines as linear_potential(a, b): a is the flow's per-step direction (a_k, or
/// step·a_k/‖a_k‖ with unit_direction), so an Euler flow of step 1 replays the torch flow.
inline std::vector<linear_potential<eigen::backend<double>>> to_eigen(const linear_bank& bank) {
    std::vector<linear_potential<eigen::backend<double>>> out;
    for (std::int64_t k = 0; k < bank.size(); ++k) {
        const auto a = bank.direction(k);
        out.emplace_back(Eigen::Map<const Eigen::VectorXd>(a.data(), static_cast<Eigen::Index>(a.size())),
                         bank.time_coefficient(k));
    }
    return out;
}

/// The K WarpedGANSpace warps as rbf_dipole_potential(centres d×2N, ±1, γ_k); the torch flow's step
/// is potential_flow with normalize_gradient and Euler step bank.settings().step.
inline std::vector<rbf_dipole_potential<eigen::backend<double>>> to_eigen(const rbf_bank& bank) {
    std::vector<rbf_dipole_potential<eigen::backend<double>>> out;
    for (std::int64_t k = 0; k < bank.size(); ++k) {
        const auto c = bank.centres(k);
        Eigen::MatrixXd C = Eigen::Map<const Eigen::MatrixXd>(c.data(), bank.dim(), bank.support_vectors());
        out.emplace_back(std::move(C), bank.alphas(), bank.gamma(k));
    }
    return out;
}

}  // namespace latentwalk::torch
