// train_flows: the bank of K potentials — closed-form derivatives against the Eigen mlp_potential and
// against nested autograd (values and parameter gradients), export to Eigen replaying a trained
// flow to 1e-10 in double, save/load and corrupt files.
#include <latentwalk/eigen.hpp>
#include <latentwalk/pde/laplacian.hpp>
#include <latentwalk/pde/wave_loss.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/flows/export_eigen.hpp>
#include <latentwalk/torch/flows/flow_metrics.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>
#include <latentwalk/traversal/potential_flow.hpp>

#include <torch/optim/adam.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "flows_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
using flows_test::max_abs;
using flows_test::max_abs_diff;

namespace {

std::filesystem::path temp_file(const std::string& name) {
    auto dir = std::filesystem::temp_directory_path() / "latentwalk_train_flows";
    std::filesystem::create_directories(dir);
    return dir / name;
}

}  // namespace

CATCH_TEST_CASE("train_flows: the bank's closed-form u, grad u, u_tt, Laplacian and H.v equal the Eigen potential's and nested autograd's") {
    const std::int64_t d = 5;
    lt::potential_bank bank(d, {.potentials = 3, .hidden = 7, .embedding = 6, .seed = 11});
    auto eig = lt::to_eigen(bank);
    CATCH_REQUIRE(eig.potentials.size() == 3);
    at::manual_seed(4);
    const auto z = at::randn({4, d}, at::kDouble);
    const auto v = at::randn({4, d}, at::kDouble);
    for (std::int64_t k = 0; k < 3; ++k) {
        for (double t : {0.0, 1.0, 3.0}) {
            const auto tt = at::full({}, t, at::kDouble);
            const auto cf = bank.terms(k, z, tt, {.second_time_derivative = true, .laplacian = true, .hessian_probe = v});
            const auto ag = bank.terms(k, z, tt, {.second_time_derivative = true, .laplacian = true, .hessian_probe = v,
                                                  .method = lt::potential_derivatives::autograd});
            CATCH_CHECK(max_abs_diff(cf.value, ag.value) < 1e-13);
            CATCH_CHECK(max_abs_diff(cf.gradient, ag.gradient) < 1e-12);
            CATCH_CHECK(max_abs_diff(cf.u_tt, ag.u_tt) < 1e-11);
            CATCH_CHECK(max_abs_diff(cf.laplacian, ag.laplacian) < 1e-11);
            CATCH_CHECK(max_abs_diff(cf.hessian_vector, ag.hessian_vector) < 1e-11);
            const auto& e = eig.potentials[static_cast<std::size_t>(k)];
            for (std::int64_t b = 0; b < 4; ++b) {
                const Eigen::VectorXd zb = flows_test::to_eigen(z[b]);
                const Eigen::VectorXd vb = flows_test::to_eigen(v[b]);
                CATCH_CHECK(std::abs(e.value(zb, t) - cf.value[b].item<double>()) < 1e-13);
                CATCH_CHECK((e.gradient(zb, t) - flows_test::to_eigen(cf.gradient[b])).cwiseAbs().maxCoeff() < 1e-13);
                CATCH_CHECK(std::abs(e.second_time_derivative(zb, t) - cf.u_tt[b].item<double>()) < 1e-12);
                CATCH_CHECK(std::abs(e.laplacian(zb, t) - cf.laplacian[b].item<double>()) < 1e-12);
                CATCH_CHECK((e.hessian_vector(zb, t, vb) - flows_test::to_eigen(cf.hessian_vector[b])).cwiseAbs().maxCoeff() <
                            1e-12);
            }
        }
    }
    // the torch evaluation type built from the bank agrees too
    auto u1 = bank.potential<double>(1);
    CATCH_CHECK(max_abs_diff(u1.forward(z, at::full({}, 2.0, at::kDouble)), bank.value(1, z, at::full({}, 2.0, at::kDouble))) <
                1e-14);
}

