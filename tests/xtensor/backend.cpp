// xtensor: the xtensor backend's primitives against the Eigen backend and closed forms: shapes,
// value semantics, factorizations, the overflow-safe norm, empty matrices, the sign convention,
// the deduced defaults against the adapter's overrides, and the generic models' sentences.
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>
#include <latentwalk/potentials/mlp_potential.hpp>
#include <latentwalk/xtensor.hpp>

#include <cmath>
#include <limits>
#include <tuple>
#include <random>
#include <vector>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace lx = latentwalk::xtensor;

namespace {

using XB = lx::backend<double>;
using X = lw::backend_traits<XB>;
using XF = lw::backend_traits<lx::backend<float>>;
using E = lw::backend_traits<lw::eigen::backend<double>>;
using defaults = lw::backend_defaults<XB>;

X::matrix to_xt(const Eigen::MatrixXd& A) {
    X::matrix M = X::zeros(X::vector{}, A.rows(), A.cols());
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j) M(i, j) = A(i, j);
    return M;
}
Eigen::MatrixXd to_eigen(const X::matrix& M) {
    Eigen::MatrixXd A(X::rows(M), X::cols(M));
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j) A(i, j) = M(i, j);
    return A;
}
Eigen::VectorXd to_eigen(const X::vector& x) {
    const auto h = X::to_host(x);
    return Eigen::Map<const Eigen::VectorXd>(h.data(), static_cast<Eigen::Index>(h.size()));
}
double max_abs_diff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return (a - b).cwiseAbs().maxCoeff(); }

}  // namespace

static_assert(lw::Backend<XB> && lw::Backend<lx::backend<float>>);
static_assert(std::is_same_v<lw::backend_of_t<xt::xtensor<double, 2>>, XB>);
static_assert(std::is_same_v<lw::backend_of_t<xt::xtensor<float, 1>>, lx::backend<float>>);
static_assert(lw::BackendMatrix<xt::xtensor<double, 2>> && !lw::BackendMatrix<xt::xarray<double>>);

CATCH_TEST_CASE("xtensor: random_normal draws what the Eigen backend draws from the same RNG state") {
    std::mt19937_64 r1(7), r2(7);
    const auto x = X::random_normal(X::vector{}, 9, r1);
    const auto A = X::random_normal(x, 4, 3, r1);
    const auto ex = E::random_normal(Eigen::VectorXd{}, 9, r2);
    const auto eA = E::random_normal(ex, 4, 3, r2);
    CATCH_CHECK(to_eigen(x) == ex);
    CATCH_CHECK(to_eigen(A) == eA);  // column by column in both
}

