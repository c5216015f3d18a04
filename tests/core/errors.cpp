// core: bad input gets an exception of the library's hierarchy with a sentence, and the caller's
// data stays untouched.
#include <latentwalk/eigen.hpp>

#include <limits>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using Catch::Contains;

namespace {
const double nan_value = std::numeric_limits<double>::quiet_NaN();
const double inf_value = std::numeric_limits<double>::infinity();
}  // namespace

CATCH_TEST_CASE("core: every error type derives from latentwalk::error and std::runtime_error") {
    CATCH_CHECK_THROWS_AS(throw lw::dimension_error("x"), lw::error);
    CATCH_CHECK_THROWS_AS(throw lw::invalid_argument_error("x"), lw::error);
    CATCH_CHECK_THROWS_AS(throw lw::convergence_error("x"), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(throw lw::model_loading_error("x"), std::runtime_error);
}

CATCH_TEST_CASE("core: derivative functions reject wrong sizes and non-finite input, leaving it untouched") {
    const auto g = le::mlp_generator<double>::random({4, 6, 3}, {}, 1);
    Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(4, -1, 1);
    Eigen::VectorXd short_z = Eigen::VectorXd::Ones(3), v = Eigen::VectorXd::Ones(4), u = Eigen::VectorXd::Ones(3);
    const Eigen::VectorXd z_copy = z, v_copy = v;

    CATCH_CHECK_THROWS_AS(lw::jacobian(g, short_z), lw::dimension_error);
    CATCH_CHECK_THROWS_WITH(lw::jacobian(g, short_z),
                            Contains("jacobian: z has length 3 but the generator's latent dimension is 4"));
    CATCH_CHECK_THROWS_WITH(lw::jvp(g, z, u), Contains("jvp: v has length 3"));
    CATCH_CHECK_THROWS_WITH(lw::vjp(g, z, v), Contains("vjp: u has length 4 but the generator's output dimension is 3"));
    CATCH_CHECK_THROWS_AS(lw::check_derivatives(g, short_z), lw::dimension_error);

    v[2] = nan_value;
    CATCH_CHECK_THROWS_AS(lw::jvp(g, z, v), lw::numerical_error);
    CATCH_CHECK_THROWS_WITH(lw::jvp(g, z, v), Contains("v contains NaN or Inf"));
    z[1] = inf_value;
    CATCH_CHECK_THROWS_AS(lw::jacobian(g, z), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::check_derivatives(g, z), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(g(z), lw::numerical_error);  // the model's own members validate too
    CATCH_CHECK(std::isinf(z[1]));
    z[1] = z_copy[1];
    v[2] = v_copy[2];
    CATCH_CHECK(z == z_copy);
    CATCH_CHECK(v == v_copy);
}

CATCH_TEST_CASE("core: models validate their parameters and inputs with sentences") {
    Eigen::MatrixXd A = Eigen::MatrixXd::Ones(3, 2);
    CATCH_CHECK_THROWS_WITH(le::linear_generator<double>(A, Eigen::VectorXd::Ones(2)),
                            Contains("b has length 2 but A has 3 rows"));
    A(0, 0) = nan_value;
    CATCH_CHECK_THROWS_AS(le::linear_generator<double>(A), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(le::sphere_embedding<double>(-1.0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_WITH(le::torus_embedding<double>(1.0, 2.0), Contains("minor_radius must be smaller"));
    using mlp = le::mlp_generator<double>;
    std::vector<mlp::layer> layers{{Eigen::MatrixXd::Ones(5, 3), Eigen::VectorXd::Zero(5)},
                                   {Eigen::MatrixXd::Ones(2, 4), Eigen::VectorXd::Zero(2)}};
    CATCH_CHECK_THROWS_WITH(mlp(layers), Contains("layer 1 takes 4 inputs but layer 0 gives 5 outputs"));
    CATCH_CHECK_THROWS_AS(mlp::random({4}, {}, 1), lw::invalid_argument_error);
    mlp::options o;
    o.pixel_norm_first = true;
    o.pixel_norm_epsilon = 0.0;
    const auto g = mlp::random({3, 2}, o, 1);
    CATCH_CHECK_THROWS_WITH(g(Eigen::VectorXd::Zero(3)), Contains("PixelNorm of the zero vector"));
    const le::sphere_embedding<double> s;
    CATCH_CHECK_THROWS_WITH(s.jvp(Eigen::VectorXd::Zero(2), Eigen::VectorXd::Zero(3)), Contains("v has length 3"));
}

CATCH_TEST_CASE("core: standard_gaussian rejects unreachable levels, the mode and wrong sizes") {
    const le::standard_gaussian<double> p(3);
    CATCH_CHECK_THROWS_AS(le::standard_gaussian<double>(0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_WITH(p.level_radius(p.max_log_density() + 1e-9), Contains("above the maximum log-density"));
    CATCH_CHECK(p.level_radius(p.max_log_density()) == 0.0);
    CATCH_CHECK_THROWS_WITH(p.project_to_level(Eigen::VectorXd::Zero(3), -5.0), Contains("z is the mode"));
    CATCH_CHECK_THROWS_AS(p.log_density(Eigen::VectorXd::Zero(2)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(p.level_radius(nan_value), lw::numerical_error);
}

CATCH_TEST_CASE("core: option values outside their domain are rejected, not clamped") {
    const le::sphere_embedding<double> s;
    const Eigen::Vector2d z(0.5, 0.5);
    lw::derivative_check_options o;
    o.halvings = 0;
    CATCH_CHECK_THROWS_AS(lw::check_derivatives(s, Eigen::VectorXd(z), o), lw::invalid_argument_error);
    o.halvings = 6;
    o.initial_step = nan_value;
    CATCH_CHECK_THROWS_AS(lw::check_derivatives(s, Eigen::VectorXd(z), o), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::finite_differences(s, lw::finite_difference_options{inf_value}), lw::invalid_argument_error);
}
