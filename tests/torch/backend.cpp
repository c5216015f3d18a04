// torch: the LibTorch backend's primitives, and agreement of the core algorithms on torch with the
// Eigen reference (one test body per torch configuration: CPU double, CPU double batched, CPU float,
// CUDA double when a GPU exists).
// Only the headers used here (not the umbrellas), so that other areas' work in progress cannot break this build.
#include <latentwalk/check_derivatives.hpp>
#include <latentwalk/density/standard_gaussian.hpp>
#include <latentwalk/derivatives.hpp>
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/density/density_preserving_walk.hpp>
#include <latentwalk/density/diagonal_gaussian.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/principal_angles.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>
#include <latentwalk/pde/laplacian.hpp>
#include <latentwalk/pde/wave_residual.hpp>
#include <latentwalk/potentials/quadratic_potential.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/traversal/linear_traversal.hpp>
#include <latentwalk/traversal/potential_flow.hpp>
#include <latentwalk/traversal/subspace_traversal.hpp>

#include <torch/cuda.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
namespace lt = latentwalk::torch;

namespace {

using TD = lw::backend_traits<lt::backend<double>>;
using TF = lw::backend_traits<lt::backend<float>>;

at::Tensor tensor_of(const Eigen::MatrixXd& A) {  // r×c → [r, c]
    auto t = at::empty({A.rows(), A.cols()}, at::kDouble);
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j) t[i][j] = A(i, j);
    return t;
}
at::Tensor tensor_of(const Eigen::VectorXd& x) {
    auto t = at::empty({x.size()}, at::kDouble);
    for (Eigen::Index i = 0; i < x.size(); ++i) t[i] = x[i];
    return t;
}
Eigen::MatrixXd matrix_of(const at::Tensor& t) {  // [r, c] → r×c
    const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::MatrixXd A(h.size(0), h.size(1));
    for (Eigen::Index i = 0; i < A.rows(); ++i)
        for (Eigen::Index j = 0; j < A.cols(); ++j) A(i, j) = h[i][j].item<double>();
    return A;
}
Eigen::VectorXd vector_of(const at::Tensor& t) {
    const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
    Eigen::VectorXd x(h.size(0));
    for (Eigen::Index i = 0; i < x.size(); ++i) x[i] = h[i].item<double>();
    return x;
}
double max_rel(const Eigen::MatrixXd& got, const Eigen::MatrixXd& want) {
    return (got - want).cwiseAbs().maxCoeff() / std::max(want.cwiseAbs().maxCoeff(), 1e-300);
}

// ---- the configurations one test body runs on -----------------------------------------------------

template <class Scalar, bool Batched, bool Cuda>
struct torch_case {
    using B = lt::backend<Scalar>;
    using T = lw::backend_traits<B>;
    static constexpr double tol = std::is_same_v<Scalar, double> ? 1e-10 : 1e-4;
    static constexpr int samples = Batched ? 3 : 1;
    static const char* label() {
        return Cuda ? "torch CUDA double" : Batched ? "torch CPU double, batch of 3" : std::is_same_v<Scalar, double> ? "torch CPU double" : "torch CPU float";
    }
    static bool available() {
        if (!Cuda) return true;
        if (::torch::cuda::is_available()) return true;
        std::cout << "torch: CUDA case skipped (no CUDA device: torch::cuda::is_available() is false)\n";
        CATCH_WARN("CUDA case skipped: torch::cuda::is_available() is false on this machine");
        return false;
    }
    static at::TensorOptions opts() { return at::TensorOptions().dtype(lt::dtype_of<Scalar>).device(Cuda ? at::kCUDA : at::kCPU); }
    /// The samples' latent codes as one torch vector ([n] or [samples, n]).
    static lt::vector<Scalar> vec(const std::vector<Eigen::VectorXd>& zs) {
        if (!Batched) return tensor_of(zs.at(0)).to(opts());
        std::vector<at::Tensor> rows;
        for (int b = 0; b < samples; ++b) rows.push_back(tensor_of(zs.at(b)));
        return at::stack(rows).to(opts());
    }
    /// Matrices as one torch matrix ([r, c] or [samples, r, c]).
    static lt::matrix<Scalar> mats(const std::vector<Eigen::MatrixXd>& As) {
        if (!Batched) return tensor_of(As.at(0)).to(opts());
        std::vector<at::Tensor> ts;
        for (int b = 0; b < samples; ++b) ts.push_back(tensor_of(As.at(b)));
        return at::stack(ts).to(opts());
    }
    /// An unbatched vector (a model parameter) on this configuration's dtype and device.
    static lt::vector<Scalar> param(const Eigen::VectorXd& x) { return tensor_of(x).to(opts()); }
    static lt::matrix<Scalar> param(const Eigen::MatrixXd& A) { return tensor_of(A).to(opts()); }
    /// Sample b of a batched vector (b < 0: the vector as it is).
    static lt::vector<Scalar> slice(const lt::vector<Scalar>& x, int b) {
        return b < 0 ? x : lt::vector<Scalar>(x.tensor()[b].clone());
    }
    static Eigen::VectorXd sample(const at::Tensor& t, int b) { return vector_of(Batched ? t[b] : t); }
    static Eigen::MatrixXd sample_matrix(const at::Tensor& t, int b) { return matrix_of(Batched ? t[b] : t); }
    static double sample_scalar(const at::Tensor& t, int b) {
        return (Batched ? t[b] : t).to(at::kCPU, at::kDouble).item<double>();
    }
    /// The Eigen MLP's weights in a torch function: the same model on this backend.
    static lt::module_generator<Scalar> mlp(const le::mlp_generator<double>& ref) {
        std::vector<std::pair<at::Tensor, at::Tensor>> layers;
        for (const auto& L : ref.layers()) layers.emplace_back(tensor_of(L.weight).to(opts()), tensor_of(L.bias).to(opts()));
        const auto o = ref.settings();
        auto act = [](le::activation a, const at::Tensor& x, double slope) {
            switch (a) {
                case le::activation::tanh: return x.tanh();
                case le::activation::leaky_relu: return at::leaky_relu(x, slope);
                default: return x;
            }
        };
        auto f = [layers, o, act](const at::Tensor& z) {
            at::Tensor x = o.pixel_norm_first ? z / ((z * z).mean(-1, true) + o.pixel_norm_epsilon).sqrt() : z;
            for (std::size_t l = 0; l < layers.size(); ++l)
                x = act(l + 1 == layers.size() ? o.output : o.hidden, at::linear(x, layers[l].first, layers[l].second),
                        o.leaky_slope);
            return x;
        };
        return {f, ref.layers().front().weight.cols(), ref.layers().back().weight.rows()};
    }
};

