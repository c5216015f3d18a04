// train: the models — geometry, spectral normalization, the decoder as a (partial) generator,
// TorchScript export loaded back by torchscript_generator.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include <torch/torch.h>

#include <latentwalk/check_derivatives.hpp>
#include <latentwalk/derivatives.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/training.hpp>

namespace lw = latentwalk;
namespace m = latentwalk::torch::models;
namespace tr = latentwalk::torch::training;

namespace {

std::filesystem::path scratch(const std::string& name) {
    auto p = std::filesystem::temp_directory_path() / ("latentwalk_train_" + name + "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(p);
    std::filesystem::create_directories(p);
    return p;
}

/// Central differences of f along v, in double.
at::Tensor central_difference(const std::function<at::Tensor(const at::Tensor&)>& f, const at::Tensor& z,
                              const at::Tensor& v, double h) {
    at::NoGradGuard no_grad;
    return (f(z + h * v) - f(z - h * v)) / (2 * h);
}

}  // namespace

CATCH_TEST_CASE("train: the layer plan covers 8, 28, 32 and 64 pixel images and the models produce their shapes") {
    struct size_case { std::int64_t c, h, levels, base; };
    for (auto s : {size_case{1, 8, 1, 4}, size_case{1, 28, 2, 7}, size_case{3, 32, 3, 4}, size_case{1, 64, 4, 4}}) {
        CATCH_CAPTURE(s.h);
        const auto g = m::conv_geometry::plan(s.c, s.h, s.h, 8);
        CATCH_CHECK(g.levels == s.levels);
        CATCH_CHECK(g.base_height == s.base);
        tr::manual_seed(1);
        m::vae model(m::vae_options{.latent_dim = 3, .channels = s.c, .height = s.h, .width = s.h, .base_width = 8});
        auto x = at::rand({2, s.c, s.h, s.h});
        auto [mu, logvar] = model->encode(x);
        CATCH_CHECK(mu.sizes() == at::IntArrayRef({2, 3}));
        CATCH_CHECK(logvar.sizes() == at::IntArrayRef({2, 3}));
        auto dec = model->decoder();
        CATCH_CHECK(dec->forward(at::randn({4, 2, 3})).sizes() == at::IntArrayRef({4, 2, s.c * s.h * s.h}));
        for (std::int64_t l = 1; l <= dec->num_layers(); ++l)
            CATCH_CHECK(dec->features(at::randn({5, 3}), l).size(1) == dec->feature_dim(l));
        m::gan net(m::gan_options{.latent_dim = 3, .channels = s.c, .height = s.h, .width = s.h, .base_width = 8});
        CATCH_CHECK(net->discriminator()->forward(x).sizes() == at::IntArrayRef({2}));
    }
    CATCH_CHECK_THROWS_AS(m::conv_geometry::plan(1, 6, 6), lw::invalid_argument_error);
    m::conv_decoder dec(m::decoder_options{});
    CATCH_CHECK_THROWS_AS(dec->partial(0), lw::invalid_argument_error);
    CATCH_CHECK_THROWS_AS(dec->forward(at::randn({2, 5})), lw::dimension_error);
}

CATCH_TEST_CASE("train: spectral normalization's power iteration converges to the SVD's largest singular value") {
    tr::manual_seed(3);
    m::sn_conv2d conv(3, 5, 3, 1, 1);
    m::sn_linear lin(40, 7);
    auto x = at::randn({1, 3, 6, 6});
    for (int i = 0; i < 300; ++i) {  // training-mode forwards advance the iteration
        conv->forward(x);
        lin->forward(at::randn({1, 40}));
    }
    for (auto [sigma, W] : {std::pair{conv->sigma(), conv->weight_orig()}, std::pair{lin->sigma(), lin->weight_orig()}}) {
        const auto s = at::linalg_svdvals(W.reshape({W.size(0), -1}).to(at::kDouble));
        CATCH_CHECK(sigma.item<double>() == Approx(s[0].item<double>()).epsilon(1e-4));
    }
    // The normalized weight has spectral norm 1, and the layer is then 1-Lipschitz in its weight part.
    conv->eval();
    auto y1 = conv->forward(x), y0 = at::conv2d(x, at::zeros_like(conv->weight_orig()), conv->named_parameters()["bias"], 1, 1);
    auto Wn = conv->weight_orig() / conv->sigma();
    CATCH_CHECK(at::linalg_svdvals(Wn.reshape({5, -1}).to(at::kDouble))[0].item<double>() == Approx(1.0).epsilon(1e-4));
    CATCH_CHECK(at::allclose(y1 - y0, at::conv2d(x, Wn, {}, 1, 1), 1e-5, 1e-6));
    CATCH_CHECK_THROWS_AS(m::sn_linear(3, 3, 0), lw::invalid_argument_error);
}

CATCH_TEST_CASE("train: the decoder and its intermediate layers are generators whose JVP and VJP match finite differences") {
    tr::manual_seed(5);
    m::conv_decoder dec(m::decoder_options{.latent_dim = 4, .height = 28, .width = 28, .base_width = 8});
    dec->to(at::kDouble);
    const auto z = at::randn({4}, at::kDouble), v = at::randn({4}, at::kDouble);
    for (std::int64_t l = 1; l <= dec->num_layers(); ++l) {
        CATCH_CAPTURE(l);
        lw::torch::module_generator<double> g =
            l == dec->num_layers() ? lw::torch::module_generator<double>(dec, 4, dec->output_dim())
                                   : lw::torch::module_generator<double>(dec->partial(l), 4, dec->feature_dim(l));
        const auto jv = lw::jvp(g, lw::torch::vector<double>(z), lw::torch::vector<double>(v)).tensor();
        const auto fd = central_difference(g.function(), z, v, 1e-6);
        CATCH_CHECK((jv - fd).norm().item<double>() <= 1e-6 * (1 + jv.norm().item<double>()));
        const auto u = at::randn({dec->feature_dim(l)}, at::kDouble);
        const auto jtu = lw::vjp(g, lw::torch::vector<double>(z), lw::torch::vector<double>(u)).tensor();
        CATCH_CHECK(at::dot(u, jv).item<double>() == Approx(at::dot(jtu, v).item<double>()).epsilon(1e-10));
        CATCH_CHECK(lw::check_derivatives(g, lw::torch::vector<double>(z)).adjoint_passed);
    }
}

CATCH_TEST_CASE("train: the exported TorchScript decoder loads in torchscript_generator with the module's outputs and JVPs") {
    tr::manual_seed(11);
    for (std::int64_t side : {8, 28}) {
        CATCH_CAPTURE(side);
        m::conv_decoder dec(m::decoder_options{.latent_dim = 5, .height = side, .width = side, .base_width = 8});
        const auto dir = scratch("export");
        const auto path = (dir / "decoder.pt").string();
        dec->export_torchscript(path);
        dec->to(at::kDouble);
        for (std::int64_t l = 1; l <= dec->num_layers(); ++l) {
            CATCH_CAPTURE(l);
            const std::string method = l == dec->num_layers() ? "forward" : "partial_" + std::to_string(l);
            lw::torch::torchscript_options opts;
            opts.method = method;
            lw::torch::torchscript_generator<double> file(path, 5, opts);
            lw::torch::module_generator<double> mod(dec->partial(l), 5, dec->feature_dim(l));
            CATCH_CHECK(file.output_dim() == dec->feature_dim(l));
            const auto z = at::randn({3, 5}, at::kDouble), v = at::randn({3, 5}, at::kDouble);
            const auto a = file(lw::torch::vector<double>(z)).tensor(), b = mod(lw::torch::vector<double>(z)).tensor();
            CATCH_CHECK(at::allclose(a, b, 1e-12, 1e-13));
            const auto ja = lw::jvp(file, lw::torch::vector<double>(z), lw::torch::vector<double>(v)).tensor();
            const auto jb = lw::jvp(mod, lw::torch::vector<double>(z), lw::torch::vector<double>(v)).tensor();
            CATCH_CHECK(at::allclose(ja, jb, 1e-12, 1e-13));
        }
        std::filesystem::remove_all(dir);
    }
}
