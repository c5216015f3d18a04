// train: DP-LaSE's losses (l_var, l_reg, l_mon, l_lik, l_den, eq. (3)) against closed forms on tiny
// cases, and their autograd gradients against central differences.
#include <latentwalk/torch/dplase/losses.hpp>

#include <cmath>

#include "dplase_support.hpp"
#include "support/test_support.hpp"

namespace dp = latentwalk::torch::dplase;
using latentwalk::test::dplase::gradient_error;

namespace {
at::Tensor t2(std::initializer_list<double> v, std::int64_t rows) {
    return at::tensor(std::vector<double>(v), at::kDouble).reshape({rows, -1});
}
}  // namespace

CATCH_TEST_CASE("train: l_var equals its closed form for two directions and every decorrelation form") {
    // Δ₁ = (1, 0, 0, 2), Δ₂ = (1, 1, 0, 3) for one z₀: ‖Δ₁‖² = 5, ‖Δ₂‖² = 11, ⟨Δ₁, Δ₂⟩ = 7.
    const auto deltas = t2({1, 0, 0, 2, 1, 1, 0, 3}, 2).reshape({2, 1, 4});
    dp::variation_loss_options o;
    o.lambda = 0.5;
    auto v = dp::variation_loss(deltas, o);
    CATCH_CHECK(v.variation.item<double>() == Catch::Approx(16.0));
    CATCH_CHECK(v.decorrelation.item<double>() == Catch::Approx(2 * 49.0));  // both ordered pairs
    CATCH_CHECK(v.total.item<double>() == Catch::Approx(-16.0 + 0.5 * 98.0));
    // As 2 × 2 feature maps (channels × positions): Δ₁ = [[1, 0], [0, 2]], Δ₂ = [[1, 1], [0, 3]],
    // Δ₁ᵀΔ₂ = [[1, 1], [0, 6]], ‖·‖²_F = 38.
    o.channels = 2;
    CATCH_CHECK(dp::variation_loss(deltas, o).decorrelation.item<double>() == Catch::Approx(2 * 38.0));
    // Normalized whole vectors (StyleGAN2 script): cos² = 49/55.
    o.channels = 0;
    o.decorrelation = dp::decorrelation_form::normalized_vector;
    CATCH_CHECK(dp::variation_loss(deltas, o).decorrelation.item<double>() == Catch::Approx(2 * 49.0 / 55.0));
    // Per channel (BigGAN script): rows (1, 0)·(1, 1) → ½, (0, 2)·(0, 3) → 1; mean ¾.
    o.channels = 2;
    o.decorrelation = dp::decorrelation_form::normalized_per_channel;
    CATCH_CHECK(dp::variation_loss(deltas, o).decorrelation.item<double>() == Catch::Approx(2 * 0.75));
    // Mean reduction of the variation (reduce_mean): ‖Δ‖²/m.
    o.variation = dp::loss_reduction::mean;
    CATCH_CHECK(dp::variation_loss(deltas, o).variation.item<double>() == Catch::Approx(16.0 / 4));
    // The expectation over z₀ is the mean over the batch: two copies of the same z₀ give the same value.
    const auto twice = at::cat({deltas, deltas}, 1);
    CATCH_CHECK(dp::variation_loss(twice).total.item<double>() == Catch::Approx(dp::variation_loss(deltas).total.item<double>()));
    o = {};
    o.decorrelation = dp::decorrelation_form::normalized_per_channel;
    CATCH_REQUIRE_THROWS_AS(dp::variation_loss(deltas, o), latentwalk::invalid_argument_error);
    o.channels = 3;
    CATCH_REQUIRE_THROWS_AS(dp::variation_loss(deltas, o), latentwalk::dimension_error);
    CATCH_REQUIRE_THROWS_AS(dp::variation_loss(deltas.reshape({2, 4})), latentwalk::dimension_error);
}

