// traversal: layer-range (W+) editing, latent-space tags, and the output side of subspace traversal.
#include <latentwalk/check_derivatives.hpp>
#include <latentwalk/latent_space.hpp>
#include <latentwalk/layer_range_edit.hpp>
#include <latentwalk/traversal/guided_curve_traversal.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "support/test_support.hpp"
#include "traversal_test_includes.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using Vec = Eigen::VectorXd;
using Mat = Eigen::MatrixXd;

/// A W+ synthesis whose output block l depends on layer l only: y_l = A_l tanh(w_l) (exact JVP).
struct separable_synthesis {
    using backend = le::backend<double>;
    std::vector<Mat> A;  // one m_l × d block per layer
    Eigen::Index d = 0;

    Eigen::Index layers() const { return static_cast<Eigen::Index>(A.size()); }
    Eigen::Index latent_dim() const { return layers() * d; }
    Eigen::Index output_dim() const {
        Eigen::Index m = 0;
        for (const auto& a : A) m += a.rows();
        return m;
    }
    lw::latent_space input_space() const { return lw::latent_space::w_plus; }
    lw::latent_space output_space() const { return lw::latent_space::image; }
    Eigen::Index offset(Eigen::Index l) const {
        Eigen::Index o = 0;
        for (Eigen::Index i = 0; i < l; ++i) o += A[static_cast<std::size_t>(i)].rows();
        return o;
    }
    Vec operator()(const Vec& w) const {
        Vec y(output_dim());
        for (Eigen::Index l = 0; l < layers(); ++l) {
            const auto& a = A[static_cast<std::size_t>(l)];
            y.segment(offset(l), a.rows()) = a * w.segment(l * d, d).array().tanh().matrix();
        }
        return y;
    }
    Vec jvp(const Vec& w, const Vec& v) const {
        Vec y(output_dim());
        for (Eigen::Index l = 0; l < layers(); ++l) {
            const auto& a = A[static_cast<std::size_t>(l)];
            const Vec t = w.segment(l * d, d).array().tanh().matrix();
            y.segment(offset(l), a.rows()) =
                a * ((1.0 - t.array().square()) * v.segment(l * d, d).array()).matrix();
        }
        return y;
    }
};

separable_synthesis make_synthesis(Eigen::Index layers, Eigen::Index d, std::mt19937_64& rng) {
    separable_synthesis s;
    s.d = d;
    for (Eigen::Index l = 0; l < layers; ++l) s.A.push_back(lw::test::random_matrix(2 + (l % 3), d, rng));
    return s;
}

bool same_bits(const Vec& a, const Vec& b) {
    return a.size() == b.size() &&
           std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0;
}

template <class F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const lw::invalid_argument_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

CATCH_TEST_CASE("traversal: a layer-range edit leaves the other layers' codes and outputs bit-identical") {
    auto rng = lw::test::rng(301);
    const Eigen::Index L = 6, d = 3;
    const auto s = make_synthesis(L, d, rng);
    const Vec w_plus = lw::test::random_vector(L * d, rng);
    const lw::layer_range range{2, 4};
    const lw::layer_range_edit edit(s, w_plus, L, range);
    CATCH_REQUIRE(edit.latent_dim() == d);
    CATCH_REQUIRE(edit.output_dim() == s.output_dim());
    const Vec delta = lw::test::random_vector(d, rng);
    const Vec code = edit.edited_code(delta);
    const Vec y0 = s(w_plus), y = edit(delta);
    for (Eigen::Index l = 0; l < L; ++l) {
        const bool inside = l >= range.start && l < range.end;
        const Vec cl = code.segment(l * d, d), bl = w_plus.segment(l * d, d);
        const Eigen::Index m = s.A[static_cast<std::size_t>(l)].rows();
        if (inside) {
            CATCH_CHECK(same_bits(cl, Vec(bl + delta)));
            CATCH_CHECK((y.segment(s.offset(l), m) - y0.segment(s.offset(l), m)).norm() > 1e-6);
        } else {
            CATCH_CHECK(same_bits(cl, bl));  // untouched, bit for bit
            CATCH_CHECK(same_bits(y.segment(s.offset(l), m), y0.segment(s.offset(l), m)));
        }
    }
    CATCH_CHECK(same_bits(edit(Vec::Zero(d)), y0));  // δ = 0 is the unedited code
}

