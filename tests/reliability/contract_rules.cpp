// reliability: the rules every entry point shares — huge counts refused up front (no std::bad_alloc,
// no signed overflow of steps + 1), one rule for zero steps, numbers in messages that tell the truth,
// shipped potentials that refuse NaN/Inf, and user potentials and densities checked at the boundary.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

namespace {

using vec = Eigen::VectorXd;
using mat = Eigen::MatrixXd;
using B = le::backend<double>;

le::linear_generator<double> small_generator() {
    mat A(5, 3);
    A << 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 1, 0, 0, 1, 1;
    return le::linear_generator<double>(A);
}

/// A potential whose gradient has the wrong length or whose value is +Inf.
struct bad_potential {
    using backend = B;
    enum class mode { short_gradient, nan_gradient, inf_value } m;
    Eigen::Index dim() const { return 3; }
    double value(const vec&, double) const {
        return m == mode::inf_value ? std::numeric_limits<double>::infinity() : 1.0;
    }
    vec gradient(const vec& z, double) const {
        if (m == mode::short_gradient) return vec::Ones(2);
        if (m == mode::nan_gradient) return vec::Constant(3, std::numeric_limits<double>::quiet_NaN());
        return 0.1 * z;
    }
};

/// A density whose log_density is NaN away from the origin.
struct nan_density {
    using backend = B;
    Eigen::Index dim() const { return 2; }
    double log_density(const vec& z) const { return z.norm() > 1.5 ? std::numeric_limits<double>::quiet_NaN() : -z.squaredNorm(); }
    vec score(const vec& z) const { return -2.0 * z; }
};

}  // namespace

CATCH_TEST_CASE("reliability: step counts above the documented limit are refused up front, not a bad_alloc") {
    const auto g = small_generator();
    const vec z = vec::Ones(3), d = vec::Unit(3, 0);
    const long long huge = std::numeric_limits<long long>::max();
    CATCH_CHECK_THROWS_WITH(lw::linear_traversal<B>(z, d, huge, 0.1), Catch::Contains("at most 10000000"));
    CATCH_CHECK_THROWS_AS(lw::linear_traversal(g, z, d, huge, 0.1), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(g, z, 0, huge, 0.1), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(g, z, d, 2, huge, 0.1), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::guided_curve_traversal(g, z, vec::Unit(5, 0), huge, 0.1), lw::invalid_argument_error);
    const lw::standard_gaussian<B> p(3);
    CATCH_CHECK_THROWS_AS(lw::density_preserving_walk(p, z, d, huge, 0.1), lw::invalid_argument_error);
    const lw::linear_potential<B> u(vec::Ones(3));
    lw::potential_flow_options<B> o;
    o.ode.method = lw::ode_method::euler;
    o.ode.steps = huge;
    CATCH_CHECK_THROWS_AS(lw::potential_flow(u, z, o), lw::invalid_argument_error);
    auto paper = lw::potential_flow_options<B>::paper_rule(10);
    paper.ode.t1 = 1e300;
    paper.ode.steps = 0;
    CATCH_CHECK_THROWS_WITH(lw::potential_flow(u, z, paper), Catch::Contains("at most 10000000"));
    // the limit itself is allowed (checked cheaply on the line, which stores only points)
    CATCH_CHECK(lw::linear_traversal<B>(vec::Ones(1), vec::Ones(1), 1000, 0.1).size() == 1001);
}