CATCH_TEST_CASE("train: l_reg, l_mon, l_lik, l_den and the finite-difference slope equal their closed forms") {
    // Γ = [[1, 1], [0, 1]]: ΓᵀΓ − I = [[0, 1], [1, 1]].
    const auto G = t2({1, 1, 0, 1}, 2);
    CATCH_CHECK(dp::orthogonality_loss(G).item<double>() == Catch::Approx(3.0));
    CATCH_CHECK(dp::orthogonality_loss(G, dp::loss_reduction::mean).item<double>() == Catch::Approx(0.75));
    CATCH_CHECK(dp::orthogonality_loss(at::eye(3, at::kDouble).narrow(1, 0, 2)).item<double>() == 0.0);
    // l_mon with v = 1 on slopes (0.5, −1, 2): 0.5 + 2 + 0; on a batch of two samples the mean.
    CATCH_CHECK(dp::monotonicity_loss(t2({0.5, -1, 2}, 1), 1.0).item<double>() == Catch::Approx(2.5));
    CATCH_CHECK(dp::monotonicity_loss(t2({0.5, -1, 2, 3, 3, 3}, 2), 1.0).item<double>() == Catch::Approx(1.25));
    // l_lik on slopes (e, 1): −1.
    CATCH_CHECK(dp::likelihood_loss(t2({std::exp(1.0), 1.0}, 1)).item<double>() == Catch::Approx(-1.0));
    CATCH_REQUIRE_THROWS_AS(dp::likelihood_loss(t2({1.0, 0.0}, 1)), latentwalk::numerical_error);
    CATCH_REQUIRE_THROWS_AS(dp::monotonicity_loss(t2({1.0}, 1), -1.0), latentwalk::invalid_argument_error);
    // l_den: a = (1, 2), b = [[1.5, 2], [0, 4]] → (0.25 + 1, 0 + 4), mean 2.625.
    const auto a = at::tensor(std::vector<double>{1, 2}, at::kDouble);
    CATCH_CHECK(dp::density_consistency_loss(a, t2({1.5, 2, 0, 4}, 2)).item<double>() == Catch::Approx(2.625));
    CATCH_CHECK(dp::density_consistency_loss(a, a).item<double>() == 0.0);
    CATCH_REQUIRE_THROWS_AS(dp::density_consistency_loss(a, t2({1, 2, 3}, 1)), latentwalk::dimension_error);
    // Eq. (3) on F(x) = x²: (x + ε)² − x² over ε = 2x + ε.
    const auto x = at::tensor(std::vector<double>{-1.0, 0.5, 2.0}, at::kDouble);
    const auto s = dp::finite_difference_slope([](const at::Tensor& y) { return y * y; }, x, 1e-3);
    for (int i = 0; i < 3; ++i) CATCH_CHECK(s[i].item<double>() == Catch::Approx(2 * x[i].item<double>() + 1e-3).epsilon(1e-9));
    CATCH_REQUIRE_THROWS_AS(dp::finite_difference_slope([](const at::Tensor& y) { return y; }, x, 0.0),
                            latentwalk::invalid_argument_error);
}

CATCH_TEST_CASE("train: the losses' autograd gradients agree with central differences") {
    auto gen = at::detail::createCPUGenerator(7);
    const auto deltas = at::randn({3, 2, 6}, gen, at::TensorOptions().dtype(at::kDouble));
    for (auto form : {dp::decorrelation_form::inner_product, dp::decorrelation_form::normalized_vector,
                      dp::decorrelation_form::normalized_per_channel}) {
        for (std::int64_t channels : {0, 2}) {
            if (form == dp::decorrelation_form::normalized_per_channel && channels == 0) continue;
            dp::variation_loss_options o;
            o.lambda = 0.3;
            o.decorrelation = form;
            o.channels = channels;
            CATCH_CAPTURE(static_cast<int>(form), channels);
            CATCH_CHECK(gradient_error([&](const at::Tensor& d) { return dp::variation_loss(d, o).total; }, deltas) < 1e-7);
        }
    }
    const auto G = at::randn({4, 3}, gen, at::TensorOptions().dtype(at::kDouble));
    CATCH_CHECK(gradient_error([](const at::Tensor& g) { return dp::orthogonality_loss(g); }, G) < 1e-7);
    // l_mon away from its kinks, l_lik on positive slopes, l_den.
    const auto slopes = at::rand({3, 4}, gen, at::TensorOptions().dtype(at::kDouble)) * 2 + 0.1;
    const auto kinks = (slopes - 1.0).abs().min().item<double>();
    CATCH_REQUIRE(kinks > 1e-4);
    CATCH_CHECK(gradient_error([](const at::Tensor& s) { return dp::monotonicity_loss(s, 1.0); }, slopes) < 1e-7);
    CATCH_CHECK(gradient_error([](const at::Tensor& s) { return dp::likelihood_loss(s); }, slopes) < 1e-7);
    const auto ab = at::randn({3, 5}, gen, at::TensorOptions().dtype(at::kDouble));
    CATCH_CHECK(gradient_error([](const at::Tensor& v) { return dp::density_consistency_loss(v[0], v.narrow(0, 1, 2)); }, ab) <
                1e-7);
}
