// torch: the derivation layer's batched products (issue 18): a Jacobian of a generator with
// batched_products is one batched call per memory chunk and equals the column loop; the randomized
// method asks each sketch block as one call; automatic on a batch never returns an unconverged basis.
#include <latentwalk/derivatives.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/torch.hpp>

#include <atomic>
#include <cmath>
#include <memory>
#include <random>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;

namespace {

/// A two-layer tanh network [..., n] → [..., m] with fixed weights, counting its forward calls.
struct counted_mlp {
    at::Tensor W1, b1, W2;
    std::shared_ptr<std::atomic<long long>> calls = std::make_shared<std::atomic<long long>>(0);
    counted_mlp(std::int64_t n, std::int64_t m, std::uint64_t seed) {
        at::manual_seed(static_cast<std::uint64_t>(seed));
        W1 = at::randn({17, n}, at::kDouble) / std::sqrt(double(n));
        b1 = at::randn({17}, at::kDouble) * 0.1;
        W2 = at::randn({m, 17}, at::kDouble) / std::sqrt(17.0);
    }
    lt::module_generator<double> generator(std::int64_t n, std::int64_t m) const {
        auto c = calls;
        auto w1 = W1, bb = b1, w2 = W2;
        return lt::module_generator<double>(
            [c, w1, bb, w2](const at::Tensor& x) {
                ++*c;
                return at::matmul(at::tanh(at::matmul(x, w1.t()) + bb), w2.t());
            },
            n, m);
    }
};

/// J from one JVP (or VJP) per unit vector, the path the batched call replaces.
at::Tensor column_loop_jacobian(const lt::module_generator<double>& g, const at::Tensor& z) {
    const auto n = g.latent_dim(), m = g.output_dim();
    std::vector<at::Tensor> cols;
    if (n <= m) {
        for (std::int64_t j = 0; j < n; ++j) {
            auto e = at::zeros_like(z);
            e.select(-1, j).fill_(1);
            cols.push_back(lw::jvp(g, lt::vector<double>(z), lt::vector<double>(e)).tensor());
        }
        return at::stack(cols, -1);  // [..., m, n]
    }
    for (std::int64_t i = 0; i < m; ++i) {
        auto sizes = z.sizes().vec();
        sizes.back() = m;
        auto u = at::zeros(sizes, at::kDouble);
        u.select(-1, i).fill_(1);
        cols.push_back(lw::vjp(g, lt::vector<double>(z), lt::vector<double>(u)).tensor());
    }
    return at::stack(cols, -2);  // rows: [..., m, n]
}

double max_abs_diff(const at::Tensor& a, const at::Tensor& b) { return (a - b).abs().max().item<double>(); }

/// A linear map x ↦ A x with a chosen spectrum, as a torch module_generator (n → m).
lt::module_generator<double> linear_with_spectrum(std::int64_t m, std::int64_t n, const std::vector<double>& s,
                                                  std::uint64_t seed) {
    at::manual_seed(static_cast<std::uint64_t>(seed));
    auto U = std::get<0>(at::linalg_qr(at::randn({m, n}, at::kDouble), "reduced"));
    auto V = std::get<0>(at::linalg_qr(at::randn({n, n}, at::kDouble), "reduced"));
    auto S = at::tensor(s, at::kDouble);
    auto A = at::matmul(U * S.unsqueeze(0), V.t());  // m×n
    return lt::module_generator<double>([A](const at::Tensor& x) { return at::matmul(x, A.t()); }, n, m);
}

}  // namespace

CATCH_TEST_CASE("torch: the Jacobian of a batched generator is one call per memory chunk and equals the column loop") {
    for (auto [n, m] : {std::pair<std::int64_t, std::int64_t>{9, 13}, {13, 9}}) {
        CATCH_CAPTURE(n, m);
        const counted_mlp net(n, m, 5);
        const auto g = net.generator(n, m);
        at::manual_seed(3);
        const at::Tensor z = at::randn({3, n}, at::kDouble);
        const auto before = z.clone();
        *net.calls = 0;
        const auto J = lw::jacobian(g, lt::vector<double>(z)).tensor();
        CATCH_CHECK(*net.calls == 1);  // the min(n, m) unit products in one batched call
        CATCH_REQUIRE(J.sizes() == at::IntArrayRef({3, m, n}));
        *net.calls = 0;
        const auto ref = column_loop_jacobian(g, z);
        CATCH_CHECK(*net.calls == std::min(n, m));
        const double scale = ref.abs().max().item<double>();
        CATCH_INFO("batched vs column loop: " << max_abs_diff(J, ref) / scale);
        CATCH_CHECK(max_abs_diff(J, ref) <= 1e-13 * scale);
        // A budget of four products per call (results of 3 samples × max(n, m) doubles each): ⌈r/4⌉ calls.
        lw::jacobian_options small;
        small.block_memory_bytes = 4 * 3 * static_cast<std::size_t>(std::max(n, m)) * sizeof(double);
        *net.calls = 0;
        const auto Jc = lw::jacobian(g, lt::vector<double>(z), small).tensor();
        CATCH_CHECK(*net.calls == (std::min(n, m) + 3) / 4);
        CATCH_CHECK(max_abs_diff(Jc, ref) <= 1e-13 * scale);
        CATCH_CHECK(z.equal(before));
        // tangent_basis's dense method takes the same path: one call for J, the same basis as the
        // Jacobian's own SVD.
        lw::tangent_basis_options o;
        o.method = lw::tangent_method::dense;
        *net.calls = 0;
        const auto tb = lw::tangent_basis(g, lt::vector<double>(z), 3, o);
        CATCH_CHECK(*net.calls == 1);
        CATCH_CHECK(tb.report.products() == std::min(n, m));  // a product is a product, batched or not
        const auto S = at::linalg_svdvals(ref).narrow(-1, 0, 3);
        CATCH_CHECK(max_abs_diff(tb.singular_values.tensor(), S) <= 1e-13 * scale);
    }
    lw::jacobian_options zero;
    zero.block_memory_bytes = 0;
    const counted_mlp net(4, 5, 1);
    CATCH_CHECK_THROWS_AS(lw::jacobian(net.generator(4, 5), lt::vector<double>(at::zeros({4}, at::kDouble)), zero),
                          lw::invalid_argument_error);
}

