// torch: module and TorchScript generators — the fixtures of tests/torch/fixtures (made by
// make_fixtures.py with Debian's python3-torch) against the numbers the script recorded, against
// finite differences and against the per-sample loop; loading errors; CUDA when a GPU exists.
// Also the torch mlp_potential against the Eigen one with the same weights.
#include <latentwalk/derivatives.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>
#include <latentwalk/finite_differences.hpp>
#include <latentwalk/pde/hessian_row_sum.hpp>
#include <latentwalk/pde/hutchinson_laplacian.hpp>
#include <latentwalk/pde/laplacian.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/torch.hpp>

#include <torch/cuda.h>
#include <torch/nn/modules/linear.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;

namespace {

const std::string fixtures = std::string(LATENTWALK_TEST_DATA_DIR) + "/../torch/fixtures/";

const nlohmann::json& recorded() {
    static const nlohmann::json j = [] {
        std::ifstream in(fixtures + "recorded.json");
        if (!in) throw std::runtime_error("cannot open tests/torch/fixtures/recorded.json");
        return nlohmann::json::parse(in);
    }();
    return j;
}

/// A JSON list of rows as a tensor [rows, cols] of the given dtype.
at::Tensor rows_tensor(const nlohmann::json& rows, at::ScalarType dtype = at::kDouble) {
    std::vector<double> flat;
    for (const auto& r : rows)
        for (const auto& v : r) flat.push_back(v.get<double>());
    return at::tensor(flat, at::kDouble).reshape({static_cast<std::int64_t>(rows.size()), -1}).to(dtype);
}

double max_rel(const at::Tensor& got, const at::Tensor& want) {
    const auto g = got.detach().to(at::kCPU, at::kDouble), w = want.detach().to(at::kCPU, at::kDouble);
    CATCH_REQUIRE(g.sizes() == w.sizes());
    return (g - w).abs().max().item<double>() / std::max(w.abs().max().item<double>(), 1e-300);
}

struct fixture_case {
    const char* key;
    const char* file;
    lt::torchscript_options opts;
};

std::vector<fixture_case> fixture_cases() {
    lt::torchscript_options features, fc;
    features.method = "features";
    fc.submodule = "fc";
    return {{"mapping", "mapping.pt", {}},
            {"mapping_features", "mapping.pt", features},
            {"decoder", "decoder.pt", {}},
            {"decoder_fc", "decoder.pt", fc}};
}

}  // namespace

CATCH_TEST_CASE("torch: TorchScript fixtures reproduce the recorded outputs, JVPs and VJPs (double)") {
    for (const auto& c : fixture_cases()) {
        CATCH_INFO("fixture " << c.key);
        const auto& r = recorded().at(c.key);
        const lt::torchscript_generator<double> g(fixtures + c.file, r.at("latent_dim").get<std::int64_t>(), c.opts);
        CATCH_CHECK(g.output_dim() == r.at("output_dim").get<std::int64_t>());
        const auto z = rows_tensor(r.at("z")), v = rows_tensor(r.at("v")), u = rows_tensor(r.at("u"));
        // One batched call for the three recorded samples, through the public entry points.
        CATCH_CHECK(max_rel(g(z).tensor(), rows_tensor(r.at("f"))) < 1e-12);
        CATCH_CHECK(max_rel(lw::jvp(g, z, v).tensor(), rows_tensor(r.at("jvp"))) < 1e-12);
        CATCH_CHECK(max_rel(lw::vjp(g, z, u).tensor(), rows_tensor(r.at("vjp"))) < 1e-12);
    }
}

CATCH_TEST_CASE("torch: TorchScript fixtures in float32 agree with the recorded float64 numbers to 1e-4") {
    for (const auto& c : fixture_cases()) {
        CATCH_INFO("fixture " << c.key);
        const auto& r = recorded().at(c.key);
        const lt::torchscript_generator<float> g(fixtures + c.file, r.at("latent_dim").get<std::int64_t>(), c.opts);
        const auto z = rows_tensor(r.at("z"), at::kFloat), v = rows_tensor(r.at("v"), at::kFloat),
                   u = rows_tensor(r.at("u"), at::kFloat);
        CATCH_CHECK(g(z).tensor().scalar_type() == at::kFloat);
        CATCH_CHECK(max_rel(g(z).tensor(), rows_tensor(r.at("f"))) < 1e-4);
        CATCH_CHECK(max_rel(lw::jvp(g, z, v).tensor(), rows_tensor(r.at("jvp"))) < 1e-4);
        CATCH_CHECK(max_rel(lw::vjp(g, z, u).tensor(), rows_tensor(r.at("vjp"))) < 1e-4);
    }
}

