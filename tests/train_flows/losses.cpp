// train: the batch objective — its values against the core's evaluation (wave_loss,
// initial_condition_loss, jacobian_regularizer on the exported Eigen potentials), in the paper's and
// the released code's conventions; the gradient of every term against central finite differences;
// the baselines' export; argument errors.
#include <latentwalk/eigen.hpp>
#include <latentwalk/pde/initial_condition_loss.hpp>
#include <latentwalk/pde/jacobian_regularizer.hpp>
#include <latentwalk/pde/wave_loss.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/export_eigen.hpp>
#include <latentwalk/torch/flows/flow_loss.hpp>
#include <latentwalk/torch/flows/pair_classifiers.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include <functional>
#include <vector>

#include "flows_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;

namespace {

constexpr std::int64_t d = 4;
const lt::image_shape shape{1, 8, 8};

struct linear_fixture {
    at::Tensor A, b;  // [64, d], [64]
    linear_fixture() {
        at::manual_seed(17);
        A = at::randn({shape.numel(), d}, at::kDouble) * 0.3;
        b = at::randn({shape.numel()}, at::kDouble) * 0.1;
    }
    lt::tensor_function torch_fn() const {
        return [A = A, b = b](const at::Tensor& z) { return at::linear(z, A, b); };
    }
    lw::eigen::linear_generator<double> eigen_fn() const {
        return lw::eigen::linear_generator<double>(flows_test::to_eigen_matrix(A), flows_test::to_eigen(b));
    }
};

std::vector<Eigen::VectorXd> sample_path(const lt::flow_loss_terms& r, std::int64_t b, std::int64_t n) {
    std::vector<Eigen::VectorXd> pts;
    for (std::int64_t i = 0; i < n; ++i) pts.push_back(flows_test::to_eigen(r.path[static_cast<std::size_t>(i)][b]));
    return pts;
}

}  // namespace

CATCH_TEST_CASE("train: the batch losses equal the core's wave_loss, initial_condition_loss and jacobian_regularizer") {
    lt::potential_bank bank(d, {.potentials = 2, .hidden = 6, .initial_wave_speed = 0.8, .seed = 4});
    lt::lenet_pair_classifier clf(1, 2);
    linear_fixture lin;
    const auto G = lin.torch_fn();
    const auto Ge = lin.eigen_fn();
    auto eig = lt::to_eigen(bank);
    std::mt19937_64 rng(1);
    at::manual_seed(5);
    const auto z0 = at::randn({3, d}, at::kDouble);
    const std::int64_t k = 1;
    const auto& u = eig.potentials[1];
    const double c = eig.wave_speeds[1];

    CATCH_SECTION("the paper's conventions (trace, per sample, sums, z_t)") {
        lt::flow_loss_options o;
        o.timesteps = 5;
        const std::int64_t t = 2;
        const auto r = lt::flow_loss(bank, clf, G, shape, z0, k, t, o, rng);
        double wave = 0, init = 0, jac = 0;
        for (std::int64_t b = 0; b < 3; ++b) {
            const auto pts = sample_path(r, b, 5);
            wave += lw::wave_loss(u, pts, {0, 1, 2, 3, 4}, c, lw::laplacian_mode::trace) / 3.0;
            init += lw::initial_condition_loss(u, pts[0]) / 3.0;
            jac += lw::jacobian_regularizer(Ge, u, pts[static_cast<std::size_t>(t)], double(t)) / 3.0;
        }
        CATCH_CHECK(r.wave.item<double>() == Catch::Approx(wave).epsilon(1e-12));
        CATCH_CHECK(r.initial.item<double>() == Catch::Approx(init).epsilon(1e-12));
        CATCH_CHECK(r.jacobian.item<double>() == Catch::Approx(jac).epsilon(1e-12));
        CATCH_CHECK(wave > 0);
        CATCH_CHECK(jac < 0);
        // the torch path is the Eigen Euler flow
        lw::potential_flow_options<lw::eigen::backend<double>> fo;
        fo.ode.method = lw::ode_method::euler;
        fo.ode.steps = 4;
        fo.ode.t1 = 4.0;
        const auto sol = lw::potential_flow(u, flows_test::to_eigen(z0[0]), fo);
        CATCH_CHECK((sol.path.points.back() - sample_path(r, 0, 5)[4]).cwiseAbs().maxCoeff() < 1e-12);
    }
    CATCH_SECTION("the released code's conventions (row sums, means, shifted point) on one code") {
        auto o = lt::flow_loss_options::released_code();
        o.timesteps = 8;  // half range 4
        const std::int64_t t = 1;
        const auto z1 = z0.slice(0, 0, 1);
        clf.eval();  // one code: BatchNorm needs its running statistics
        const auto r = lt::flow_loss(bank, clf, G, shape, z1, k, t, o, rng);
        const auto pts = sample_path(r, 0, 4);
        const double wave = lw::wave_loss(u, pts, {0, 1, 2, 3}, c, lw::laplacian_mode::hessian_row_sum) / double(d);
        const double init = lw::initial_condition_loss(u, pts[0]) / double(d);
        const double jac = lw::jacobian_regularizer(Ge, u, pts[2], 2.0) / double(shape.numel());
        CATCH_CHECK(r.wave.item<double>() == Catch::Approx(wave).epsilon(1e-12));
        CATCH_CHECK(r.initial.item<double>() == Catch::Approx(init).epsilon(1e-12));
        CATCH_CHECK(r.jacobian.item<double>() == Catch::Approx(jac).epsilon(1e-12));
    }
    CATCH_SECTION("batch-summed u_tt: the residual uses the sum over the batch") {
        lt::flow_loss_options o;
        o.timesteps = 3;
        o.laplacian = lt::wave_laplacian::hessian_row_sum;
        o.u_tt = lt::time_derivative_reduction::batch_sum;
        const auto r = lt::flow_loss(bank, clf, G, shape, z0, k, 0, o, rng);
        double wave = 0;
        for (std::int64_t i = 0; i < 3; ++i) {
            double utt_sum = 0;
            for (std::int64_t b = 0; b < 3; ++b) utt_sum += u.second_time_derivative(sample_path(r, b, 3)[static_cast<std::size_t>(i)], double(i));
            for (std::int64_t b = 0; b < 3; ++b) {
                const auto zb = sample_path(r, b, 3)[static_cast<std::size_t>(i)];
                const Eigen::VectorXd f = Eigen::VectorXd::Constant(d, utt_sum) -
                                          c * c * u.hessian_vector(zb, double(i), Eigen::VectorXd::Ones(d));
                wave += f.squaredNorm() / 3.0 / 3.0;
            }
        }
        CATCH_CHECK(r.wave.item<double>() == Catch::Approx(wave).epsilon(1e-12));
    }
}

