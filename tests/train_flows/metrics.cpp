// train_flows: the paper's metrics on constructed cases with known answers — the VP score of
// axis-aligned directions on a linear generator with distinct factor images (near 1) and of K copies
// of one direction (chance 1/K); the equivariance error of a linear flow on a linear decoder (0 for
// the true direction, the closed form T(T+1)/2 · η‖A e_j‖ for a perturbed one and for the ∇u = 0
// baseline).
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/flow_metrics.hpp>

#include <iostream>

#include "flows_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;

namespace {

constexpr std::int64_t d = 6, K = 4;
const lt::image_shape shape{1, 8, 8};

/// 64 × d: column j is a smooth, distinct "factor image" (a Gaussian bump at its own place).
at::Tensor factor_images() {
    auto A = at::zeros({64, d}, at::kDouble);
    for (std::int64_t j = 0; j < d; ++j) {
        const double cy = 1.5 + 5.0 * double(j % 2), cx = 1.0 + 2.5 * double(j / 2);
        for (std::int64_t y = 0; y < 8; ++y)
            for (std::int64_t x = 0; x < 8; ++x)
                A[y * 8 + x][j] = std::exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / 3.0);
    }
    return A;
}

lt::vp_score_options small_vp() {
    lt::vp_score_options o;
    o.pairs = 800;  // 80 training pairs, 720 test pairs
    o.epochs = 40;
    o.runs = 2;
    o.seed = 11;
    return o;
}

}  // namespace

CATCH_TEST_CASE("train_flows: the VP score is near 1 for distinct axis-aligned factors and at chance for K copies of one direction") {
    const auto A = factor_images();
    const lt::tensor_function G = [A](const at::Tensor& z) { return at::matmul(z, A.t()); };
    const auto axes = at::eye(d, at::kDouble).slice(0, 0, K);        // e_0 … e_{K−1}
    const auto same = at::eye(d, at::kDouble).slice(0, 0, 1).expand({K, d});  // K copies of e_0
    for (const auto input : {lt::vp_input::pair, lt::vp_input::difference}) {
        auto o = small_vp();
        o.input = input;
        const auto distinct = lt::vp_score(G, shape, K, lt::direction_endpoint(axes, 2.0), d, o);
        const auto copies = lt::vp_score(G, shape, K, lt::direction_endpoint(same, 2.0), d, o);
        std::cout << "VP (" << (input == lt::vp_input::pair ? "pair" : "difference") << "): distinct axes "
                  << distinct.mean << " ± " << distinct.sd << ", K copies " << copies.mean << " ± " << copies.sd
                  << " (chance " << 1.0 / K << ", " << distinct.train_pairs << " training / " << distinct.test_pairs
                  << " test pairs)\n";
        CATCH_CHECK(distinct.runs.size() == 2);
        CATCH_CHECK(distinct.train_pairs == 80);
        CATCH_CHECK(distinct.mean > 0.9);
        // 720 test pairs: chance 0.25 has a binomial sd of 0.016; a learned signal would be far above
        CATCH_CHECK(copies.mean < 1.0 / K + 0.08);
        CATCH_CHECK(copies.mean > 1.0 / K - 0.08);
    }
    CATCH_CHECK_THROWS_AS(lt::vp_score(G, shape, 1, lt::direction_endpoint(axes, 1.0), d), lw::invalid_argument_error);
    auto bad = small_vp();
    bad.train_fraction = 1.0;
    CATCH_CHECK_THROWS_AS(lt::vp_score(G, shape, K, lt::direction_endpoint(axes, 1.0), d, bad), lw::invalid_argument_error);
    const lt::traversal_endpoint wrong = [](std::int64_t, const at::Tensor& z) { return z.slice(1, 0, 2); };
    CATCH_CHECK_THROWS_AS(lt::vp_score(G, shape, K, wrong, d, small_vp()), lw::dimension_error);
}

CATCH_TEST_CASE("train_flows: the equivariance error of a linear flow on a linear decoder equals its closed form") {
    const auto A = factor_images();
    const lt::tensor_function dec = [A](const at::Tensor& z) { return at::matmul(z, A.t()); };
    constexpr std::int64_t T = 5, B = 7, k = 2, j = 4;
    const double delta = 0.7, eta = 0.3;
    at::manual_seed(5);
    const auto z0 = at::randn({B, d}, at::kDouble);
    // ground truth: x_t = A (z₀ + t δ e_k), t = 0 … T
    std::vector<at::Tensor> xs;
    for (std::int64_t t = 0; t <= T; ++t) {
        auto z = z0.clone();
        z.select(1, k).add_(double(t) * delta);
        xs.push_back(dec(z).reshape({B, 1, 8, 8}));
    }
    const auto truth = at::stack(xs, 0);
    lt::linear_bank bank(d, {.potentials = K, .seed = 3});
    auto set_direction = [&](double along_j) {
        at::NoGradGuard g;
        auto a = bank.named_parameters()["a"];
        a.zero_();
        a[k][k] = delta;
        a[k][j] = along_j;
    };
    set_direction(0.0);
    const auto path = lt::flow_path(bank, k, z0, T);
    CATCH_CHECK(path.sizes() == at::IntArrayRef({T + 1, B, d}));
    CATCH_CHECK(flows_test::max_abs_diff(path[3] - z0, at::full({B}, 3 * delta, at::kDouble).unsqueeze(-1) *
                                                           at::eye(d, at::kDouble)[k]) < 1e-14);
    CATCH_CHECK(lt::equivariance_error(dec, path, truth) < 1e-12);
    const double tri = double(T * (T + 1) / 2);
    const double col_j_l1 = A.select(1, j).abs().sum().item<double>(), col_j_l2 = A.select(1, j).norm().item<double>();
    const double col_k_l1 = A.select(1, k).abs().sum().item<double>();
    set_direction(eta);
    const auto off = lt::flow_path(bank, k, z0, T);
    CATCH_CHECK(lt::equivariance_error(dec, off, truth) == Catch::Approx(tri * eta * col_j_l1).epsilon(1e-12));
    CATCH_CHECK(lt::equivariance_error(dec, off, truth, lt::equivariance_norm::l2) ==
                Catch::Approx(tri * eta * col_j_l2).epsilon(1e-12));
    // the paper's lower bound baseline, ∇u = 0
    CATCH_CHECK(lt::equivariance_error(dec, lt::zero_path(z0, T), truth) == Catch::Approx(tri * delta * col_k_l1).epsilon(1e-12));
    CATCH_CHECK_THROWS_AS(lt::equivariance_error(dec, path, truth.slice(0, 0, T)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lt::equivariance_error(dec, path[0], truth), lw::dimension_error);
}