CATCH_TEST_CASE("train_flows: parameter gradients of the closed-form wave residual equal those of nested autograd") {
    const std::int64_t d = 4;
    lt::potential_bank bank(d, {.potentials = 2, .initial_wave_speed = 0.7, .seed = 5});
    at::manual_seed(9);
    const auto z = at::randn({6, d}, at::kDouble);
    auto grads_of = [&](lt::potential_derivatives m) {
        bank.zero_grad();
        const auto s = bank.terms(1, z, at::full({}, 2.0, at::kDouble),
                                  {.second_time_derivative = true, .laplacian = true, .method = m});
        const auto f = s.u_tt - bank.wave_speed_squared(1) * s.laplacian;
        (f * f).mean().add((s.gradient * s.gradient).sum(-1).mean()).backward();
        std::vector<at::Tensor> g;
        for (const auto& p : bank.parameters()) g.push_back(p.grad().defined() ? p.grad().clone() : at::zeros_like(p));
        return g;
    };
    const auto a = grads_of(lt::potential_derivatives::closed_form);
    const auto b = grads_of(lt::potential_derivatives::autograd);
    CATCH_REQUIRE(a.size() == b.size());
    double worst = 0, scale = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        worst = std::max(worst, max_abs_diff(a[i], b[i]));
        scale = std::max(scale, max_abs(a[i]));
    }
    CATCH_CHECK(scale > 1e-3);  // the comparison is not between zeros
    CATCH_CHECK(worst < 1e-11 * std::max(1.0, scale));
}

CATCH_TEST_CASE("train_flows: the Eigen export replays a trained torch flow to 1e-10 in double") {
    const std::int64_t d = 6;
    lt::potential_bank bank(d, {.potentials = 2, .seed = 21});
    // a few Adam steps on a flow-dependent loss, so the weights are trained ones, not the initial draw
    ::torch::optim::Adam opt(bank.parameters(), ::torch::optim::AdamOptions(1e-2));
    at::manual_seed(3);
    for (int step = 0; step < 5; ++step) {
        opt.zero_grad();
        auto z = at::randn({8, d}, at::kDouble);
        at::Tensor loss = at::zeros({}, at::kDouble);
        for (int s = 0; s < 4; ++s) {
            const auto g = bank.gradient(0, z, at::full({}, static_cast<double>(s), at::kDouble));
            loss = loss - (g * g).sum(-1).mean();
            z = z + g;
        }
        loss.backward();
        opt.step();
    }
    auto eig = lt::to_eigen(bank);
    const auto z0 = at::randn({3, d}, at::kDouble);
    const int T = 10;
    for (std::int64_t k = 0; k < 2; ++k) {
        at::Tensor z = z0.clone();
        for (int s = 0; s < T; ++s) z = z + bank.gradient(k, z, at::full({}, static_cast<double>(s), at::kDouble)).detach();
        for (std::int64_t b = 0; b < 3; ++b) {
            lw::potential_flow_options<lw::eigen::backend<double>> o;
            o.ode.method = lw::ode_method::euler;
            o.ode.steps = T;
            o.ode.t0 = 0.0;
            o.ode.t1 = static_cast<double>(T);
            const auto sol = lw::potential_flow(eig.potentials[static_cast<std::size_t>(k)], flows_test::to_eigen(z0[b]), o);
            const Eigen::VectorXd end = sol.path.points.back();
            CATCH_CHECK((end - flows_test::to_eigen(z[b])).cwiseAbs().maxCoeff() < 1e-10);
        }
        CATCH_CHECK(eig.wave_speeds[static_cast<std::size_t>(k)] == bank.wave_speed(k));
    }
}