CATCH_TEST_CASE("train: the gradient of every loss term matches central finite differences") {
    auto bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = 2, .hidden = 5, .seed = 8});
    at::manual_seed(2);
    lt::lenet_pair_classifier clf(1, 2);
    const auto W = at::randn({shape.numel(), d}, at::kDouble) * 0.5;
    const lt::tensor_function G = [W](const at::Tensor& z) { return at::tanh(at::linear(z, W)); };
    const auto z0 = at::randn({4, d}, at::kDouble);
    std::vector<at::Tensor> params = bank->parameters();
    for (const auto& p : clf.parameters()) params.push_back(p);
    std::vector<at::Tensor> dirs;
    for (const auto& p : params) dirs.push_back(at::randn_like(p));

    struct variant {
        const char* name;
        lt::flow_loss_options o;
        std::function<at::Tensor(const lt::flow_loss_terms&)> pick;
        double tolerance = 1e-5;
    };
    lt::flow_loss_options paper;
    paper.timesteps = 4;
    auto code = lt::flow_loss_options::released_code();
    code.timesteps = 6;
    auto hutch = paper;
    hutch.laplacian = lt::wave_laplacian::hutchinson;
    hutch.hutchinson_probes = 2;
    const std::vector<variant> variants = {
        {"L_f trace", paper, [](const auto& r) { return r.wave; }},
        {"L_f hutchinson", hutch, [](const auto& r) { return r.wave; }},
        {"L_f hessian_row_sum, batch-summed u_tt", code, [](const auto& r) { return r.wave; }},
        {"L_u", paper, [](const auto& r) { return r.initial; }},
        {"L_J at z_t", paper, [](const auto& r) { return r.jacobian; }},
        {"L_J at the shifted point", code, [](const auto& r) { return r.jacobian; }},
        // the classifier is piecewise smooth (ReLU, max-pool): a difference step may cross a kink, which
        // costs O(h) in the difference quotient; observed 4e-5 relative, a wrong gradient is O(1)
        {"L_k", paper, [](const auto& r) { return r.classifier; }, 2e-4},
        {"total", paper, [](const auto& r) { return r.total; }, 2e-4},
    };
    for (const auto& v : variants) {
        CATCH_INFO(v.name);
        auto eval = [&] {
            std::mt19937_64 rng(3);  // the same Hutchinson probes every time
            return v.pick(lt::flow_loss(*bank, clf, G, shape, z0, 1, 1, v.o, rng));
        };
        for (auto& p : params)
            if (p.grad().defined()) p.mutable_grad().zero_();
        eval().backward();
        double analytic = 0;
        for (std::size_t i = 0; i < params.size(); ++i)
            if (params[i].grad().defined()) analytic += (params[i].grad() * dirs[i]).sum().item<double>();
        const double h = 1e-5;
        auto shift = [&](double s) {
            at::NoGradGuard ng;
            for (std::size_t i = 0; i < params.size(); ++i) params[i].add_(dirs[i] * s);
        };
        shift(h);
        const double up = eval().item<double>();
        shift(-2 * h);
        const double down = eval().item<double>();
        shift(h);
        const double fd = (up - down) / (2 * h);
        CATCH_CHECK(std::abs(analytic) > 1e-6);
        CATCH_CHECK(analytic == Catch::Approx(fd).epsilon(v.tolerance).margin(1e-9));
    }
}

