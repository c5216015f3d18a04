#pragma once
// latentwalk/torch/training/metrics.hpp — held-out quality of trained generators.
//
//     namespace tr = latentwalk::torch::training;
//     auto s = tr::evaluate_vae(model, test_images, {.iwae_samples = 64, .seed = 1});
//     // s.elbo, s.elbo_stderr, s.iwae, s.iwae_stderr: nats per image on the held-out set
//     auto q = tr::sample_quality(train_images, test_images, samples, {.k = 5});
//     // q.precision, q.recall, q.fidelity_ratio (see below)
//
// VAE (evaluate_vae): the mean over the held-out images of the one-sample ELBO (closed-form KL)
// and of the importance-weighted bound IWAE_k (models::vae::iwae), with their standard errors
// over images; the model runs in eval mode without gradients, random numbers from a generator
// seeded with options.seed (the numbers are reproducible). IWAE_k ≤ log p(x) and IWAE_k ≥ ELBO
// in expectation: IWAE_k is the log-likelihood bound to report. Cost: (1 + k) decoder passes per image.
//
// GAN (and any sampler), sample_quality — discriminator-free, in pixel space:
//   precision  the fraction of generated samples that fall inside the k-NN balls of the real
//              held-out images (a sample is "realistic" if it is closer to some real image than that
//              image's k-th real neighbour); recall: the fraction of real held-out images inside the
//              k-NN balls of the samples (the samples "cover" it) — Kynkäänniemi et al., NeurIPS 2019,
//              computed on raw pixels instead of an Inception embedding (none can be downloaded here).
//   fidelity_ratio  mean distance of each sample to its nearest *training* image divided by the same
//              mean for the held-out real images: ≈ 1 means samples are as close to the training set
//              as unseen real data is; ≫ 1, off the data manifold (noise, artefacts); ≪ 1, copies of
//              training images (memorization).
// Pixel distances are a crude perceptual measure; these numbers compare models and runs on the same
// data, they are not FID. All three use Euclidean distances between flattened images.
// Errors: sets of different image sizes, fewer than k + 1 images, k < 1 → invalid_argument_error.
#include <cmath>
#include <cstdint>
#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <c10/core/GradMode.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/models/vae.hpp>

namespace latentwalk::torch::training {

struct vae_evaluation_options {
    std::int64_t iwae_samples = 64;  ///< k
    std::int64_t batch_size = 256;
    std::uint64_t seed = 1;
};

struct vae_scores {
    double elbo = 0, elbo_stderr = 0;  ///< nats per image
    double iwae = 0, iwae_stderr = 0;  ///< nats per image, k = iwae_samples
    std::int64_t k = 0;
    std::int64_t images = 0;
};

inline vae_scores evaluate_vae(models::vae& model, const at::Tensor& images, vae_evaluation_options o = {}) {
    using latentwalk::detail::sentence;
    if (!images.defined() || images.dim() != 4 || images.size(0) < 2)
        throw invalid_argument_error(sentence("torch::training::evaluate_vae",
                                              "the held-out images must be a tensor [N, C, H, W] with N ≥ 2."));
    if (o.iwae_samples < 1 || o.batch_size < 1)
        throw invalid_argument_error(sentence("torch::training::evaluate_vae", "iwae_samples and batch_size must be at least 1."));
    const bool was_training = model->is_training();
    model->eval();
    at::NoGradGuard no_grad;
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    const auto param = model->parameters().front();
    std::vector<at::Tensor> elbo, iwae;
    for (std::int64_t i = 0; i < images.size(0); i += o.batch_size) {
        const auto x = images.narrow(0, i, std::min(o.batch_size, images.size(0) - i)).to(param.device(), param.scalar_type());
        elbo.push_back(model->elbo_terms(x, gen).elbo.to(at::kDouble).cpu());
        iwae.push_back(model->iwae(x, o.iwae_samples, gen).to(at::kDouble).cpu());
    }
    if (was_training) model->train();
    const auto e = at::cat(elbo), w = at::cat(iwae);
    const double n = static_cast<double>(e.size(0));
    vae_scores s;
    s.elbo = e.mean().item<double>();
    s.elbo_stderr = e.std().item<double>() / std::sqrt(n);
    s.iwae = w.mean().item<double>();
    s.iwae_stderr = w.std().item<double>() / std::sqrt(n);
    s.k = o.iwae_samples;
    s.images = e.size(0);
    return s;
}

struct sample_quality_options {
    std::int64_t k = 5;
};

struct sample_quality_scores {
    double precision = 0, recall = 0, fidelity_ratio = 0;
    double sample_to_train = 0;   ///< mean nearest-training-image distance of the samples
    double heldout_to_train = 0;  ///< the same for the held-out real images
};

namespace detail {

inline at::Tensor flat_double(const at::Tensor& x) { return x.detach().to(at::kCPU, at::kDouble).reshape({x.size(0), -1}); }

/// Distance of each row of a to its k-th nearest row of a (excluding itself).
inline at::Tensor kth_radius(const at::Tensor& a, std::int64_t k) {
    auto d = at::cdist(a, a);
    return std::get<0>(d.topk(k + 1, 1, /*largest=*/false)).select(1, k);
}

/// Fraction of rows of q inside some ball (centres rows of c, radii r).
inline double coverage(const at::Tensor& q, const at::Tensor& c, const at::Tensor& r) {
    auto d = at::cdist(q, c);
    return (d <= r.unsqueeze(0)).any(1).to(at::kDouble).mean().item<double>();
}

}  // namespace detail

inline sample_quality_scores sample_quality(const at::Tensor& train, const at::Tensor& heldout, const at::Tensor& samples,
                                            sample_quality_options o = {}) {
    using latentwalk::detail::sentence;
    constexpr const char* where = "torch::training::sample_quality";
    if (o.k < 1) throw invalid_argument_error(sentence(where, "k must be at least 1."));
    const auto T = detail::flat_double(train), R = detail::flat_double(heldout), S = detail::flat_double(samples);
    if (T.size(1) != R.size(1) || R.size(1) != S.size(1))
        throw invalid_argument_error(sentence(where, "the training, held-out and generated images differ in size."));
    if (R.size(0) <= o.k || S.size(0) <= o.k || T.size(0) < 1)
        throw invalid_argument_error(sentence(where, "the held-out and generated sets need more than k images each."));
    sample_quality_scores s;
    s.precision = detail::coverage(S, R, detail::kth_radius(R, o.k));
    s.recall = detail::coverage(R, S, detail::kth_radius(S, o.k));
    s.sample_to_train = std::get<0>(at::cdist(S, T).min(1)).mean().item<double>();
    s.heldout_to_train = std::get<0>(at::cdist(R, T).min(1)).mean().item<double>();
    s.fidelity_ratio = s.sample_to_train / s.heldout_to_train;
    return s;
}

}  // namespace latentwalk::torch::training
