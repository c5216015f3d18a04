// train_flows: the VAE trained with traversals (Song et al. §4.3) — L_z, L_x and the ELBO against a hand
// computation, gradients against finite differences, the encoder-as-classifier rule, exact resume, a
// short seeded run that lowers L_z and L_x and the equivariance error, and the refusals.
#include <latentwalk/torch/flows/baseline_banks.hpp>
#include <latentwalk/torch/flows/flow_trainer.hpp>
#include <latentwalk/torch/flows/potential_bank.hpp>
#include <latentwalk/torch/flows/sprite_traversals.hpp>
#include <latentwalk/torch/flows/traversal_vae.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "flows_support.hpp"

namespace lw = latentwalk;
namespace lt = latentwalk::torch;
namespace m = latentwalk::torch::models;

namespace {

m::vae tiny_vae(std::int64_t d, std::int64_t side, std::uint64_t seed = 11) {
    at::manual_seed(seed);
    m::vae model(m::vae_options{.latent_dim = d, .channels = 1, .height = side, .width = side, .base_width = 4, .max_width = 8});
    model->to(at::kDouble);
    return model;
}

at::Tensor normals(std::vector<std::int64_t> shape, std::uint64_t seed) {
    at::manual_seed(seed);
    return at::randn(shape, at::kDouble);
}

/// −log p(x|z) of the Bernoulli decoder written out: −Σ x log σ(l) + (1 − x) log(1 − σ(l)).
at::Tensor bernoulli_nll(m::vae& model, const at::Tensor& x, const at::Tensor& z) {
    const auto l = model->decoder()->logits_images(z).reshape({x.size(0), -1});
    const auto p = at::sigmoid(l);
    const auto xf = x.reshape({x.size(0), -1});
    return -(xf * at::log(p) + (1 - xf) * at::log(1 - p)).sum(1);
}

}  // namespace

