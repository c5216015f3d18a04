// torch: the LibTorch backend's primitives, and the backend conformance suite (conformance/bodies.hpp)
// on torch against the Eigen reference: one body per algorithm, run on each torch configuration (CPU
// double, CPU double batched, CPU float, CUDA double when a GPU exists).
// Only the headers used here (not the umbrellas), so that other areas' work in progress cannot break this build.
#include <latentwalk/torch.hpp>

#include <torch/cuda.h>

#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <vector>

#include "conformance/bodies.hpp"
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
    /// Sample `index` of a batched result, or the whole unbatched result when index < 0.
    static Eigen::VectorXd pick(const at::Tensor& t, int index) { return vector_of(index < 0 ? t : t[index]); }
    static Eigen::MatrixXd pick_matrix(const at::Tensor& t, int index) { return matrix_of(index < 0 ? t : t[index]); }
    /// random_normal draws on the host, so an unbatched double case draws the Eigen backend's numbers.
    static constexpr bool draws_like_eigen = !Batched && std::is_same_v<Scalar, double>;
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

using latentwalk::conformance::latent_codes;
using latentwalk::conformance::reference_mlp;

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

// ---- the conformance suite: the core algorithms against the Eigen reference -------------------------
// One process for the four configurations (LibTorch takes about a second to load per process).
#define LATENTWALK_TORCH_CONFORMANCE_CASE(name, body)                                                   \
    CATCH_TEST_CASE("torch: " name, "[agreement]") {                                                  \
        CATCH_SECTION("torch CPU double") { latentwalk::conformance::body<cpu_double>(); }              \
        CATCH_SECTION("torch CPU double, batch of 3") { latentwalk::conformance::body<cpu_double_batched>(); } \
        CATCH_SECTION("torch CPU float") { latentwalk::conformance::body<cpu_float>(); }                \
        CATCH_SECTION("torch CUDA double") { latentwalk::conformance::body<cuda_double>(); }            \
    }
LATENTWALK_CONFORMANCE_SUITE(LATENTWALK_TORCH_CONFORMANCE_CASE)

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

CATCH_TEST_CASE("torch: lanczos runs a batch in lock step, each sample as its own call at the per-point product count, a rank-deficient batch answers densely, and automatic picks dense or randomized for a batch") {
    // A 40 → 60 tanh network: k = 3 with the default ℓ = 13 < min(n, m), so the batch restarts.
    at::manual_seed(5);
    const at::Tensor W1 = at::randn({60, 40}, at::kDouble) / std::sqrt(40.0);
    const at::Tensor W2 = at::randn({60, 60}, at::kDouble) / std::sqrt(60.0);
    const lt::module_generator<double> net([W1, W2](const at::Tensor& x) { return at::tanh(at::linear(at::tanh(at::linear(x, W1)), W2)); },
                                           40, 60);
    const at::Tensor Z = at::randn({4, 40}, at::kDouble);
    const lt::vector<double> zb(Z.clone());
    lw::tangent_basis_options lo;
    lo.method = lw::tangent_method::lanczos;
    const auto batch = lw::tangent_basis(net, zb, 3, lo);
    CATCH_CHECK(zb.tensor().equal(Z));
    CATCH_CHECK(batch.report.converged);
    CATCH_CHECK_FALSE(batch.report.fell_back_to_dense);
    CATCH_CHECK(batch.singular_values.tensor().sizes() == at::IntArrayRef({4, 3}));
    CATCH_CHECK(batch.output_basis.tensor().sizes() == at::IntArrayRef({4, 60, 3}));
    long long most_jvps = 0, most_restarts = 0, fewest_restarts = 1 << 20;
    for (int b = 0; b < 4; ++b) {
        const auto one = lw::tangent_basis(net, lt::vector<double>(Z[b].clone()), 3, lo);
        CATCH_REQUIRE(one.report.converged);
        most_jvps = std::max<long long>(most_jvps, one.report.jvp_count);
        most_restarts = std::max<long long>(most_restarts, one.report.restarts);
        fewest_restarts = std::min<long long>(fewest_restarts, one.report.restarts);
        const auto dense = lw::tangent_basis(net, lt::vector<double>(Z[b].clone()), 3);
        CATCH_CHECK(max_rel(vector_of(batch.singular_values.tensor()[b]), vector_of(dense.singular_values.tensor())) < 1e-10);
        // the same basis, sign convention included
        CATCH_CHECK((batch.latent_basis.tensor()[b] - one.latent_basis.tensor()).abs().max().item<double>() < 1e-7);
        CATCH_CHECK((batch.output_basis.tensor()[b] - one.output_basis.tensor()).abs().max().item<double>() < 1e-7);
    }
    CATCH_INFO("batch: " << batch.report.jvp_count << " JVPs, " << batch.report.restarts << " restarts; single calls: up to "
                         << most_jvps << " JVPs, " << fewest_restarts << "-" << most_restarts << " restarts");
    CATCH_CHECK(batch.report.restarts == most_restarts);  // the batch restarts until its slowest sample converged
    CATCH_CHECK(batch.report.jvp_count == most_jvps);     // each batched JVP counts once: the per-point count

    // Rank 2 < ℓ: the recurrences break down, which a batch cannot take in lock step; dense answers.
    const at::Tensor P = at::randn({2, 40}, at::kDouble), Q = at::randn({60, 2}, at::kDouble);
    const lt::module_generator<double> thin([P, Q](const at::Tensor& x) { return at::linear(at::tanh(at::linear(x, P)), Q); }, 40, 60);
    const auto rank2 = lw::tangent_basis(thin, zb, 2, lo);
    CATCH_CHECK(rank2.report.fell_back_to_dense);
    CATCH_CHECK(rank2.report.converged);
    const auto dense2 = lw::tangent_basis(thin, lt::vector<double>(Z[1].clone()), 2);
    CATCH_CHECK(max_rel(vector_of(rank2.singular_values.tensor()[1]), vector_of(dense2.singular_values.tensor())) < 1e-10);

    const auto ref = reference_mlp();
    const auto g = cpu_double::mlp(ref);
    const lt::vector<double> z = at::stack({tensor_of(latent_codes(6, 13)[0]), tensor_of(latent_codes(6, 13)[1])});
    const auto before = z.tensor().clone();
    lw::tangent_basis_options o;
    o.method = lw::tangent_method::lanczos;
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

// Warpage experiments draw their own latent codes from a default-constructed `like` (the suite's
// warpage body runs them): on torch that makes CPU objects of the backend's dtype without a batch.
CATCH_TEST_CASE("torch: a default-constructed like makes CPU objects of the backend's dtype without a batch") {
    const auto made = TD::zeros(TD::vector{}, 5);
    CATCH_CHECK(made.tensor().sizes() == at::IntArrayRef({5}));
    CATCH_CHECK(made.tensor().scalar_type() == at::kDouble);
    CATCH_CHECK(made.tensor().device() == at::Device(at::kCPU));
    CATCH_CHECK(TF::zeros(TF::vector{}, 2, 3).tensor().scalar_type() == at::kFloat);
}
