#pragma once
// The benchmarks' shared models and inputs, built once per process outside any timed region, and
// exported by benchmarks/peers/export_inputs.cpp so that the Python peers (benchmarks/peers/) run on
// the same numbers:
//   mapping_like_mlp(out)   an MLP shaped like StyleGAN2's mapping network — PixelNorm first, then 8
//                           dense layers of width 512 with leaky ReLU 0.2 (the last layer `out` wide:
//                           512 for the mapping network itself, 16384 for a wide partial generator),
//                           weights from seed 42
//   gaussian_codes(n, d, s) n standard normal codes of length d (row b = draws b·d … b·d + d − 1 of
//                           std::normal_distribution on mt19937_64(s)); the benchmarks' latent codes
//                           are gaussian_codes(·, 512, 7)
//   flow_potential(d)       the PDETraversal potential MLP (H = d, E = d rounded up to even, tanh
//                           output) with PyTorch's default initialization from seed 7, as weights
//                           that both eigen::mlp_potential and torch::mlp_potential take
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>

namespace latentwalk::bench {

inline const eigen::mlp_generator<double>& mapping_like_mlp(Eigen::Index out = 512) {
    static std::map<Eigen::Index, eigen::mlp_generator<double>> cache;
    auto it = cache.find(out);
    if (it == cache.end()) {
        eigen::mlp_generator<double>::options o;
        o.pixel_norm_first = true;
        std::vector<Eigen::Index> widths(9, 512);
        widths.back() = out;
        it = cache.emplace(out, eigen::mlp_generator<double>::random(widths, o, 42)).first;
    }
    return it->second;
}

/// n codes of length d as the rows of an n×d matrix (see the header comment for the order of draws).
inline Eigen::MatrixXd gaussian_codes(Eigen::Index n, Eigen::Index d, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> nd;
    Eigen::MatrixXd Z(n, d);
    for (Eigen::Index b = 0; b < n; ++b)
        for (Eigen::Index j = 0; j < d; ++j) Z(b, j) = nd(rng);
    return Z;
}

/// The flow potential's weights for dimension d: uniform ±1/sqrt(fan_in) from mt19937_64(7), drawn in
/// the order of eigen::mlp_potential::random (W_z, b_z, W_t1, b_t1, W_t2, b_t2, W_f, b_f, w_out, b_out).
inline const eigen::mlp_potential<double>::weights& flow_potential_weights(Eigen::Index d) {
    static std::map<Eigen::Index, eigen::mlp_potential<double>::weights> cache;
    auto it = cache.find(d);
    if (it != cache.end()) return it->second;
    const Eigen::Index H = d, E = d + d % 2;
    std::mt19937_64 rng(7);
    auto draw = [&](Eigen::Index n, Eigen::Index fan_in) {
        const double a = 1.0 / std::sqrt(static_cast<double>(fan_in));
        std::uniform_real_distribution<double> U(-a, a);
        std::vector<double> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = U(rng);
        return v;
    };
    eigen::mlp_potential<double>::weights w;
    w.W_z = draw(H * d, d), w.b_z = draw(H, d);
    w.W_t1 = draw(H * E, E), w.b_t1 = draw(H, E);
    w.W_t2 = draw(H * H, H), w.b_t2 = draw(H, H);
    w.W_f = draw(H * H, H), w.b_f = draw(H, H);
    w.w_out = draw(H, H), w.b_out = draw(1, H)[0];
    return cache.emplace(d, std::move(w)).first->second;
}

inline const eigen::mlp_potential<double>& flow_potential(Eigen::Index d) {
    static std::map<Eigen::Index, eigen::mlp_potential<double>> cache;
    auto it = cache.find(d);
    if (it == cache.end()) it = cache.emplace(d, eigen::mlp_potential<double>(d, flow_potential_weights(d))).first;
    return it->second;
}

}  // namespace latentwalk::bench