using cpu_double = torch_case<double, false, false>;
using cpu_double_batched = torch_case<double, true, false>;
using cpu_float = torch_case<float, false, false>;
using cuda_double = torch_case<double, true, true>;

/// Sample `index` of a batched result, or the whole unbatched result when index < 0.
Eigen::VectorXd pick(const at::Tensor& t, int index) { return vector_of(index < 0 ? t : t[index]); }
Eigen::MatrixXd pick_matrix(const at::Tensor& t, int index) { return matrix_of(index < 0 ? t : t[index]); }

/// Runs an algorithm on the whole batch and checks every sample; an algorithm that reads per-sample
/// host values (T::host_value) refuses a batch with dimension_error, and then it runs sample by
/// sample and the test says so. run(b): the result for sample b, or for the whole batch when b < 0;
/// check(result, index, b): compare sample b, found at `index` in the result (< 0: unbatched).
template <class P, class Run, class Check>
void each_sample(const char* what, Run&& run, Check&& check) {
    if (P::samples > 1) {
        try {
            const auto r = run(-1);
            for (int b = 0; b < P::samples; ++b) check(r, b, b);
            return;
        } catch (const lw::dimension_error& e) {
            CATCH_WARN(what << " runs one latent code at a time, so it ran sample by sample: " << e.what());
        }
    }
    for (int b = 0; b < P::samples; ++b) check(run(P::samples > 1 ? b : -1), -1, b);
}

le::mlp_generator<double> reference_mlp() {
    le::mlp_generator<double>::options o;
    o.hidden = le::activation::tanh;
    o.pixel_norm_first = true;
    return le::mlp_generator<double>::random({6, 10, 9, 7}, o, 31);
}

std::vector<Eigen::VectorXd> latent_codes(Eigen::Index n, std::uint64_t salt) {
    auto rng = lw::test::rng(salt);
    std::normal_distribution<double> nd;
    std::vector<Eigen::VectorXd> zs;
    for (int b = 0; b < 3; ++b) {
        Eigen::VectorXd z(n);
        for (auto& x : z) x = nd(rng);
        zs.push_back(z);
    }
    return zs;
}

/// A generator whose JVP is 10 % too long: check_derivatives must catch it.
template <class G>
struct wrong_jvp {
    G g;
    using backend = typename G::backend;
    using vec = lw::vector_t<backend>;
    auto latent_dim() const { return g.latent_dim(); }
    auto output_dim() const { return g.output_dim(); }
    vec operator()(const vec& z) const { return g(z); }
    vec jvp(const vec& z, const vec& v) const { return lw::backend_traits<backend>::scale(g.jvp(z, v), 1.1); }
    vec vjp(const vec& z, const vec& u) const { return g.vjp(z, u); }
};

}  // namespace

// ---- the primitives --------------------------------------------------------------------------------

CATCH_TEST_CASE("torch: new objects take dtype, device and batch shape from their like argument") {
    static_assert(lw::Backend<lt::backend<double>> && lw::Backend<lt::backend<float>>);
    const lt::vector<float> xv = at::ones({2, 3, 5}, at::kFloat);  // batch [2, 3] of 5-vectors
    const lt::matrix<double> xm = at::ones({4, 5}, at::kDouble);    // one 4×5 matrix: batch []
    auto rng = lw::test::rng(1);
    CATCH_CHECK(TF::zeros(xv, 7).tensor().sizes() == at::IntArrayRef({2, 3, 7}));
    CATCH_CHECK(TF::zeros(xv, 2, 4).tensor().sizes() == at::IntArrayRef({2, 3, 2, 4}));
    CATCH_CHECK(TF::identity(xv, 3).tensor().sizes() == at::IntArrayRef({2, 3, 3, 3}));
    CATCH_CHECK(TF::random_normal(xv, 4, 2, rng).tensor().sizes() == at::IntArrayRef({2, 3, 4, 2}));
    CATCH_CHECK(TF::zeros(xv, 7).tensor().scalar_type() == at::kFloat);
    CATCH_CHECK(TD::zeros(xm, 7).tensor().sizes() == at::IntArrayRef({7}));
    CATCH_CHECK(TD::zeros(xm, 2, 2).tensor().sizes() == at::IntArrayRef({2, 2}));
    CATCH_CHECK(TD::fill(xm, 3, 2.5).tensor().scalar_type() == at::kDouble);
    const auto e = TF::unit(xv, 4, 2);
    const auto host = TF::to_host(e);
    CATCH_REQUIRE(host.size() == 24u);
    for (std::size_t k = 0; k < host.size(); ++k) CATCH_CHECK(host[k] == (k % 4 == 2 ? 1.0 : 0.0));
    const std::vector<double> vals{1.5, -2.0, 3.25};
    const auto fv = TF::from_values(xv, vals);
    CATCH_CHECK(fv.tensor().sizes() == at::IntArrayRef({2, 3, 3}));
    CATCH_CHECK(TF::to_host(lt::vector<float>(TF::sum(fv).unsqueeze(-1))) == std::vector<double>(6, 2.75));
    CATCH_CHECK(TD::to_host(TD::from_values(xm, vals)) == vals);
    CATCH_CHECK(std::string(TD::name) == "torch<double>");
}