CATCH_TEST_CASE("train_flows: flow_path with eps = 0.2 both ways is the integrator's integer_time rule, not Euler in t = k eps") {
    const std::int64_t d = 4, T = 6;
    lt::potential_bank bank(d, {.potentials = 2, .seed = 5});
    auto eig = lt::to_eigen(bank);
    at::manual_seed(8);
    const auto z0 = at::randn({3, d}, at::kDouble);
    const double eps = lt::paper_inference_step;
    double euler_gap = 0;
    for (std::int64_t k = 0; k < 2; ++k) {
        for (const auto dir : {lw::flow_direction::ascent, lw::flow_direction::descent}) {
            const auto path = lt::flow_path(bank, k, z0, T, eps, dir);
            CATCH_REQUIRE(path.sizes() == at::IntArrayRef({T + 1, 3, d}));
            for (std::int64_t b = 0; b < 3; ++b) {
                auto o = lw::potential_flow_options<lw::eigen::backend<double>>::paper_rule(T, eps);
                o.direction = dir;
                const auto sol = lw::potential_flow(eig.potentials[static_cast<std::size_t>(k)], flows_test::to_eigen(z0[b]), o);
                CATCH_REQUIRE(sol.path.points.size() == static_cast<std::size_t>(T + 1));
                for (std::int64_t t = 0; t <= T; ++t)
                    CATCH_CHECK((sol.path.points[static_cast<std::size_t>(t)] - flows_test::to_eigen(path[t][b]))
                                    .cwiseAbs()
                                    .maxCoeff() < 1e-12);
                auto e = o;  // Euler with step eps evaluates grad u at t = k eps: another path
                e.ode.method = lw::ode_method::euler;
                e.ode.t1 = eps * double(T);
                const auto other = lw::potential_flow(eig.potentials[static_cast<std::size_t>(k)], flows_test::to_eigen(z0[b]), e);
                euler_gap = std::max(euler_gap, (other.path.points.back() - flows_test::to_eigen(path[T][b])).cwiseAbs().maxCoeff());
            }
        }
        // the negative traversal leaves z0 the other way: the first steps are opposite
        const auto up = lt::flow_path(bank, k, z0, 1, eps), down = lt::flow_path(bank, k, z0, 1, eps, lw::flow_direction::descent);
        CATCH_CHECK(max_abs_diff(up[1] - z0, z0 - down[1]) < 1e-15);
    }
    CATCH_CHECK(euler_gap > 1e-6);
}

CATCH_TEST_CASE("train_flows: the bank saves and loads exactly, and missing, corrupt and foreign files are model_loading_error") {
    const std::int64_t d = 3;
    lt::potential_bank bank(d, {.potentials = 2, .hidden = 5, .initial_wave_speed = 1.5, .seed = 2});
    const auto path = temp_file("bank.pt");
    bank.save(path);
    CATCH_CHECK(!std::filesystem::exists(path.string() + ".tmp"));
    auto again = lt::potential_bank::load(path);
    CATCH_REQUIRE(again->size() == 2);
    CATCH_REQUIRE(again->hidden() == 5);
    const auto z = at::randn({4, d}, at::kDouble);
    const auto t = at::full({}, 1.0, at::kDouble);
    CATCH_CHECK(max_abs_diff(again->value(1, z, t), bank.value(1, z, t)) == 0.0);
    CATCH_CHECK(again->wave_speed(1) == 1.5);
    // load_state refills a bank of the same shape in place
    lt::potential_bank other(d, {.potentials = 2, .hidden = 5, .seed = 99});
    other.load_state(path);
    CATCH_CHECK(max_abs_diff(other.value(0, z, t), bank.value(0, z, t)) == 0.0);
    // a bank of another shape refuses the file and is left untouched
    lt::potential_bank wider(d, {.potentials = 2, .hidden = 6, .seed = 99});
    const auto before = wider.value(0, z, t);
    CATCH_CHECK_THROWS_AS(wider.load_state(path), lw::model_loading_error);
    CATCH_CHECK(max_abs_diff(wider.value(0, z, t), before) == 0.0);
    // missing and corrupt files
    CATCH_CHECK_THROWS_AS(lt::potential_bank::load(temp_file("no_such_bank.pt")), lw::model_loading_error);
    const auto bad = temp_file("corrupt_bank.pt");
    {
        std::ifstream in(path, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), {});
        std::ofstream out(bad, std::ios::binary);
        out << bytes.substr(0, bytes.size() / 2);
    }
    CATCH_CHECK_THROWS_AS(lt::potential_bank::load(bad), lw::model_loading_error);
    {
        std::ofstream out(bad, std::ios::binary);
        out << "not a checkpoint";
    }
    CATCH_CHECK_THROWS_AS(lt::potential_bank::load(bad), lw::model_loading_error);
    CATCH_CHECK_THROWS_AS(bank.value(2, z, t), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(bank.value(0, at::randn({4, d + 1}, at::kDouble), t), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lt::potential_bank(d, {.potentials = 0}), lw::invalid_argument_error);
}