CATCH_TEST_CASE("train_flows: the traversal VAE's L_z, L_x and ELBO equal a hand computation on a tiny model") {
    constexpr std::int64_t d = 3, B = 4, S = 5, side = 8, K = 2;
    auto model = tiny_vae(d, side);
    const auto seq = at::rand({B, S, 1, side, side}, at::kDouble);
    const auto noise = normals({B, S, d}, 3);
    std::mt19937_64 rng(1);
    // linear bank: ẑ_t = z₀ + t·ε·a_k in closed form
    lt::linear_bank lin(d, {.potentials = K, .seed = 4});
    const std::int64_t k = 1, t = 2;
    const double eps = 0.7;
    lt::traversal_vae_loss_options o = lt::traversal_vae_loss_options::baseline();
    o.step = eps;
    const auto r = lt::traversal_vae_loss(model, lin, seq, k, t, o, noise, rng);
    const auto a = lin.named_parameters()["a"][k].detach();
    std::vector<at::Tensor> z(S);
    at::Tensor nelbo = at::zeros({}, at::kDouble);
    for (std::int64_t s = 0; s < S; ++s) {
        const auto xs = seq.select(1, s);
        auto [mu, lv] = model->encode(xs);
        z[static_cast<std::size_t>(s)] = mu.detach();
        const auto zs = mu + at::exp(0.5 * lv) * noise.select(1, s);
        const auto kl = 0.5 * (mu * mu + at::exp(lv) - 1 - lv).sum(1);
        nelbo = nelbo + (bernoulli_nll(model, xs, zs) + kl).sum();
    }
    nelbo = nelbo / double(B * S);
    const auto zhat = [&](std::int64_t s) { return z[0] + double(s) * eps * a; };
    const auto sq = [](const at::Tensor& v) { return (v * v).sum(1).mean(); };
    const auto lz = sq(z[t] - zhat(t)) + sq((z[t + 1] - z[t]) - eps * a);
    const auto lx = bernoulli_nll(model, seq.select(1, t + 1), zhat(t + 1)).mean();
    CATCH_CHECK(std::abs(r.negative_elbo.item<double>() - nelbo.item<double>()) < 1e-10 * std::abs(nelbo.item<double>()));
    CATCH_CHECK(std::abs(r.latent.item<double>() - lz.item<double>()) < 1e-12 + 1e-10 * lz.item<double>());
    CATCH_CHECK(std::abs(r.reconstruction.item<double>() - lx.item<double>()) < 1e-10 * lx.item<double>());
    CATCH_CHECK(r.wave.item<double>() == 0.0);
    CATCH_CHECK(std::abs(r.total.item<double>() - (nelbo + lz + lx).item<double>()) < 1e-9 * std::abs(r.total.item<double>()));

    // potential bank, every t: ẑ by nested autograd (the released code's derivative), L_u = ‖∇u(z₀, 0)‖²
    lt::potential_bank bank(d, {.potentials = K, .seed = 8});
    lt::traversal_vae_loss_options all;
    all.times = lt::traversal_times::all;
    const auto q = lt::traversal_vae_loss(model, bank, seq, 0, 0, all, noise, rng);
    std::vector<at::Tensor> zh{z[0]};
    const auto grad_at = [&](const at::Tensor& p, std::int64_t i) {
        lt::potential_terms_request req;
        req.method = lt::potential_derivatives::autograd;
        return bank.terms(0, p, at::full({}, double(i), at::kDouble), req).gradient.detach();
    };
    for (std::int64_t i = 0; i + 1 < S; ++i) zh.push_back(zh.back() + grad_at(zh.back(), i));
    double lz_all = 0, lx_all = 0;
    for (std::int64_t i = 0; i + 1 < S; ++i) {
        const auto u = static_cast<std::size_t>(i);
        lz_all += (sq(z[u] - zh[u]) + sq((z[u + 1] - z[u]) - (zh[u + 1] - zh[u]))).item<double>();
        lx_all += bernoulli_nll(model, seq.select(1, i + 1), zh[u + 1]).mean().item<double>();
    }
    lz_all /= double(S - 1);
    lx_all /= double(S - 1);
    CATCH_CHECK(std::abs(q.latent.item<double>() - lz_all) < 1e-10 * lz_all);
    CATCH_CHECK(std::abs(q.reconstruction.item<double>() - lx_all) < 1e-10 * lx_all);
    CATCH_CHECK(std::abs(q.initial.item<double>() - sq(grad_at(z[0], 0)).item<double>()) < 1e-12);
    CATCH_CHECK(q.wave.item<double>() > 0.0);

    // the vanilla objective is the ELBO alone
    const auto v = lt::traversal_vae_loss(model, bank, seq, 0, 0, lt::traversal_vae_loss_options::vanilla(), noise, rng);
    CATCH_CHECK(std::abs(v.total.item<double>() - nelbo.item<double>()) < 1e-10 * std::abs(nelbo.item<double>()));
}

CATCH_TEST_CASE("train_flows: the traversal VAE's gradient matches central finite differences in the VAE's and the bank's parameters") {
    constexpr std::int64_t d = 3, B = 3, S = 4, side = 8, K = 2;
    auto model = tiny_vae(d, side, 5);
    auto bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = 2});
    const auto seq = at::rand({B, S, 1, side, side}, at::kDouble);
    const auto noise = normals({B, S, d}, 9);
    lt::traversal_vae_loss_options o;
    o.times = lt::traversal_times::all;
    const auto loss = [&] {
        std::mt19937_64 rng(1);
        return lt::traversal_vae_loss(model, *bank, seq, 1, 0, o, noise, rng).total;
    };
    model->zero_grad();
    bank->zero_grad();
    loss().backward();
    std::vector<std::pair<std::string, at::Tensor>> probes;
    for (const auto& p : model->named_parameters())
        if (p.value().requires_grad() && (p.key().find("fc.weight") != std::string::npos || p.key().find("weight") != std::string::npos))
            probes.emplace_back("vae." + p.key(), p.value());
    for (const auto& name : {"u1_W_z", "u1_W_f", "u1_w_out", "c"}) probes.emplace_back(name, bank->named_parameters()[name]);
    int checked = 0;
    for (auto& [name, p] : probes) {
        if (checked >= 8) break;
        const auto flat = p.view({-1});
        const auto g = p.grad().view({-1});
        for (std::int64_t j : {std::int64_t(0), flat.numel() / 2}) {
            at::NoGradGuard ng;
            const double h = 1e-5, x0 = flat[j].item<double>();
            flat[j] = x0 + h;
            const double up = loss().item<double>();
            flat[j] = x0 - h;
            const double dn = loss().item<double>();
            flat[j] = x0;
            const double fd = (up - dn) / (2 * h), an = g[j].item<double>();
            CATCH_INFO(name << "[" << j << "]: autograd " << an << ", finite differences " << fd);
            CATCH_CHECK(std::abs(an - fd) < 1e-6 + 1e-5 * std::abs(fd));
        }
        ++checked;
    }
    CATCH_CHECK(checked >= 4);
}

