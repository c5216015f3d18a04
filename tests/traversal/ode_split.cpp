// traversal: the integrator split — every Butcher tableau at its order, the results of the integrator
// before the split (stored numbers), and the potential-flow paper's integer-time rule.
#include <cmath>
#include <vector>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
using B = lw::eigen::backend<double>;
using Vec = Eigen::VectorXd;

// z₀' = −t z₀ → z₀(t) = z₀(0) e^{−t²/2};  z₁' = z₁² → z₁(t) = 1 / (1/z₁(0) − t)
Vec rhs(const Vec& z, double t) {
    Vec v(2);
    v << -t * z(0), z(1) * z(1);
    return v;
}
Vec exact(double t) {
    Vec z(2);
    z << std::exp(-t * t / 2), 1.0 / (2.0 - t);
    return z;
}
Vec start() { return exact(0.0); }

double observed_order(lw::ode_method m, long long n) {
    lw::ode_options<B> o;
    o.method = m;
    o.t1 = 1.0;
    o.steps = n;
    const double e1 = (lw::integrate_ode<B>(rhs, start(), o).path.back() - exact(1.0)).norm();
    o.steps = 2 * n;
    const double e2 = (lw::integrate_ode<B>(rhs, start(), o).path.back() - exact(1.0)).norm();
    return std::log2(e1 / e2);
}

// the test ODE of the stored numbers: f(z, t) = (−z₁ + sin t · z₀, z₀ − ½ z₁³), z(0) = (1, ¼)
Vec ref_rhs(const Vec& z, double t) {
    Vec v(2);
    v << -z(1) + std::sin(t) * z(0), z(0) - 0.5 * z(1) * z(1) * z(1);
    return v;
}
Vec ref_proj(const Vec& z, double) { return z * (1.1 / z.norm()); }

struct stored {
    double end0, end1, at0, at1;
    long long nfe, accepted, rejected;
};
void check_stored(const lw::ode_solution<B>& s, double tq, const stored& r) {
    const double tol = 1e-14;
    const Vec e = s.path.back(), q = s.at(tq);
    CATCH_CHECK(std::abs(e(0) - r.end0) <= tol * std::max(1.0, std::abs(r.end0)));
    CATCH_CHECK(std::abs(e(1) - r.end1) <= tol * std::max(1.0, std::abs(r.end1)));
    CATCH_CHECK(std::abs(q(0) - r.at0) <= tol * std::max(1.0, std::abs(r.at0)));
    CATCH_CHECK(std::abs(q(1) - r.at1) <= tol * std::max(1.0, std::abs(r.at1)));
    CATCH_CHECK(s.function_evaluations == r.nfe);
    CATCH_CHECK(s.accepted_steps == r.accepted);
    CATCH_CHECK(s.rejected_steps == r.rejected);
}
}  // namespace

CATCH_TEST_CASE("traversal: every fixed-step Butcher tableau converges at its order on a closed-form ODE") {
    const std::vector<std::pair<lw::ode_method, double>> methods = {
        {lw::ode_method::euler, 1.0}, {lw::ode_method::midpoint, 2.0}, {lw::ode_method::heun, 2.0},
        {lw::ode_method::kutta3, 3.0}, {lw::ode_method::rk4, 4.0}};
    for (const auto& [m, p] : methods) {
        CATCH_INFO(lw::to_string(m));
        CATCH_CHECK(lw::tableau_of(m).order == static_cast<int>(p));
        CATCH_CHECK(observed_order(m, 40) == Catch::Approx(p).margin(0.1));
    }
    // dopri5's 5th-order solution on fixed steps (tolerances so loose that no step is rejected), on the
    // harmonic oscillator z = (sin t, cos t): the first ODE's error constants nearly cancel at 5th order
    auto oscillator = [](const Vec& z, double) -> Vec { return (Vec(2) << z(1), -z(0)).finished(); };
    auto fixed_dopri = [&](double h) {
        lw::ode_options<B> o;
        o.method = lw::ode_method::dopri5;
        o.t1 = 1.0;
        o.rtol = o.atol = 1e6;
        o.initial_step = o.max_step = h;
        const auto s = lw::integrate_ode<B>(oscillator, (Vec(2) << 0.0, 1.0).finished(), o);
        CATCH_CHECK(s.rejected_steps == 0);
        CATCH_CHECK(s.accepted_steps == static_cast<long long>(std::llround(1.0 / h)));
        return (s.path.back() - (Vec(2) << std::sin(1.0), std::cos(1.0)).finished()).norm();
    };
    CATCH_CHECK(std::log2(fixed_dopri(0.1) / fixed_dopri(0.05)) == Catch::Approx(5.0).margin(0.1));
    // the tableaux are consistent: Σ b = 1 and the row sums of A are c
    for (const auto* tb : {&lw::euler_tableau, &lw::midpoint_tableau, &lw::heun_tableau, &lw::kutta3_tableau,
                           &lw::rk4_tableau, &lw::dopri5_tableau}) {
        double sb = 0.0, se = 0.0;
        for (std::size_t i = 0; i < tb->stages; ++i) {
            sb += tb->b[i];
            se += tb->e[i];
            double row = 0.0;
            for (std::size_t j = 0; j < i; ++j) row += tb->a[i][j];
            CATCH_CHECK(row == Catch::Approx(tb->c[i]).margin(1e-15));
        }
        CATCH_CHECK(sb == Catch::Approx(1.0).epsilon(1e-15));
        CATCH_CHECK(se == Catch::Approx(0.0).margin(1e-15));
    }
}