CATCH_TEST_CASE("torch: random_normal draws what the Eigen backend draws from the same RNG state") {
    using E = lw::backend_traits<le::backend<double>>;
    auto r1 = lw::test::rng(2), r2 = lw::test::rng(2);
    const Eigen::VectorXd ev = E::random_normal(Eigen::VectorXd(), 6, r1);
    const Eigen::MatrixXd em = E::random_normal(Eigen::VectorXd(), 4, 3, r1);
    const lt::vector<double> like = at::zeros({1}, at::kDouble);
    const auto tv = TD::random_normal(like, 6, r2);
    const auto tm = TD::random_normal(like, 4, 3, r2);
    CATCH_CHECK((vector_of(tv.tensor()) - ev).cwiseAbs().maxCoeff() == 0.0);
    CATCH_CHECK((matrix_of(tm.tensor()) - em).cwiseAbs().maxCoeff() == 0.0);
    // A batch draws sample after sample: its first sample is the unbatched draw.
    auto r3 = lw::test::rng(2);
    const lt::vector<double> like3 = at::zeros({3, 1}, at::kDouble);
    const auto bv = TD::random_normal(like3, 6, r3);
    CATCH_CHECK((vector_of(bv.tensor()[0]) - ev).cwiseAbs().maxCoeff() == 0.0);
    CATCH_CHECK((vector_of(bv.tensor()[1]) - ev).cwiseAbs().maxCoeff() > 0.0);
}

CATCH_TEST_CASE("torch: batched factorizations and products agree with Eigen sample by sample") {
    auto rng = lw::test::rng(3);
    std::vector<Eigen::MatrixXd> As;
    std::vector<at::Tensor> ts;
    for (int b = 0; b < 3; ++b) {
        As.push_back(lw::test::random_matrix(6, 4, rng));
        ts.push_back(tensor_of(As.back()));
    }
    const lt::matrix<double> A = at::stack(ts);  // [3, 6, 4]
    const lt::vector<double> x = at::linspace(-1.0, 2.0, 4, at::kDouble);  // unbatched: broadcasts
    const lt::vector<double> y = at::linspace(0.5, -0.5, 6, at::kDouble);
    const auto qr = TD::thin_qr(A);
    const auto svd = TD::thin_svd(A);
    const auto AtA = TD::tmatmul(A, A);
    const auto eig = TD::sym_eig(AtA);
    const auto Ax = TD::matvec(A, x);
    const auto Aty = TD::tmatvec(A, y);
    const auto AAt = TD::matmul(A, TD::transpose(A));
    for (int b = 0; b < 3; ++b) {
        const Eigen::MatrixXd& Ab = As[b];
        const Eigen::MatrixXd Q = matrix_of(qr.Q.tensor()[b]), R = matrix_of(qr.R.tensor()[b]);
        CATCH_CHECK(max_rel(Q * R, Ab) < 1e-14);
        CATCH_CHECK((Q.transpose() * Q - Eigen::MatrixXd::Identity(4, 4)).cwiseAbs().maxCoeff() < 1e-14);
        CATCH_CHECK(R.triangularView<Eigen::StrictlyLower>().toDenseMatrix().cwiseAbs().maxCoeff() == 0.0);
        const Eigen::JacobiSVD<Eigen::MatrixXd> ref(Ab, Eigen::ComputeThinU | Eigen::ComputeThinV);
        const Eigen::VectorXd S = vector_of(svd.S.tensor()[b]);
        CATCH_CHECK(max_rel(S, ref.singularValues()) < 1e-13);
        const Eigen::MatrixXd U = matrix_of(svd.U.tensor()[b]), V = matrix_of(svd.V.tensor()[b]);
        CATCH_CHECK(max_rel(U * S.asDiagonal() * V.transpose(), Ab) < 1e-13);
        const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Ab.transpose() * Ab);
        CATCH_CHECK(max_rel(vector_of(eig.values.tensor()[b]), es.eigenvalues()) < 1e-13);
        const Eigen::MatrixXd W = matrix_of(eig.vectors.tensor()[b]);
        CATCH_CHECK(max_rel(W * es.eigenvalues().asDiagonal() * W.transpose(), Ab.transpose() * Ab) < 1e-13);
        CATCH_CHECK(max_rel(vector_of(Ax.tensor()[b]), Ab * vector_of(x.tensor())) < 1e-14);
        CATCH_CHECK(max_rel(vector_of(Aty.tensor()[b]), Ab.transpose() * vector_of(y.tensor())) < 1e-14);
        CATCH_CHECK(max_rel(matrix_of(AAt.tensor()[b]), Ab * Ab.transpose()) < 1e-14);
    }
}

CATCH_TEST_CASE("torch: per-sample scalars, norms and element-wise maps act on each sample of a batch") {
    const lt::vector<double> x = at::tensor({3.0, 4.0, 0.0, -1.0, 1e200, 1e200, -5e-200, 12e-200}, at::kDouble).reshape({4, 2});
    const auto n = TD::norm(x);  // [4]: 5, 1, sqrt(2) 1e200 (no overflow), 13e-200 (no underflow)
    CATCH_REQUIRE(n.sizes() == at::IntArrayRef({4}));
    CATCH_CHECK(n[0].item<double>() == Catch::Approx(5.0).epsilon(1e-15));
    CATCH_CHECK(n[1].item<double>() == 1.0);
    CATCH_CHECK(n[2].item<double>() == Catch::Approx(std::sqrt(2.0) * 1e200).epsilon(1e-15));
    CATCH_CHECK(n[3].item<double>() == Catch::Approx(13e-200).epsilon(1e-15));
    const auto unit = TD::scale(x, 1.0 / n);  // a per-sample scalar scales its own sample
    for (double v : TD::to_host(lt::vector<double>(TD::norm(unit)))) CATCH_CHECK(v == Catch::Approx(1.0).epsilon(1e-15));
    const auto d = TD::dot(x, TD::fill(x, 2, 1.0));
    const auto dh = TD::to_host(lt::vector<double>(d));
    CATCH_CHECK(std::vector<double>(dh.begin(), dh.begin() + 3) == std::vector<double>({7.0, -1.0, 2e200}));
    CATCH_CHECK(dh[3] == Catch::Approx(7e-200).epsilon(1e-15));
    CATCH_CHECK(TD::host_max(TD::element(x, 1)) == 1e200);
    CATCH_CHECK(TD::max_abs(x) == 1e200);
    const auto y = TD::axpy(at::tensor({1.0, 2.0, 0.0, 0.0}, at::kDouble), x, TD::reverse(x));
    CATCH_CHECK(TD::to_host(TD::head(y, 1)) == std::vector<double>({1.0 * 3.0 + 4.0, 2.0 * 0.0 - 1.0, 0.0 * 1e200 + 1e200, 0.0 * -5e-200 + 12e-200}));
    CATCH_CHECK(TD::to_host(TD::cwise_max(x, TD::cwise_min(x, TD::fill(x, 2, 0.0)))) == TD::to_host(x));
    CATCH_CHECK(TD::host_value(TD::dot(lt::vector<double>(at::ones({3}, at::kDouble)), lt::vector<double>(at::ones({3}, at::kDouble)))) == 3.0);
    CATCH_REQUIRE_THROWS_AS(TD::host_value(n), lw::dimension_error);
    // One non-finite entry anywhere in the batch is seen by the host reduction.
    auto bad = x.tensor().clone();
    CATCH_CHECK(TD::all_finite(lt::vector<double>(bad)));
    bad[2][1] = std::numeric_limits<double>::quiet_NaN();
    CATCH_CHECK_FALSE(TD::all_finite(lt::vector<double>(bad)));
}