CATCH_TEST_CASE("train_flows: the encoder classifier scores each potential by the encoded step and trains the bank without parameters of its own") {
    constexpr std::int64_t d = 3, K = 3;
    const lt::image_shape shape{1, 4, 4};
    // an exactly invertible generator: G(z) = A z, the encoder its pseudo-inverse, so Enc(G(z)) = z
    at::manual_seed(21);
    const auto A = at::randn({shape.numel(), d}, at::kDouble);
    const auto Ap = at::linalg_pinv(A);
    const lt::tensor_function G = [A](const at::Tensor& z) { return at::matmul(z, A.t()); };
    const lt::tensor_function E = [Ap](const at::Tensor& x) { return at::matmul(x.reshape({x.size(0), -1}), Ap.t()); };
    auto bank = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = K, .seed = 3});
    auto clf = std::make_shared<lt::encoder_pair_classifier<lt::potential_bank>>(bank, E);
    CATCH_CHECK(clf->parameters().empty());
    // the rule, by hand: logit_j = −‖(z_b − z_a) − ∇u^j(z_a, a)‖², z_b = z_a + ∇u^1(z_a, a)
    const auto za = normals({5, d}, 4);
    const auto zb = za + bank->gradient(1, za, at::full({}, 2.0, at::kDouble)).detach();
    const auto logits = clf->forward_at(G(za), G(zb), 2).detach();
    for (std::int64_t j = 0; j < K; ++j) {
        const auto r = (zb - za) - bank->gradient(j, za, at::full({}, 2.0, at::kDouble)).detach();
        CATCH_CHECK(flows_test::max_abs_diff(logits.select(1, j), -(r * r).sum(-1)) < 1e-10);
    }
    CATCH_CHECK(flows_test::max_abs(logits.select(1, 1)) < 1e-10);
    CATCH_CHECK_THROWS_AS(clf->forward(G(za), G(zb)), lw::invalid_argument_error);
    // under flow_trainer: L_k falls on fixed held-out codes
    lt::flow_trainer_options o;
    o.loss.timesteps = 6;
    o.bank_learning_rate = 3e-3;
    o.seed = 5;
    lt::flow_trainer<lt::potential_bank, lt::encoder_pair_classifier<lt::potential_bank>> tr(bank, clf, G, shape, o);
    const auto held = normals({64, d}, 6);
    const auto mean_ce = [&] {
        double s = 0;
        std::mt19937_64 rng(1);
        for (std::int64_t k = 0; k < K; ++k) s += lt::flow_loss(*bank, *clf, G, shape, held, k, 1, o.loss, rng).classifier.item<double>() / K;
        return s;
    };
    const double before = mean_ce();
    for (int s = 0; s < 150; ++s) tr.step();
    const double after = mean_ce();
    std::cout << "train_flows, encoder classifier, 150 steps (seed 5): held-out L_k " << before << " -> " << after << "\n";
    CATCH_CHECK(after < before - 0.2);
}