CATCH_TEST_CASE("torch: the randomized method asks each sketch block as one call, with the documented product count") {
    const std::int64_t n = 40, m = 60, k = 3;
    const counted_mlp net(n, m, 9);
    const auto g = net.generator(n, m);
    at::manual_seed(4);
    const lt::vector<double> z = at::randn({2, n}, at::kDouble);
    lw::tangent_basis_options o;
    o.method = lw::tangent_method::randomized;
    o.adaptive_power_iterations = false;
    *net.calls = 0;
    const auto r = lw::tangent_basis(g, z, k, o);
    const long long ell = k + 10;
    CATCH_CHECK(r.report.products() == ell * (2 * 1 + 3) + k);
    CATCH_CHECK(*net.calls == 6);  // J Ω, Jᵀ Q, J P, W = Jᵀ Q, Rayleigh–Ritz J P̂, residuals Jᵀ U
}

CATCH_TEST_CASE("torch: automatic on a batch never returns an unconverged basis, on a slow spectrum or a fast one") {
    const std::int64_t n = 200, m = 240, k = 5;
    std::vector<double> slow(n), fast(n);
    for (std::int64_t i = 0; i < n; ++i) {
        slow[i] = 1.0 - 0.1 * double(i) / double(n - 1);  // flat: σ_{ℓ+1}/σ_k ≈ 0.995
        fast[i] = std::pow(0.5, double(i));
    }
    at::manual_seed(8);
    const lt::vector<double> z = at::randn({2, n}, at::kDouble);
    lw::tangent_basis_options o;  // automatic, tolerance 1e-10
    {
        const auto g = linear_with_spectrum(m, n, slow, 21);
        CATCH_REQUIRE(lw::automatic_tangent_method(g, k, 2, o) == lw::tangent_method::randomized);
        const auto r = lw::tangent_basis(g, z, k, o);
        CATCH_INFO(r.report.summary());
        CATCH_CHECK(r.report.converged);
        CATCH_CHECK(r.report.method == lw::tangent_method::dense);
        CATCH_CHECK(r.report.fell_back_to_dense);
        CATCH_CHECK(r.report.products() <= 2 * std::min(n, m));  // the attempt costs at most one dense more
        for (std::int64_t i = 0; i < k; ++i)
            CATCH_CHECK(std::abs(r.singular_values.tensor()[1][i].item<double>() - slow[i]) <= 1e-12);
        // what automatic used to return: Halko et al.'s fixed q = 1, unconverged
        auto fixed = o;
        fixed.method = lw::tangent_method::randomized;
        fixed.adaptive_power_iterations = false;
        CATCH_CHECK_FALSE(lw::tangent_basis(g, z, k, fixed).report.converged);
        fixed.throw_on_nonconvergence = true;
        CATCH_CHECK_THROWS_AS(lw::tangent_basis(g, z, k, fixed), lw::convergence_error);
    }
    {
        const auto g = linear_with_spectrum(m, n, fast, 22);
        const auto r = lw::tangent_basis(g, z, k, o);
        CATCH_INFO(r.report.summary());
        CATCH_CHECK(r.report.converged);
        CATCH_CHECK(r.report.method == lw::tangent_method::randomized);
        CATCH_CHECK_FALSE(r.report.fell_back_to_dense);
        CATCH_CHECK(r.report.products() < std::min(n, m));
        for (std::int64_t i = 0; i < k; ++i)
            CATCH_CHECK(std::abs(r.singular_values.tensor()[0][i].item<double>() - fast[i]) <= 1e-10);
    }
}

namespace {
/// Declares batched_products but answers a block of directions with one product (drops the block).
struct drops_the_block {
    using backend = lt::backend<double>;
    static constexpr bool batched_products = true;
    at::Tensor A = at::arange(12, at::kDouble).reshape({4, 3}) / 7.0;
    std::int64_t latent_dim() const { return 3; }
    std::int64_t output_dim() const { return 4; }
    lt::vector<double> operator()(const lt::vector<double>& z) const { return at::matmul(z.tensor(), A.t()); }
    lt::vector<double> jvp(const lt::vector<double>&, const lt::vector<double>& v) const {
        const auto& t = v.tensor();
        return at::matmul(t.dim() > 1 ? t.select(0, 0) : t, A.t());
    }
};
}  // namespace

CATCH_TEST_CASE("torch: a generator that declares batched_products but drops the block dimension gets a sentence") {
    const drops_the_block g;
    const lt::vector<double> z = at::zeros({3}, at::kDouble);
    try {
        (void)lw::jacobian(g, z);
        CATCH_FAIL("the wrong batch was accepted");
    } catch (const lw::dimension_error& e) {
        CATCH_CHECK_THAT(e.what(), Catch::Matchers::Contains("returned a batch of 1 vectors for 3 directions") &&
                                       Catch::Matchers::Contains("batched_products"));
    }
}