CATCH_TEST_CASE("xtensor: factorizations and products agree with Eigen and reconstruct their input") {
    auto rng = lw::test::rng(1);
    const Eigen::MatrixXd eA = lw::test::random_matrix(9, 4, rng), eM = lw::test::random_matrix(4, 5, rng);
    const Eigen::VectorXd ev = lw::test::random_vector(4, rng), ew = lw::test::random_vector(9, rng);
    const auto A = to_xt(eA), M = to_xt(eM);
    const X::vector v = X::from_values(A, std::span<const double>(ev.data(), 4));
    const X::vector w = X::from_values(A, std::span<const double>(ew.data(), 9));
    CATCH_CHECK(max_abs_diff(to_eigen(X::matmul(A, M)), eA * eM) < 1e-14);
    CATCH_CHECK(max_abs_diff(to_eigen(X::matvec(A, v)), eA * ev) < 1e-14);
    CATCH_CHECK(max_abs_diff(to_eigen(X::tmatvec(A, w)), eA.transpose() * ew) < 1e-14);
    CATCH_CHECK(max_abs_diff(to_eigen(X::tmatmul(A, A)), eA.transpose() * eA) < 1e-13);
    CATCH_CHECK(to_eigen(X::transpose(A)) == Eigen::MatrixXd(eA.transpose()));

    const auto qr = X::thin_qr(A);
    CATCH_REQUIRE(X::rows(qr.Q) == 9);
    CATCH_REQUIRE(X::cols(qr.Q) == 4);
    CATCH_REQUIRE(X::rows(qr.R) == 4);
    CATCH_CHECK(max_abs_diff(to_eigen(X::matmul(qr.Q, qr.R)), eA) < 1e-14);
    CATCH_CHECK(max_abs_diff(to_eigen(X::tmatmul(qr.Q, qr.Q)), Eigen::MatrixXd::Identity(4, 4)) < 1e-15);
    const Eigen::MatrixXd R = to_eigen(qr.R);
    CATCH_CHECK(R.triangularView<Eigen::StrictlyLower>().toDenseMatrix().cwiseAbs().maxCoeff() == 0.0);

    const auto svd = X::thin_svd(A);
    const auto esvd = E::thin_svd(eA);
    CATCH_CHECK(max_abs_diff(to_eigen(svd.S), esvd.S) < 1e-14 * esvd.S[0]);
    CATCH_CHECK(max_abs_diff(to_eigen(svd.U) * to_eigen(svd.S).asDiagonal() * to_eigen(svd.V).transpose(), eA) < 1e-14);
    CATCH_CHECK(max_abs_diff(to_eigen(X::singular_values(A)), esvd.S) < 1e-14 * esvd.S[0]);
    CATCH_CHECK(max_abs_diff(to_eigen(X::singular_values(X::transpose(A))), esvd.S) < 1e-14 * esvd.S[0]);

    const Eigen::MatrixXd eS = eA.transpose() * eA;
    const auto eig = X::sym_eig(to_xt(eS));
    const auto eeig = E::sym_eig(eS);
    CATCH_CHECK(max_abs_diff(to_eigen(eig.values), eeig.values) < 1e-13 * eeig.values.maxCoeff());
    for (Eigen::Index i = 1; i < 4; ++i) CATCH_CHECK(eig.values(i - 1) <= eig.values(i));  // ascending
    const Eigen::MatrixXd V = to_eigen(eig.vectors);
    CATCH_CHECK(max_abs_diff(V * to_eigen(eig.values).asDiagonal() * V.transpose(), eS) < 1e-13 * eeig.values.maxCoeff());
}

CATCH_TEST_CASE("xtensor: norm neither overflows nor underflows, and NaN propagates through norm and max_abs") {
    const double big = 1e300, tiny = 1e-300;
    const X::vector b = {big, big, -big}, t = {tiny, -tiny}, z = X::zeros(X::vector{}, 3);
    CATCH_CHECK(X::norm(b) == Catch::Approx(std::sqrt(3.0) * big).epsilon(1e-15));
    CATCH_CHECK(X::norm(t) == Catch::Approx(std::sqrt(2.0) * tiny).epsilon(1e-15));
    CATCH_CHECK(X::norm(z) == 0.0);
    const XF::vector bf = {3e30f, 4e30f};
    CATCH_CHECK(XF::norm(bf) == Catch::Approx(5e30).epsilon(1e-6));
    const X::vector n = {1.0, std::numeric_limits<double>::quiet_NaN(), 5.0};
    CATCH_CHECK(std::isnan(X::norm(n)));
    CATCH_CHECK(std::isnan(X::max_abs(n)));
    CATCH_CHECK_FALSE(X::all_finite(n));
    const X::vector inf = {1.0, std::numeric_limits<double>::infinity()};
    CATCH_CHECK(std::isinf(X::norm(inf)));
    CATCH_CHECK(X::max_abs(X::vector{}) == 0.0);
}

