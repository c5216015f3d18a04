// tangent: bad input throws a latentwalk::error with a sentence; non-convergence is flagged.
#include <latentwalk/tangent/pullback_metric.hpp>

#include <string>

#include "tangent_support.hpp"

using namespace tangent_test;

CATCH_TEST_CASE("tangent: bad k, bad z and bad options throw with a sentence and leave z untouched") {
    auto rng = lw::test::rng(321);
    std::normal_distribution<double> nd;
    const Eigen::MatrixXd A = Eigen::MatrixXd::NullaryExpr(8, 5, [&] { return nd(rng); });
    const le::linear_generator<double> g(A);
    const Eigen::VectorXd z = Eigen::VectorXd::Ones(5);
    const Eigen::VectorXd z_copy = z;
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 0), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, -2), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 6), lw::dimension_error);
    try {
        lw::tangent_basis(g, z, 6);
    } catch (const lw::dimension_error& e) {
        CATCH_CHECK(std::string(e.what()).find("latentwalk::tangent_basis: k is 6") == 0);
    }
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, Eigen::VectorXd(Eigen::VectorXd::Ones(4)), 2), lw::dimension_error);
    Eigen::VectorXd bad = z;
    bad[2] = std::nan("");
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, bad, 2), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(lw::pullback_metric(g, bad), lw::numerical_error);
    lw::tangent_basis_options o;
    o.oversampling = -1;
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 2, o), lw::invalid_argument_error);
    o = {};
    o.subspace_dimension = 9;
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 2, o), lw::invalid_argument_error);
    o = {};
    o.tolerance = std::nan("");
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 2, o), lw::invalid_argument_error);
    o = {};
    o.method = static_cast<lw::tangent_method>(42);
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 2, o), lw::invalid_argument_error);
    const products_only<le::linear_generator<double>> pg{&g};
    CATCH_REQUIRE_THROWS_AS(lw::randomized_range_finder(pg, z, Eigen::MatrixXd(Eigen::MatrixXd::Ones(4, 2)), 1),
                            lw::dimension_error);
    CATCH_REQUIRE_THROWS_AS(lw::randomized_range_finder(pg, z, Eigen::MatrixXd(Eigen::MatrixXd::Ones(5, 6)), 1),
                            lw::dimension_error);
    CATCH_REQUIRE_THROWS_AS(lw::randomized_range_finder(pg, z, Eigen::MatrixXd(Eigen::MatrixXd::Ones(5, 2)), -1),
                            lw::invalid_argument_error);
    CATCH_CHECK((z - z_copy).norm() == 0.0);
}

CATCH_TEST_CASE("tangent: a VJP that is not the JVP's transpose is caught when check_adjoint is on") {
    auto rng = lw::test::rng(322);
    std::normal_distribution<double> nd;
    wrong_adjoint g{Eigen::MatrixXd::NullaryExpr(30, 20, [&] { return nd(rng); }), {}};
    g.B = g.A;
    g.B(3, 4) += 1e-3;  // one entry off
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(20);
    for (auto method : {lw::tangent_method::dense, lw::tangent_method::lanczos, lw::tangent_method::randomized}) {
        CATCH_CAPTURE(lw::to_string(method));
        auto o = method_options(method, 1e-10);
        o.check_adjoint = true;
        CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 2, o), lw::numerical_error);
        try {
            lw::tangent_basis(g, z, 2, o);
        } catch (const lw::numerical_error& e) {
            CATCH_CHECK(std::string(e.what()).find("JVP and VJP disagree") != std::string::npos);
        }
    }
    // With the true adjoint the check passes.
    g.B = g.A;
    auto o = method_options(lw::tangent_method::lanczos, 1e-10);
    o.check_adjoint = true;
    CATCH_CHECK(lw::tangent_basis(g, z, 2, o).report.converged);
}

CATCH_TEST_CASE("tangent: non-finite products throw numerical_error") {
    const nan_products g;
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(6);
    for (auto method : {lw::tangent_method::dense, lw::tangent_method::lanczos, lw::tangent_method::randomized})
        CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 2, method_options(method)), lw::numerical_error);
}

CATCH_TEST_CASE("tangent: non-convergence is flagged in the report, or thrown when asked") {
    // A flat-ish spectrum with a tiny gap at k: two restarts of a short Krylov space cannot resolve it.
    auto rng = lw::test::rng(323);
    Eigen::VectorXd s = Eigen::VectorXd::LinSpaced(80, 1.0, 0.9);
    const Eigen::MatrixXd A = with_spectrum(100, 80, s, rng);
    const le::linear_generator<double> gl(A);
    const products_only<le::linear_generator<double>> g{&gl};
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(80);
    auto o = method_options(lw::tangent_method::lanczos, 1e-12);
    o.max_restarts = 2;
    const auto tb = lw::tangent_basis(g, z, 3, o);
    CATCH_CHECK_FALSE(tb.report.converged);
    CATCH_CHECK(tb.report.restarts == 2);
    CATCH_CHECK(tb.report.max_residual > tb.report.tolerance);
    o.throw_on_nonconvergence = true;
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 3, o), lw::convergence_error);
    // randomized with Halko et al.'s fixed q = 0 on the same spectrum misses the tolerance too
    auto r = method_options(lw::tangent_method::randomized, 1e-12);
    r.power_iterations = 0;
    r.adaptive_power_iterations = false;
    r.throw_on_nonconvergence = true;
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 3, r), lw::convergence_error);
    // and so it does with adaptive passes capped at one power iteration
    r.adaptive_power_iterations = true;
    r.max_power_iterations = 1;
    CATCH_REQUIRE_THROWS_AS(lw::tangent_basis(g, z, 3, r), lw::convergence_error);
}