CATCH_TEST_CASE("train: the linear and RBF baselines export to linear_potential and rbf_dipole_potential and replay") {
    lt::linear_bank lin(d, {.potentials = 3, .unit_direction = true, .step = 0.5, .seed = 3});
    lt::rbf_bank rbf(d, {.potentials = 3, .dipoles = 2, .step = 0.4, .seed = 3});
    const auto el = lt::to_eigen(lin);
    const auto er = lt::to_eigen(rbf);
    at::manual_seed(6);
    const auto z0 = at::randn({2, d}, at::kDouble);
    const auto v = at::randn({2, d}, at::kDouble);
    for (std::int64_t k = 0; k < 3; ++k) {
        at::Tensor zl = z0.clone(), zr = z0.clone();
        for (int s = 0; s < 5; ++s) {
            const auto tt = at::full({}, double(s), at::kDouble);
            zl = zl + lin.velocity(lin.terms(k, zl, tt, {}));
            zr = zr + rbf.velocity(rbf.terms(k, zr, tt, {}));
        }
        // the RBF terms against the core's rbf_dipole_potential
        const auto s = rbf.terms(k, z0, at::zeros({}, at::kDouble), {.laplacian = true, .hessian_probe = v});
        const auto& ur = er[static_cast<std::size_t>(k)];
        for (std::int64_t b = 0; b < 2; ++b) {
            const Eigen::VectorXd zb = flows_test::to_eigen(z0[b]);
            CATCH_CHECK(std::abs(ur.value(zb, 0.0) - s.value[b].item<double>()) < 1e-13);
            CATCH_CHECK((ur.gradient(zb, 0.0) - flows_test::to_eigen(s.gradient[b])).cwiseAbs().maxCoeff() < 1e-13);
            CATCH_CHECK(std::abs(ur.laplacian(zb, 0.0) - s.laplacian[b].item<double>()) < 1e-12);
            CATCH_CHECK((ur.hessian_vector(zb, 0.0, flows_test::to_eigen(v[b])) - flows_test::to_eigen(s.hessian_vector[b]))
                            .cwiseAbs()
                            .maxCoeff() < 1e-12);
            lw::potential_flow_options<lw::eigen::backend<double>> fo;
            fo.ode.method = lw::ode_method::euler;
            fo.ode.steps = 5;
            fo.ode.t1 = 5.0;
            const auto pl = lw::potential_flow(el[static_cast<std::size_t>(k)], zb, fo);
            CATCH_CHECK((pl.path.points.back() - flows_test::to_eigen(zl[b])).cwiseAbs().maxCoeff() < 1e-12);
            fo.normalize_gradient = true;
            fo.ode.t1 = 5.0 * 0.4;
            const auto pr = lw::potential_flow(ur, zb, fo);
            CATCH_CHECK((pr.path.points.back() - flows_test::to_eigen(zr[b])).cwiseAbs().maxCoeff() < 1e-12);
        }
    }
}

CATCH_TEST_CASE("train: flow_loss refuses a bad start time, potential index, shape or weight with a sentence") {
    lt::potential_bank bank(d, {.potentials = 2, .seed = 1});
    lt::lenet_pair_classifier clf(1, 2);
    linear_fixture lin;
    std::mt19937_64 rng(1);
    const auto z0 = at::randn({3, d}, at::kDouble);
    lt::flow_loss_options o;  // T = 10: t ∈ 0 … 8
    CATCH_CHECK(o.max_start_time() == 8);
    CATCH_CHECK(lt::flow_loss_options::released_code().max_start_time() == 3);
    CATCH_CHECK_THROWS_AS(lt::flow_loss(bank, clf, lin.torch_fn(), shape, z0, 0, 9, o, rng), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lt::flow_loss(bank, clf, lin.torch_fn(), shape, z0, 2, 0, o, rng), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lt::flow_loss(bank, clf, lin.torch_fn(), shape, at::randn({3, d + 1}, at::kDouble), 0, 0, o, rng),
                          lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lt::flow_loss(bank, clf, lin.torch_fn(), lt::image_shape{1, 7, 7}, z0, 0, 0, o, rng),
                          lw::dimension_error);
    o.weight_jacobian = -1;
    CATCH_CHECK_THROWS_AS(lt::flow_loss(bank, clf, lin.torch_fn(), shape, z0, 0, 0, o, rng), lw::invalid_argument_error);
}