CATCH_TEST_CASE("traversal: a layer-range edit is a Generator whose Jacobian sums the edited layers' blocks") {
    auto rng = lw::test::rng(302);
    const Eigen::Index L = 5, d = 3, m = 7;
    const Mat M = lw::test::random_matrix(m, L * d, rng);
    const le::linear_generator<double> linear(M);
    const Vec w_plus = lw::test::random_vector(L * d, rng);
    const lw::layer_range range{1, 4};
    const lw::layer_range_edit edit(linear, w_plus, L, range);
    Mat expected = Mat::Zero(m, d);
    for (long long l = range.start; l < range.end; ++l) expected += M.middleCols(l * d, d);
    const Vec delta = lw::test::random_vector(d, rng);
    CATCH_CHECK((lw::jacobian(edit, delta) - expected).norm() <= 1e-13);
    const Vec u = lw::test::random_vector(m, rng);
    CATCH_CHECK((lw::vjp(edit, delta, u) - expected.transpose() * u).norm() <= 1e-13);

    // tangent bases and curve traversal run on it: the closed forms of the summed block
    Eigen::JacobiSVD<Mat> svd(expected, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const auto tb = lw::tangent_basis(edit, delta, 2);
    CATCH_CHECK((tb.singular_values - svd.singularValues().head(2)).norm() <= 1e-12);
    const double eps = 0.05;
    const auto path = lw::curve_traversal(edit, delta, 0, 4, eps);
    const double s0 = svd.singularValues()(0);
    // the output moves ε per step along ±u₀, in the plane of the edited layers only
    CATCH_CHECK((path.outputs.back() - path.outputs[path.start_index]).norm() == Catch::Approx(4 * eps).epsilon(1e-10));
    CATCH_CHECK((path.points.back() - delta).norm() == Catch::Approx(4 * eps / s0).epsilon(1e-10));

    // derivatives of a non-linear synthesis through the wrapper pass the Taylor and adjoint checks
    const auto s = make_synthesis(L, d, rng);
    const lw::layer_range_edit nonlinear(s, w_plus, L, lw::layer_range{0, 2});
    CATCH_CHECK(lw::check_derivatives(nonlinear, delta).passed());
}

CATCH_TEST_CASE("traversal: the layer presets are StyleGAN's coarse, middle and fine splits of 18 layers") {
    const auto c = lw::layer_range_preset(lw::layer_preset::coarse);
    const auto m = lw::layer_range_preset(lw::layer_preset::middle);
    const auto f = lw::layer_range_preset(lw::layer_preset::fine);
    const auto a = lw::layer_range_preset(lw::layer_preset::all);
    CATCH_CHECK((c.start == 0 && c.end == 4));
    CATCH_CHECK((m.start == 4 && m.end == 8));
    CATCH_CHECK((f.start == 8 && f.end == 18));
    CATCH_CHECK((a.start == 0 && a.end == 18));
    const auto f14 = lw::layer_range_preset(lw::layer_preset::fine, 14);  // 256² StyleGAN2
    CATCH_CHECK((f14.start == 8 && f14.end == 14));
    CATCH_CHECK_THROWS_AS(lw::layer_range_preset(lw::layer_preset::fine, 8), lw::invalid_argument_error);

    auto rng = lw::test::rng(303);
    const auto s = make_synthesis(4, 2, rng);
    const Vec w_plus = lw::test::random_vector(8, rng);
    CATCH_CHECK_THROWS_AS(lw::layer_range_edit(s, w_plus, 4, lw::layer_range{3, 3}), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::layer_range_edit(s, w_plus, 4, lw::layer_range{2, 5}), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::layer_range_edit(s, w_plus, 3, lw::layer_range{0, 1}), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::layer_range_edit(s, Vec(w_plus.head(6)), 4, lw::layer_range{0, 1}), lw::dimension_error);
    const lw::layer_range_edit edit(s, w_plus, 4, lw::layer_range{0, 4});
    CATCH_CHECK_THROWS_AS(edit(Vec::Zero(3)), lw::dimension_error);
    const Vec w = lw::test::random_vector(2, rng);
    const Vec wp = lw::broadcast_to_layers<le::backend<double>>(w, 4);
    for (Eigen::Index l = 0; l < 4; ++l) CATCH_CHECK(same_bits(Vec(wp.segment(2 * l, 2)), w));
}

CATCH_TEST_CASE("traversal: a code or direction tagged with the wrong latent space throws a sentence naming both") {
    auto rng = lw::test::rng(304);
    const Mat A = lw::test::random_matrix(5, 3, rng);  // a "mapping network" Z (3) → W (5)
    const auto mapping = lw::with_spaces(le::linear_generator<double>(A), lw::latent_space::z, lw::latent_space::w);
    const Vec z0 = lw::test::random_vector(3, rng);
    const Vec d_w = lw::test::random_vector(5, rng), d_z = lw::test::random_vector(3, rng);
    const auto in_w = lw::tag(d_w, lw::latent_space::w);
    const auto in_z = lw::tag(d_z, lw::latent_space::z);

    // a W direction applied in Z: a sentence, not a silent walk
    const std::string msg = message_of([&] {
        lw::linear_traversal(mapping, z0, lw::tag(Vec(d_w.head(3)), lw::latent_space::w), 3, 0.1);
    });
    CATCH_CHECK(msg.find("latentwalk::linear_traversal: the direction is tagged as living in W") != std::string::npos);
    CATCH_CHECK(msg.find("input space is Z") != std::string::npos);
    CATCH_CHECK_THROWS_AS(lw::curve_traversal(mapping, lw::tag(z0, lw::latent_space::w), 0, 2, 0.1),
                          lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::guided_curve_traversal(mapping, z0, lw::tag(Vec(d_z.head(3)), lw::latent_space::z), 2, 0.1),
                          lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::project_onto_local_subspace(mapping, z0, in_w, 2), lw::invalid_argument_error);
    lw::subspace_traversal_options out;
    out.side = lw::subspace_side::output;
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(mapping, z0, in_z, 2, 2, 0.1, out), lw::invalid_argument_error);

    // the right spaces pass, and give what the untagged calls give
    CATCH_CHECK((lw::linear_traversal(mapping, z0, in_z, 3, 0.1).back() -
                 lw::linear_traversal(mapping, z0, d_z, 3, 0.1).back()).norm() == 0.0);
    CATCH_CHECK((lw::subspace_traversal(mapping, z0, in_w, 2, 2, 0.1, out).back() -
                 lw::subspace_traversal(mapping, z0, d_w, 2, 2, 0.1, out).back()).norm() == 0.0);
    CATCH_CHECK((lw::project_onto_local_subspace(mapping, lw::tag(z0, lw::latent_space::z), in_w, 2,
                                                 lw::subspace_side::output) -
                 lw::project_onto_local_subspace(mapping, z0, d_w, 2, lw::subspace_side::output)).norm() == 0.0);
    CATCH_CHECK(lw::guided_curve_traversal(mapping, z0, in_w, 2, 0.1).size() == 5);
    // untagged generators check nothing ("where the library can")
    CATCH_CHECK(lw::linear_traversal(le::linear_generator<double>(A), z0, lw::tag(d_z, lw::latent_space::w), 1, 0.1)
                    .size() == 2);

    // layer-range edits: the base must be W+, the edit W, the synthesis must take W+
    const auto s = make_synthesis(4, 2, rng);
    const Vec w_plus = lw::test::random_vector(8, rng);
    CATCH_CHECK_THROWS_AS(lw::layer_range_edit(s, lw::tag(w_plus, lw::latent_space::w), 4, lw::layer_range{0, 2}),
                          lw::invalid_argument_error);
    const lw::layer_range_edit edit(s, lw::tag(w_plus, lw::latent_space::w_plus), 4, lw::layer_range{0, 2});
    CATCH_CHECK(edit.input_space() == lw::latent_space::w);
    CATCH_CHECK(edit.output_space() == lw::latent_space::image);
    const Vec delta = lw::test::random_vector(2, rng);
    CATCH_CHECK(same_bits(edit.edited_code(lw::tag(delta, lw::latent_space::w)), edit.edited_code(delta)));
    CATCH_CHECK_THROWS_AS(edit.edited_code(lw::tag(delta, lw::latent_space::z)), lw::invalid_argument_error);
    const auto z_synthesis = lw::with_spaces(le::linear_generator<double>(lw::test::random_matrix(3, 8, rng)),
                                             lw::latent_space::z, lw::latent_space::image);
    CATCH_CHECK_THROWS_AS(lw::layer_range_edit(z_synthesis, w_plus, 4, lw::layer_range{0, 2}), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lw::linear_traversal(edit, Vec::Zero(2), lw::tag(delta, lw::latent_space::z), 1, 0.1),
                          lw::invalid_argument_error);
}