namespace {

struct traversal_fixture {
    static constexpr std::int64_t d = 4, K = 4, side = 16;
    lt::traversal_set train = lt::sprite_traversals(256, {.resolution = side, .seed = 1});
    lt::traversal_set test = lt::sprite_traversals(64, {.resolution = side, .seed = 2});
};

lt::traversal_vae_trainer<lt::potential_bank> make_traversal_trainer(const lt::traversal_set& data, std::uint64_t seed = 3,
                                                                    double bank_lr = 3e-3, bool all_times = false) {
    auto model = tiny_vae(traversal_fixture::d, traversal_fixture::side, 17);
    auto bank = std::make_shared<lt::potential_bank>(traversal_fixture::d, lt::potential_bank_options{.potentials = traversal_fixture::K, .seed = 4});
    lt::traversal_vae_trainer_options o;
    o.batch = 8;
    o.bank_learning_rate = bank_lr;
    o.seed = seed;
    if (all_times) o.loss.times = lt::traversal_times::all;
    return {model, bank, data, o};
}

struct held_out {
    double latent = 0, latent_zero = 0, reconstruction = 0;  ///< L_z of the flow, L_z of ∇u = 0, L_x
    double relative() const { return latent / latent_zero; }
};

/// L_z and L_x over every t of the held-out sequences of each factor (ε = 0), mean over factors, and the
/// L_z that ∇u = 0 would score on the same codes: Σ_t ‖z_t − z₀‖² + ‖z_{t+1} − z_t‖² (the scale of the codes).
held_out held_out_terms(m::vae& model, const lt::potential_bank& bank, const lt::traversal_set& set) {
    lt::traversal_vae_loss_options o;
    o.times = lt::traversal_times::all;
    held_out h;
    std::mt19937_64 rng(1);
    for (std::int64_t k = 0; k < 4; ++k) {
        const auto idx = (set.factor == k).nonzero().squeeze(-1);
        const auto seq = set.images.index_select(0, idx);
        const auto noise = at::zeros({seq.size(0), seq.size(1), model->latent_dim()}, at::kDouble);
        const auto r = lt::traversal_vae_loss(model, bank, seq, k, 0, o, noise, rng);
        h.latent += r.latent.item<double>() / 4;
        h.reconstruction += r.reconstruction.item<double>() / 4;
        const auto z = r.codes.detach();
        double zero = 0;
        for (std::int64_t t = 0; t + 1 < z.size(0); ++t)
            zero += ((z[t] - z[0]).pow(2).sum(-1).mean() + (z[t + 1] - z[t]).pow(2).sum(-1).mean()).item<double>();
        h.latent_zero += zero / double(z.size(0) - 1) / 4;
    }
    return h;
}

/// The reconstruction floor of the equivariance error: Σ_t ‖x_t − Dec(Enc(x_t))‖₁ (the flow replaced by the
/// encoder's own codes of the true states), mean over the sequences.
double encoded_floor(m::vae& model, const lt::traversal_set& set) {
    at::NoGradGuard ng;
    const auto S = set.states();
    const auto x = set.images.to(at::kDouble);
    const auto codes = model->encode(set.flat_images().to(at::kDouble)).first.reshape({set.size(), S, -1}).transpose(0, 1);
    const lt::tensor_function dec = [&](const at::Tensor& z) { return model->decoder()->forward(z); };
    return lt::equivariance_error(dec, codes, x.transpose(0, 1));
}

}  // namespace

CATCH_TEST_CASE("train_flows: a traversal VAE trainer resumed from its checkpoint continues bit for bit") {
    traversal_fixture f;
    auto a = make_traversal_trainer(f.train);
    for (int s = 0; s < 6; ++s) a.step();
    const auto path = std::filesystem::temp_directory_path() / "latentwalk_train_flows_tvae.ckpt";
    {
        auto b = make_traversal_trainer(f.train);
        for (int s = 0; s < 3; ++s) b.step();
        b.save(path);
    }
    auto c = make_traversal_trainer(f.train);
    c.load(path);
    CATCH_CHECK(c.steps_done() == 3);
    for (int s = 0; s < 3; ++s) c.step();
    double worst = 0;
    const auto pa = a.model()->named_parameters(), pc = c.model()->named_parameters();
    for (const auto& p : pa) worst = std::max(worst, flows_test::max_abs_diff(p.value(), pc[p.key()]));
    const auto qa = a.bank().named_parameters(), qc = c.bank().named_parameters();
    for (const auto& p : qa) worst = std::max(worst, flows_test::max_abs_diff(p.value(), qc[p.key()]));
    CATCH_CHECK(worst == 0.0);
    // a checkpoint of another bank shape is refused
    auto other = std::make_shared<lt::potential_bank>(traversal_fixture::d, lt::potential_bank_options{.potentials = 5});
    lt::traversal_vae_trainer<lt::potential_bank> wrong(tiny_vae(traversal_fixture::d, traversal_fixture::side), other, f.train);
    CATCH_CHECK_THROWS_AS(wrong.load(path), lw::model_loading_error);
    std::filesystem::remove(path);
}