CATCH_TEST_CASE("reliability: a zero step is refused by the density-preserving walk as by the traversals") {
    const lw::standard_gaussian<B> p(3);
    const vec z = vec::Ones(3), d = vec::Unit(3, 0);
    CATCH_CHECK_THROWS_AS(lw::linear_traversal<B>(z, d, 4, 0.0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_WITH(lw::density_preserving_walk(p, z, d, 4, 0.0), Catch::Contains("eps is zero"));
}

CATCH_TEST_CASE("reliability: numbers in messages print in shortest round-trip form, not std::to_string's 6 decimals") {
    CATCH_CHECK(lw::detail::number(-1e-9) == "-1e-09");
    CATCH_CHECK(lw::detail::number(0.1) == "0.1");
    CATCH_CHECK(lw::detail::number(42LL) == "42");
    CATCH_CHECK(lw::detail::number(std::numeric_limits<double>::infinity()) == "inf");
    // a public sentence: the truncation −1e-9 is named as it is
    CATCH_CHECK_THROWS_WITH(lw::truncated_normal<B>(2, -1e-9), Catch::Contains("got -1e-09"));
    CATCH_CHECK_THROWS_WITH(lw::curve_traversal(small_generator(), vec::Ones(3), 0, 3, std::nan("")),
                            Catch::Contains("is nan"));
}

CATCH_TEST_CASE("reliability: the shipped potentials refuse NaN and Inf latent codes") {
    const vec bad = (vec(3) << 0.0, std::numeric_limits<double>::quiet_NaN(), 1.0).finished();
    const vec inf = (vec(3) << 0.0, std::numeric_limits<double>::infinity(), 1.0).finished();
    const lw::linear_potential<B> lin(vec::Ones(3));
    const lw::quadratic_potential<B> quad(mat::Identity(3, 3), vec::Zero(3));
    const auto rbf = lw::rbf_dipole_potential<B>::dipoles(mat::Identity(3, 1), 1.0, 0.5);
    const auto mlp = le::mlp_potential<double>::random(3, {}, 11);
    for (const vec& z : {bad, inf}) {
        CATCH_CHECK_THROWS_AS(lin.value(z, 0.0), lw::numerical_error);
        CATCH_CHECK_THROWS_AS(lin.gradient(z, 0.0), lw::numerical_error);
        CATCH_CHECK_THROWS_AS(quad.gradient(z, 0.0), lw::numerical_error);
        CATCH_CHECK_THROWS_AS(rbf.value(z, 0.0), lw::numerical_error);
        CATCH_CHECK_THROWS_AS(rbf.gradient(z, 0.0), lw::numerical_error);
        CATCH_CHECK_THROWS_AS(mlp.value(z, 0.0), lw::numerical_error);
        CATCH_CHECK_THROWS_AS(mlp.gradient(z, 0.0), lw::numerical_error);
    }
}

CATCH_TEST_CASE("reliability: a user potential's wrong gradient or +Inf value is named, not recorded") {
    const vec z = vec::Ones(3);
    auto o = lw::potential_flow_options<B>::paper_rule(4);
    CATCH_CHECK_THROWS_WITH(lw::potential_flow(bad_potential{bad_potential::mode::short_gradient}, z, o),
                            Catch::Contains("the potential's gradient(z, t) at t = 0 returned a vector of length 2"));
    CATCH_CHECK_THROWS_WITH(lw::potential_flow(bad_potential{bad_potential::mode::nan_gradient}, z, o),
                            Catch::Contains("came back with NaN or Inf"));
    o.record_potential = true;
    CATCH_CHECK_THROWS_WITH(lw::potential_flow(bad_potential{bad_potential::mode::inf_value}, z, o),
                            Catch::Contains("the potential's value(z, t) came back with NaN or Inf at point 0"));
}

CATCH_TEST_CASE("reliability: a density's NaN is blamed on the density only where the caller's point was finite") {
    const nan_density p;
    // the score ray from z towards a far level passes |z| > 1.5, where the model returns NaN
    const vec z = (vec(2) << 0.5, 0.0).finished();
    CATCH_CHECK_THROWS_WITH(lw::project_to_level_set(p, z, -9.0), Catch::Contains("at a finite point of the score ray"));
    // a ray that leaves the double range is the library's statement, not the model's NaN
    const lw::standard_gaussian<B> g(2);
    lw::level_projection_options o;
    o.method = lw::level_projection_method::score_ray;
    o.max_bracket_doublings = 2000;
    CATCH_CHECK_THROWS_WITH(lw::project_to_level_set(g, z, -1.7e308, o), Catch::Contains("floating-point range"));
    CATCH_CHECK_THROWS_WITH(lw::density_preserving_walk(p, (vec(2) << 2.0, 0.0).finished(), vec::Unit(2, 1), 3, 0.1),
                            Catch::Contains("log_density(z0) came back NaN"));
}

CATCH_TEST_CASE("reliability: karcher_mean starts from a given basis, as its header says") {
    auto rng = lw::test::rng(8);
    std::vector<mat> bases;
    for (int i = 0; i < 3; ++i) {
        mat X = mat::Identity(6, 2);
        std::normal_distribution<double> nd(0.0, 0.1);
        for (Eigen::Index r = 2; r < 6; ++r)
            for (Eigen::Index c = 0; c < 2; ++c) X(r, c) = nd(rng);
        bases.push_back(X);
    }
    const auto from_first = lw::karcher_mean(bases);
    const auto from_other = lw::karcher_mean(bases, bases[2]);
    CATCH_CHECK(from_first.converged);
    CATCH_CHECK(from_other.converged);
    const auto a = lw::principal_angles(from_first.mean, from_other.mean);
    CATCH_CHECK(a.angles.maxCoeff() <= 1e-10);
    CATCH_CHECK_THROWS_AS(lw::karcher_mean(bases, mat(mat::Identity(6, 3))), lw::dimension_error);
}
