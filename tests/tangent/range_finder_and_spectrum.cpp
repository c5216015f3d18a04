// tangent: the randomized range finder oracle, product budgets, the automatic rule, the
// spectrum helpers (pull-back metric, stretch factors, numerical rank, low-rank error).
#include <latentwalk/tangent/local_stretch_factors.hpp>
#include <latentwalk/tangent/low_rank_error.hpp>
#include <latentwalk/tangent/numerical_rank.hpp>
#include <latentwalk/tangent/pullback_metric.hpp>

#include "tangent_support.hpp"

using namespace tangent_test;

CATCH_TEST_CASE("tangent: svd.randomized_range_finder_fixed_Omega oracle on its stored 6x4 matrix, q = 0, 1, 2") {
    const auto& o = lw::test::oracles().at("svd").at("randomized_range_finder_fixed_Omega");
    // The oracle carries its input: A = H6[:, :4] diag(8, 2, 1e-2, 1e-7) H4ᵀ (Householder factors),
    // stored in double; its results are exact-arithmetic references of that stored A.
    const Eigen::MatrixXd A = lw::test::to_matrix(o.at("A"));
    const Eigen::MatrixXd Omega = lw::test::to_matrix(o.at("Omega_4x3"));
    const Eigen::VectorXd true_sigma = lw::test::to_vector(o.at("true_sigma"));
    CATCH_REQUIRE(A.rows() == 6);
    CATCH_REQUIRE(A.cols() == 4);
    const Eigen::VectorXd sigma = Eigen::JacobiSVD<Eigen::MatrixXd>(A).singularValues();
    // The stored matrix has the stated spectrum: σ₁..σ₃ to 1e-12 relative; σ₄ = 1e-7 only to what a
    // backward-stable SVD of a double matrix of norm 8 resolves (absolute ε‖A‖ ≈ 2e-15).
    for (Eigen::Index i = 0; i < 3; ++i) CATCH_CHECK(std::abs(sigma[i] - true_sigma[i]) <= 1e-12 * true_sigma[i]);
    CATCH_CHECK(std::abs(sigma[3] - true_sigma[3]) <= 8 * 4e-16 * sigma[0]);
    const le::linear_generator<double> gl(A);
    const products_only<le::linear_generator<double>> g{&gl};
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(4);
    for (int q = 0; q <= 2; ++q) {
        CATCH_CAPTURE(q);
        const auto rf = lw::randomized_range_finder(g, z, Omega, q);
        const auto& ref = o.at("results").at("q=" + std::to_string(q));
        const Eigen::VectorXd approx = lw::test::to_vector(ref.at("approx_singular_values"));
        const double ref_residual = ref.at("spectral_residual_||(I-QQ^T)A||_2").get<double>();
        CATCH_CHECK(orthonormality_error(rf.Q) < 1e-15);
        CATCH_CHECK(rf.jvp_count == 3 * (q + 1));
        CATCH_CHECK(rf.vjp_count == 3 * (q + 1));
        // The oracle's tolerance, 1e-12 relative, on every approximate singular value. It tells q = 0
        // from q ≥ 1: at q = 0 the sketch's σ₃ is 0.009999999999637094 (3.6e-11 below the true 0.01).
        for (Eigen::Index i = 0; i < 3; ++i) {
            CATCH_CAPTURE(i);
            CATCH_CHECK(std::abs(rf.singular_values[i] - approx[i]) <= 1e-12 * approx[i]);
        }
        // Stated property: the sketch's values interlace, approx_i ≤ true_i (to ε‖A‖).
        for (Eigen::Index i = 0; i < 3; ++i) CATCH_CHECK(rf.singular_values[i] <= sigma[i] + 4e-16 * sigma[0]);
        // The residual ‖(I − QQᵀ)A‖₂ is 1.6e-7 (q = 0) or σ₄ (q ≥ 1). Formed in double from A, it carries an
        // absolute error of about ε‖A‖ ≈ 2e-15, i.e. ~1e-8 relative: the oracle's 1e-12 cannot be resolved
        // here, so the check is to 1e-6 relative, which still tells q = 0 (1.619e-7) from q ≥ 1 (1.000e-7).
        const double residual =
            Eigen::JacobiSVD<Eigen::MatrixXd>(A - rf.Q * (rf.Q.transpose() * A)).singularValues()[0];
        CATCH_CHECK(std::abs(residual - ref_residual) <= 1e-6 * ref_residual);
        CATCH_CHECK(residual >= sigma[3] * (1 - 1e-6));
        // The returned bases are the SVD of QᵀJ: J ≈ (Q X) Σ P̂ᵀ on range(Q).
        CATCH_CHECK((rf.Q.transpose() * A - rf.Q.transpose() * rf.output_basis * rf.singular_values.asDiagonal() *
                                                 rf.latent_basis.transpose())
                        .norm() < 1e-14 * sigma[0]);
    }
}