// Printed (%.17g) by the integrator before the split (commit 0220f59, traversal/integrate_ode.hpp with
// the methods as a switch and dopri5 written out), on ref_rhs from z(0) = (1, 0.25).
CATCH_TEST_CASE("traversal: the split integrators reproduce the numbers of the integrator before the split") {
    const Vec z0 = (Vec(2) << 1.0, 0.25).finished();
    lw::ode_options<B> o;
    o.t1 = 1.3;
    o.steps = 7;
    o.method = lw::ode_method::euler;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.77,
                 {0.59272555640205027, 1.0409271525733572, 0.7900463744409969, 0.88409316324892129, 8, 7, 0});
    o.method = lw::ode_method::heun;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.77,
                 {0.61004900355619396, 0.99609781982513645, 0.79350606327049389, 0.84390364717147026, 15, 7, 0});
    o.method = lw::ode_method::rk4;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.77,
                 {0.61637201001364061, 1.0023159836618143, 0.79716822907125273, 0.84809997417542382, 29, 7, 0});
    o.projection = ref_proj;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.77,
                 {0.56239185914173573, 0.94536521872295598, 0.75567513330751312, 0.80376585902772713, 29, 7, 0});
    o.method = lw::ode_method::heun;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.77,
                 {0.5621738010956967, 0.94549490604741837, 0.75613300414858042, 0.80335386546994358, 15, 7, 0});
    o.projection = nullptr;
    o.t0 = 1.3;
    o.t1 = -0.4;
    o.method = lw::ode_method::euler;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.1,
                 {-0.097740925683170721, -0.68963655992241457, 0.20797198796834643, -0.56798251787633058, 8, 7, 0});
    o.method = lw::ode_method::rk4;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, o), 0.1,
                 {-0.013787594137931285, -0.60688512361685487, 0.26323233101614868, -0.49795967977015698, 29, 7, 0});

    lw::ode_options<B> a;
    a.method = lw::ode_method::dopri5;
    a.t1 = 3.0;
    a.rtol = 1e-6;
    a.atol = 1e-9;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, a), 0.77,
                 {-0.61628863132267753, 0.50020994664833729, 0.79715581672252667, 0.84810143194215548, 98, 14, 2});
    a.projection = ref_proj;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, a), 0.77,
                 {-0.92376808509206376, 0.59720392242963527, 0.75806137106526617, 0.80441421836108473, 118, 14, 3});
    a.projection = nullptr;
    a.dense_output = false;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, a), 0.77,
                 {-0.61628863132267753, 0.50020994664833729, 0.79715792755144721, 0.84809484502822974, 98, 14, 2});
    a.dense_output = true;
    a.t0 = 3.0;
    a.t1 = -1.0;
    a.initial_step = 0.05;
    a.max_step = 0.3;
    check_stored(lw::integrate_ode<B>(ref_rhs, z0, a), 0.1,
                 {-1.0224050800492603, 0.52084876837078209, -0.63792346128117328, -0.39282885903898473, 163, 21, 6});
}

