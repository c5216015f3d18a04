#pragma once
// Shared helpers of the test suite: the seeded RNG, the oracles, Eigen conversions.
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

// Catch2 v2 spells it Catch::Detail::Approx (and ::Approx); v3 spells it Catch::Approx. Allow the latter.
namespace Catch {
using Detail::Approx;
}  // namespace Catch

namespace latentwalk::test {

std::uint64_t& seed_storage();

/// The suite's seed (Catch's --rng-seed, printed by the test main).
inline std::uint64_t seed() { return seed_storage(); }

/// A generator seeded from the suite's seed and a per-use salt, so tests are independent.
inline std::mt19937_64 rng(std::uint64_t salt = 0) { return std::mt19937_64(seed() * 0x9E3779B97F4A7C15ULL + salt); }

/// The oracles of ../shared/oracles/oracles.json (copied into tests/data): mpmath references.
inline const nlohmann::json& oracles() {
    static const nlohmann::json j = [] {
        std::ifstream in(std::string(LATENTWALK_TEST_DATA_DIR) + "/oracles.json");
        if (!in) throw std::runtime_error("cannot open tests/data/oracles.json");
        return nlohmann::json::parse(in);
    }();
    return j;
}

/// A row-major JSON list of rows as an Eigen matrix.
inline Eigen::MatrixXd to_matrix(const nlohmann::json& rows) {
    const auto r = static_cast<Eigen::Index>(rows.size());
    const auto c = static_cast<Eigen::Index>(rows.at(0).size());
    Eigen::MatrixXd M(r, c);
    for (Eigen::Index i = 0; i < r; ++i)
        for (Eigen::Index j = 0; j < c; ++j) M(i, j) = rows.at(i).at(j).get<double>();
    return M;
}

inline Eigen::VectorXd to_vector(const nlohmann::json& values) {
    Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = values.at(i).get<double>();
    return v;
}

/// n i.i.d. N(0, 1) entries.
template <class Rng>
Eigen::VectorXd random_vector(Eigen::Index n, Rng& rng) {
    std::normal_distribution<double> nd;
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v[i] = nd(rng);
    return v;
}

template <class Rng>
Eigen::MatrixXd random_matrix(Eigen::Index r, Eigen::Index c, Rng& rng) {
    std::normal_distribution<double> nd;
    Eigen::MatrixXd A(r, c);
    for (Eigen::Index j = 0; j < c; ++j)
        for (Eigen::Index i = 0; i < r; ++i) A(i, j) = nd(rng);
    return A;
}

/// Relative difference with an absolute floor of 1 in the denominator's scale.
inline double rel_diff(double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); }

}  // namespace latentwalk::test
