// tangent: the SVD oracles of tests/data/oracles.json.
#include <latentwalk/eigen.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>

#include <cmath>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

namespace {

const lw::tangent_method all_methods[] = {lw::tangent_method::dense, lw::tangent_method::lanczos,
                                          lw::tangent_method::randomized};

}  // namespace

CATCH_TEST_CASE("tangent: svd.integer_6x4 oracle, every method and every k, with the oracle's sign convention") {
    const auto& o = lw::test::oracles().at("svd").at("integer_6x4");
    const Eigen::MatrixXd A = lw::test::to_matrix(o.at("A"));
    const Eigen::VectorXd s_ref = lw::test::to_vector(o.at("reference_singular_values"));
    const Eigen::MatrixXd U_ref = lw::test::to_matrix(o.at("reference_U_6x4"));
    const Eigen::MatrixXd V_ref = lw::test::to_matrix(o.at("reference_V_4x4"));
    const le::linear_generator<double> g(A);
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(4, -1.0, 2.0);
    for (auto method : all_methods) {
        for (long long k = 1; k <= 4; ++k) {
            CATCH_CAPTURE(lw::to_string(method), k);
            lw::tangent_basis_options opt;
            opt.method = method;
            opt.tolerance = 1e-14;
            opt.power_iterations = 3;
            const auto tb = lw::tangent_basis(g, z, k, opt);
            CATCH_CHECK(tb.report.method == method);
            CATCH_CHECK(tb.report.converged);
            CATCH_REQUIRE(tb.singular_values.size() == k);
            // mpmath references rounded to double: 1e-14 relative is a few ulps of σ₁.
            for (Eigen::Index i = 0; i < k; ++i) CATCH_CHECK(std::abs(tb.singular_values[i] - s_ref[i]) <= 1e-14 * s_ref[0]);
            CATCH_CHECK((tb.latent_basis - V_ref.leftCols(k)).cwiseAbs().maxCoeff() < 1e-13);
            CATCH_CHECK((tb.output_basis - U_ref.leftCols(k)).cwiseAbs().maxCoeff() < 1e-13);
        }
    }
}