CATCH_TEST_CASE("tangent: product counts are exactly the documented budgets") {
    le::mlp_generator<double>::options o;
    o.pixel_norm_first = true;
    const auto mlp = le::mlp_generator<double>::random({96, 128, 128, 300}, o, 3);
    const products_only<le::mlp_generator<double>> g{&mlp};
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(96, -1.5, 1.0);
    for (long long k : {1, 10}) {
        CATCH_CAPTURE(k);
        // dense: min(n, m) = 96 JVPs (the generator has no jacobian of its own).
        const auto d = lw::tangent_basis(g, z, k, method_options(lw::tangent_method::dense, 1e-10));
        CATCH_CHECK(d.report.jvp_count == 96);
        CATCH_CHECK(d.report.vjp_count == 0);
        // lanczos: 2ℓ + 2(ℓ − p)·restarts, ℓ = max(2k, k + 10), p = min(ℓ − 1, k + ⌈(ℓ − k)/2⌉).
        const auto l = lw::tangent_basis(g, z, k, method_options(lw::tangent_method::lanczos, 1e-10));
        const long long ell = std::max(2 * k, k + 10), p = std::min(ell - 1, k + (ell - k + 1) / 2);
        CATCH_CHECK(l.report.converged);
        CATCH_CHECK(l.report.subspace_dimension == ell);
        CATCH_CHECK(l.report.jvp_count == l.report.vjp_count);
        CATCH_CHECK(l.report.products() == 2 * ell + 2 * (ell - p) * l.report.restarts);
        CATCH_CHECK(l.report.products() <= 3 * 2 * (k + 10));  // the budget, met here
        // randomized with a fixed q (Halko et al.): ℓ(2q + 3) + k with ℓ = k + p.
        auto ro = method_options(lw::tangent_method::randomized, 1e-10);
        ro.adaptive_power_iterations = false;
        for (int q : {0, 1, 3}) {
            ro.power_iterations = q;
            const auto r = lw::tangent_basis(g, z, k, ro);
            const long long rl = k + 10;
            CATCH_CHECK(r.report.jvp_count == rl * (q + 2));
            CATCH_CHECK(r.report.vjp_count == rl * (q + 1) + k);
        }
        // check_adjoint adds one JVP and one VJP.
        auto ca = method_options(lw::tangent_method::lanczos, 1e-10);
        ca.check_adjoint = true;
        const auto lc = lw::tangent_basis(g, z, k, ca);
        CATCH_CHECK(lc.report.products() == l.report.products() + 2);
        CATCH_CHECK(lc.report.adjoint_error < 1e-13);
    }
    // A generator with its own jacobian: dense spends one Jacobian call and no products.
    const auto dj = lw::tangent_basis(mlp, z, 3, method_options(lw::tangent_method::dense));
    CATCH_CHECK(dj.report.jacobian_count == 1);
    CATCH_CHECK(dj.report.products() == 0);
}

