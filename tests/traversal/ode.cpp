// traversal: the flow integrators against the ode oracles, their convergence orders, Boost.Odeint.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "traversal_test_includes.hpp"

#include "support/test_support.hpp"

#if defined(LATENTWALK_TEST_HAVE_BOOST)
#include <boost/numeric/odeint.hpp>
#endif

namespace {
namespace lw = latentwalk;
using B = lw::eigen::backend<double>;
using Vec = Eigen::VectorXd;
using lw::test::oracles;
using lw::test::to_matrix;
using lw::test::to_vector;

lw::ode_options<B> tight(double t1) {
    lw::ode_options<B> o;
    o.method = lw::ode_method::dopri5;
    o.t1 = t1;
    o.rtol = 1e-13;
    o.atol = 1e-14;
    return o;
}

double max_err(const Vec& a, const Vec& b) { return (a - b).cwiseAbs().maxCoeff(); }

}  // namespace

CATCH_TEST_CASE("traversal: dopri5 reproduces the ode oracles to 1e-10") {
    const auto& ode = oracles().at("ode");

    CATCH_SECTION("linear spiral dz/dt = A z at t = 1 and t = 2") {
        const auto& o = ode.at("linear_spiral");
        const Eigen::MatrixXd A = to_matrix(o.at("A"));
        const Vec z0 = to_vector(o.at("z0"));
        auto f = [&](const Vec& z, double) -> Vec { return A * z; };
        for (const char* key : {"t=1", "t=2"}) {
            const double t = std::stod(std::string(key).substr(2));
            const auto sol = lw::integrate_ode<B>(f, z0, tight(t));
            CATCH_CHECK(sol.path.times.back() == t);
            CATCH_CHECK(max_err(sol.path.back(), to_vector(o.at("reference").at(key))) <= 1e-10);
        }
    }
    CATCH_SECTION("sphere meridian flow keeps its invariant norm") {
        const auto& o = ode.at("sphere_meridian_flow");
        const Vec z0 = to_vector(o.at("z0")), v = to_vector(o.at("v"));
        auto f = [&](const Vec& z, double) -> Vec { return v - (z.dot(v) / z.squaredNorm()) * z; };
        const double r = o.at("invariant_norm").get<double>();
        for (const char* key : {"t=0.5", "t=1", "t=2"}) {
            const double t = std::stod(std::string(key).substr(2));
            const auto sol = lw::integrate_ode<B>(f, z0, tight(t));
            CATCH_CHECK(max_err(sol.path.back(), to_vector(o.at("reference").at(key))) <= 1e-10);
            double drift = 0.0;
            for (const auto& z : sol.path.points) drift = std::max(drift, std::abs(z.norm() - r));
            CATCH_CHECK(drift <= 1e-10);
        }
    }
    CATCH_SECTION("quadratic gradient flow dz/dt = -H z, through potential_flow") {
        const auto& o = ode.at("quadratic_gradient_flow");
        const Eigen::MatrixXd H = to_matrix(o.at("H"));
        const lw::quadratic_potential<B> u(H, Vec::Zero(2));
        lw::potential_flow_options<B> po;
        po.ode = tight(1.0);
        po.direction = lw::flow_direction::descent;
        const auto sol = lw::potential_flow(u, to_vector(o.at("z0")), po);
        CATCH_CHECK(max_err(sol.path.back(), to_vector(o.at("reference_t=1"))) <= 1e-10);
    }
    CATCH_SECTION("Gaussian score flow dz/dt = grad log N(z; 0, I)") {
        const auto& o = ode.at("gaussian_score_flow");
        const lw::standard_gaussian<B> prior(2);
        auto f = [&](const Vec& z, double) -> Vec { return prior.score(z); };
        const auto sol = lw::integrate_ode<B>(f, to_vector(o.at("z0")), tight(1.0));
        CATCH_CHECK(max_err(sol.path.back(), to_vector(o.at("reference_t=1"))) <= 1e-10);
    }
}

