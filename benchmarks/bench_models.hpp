#pragma once
// The benchmarks' shared model: an MLP shaped like StyleGAN2's mapping network — PixelNorm first,
// then 8 dense layers of width 512 with leaky ReLU 0.2 (the last layer `out` wide: 512 for the
// mapping network itself, 16384 for a wide partial generator), weights from seed 42. Built once
// per width and process, outside any timed region.
#include <map>
#include <vector>

#include <latentwalk/eigen/mlp_generator.hpp>

namespace latentwalk::bench {

inline const eigen::mlp_generator<double>& mapping_like_mlp(Eigen::Index out = 512) {
    static std::map<Eigen::Index, eigen::mlp_generator<double>> cache;
    auto it = cache.find(out);
    if (it == cache.end()) {
        eigen::mlp_generator<double>::options o;
        o.pixel_norm_first = true;
        std::vector<Eigen::Index> widths(9, 512);
        widths.back() = out;
        it = cache.emplace(out, eigen::mlp_generator<double>::random(widths, o, 42)).first;
    }
    return it->second;
}

}  // namespace latentwalk::bench