CATCH_TEST_CASE("torch: vectors and matrices copy like Eigen objects, and results never alias their arguments") {
    lt::matrix<double> A = at::zeros({3, 2}, at::kDouble);
    const lt::matrix<double> original = A;  // a copy: owns its data
    TD::set_col(A, 1, lt::vector<double>(at::ones({3}, at::kDouble)));
    CATCH_CHECK(TD::max_abs(original) == 0.0);
    CATCH_CHECK(TD::max_abs(TD::col(A, 1)) == 1.0);
    const auto c0 = TD::col(A, 1);
    const auto At = TD::transpose(A);
    TD::set_col(A, 1, lt::vector<double>(at::full({3}, 5.0, at::kDouble)));
    CATCH_CHECK(TD::max_abs(c0) == 1.0);
    CATCH_CHECK(TD::max_abs(At) == 1.0);
    // A batched column written into an unbatched matrix gives the matrix the batch.
    TD::set_col(A, 0, lt::vector<double>(at::arange(6, at::kDouble).reshape({2, 3})));
    CATCH_CHECK(A.tensor().sizes() == at::IntArrayRef({2, 3, 2}));
    CATCH_CHECK(A.tensor()[1][2][0].item<double>() == 5.0);
    CATCH_CHECK(A.tensor()[1][2][1].item<double>() == 5.0);
    const auto H = TD::hcat(A, TD::block_cols(lt::matrix<double>(at::eye(3, at::kDouble)), 1, 2));  // broadcasts
    CATCH_CHECK(H.tensor().sizes() == at::IntArrayRef({2, 3, 4}));
    CATCH_CHECK(H.tensor()[0][1][2].item<double>() == 1.0);
}

// ---- agreement of the core algorithms with the Eigen reference ---------------------------------------
// One body per algorithm, a function template run on each configuration in its own section (one
// test process for the four: LibTorch takes about a second to load per process).
#define LATENTWALK_AGREEMENT_CASE(name, body)                        \
    CATCH_TEST_CASE(name, "[agreement]") {                           \
        CATCH_SECTION("torch CPU double") { body<cpu_double>(); }    \
        CATCH_SECTION("torch CPU double, batch of 3") { body<cpu_double_batched>(); } \
        CATCH_SECTION("torch CPU float") { body<cpu_float>(); }      \
        CATCH_SECTION("torch CUDA double") { body<cuda_double>(); }  \
    }


template <class TestType>
void derivation_layer_agreement() {
    using P = TestType;
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 4), vs = latent_codes(6, 5);
    std::vector<Eigen::VectorXd> us;
    for (const auto& u : latent_codes(7, 6)) us.push_back(u);
    const auto z = P::vec(zs), v = P::vec(vs), u = P::vec(us);
    const auto J = lw::jacobian(g, z);
    const auto Jv = lw::jvp(g, z, v);
    const auto Jtu = lw::vjp(g, z, u);
    const auto f = g(z);
    double worst = 0;
    for (int b = 0; b < P::samples; ++b) {
        worst = std::max(worst, max_rel(P::sample(f.tensor(), b), ref(zs[b])));
        worst = std::max(worst, max_rel(P::sample_matrix(J.tensor(), b), lw::jacobian(ref, zs[b])));
        worst = std::max(worst, max_rel(P::sample(Jv.tensor(), b), lw::jvp(ref, zs[b], vs[b])));
        worst = std::max(worst, max_rel(P::sample(Jtu.tensor(), b), lw::vjp(ref, zs[b], us[b])));
    }
    CATCH_INFO(P::label() << ": largest relative difference " << worst);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(lw::detail::jacobian_product_count(g) == 6);  // n = 6 ≤ m = 7: six batched JVPs
}
LATENTWALK_AGREEMENT_CASE("torch: jacobian, jvp and vjp through the derivation layer agree with Eigen", derivation_layer_agreement)

template <class TestType>
void derivative_check_agreement() {
    using P = TestType;
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto z = P::vec(latent_codes(6, 7));
    const auto report = lw::check_derivatives(g, z);
    CATCH_INFO(P::label() << "\n" << report.summary());
    CATCH_CHECK(report.passed());
    CATCH_CHECK(report.jvp.order == Catch::Approx(2.0).margin(0.3));
    // Unbatched, the random directions are the Eigen reference's own draws: the remainders agree.
    const auto eref = lw::check_derivatives(ref, latent_codes(6, 7)[0]);
    CATCH_CHECK(eref.passed());
    if constexpr (P::samples == 1 && std::is_same_v<typename P::B, lt::backend<double>>)
        CATCH_CHECK(report.jvp.remainders[0] == Catch::Approx(eref.jvp.remainders[0]).epsilon(1e-8));

    const wrong_jvp<decltype(g)> bad{g};
    const auto failed = lw::check_derivatives(bad, z);
    CATCH_INFO(failed.summary());
    CATCH_CHECK_FALSE(failed.jvp.passed);
    CATCH_CHECK_FALSE(failed.adjoint_passed);
    CATCH_CHECK(failed.jvp.order < 1.5);
}
LATENTWALK_AGREEMENT_CASE("torch: check_derivatives runs on torch and tells a right JVP from a wrong one", derivative_check_agreement)

