#pragma once
// latentwalk/torch/dplase/walks.hpp — the maps z_dp(z₀, t, γ) that DP-LaSE's losses walk along, as
// differentiable tensor functions, and the seeded batch helpers the trainers share.
//
//     namespace dp = latentwalk::torch::dplase;
//     dp::walk_function w = dp::norm_preserving_walk();      // eq. (2), the Gaussian prior
//     at::Tensor z = w(z0, t, gamma);                        // z0, gamma [N, d], t [N, 1]
//
// | walk                        | z_dp(z₀, t, γ)                                  | paper / code                     |
// |-----------------------------|-------------------------------------------------|----------------------------------|
// | linear_walk()               | z₀ + t γ                                        | eq. (1); maximum_traverse.py's same_density = 0 default |
// | norm_preserving_walk()      | ‖z₀‖ (z₀ + t γ)/‖z₀ + t γ‖                      | eq. (2) (Gaussian / radial priors) |
// | corrected_walk(C)           | z₀ + t γ + C(z₀, t, γ)                          | eq. (6), any learned C            |
// The norm uses sqrt(‖·‖² + 1e-16) as the released code does, so z₀ + tγ = 0 gives 0, not NaN.
//
// Seeds: every trainer draws the batch of step s from its own generator seeded with (seed, s)
// (step_generator), so a run resumed at step s sees the same batches as an uninterrupted one.
#include <cstdint>
#include <functional>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

namespace latentwalk::torch::dplase {

/// z_dp(z₀ [N, d], t [N, 1], γ [N, d]) → [N, d].
using walk_function = std::function<at::Tensor(const at::Tensor&, const at::Tensor&, const at::Tensor&)>;

inline walk_function linear_walk() {
    return [](const at::Tensor& z0, const at::Tensor& t, const at::Tensor& g) { return z0 + t * g; };
}

inline walk_function norm_preserving_walk() {
    return [](const at::Tensor& z0, const at::Tensor& t, const at::Tensor& g) {
        const auto y = z0 + t * g;
        const auto ny = at::sqrt((y * y).sum(-1, true) + 1e-16);
        const auto n0 = at::sqrt((z0 * z0).sum(-1, true) + 1e-16);
        return y / ny * n0;
    };
}

/// z₀ + tγ + C(z₀, t, γ) with C any tensor function of that signature (a correction_module).
inline walk_function corrected_walk(walk_function correction) {
    return [c = std::move(correction)](const at::Tensor& z0, const at::Tensor& t, const at::Tensor& g) {
        return z0 + t * g + c(z0, t, g);
    };
}

/// The generator of step `step` of a run seeded with `seed` (splitmix64 of the pair).
inline at::Generator step_generator(std::uint64_t seed, std::int64_t step) {
    std::uint64_t x = seed + 0x9E3779B97F4A7C15ULL * (static_cast<std::uint64_t>(step) + 1);
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    x ^= x >> 31;
    return at::detail::createCPUGenerator(x);
}

/// `n` rows of `samples` [M, d] drawn uniformly with replacement.
inline at::Tensor draw_rows(const at::Tensor& samples, std::int64_t n, at::Generator& gen) {
    const auto idx = at::randint(samples.size(0), {n}, gen, at::TensorOptions().dtype(at::kLong));
    return samples.index_select(0, idx.to(samples.device()));
}

/// `n` directions uniform on the unit sphere of R^d, [n, d], like `like`'s dtype and device.
inline at::Tensor random_unit_directions(std::int64_t n, std::int64_t d, at::Generator& gen, const at::Tensor& like) {
    auto g = at::randn({n, d}, gen, at::TensorOptions().dtype(at::kDouble));
    g = g / g.norm(2, {-1}, true);
    return g.to(like.options());
}

/// t for n samples, [n, 1]: uniform on [lo, hi].
inline at::Tensor uniform_steps(std::int64_t n, double lo, double hi, at::Generator& gen, const at::Tensor& like) {
    auto t = at::rand({n, 1}, gen, at::TensorOptions().dtype(at::kDouble)) * (hi - lo) + lo;
    return t.to(like.options());
}

}  // namespace latentwalk::torch::dplase