CATCH_TEST_CASE("xtensor: empty matrices give exact empty results without calling LAPACK") {
    const auto A = X::zeros(X::vector{}, 5, 0);
    const auto qr = X::thin_qr(A);
    CATCH_CHECK(X::rows(qr.Q) == 5);
    CATCH_CHECK(X::cols(qr.Q) == 0);
    const auto svd = X::thin_svd(A);
    CATCH_CHECK(X::size(svd.S) == 0);
    CATCH_CHECK(X::rows(svd.U) == 5);
    CATCH_CHECK(X::size(X::singular_values(A)) == 0);
    CATCH_CHECK(X::size(X::sym_eig(X::zeros(A, 0, 0)).values) == 0);
    const auto P = X::matmul(X::zeros(A, 3, 0), X::zeros(A, 0, 4));  // a 3×4 zero
    CATCH_CHECK(X::rows(P) == 3);
    CATCH_CHECK(X::cols(P) == 4);
    CATCH_CHECK(X::max_abs(P) == 0.0);
    CATCH_CHECK(X::size(X::matvec(X::zeros(A, 2, 0), X::zeros(A, 0))) == 2);
}

CATCH_TEST_CASE("xtensor: column_signs gives each column's sign of its largest entry, as Eigen does") {
    Eigen::MatrixXd A0(3, 4);
    A0 << -3, 1, -2, 0,  //
        1, 0.5, 2, 0,    //
        2, -0.25, 1, 0;
    CATCH_CHECK(to_eigen(X::column_signs(to_xt(A0))) == E::column_signs(A0));
    CATCH_CHECK(to_eigen(X::column_signs(to_xt(-A0))) == E::column_signs(-A0));
    CATCH_CHECK(to_eigen(X::column_signs(to_xt(A0))) == Eigen::Vector4d(-1, 1, -1, 1));
}

CATCH_TEST_CASE("xtensor: results own their storage, and shape operations match Eigen's") {
    auto rng = lw::test::rng(2);
    const Eigen::MatrixXd eA = lw::test::random_matrix(4, 3, rng);
    X::matrix A = to_xt(eA);
    auto c = X::col(A, 1);
    c(0) = 100.0;  // a copy, not a view
    CATCH_CHECK(A(0, 1) == eA(0, 1));
    X::set_col(A, 2, X::fill(A, 4, 7.0));
    CATCH_CHECK(A(3, 2) == 7.0);
    CATCH_CHECK(A(3, 1) == eA(3, 1));
    const auto H = X::hcat(A, X::block_cols(A, 1, 2));
    CATCH_CHECK(X::cols(H) == 5);
    CATCH_CHECK(H(2, 3) == A(2, 1));
    CATCH_CHECK(H(2, 4) == 7.0);
    const X::vector x = {1.0, 2.0, 3.0, 4.0, 5.0};
    CATCH_CHECK(to_eigen(X::segment(x, 1, 3)) == Eigen::Vector3d(2, 3, 4));
    CATCH_CHECK(to_eigen(X::reverse(x)) == Eigen::VectorXd::LinSpaced(5, 5, 1));
    CATCH_CHECK(to_eigen(X::head(x, 2)) == Eigen::Vector2d(1, 2));
    CATCH_CHECK(X::element(x, 3) == 4.0);
    CATCH_CHECK(to_eigen(X::scale_columns(to_xt(eA), X::vector{1.0, -2.0, 0.5})) ==
                Eigen::MatrixXd(eA * Eigen::Vector3d(1, -2, 0.5).asDiagonal()));
    CATCH_CHECK(to_eigen(X::identity(x, 3)) == Eigen::MatrixXd::Identity(3, 3));
    CATCH_CHECK(to_eigen(X::unit(x, 4, 2)) == Eigen::Vector4d(0, 0, 1, 0));
    CATCH_CHECK(X::batch_size(A) == 1);
}