template <class TestType>
void standard_gaussian_agreement() {
    using P = TestType;
    if (!P::available()) return;
    const lw::standard_gaussian<typename P::B> p(5);
    const lw::standard_gaussian<le::backend<double>> ref(5);
    const auto zs = latent_codes(5, 8);
    const auto z = P::vec(zs);
    const auto logp = p.log_density(z);
    const auto score = p.score(z);
    const double c = ref.max_log_density() - 3.0;
    const auto proj = p.project_to_level(z, c);
    const auto logp_proj = p.log_density(proj);
    double worst = 0;
    for (int b = 0; b < P::samples; ++b) {
        worst = std::max(worst, lw::test::rel_diff(P::sample_scalar(logp, b), ref.log_density(zs[b])));
        worst = std::max(worst, max_rel(P::sample(score.tensor(), b), ref.score(zs[b])));
        worst = std::max(worst, max_rel(P::sample(proj.tensor(), b), ref.project_to_level(zs[b], c)));
        worst = std::max(worst, lw::test::rel_diff(P::sample_scalar(logp_proj, b), c));
    }
    CATCH_INFO(P::label() << ": largest relative difference " << worst);
    CATCH_CHECK(worst < P::tol);
    // Bad input: the same exceptions as on Eigen, and z is left as it was.
    const auto before = lw::backend_traits<typename P::B>::to_host(z);
    CATCH_REQUIRE_THROWS_AS(p.project_to_level(z, ref.max_log_density() + 1.0), lw::invalid_argument_error);
    CATCH_REQUIRE_THROWS_AS(p.project_to_level(lw::backend_traits<typename P::B>::zeros(z, 5), c), lw::numerical_error);
    CATCH_REQUIRE_THROWS_AS(p.log_density(lw::backend_traits<typename P::B>::zeros(z, 4)), lw::dimension_error);
    CATCH_CHECK(lw::backend_traits<typename P::B>::to_host(z) == before);
}
LATENTWALK_AGREEMENT_CASE("torch: standard_gaussian log_density, score and level projection agree with Eigen", standard_gaussian_agreement)

template <class TestType>
void tangent_basis_agreement() {
    using P = TestType;
    if (!P::available()) return;
    const auto ref = reference_mlp();  // 6 → 7
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 9);
    const auto z = P::vec(zs);
    // Subspaces of the same data: geodesic distance between torch's and Eigen's bases (0 exactly).
    const double sub_tol = P::tol;
    for (auto method : {lw::tangent_method::dense, lw::tangent_method::lanczos, lw::tangent_method::randomized}) {
        lw::tangent_basis_options o;
        o.method = method;
        double sv = 0, d_out = 0, d_lat = 0;
        bool converged = true;
        each_sample<P>(
            "tangent_basis", [&](int b) { return lw::tangent_basis(g, P::slice(z, b), 3, o); },
            [&](const auto& tb, int index, int b) {
                const auto eb = lw::tangent_basis(ref, zs[b], 3, o);
                sv = std::max(sv, max_rel(pick(tb.singular_values.tensor(), index), eb.singular_values));
                const Eigen::MatrixXd U = pick_matrix(tb.output_basis.tensor(), index);
                const Eigen::MatrixXd V = pick_matrix(tb.latent_basis.tensor(), index);
                d_out = std::max(d_out, lw::grassmann_distance(U, eb.output_basis, lw::grassmann_metric::geodesic));
                d_lat = std::max(d_lat, lw::grassmann_distance(V, eb.latent_basis, lw::grassmann_metric::geodesic));
                converged = converged && tb.report.converged;
            });
        CATCH_INFO(P::label() << ", " << lw::to_string(method) << ": singular values " << sv << ", subspace distances "
                              << d_out << " (output), " << d_lat << " (latent)");
        CATCH_CHECK(sv < P::tol);
        CATCH_CHECK(d_out < sub_tol);
        CATCH_CHECK(d_lat < sub_tol);
        CATCH_CHECK(converged);
    }
}
LATENTWALK_AGREEMENT_CASE("torch: tangent_basis by every method agrees with Eigen on singular values and subspaces", tangent_basis_agreement)

CATCH_TEST_CASE("torch: column_signs gives each column's sign of its largest entry, sample by sample, as Eigen does") {
    using E = lw::backend_traits<le::backend<double>>;
    // Columns: largest entry negative; positive; a tie |−2| = |2| (the first wins); zero.
    Eigen::MatrixXd A0(3, 4), A1(3, 4);
    A0 << -3, 1, -2, 0,  //
        1, 0.5, 2, 0,    //
        2, -0.25, 1, 0;
    A1 = -A0;
    const lt::matrix<double> A = at::stack({tensor_of(A0), tensor_of(A1)});  // [2, 3, 4]
    const auto s = TD::column_signs(A);
    CATCH_REQUIRE(s.tensor().sizes() == at::IntArrayRef({2, 4}));
    CATCH_CHECK(vector_of(s.tensor()[0]) == E::column_signs(A0));
    CATCH_CHECK(vector_of(s.tensor()[1]) == E::column_signs(A1));
    CATCH_CHECK(E::column_signs(A0) == Eigen::Vector4d(-1, 1, -1, 1));
    CATCH_CHECK(E::column_signs(A1) == Eigen::Vector4d(1, -1, 1, 1));  // the zero column stays +1
    const auto sf = TF::column_signs(lt::matrix<float>(A.tensor().to(at::kFloat)));
    CATCH_CHECK(sf.tensor().to(at::kDouble).equal(s.tensor()));
    CATCH_CHECK(TD::column_signs(lt::matrix<double>(at::zeros({2, 0, 3}, at::kDouble))).tensor().equal(at::ones({2, 3}, at::kDouble)));
}