// What it gives (seed 3, 256 sequences of 8 sprite states at 16×16, d = 4, K = 4, batch 8, every t,
// 400 steps, ~15 s): held-out L_x 163 → 22 nats; L_z 0.32 → 0.63 in absolute terms, because the untrained
// encoder's codes are collapsed (they barely move along a sequence) and training spreads them, so L_z is
// judged relative to what ∇u = 0 would score on the same codes: 553 → 0.38 (the flow explains most of the
// encoded motion). Equivariance error above the reconstruction floor Σ‖x_t − Dec(Enc(x_t))‖₁ (76.2): trained
// flow 81.95 (+5.8), the same VAE with the untrained flow 85.35 (+9.2), ∇u = 0 88.54 (+12.4). With one
// sampled t per batch (the paper's rule) the same 400 steps give a smaller gain (98.14 vs 100.56 vs 103.71,
// floor 97.89): the run is too short for the sampled rule to reach the assertions, hence every t here.
CATCH_TEST_CASE("train_flows: a short seeded traversal-VAE run lowers L_z and L_x and the trained flow's equivariance error beats the untrained flow's") {
    traversal_fixture f;
    const double lr = 3e-3;
    const int steps = 400;
    const bool all = true;
    auto tr = make_traversal_trainer(f.train, 3, lr, all);
    const auto h0 = held_out_terms(tr.model(), tr.bank(), f.test);
    for (int s = 0; s < steps; ++s) tr.step();
    const auto h1 = held_out_terms(tr.model(), tr.bank(), f.test);
    const lt::potential_bank untrained(traversal_fixture::d, {.potentials = traversal_fixture::K, .seed = 4});
    const auto trained_err = lt::traversal_equivariance(tr.model(), &tr.bank(), f.test);
    const auto untrained_err = lt::traversal_equivariance(tr.model(), &untrained, f.test);
    const auto zero_err = lt::traversal_equivariance<lt::potential_bank>(tr.model(), nullptr, f.test);
    double te = 0, ue = 0, ze = 0;
    for (std::size_t k = 0; k < 4; ++k) te += trained_err[k] / 4, ue += untrained_err[k] / 4, ze += zero_err[k] / 4;
    const double floor = encoded_floor(tr.model(), f.test);
    std::cout << "train_flows, traversal VAE, " << steps << " steps (seed 3, bank lr " << lr << (all ? ", every t" : ", sampled t")
              << "): held-out L_z " << h0.latent << " -> " << h1.latent << " (relative to grad u = 0: " << h0.relative()
              << " -> " << h1.relative() << "), L_x " << h0.reconstruction << " -> " << h1.reconstruction
              << "; equivariance error: trained flow " << te << ", untrained flow " << ue << ", grad u = 0 " << ze
              << ", Dec(Enc(x_t)) floor " << floor << "\n";
    CATCH_CHECK(h1.reconstruction < 0.5 * h0.reconstruction);
    CATCH_CHECK(h1.relative() < 0.8 * h0.relative());
    CATCH_CHECK(te - floor < 0.8 * (ue - floor));
    CATCH_CHECK(te < ze);
}

