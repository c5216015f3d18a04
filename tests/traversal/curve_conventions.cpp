// traversal: the conventions of Iterative Curve-Traversal — the paper's U-cosine sign rule against
// the released code's V-dot rule, the code's frame subsampling, a fixed component, and the escape
// diagnostic.
#include <cmath>
#include <vector>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using B = le::backend<double>;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

/// A fold: g(z) = (2 z₁ for z₁ < 0, −z₁/2 for z₁ ≥ 0; z₂). J = diag(2, 1) left of the fold and
/// diag(−1/2, 1) right of it: crossing it, the z₁ direction drops from the first singular
/// direction (σ = 2) to the second (σ = 1/2), and its output direction reverses against its latent one.
struct fold_generator {
    using backend = B;
    Eigen::Index latent_dim() const { return 2; }
    Eigen::Index output_dim() const { return 2; }
    Vec operator()(const Vec& z) const { return (Vec(2) << (z[0] < 0 ? 2.0 * z[0] : -0.5 * z[0]), z[1]).finished(); }
    Mat jacobian(const Vec& z) const { return (Mat(2, 2) << (z[0] < 0 ? 2.0 : -0.5), 0.0, 0.0, 1.0).finished(); }
};

/// The side of a two-sided traversal that first moves towards +z₁, as (first index, index step).
struct side {
    std::size_t first;
    long long stride;
};
side rightward(const lw::trajectory<B>& p) {
    const std::size_t s = p.start_index;
    return p.points[s + 1][0] > p.points[s][0] ? side{s + 1, 1} : side{s - 1, -1};
}
}  // namespace

CATCH_TEST_CASE("traversal: at a fold the paper's U-cosine sign rule turns back in Z, the code's V-dot rule goes on") {
    const fold_generator g;
    const Vec z0 = (Vec(2) << -0.25, 0.3).finished();
    const double eps = 0.2;
    lw::curve_traversal_options paper;  // sign_rule = output_cosine
    lw::curve_traversal_options code;
    code.sign_rule = lw::curve_sign_rule::latent_dot;
    const auto a = lw::curve_traversal(g, z0, 0, 4, eps, paper);
    const auto b = lw::curve_traversal(g, z0, 0, 4, eps, code);
    // hand-worked: steps ε/σ = 0.1 reach z₁ = −0.15, −0.05, 0.05; past the fold σ = 1/2 and the step is 0.4
    const std::vector<double> z1_paper = {-0.15, -0.05, 0.05, -0.35}, z1_code = {-0.15, -0.05, 0.05, 0.45};
    const std::vector<double> comp_paper = {0, 0, 1, 0}, comp_code = {0, 0, 1, 1};
    // escape ‖g(z_{k+1}) − g(z_k) − ε u_k‖: 0 inside a linear piece; across the fold g₁ goes −0.1 → −0.025
    // instead of −0.1 + 0.2 (0.125); the U rule's step back lands at g₁ = −0.7 instead of −0.025 + 0.2 (0.875)
    const std::vector<double> esc_paper = {0, 0, 0.125, 0.875}, esc_code = {0, 0, 0.125, 0};
    const auto ra = rightward(a), rb = rightward(b);
    for (std::size_t k = 0; k < 4; ++k) {
        const auto ia = static_cast<std::size_t>(static_cast<long long>(ra.first) + static_cast<long long>(k) * ra.stride);
        const auto ib = static_cast<std::size_t>(static_cast<long long>(rb.first) + static_cast<long long>(k) * rb.stride);
        CATCH_INFO("step " << k);
        CATCH_CHECK(a.points[ia][0] == Catch::Approx(z1_paper[k]).margin(1e-12));
        CATCH_CHECK(b.points[ib][0] == Catch::Approx(z1_code[k]).margin(1e-12));
        CATCH_CHECK(a.points[ia][1] == 0.3);
        CATCH_CHECK(a.diagnostic("component")[ia] == comp_paper[k]);
        CATCH_CHECK(b.diagnostic("component")[ib] == comp_code[k]);
        CATCH_CHECK(a.diagnostic("escape")[ia] == Catch::Approx(esc_paper[k]).margin(1e-12));
        CATCH_CHECK(b.diagnostic("escape")[ib] == Catch::Approx(esc_code[k]).margin(1e-12));
    }
    // the U rule keeps the output moving forward (g₁ increases up to the fold, then it turns back in Z);
    // the V rule's output reverses after the fold (g₁ = −z₁/2 decreases again)
    const auto ia3 = static_cast<std::size_t>(static_cast<long long>(ra.first) + 3 * ra.stride);
    const auto ib3 = static_cast<std::size_t>(static_cast<long long>(rb.first) + 3 * rb.stride);
    CATCH_CHECK(a.outputs[ia3][0] == Catch::Approx(-0.7));
    CATCH_CHECK(b.outputs[ib3][0] == Catch::Approx(-0.225));
    // the other side (away from the fold) is a straight line under both rules
    const auto ia_left = static_cast<std::size_t>(static_cast<long long>(ra.first) - 2 * ra.stride);
    CATCH_CHECK(a.points[ia_left][0] == Catch::Approx(-0.35).margin(1e-12));
    CATCH_CHECK(a.diagnostic("escape")[a.start_index] == 0.0);
}

