// grassmann: GANSpace as published — feature-space PCA regressed back to latent directions, edits in
// units of the component's standard deviation — and the released code's convention beside it.
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/grassmann/ganspace_regression.hpp>

#include <cmath>

#include "support/test_support.hpp"

namespace {
namespace lw = latentwalk;
using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

struct linear_layer_samples {
    Mat A;
    Vec b;
    Mat Z, Y;  // columns: z_j and y_j = A z_j + b
};
linear_layer_samples make_samples(Eigen::Index m, Eigen::Index n, Eigen::Index N, std::uint64_t salt) {
    auto rng = lw::test::rng(salt);
    linear_layer_samples s;
    s.A = lw::test::random_matrix(m, n, rng);
    s.b = lw::test::random_vector(m, rng);
    s.Z = lw::test::random_matrix(n, N, rng);
    s.Y = (s.A * s.Z).colwise() + s.b;
    return s;
}
}  // namespace

// y = A z + b with A of full column rank and k = n: the coordinates x = Vᵀ A (z − z̄) determine z − z̄,
// so the regression is exact, U = (VᵀA)⁻¹ and A u_k = v_k: one unit along u_k is one unit along v_k.
CATCH_TEST_CASE("grassmann: GANSpace's regression from feature-space PCA is exact on a linear layer and its edit moves the component by alpha sigma") {
    const auto s = make_samples(7, 3, 60, 401);
    const auto gs = lw::ganspace_regression(s.Z, s.Y, 3);
    CATCH_CHECK(gs.convention == lw::ganspace_convention::paper);
    CATCH_CHECK(gs.relative_residual <= 1e-12);
    const Mat& V = gs.feature_directions;
    CATCH_CHECK((V.transpose() * V - Mat::Identity(3, 3)).norm() <= 1e-12);
    CATCH_CHECK((s.A * gs.latent_directions - V).norm() <= 1e-10);
    CATCH_CHECK((gs.latent_directions - (V.transpose() * s.A).inverse()).norm() <= 1e-10);
    CATCH_CHECK((gs.latent_mean - s.Z.rowwise().mean()).norm() <= 1e-13);

    // the standard deviations are those of the PCA coordinates (divisor N − 1)
    const Mat X = V.transpose() * (s.Y.colwise() - s.Y.rowwise().mean());
    for (Eigen::Index c = 0; c < 3; ++c) {
        const double sd = std::sqrt(X.row(c).squaredNorm() / 59.0);
        CATCH_CHECK(gs.feature_stdev(c) == Catch::Approx(sd).epsilon(1e-12));
        CATCH_CHECK(gs.edit_scale(c) == Catch::Approx(sd).epsilon(1e-12));
    }
    // an edit of α moves the feature coordinate x_c by α σ_c and leaves the others (exactly, by linearity)
    const Vec z = s.Z.col(5);
    for (Eigen::Index c = 0; c < 3; ++c) {
        const Vec z2 = lw::ganspace_edit(gs, z, c, 2.0);
        const Vec dx = V.transpose() * (s.A * (z2 - z));
        Vec expected = Vec::Zero(3);
        expected(c) = 2.0 * gs.feature_stdev(c);
        CATCH_CHECK((dx - expected).norm() <= 1e-10);
    }
    CATCH_CHECK_THROWS_AS(lw::ganspace_edit(gs, z, 3, 1.0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::ganspace_edit(gs, Vec(Vec::Zero(2)), 0, 1.0), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::ganspace_regression(s.Z, Mat(s.Y.leftCols(59)), 3), lw::dimension_error);
}

// The released code (decomposition.py) regresses on x/σ and normalizes: the same directions up to
// length, but its edit moves a unit direction by α times the latent samples' projected standard
// deviation — not α σ_k in the feature coordinate. The two conventions give different edits.
CATCH_TEST_CASE("grassmann: GANSpace's released-code convention normalizes the directions and scales edits by the latent spread, unlike the paper") {
    const auto s = make_samples(7, 3, 60, 402);
    const auto paper = lw::ganspace_regression(s.Z, s.Y, 3);
    lw::ganspace_regression_options o;
    o.convention = lw::ganspace_convention::released_code;
    const auto code = lw::ganspace_regression(s.Z, s.Y, 3, o);
    CATCH_CHECK(code.relative_residual <= 1e-12);
    const Mat Zc = s.Z.colwise() - s.Z.rowwise().mean();
    for (Eigen::Index c = 0; c < 3; ++c) {
        const Vec u = paper.latent_directions.col(c), uc = code.latent_directions.col(c);
        CATCH_CHECK(uc.norm() == Catch::Approx(1.0).epsilon(1e-12));
        CATCH_CHECK((uc - u / u.norm()).norm() <= 1e-10);  // same direction, unit length
        const Vec proj = Zc.transpose() * uc;
        CATCH_CHECK(code.edit_scale(c) == Catch::Approx(std::sqrt(proj.squaredNorm() / 60.0)).epsilon(1e-12));
    }
    const Vec z = s.Z.col(0);
    const Vec by_paper = lw::ganspace_edit(paper, z, 0, 1.0), by_code = lw::ganspace_edit(code, z, 0, 1.0);
    CATCH_CHECK((by_paper - by_code).norm() > 1e-3);  // the two rules part
    CATCH_CHECK((by_code - z).norm() == Catch::Approx(code.edit_scale(0)).epsilon(1e-12));

    // with fewer components than latent dimensions the regression is the least-squares fit: the
    // residual is orthogonal to the coordinates (normal equations) and no longer zero
    const auto part = lw::ganspace_regression(s.Z, s.Y, 2);
    const Mat V2 = part.feature_directions;
    const Mat X2 = V2.transpose() * (s.Y.colwise() - s.Y.rowwise().mean());
    const Mat R = part.latent_directions * X2 - Zc;
    CATCH_CHECK((R * X2.transpose()).norm() <= 1e-9 * X2.norm() * Zc.norm());
    CATCH_CHECK(part.relative_residual > 0.1);
}

CATCH_TEST_CASE("grassmann: a GANSpace edit in W moves alpha standard deviations along the principal direction") {
    auto rng = lw::test::rng(403);
    const Mat W = lw::test::random_matrix(4, 40, rng);
    const auto pca = lw::ganspace_directions(W, 2);
    const Vec w = W.col(3);
    const Vec w2 = lw::ganspace_edit(pca, w, 1, -1.5);
    CATCH_CHECK((w2 - (w - 1.5 * std::sqrt(pca.explained_variance(1)) * pca.directions.col(1))).norm() <= 1e-14);
}