CATCH_TEST_CASE("traversal: dopri5 dense output follows the closed form between steps") {
    // spiral: z(t) = (e^{-t/2} cos t, e^{-t/2} sin t, e^{-t/4}) from z0 = (1, 0, 1)
    Eigen::MatrixXd A(3, 3);
    A << -0.5, -1, 0, 1, -0.5, 0, 0, 0, -0.25;
    const Vec z0 = (Vec(3) << 1, 0, 1).finished();
    auto f = [&](const Vec& z, double) -> Vec { return A * z; };
    auto exact = [](double t) {
        return (Vec(3) << std::exp(-t / 2) * std::cos(t), std::exp(-t / 2) * std::sin(t), std::exp(-t / 4)).finished();
    };
    lw::ode_options<B> o;
    o.t1 = 3.0;
    o.rtol = 1e-9;
    o.atol = 1e-12;
    const auto sol = lw::integrate_ode<B>(f, z0, o);
    CATCH_REQUIRE(sol.accepted_steps >= 5);
    CATCH_CHECK(sol.dense_coefficients.size() == static_cast<std::size_t>(sol.accepted_steps));
    double worst = 0.0;
    for (int i = 0; i <= 300; ++i) {
        const double t = 3.0 * i / 300.0;
        worst = std::max(worst, max_err(sol.at(t), exact(t)));
    }
    CATCH_CHECK(worst <= 1e-7);
    // at the step ends the interpolant is the step's own value
    for (std::size_t k = 0; k < sol.path.size(); ++k) CATCH_CHECK(max_err(sol.at(sol.path.times[k]), sol.path.points[k]) <= 1e-15);
    // the 4th-order continuous extension is much better than linear interpolation would be
    const double mid = 0.5 * (sol.path.times[1] + sol.path.times[2]);
    const Vec lin = 0.5 * (sol.path.points[1] + sol.path.points[2]);
    CATCH_CHECK(max_err(sol.at(mid), exact(mid)) < 1e-3 * max_err(lin, exact(mid)));
    CATCH_CHECK_THROWS_AS(sol.at(3.5), lw::invalid_argument_error);

    // fixed-step methods interpolate with cubic Hermite polynomials through points and derivatives:
    // halving h shrinks the interpolation error by about 2^4 at the middle of a step
    double prev = 0.0;
    for (long long n : {30, 60}) {
        lw::ode_options<B> fo;
        fo.method = lw::ode_method::rk4;
        fo.t1 = 3.0;
        fo.steps = n;
        const auto fs = lw::integrate_ode<B>(f, z0, fo);
        double e = 0.0;
        for (long long k = 0; k < n; ++k) {
            const double t = 3.0 * (static_cast<double>(k) + 0.5) / static_cast<double>(n);
            e = std::max(e, max_err(fs.at(t), exact(t)));
        }
        if (prev > 0.0) CATCH_CHECK(std::log2(prev / e) == Catch::Approx(4.0).margin(0.3));
        prev = e;
    }
}

CATCH_TEST_CASE("traversal: euler, heun and rk4 converge with orders 1, 2 and 4") {
    Eigen::MatrixXd A(3, 3);
    A << -0.5, -1, 0, 1, -0.5, 0, 0, 0, -0.25;
    const Vec z0 = (Vec(3) << 1, 0, 1).finished();
    const Vec ref = to_vector(oracles().at("ode").at("linear_spiral").at("reference").at("t=2"));
    auto f = [&](const Vec& z, double) -> Vec { return A * z; };
    const std::pair<lw::ode_method, double> cases[] = {
        {lw::ode_method::euler, 1.0}, {lw::ode_method::heun, 2.0}, {lw::ode_method::rk4, 4.0}};
    for (const auto& [method, expected] : cases) {
        std::vector<double> errs;
        for (long long n : {20, 40, 80, 160}) {
            lw::ode_options<B> o;
            o.method = method;
            o.t1 = 2.0;
            o.steps = n;
            const auto sol = lw::integrate_ode<B>(f, z0, o);
            CATCH_CHECK(sol.accepted_steps == n);
            errs.push_back((sol.path.back() - ref).norm());
        }
        for (std::size_t i = 0; i + 1 < errs.size(); ++i) {
            const double order = std::log2(errs[i] / errs[i + 1]);
            CATCH_INFO(lw::to_string(method) << ": observed order " << order);
            CATCH_CHECK(order == Catch::Approx(expected).margin(0.1));
        }
    }
}

CATCH_TEST_CASE("traversal: rk4 needs more function evaluations than dopri5 for 1e-9 accuracy") {
    Eigen::MatrixXd A(3, 3);
    A << -0.5, -1, 0, 1, -0.5, 0, 0, 0, -0.25;
    const Vec z0 = (Vec(3) << 1, 0, 1).finished();
    const Vec ref = to_vector(oracles().at("ode").at("linear_spiral").at("reference").at("t=2"));
    auto f = [&](const Vec& z, double) -> Vec { return A * z; };
    lw::ode_options<B> o;
    o.t1 = 2.0;
    o.rtol = 1e-10;
    o.atol = 1e-12;
    const auto adaptive = lw::integrate_ode<B>(f, z0, o);
    CATCH_REQUIRE((adaptive.path.back() - ref).norm() <= 1e-9);
    long long n = 4;
    while (true) {
        o.method = lw::ode_method::rk4;
        o.steps = n;
        const auto fixed = lw::integrate_ode<B>(f, z0, o);
        if ((fixed.path.back() - ref).norm() <= 1e-9) {
            CATCH_INFO("rk4 " << fixed.function_evaluations << " evaluations, dopri5 " << adaptive.function_evaluations);
            CATCH_CHECK(fixed.function_evaluations > adaptive.function_evaluations);
            break;
        }
        n *= 2;
        CATCH_REQUIRE(n < 100000);
    }
}