namespace {

/// Largest principal angle between the spans of two bases (radians).
double largest_angle(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
    return lw::principal_angles(A, B).angles.maxCoeff();
}

/// tangent_basis on a batch of 4 latent codes in one call, against the per-sample loop on the same
/// backend and against the Eigen reference: singular values, subspaces (principal angles) and the
/// bases themselves (the sign convention is applied per sample), and the product counts (a batch
/// costs what one latent code costs, each product being batched).
template <class Scalar, bool Cuda>
void batched_tangent_basis_body() {
    const at::Device device = Cuda ? at::kCUDA : at::kCPU;
    const double tol = std::is_same_v<Scalar, double> ? 1e-10 : 1e-4;
    const auto opts = at::TensorOptions().dtype(lt::dtype_of<Scalar>).device(device);
    const auto ref = reference_mlp();  // 6 → 7
    using P = torch_case<Scalar, false, Cuda>;
    const auto g = P::mlp(ref);
    auto zs = latent_codes(6, 11);
    zs.push_back(latent_codes(6, 12)[0]);
    std::vector<at::Tensor> rows;
    for (const auto& zb : zs) rows.push_back(tensor_of(zb));
    const lt::vector<Scalar> z = at::stack(rows).to(opts);  // [4, 6]
    const auto z_before = z.tensor().clone();
    for (auto method : {lw::tangent_method::dense, lw::tangent_method::randomized}) {
        lw::tangent_basis_options o;
        o.method = method;
        o.check_adjoint = true;
        const auto tb = lw::tangent_basis(g, z, 3, o);
        CATCH_REQUIRE(tb.output_basis.tensor().sizes() == at::IntArrayRef({4, 7, 3}));
        CATCH_REQUIRE(tb.latent_basis.tensor().sizes() == at::IntArrayRef({4, 6, 3}));
        CATCH_REQUIRE(tb.singular_values.tensor().sizes() == at::IntArrayRef({4, 3}));
        CATCH_CHECK(tb.report.method == method);
        CATCH_CHECK(tb.report.converged);
        double sv_loop = 0, sv_eigen = 0, basis_loop = 0, angle_loop = 0, angle_eigen = 0;
        for (int b = 0; b < 4; ++b) {
            const auto one = lw::tangent_basis(g, lt::vector<Scalar>(z.tensor()[b].clone()), 3, o);
            const auto eb = lw::tangent_basis(ref, zs[b], 3, o);
            const Eigen::VectorXd S = vector_of(tb.singular_values.tensor()[b]);
            const Eigen::MatrixXd U = matrix_of(tb.output_basis.tensor()[b]), V = matrix_of(tb.latent_basis.tensor()[b]);
            const Eigen::MatrixXd U1 = matrix_of(one.output_basis.tensor()), V1 = matrix_of(one.latent_basis.tensor());
            sv_loop = std::max(sv_loop, max_rel(S, vector_of(one.singular_values.tensor())));
            sv_eigen = std::max(sv_eigen, max_rel(S, eb.singular_values));
            basis_loop = std::max({basis_loop, max_rel(U, U1), max_rel(V, V1)});
            angle_loop = std::max({angle_loop, largest_angle(U, U1), largest_angle(V, V1)});
            angle_eigen = std::max({angle_eigen, largest_angle(U, eb.output_basis), largest_angle(V, eb.latent_basis)});
            // Same signs as Eigen: uᵢ·uᵢ(Eigen) > 0 for every i.
            CATCH_CHECK((U.transpose() * eb.output_basis).diagonal().minCoeff() > 0.5);
            CATCH_CHECK((V.transpose() * eb.latent_basis).diagonal().minCoeff() > 0.5);
            // The batch costs the products of one latent code (each product is batched).
            CATCH_CHECK(tb.report.jvp_count == one.report.jvp_count);
            CATCH_CHECK(tb.report.vjp_count == one.report.vjp_count);
            CATCH_CHECK(tb.report.jacobian_count == one.report.jacobian_count);
        }
        CATCH_INFO((std::is_same_v<Scalar, double> ? "double" : "float") << " on " << device << ", " << lw::to_string(method)
                                                     << ": singular values vs loop " << sv_loop << ", vs Eigen "
                                                     << sv_eigen << "; bases vs loop " << basis_loop
                                                     << "; largest principal angle vs loop " << angle_loop
                                                     << ", vs Eigen " << angle_eigen);
        CATCH_CHECK(sv_loop < tol);
        CATCH_CHECK(sv_eigen < tol);
        CATCH_CHECK(basis_loop < 100 * tol);
        CATCH_CHECK(angle_loop < tol);
        CATCH_CHECK(angle_eigen < tol);
        CATCH_CHECK(tb.report.residual_norms.size() == 3u);
    }
    CATCH_CHECK(z.tensor().equal(z_before));
}

}  // namespace

CATCH_TEST_CASE("torch: tangent_basis on a batch (dense, randomized) equals the per-sample loop and agrees with Eigen") {
    CATCH_SECTION("torch CPU double") { batched_tangent_basis_body<double, false>(); }
    CATCH_SECTION("torch CPU float") { batched_tangent_basis_body<float, false>(); }
    CATCH_SECTION("torch CUDA double") {
        if (::torch::cuda::is_available()) batched_tangent_basis_body<double, true>();
        else std::cout << "torch: CUDA case of the batched tangent basis skipped (no CUDA device)\n";
    }
}