CATCH_TEST_CASE("xtensor: the adapter's overrides equal backend_defaults' deduced operations") {
    auto rng = lw::test::rng(3);
    const auto A = to_xt(lw::test::random_matrix(5, 3, rng));
    const auto x = X::random_normal(A, 5, rng), y = X::random_normal(A, 5, rng);
    CATCH_CHECK(to_eigen(defaults::cwise_min<X>(x, y)) == to_eigen(X::cwise_min(x, y)));
    CATCH_CHECK(to_eigen(defaults::diagonal<X>(A)) == to_eigen(X::diagonal(A)));
    CATCH_CHECK(max_abs_diff(to_eigen(defaults::column_norms<X>(A)), to_eigen(X::column_norms(A))) == 0.0);
    CATCH_CHECK(max_abs_diff(to_eigen(defaults::tmatvec<X>(A, x)), to_eigen(X::tmatvec(A, x))) < 1e-15);
    CATCH_CHECK(max_abs_diff(to_eigen(defaults::singular_values<X>(A)), to_eigen(X::singular_values(A))) < 1e-14);
    CATCH_CHECK(defaults::element<X>(x, 2) == X::element(x, 2));
    CATCH_CHECK(defaults::sum<X>(x) == Catch::Approx(X::sum(x)).epsilon(1e-15));
    CATCH_CHECK(to_eigen(defaults::lift<X>(x, 2.5)) == to_eigen(X::lift(x, 2.5)));
    CATCH_CHECK(defaults::host_min<X>(-3.0) == X::host_min(-3.0));
    // Element-wise maps against the standard library.
    const X::vector t = {-2.0, -0.5, 0.25, 3.0};
    for (std::size_t i = 0; i < 4; ++i) {
        CATCH_CHECK(X::cwise_expm1(t)(i) == std::expm1(t(i)));
        CATCH_CHECK(X::cwise_atan2(t, X::reverse(t))(i) == std::atan2(t(i), t(3 - i)));
        CATCH_CHECK(X::cwise_log1p(X::cwise_abs(t))(i) == std::log1p(std::abs(t(i))));
    }
}