CATCH_TEST_CASE("train_flows: the traversal VAE refuses bad sequences, times, factors and noise with a sentence") {
    constexpr std::int64_t d = 3, side = 8;
    auto model = tiny_vae(d, side);
    lt::potential_bank bank(d, {.potentials = 2});
    std::mt19937_64 rng(1);
    const auto seq = at::rand({2, 4, 1, side, side}, at::kDouble);
    const auto noise = at::zeros({2, 4, d}, at::kDouble);
    const lt::traversal_vae_loss_options o;
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_loss(model, bank, seq, 0, 3, o, noise, rng), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_loss(model, bank, seq, 2, 0, o, noise, rng), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_loss(model, bank, seq.select(1, 0), 0, 0, o, noise, rng), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_loss(model, bank, at::rand({2, 4, 1, 16, 16}, at::kDouble), 0, 0, o, noise, rng),
                          lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_loss(model, bank, seq, 0, 0, o, noise.slice(2, 0, 2), rng), lw::dimension_error);
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_loss(model, bank, seq.slice(1, 0, 1), 0, 0, o, noise.slice(1, 0, 1), rng),
                          lw::invalid_argument_error);
    auto small = std::make_shared<lt::potential_bank>(d, lt::potential_bank_options{.potentials = 2});
    lt::traversal_set data{seq.to(at::kFloat), at::tensor(std::vector<std::int64_t>{0, 3}, at::kLong), {}};
    CATCH_CHECK_THROWS_AS(lt::traversal_vae_trainer<lt::potential_bank>(model, small, data), lw::invalid_argument_error);
    try {
        lt::traversal_vae_loss(model, bank, seq, 0, 3, o, noise, rng);
    } catch (const lw::error& e) {
        const std::string what = e.what();
        CATCH_CHECK(what.find("traversal_vae_loss") != std::string::npos);
        CATCH_CHECK(what.find("start time 3") != std::string::npos);
    }
    CATCH_CHECK_THROWS_AS(lt::sprite_traversals(0), lw::invalid_argument_error);
    const auto sp = lt::sprite_traversals(8, {.states = 8, .resolution = 16});
    CATCH_CHECK(sp.images.sizes() == at::IntArrayRef({8, 8, 1, 16, 16}));
    CATCH_CHECK(sp.factors() == 4);
    // states differ along a sequence and the set is deterministic
    CATCH_CHECK(flows_test::max_abs_diff(sp.images.select(1, 0), sp.images.select(1, 7)) > 0.1);
    CATCH_CHECK(flows_test::max_abs_diff(sp.images, lt::sprite_traversals(8, {.states = 8, .resolution = 16}).images) == 0.0);
}

namespace {

/// The fixture's VAE after `steps` ELBO-only steps, frozen (eval mode, no parameter requires a gradient).
m::vae train_pretrained_tiny_vae(const lt::traversal_set& train, int steps) {
    auto unused = std::make_shared<lt::potential_bank>(traversal_fixture::d, lt::potential_bank_options{.potentials = traversal_fixture::K});
    lt::traversal_vae_trainer_options o;
    o.loss = lt::traversal_vae_loss_options::vanilla();
    o.batch = 8;
    o.seed = 3;
    lt::traversal_vae_trainer<lt::potential_bank> tr(tiny_vae(traversal_fixture::d, traversal_fixture::side, 17), unused, train, o);
    for (int s = 0; s < steps; ++s) tr.step();
    auto model = tr.model();
    model->eval();
    for (auto& p : model->parameters()) p.set_requires_grad(false);
    return model;
}

/// The "pretrained" VAE of the tests below: 300 ELBO steps, frozen, made once and shared (none of them
/// changes it). With 60 or 150 steps its decoder is still so flat that the bank's held-out L_k does not
/// leave ln 4 in 150 steps (measured: 1.3863 → 1.3863).
m::vae pretrained_tiny_vae() {
    static m::vae cached = [] {
        const traversal_fixture f;
        return train_pretrained_tiny_vae(f.train, 300);
    }();
    return cached;
}

}  // namespace