CATCH_TEST_CASE("torch: lanczos refuses a batch with a sentence; automatic picks dense or randomized for a batch") {
    const auto ref = reference_mlp();
    const auto g = cpu_double::mlp(ref);
    const lt::vector<double> z = at::stack({tensor_of(latent_codes(6, 13)[0]), tensor_of(latent_codes(6, 13)[1])});
    const auto before = z.tensor().clone();
    lw::tangent_basis_options o;
    o.method = lw::tangent_method::lanczos;
    try {
        (void)lw::tangent_basis(g, z, 2, o);
        CATCH_FAIL("lanczos accepted a batch");
    } catch (const lw::dimension_error& e) {
        CATCH_CHECK_THAT(e.what(), Catch::Matchers::Contains("batch of 2") &&
                                       Catch::Matchers::Contains("lanczos runs one latent code at a time") &&
                                       Catch::Matchers::Contains("use dense or randomized for a batch, or loop"));
    }
    CATCH_CHECK(z.tensor().equal(before));
    // One latent code: lanczos runs, and agrees with dense.
    const lt::vector<double> z0 = before[0].clone();
    const auto lz = lw::tangent_basis(g, z0, 2, o);
    CATCH_CHECK(lz.report.converged);
    o.method = lw::tangent_method::automatic;
    const auto auto_batch = lw::tangent_basis(g, z, 2, o);
    CATCH_CHECK(auto_batch.report.method == lw::tangent_method::dense);  // min(n, m) = 6: dense is cheapest
    CATCH_CHECK(max_rel(vector_of(auto_batch.singular_values.tensor()[0]), vector_of(lz.singular_values.tensor())) < 1e-10);
    // The rule on a large generator (not evaluated): per code lanczos; for a batch, randomized while
    // ℓ(2q + 3) + k < min(n, m), dense beyond.
    const lt::module_generator<double> big([](const at::Tensor& x) { return x.tanh(); }, 200, 200);
    CATCH_CHECK(lw::automatic_tangent_method(big, 5) == lw::tangent_method::lanczos);
    CATCH_CHECK(lw::automatic_tangent_method(big, 5, 8) == lw::tangent_method::randomized);  // 15·5 + 5 = 80 < 200
    CATCH_CHECK(lw::automatic_tangent_method(big, 30, 8) == lw::tangent_method::dense);      // 40·5 + 30 = 230 ≥ 200
    CATCH_CHECK(lw::automatic_tangent_method(big, 60, 8) == lw::tangent_method::dense);
}

template <class TestType>
void grassmann_agreement() {
    using P = TestType;
    if (!P::available()) return;
    auto rng = lw::test::rng(10);
    std::vector<Eigen::MatrixXd> As, Bs, Cs;
    for (int b = 0; b < 3; ++b) {
        As.push_back(lw::test::random_matrix(8, 3, rng));
        Bs.push_back(lw::test::random_matrix(8, 2, rng));
        Cs.push_back(As.back() + 1e-7 * lw::test::random_matrix(8, 3, rng));  // tiny angles
    }
    const auto A = P::mats(As), Bm = P::mats(Bs), C = P::mats(Cs);
    const auto pa = lw::principal_angles(A, Bm);
    double angles = 0, distances = 0;
    for (int b = 0; b < P::samples; ++b)
        angles = std::max(angles, max_rel(P::sample(pa.angles.tensor(), b), lw::principal_angles(As[b], Bs[b]).angles));
    for (auto metric : {lw::grassmann_metric::geodesic, lw::grassmann_metric::projection_frobenius,
                        lw::grassmann_metric::procrustes, lw::grassmann_metric::fubini_study,
                        lw::grassmann_metric::binet_cauchy, lw::grassmann_metric::martin}) {
        const auto d = lw::grassmann_distance(A, Bm, metric);
        for (int b = 0; b < P::samples; ++b)
            distances = std::max(distances, lw::test::rel_diff(P::sample_scalar(d, b),
                                                               lw::grassmann_distance(As[b], Bs[b], metric)));
    }
    CATCH_INFO(P::label() << ": angles " << angles << ", distances " << distances);
    CATCH_CHECK(angles < P::tol);
    CATCH_CHECK(distances < P::tol);
    if constexpr (P::tol < 1e-6) {  // angles of order 1e-7 keep their relative accuracy on torch too
        const auto tiny = lw::principal_angles(A, C);
        double worst = 0;
        for (int b = 0; b < P::samples; ++b)
            worst = std::max(worst, max_rel(P::sample(tiny.angles.tensor(), b), lw::principal_angles(As[b], Cs[b]).angles));
        CATCH_INFO("tiny angles: " << worst);
        CATCH_CHECK(worst < 1e-6);
    }
}
LATENTWALK_AGREEMENT_CASE("torch: principal angles and Grassmann distances agree with Eigen", grassmann_agreement)

template <class TestType>
void density_agreement() {
    using P = TestType;
    using B = typename P::B;
    if (!P::available()) return;
    Eigen::VectorXd mean(4), stddev(4);
    mean << 0.5, -1.0, 0.0, 2.0;
    stddev << 1.0, 0.5, 2.0, 1.5;
    const lw::diagonal_gaussian<B> p(P::param(mean), P::param(stddev));
    const lw::diagonal_gaussian<le::backend<double>> ref(mean, stddev);
    const auto zs = latent_codes(4, 12), ds = latent_codes(4, 13);
    const auto z = P::vec(zs), dir = P::vec(ds);
    const double c = ref.max_log_density() - 2.0;
    const auto logp = p.log_density(z);
    const auto score = p.score(z);
    const auto proj = p.project_to_level(z, c);
    double worst = 0, walk_worst = 0;
    for (int b = 0; b < P::samples; ++b) {
        worst = std::max(worst, lw::test::rel_diff(P::sample_scalar(logp, b), ref.log_density(zs[b])));
        worst = std::max(worst, max_rel(P::sample(score.tensor(), b), ref.score(zs[b])));
        worst = std::max(worst, max_rel(P::sample(proj.tensor(), b), ref.project_to_level(zs[b], c)));
    }
    each_sample<P>(
        "density_preserving_walk",
        [&](int b) { return lw::density_preserving_walk(p, P::slice(z, b), P::slice(dir, b), 5, 0.1); },
        [&](const auto& walk, int index, int b) {
            const auto ew = lw::density_preserving_walk(ref, zs[b], ds[b], 5, 0.1);
            CATCH_REQUIRE(walk.points.size() == ew.points.size());
            for (std::size_t j = 0; j < ew.points.size(); ++j)
                walk_worst = std::max(walk_worst, max_rel(pick(walk.points[j].tensor(), index), ew.points[j]));
        });
    CATCH_INFO(P::label() << ": density " << worst << ", walk " << walk_worst);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(walk_worst < P::tol);
}
LATENTWALK_AGREEMENT_CASE("torch: diagonal_gaussian and the density-preserving walk agree with Eigen", density_agreement)