CATCH_TEST_CASE("traversal: the code's frame subsampling keeps steps {3, 7, 11} of 12 per side, bit-identical to the full walk") {
    CATCH_CHECK(lw::curve_frame_steps(3, 12) == std::vector<long long>{3, 7, 11});
    CATCH_CHECK(lw::curve_frame_steps(2, 5) == std::vector<long long>{1, 4});
    CATCH_CHECK_THROWS_AS(lw::curve_frame_steps(0, 12), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::curve_frame_steps(13, 12), lw::invalid_argument_error);
    const le::sphere_embedding<double> sphere;
    const Vec z0 = (Vec(2) << 1.0, 0.4).finished();
    const auto full = lw::curve_traversal(sphere, z0, 1, 12, 0.05);
    lw::curve_traversal_options o;
    o.keep_steps = lw::curve_frame_steps(3, 12);
    const auto frames = lw::curve_traversal(sphere, z0, 1, 12, 0.05, o);
    CATCH_REQUIRE(frames.size() == 7);
    CATCH_CHECK(frames.start_index == 3);
    const std::vector<long long> at = {-12, -8, -4, 0, 4, 8, 12};  // signed step counts
    for (std::size_t i = 0; i < 7; ++i) {
        const auto j = static_cast<std::size_t>(12 + at[i]);
        CATCH_CHECK(frames.points[i] == full.points[j]);
        CATCH_CHECK(frames.outputs[i] == full.outputs[j]);
        CATCH_CHECK(frames.times[i] == full.times[j]);
        CATCH_CHECK(frames.diagnostic("escape")[i] == full.diagnostic("escape")[j]);
    }
    o.keep_steps = {3, 3};
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(sphere, z0, 1, 12, 0.05, o), lw::invalid_argument_error);
    o.keep_steps = {12};
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(sphere, z0, 1, 12, 0.05, o), lw::invalid_argument_error);
}

CATCH_TEST_CASE("traversal: curve traversal with follow_component off keeps the index through a singular-value crossing") {
    // g(x, y) = (x + x³/3, 2y): σ_x = 1 + x² passes σ_y = 2 at |x| = 1
    struct crossing {
        using backend = B;
        Eigen::Index latent_dim() const { return 2; }
        Eigen::Index output_dim() const { return 2; }
        Vec operator()(const Vec& z) const { return (Vec(2) << z[0] + z[0] * z[0] * z[0] / 3.0, 2.0 * z[1]).finished(); }
        Mat jacobian(const Vec& z) const { return (Mat(2, 2) << 1.0 + z[0] * z[0], 0.0, 0.0, 2.0).finished(); }
    } g;
    const Vec z0 = (Vec(2) << 0.5, 0.0).finished();
    lw::curve_traversal_options o;
    o.both_sides = false;
    const auto follow = lw::curve_traversal(g, z0, 1, 30, 0.1, o);
    o.follow_component = false;
    const auto fixed = lw::curve_traversal(g, z0, 1, 30, 0.1, o);
    CATCH_CHECK(follow.diagnostic("component").back() == 0.0);  // x became the first direction
    CATCH_CHECK(fixed.diagnostic("component").back() == 1.0);   // the index stayed: now the y direction
    CATCH_CHECK(std::abs(fixed.points.back()[1]) > 0.1);        // so the fixed-index walk turned into y
    CATCH_CHECK(std::abs(follow.points.back()[1]) <= 1e-12);
}