// What it gives (seed 5; the fixture's VAE after 300 ELBO steps, frozen; K = 4, T = 6, batch 16, bank lr 3e-3,
// 150 steps): held-out L_k 1.376 → 1.335 (ln 4 = 1.386), accuracy 0.51 → 0.55. The untrained potentials barely
// move the codes, so every potential explains the encoded step almost equally; L_J lengthens the flows apart.
// A slow start (the 600-step sprite run falls 1.37 → 1.19 over 600 steps): hence the small stated margin.
CATCH_TEST_CASE("train_flows: a bank trained on a frozen VAE with its encoder as the classifier lowers the held-out L_k and leaves the VAE untouched") {
    auto model = pretrained_tiny_vae();
    std::vector<at::Tensor> before_params;
    for (const auto& p : model->parameters()) before_params.push_back(p.detach().clone());
    constexpr std::int64_t K = traversal_fixture::K;
    auto bank = std::make_shared<lt::potential_bank>(traversal_fixture::d, lt::potential_bank_options{.potentials = K, .seed = 4});
    auto clf = std::make_shared<lt::encoder_pair_classifier<lt::potential_bank>>(bank, lt::vae_mean_encoder(model));
    const auto G = lt::vae_mean_decoder(model);
    const lt::image_shape shape{1, traversal_fixture::side, traversal_fixture::side};
    lt::flow_trainer_options o;
    o.loss.timesteps = 6;
    o.batch = 16;
    o.bank_learning_rate = 3e-3;
    o.seed = 5;
    lt::flow_trainer<lt::potential_bank, lt::encoder_pair_classifier<lt::potential_bank>> tr(bank, clf, G, shape, o);
    const auto held = normals({64, traversal_fixture::d}, 6);
    const auto held_out = [&] {
        double ce = 0, acc = 0;
        std::mt19937_64 rng(1);
        for (std::int64_t k = 0; k < K; ++k) {
            const auto r = lt::flow_loss(*bank, *clf, G, shape, held, k, 1, o.loss, rng);
            ce += r.classifier.item<double>() / K, acc += r.accuracy / K;
        }
        return std::pair{ce, acc};
    };
    const auto [ce0, acc0] = held_out();
    for (int s = 0; s < 150; ++s) tr.step();
    const auto [ce1, acc1] = held_out();
    std::cout << "train_flows, pretrained VAE + encoder classifier, 150 steps (seed 5): held-out L_k " << ce0 << " -> " << ce1
              << ", accuracy " << acc0 << " -> " << acc1 << "\n";
    CATCH_CHECK(ce1 < ce0 - 0.02);
    double moved = 0;
    const auto after_params = model->parameters();
    for (std::size_t i = 0; i < after_params.size(); ++i) moved = std::max(moved, flows_test::max_abs_diff(after_params[i], before_params[i]));
    CATCH_CHECK(moved == 0.0);
}

CATCH_TEST_CASE("train_flows: match_potentials finds the least-error one-to-one potential and direction per factor, as a brute force does") {
    // the assignment solver against every injection, on random costs
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (int trial = 0; trial < 20; ++trial) {
        const std::int64_t F = 3, K = 5;
        std::vector<std::vector<double>> cost(F, std::vector<double>(K));
        for (auto& r : cost)
            for (auto& c : r) c = u(rng);
        const auto got = lt::detail::min_cost_assignment(cost, K);
        double got_cost = 0, best = 1e300;
        for (std::int64_t f = 0; f < F; ++f) got_cost += cost[f][static_cast<std::size_t>(got[f])];
        for (std::int64_t a = 0; a < K; ++a)
            for (std::int64_t b = 0; b < K; ++b)
                for (std::int64_t c = 0; c < K; ++c)
                    if (a != b && b != c && a != c) best = std::min(best, cost[0][a] + cost[1][b] + cost[2][c]);
        CATCH_CHECK(std::abs(got_cost - best) < 1e-12);
        CATCH_CHECK((got[0] != got[1] && got[1] != got[2] && got[0] != got[2]));
    }
    // on a VAE: a linear bank whose directions are each factor's mean encoded step, permuted and negated
    traversal_fixture f;
    auto model = pretrained_tiny_vae();
    const auto set = f.test;
    const auto S = set.states();
    lt::linear_bank bank(traversal_fixture::d, {.potentials = 5, .seed = 2});
    {
        at::NoGradGuard ng;
        const auto codes = model->encode(set.flat_images().to(at::kDouble)).first.reshape({set.size(), S, -1});
        const auto steps = (codes.narrow(1, 1, S - 1) - codes.narrow(1, 0, S - 1)).mean(1);  // [N, d]
        const std::int64_t slot[4] = {3, 0, 4, 1};
        const double sign[4] = {-1.0, 1.0, -1.0, 1.0};
        for (std::int64_t k = 0; k < 4; ++k)
            bank.named_parameters()["a"][slot[k]].copy_(sign[k] * steps.index_select(0, (set.factor == k).nonzero().squeeze(-1)).mean(0));
    }
    const auto a = lt::match_potentials(model, bank, set);
    // brute force over every injection of the 4 factors into the 5 potentials, both directions each
    std::vector<std::vector<double>> cost(4, std::vector<double>(5));
    for (std::int64_t j = 0; j < 5; ++j)
        for (const auto dir : {lw::flow_direction::ascent, lw::flow_direction::descent}) {
            lt::factor_assignment all;
            for (int k = 0; k < 4; ++k) all.potential.push_back(j), all.direction.push_back(dir);
            const auto e = lt::traversal_equivariance(model, bank, set, all);
            for (std::size_t k = 0; k < 4; ++k)
                cost[k][static_cast<std::size_t>(j)] = dir == lw::flow_direction::ascent ? e[k] : std::min(cost[k][static_cast<std::size_t>(j)], e[k]);
        }
    double best = 1e300;
    std::vector<std::int64_t> p = {0, 1, 2, 3, 4};
    do best = std::min(best, cost[0][p[0]] + cost[1][p[1]] + cost[2][p[2]] + cost[3][p[3]]);
    while (std::next_permutation(p.begin(), p.end()));
    const auto scored = lt::traversal_equivariance(model, bank, set, a);
    double total = 0, reported = 0;
    for (std::size_t k = 0; k < 4; ++k) total += scored[k], reported += a.error[k];
    std::cout << "train_flows, match_potentials: matched";
    for (std::size_t k = 0; k < 4; ++k) std::cout << ' ' << (a.direction[k] == lw::flow_direction::ascent ? '+' : '-') << a.potential[k];
    std::cout << " (planted -3 +0 -4 +1), total Err " << total << ", brute force " << best << "\n";
    CATCH_CHECK(std::abs(total - best) < 1e-9 * best);
    CATCH_CHECK(std::abs(reported - total) < 1e-9 * best);
    // the identity correspondence of the same bank is no better
    double identity = 0;
    for (const auto e : lt::traversal_equivariance(model, &bank, set)) identity += e;
    CATCH_CHECK(total <= identity + 1e-9);
    // refusals
    lt::factor_assignment short_one = lt::factor_assignment::identity(3);
    CATCH_CHECK_THROWS_AS(lt::traversal_equivariance(model, bank, set, short_one), lw::invalid_argument_error);
    lt::linear_bank small(traversal_fixture::d, {.potentials = 3});
    CATCH_CHECK_THROWS_AS(lt::match_potentials(model, small, set), lw::invalid_argument_error);
}