CATCH_TEST_CASE("traversal: output-side subspace traversal walks U_k U_kᵀ d on the manifold: closed form on a linear generator") {
    auto rng = lw::test::rng(305);
    const Mat A = lw::test::random_matrix(6, 4, rng);
    const Vec b = lw::test::random_vector(6, rng);
    const le::linear_generator<double> g(A, b);
    const Vec z0 = lw::test::random_vector(4, rng), d = lw::test::random_vector(6, rng);
    Eigen::JacobiSVD<Mat> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const long long N = 5;
    const double eps = 0.11;
    for (long long k : {1LL, 2LL, 4LL}) {
        const Mat Uk = svd.matrixU().leftCols(k), Vk = svd.matrixV().leftCols(k);
        const Vec p = Uk * (Uk.transpose() * d);
        const Vec sigma_inv = svd.singularValues().head(k).cwiseInverse();
        const Vec step = Vk * sigma_inv.asDiagonal() * (Uk.transpose() * d) / p.norm();
        lw::subspace_traversal_options o;
        o.side = lw::subspace_side::output;
        const auto path = lw::subspace_traversal(g, z0, d, k, N, eps, o);
        CATCH_REQUIRE(path.size() == static_cast<std::size_t>(2 * N + 1));
        for (std::size_t i = 0; i < path.size(); ++i) {
            const double s = static_cast<double>(static_cast<long long>(i) - N);
            CATCH_CHECK((path.points[i] - (z0 + s * eps * step)).norm() <= 1e-12);
            CATCH_CHECK((path.outputs[i] - (g(z0) + s * eps * p / p.norm())).norm() <= 1e-12);  // ε per step in W
            CATCH_CHECK(path.diagnostic("retained")[i] == Catch::Approx(p.norm() / d.norm()).epsilon(1e-12));
        }
        // the latent side with the pulled-back direction Aᵀd is a different walk: it moves the latent ε per step
        const Vec dz = A.transpose() * d;
        const auto latent = lw::subspace_traversal(g, z0, dz, k, N, eps);
        CATCH_CHECK((latent.points.back() - z0).norm() == Catch::Approx(N * eps).epsilon(1e-12));
        if (k < 4) CATCH_CHECK((latent.points.back() - path.points.back()).norm() > 1e-3);
    }
    lw::subspace_traversal_options o;
    o.side = lw::subspace_side::output;
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(g, z0, z0, 2, N, eps, o), lw::dimension_error);  // a Z vector
    CATCH_CHECK_THROWS_AS(lw::subspace_traversal(g, z0, Vec(Vec::Zero(6)), 2, N, eps, o), lw::numerical_error);
}
