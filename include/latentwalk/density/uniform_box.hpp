#pragma once
// latentwalk/density/uniform_box.hpp — the uniform density on the box Π_i [lo_i, hi_i].
//
//   log p(z) = −Σ log(hi_i − lo_i) inside the closed box, −∞ outside;  score(z) = 0 inside.
// The only finite level is the maximum, and its level set is the whole box: project_to_level(z, max)
// is the Euclidean projection onto the box (clamping). Any other level has an empty level set, and
// score-ray root finding has no direction to move along (the score vanishes): both throw.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
class uniform_box {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    /// Bounds lo < hi element-wise, both of length d ≥ 1. Throws dimension_error, numerical_error (NaN/Inf)
    /// or invalid_argument_error (an empty or degenerate side).
    uniform_box(const vector_t<B>& lower, const vector_t<B>& upper) : lower_(lower), upper_(upper) {
        constexpr const char* where = "uniform_box";
        d_ = T::size(lower);
        if (d_ < 1) throw invalid_argument_error(detail::sentence(where, "the bounds must have length at least 1."));
        detail::require_length<B>(where, "upper", upper, static_cast<long long>(d_), "the length of lower");
        detail::require_finite<B>(where, "lower", lower);
        detail::require_finite<B>(where, "upper", upper);
        const auto lo = T::to_host(lower), hi = T::to_host(upper);  // parameters: set once, on the host
        double log_volume = 0.0;
        for (std::size_t i = 0; i < lo.size(); ++i) {
            if (!(hi[i] > lo[i]))
                throw invalid_argument_error(detail::sentence(
                    where, "every side needs lower < upper; coordinate " + detail::number(i) + " has [" +
                               detail::number(lo[i]) + ", " + detail::number(hi[i]) + "]."));
            // log(hi − lo) as log(hi/2 − lo/2) + log 2: a side wider than DBL_MAX (hi − lo = inf) stays finite
            log_volume += std::log(0.5 * hi[i] - 0.5 * lo[i]) + std::numbers::ln2;
        }
        max_log_density_ = -log_volume;
    }

    index_t<B> dim() const { return d_; }
    const vector_t<B>& lower() const { return lower_; }
    const vector_t<B>& upper() const { return upper_; }
    /// −log volume: the value of log p everywhere in the box.
    double max_log_density() const { return max_log_density_; }

    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("uniform_box::log_density", z);
        return detail::density::log_box_indicator<B>(z, lower_, upper_) + static_cast<scalar_t<B>>(max_log_density_);
    }

    /// 0 inside the box; throws invalid_argument_error outside.
    vector_t<B> score(const vector_t<B>& z) const {
        check("uniform_box::score", z);
        detail::density::require_in_box<B>("uniform_box::score", z, lower_, upper_, "the box");
        return T::zeros(z, d_);
    }

    /// The nearest point of the box (its level set) for c = max (to 1e-12 relative); throws
    /// invalid_argument_error for any other level, whose level set is empty.
    vector_t<B> project_to_level(const vector_t<B>& z, double c) const {
        constexpr const char* where = "uniform_box::project_to_level";
        check(where, z);
        detail::require_finite_scalar(where, "the level", c);
        const double slack = 1e-12 * std::max(1.0, std::abs(max_log_density_));
        if (c > max_log_density_ + slack)
            throw invalid_argument_error(detail::sentence(
                where, "the level " + detail::number(c) + " is above the maximum log-density " +
                           detail::number(max_log_density_) + ", so no point reaches it."));
        if (c < max_log_density_ - slack)
            throw invalid_argument_error(detail::sentence(
                where, "the uniform density takes only the value " + detail::number(max_log_density_) +
                           " (and −∞ outside the box), so no point has log-density " + detail::number(c) + "."));
        return detail::density::clamp<B>(z, lower_, upper_);
    }

    template <class Rng>
    vector_t<B> sample(Rng& rng, const vector_t<B>& like) const {
        // The seam draws normals only, so the uniform draws are made on the host (unbatched) and moved
        // to the backend with from_values.
        std::uniform_real_distribution<double> u(0.0, 1.0);
        const auto lo = T::to_host(lower_), hi = T::to_host(upper_);
        std::vector<double> v(lo.size());
        for (std::size_t i = 0; i < v.size(); ++i) {  // lo + (hi − lo) u, halved so that hi − lo cannot overflow
            const double x = u(rng);
            v[i] = std::clamp(2.0 * ((0.5 * lo[i]) * (1.0 - x) + (0.5 * hi[i]) * x), lo[i], hi[i]);
        }
        return T::from_values(like, v);
    }

private:
    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the density's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    vector_t<B> lower_, upper_;
    index_t<B> d_ = 0;
    double max_log_density_ = 0.0;
};

}  // namespace latentwalk