CATCH_TEST_CASE("tangent: the automatic rule picks dense or lanczos as documented") {
    le::mlp_generator<double>::options o;
    const auto big = le::mlp_generator<double>::random({100, 120}, o, 1);
    const auto small = le::mlp_generator<double>::random({40, 50}, o, 1);
    const products_only<le::mlp_generator<double>> pb{&big}, ps{&small};
    const jvp_only<le::mlp_generator<double>> jb{&big};
    CATCH_CHECK(lw::automatic_tangent_method(pb, 5) == lw::tangent_method::lanczos);
    CATCH_CHECK(lw::automatic_tangent_method(pb, 25) == lw::tangent_method::dense);  // 4k ≥ min(n, m)
    CATCH_CHECK(lw::automatic_tangent_method(ps, 1) == lw::tangent_method::dense);   // min(n, m) ≤ 64
    CATCH_CHECK(lw::automatic_tangent_method(jb, 1) == lw::tangent_method::dense);   // no VJP of its own
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(100, -1, 1);
    CATCH_CHECK(lw::tangent_basis(pb, z, 5).report.method == lw::tangent_method::lanczos);
    CATCH_CHECK(lw::tangent_basis(jb, z, 5).report.method == lw::tangent_method::dense);
}

CATCH_TEST_CASE("tangent: pull-back metric and stretch factors of the torus have their closed forms") {
    const double R = 2.0, r = 0.5;
    const le::torus_embedding<double> torus(R, r);
    for (double v : {0.0, 1.3, 3.0}) {
        Eigen::VectorXd z(2);
        z << 0.7, v;
        CATCH_CAPTURE(v);
        const Eigen::MatrixXd G = lw::pullback_metric(torus, z);
        const double a = R + r * std::cos(v);
        CATCH_CHECK(std::abs(G(0, 0) - a * a) < 1e-13);
        CATCH_CHECK(std::abs(G(1, 1) - r * r) < 1e-13);
        CATCH_CHECK(std::abs(G(0, 1)) < 1e-13);
        CATCH_CHECK(std::abs(G(1, 0)) < 1e-13);
        const Eigen::VectorXd s = lw::local_stretch_factors(torus, z);
        CATCH_REQUIRE(s.size() == 2);
        CATCH_CHECK(std::abs(s[0] - a) < 1e-13);
        CATCH_CHECK(std::abs(s[1] - r) < 1e-13);
        // the stretch is what a small latent step really does: ‖f(z + h v₁) − f(z)‖ = σ₁ h + O(h²)
        const auto tb = lw::tangent_basis(torus, z, 1);
        const double h = 1e-6;
        const Eigen::VectorXd dz = h * tb.latent_basis.col(0);
        CATCH_CHECK(std::abs((torus(z + dz) - torus(z)).norm() / h - a) < 1e-5);
    }
}