CATCH_TEST_CASE("xtensor: the generic models refuse bad parameters and arguments with sentences") {
    const X::matrix A = X::zeros(X::vector{}, 3, 2);
    CATCH_CHECK_THROWS_AS(lx::linear_generator<>(A, X::zeros(A, 2)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lx::linear_generator<>(X::zeros(A, 0, 2)), lw::dimension_error);
    X::matrix bad = A;
    bad(1, 1) = std::numeric_limits<double>::quiet_NaN();
    CATCH_CHECK_THROWS_AS(lx::linear_generator<>(bad), lw::numerical_error);
    const lx::linear_generator<> g(A);
    try {
        (void)g(X::zeros(A, 3));
        CATCH_FAIL("a latent code of the wrong length was accepted");
    } catch (const lw::dimension_error& e) {
        CATCH_CHECK_THAT(e.what(), Catch::Matchers::Contains("linear_generator::operator()") &&
                                       Catch::Matchers::Contains("z has length 3 but the latent dimension is 2"));
    }
    CATCH_CHECK_THROWS_AS(lx::sphere_embedding<>(-1.0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lx::torus_embedding<>(1.0, 2.0), lw::invalid_argument_error);
    lx::mlp_generator<>::options o;
    o.pixel_norm_first = true;
    o.pixel_norm_epsilon = 0.0;
    const auto m = lx::mlp_generator<>::random({3, 4, 2}, o, 5);
    CATCH_CHECK_THROWS_AS(m(X::zeros(A, 3)), lw::numerical_error);  // PixelNorm of 0 with ε = 0
    CATCH_CHECK_THROWS_AS(lx::mlp_generator<>::random({3}, o, 5), lw::invalid_argument_error);
}

CATCH_TEST_CASE("xtensor: the generic MLP's leaky ReLU and tanh equal the Eigen MLP's to rounding, its random weights exactly") {
    for (auto act : {lw::activation::leaky_relu, lw::activation::tanh}) {
        lw::eigen::mlp_generator<double>::options eo;
        eo.hidden = act;
        lx::mlp_generator<>::options o;
        o.hidden = act;
        const auto ref = lw::eigen::mlp_generator<double>::random({5, 8, 4}, eo, 77);
        const auto g = lx::mlp_generator<>::random({5, 8, 4}, o, 77);
        for (std::size_t l = 0; l < 2; ++l) {
            CATCH_CHECK(to_eigen(g.layers()[l].weight) == ref.layers()[l].weight);
            CATCH_CHECK(to_eigen(g.layers()[l].bias) == ref.layers()[l].bias);
        }
        auto rng = lw::test::rng(4);
        const Eigen::VectorXd ez = lw::test::random_vector(5, rng), ev = lw::test::random_vector(5, rng);
        const X::vector z = X::from_values(X::vector{}, std::span<const double>(ez.data(), 5));
        const X::vector v = X::from_values(z, std::span<const double>(ev.data(), 5));
        // Rounding only: BLAS gemv and Eigen sum W x in different orders; tanh is a few ulps off std::tanh.
        CATCH_CHECK(max_abs_diff(to_eigen(g(z)), ref(ez)) <= 1e-14);
        CATCH_CHECK(max_abs_diff(to_eigen(g.jvp(z, v)), ref.jvp(ez, ev)) <= 1e-14);
    }
}

CATCH_TEST_CASE("xtensor: the closed-form MLP potential, written once against the seam, equals the Eigen potential of the same weights") {
    // (d, H, E): d < H, d = H, and d > H (the Laplacian through the QR factor of W_zᵀ)
    for (const auto& [d, H, E] : {std::tuple{5, 7, 6}, std::tuple{6, 6, 6}, std::tuple{9, 4, 8}})
        for (bool output_tanh : {true, false}) {
            lw::eigen::mlp_potential<double>::options eo;
            eo.hidden = H;
            eo.embedding = E;
            eo.output_tanh = output_tanh;
            const auto ref = lw::eigen::mlp_potential<double>::random(d, eo, 61 + static_cast<std::uint64_t>(d), 2.0);
            const lw::mlp_potential<XB> u(X::vector{}, d, ref.host_weights(), {H, E, output_tanh});
            auto rng = lw::test::rng(62);
            const Eigen::VectorXd ez = lw::test::random_vector(d, rng), ev = lw::test::random_vector(d, rng);
            const X::vector z = X::from_values(X::vector{}, std::span<const double>(ez.data(), static_cast<std::size_t>(d)));
            const X::vector v = X::from_values(z, std::span<const double>(ev.data(), static_cast<std::size_t>(d)));
            const double t = 0.7;
            auto rel = [](double a, double b) { return std::abs(a - b) / std::max(std::abs(b), 1e-300); };
            auto vrel = [](const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
                return (a - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1e-300);
            };
            CATCH_CHECK(rel(u.value(z, t), ref.value(ez, t)) <= 1e-14);
            CATCH_CHECK(vrel(to_eigen(u.gradient(z, t)), ref.gradient(ez, t)) <= 1e-13);
            CATCH_CHECK(vrel(to_eigen(u.hessian_vector(z, t, v)), ref.hessian_vector(ez, t, ev)) <= 1e-13);
            CATCH_CHECK(rel(u.laplacian(z, t), ref.laplacian(ez, t)) <= 1e-13);
            CATCH_CHECK(rel(u.time_derivative(z, t), ref.time_derivative(ez, t)) <= 1e-13);
            CATCH_CHECK(rel(u.second_time_derivative(z, t), ref.second_time_derivative(ez, t)) <= 1e-13);
        }
    // bad input: a z of the wrong length, a NaN time
    const auto ref = lw::eigen::mlp_potential<double>::random(3, {}, 5);
    const lw::mlp_potential<XB> u(X::vector{}, 3, ref.host_weights());
    CATCH_CHECK_THROWS_AS(u.gradient(X::fill(X::vector{}, 4, 0.1), 0.0), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(u.laplacian(X::fill(X::vector{}, 3, 0.1), std::nan("")), lw::numerical_error);
}