CATCH_TEST_CASE("torch: fixture JVPs and VJPs agree with central finite differences") {
    for (const auto& c : fixture_cases()) {
        CATCH_INFO("fixture " << c.key);
        const auto& r = recorded().at(c.key);
        const lt::torchscript_generator<double> g(fixtures + c.file, r.at("latent_dim").get<std::int64_t>(), c.opts);
        const lw::finite_differences fd(g);
        const auto zs = rows_tensor(r.at("z")), vs = rows_tensor(r.at("v")), us = rows_tensor(r.at("u"));
        for (std::int64_t b = 0; b < zs.size(0); ++b) {
            const lt::vector<double> z = zs[b].clone(), v = vs[b].clone(), u = us[b].clone();
            // Central differences: about 2/3 of the digits of double.
            CATCH_CHECK(max_rel(lw::jvp(g, z, v).tensor(), lw::jvp(fd, z, v).tensor()) < 1e-7);
            CATCH_CHECK(max_rel(lw::vjp(g, z, u).tensor(), lw::vjp(fd, z, u).tensor()) < 1e-7);
        }
    }
}

CATCH_TEST_CASE("torch: batched evaluation, JVP, VJP and Jacobian equal the per-sample loop") {
    auto rng = lw::test::rng(11);
    for (const auto& c : fixture_cases()) {
        CATCH_INFO("fixture " << c.key);
        const auto& r = recorded().at(c.key);
        const auto n = r.at("latent_dim").get<std::int64_t>();
        const lt::torchscript_generator<double> g(fixtures + c.file, n, c.opts);
        const auto m = g.output_dim();
        using T = lw::backend_traits<lt::backend<double>>;
        const lt::vector<double> like = at::zeros({2, 3, 1}, at::kDouble);  // batch [2, 3]
        const auto z = T::random_normal(like, n, rng), v = T::random_normal(like, n, rng),
                   u = T::random_normal(like, m, rng);
        const auto f = g(z), Jv = lw::jvp(g, z, v), Jtu = lw::vjp(g, z, u);
        const auto J = lw::jacobian(g, z);
        CATCH_REQUIRE(J.tensor().sizes() == at::IntArrayRef({2, 3, m, n}));
        double worst = 0;
        for (int i = 0; i < 2; ++i)
            for (int k = 0; k < 3; ++k) {
                const lt::vector<double> zi = z.tensor()[i][k].clone(), vi = v.tensor()[i][k].clone(),
                                         ui = u.tensor()[i][k].clone();
                worst = std::max(worst, max_rel(f.tensor()[i][k], g(zi).tensor()));
                worst = std::max(worst, max_rel(Jv.tensor()[i][k], lw::jvp(g, zi, vi).tensor()));
                worst = std::max(worst, max_rel(Jtu.tensor()[i][k], lw::vjp(g, zi, ui).tensor()));
                worst = std::max(worst, max_rel(J.tensor()[i][k], lw::jacobian(g, zi).tensor()));
            }
        CATCH_CHECK(worst < 1e-13);
        // An unbatched direction broadcasts against a batch of codes.
        const lt::vector<double> v0 = v.tensor()[0][0].clone();
        CATCH_CHECK(max_rel(lw::jvp(g, z, v0).tensor()[1][2],
                            lw::jvp(g, lt::vector<double>(z.tensor()[1][2].clone()), v0).tensor()) < 1e-13);
    }
}