CATCH_TEST_CASE("train_flows: the VP score of a VAE decoder's flows is at chance for copies of one direction and far above it for distinct ones") {
    // a VAE of 40 ELBO steps: its decoder still answers to every axis (the 300-step one has let some go
    // inactive, and ±e_0, ±e_1 then score 0.52 at these sizes)
    const traversal_fixture f;
    auto model = train_pretrained_tiny_vae(f.train, 40);
    const lt::image_shape shape{1, traversal_fixture::side, traversal_fixture::side};
    lt::linear_bank copies(traversal_fixture::d, {.potentials = 4, .seed = 2}), distinct(traversal_fixture::d, {.potentials = 4, .seed = 2});
    {
        at::NoGradGuard ng;
        const auto eye = at::eye(traversal_fixture::d, at::kDouble);
        for (std::int64_t k = 0; k < 4; ++k) {
            copies.named_parameters()["a"][k].copy_(0.5 * eye[0]);
            distinct.named_parameters()["a"][k].copy_((k % 2 ? -0.5 : 0.5) * eye[k / 2]);
        }
    }
    lt::vp_score_options vo;
    vo.pairs = 400;
    vo.train_fraction = 0.5;
    vo.epochs = 15;
    vo.runs = 2;
    const auto G = lt::vae_mean_decoder(model);
    const auto same = lt::vp_score(G, shape, 4, lt::flow_endpoint(copies, 7), traversal_fixture::d, vo);
    const auto apart = lt::vp_score(G, shape, 4, lt::flow_endpoint(distinct, 7), traversal_fixture::d, vo);
    std::cout << "train_flows, VP on the VAE decoder (7 steps of 0.5 e_i): copies " << same.mean << ", distinct ±e_0, ±e_1 " << apart.mean << "\n";
    CATCH_CHECK(std::abs(same.mean - 0.25) < 0.1);
    CATCH_CHECK(apart.mean > 0.6);
}
