#pragma once
// Tour section (built only with LibTorch: LATENTWALK_TOUR_WITH_TORCH): a TRAINED generator against
// the same network at a random initialization. The trained one is examples/models/fashion_mnist_vae.pt,
// the decoder of a Fashion-MNIST VAE (16 → 28×28) written by examples/train_generator (the command and
// seed are in examples/models/README.md); the random one is a conv_decoder of the same architecture
// built after manual_seed(1), which is the initialization the training run started from (the VAE
// builds its decoder first). Both are evaluated in double on the same latent codes: the singular
// spectrum of J(z), the local dimension (numerical_rank's rule at relative tolerances) and the warpage
// of the local basis U_k(z) (close and random pairs, against the Haar-random reference), all from
// batched dense tangent bases so that the section takes a few seconds.
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/tangent/numerical_rank.hpp>
#include <latentwalk/torch.hpp>
#include <latentwalk/torch/models/conv_decoder.hpp>

#include "torch.hpp"  // torch_section

namespace tour {

/// What the section measured, kept for the pictures (tour_sections/trained_pictures.hpp): host copies of the
/// spectra and warpage means, and the two generators (shared, so the pictures can evaluate them).
struct trained_data {
    std::shared_ptr<const latentwalk::torch::torchscript_generator<double>> trained;
    std::vector<std::vector<double>> spectrum_random, spectrum_trained;  ///< per code, sigma_1..sigma_16
    std::vector<long long> ks;                                           ///< subspace dimensions of the warpage rows
    std::vector<double> close_random, far_random, close_trained, far_trained, haar;
    int pairs = 0;
};

inline void trained(std::ostream& os, trained_data* keep = nullptr) {
    namespace lw = latentwalk;
    namespace lt = latentwalk::torch;
    using TT = lw::backend_traits<lt::backend<double>>;
    const torch_section section(os, "A trained generator: a Fashion-MNIST VAE decoder against its random initialization");
    const std::string file = std::string(LATENTWALK_TOUR_MODELS_DIR) + "/fashion_mnist_vae.pt";
    if (!std::filesystem::exists(file)) {
        os << "trained-generator section skipped: " << file << " is missing (examples/models/README.md says how to make it)\n\n";
        return;
    }
    constexpr std::int64_t n = 16;
    const lt::torchscript_generator<double> trained(file, n);
    at::manual_seed(1);
    latentwalk::torch::models::conv_decoder init(
        latentwalk::torch::models::decoder_options{.latent_dim = n, .channels = 1, .height = 28, .width = 28, .base_width = 16});
    init->to(at::kDouble);
    const lt::module_generator<double> random(init, n, init->output_dim());
    os << "loaded examples/models/fashion_mnist_vae.pt (torchscript_generator): " << trained.latent_dim() << " -> "
       << trained.output_dim() << " (28x28), the decoder of a VAE trained by examples/train_generator;\n"
       << "random: the same conv_decoder at its initialization (manual_seed(1), the run's seed)\n\n";

    // Singular spectra at 24 codes z ~ N(0, I): one batched dense tangent_basis per generator.
    constexpr int codes = 24;
    std::mt19937_64 rng(3);
    const lt::vector<double> like = at::zeros({codes, 1}, at::kDouble);
    const auto z = TT::random_normal(like, n, rng);  // [24, 16]
    lw::tangent_basis_options dense;
    dense.method = lw::tangent_method::dense;
    const auto s_random = lw::tangent_basis(random, z, n, dense).singular_values.tensor();
    const auto s_trained = lw::tangent_basis(trained, z, n, dense).singular_values.tensor();
    auto ratio = [](const at::Tensor& s, int i) { return (s.select(-1, i) / s.select(-1, 0)).mean().item<double>(); };
    os << "Singular spectrum of J(z) (784 x 16), mean over " << codes << " codes z ~ N(0, I):\n";
    os << std::fixed << std::setprecision(3) << "              sigma_1   sigma_i / sigma_1 for i =  2      4      8     12     16\n";
    for (auto [name, s] : {std::pair{"random ", s_random}, std::pair{"trained", s_trained}}) {
        os << "  " << name << "   " << std::setw(7) << s.select(-1, 0).mean().item<double>() << "                          ";
        for (int i : {1, 3, 7, 11, 15}) os << std::setw(7) << ratio(s, i);
        os << "\n";
    }

    // Local dimension: #{i : sigma_i > tol sigma_1}, numerical_rank's rule, from the same batched spectra.
    os << "\nLocal dimension #{i : sigma_i > tol sigma_1} (numerical_rank's rule) over the same codes (mean, min..max):\n";
    for (double tol : {0.05, 0.1, 0.2}) {
        os << "  tol = " << std::setprecision(2) << tol << ":";
        for (auto [name, s] : {std::pair{"random", s_random}, std::pair{"trained", s_trained}}) {
            const auto rank = (s > tol * s.select(-1, 0).unsqueeze(-1)).sum(-1).to(at::kDouble);
            os << "   " << name << " " << std::setprecision(1) << rank.mean().item<double>() << " ("
               << std::setprecision(0) << rank.min().item<double>() << ".." << rank.max().item<double>() << ")";
        }
        os << "\n";
    }
    os << std::setprecision(3);
    const auto one = lw::numerical_rank(trained, lt::vector<double>(z.tensor()[0].clone()), 0.1);
    os << "  (check: numerical_rank(trained, z[0], 0.1) = " << one << ")\n";

    // Warpage of the local basis U_k(z) in R^784 (the paper's output basis), geodesic distance, from
    // batched tangent bases (3 calls per generator: z, z' = z + 0.1 u/|u| and an independent z'').
    constexpr int pairs = 48;
    constexpr long long k_max = 8;
    const lt::vector<double> plike = at::zeros({pairs, 1}, at::kDouble);
    const auto z1 = TT::random_normal(plike, n, rng), z2 = TT::random_normal(plike, n, rng);
    const auto u = TT::random_normal(plike, n, rng);
    const auto zc = TT::add(z1, TT::scale(u, TT::norm(u).reciprocal() * 0.1));
    struct warp { std::vector<double> close, far; };
    auto warpage = [&](const auto& g) {
        const auto U1 = lw::tangent_basis(g, z1, k_max, dense).output_basis;
        const auto Uc = lw::tangent_basis(g, zc, k_max, dense).output_basis;
        const auto U2 = lw::tangent_basis(g, z2, k_max, dense).output_basis;
        warp w;
        for (long long k : {1, 2, 4, 8}) {
            auto d = [&](const lt::matrix<double>& A) {
                const lt::matrix<double> a = TT::block_cols(A, 0, k), b = TT::block_cols(U1, 0, k);
                return lw::grassmann_distance(a, b, lw::grassmann_metric::geodesic).mean().item<double>();
            };
            w.close.push_back(d(Uc));
            w.far.push_back(d(U2));
        }
        return w;
    };
    const warp wr = warpage(random), wt = warpage(trained);
    lw::warpage_options wo;
    wo.pairs = pairs;
    wo.k_max = k_max;
    wo.metrics = {lw::grassmann_metric::geodesic};
    const auto haar = lw::warpage_haar_reference<lw::eigen::backend<double>>(784, wo);
    os << "\nWarpage of U_k(z) in R^784, geodesic distance (radians), mean over " << pairs
       << " pairs (close: |z' - z| = 0.1):\n";
    os << "   k   random: close   random pairs   trained: close   random pairs   Haar-random\n";
    const long long ks[] = {1, 2, 4, 8};
    for (std::size_t i = 0; i < 4; ++i) {
        os << "  " << std::setw(2) << ks[i] << "   " << std::setw(13) << wr.close[i] << "  " << std::setw(13) << wr.far[i]
           << "   " << std::setw(14) << wt.close[i] << "  " << std::setw(13) << wt.far[i] << "  " << std::setw(12)
           << haar.mean_at(lw::grassmann_metric::geodesic, ks[i]) << "\n";
    }
    os << "\nWhat changed with training: the decoder stretches the latent space far more (sigma_1 "
       << s_random.select(-1, 0).mean().item<double>() << " -> " << s_trained.select(-1, 0).mean().item<double>()
       << ") and unevenly (sigma_16 / sigma_1 " << ratio(s_random, 15) << " -> " << ratio(s_trained, 15)
       << "): a few latent directions carry most of the change of the image, the others little;\n"
       << "close codes share their local basis far better (k = 1: " << wr.close[0] << " -> " << wt.close[0]
       << " rad), while independent codes still have nearly unrelated ones (" << wt.far[0] << " rad against "
       << haar.mean_at(lw::grassmann_metric::geodesic, 1) << " for Haar-random lines): locally consistent, globally warped,\n"
       << "the picture Local Basis draws of trained generators.\n";
    if (keep) {
        auto host_rows = [](const at::Tensor& t) {
            std::vector<std::vector<double>> rows;
            const auto c = t.to(at::kDouble).contiguous();
            for (std::int64_t i = 0; i < c.size(0); ++i) {
                const auto r = c[i];
                rows.emplace_back(r.data_ptr<double>(), r.data_ptr<double>() + r.numel());
            }
            return rows;
        };
        keep->trained = std::make_shared<const lt::torchscript_generator<double>>(trained);
        keep->spectrum_random = host_rows(s_random);
        keep->spectrum_trained = host_rows(s_trained);
        keep->ks.assign(std::begin(ks), std::end(ks));
        keep->close_random = wr.close;
        keep->far_random = wr.far;
        keep->close_trained = wt.close;
        keep->far_trained = wt.far;
        keep->haar.clear();
        for (long long k : ks) keep->haar.push_back(haar.mean_at(lw::grassmann_metric::geodesic, k));
        keep->pairs = pairs;
    }
    section.finish(os);
    os.unsetf(std::ios::fixed);
}

}  // namespace tour
