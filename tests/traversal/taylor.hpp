#pragma once
// Taylor-remainder orders for the derivative tests of the potentials: r(h) = ‖F(h) − F(0) − h D‖
// must shrink like h² (observed order log₂ r(h)/r(h/2) ≈ 2) for a correct derivative D.
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace latentwalk::test {

/// Median observed order of the remainder r(h) over h = h0, h0/2, ..., skipping pairs whose
/// remainder is below `floor` (rounding). Returns a large value when every remainder is below it.
inline double taylor_order(const std::function<double(double)>& remainder, double h0 = 1e-2, int halvings = 6,
                           double floor = 1e-11) {
    std::vector<double> r;
    for (int k = 0; k <= halvings; ++k) r.push_back(remainder(h0 / std::ldexp(1.0, k)));
    std::vector<double> orders;
    for (std::size_t k = 0; k + 1 < r.size(); ++k)
        if (r[k + 1] > floor) orders.push_back(std::log2(r[k] / r[k + 1]));
    if (orders.empty()) return 99.0;
    std::sort(orders.begin(), orders.end());
    return orders[orders.size() / 2];
}

}  // namespace latentwalk::test
