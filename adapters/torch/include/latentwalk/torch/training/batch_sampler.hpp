#pragma once
// latentwalk/torch/training/batch_sampler.hpp — the data order of a training run: shuffled epochs
// of fixed-size batches, drawn from the run's generator and checkpointed with it.
//
//     batch_sampler s(60000, 128);
//     at::Tensor idx = s.next(ctx.generator);   // int64 [128], indices into the training set
//     s.save(out, "sampler");  …  s.load(in, "sampler");
//
// Each epoch is one at::randperm(count) drawn from the generator passed to `next`; batches are
// consecutive slices of it; a final slice shorter than batch_size is dropped (every batch has the
// same size, so per-batch losses are comparable and the step count per epoch is count / batch_size,
// rounded down). The current permutation, the position in it and the epoch are the sampler's
// state: a resumed run sees exactly the batches an uninterrupted run would have seen.
// Errors: count < batch_size or batch_size < 1 → invalid_argument_error.
#include <cstdint>
#include <string>

#include <ATen/ATen.h>

#include <latentwalk/detail/validate.hpp>
#include <latentwalk/error.hpp>
#include <latentwalk/torch/training/checkpoint.hpp>

namespace latentwalk::torch::training {

class batch_sampler {
public:
    batch_sampler(std::int64_t count, std::int64_t batch_size) : count_(count), batch_(batch_size) {
        if (batch_size < 1 || count < batch_size)
            throw invalid_argument_error(latentwalk::detail::sentence(
                "torch::training::batch_sampler", "batch_size must be between 1 and the number of samples " +
                                                      std::to_string(count) + ", got " + std::to_string(batch_size) + "."));
    }

    /// The next batch of indices (int64 [batch_size], CPU).
    at::Tensor next(at::Generator& gen) {
        if (!perm_.defined() || position_ + batch_ > count_) {
            perm_ = at::randperm(count_, gen, at::TensorOptions().dtype(at::kLong));
            position_ = 0;
            ++epoch_;
        }
        auto idx = perm_.narrow(0, position_, batch_);
        position_ += batch_;
        return idx;
    }

    [[nodiscard]] std::int64_t epoch() const noexcept { return epoch_; }
    [[nodiscard]] std::int64_t batch_size() const noexcept { return batch_; }
    [[nodiscard]] std::int64_t count() const noexcept { return count_; }

    void save(output_archive& out, const std::string& key) const {
        output_archive sub;
        write_int(sub, "count", count_);
        write_int(sub, "batch_size", batch_);
        write_int(sub, "position", position_);
        write_int(sub, "epoch", epoch_);
        write_tensor(sub, "permutation", perm_.defined() ? perm_ : at::empty({0}, at::kLong));
        out.write(key, sub);
    }

    void load(input_archive& in, const std::string& key) {
        input_archive sub;
        in.read(key, sub);
        const auto count = read_int(sub, "count"), batch = read_int(sub, "batch_size");
        if (count != count_ || batch != batch_)
            throw model_loading_error(latentwalk::detail::sentence(
                "torch::training::batch_sampler::load",
                "the checkpoint's data order is for " + std::to_string(count) + " samples in batches of " +
                    std::to_string(batch) + ", but this run has " + std::to_string(count_) + " samples in batches of " +
                    std::to_string(batch_) + "."));
        position_ = read_int(sub, "position");
        epoch_ = read_int(sub, "epoch");
        auto p = read_tensor(sub, "permutation");
        perm_ = p.numel() == 0 ? at::Tensor() : p;
    }

private:
    std::int64_t count_, batch_;
    std::int64_t position_ = 0;
    std::int64_t epoch_ = 0;
    at::Tensor perm_;
};

}  // namespace latentwalk::torch::training
