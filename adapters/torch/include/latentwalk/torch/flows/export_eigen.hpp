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

#include <latentwalk/eigen/mlp_potential.hpp>
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

}  // namespace latentwalk::torch