template <class TestType>
void traversal_agreement() {
    using P = TestType;
    using B = typename P::B;
    if (!P::available()) return;
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    const auto zs = latent_codes(6, 14), ds = latent_codes(6, 15);
    const auto z = P::vec(zs), dir = P::vec(ds);
    auto rng = lw::test::rng(16);
    const Eigen::MatrixXd M = lw::test::random_matrix(6, 6, rng);
    const Eigen::MatrixXd H = -(M * M.transpose() / 6.0 + Eigen::MatrixXd::Identity(6, 6));
    const Eigen::VectorXd h = Eigen::VectorXd::LinSpaced(6, -1.0, 1.0);
    const lw::quadratic_potential<B> u(P::param(H), P::param(h));
    const lw::quadratic_potential<le::backend<double>> uref(H, h);
    lw::potential_flow_options<B> fo;
    fo.ode.method = lw::ode_method::rk4;
    fo.ode.steps = 20;
    lw::potential_flow_options<le::backend<double>> fref;
    fref.ode.method = lw::ode_method::rk4;
    fref.ode.steps = 20;
    double worst_line = 0, worst_sub = 0, worst_flow = 0, worst_pde = 0;
    each_sample<P>(
        "linear_traversal", [&](int b) { return lw::linear_traversal(g, P::slice(z, b), P::slice(dir, b), 4, 0.25); },
        [&](const auto& line, int index, int b) {
            const auto el = lw::linear_traversal(ref, zs[b], ds[b], 4, 0.25);
            CATCH_REQUIRE(line.points.size() == el.points.size());
            CATCH_REQUIRE(line.outputs.size() == el.outputs.size());
            for (std::size_t j = 0; j < el.points.size(); ++j) {
                worst_line = std::max(worst_line, max_rel(pick(line.points[j].tensor(), index), el.points[j]));
                worst_line = std::max(worst_line, max_rel(pick(line.outputs[j].tensor(), index), el.outputs[j]));
            }
        });
    each_sample<P>(
        "subspace_traversal",
        [&](int b) { return lw::subspace_traversal(g, P::slice(z, b), P::slice(dir, b), 2, 4, 0.1); },
        [&](const auto& sub, int index, int b) {
            const auto es = lw::subspace_traversal(ref, zs[b], ds[b], 2, 4, 0.1);
            CATCH_REQUIRE(sub.points.size() == es.points.size());
            for (std::size_t j = 0; j < es.points.size(); ++j)
                worst_sub = std::max(worst_sub, max_rel(pick(sub.points[j].tensor(), index), es.points[j]));
        });
    each_sample<P>(
        "potential_flow", [&](int b) { return lw::potential_flow(u, P::slice(z, b), fo); },
        [&](const auto& flow, int index, int b) {
            const auto ef = lw::potential_flow(uref, zs[b], fref);
            CATCH_REQUIRE(flow.path.points.size() == ef.path.points.size());
            for (std::size_t j = 0; j < ef.path.points.size(); ++j)
                worst_flow = std::max(worst_flow, max_rel(pick(flow.path.points[j].tensor(), index), ef.path.points[j]));
        });
    const auto lap = lw::laplacian(u, z, 0.5);
    const auto res = lw::wave_residual(u, z, 0.5, 2.0);
    for (int b = 0; b < P::samples; ++b) {
        worst_pde = std::max(worst_pde, lw::test::rel_diff(P::sample_scalar(lap, b), lw::laplacian(uref, zs[b], 0.5)));
        worst_pde = std::max(worst_pde, max_rel(P::sample(res.tensor(), b), lw::wave_residual(uref, zs[b], 0.5, 2.0)));
    }
    CATCH_INFO(P::label() << ": linear " << worst_line << ", subspace " << worst_sub << ", flow " << worst_flow
                          << ", pde " << worst_pde);
    CATCH_CHECK(worst_line < P::tol);
    CATCH_CHECK(worst_sub < P::tol);
    CATCH_CHECK(worst_flow < P::tol);
    CATCH_CHECK(worst_pde < P::tol);
}
LATENTWALK_AGREEMENT_CASE("torch: traversals, potential flow, Laplacian and wave residual agree with Eigen", traversal_agreement)

// Warpage experiments draw their own latent codes, so they create objects from a default-constructed
// `like`: on torch that means CPU, the backend's dtype, no batch (see torch/backend.hpp).
template <class P>
void warpage_agreement() {
    using B = typename P::B;
    using TB = lw::backend_traits<B>;
    const auto made = TB::zeros(typename TB::vector{}, 5);
    CATCH_CHECK(made.tensor().sizes() == at::IntArrayRef({5}));
    CATCH_CHECK(made.tensor().scalar_type() == (std::is_same_v<lw::scalar_t<B>, double> ? at::kDouble : at::kFloat));
    const auto ref = reference_mlp();
    const auto g = P::mlp(ref);
    lw::warpage_options o;
    o.pairs = 4;
    o.k_max = 3;
    o.metrics = {lw::grassmann_metric::geodesic, lw::grassmann_metric::projection_2};
    o.side = lw::basis_side::latent;  // the global basis below is a 6×3 basis of the latent space
    const auto global = P::param(Eigen::MatrixXd(Eigen::MatrixXd::Identity(6, 3)));
    const lw::warpage_table tables[] = {lw::warpage_random_pairs(g, o), lw::warpage_close_pairs(g, o),
                                        lw::warpage_against_global(g, global, o)};
    const lw::warpage_table refs[] = {lw::warpage_random_pairs(ref, o), lw::warpage_close_pairs(ref, o),
                                      lw::warpage_against_global(ref, Eigen::MatrixXd(Eigen::MatrixXd::Identity(6, 3)), o)};
    double worst = 0;
    for (int e = 0; e < 3; ++e)
        for (auto m : o.metrics)
            for (long long k = 1; k <= o.k_max; ++k)
                worst = std::max(worst, lw::test::rel_diff(tables[e].mean_at(m, k), refs[e].mean_at(m, k)));
    CATCH_INFO(P::label() << ": warpage means, largest relative difference " << worst);
    CATCH_CHECK(worst < P::tol);
    CATCH_CHECK(refs[0].mean_at(lw::grassmann_metric::geodesic, 1) > 0.0);  // a nonlinear model warps
}

CATCH_TEST_CASE("torch: warpage tables (random pairs, close pairs, against a global basis) agree with Eigen", "[agreement]") {
    CATCH_SECTION("torch CPU double") { warpage_agreement<cpu_double>(); }
    CATCH_SECTION("torch CPU float") { warpage_agreement<cpu_float>(); }
}