// u = t aᵀz (∇u = t a). The paper's rule with ε = ½ over t = 0, 1, 2, 3:
//   z₁ = z₀ + ½·0·a,  z₂ = z₁ + ½·1·a,  z₃ = z₂ + ½·2·a  →  z₃ = z₀ + (3/2) a;
// euler with h = ½ (three steps, t = 0, ½, 1) gives z₀ + ½(0 + ½ + 1) a = z₀ + (3/4) a.
CATCH_TEST_CASE("traversal: the integer-time rule evaluates the field at whole times, unlike euler with the same latent step") {
    const Vec a = (Vec(2) << 1.0, -2.0).finished();
    const Vec z0 = (Vec(2) << 0.3, 0.4).finished();
    const auto u = lw::linear_potential<B>::time_scaled(a);
    const auto o = lw::potential_flow_options<B>::paper_rule(3, 0.5);
    const auto paper = lw::potential_flow(u, z0, o);
    CATCH_REQUIRE(paper.path.size() == 4);
    CATCH_CHECK(paper.path.times == std::vector<double>{0.0, 1.0, 2.0, 3.0});
    CATCH_CHECK((paper.path.points[1] - z0).norm() == 0.0);
    CATCH_CHECK((paper.path.points[2] - (z0 + 0.5 * a)).norm() <= 1e-15);
    CATCH_CHECK((paper.path.points[3] - (z0 + 1.5 * a)).norm() <= 1e-15);
    CATCH_CHECK(paper.function_evaluations == 3);  // T steps, T gradients (final_direction off)
    CATCH_CHECK(paper.path.directions.size() == 3);
    CATCH_CHECK((paper.at(1.5) - (z0 + 0.25 * a)).norm() <= 1e-15);  // linear between whole times

    lw::potential_flow_options<B> e;
    e.ode.method = lw::ode_method::euler;
    e.ode.t1 = 1.5;
    e.ode.steps = 3;
    const auto euler = lw::potential_flow(u, z0, e);
    CATCH_CHECK((euler.path.back() - (z0 + 0.75 * a)).norm() <= 1e-15);

    // with ε = 1 the rule is euler on unit steps, point for point
    const auto unit = lw::potential_flow(u, z0, lw::potential_flow_options<B>::paper_rule(5));
    e.ode.t1 = 5.0;
    e.ode.steps = 5;
    const auto euler_unit = lw::potential_flow(u, z0, e);
    for (std::size_t i = 0; i < unit.path.size(); ++i) CATCH_CHECK((unit.path.points[i] - euler_unit.path.points[i]).norm() == 0.0);
    CATCH_CHECK((unit.path.back() - (z0 + 10.0 * a)).norm() <= 1e-14);  // Σ_{k<5} k = 10

    // backwards: t = 0, −1, −2 and z moves along −ε ∇u(z, t)
    lw::ode_options<B> back;
    back.method = lw::ode_method::integer_time;
    back.t1 = -2.0;
    back.step_scale = 0.5;
    const auto b = lw::integrate_ode<B>([&](const Vec&, double t) -> Vec { return t * a; }, z0, back);
    CATCH_CHECK(b.path.times == std::vector<double>{0.0, -1.0, -2.0});
    CATCH_CHECK((b.path.back() - (z0 + 0.5 * a)).norm() <= 1e-15);

    auto f = [&](const Vec&, double t) -> Vec { return t * a; };
    lw::ode_options<B> bad;
    bad.method = lw::ode_method::integer_time;
    bad.t1 = 2.5;
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, bad), lw::invalid_argument_error);  // not whole
    bad.t1 = 3.0;
    bad.steps = 6;
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, bad), lw::invalid_argument_error);  // steps ≠ |t1 − t0|
    bad.steps = 0;
    bad.step_scale = 0.0;
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, bad), lw::invalid_argument_error);
}

// One gradient per Euler step: with final_direction off, N steps of euler cost N evaluations (a
// hand-written loop's count) and the points are bit for bit those of the run that records the last
// direction; at(t) refuses only the last, directionless interval.
CATCH_TEST_CASE("traversal: final_direction off saves the last evaluation and leaves every point bit for bit") {
    Eigen::MatrixXd A(3, 3);
    A << 1.0, 0.2, 0.0, 0.2, -0.5, 0.1, 0.0, 0.1, 0.3;
    const Vec a = (Vec(3) << 0.5, -1.0, 2.0).finished();
    const lw::quadratic_potential<B> u(A, a);
    const Vec z0 = (Vec(3) << 0.1, 0.2, 0.3).finished();
    for (auto method : {lw::ode_method::euler, lw::ode_method::rk4, lw::ode_method::heun}) {
        lw::potential_flow_options<B> with, without;
        with.ode.method = without.ode.method = method;
        with.ode.steps = without.ode.steps = 7;
        with.ode.t1 = without.ode.t1 = 1.4;
        without.ode.final_direction = false;
        const auto full = lw::potential_flow(u, z0, with);
        const auto lean = lw::potential_flow(u, z0, without);
        CATCH_REQUIRE(full.path.size() == lean.path.size());
        for (std::size_t i = 0; i < full.path.size(); ++i) CATCH_CHECK((full.path.points[i] - lean.path.points[i]).norm() == 0.0);
        CATCH_CHECK(lean.function_evaluations == full.function_evaluations - 1);
        CATCH_CHECK(lean.path.directions.size() == lean.path.size() - 1);
        CATCH_CHECK((lean.at(0.3) - full.at(0.3)).norm() == 0.0);
        CATCH_CHECK_THROWS_AS(lean.at(1.35), lw::invalid_argument_error);
    }
    lw::potential_flow_options<B> e;
    e.ode.method = lw::ode_method::euler;
    e.ode.steps = 1;
    e.ode.final_direction = false;
    CATCH_CHECK(lw::potential_flow(u, z0, e).function_evaluations == 1);  // one step, one gradient
}
