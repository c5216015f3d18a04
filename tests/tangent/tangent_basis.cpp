// tangent: tangent_basis on closed forms, invariances and spectra with known structure.
#include "tangent_support.hpp"

using namespace tangent_test;

namespace {
const lw::tangent_method all_methods[] = {lw::tangent_method::dense, lw::tangent_method::lanczos,
                                          lw::tangent_method::randomized};
}

CATCH_TEST_CASE("tangent: a linear generator gives the SVD of A at every z") {
    auto rng = lw::test::rng(301);
    std::normal_distribution<double> nd;
    const Eigen::MatrixXd A = Eigen::MatrixXd::NullaryExpr(40, 12, [&] { return nd(rng); });
    const le::linear_generator<double> g(A, Eigen::VectorXd::Constant(40, 0.5));
    // Independent reference: Jacobi SVD of A, with the sign convention applied by hand.
    Eigen::JacobiSVD<Eigen::MatrixXd> ref(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    Eigen::MatrixXd Vr = ref.matrixV(), Ur = ref.matrixU();
    for (Eigen::Index i = 0; i < Vr.cols(); ++i) {
        Eigen::Index r = 0;
        Vr.col(i).cwiseAbs().maxCoeff(&r);
        if (Vr(r, i) < 0) {
            Vr.col(i) *= -1;
            Ur.col(i) *= -1;
        }
    }
    const long long k = 4;
    for (auto method : all_methods) {
        auto opt = method_options(method);
        opt.power_iterations = 8;
        Eigen::MatrixXd first_V;
        for (double shift : {0.0, -3.0, 7.5}) {
            CATCH_CAPTURE(lw::to_string(method), shift);
            const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(12, -1.0, 1.0).array() + shift;
            const auto tb = lw::tangent_basis(g, z, k, opt);
            CATCH_CHECK(tb.report.converged);
            CATCH_CHECK((tb.singular_values - ref.singularValues().head(k)).cwiseAbs().maxCoeff() <=
                        1e-13 * ref.singularValues()[0]);
            CATCH_CHECK((tb.latent_basis - Vr.leftCols(k)).cwiseAbs().maxCoeff() < 1e-11);
            CATCH_CHECK((tb.output_basis - Ur.leftCols(k)).cwiseAbs().maxCoeff() < 1e-11);
            // J vᵢ = σᵢ uᵢ
            CATCH_CHECK((A * tb.latent_basis - tb.output_basis * tb.singular_values.asDiagonal()).norm() <
                        1e-12 * ref.singularValues()[0]);
            // The same seed and the same J give the same numbers, whatever z is.
            if (shift == 0.0)
                first_V = tb.latent_basis;
            else
                CATCH_CHECK((tb.latent_basis - first_V).cwiseAbs().maxCoeff() == 0.0);
        }
    }
}

CATCH_TEST_CASE("tangent: a PixelNorm-first MLP with epsilon 0 has the same basis at z and c z, with sigma scaled by 1/c") {
    le::mlp_generator<double>::options o;
    o.hidden = le::activation::tanh;
    o.pixel_norm_first = true;
    o.pixel_norm_epsilon = 0.0;
    const auto g = le::mlp_generator<double>::random({24, 48, 48, 96}, o, 17);
    auto rng = lw::test::rng(302);
    std::normal_distribution<double> nd;
    const Eigen::VectorXd z = Eigen::VectorXd::NullaryExpr(24, [&] { return nd(rng); });
    const auto ref = lw::tangent_basis(g, z, 5, method_options(lw::tangent_method::dense));
    for (double c : {0.25, 3.0, 40.0}) {
        const Eigen::VectorXd cz = c * z;
        for (auto method : {lw::tangent_method::dense, lw::tangent_method::lanczos}) {
            CATCH_CAPTURE(c, lw::to_string(method));
            const auto tb = lw::tangent_basis(g, cz, 5, method_options(method));
            CATCH_CHECK(max_principal_angle(ref.latent_basis, tb.latent_basis) < 1e-10);
            CATCH_CHECK(max_principal_angle(ref.output_basis, tb.output_basis) < 1e-10);
            CATCH_CHECK(((tb.singular_values * c - ref.singular_values).array() / ref.singular_values.array())
                            .abs()
                            .maxCoeff() < 1e-12);
        }
    }
}

CATCH_TEST_CASE("tangent: graded spectrum, all methods agree with dense through principal angles") {
    auto rng = lw::test::rng(303);
    Eigen::VectorXd s(60);
    for (Eigen::Index i = 0; i < s.size(); ++i) s[i] = std::pow(10.0, -0.15 * double(i));  // 1 … 1e-9
    const Eigen::MatrixXd A = with_spectrum(150, 80, s, rng);
    const le::linear_generator<double> gl(A);
    const products_only<le::linear_generator<double>> g{&gl};  // matrix-free view
    const Eigen::VectorXd z = Eigen::VectorXd::Zero(80);
    const long long k = 8;
    const auto dense = lw::tangent_basis(g, z, k, method_options(lw::tangent_method::dense));
    CATCH_CHECK((dense.singular_values - s.head(k)).cwiseAbs().maxCoeff() < 1e-14);
    for (auto method : {lw::tangent_method::lanczos, lw::tangent_method::randomized}) {
        CATCH_CAPTURE(lw::to_string(method));
        auto opt = method_options(method);
        opt.power_iterations = 3;
        const auto tb = lw::tangent_basis(g, z, k, opt);
        CATCH_CHECK(tb.report.converged);
        CATCH_CHECK(max_principal_angle(dense.latent_basis, tb.latent_basis) < 1e-10);
        CATCH_CHECK(max_principal_angle(dense.output_basis, tb.output_basis) < 1e-10);
        CATCH_CHECK((tb.singular_values - dense.singular_values).cwiseAbs().maxCoeff() < 1e-12);
        CATCH_CHECK(orthonormality_error(tb.latent_basis) < 1e-13);
        CATCH_CHECK(orthonormality_error(tb.output_basis) < 1e-13);
        CATCH_CHECK(follows_sign_convention(tb.latent_basis));
    }
}

CATCH_TEST_CASE("tangent: nearly tied singular values, the subspace is determined though the vectors are not") {
    auto rng = lw::test::rng(304);
    // σ₄ and σ₅ differ by 1e-9: their vectors are determined only to ~1e-9/gap-scale, their span
    // exactly; there is a real gap after σ₅ (2 → 1).
    Eigen::VectorXd s(10);
    s << 5, 4, 3, 2 + 1e-9, 2, 1, 0.5, 0.25, 0.125, 0.0625;
    const Eigen::MatrixXd A = with_spectrum(50, 30, s, rng);
    const le::linear_generator<double> gl(A);
    const products_only<le::linear_generator<double>> g{&gl};
    const Eigen::VectorXd z = Eigen::VectorXd::Ones(30);
    const auto dense = lw::tangent_basis(g, z, 5, method_options(lw::tangent_method::dense));
    for (auto method : {lw::tangent_method::lanczos, lw::tangent_method::randomized}) {
        CATCH_CAPTURE(lw::to_string(method));
        auto opt = method_options(method);
        opt.power_iterations = 12;
        const auto tb = lw::tangent_basis(g, z, 5, opt);
        CATCH_CHECK(max_principal_angle(dense.latent_basis, tb.latent_basis) < 1e-10);
        CATCH_CHECK(max_principal_angle(dense.output_basis, tb.output_basis) < 1e-10);
        // The tied pair as a 2-dimensional subspace agrees too.
        CATCH_CHECK(max_principal_angle(dense.latent_basis.middleCols(3, 2), tb.latent_basis.middleCols(3, 2)) < 1e-9);
        // Each returned triplet is a valid singular triplet of A, tie or not.
        for (Eigen::Index i = 0; i < 5; ++i) {
            const double sv = tb.singular_values[i];
            CATCH_CHECK((A * tb.latent_basis.col(i) - sv * tb.output_basis.col(i)).norm() < 1e-12);
            CATCH_CHECK((A.transpose() * tb.output_basis.col(i) - sv * tb.latent_basis.col(i)).norm() < 1e-10);
        }
    }
}

CATCH_TEST_CASE("tangent: on an MLP the matrix-free methods agree with dense to 1e-10 where there is a spectral gap") {
    le::mlp_generator<double>::options o;
    o.pixel_norm_first = true;
    const auto mlp = le::mlp_generator<double>::random({64, 96, 96, 96, 200}, o, 5);
    const products_only<le::mlp_generator<double>> g{&mlp};
    auto rng = lw::test::rng(305);
    std::normal_distribution<double> nd;
    const Eigen::VectorXd z = Eigen::VectorXd::NullaryExpr(64, [&] { return nd(rng); });
    const auto all = lw::tangent_basis(g, z, 64, method_options(lw::tangent_method::dense));
    // The cut with the largest relative gap among k = 4 … 10.
    long long k = 4;
    double best = 0;
    for (long long j = 4; j <= 10; ++j) {
        const double gap = (all.singular_values[j - 1] - all.singular_values[j]) / all.singular_values[0];
        if (gap > best) best = gap, k = j;
    }
    CATCH_CAPTURE(k, best);
    CATCH_REQUIRE(best > 1e-3);
    const Eigen::MatrixXd Vd = all.latent_basis.leftCols(k), Ud = all.output_basis.leftCols(k);
    for (auto method : {lw::tangent_method::lanczos, lw::tangent_method::randomized}) {
        CATCH_CAPTURE(lw::to_string(method));
        auto opt = method_options(method, 1e-14);
        opt.power_iterations = 40;  // randomized subspace iteration on a flat spectrum needs many
        opt.oversampling = 20;
        const auto tb = lw::tangent_basis(g, z, k, opt);
        CATCH_CHECK(max_principal_angle(Vd, tb.latent_basis) < 1e-10);
        CATCH_CHECK(max_principal_angle(Ud, tb.output_basis) < 1e-10);
        CATCH_CHECK((tb.singular_values - all.singular_values.head(k)).cwiseAbs().maxCoeff() <
                    1e-10 * all.singular_values[0]);
    }
}

CATCH_TEST_CASE("tangent: the sign convention and the seed make results reproducible") {
    le::mlp_generator<double>::options o;
    o.hidden = le::activation::tanh;
    const auto mlp = le::mlp_generator<double>::random({20, 40, 60}, o, 9);
    const products_only<le::mlp_generator<double>> g{&mlp};
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(20, -2.0, 2.0);
    for (auto method : all_methods) {
        CATCH_CAPTURE(lw::to_string(method));
        const auto a = lw::tangent_basis(g, z, 3, method_options(method));
        const auto b = lw::tangent_basis(g, z, 3, method_options(method));
        CATCH_CHECK((a.latent_basis - b.latent_basis).cwiseAbs().maxCoeff() == 0.0);
        CATCH_CHECK((a.output_basis - b.output_basis).cwiseAbs().maxCoeff() == 0.0);
        CATCH_CHECK(follows_sign_convention(a.latent_basis));
        // uᵢ = J vᵢ / σᵢ, so the output side inherits the convention's sign.
        for (Eigen::Index i = 0; i < 3; ++i)
            CATCH_CHECK(mlp.jvp(z, a.latent_basis.col(i)).dot(a.output_basis.col(i)) > 0);
    }
}

CATCH_TEST_CASE("tangent: float backend agrees with double to float accuracy") {
    le::mlp_generator<double>::options od;
    od.hidden = le::activation::tanh;
    const auto gd = le::mlp_generator<double>::random({16, 32, 48}, od, 21);
    // The same weights in float.
    std::vector<le::mlp_generator<float>::layer> layers;
    for (const auto& L : gd.layers()) layers.push_back({L.weight.cast<float>(), L.bias.cast<float>()});
    le::mlp_generator<float>::options of;
    of.hidden = le::activation::tanh;
    const le::mlp_generator<float> gf(layers, of);
    const Eigen::VectorXd z = Eigen::VectorXd::LinSpaced(16, -1.0, 1.0);
    const auto ref = lw::tangent_basis(gd, z, 2, method_options(lw::tangent_method::dense));
    for (auto method : all_methods) {
        CATCH_CAPTURE(lw::to_string(method));
        lw::tangent_basis_options opt;
        opt.method = method;
        opt.power_iterations = 6;
        const auto tb = lw::tangent_basis(gf, Eigen::VectorXf(z.cast<float>()), 2, opt);
        CATCH_CHECK(max_principal_angle(ref.latent_basis, tb.latent_basis.cast<double>()) < 1e-3);
        CATCH_CHECK((tb.singular_values.cast<double>() - ref.singular_values).cwiseAbs().maxCoeff() <
                    1e-4 * ref.singular_values[0]);
    }
}

CATCH_TEST_CASE("tangent: dense gives the same triplets for tall, square and wide Jacobians (QR-preconditioned or direct)") {
    auto rng = lw::test::rng(306);
    std::normal_distribution<double> nd;
    for (auto [m, n] : {std::pair<Eigen::Index, Eigen::Index>{60, 10}, {10, 60}, {20, 20}, {25, 15}}) {
        CATCH_CAPTURE(m, n);
        const Eigen::MatrixXd A = Eigen::MatrixXd::NullaryExpr(m, n, [&] { return nd(rng); });
        const le::linear_generator<double> g(A);
        const long long r = std::min(m, n);
        const auto tb = lw::tangent_basis(g, Eigen::VectorXd(Eigen::VectorXd::Zero(n)), r,
                                          method_options(lw::tangent_method::dense));
        const Eigen::VectorXd s = Eigen::JacobiSVD<Eigen::MatrixXd>(A).singularValues();
        CATCH_CHECK((tb.singular_values - s).cwiseAbs().maxCoeff() < 1e-13 * s[0]);
        CATCH_CHECK((A * tb.latent_basis - tb.output_basis * tb.singular_values.asDiagonal()).norm() < 1e-13 * s[0]);
        CATCH_CHECK((A.transpose() * tb.output_basis - tb.latent_basis * tb.singular_values.asDiagonal()).norm() <
                    1e-13 * s[0]);
        CATCH_CHECK(orthonormality_error(tb.latent_basis) < 1e-13);
        CATCH_CHECK(orthonormality_error(tb.output_basis) < 1e-13);
        CATCH_CHECK(follows_sign_convention(tb.latent_basis));
    }
}