CATCH_TEST_CASE("tangent: numerical rank and low-rank error follow Eckart-Young") {
    auto rng = lw::test::rng(311);
    Eigen::VectorXd s(5);
    s << 4, 3, 2, 1e-9, 0;
    const Eigen::MatrixXd A = with_spectrum(9, 7, s, rng);
    const le::linear_generator<double> g(A);
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(7);
    CATCH_CHECK(lw::numerical_rank(g, z) == 4);        // σ₅ = 0 (rounding ~1e-16) < 9 ε · 4 < σ₄
    CATCH_CHECK(lw::numerical_rank(g, z, 1e-8) == 3);  // a coarser threshold drops σ₄ = 1e-9
    CATCH_CHECK(lw::numerical_rank(g, z, 0.6) == 2);
    CATCH_CHECK(lw::numerical_rank(g, z, 0.8) == 1);
    const auto e1 = lw::low_rank_error(g, z, 1);
    CATCH_CHECK(std::abs(e1.spectral - 3) < 1e-14);
    CATCH_CHECK(std::abs(e1.frobenius - std::sqrt(13.0)) < 1e-14);
    CATCH_CHECK(std::abs(e1.relative_spectral - 0.75) < 1e-14);
    CATCH_CHECK(std::abs(e1.relative_frobenius - std::sqrt(13.0 / 29.0)) < 1e-14);
    // the error of the truncated SVD really is ‖A − A_k‖ (independent check)
    const auto tb = lw::tangent_basis(g, z, 2, method_options(lw::tangent_method::dense));
    const Eigen::MatrixXd Ak = tb.output_basis * tb.singular_values.asDiagonal() * tb.latent_basis.transpose();
    const auto e2 = lw::low_rank_error(g, z, 2);
    CATCH_CHECK(std::abs((A - Ak).norm() - e2.frobenius) < 1e-14);
    CATCH_CHECK(std::abs(Eigen::JacobiSVD<Eigen::MatrixXd>(A - Ak).singularValues()[0] - e2.spectral) < 1e-14);
    CATCH_CHECK(lw::low_rank_error(g, z, 7).spectral == 0.0);
    CATCH_CHECK(std::abs(lw::low_rank_error(g, z, 0).spectral - 4) < 1e-14);
    CATCH_REQUIRE_THROWS_AS(lw::low_rank_error(g, z, 8), lw::dimension_error);
    CATCH_REQUIRE_THROWS_AS(lw::low_rank_error(g, z, -1), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::numerical_rank(g, z, 1.5), lw::invalid_argument_error);
}

// The randomized method on a slowly decaying spectrum (σᵢ = i^(-1/2), a mapping-like network's
// shape): Halko et al.'s fixed q = 1 misses the 1e-10 residual tolerance, the adaptive passes reach
// it and agree with dense; each pass after the first costs 2ℓ + k products, as documented.
CATCH_TEST_CASE("tangent: adaptive power iterations converge on a slowly decaying spectrum where q = 1 does not") {
    auto rng = lw::test::rng(1808);
    Eigen::VectorXd s(120);
    for (Eigen::Index i = 0; i < s.size(); ++i) s[i] = 1.0 / std::sqrt(static_cast<double>(i + 1));
    const Eigen::MatrixXd A = with_spectrum(200, 120, s, rng);
    const le::linear_generator<double> gl(A);
    const products_only<le::linear_generator<double>> g{&gl};
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(120);
    const long long k = 5, ell = k + 10;
    auto fixed = method_options(lw::tangent_method::randomized, 1e-10);
    fixed.adaptive_power_iterations = false;
    const auto once = lw::tangent_basis(g, z, k, fixed);
    CATCH_CHECK_FALSE(once.report.converged);
    CATCH_CHECK(once.report.power_iterations == 1);
    auto adaptive = fixed;
    adaptive.adaptive_power_iterations = true;
    const auto r = lw::tangent_basis(g, z, k, adaptive);
    CATCH_INFO(r.report.summary());
    CATCH_REQUIRE(r.report.converged);
    const long long passes = r.report.power_iterations - 1;
    CATCH_CHECK(passes >= 1);
    CATCH_CHECK(r.report.products() == ell * (2 * 1 + 3) + k + passes * (2 * ell + k));
    const auto d = lw::tangent_basis(g, z, k, method_options(lw::tangent_method::dense));
    for (Eigen::Index i = 0; i < k; ++i) CATCH_CHECK(std::abs(r.singular_values[i] - s[i]) <= 1e-9 * s[0]);
    CATCH_CHECK((r.latent_basis.transpose() * d.latent_basis).diagonal().minCoeff() >= 1.0 - 1e-10);  // same signs too
    // the first pass of the adaptive run is the fixed run, bit for bit: same Ω, same products
    auto capped = adaptive;
    capped.max_power_iterations = 1;
    const auto c = lw::tangent_basis(g, z, k, capped);
    CATCH_CHECK((c.singular_values - once.singular_values).norm() == 0.0);
    CATCH_CHECK(c.report.products() == once.report.products());
}
