#pragma once
// Helpers shared by the compare: tests on linear decoders (methods.cpp, fitted_methods.cpp): the
// population standard deviation of the traversal times, and a scoring context that reads the first
// three pixels of a square grey image as three continuous factors.
#include <latentwalk/torch/compare/score_methods.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace compare_test {

/// sd(t) with population moments (divided by the count), as factor_correlation's statistic uses.
inline double sd_of(const std::vector<double>& t) {
    double mean = 0, s = 0;
    for (double x : t) mean += x / double(t.size());
    for (double x : t) s += (x - mean) * (x - mean);
    return std::sqrt(s / double(t.size()));
}

/// `generator` (latent `latent_dim` → 1×side×side) with pixels 0 … 2 read as factors p0, p1, p2 of `spread`.
inline latentwalk::torch::compare::scoring_context pixel_context(latentwalk::torch::tensor_function generator, std::int64_t side,
                                                                 std::int64_t latent_dim, double spread = 0.5) {
    latentwalk::torch::compare::scoring_context c{.generator = std::move(generator), .shape = {1, side, side},
                                                  .latent_dim = latent_dim};
    c.specs = {{"p0", spread}, {"p1", spread}, {"p2", spread}};
    c.factor_reader = [](const float* x, std::size_t) { return std::vector<double>{x[0], x[1], x[2]}; };
    return c;
}

}  // namespace compare_test