CATCH_TEST_CASE("torch: batched tangent_basis on the TorchScript fixtures equals the per-sample loop (dense, randomized)") {
    using T = lw::backend_traits<lt::backend<double>>;
    auto rng = lw::test::rng(12);
    // mapping: 8 → 8 (square SVD); decoder: 4 → 64 (m ≥ 2n: the QR-preconditioned SVD, batched).
    for (const auto& [key, file] : {std::pair{"mapping", "mapping.pt"}, std::pair{"decoder", "decoder.pt"}}) {
        const auto n = recorded().at(key).at("latent_dim").get<std::int64_t>();
        const lt::torchscript_generator<double> g(fixtures + file, n);
        const lt::vector<double> like = at::zeros({5, 1}, at::kDouble);
        const auto z = T::random_normal(like, n, rng);  // [5, n]
        lw::tangent_basis_options o;
        o.method = lw::tangent_method::dense;
        const auto dense = lw::tangent_basis(g, z, 3, o);
        o.method = lw::tangent_method::randomized;  // ℓ = min(k + 10, min(n, m)): the whole latent space
        const auto randomized = lw::tangent_basis(g, z, 3, o);
        CATCH_REQUIRE(dense.output_basis.tensor().sizes() == at::IntArrayRef({5, g.output_dim(), 3}));
        CATCH_REQUIRE(randomized.latent_basis.tensor().sizes() == at::IntArrayRef({5, n, 3}));
        double loop = 0, methods = 0;
        for (int b = 0; b < 5; ++b) {
            const lt::vector<double> zb = z.tensor()[b].clone();
            o.method = lw::tangent_method::dense;
            const auto one = lw::tangent_basis(g, zb, 3, o);
            loop = std::max({loop, max_rel(dense.singular_values.tensor()[b], one.singular_values.tensor()),
                             max_rel(dense.output_basis.tensor()[b], one.output_basis.tensor()),
                             max_rel(dense.latent_basis.tensor()[b], one.latent_basis.tensor())});
            // J vᵢ = σᵢ uᵢ on this sample, by the generator's own JVP.
            const lt::vector<double> v0 = dense.latent_basis.tensor()[b].select(-1, 0).clone();
            loop = std::max(loop, max_rel(lw::jvp(g, zb, v0).tensor(),
                                          dense.output_basis.tensor()[b].select(-1, 0) * dense.singular_values.tensor()[b][0]));
        }
        // Both methods on the batch: same values and (the sign convention being per sample) the same bases.
        methods = std::max({max_rel(randomized.singular_values.tensor(), dense.singular_values.tensor()),
                            max_rel(randomized.output_basis.tensor(), dense.output_basis.tensor()),
                            max_rel(randomized.latent_basis.tensor(), dense.latent_basis.tensor())});
        CATCH_INFO(key << ": batch vs loop " << loop << ", randomized vs dense " << methods);
        CATCH_CHECK(loop < 1e-12);
        CATCH_CHECK(methods < 1e-10);
        CATCH_CHECK(dense.report.converged);
        CATCH_CHECK(randomized.report.converged);
        CATCH_CHECK(randomized.report.max_residual <= 1e-10 * randomized.singular_values.tensor().select(-1, 0).max().item<double>());
    }
}

CATCH_TEST_CASE("torch: the double-backward JVP equals the forward-mode JVP") {
    const auto& r = recorded().at("decoder");
    lt::torchscript_options o;
    o.jvp = lt::jvp_method::double_backward;
    const lt::torchscript_generator<double> g(fixtures + "decoder.pt", 4, o);
    CATCH_CHECK(max_rel(lw::jvp(g, rows_tensor(r.at("z")), rows_tensor(r.at("v"))).tensor(),
                        rows_tensor(r.at("jvp"))) < 1e-12);
}

CATCH_TEST_CASE("torch: module_generator wraps a torch::nn::Module and a lambda, with exact derivatives") {
    auto linear = ::torch::nn::Linear(3, 5);
    linear->to(at::kDouble);
    const lt::module_generator<double> g(linear, 3, 5);
    const auto W = linear->weight.detach();
    const lt::vector<double> z = at::tensor({0.5, -1.0, 2.0}, at::kDouble);
    const lt::vector<double> u = at::linspace(-1.0, 1.0, 5, at::kDouble);
    CATCH_CHECK(max_rel(lw::jacobian(g, z).tensor(), W) < 1e-15);
    CATCH_CHECK(max_rel(lw::vjp(g, z, u).tensor(), at::matmul(W.t(), u.tensor())) < 1e-15);
    // A lambda: f(z) = sin(z) ⊙ z, with J = diag(cos z ⊙ z + sin z).
    const lt::module_generator<double> h([](const at::Tensor& x) { return x.sin() * x; }, 3, 3);
    const auto d = z.tensor().cos() * z.tensor() + z.tensor().sin();
    CATCH_CHECK(max_rel(lw::jacobian(h, z).tensor(), at::diag(d)) < 1e-15);
    CATCH_CHECK(max_rel(lw::vjp(h, z, z).tensor(), d * z.tensor()) < 1e-15);
    // Evaluation does not record an autograd graph, even for a module with trainable weights.
    CATCH_CHECK_FALSE(g(z).tensor().requires_grad());
}

