#pragma once
// Tour section (built only with LibTorch: LATENTWALK_TOUR_WITH_TORCH): the TorchScript mapping
// network of tests/torch/fixtures (StyleGAN2-like: PixelNorm, 3 equalized-lr layers, 8 → 8) as a
// latentwalk generator — batched tangent bases in one call, and a small warpage table from them.
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/grassmann/grassmann_distance.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
#include <latentwalk/torch.hpp>

namespace tour {

/// The frame of a LibTorch section (this one and tour_sections/trained.hpp): one intra-op thread, so that
/// its timings do not depend on the machine's cores; the heading; and its clock, which finish() prints.
struct torch_section {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

    torch_section(std::ostream& os, const std::string& heading) {
        at::set_num_threads(1);
        os << "== " << heading << " ==\n\n";
    }
    void finish(std::ostream& os) const {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        os << std::setprecision(3) << "(section ran in " << secs << " s)\n\n";
    }
};

inline void torch(std::ostream& os) {
    namespace lw = latentwalk;
    namespace lt = latentwalk::torch;
    using TT = lw::backend_traits<lt::backend<double>>;
    using clock = std::chrono::steady_clock;
    const torch_section section(os, "LibTorch: tangent bases of a TorchScript mapping network, batched");

    const std::string file = std::string(LATENTWALK_TORCH_FIXTURES_DIR) + "/mapping.pt";
    const lt::torchscript_generator<double> g(file, 8);
    os << "loaded tests/torch/fixtures/mapping.pt (torch::jit::load): " << g.latent_dim() << " -> " << g.output_dim()
       << ", PixelNorm + 3 leaky-ReLU layers; JVP by forward-mode AD, VJP by autograd\n";

    // A batch of 16 latent codes: one call gives 16 local bases (batched JVPs/VJPs and SVDs).
    const int batch = 16;
    const long long k = 3;
    std::mt19937_64 rng(5);
    const lt::vector<double> like = at::zeros({batch, 1}, at::kDouble);
    const auto z = TT::random_normal(like, 8, rng);  // [16, 8]
    lw::tangent_basis_options o;
    o.method = lw::tangent_method::dense;
    auto t0 = clock::now();
    const auto dense = lw::tangent_basis(g, z, k, o);
    const double t_batch = std::chrono::duration<double>(clock::now() - t0).count();
    t0 = clock::now();
    double loop_diff = 0;
    for (int b = 0; b < batch; ++b) {
        const auto one = lw::tangent_basis(g, lt::vector<double>(z.tensor()[b].clone()), k, o);
        loop_diff = std::max(loop_diff, (one.singular_values.tensor() - dense.singular_values.tensor()[b]).abs().max().item<double>());
    }
    const double t_loop = std::chrono::duration<double>(clock::now() - t0).count();
    os << "tangent_basis(g, z[16, 8], k = 3, dense): output_basis " << dense.output_basis.tensor().sizes()
       << ", latent_basis " << dense.latent_basis.tensor().sizes() << ", singular_values "
       << dense.singular_values.tensor().sizes() << "\n";
    os << std::setprecision(4) << "singular values of the first three codes:\n";
    for (int b = 0; b < 3; ++b) {
        os << "  z[" << b << "]:";
        for (int i = 0; i < k; ++i) os << " " << dense.singular_values.tensor()[b][i].item<double>();
        os << "\n";
    }
    os << std::setprecision(3) << "one batched call " << 1e3 * t_batch << " ms (" << dense.report.products()
       << " batched products) vs a loop over the 16 codes " << 1e3 * t_loop
       << " ms; largest difference of the singular values " << loop_diff << "\n";
    o.method = lw::tangent_method::randomized;
    o.oversampling = 2;  // ℓ = 5 of 8 latent directions, 2 power iterations
    o.power_iterations = 2;
    const auto rnd = lw::tangent_basis(g, z, k, o);
    const double rnd_err =
        ((rnd.singular_values.tensor() - dense.singular_values.tensor()).abs().amax(-1) /
         dense.singular_values.tensor().select(-1, 0)).max().item<double>();
    os << "randomized (l = 5, q = 2) on the same batch: " << rnd.report.products()
       << " batched products, largest relative error of the singular values " << rnd_err
       << ";\n  largest residual |J^T u - s v| over the batch " << rnd.report.max_residual << " (tolerance "
       << rnd.report.tolerance << "): " << (rnd.report.converged ? "converged" : "flagged not converged") << "\n\n";

    // Warpage from batched bases: geodesic distance between U_k(z) and U_k(z') for k = 1..3 (the paper's output basis).
    const int pairs = 64;
    const lt::vector<double> plike = at::zeros({pairs, 1}, at::kDouble);
    const auto z1 = TT::random_normal(plike, 8, rng), z2 = TT::random_normal(plike, 8, rng);
    const auto u = TT::random_normal(plike, 8, rng);
    const double eps = 0.1;
    const auto zc = TT::add(z1, TT::scale(u, TT::norm(u).reciprocal() * eps));  // ‖z' − z‖ = ε
    o.method = lw::tangent_method::dense;
    const auto V1 = lw::tangent_basis(g, z1, k, o).output_basis;
    const auto V2 = lw::tangent_basis(g, z2, k, o).output_basis;
    const auto Vc = lw::tangent_basis(g, zc, k, o).output_basis;
    lw::warpage_options wo;
    wo.pairs = pairs;
    wo.k_max = k;
    wo.metrics = {lw::grassmann_metric::geodesic};
    const auto haar = lw::warpage_haar_reference<lw::eigen::backend<double>>(8, wo);
    os << "Warpage of the mapping network's local basis U_k in W, " << pairs
       << " pairs (batched: 3 tangent_basis calls), geodesic distance mean ± std:\n";
    os << "  k   close pairs (eps = 0.1)   random pairs\n";
    for (long long kk = 1; kk <= k; ++kk) {
        auto stats = [&](const lt::matrix<double>& A) {
            const lt::matrix<double> a = TT::block_cols(A, 0, kk), b = TT::block_cols(V1, 0, kk);
            const at::Tensor d = lw::grassmann_distance(a, b, lw::grassmann_metric::geodesic);
            std::ostringstream s;
            s << std::fixed << std::setprecision(4) << d.mean().item<double>() << " ± " << d.std().item<double>();
            return s.str();
        };
        os << "  " << kk << "   " << std::setw(23) << std::left << stats(Vc) << " " << stats(V2) << std::right << "\n";
    }
    os << "Haar-random reference (fully warped), subspaces of R^8:\n" << haar << "\n";
    section.finish(os);
}

}  // namespace tour