#if defined(LATENTWALK_TEST_HAVE_BOOST)
CATCH_TEST_CASE("traversal: dopri5 agrees with Boost.Odeint's runge_kutta_dopri5") {
    // Van der Pol oscillator, mu = 1: no closed form, a genuinely nonlinear flow.
    namespace odeint = boost::numeric::odeint;
    using state = std::vector<double>;
    const double mu = 1.0, t1 = 5.0;
    state x = {2.0, 0.0};
    auto rhs = [mu](const state& y, state& dy, double) {
        dy[0] = y[1];
        dy[1] = mu * (1 - y[0] * y[0]) * y[1] - y[0];
    };
    odeint::integrate_adaptive(odeint::make_controlled(1e-13, 1e-13, odeint::runge_kutta_dopri5<state>()), rhs, x,
                               0.0, t1, 0.01);
    auto f = [mu](const Vec& y, double) -> Vec {
        return (Vec(2) << y[1], mu * (1 - y[0] * y[0]) * y[1] - y[0]).finished();
    };
    lw::ode_options<B> o;
    o.t1 = t1;
    o.rtol = 1e-13;
    o.atol = 1e-13;
    const auto sol = lw::integrate_ode<B>(f, (Vec(2) << 2.0, 0.0).finished(), o);
    CATCH_CHECK(std::abs(sol.path.back()[0] - x[0]) <= 1e-10);
    CATCH_CHECK(std::abs(sol.path.back()[1] - x[1]) <= 1e-10);
    // and at a looser tolerance both are still within that tolerance's reach of each other
    state xl = {2.0, 0.0};
    odeint::integrate_adaptive(odeint::make_controlled(1e-8, 1e-8, odeint::runge_kutta_dopri5<state>()), rhs, xl, 0.0,
                               t1, 0.01);
    o.rtol = o.atol = 1e-8;
    const auto loose = lw::integrate_ode<B>(f, (Vec(2) << 2.0, 0.0).finished(), o);
    CATCH_CHECK(std::abs(loose.path.back()[0] - x[0]) <= 1e-6);
    CATCH_CHECK(std::abs(xl[0] - x[0]) <= 1e-6);
}
#endif

CATCH_TEST_CASE("traversal: the integrators reject bad input and report step underflow") {
    const Vec z0 = (Vec(2) << 1.0, 2.0).finished();
    const Vec z0_copy = z0;
    auto f = [](const Vec& z, double) -> Vec { return -z; };
    lw::ode_options<B> o;
    o.t1 = 0.0;
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, o), lw::invalid_argument_error);  // t0 == t1
    o.t1 = std::nan("");
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, o), lw::numerical_error);
    o.t1 = 1.0;
    o.method = lw::ode_method::rk4;
    o.steps = 0;
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, o), lw::invalid_argument_error);  // zero steps
    o.method = lw::ode_method::dopri5;
    o.rtol = 0.0;
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, o), lw::invalid_argument_error);
    o.rtol = 1e-8;
    o.initial_step = std::numeric_limits<double>::infinity();
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, z0, o), lw::numerical_error);
    o.initial_step = 0.0;
    auto wrong_size = [](const Vec&, double) -> Vec { return Vec::Zero(3); };
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(wrong_size, z0, o), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::integrate_ode<B>(f, (Vec(2) << 1.0, std::nan("")).finished(), o), lw::numerical_error);
    CATCH_CHECK(z0 == z0_copy);

    // f jumps between +1e6 and -1e6 at z = 1/2: the solution reaches the jump at t = 5e-7 and then
    // chatters, so the error estimate never drops below the tolerance and the step underflows.
    auto chatter = [](const Vec& z, double) -> Vec { return Vec::Constant(1, z[0] < 0.5 ? 1.0 : -1.0) * 1e6; };
    lw::ode_options<B> u;
    u.t1 = 1.0;
    u.rtol = 1e-12;
    u.atol = 1e-14;
    try {
        lw::integrate_ode<B>(chatter, Vec::Zero(1), u);
        CATCH_FAIL("expected a numerical_error");
    } catch (const lw::convergence_error&) {
        CATCH_FAIL("expected step underflow, not step exhaustion");
    } catch (const lw::numerical_error& e) {
        const std::string msg = e.what();
        CATCH_INFO(msg);
        CATCH_CHECK(msg.find("underflow") != std::string::npos);
        CATCH_CHECK(msg.find("at t = ") != std::string::npos);
    }
}