CATCH_TEST_CASE("torch: bad models and bad inputs are refused with a sentence, leaving the input untouched") {
    using lw::detail::sentence;
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(fixtures + "no_such_model.pt", 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(fixtures + "no_such_model.pt", 8),
                            Catch::Contains("does not exist"));
    const auto corrupt = std::filesystem::temp_directory_path() / "latentwalk_torch_corrupt.pt";
    {
        std::ofstream out(corrupt, std::ios::binary);
        out << "this is not a TorchScript archive";
    }
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(corrupt.string(), 8), lw::model_loading_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(corrupt.string(), 8),
                            Catch::Contains("not a zip archive"));  // refused before LibTorch reads it
    std::filesystem::remove(corrupt);
    lt::torchscript_options unknown_method, unknown_submodule;
    unknown_method.method = "encode";
    unknown_submodule.submodule = "fc9";
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(fixtures + "mapping.pt", 8, unknown_method),
                            Catch::Contains("has no method 'encode'") && Catch::Contains("features"));
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(fixtures + "mapping.pt", 8, unknown_submodule),
                          lw::model_loading_error);
    // The mapping network takes 8 numbers, not 7.
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(fixtures + "mapping.pt", 7), lw::dimension_error);
    CATCH_CHECK_THROWS_WITH(lt::torchscript_generator<double>(fixtures + "mapping.pt", 7),
                            Catch::Contains("does not accept an input of shape [7]") &&
                                Catch::Contains("mat1 and mat2 shapes cannot be multiplied"));
    // A module whose output does not depend on its input is no generator.
    CATCH_CHECK_THROWS_AS(lt::torchscript_generator<double>(fixtures + "constant.pt", 4), lw::numerical_error);
    const lt::module_generator<double> constant([](const at::Tensor& x) { return at::ones_like(x); }, 2, 2);
    const lt::vector<double> z2 = at::ones({2}, at::kDouble);
    CATCH_CHECK_THROWS_AS(lw::vjp(constant, z2, z2), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(lw::jvp(constant, z2, z2), lw::numerical_error);

    const lt::torchscript_generator<double> g(fixtures + "mapping.pt", 8);
    const at::Tensor z = at::linspace(-1.0, 1.0, 8, at::kDouble);
    const at::Tensor kept = z.clone();
    CATCH_CHECK_THROWS_AS(g(lt::vector<double>(at::ones({7}, at::kDouble))), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::jvp(g, z, at::ones({3, 7}, at::kDouble)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lw::vjp(g, z, at::ones({9}, at::kDouble)), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(g(lt::vector<double>(z.to(at::kFloat))), lw::invalid_argument_error);
    auto bad = z.clone();
    bad[3] = std::numeric_limits<double>::infinity();
    CATCH_CHECK_THROWS_AS(lw::jvp(g, bad, z), lw::numerical_error);
    CATCH_CHECK(at::equal(z, kept));
    // A function that returns the wrong shape.
    const lt::module_generator<double> wrong([](const at::Tensor& x) { return x.sum(-1); }, 2, 1);
    CATCH_CHECK_THROWS_AS(wrong(z2), lw::dimension_error);
}

CATCH_TEST_CASE("torch: on CUDA the fixtures give the CPU numbers (skipped without a GPU)") {
    if (!::torch::cuda::is_available()) {
        std::cout << "torch: CUDA case skipped (no CUDA device: torch::cuda::is_available() is false)\n";
        CATCH_WARN("CUDA case skipped: torch::cuda::is_available() is false on this machine");
        return;
    }
    for (const auto& c : fixture_cases()) {
        CATCH_INFO("fixture " << c.key);
        const auto& r = recorded().at(c.key);
        auto o = c.opts;
        o.device = at::kCUDA;
        const lt::torchscript_generator<double> g(fixtures + c.file, r.at("latent_dim").get<std::int64_t>(), o);
        const auto z = rows_tensor(r.at("z")).cuda(), v = rows_tensor(r.at("v")).cuda(), u = rows_tensor(r.at("u")).cuda();
        CATCH_CHECK(g(z).tensor().is_cuda());
        CATCH_CHECK(max_rel(g(z).tensor(), rows_tensor(r.at("f"))) < 1e-12);
        CATCH_CHECK(max_rel(lw::jvp(g, z, v).tensor(), rows_tensor(r.at("jvp"))) < 1e-12);
        CATCH_CHECK(max_rel(lw::vjp(g, z, u).tensor(), rows_tensor(r.at("vjp"))) < 1e-12);
        CATCH_CHECK(max_rel(lw::jacobian(g, z).tensor().cpu(),
                            lw::jacobian(lt::torchscript_generator<double>(fixtures + c.file, g.latent_dim(), c.opts),
                                         rows_tensor(r.at("z"))).tensor()) < 1e-12);
    }
}

namespace {

using le_potential = latentwalk::eigen::mlp_potential<double>;

/// PyTorch's default initialisation (uniform ±scale/sqrt(fan_in)) in the common weight layout.
lt::mlp_potential_weights random_potential_weights(std::int64_t d, std::int64_t H, std::int64_t E, std::uint64_t seed,
                                                   double scale) {
    std::mt19937_64 rng(seed);
    auto draw = [&](std::int64_t n, std::int64_t fan_in) {
        std::uniform_real_distribution<double> U(-scale / std::sqrt(double(fan_in)), scale / std::sqrt(double(fan_in)));
        std::vector<double> v(static_cast<std::size_t>(n));
        for (auto& x : v) x = U(rng);
        return v;
    };
    lt::mlp_potential_weights w;
    w.W_z = draw(H * d, d), w.b_z = draw(H, d);
    w.W_t1 = draw(H * E, E), w.b_t1 = draw(H, E);
    w.W_t2 = draw(H * H, H), w.b_t2 = draw(H, H);
    w.W_f = draw(H * H, H), w.b_f = draw(H, H);
    w.w_out = draw(H, H), w.b_out = draw(1, H)[0];
    return w;
}

double num(const at::Tensor& t) { return t.item<double>(); }

/// Value, gradient, time derivatives, HVP, exact Laplacian and H·1 of the torch potential for a batch
/// of 3 codes (each at its own time), against the Eigen potential sample by sample.
template <class Scalar>
double potential_difference(const lt::mlp_potential_weights& w, const lt::mlp_potential_options& to,
                            const le_potential& ref) {
    const auto dt = lt::dtype_of<Scalar>;
    const lt::mlp_potential<Scalar> u(5, w, to);
    auto rng = lw::test::rng(21);
    std::normal_distribution<double> nd;
    std::vector<double> zv(15), vv(15);
    for (auto& x : zv) x = nd(rng);
    for (auto& x : vv) x = nd(rng);
    const at::Tensor z = at::tensor(zv, at::kDouble).reshape({3, 5}).to(dt);
    const at::Tensor v = at::tensor(vv, at::kDouble).reshape({3, 5}).to(dt);
    const at::Tensor t = at::tensor(std::vector<double>{0.0, 0.4, -1.3}, at::kDouble).to(dt);
    const auto val = u.value(z, t), dt1 = u.time_derivative(z, t), dt2 = u.second_time_derivative(z, t);
    const auto grad = u.gradient(z, t).tensor(), hv = u.hessian_vector(z, t, v).tensor();
    const auto lap = u.laplacian(z, t);
    const auto lap_same_t = lw::laplacian(u, lt::vector<Scalar>(z), 0.4);       // the PDE layer's entry points
    const auto row_sum = lw::hessian_row_sum(u, lt::vector<Scalar>(z), 0.4).tensor();
    double worst = 0;
    auto rel = [](double a, double b, double scale) { return std::abs(a - b) / std::max(scale, 1e-300); };
    auto vec_rel = [](const at::Tensor& got, const Eigen::VectorXd& want) {
        const auto g = got.to(at::kDouble);
        double m = 0;
        for (Eigen::Index i = 0; i < want.size(); ++i) m = std::max(m, std::abs(g[i].item<double>() - want[i]));
        return m / std::max(want.cwiseAbs().maxCoeff(), 1e-300);
    };
    for (int b = 0; b < 3; ++b) {
        Eigen::VectorXd zb(5), vb(5);
        for (int i = 0; i < 5; ++i) zb[i] = zv[5 * b + i], vb[i] = vv[5 * b + i];
        const double tb = num(t[b]);
        const double value = ref.value(zb, tb);
        worst = std::max(worst, rel(num(val[b]), value, std::abs(value)));
        worst = std::max(worst, rel(num(dt1[b]), ref.time_derivative(zb, tb), std::abs(ref.time_derivative(zb, tb))));
        worst = std::max(worst, rel(num(dt2[b]), ref.second_time_derivative(zb, tb),
                                    std::abs(ref.second_time_derivative(zb, tb))));
        worst = std::max(worst, vec_rel(grad[b], ref.gradient(zb, tb)));
        worst = std::max(worst, vec_rel(hv[b], ref.hessian_vector(zb, tb, vb)));
        worst = std::max(worst, rel(num(lap[b]), ref.laplacian(zb, tb), std::abs(ref.laplacian(zb, tb))));
        worst = std::max(worst, rel(num(lap_same_t[b]), ref.laplacian(zb, 0.4), std::abs(ref.laplacian(zb, 0.4))));
        worst = std::max(worst, vec_rel(row_sum[b], lw::hessian_row_sum(ref, zb, 0.4)));
    }
    return worst;
}

}  // namespace

CATCH_TEST_CASE("torch: mlp_potential agrees with the Eigen potential of the same weights, and weights transfer both ways") {
    const auto w = random_potential_weights(5, 7, 6, 3, 2.0);
    lt::mlp_potential_options to;
    to.hidden = 7;
    le_potential::options eo;
    eo.hidden = 7;
    // torch → Eigen → torch: the arrays come back unchanged.
    const lt::mlp_potential<double> u(5, w, to);
    const auto ew = u.weights_as<le_potential::weights>();
    const le_potential ref(5, ew, eo);
    const auto back = lt::mlp_potential<double>(5, ew, to).weights_as();
    CATCH_CHECK((back.W_z == w.W_z && back.b_z == w.b_z && back.W_t1 == w.W_t1 && back.b_t1 == w.b_t1 &&
                 back.W_t2 == w.W_t2 && back.b_t2 == w.b_t2 && back.W_f == w.W_f && back.b_f == w.b_f &&
                 back.w_out == w.w_out && back.b_out == w.b_out));
    CATCH_CHECK(u.parameters().size() == 10u);

    const double d64 = potential_difference<double>(w, to, ref);
    const double d32 = potential_difference<float>(w, to, ref);
    CATCH_INFO("largest relative difference from Eigen: double " << d64 << ", float " << d32);
    CATCH_CHECK(d64 < 1e-10);
    CATCH_CHECK(d32 < 1e-4);

    // Hutchinson's estimate with the same seed draws the same probes on both backends (one code).
    const Eigen::VectorXd z0 = Eigen::VectorXd::LinSpaced(5, -1.0, 1.2);
    lw::hutchinson_options ho;
    ho.probes = 8;
    const auto h_torch = lw::hutchinson_laplacian(u, lt::vector<double>(at::linspace(-1.0, 1.2, 5, at::kDouble)), 0.3, ho);
    const auto h_eigen = lw::hutchinson_laplacian(ref, z0, 0.3, ho);
    CATCH_CHECK(h_torch.value.item<double>() == Catch::Approx(h_eigen.value).epsilon(1e-10));

    // Bad weights and bad inputs.
    auto bad = w;
    bad.W_f.pop_back();
    CATCH_CHECK_THROWS_AS(lt::mlp_potential<double>(5, bad, to), lw::dimension_error);
    bad = w;
    bad.b_z[0] = std::nan("");
    CATCH_CHECK_THROWS_AS(lt::mlp_potential<double>(5, bad, to), lw::numerical_error);
    CATCH_CHECK_THROWS_AS(u.gradient(lt::vector<double>(at::ones({4}, at::kDouble)), at::zeros({}, at::kDouble)),
                          lw::dimension_error);
}

CATCH_TEST_CASE("torch: the closed-form MLP potential (one batched GEMM chain) equals autograd for a batch of codes, for d < H, d = H and d > H, and follows in-place parameter updates") {
    struct widths { std::int64_t d, H, E; };
    for (const auto w : {widths{5, 7, 6}, widths{6, 6, 6}, widths{9, 4, 8}})
        for (bool output_tanh : {true, false}) {
            const auto weights = random_potential_weights(w.d, w.H, w.E, 40 + static_cast<std::uint64_t>(w.d), 2.0);
            lt::mlp_potential_options to;
            to.hidden = w.H;
            to.embedding = w.E;
            to.output_tanh = output_tanh;
            const lt::mlp_potential<double> closed(w.d, weights, to);
            to.derivatives = lt::mlp_derivatives::autograd;
            const lt::mlp_potential<double> reference(w.d, weights, to);
            at::manual_seed(7);
            const lt::vector<double> z(at::randn({8, w.d}, at::kDouble));
            const lt::vector<double> v(at::randn({8, w.d}, at::kDouble));
            const at::Tensor t = at::linspace(-1.5, 2.0, 8, at::kDouble);
            auto rel = [](const at::Tensor& got, const at::Tensor& want) {
                CATCH_REQUIRE(got.sizes() == want.sizes());
                return ((got - want).abs().max() / want.abs().max().clamp_min(1e-300)).item<double>();
            };
            const double e_grad = rel(closed.gradient(z, t).tensor(), reference.gradient(z, t).tensor());
            const double e_hv = rel(closed.hessian_vector(z, t, v).tensor(), reference.hessian_vector(z, t, v).tensor());
            const double e_lap = rel(closed.laplacian(z, t), reference.laplacian(z, t));
            const double e_dt = rel(closed.time_derivative(z, t), reference.time_derivative(z, t));
            const double e_dtt = rel(closed.second_time_derivative(z, t), reference.second_time_derivative(z, t));
            CATCH_INFO("d = " << w.d << ", H = " << w.H << ", tanh " << output_tanh << ": gradient " << e_grad << ", H v "
                              << e_hv << ", Laplacian " << e_lap << ", u_t " << e_dt << ", u_tt " << e_dtt);
            CATCH_CHECK(e_grad <= 1e-13);
            CATCH_CHECK(e_hv <= 1e-13);
            CATCH_CHECK(e_lap <= 1e-13);
            CATCH_CHECK(e_dt <= 1e-13);
            CATCH_CHECK(e_dtt <= 1e-13);
            // one code at eight times broadcasts as autograd's expanded leaf does
            const lt::vector<double> z0(at::randn({w.d}, at::kDouble));
            CATCH_CHECK(rel(closed.gradient(z0, t).tensor(), reference.gradient(z0, t).tensor()) <= 1e-13);
            CATCH_CHECK(rel(closed.laplacian(z0, t), reference.laplacian(z0, t)) <= 1e-13);
        }

    // An optimizer-style in-place update of the parameters reaches the closed forms (version counters).
    const auto weights = random_potential_weights(5, 7, 6, 3, 2.0);
    lt::mlp_potential_options to;
    to.hidden = 7;
    const lt::mlp_potential<double> u(5, weights, to);
    const lt::vector<double> z(at::linspace(-1.0, 1.0, 5, at::kDouble));
    const at::Tensor t = at::full({}, 0.3, at::kDouble);
    const auto before = u.laplacian(z, t).item<double>();
    {
        at::NoGradGuard no_grad;
        u.parameters()[0].mul_(0.5);  // W_z
    }
    const lt::mlp_potential<double> fresh(5, u.weights_as(), [] {
        lt::mlp_potential_options o;
        o.hidden = 7;
        o.derivatives = lt::mlp_derivatives::autograd;
        return o;
    }());
    const auto after = u.laplacian(z, t).item<double>();
    CATCH_CHECK(std::abs(after - before) > 1e-3 * std::abs(before));
    CATCH_CHECK(after == Catch::Approx(fresh.laplacian(z, t).item<double>()).epsilon(1e-13));
}
