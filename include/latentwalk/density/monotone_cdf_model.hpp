#pragma once
// latentwalk/density/monotone_cdf_model.hpp — DP-LaSE's learned prior: a monotone CDF F_i per
// coordinate, density p_i = F_i′, coordinates independent: log p(z) = Σ_i log F_i′(z_i).
//
// The model. On a support [a_i, b_i] with K equal bins (knots x_{i,k} = a_i + k h_i, k = 0..K) the
// density p_i is the continuous piecewise-linear interpolant of positive knot values P_{i,k}, so F_i is
// a monotone piecewise-quadratic spline: F_i′ = p_i exactly (no finite differences as in DP-LaSE's
// eq. (3)), F_i′ ≥ v_i > 0 on the support and p = 0 outside (log p = −∞, F = 0 or 1). A piecewise-linear
// CDF would have a piecewise-constant density and a zero score almost everywhere; this one has a score
// p′/p that moves level-set projections. At a knot the score is the mean of its one-sided values.
//
// The fit (fit(samples, options)): maximum likelihood, DP-LaSE's l_lik = −Σ log F′(z_i), under the
// monotonicity constraint l_mon = Σ max(0, v − F′(z_i)) = 0, made structural: p is the mixture
//   p = (1 − η) Σ_k π_k φ_k + η/(b − a),  φ_k = the hat at x_k normalised to mass 1 on [a, b],
// so F′ ≥ v = η/(b − a) everywhere and F is strictly increasing. The log-likelihood is concave in the
// weights π; EM (π_k ← mean responsibility) increases it at every iteration and converges to the
// global maximum. The fit is deterministic and runs on the host (it is inherently unbatched: it reads
// the samples with to_host); training F with autograd belongs to the torch adapter.
//
// Evaluation uses backend primitives only (no gathers, no host branches): p(x) = Σ_k P_k hat_k(x),
// K + 1 element-wise passes, so batched backends evaluate whole batches.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

struct monotone_cdf_fit_options {
    int bins = 48;                          ///< K: the density has K + 1 knots per coordinate
    double tail_margin = 0.05;              ///< support = [min − m R, max + m R], R = the samples' range
    double min_density_fraction = 1e-3;     ///< η: F′ ≥ η/(b − a) on the support (DP-LaSE's minimum slope v)
    int max_iterations = 20000;             ///< EM iterations at most
    double tolerance = 1e-12;               ///< stop when the mean log-likelihood gains less per iteration
    bool share_across_coordinates = false;  ///< DP-LaSE's i.i.d. assumption: one F for every coordinate
};

struct monotone_cdf_fit_report {
    int iterations = 0;                        ///< EM iterations run (the largest over coordinates)
    bool converged = false;                    ///< every coordinate met the tolerance
    long long samples = 0;                     ///< N
    double mean_negative_log_likelihood = 0;   ///< l_lik / (N d) at the fitted model
    double min_slope = 0;                      ///< v: min F′ on the support; l_mon with this v is 0
};

template <class B>
class monotone_cdf_model {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    /// A model from its parameters: per coordinate i the support [lower[i], upper[i]] and the K + 1
    /// knot densities knot_densities[i] (positive, integrating to 1 to 1e-10). `like` supplies the
    /// backend's dtype/device. Throws dimension_error, numerical_error or invalid_argument_error.
    monotone_cdf_model(const vector_t<B>& like, std::vector<double> lower, std::vector<double> upper,
                       std::vector<std::vector<double>> knot_densities)
        : lower_h_(std::move(lower)), upper_h_(std::move(upper)), dens_h_(std::move(knot_densities)) {
        constexpr const char* where = "monotone_cdf_model";
        const std::size_t d = lower_h_.size();
        if (d < 1) throw invalid_argument_error(detail::sentence(where, "there must be at least one coordinate."));
        if (upper_h_.size() != d || dens_h_.size() != d)
            throw dimension_error(detail::sentence(
                where, "lower has " + detail::number(d) + " entries but upper has " + detail::number(upper_h_.size()) +
                           " and knot_densities " + detail::number(dens_h_.size()) + "; they must agree."));
        const std::size_t knots = dens_h_[0].size();
        if (knots < 2)
            throw invalid_argument_error(detail::sentence(where, "each coordinate needs at least 2 knot densities."));
        for (std::size_t i = 0; i < d; ++i) {
            const std::string ci = "coordinate " + detail::number(i);
            if (dens_h_[i].size() != knots)
                throw dimension_error(detail::sentence(
                    where, ci + " has " + detail::number(dens_h_[i].size()) + " knot densities but coordinate 0 has " +
                               detail::number(knots) + "."));
            detail::require_finite_scalar(where, ci + "'s lower bound", lower_h_[i]);
            detail::require_finite_scalar(where, ci + "'s upper bound", upper_h_[i]);
            if (!(upper_h_[i] > lower_h_[i]))
                throw invalid_argument_error(detail::sentence(where, ci + " has an empty support."));
            double mass = 0.0;
            for (std::size_t k = 0; k < knots; ++k) {
                const double p = dens_h_[i][k];
                detail::require_finite_scalar(where, ci + "'s knot density", p);
                if (!(p > 0.0))
                    throw invalid_argument_error(detail::sentence(
                        where, ci + " has a non-positive knot density " + detail::number(p) +
                                   "; F must be strictly increasing on its support."));
                mass += (k == 0 || k + 1 == knots) ? 0.5 * p : p;
            }
            mass *= (upper_h_[i] - lower_h_[i]) / static_cast<double>(knots - 1);
            if (!(std::abs(mass - 1.0) <= 1e-10))
                throw invalid_argument_error(detail::sentence(
                    where, ci + "'s density integrates to " + detail::number(mass) + ", not 1."));
        }
        build(like);
    }

    /// Maximum-likelihood fit to samples (a d×N matrix, one sample per column, N ≥ 2); see the header.
    /// Throws dimension_error / numerical_error / invalid_argument_error (bad options, a constant coordinate).
    static monotone_cdf_model fit(const matrix_t<B>& samples, const monotone_cdf_fit_options& options = {}) {
        constexpr const char* where = "monotone_cdf_model::fit";
        detail::require_finite<B>(where, "samples", samples);
        const auto d = static_cast<std::size_t>(T::rows(samples));
        const auto n = static_cast<std::size_t>(T::cols(samples));
        if (d < 1 || n < 2)
            throw dimension_error(detail::sentence(where, "samples must be d×N with d ≥ 1 and N ≥ 2 (one sample per "
                                                          "column); got " + detail::number(d) + "×" +
                                                          detail::number(n) + "."));
        if (options.bins < 1)
            throw invalid_argument_error(detail::sentence(where, "bins must be at least 1."));
        if (!(options.tail_margin >= 0.0) || !std::isfinite(options.tail_margin))
            throw invalid_argument_error(detail::sentence(where, "tail_margin must be finite and non-negative."));
        if (!(options.min_density_fraction > 0.0 && options.min_density_fraction < 1.0))
            throw invalid_argument_error(detail::sentence(where, "min_density_fraction must lie in (0, 1)."));
        if (options.max_iterations < 1 || !(options.tolerance >= 0.0))
            throw invalid_argument_error(
                detail::sentence(where, "max_iterations must be positive and tolerance non-negative."));

        // Read the samples on the host, coordinate-major.
        std::vector<std::vector<double>> x(d, std::vector<double>(n));
        for (std::size_t j = 0; j < n; ++j) {
            const auto column = T::to_host(T::col(samples, static_cast<index_t<B>>(j)));
            for (std::size_t i = 0; i < d; ++i) x[i][j] = column[i];
        }
        std::vector<double> lower(d), upper(d);
        std::vector<std::vector<double>> dens(d);
        monotone_cdf_fit_report report;
        report.samples = static_cast<long long>(n);
        report.converged = true;
        report.min_slope = std::numeric_limits<double>::infinity();
        double nll = 0.0;
        auto record = [&](const em_result& r) {
            report.iterations = std::max(report.iterations, r.iterations);
            report.converged = report.converged && r.converged;
            report.min_slope = std::min(report.min_slope, r.min_slope);
        };
        if (options.share_across_coordinates) {
            std::vector<double> pooled;
            pooled.reserve(d * n);
            for (const auto& xi : x) pooled.insert(pooled.end(), xi.begin(), xi.end());
            const auto r = fit_one(pooled, options, where, "the pooled samples");
            record(r);
            nll = r.mean_nll;
            for (std::size_t i = 0; i < d; ++i) {
                lower[i] = r.lower;
                upper[i] = r.upper;
                dens[i] = r.density;
            }
        } else {
            for (std::size_t i = 0; i < d; ++i) {
                const auto r = fit_one(x[i], options, where, "coordinate " + detail::number(i));
                record(r);
                nll += r.mean_nll / static_cast<double>(d);
                lower[i] = r.lower;
                upper[i] = r.upper;
                dens[i] = r.density;
            }
        }
        report.mean_negative_log_likelihood = nll;
        monotone_cdf_model model(T::col(samples, 0), std::move(lower), std::move(upper), std::move(dens));
        model.report_ = report;
        return model;
    }

    index_t<B> dim() const { return d_; }
    /// K, the number of bins per coordinate.
    int bins() const { return static_cast<int>(dens_h_[0].size()) - 1; }
    const std::vector<double>& support_lower() const { return lower_h_; }
    const std::vector<double>& support_upper() const { return upper_h_; }
    /// The K + 1 knot densities of coordinate i.
    const std::vector<double>& knot_densities(std::size_t i) const { return dens_h_.at(i); }
    /// The fit's report (default-constructed for a model built from parameters).
    const monotone_cdf_fit_report& fit_report() const { return report_; }
    /// Σ_i log max_k P_{i,k}: the density is piecewise linear, so its maximum sits at a knot.
    double max_log_density() const { return max_log_density_; }

    /// (log F_i′(z_i))_i: −∞ for coordinates outside their support.
    vector_t<B> coordinate_log_densities(const vector_t<B>& z) const {
        check("monotone_cdf_model::coordinate_log_densities", z);
        return coordinate_log_densities_unchecked(z);
    }

    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("monotone_cdf_model::log_density", z);
        return T::sum(coordinate_log_densities_unchecked(z));
    }

    /// (F_i″(z_i)/F_i′(z_i))_i; throws invalid_argument_error outside the support.
    vector_t<B> score(const vector_t<B>& z) const {
        check("monotone_cdf_model::score", z);
        detail::density::require_in_box<B>("monotone_cdf_model::score", z, lower_, upper_, "the model's support");
        vector_t<B> p, dp;
        density_and_slope(z, p, dp);
        return T::cwise_quotient(dp, p);
    }

    /// (F_i(z_i))_i, in [0, 1] (0 below the support, 1 above). Non-decreasing in each z_i, also in rounding.
    vector_t<B> cdf(const vector_t<B>& z) const {
        check("monotone_cdf_model::cdf", z);
        return cdf_unchecked(z);
    }

    /// (F_i⁻¹(u_i))_i for u in [0, 1]^d, by bisection on the support to the last bit (64 halvings, all
    /// coordinates at once). Throws invalid_argument_error for u outside [0, 1].
    vector_t<B> inverse_cdf(const vector_t<B>& u) const {
        constexpr const char* where = "monotone_cdf_model::inverse_cdf";
        detail::require_length<B>(where, "u", u, static_cast<long long>(d_), "the model's dimension");
        detail::require_finite<B>(where, "u", u);
        const auto half = T::fill(u, d_, 0.5);
        if (T::max_abs(T::sub(u, half)) > 0.5)
            throw invalid_argument_error(detail::sentence(where, "every entry of u must lie in [0, 1]."));
        auto lo = lower_, hi = upper_;
        const auto ones = T::fill(u, d_, 1.0);
        for (int it = 0; it < 64; ++it) {
            const auto mid = T::scale(T::add(lo, hi), scalar_t<B>(0.5));
            const auto w = detail::density::step<B>(T::sub(cdf_unchecked(mid), u));  // 1: F(mid) > u
            const auto not_w = T::sub(ones, w);
            hi = T::add(T::cwise_product(w, mid), T::cwise_product(not_w, hi));
            lo = T::add(T::cwise_product(not_w, mid), T::cwise_product(w, lo));
        }
        return T::scale(T::add(lo, hi), scalar_t<B>(0.5));
    }

    /// One exact draw: F⁻¹ of host-drawn uniforms (the seam draws normals only).
    template <class Rng>
    vector_t<B> sample(Rng& rng, const vector_t<B>& like) const {
        std::uniform_real_distribution<double> unif(0.0, 1.0);
        std::vector<double> u(static_cast<std::size_t>(d_));
        for (auto& e : u) e = unif(rng);
        return inverse_cdf(T::from_values(like, u));
    }

private:
    struct em_result {
        double lower = 0, upper = 0, mean_nll = 0, min_slope = 0;
        std::vector<double> density;
        int iterations = 0;
        bool converged = false;
    };

    /// EM for the hat-mixture weights of one coordinate (or the pooled samples); see the header.
    static em_result fit_one(const std::vector<double>& x, const monotone_cdf_fit_options& o, const char* where,
                             const std::string& what) {
        const auto [mn_it, mx_it] = std::minmax_element(x.begin(), x.end());
        const double mn = *mn_it, mx = *mx_it, range = mx - mn;
        if (!(range > 0.0))
            throw invalid_argument_error(detail::sentence(
                where, what + " takes a single value in the samples; no density can be fitted to it."));
        em_result r;
        const int K = o.bins;
        const auto knots = static_cast<std::size_t>(K) + 1;
        r.lower = mn - o.tail_margin * range;
        r.upper = mx + o.tail_margin * range;
        const double width = r.upper - r.lower, h = width / K, eta = o.min_density_fraction, floor = eta / width;
        std::vector<double> mass(knots, h);  // ∫ hat_k on [a, b]
        mass.front() = mass.back() = 0.5 * h;
        const std::size_t n = x.size();
        std::vector<int> bin(n);
        std::vector<double> t(n);
        for (std::size_t i = 0; i < n; ++i) {
            const double s = (x[i] - r.lower) / h;
            const int j = std::clamp(static_cast<int>(std::floor(s)), 0, K - 1);
            bin[i] = j;
            t[i] = std::clamp(s - j, 0.0, 1.0);
        }
        std::vector<double> pi(knots), resp(knots);
        for (std::size_t k = 0; k < knots; ++k) pi[k] = mass[k] / width;
        double previous = -std::numeric_limits<double>::infinity();
        for (int it = 1; it <= o.max_iterations; ++it) {
            std::fill(resp.begin(), resp.end(), 0.0);
            double ll = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                const auto j = static_cast<std::size_t>(bin[i]);
                const double c0 = (1.0 - eta) * pi[j] * (1.0 - t[i]) / mass[j];
                const double c1 = (1.0 - eta) * pi[j + 1] * t[i] / mass[j + 1];
                const double q = c0 + c1 + floor;
                resp[j] += c0 / q;
                resp[j + 1] += c1 / q;
                ll += std::log(q);
            }
            ll /= static_cast<double>(n);
            double total = 0.0;
            for (double e : resp) total += e;
            for (std::size_t k = 0; k < knots; ++k) pi[k] = resp[k] / total;
            r.iterations = it;
            if (ll - previous <= o.tolerance) {
                r.converged = true;
                break;
            }
            previous = ll;
        }
        r.density.resize(knots);
        r.min_slope = std::numeric_limits<double>::infinity();
        for (std::size_t k = 0; k < knots; ++k) {
            r.density[k] = (1.0 - eta) * pi[k] / mass[k] + floor;
            r.min_slope = std::min(r.min_slope, r.density[k]);
        }
        double nll = 0.0;  // l_lik / N at the final weights
        for (std::size_t i = 0; i < n; ++i) {
            const auto j = static_cast<std::size_t>(bin[i]);
            nll -= std::log((1.0 - t[i]) * r.density[j] + t[i] * r.density[j + 1]);
        }
        r.mean_nll = nll / static_cast<double>(n);
        return r;
    }

    void build(const vector_t<B>& like) {
        d_ = static_cast<index_t<B>>(lower_h_.size());
        const std::size_t knots = dens_h_[0].size();
        const double K = static_cast<double>(knots - 1);
        std::vector<double> width(lower_h_.size());
        for (std::size_t i = 0; i < width.size(); ++i) width[i] = (upper_h_[i] - lower_h_[i]) / K;
        lower_ = T::from_values(like, lower_h_);
        upper_ = T::from_values(like, upper_h_);
        width_ = T::from_values(like, width);
        knot_.clear();
        dens_.clear();
        max_log_density_ = 0.0;
        std::vector<double> column(lower_h_.size());
        for (std::size_t k = 0; k < knots; ++k) {
            for (std::size_t i = 0; i < column.size(); ++i)
                column[i] = k + 1 == knots ? upper_h_[i] : lower_h_[i] + static_cast<double>(k) * width[i];
            knot_.push_back(T::from_values(like, column));
            for (std::size_t i = 0; i < column.size(); ++i) column[i] = dens_h_[i][k];
            dens_.push_back(T::from_values(like, column));
        }
        for (const auto& di : dens_h_) max_log_density_ += std::log(*std::max_element(di.begin(), di.end()));
    }

    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the model's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    /// p(x_c) and p′(x_c) at x_c = z clamped to the support.
    void density_and_slope(const vector_t<B>& z, vector_t<B>& p, vector_t<B>& dp) const {
        const auto xc = detail::density::clamp<B>(z, lower_, upper_);
        const auto ones = T::fill(z, d_, 1.0), zeros = T::zeros(z, d_);
        p = zeros;
        dp = zeros;
        for (std::size_t k = 0; k < knot_.size(); ++k) {
            const auto s = T::cwise_quotient(T::sub(xc, knot_[k]), width_);
            const auto one_minus_a = T::sub(ones, T::cwise_abs(s));
            p = T::add(p, T::cwise_product(dens_[k], T::cwise_max(one_minus_a, zeros)));
            // hat′ = −sign(s) 1[|s| < 1] / h (½ weight at |s| = 1: the mean of one-sided slopes).
            const auto slope = T::cwise_product(detail::density::sign<B>(s), detail::density::step<B>(one_minus_a));
            dp = T::sub(dp, T::cwise_product(dens_[k], slope));
        }
        dp = T::cwise_quotient(dp, width_);
    }

    vector_t<B> coordinate_log_densities_unchecked(const vector_t<B>& z) const {
        const auto xc = detail::density::clamp<B>(z, lower_, upper_);
        const auto ones = T::fill(z, d_, 1.0), zeros = T::zeros(z, d_);
        auto p = zeros;
        for (std::size_t k = 0; k < knot_.size(); ++k) {
            const auto s = T::cwise_quotient(T::sub(xc, knot_[k]), width_);
            p = T::add(p, T::cwise_product(dens_[k], T::cwise_max(T::sub(ones, T::cwise_abs(s)), zeros)));
        }
        // Outside the support: multiply by 0 (the indicator), so that the log is −∞ there.
        const auto outside = T::cwise_abs(T::sub(z, xc));
        const auto inside = T::sub(ones, detail::density::sign<B>(outside));
        return T::cwise_log(T::cwise_product(p, inside));
    }

    /// F(x) = h (Σ_k P_k Q(s_k) − P_0/2), Q(s) = ∫_{−∞}^s hat = ½ + ½ sign(s)(1 − (1 − min(|s|, 1))²):
    /// every term is non-decreasing in x also after rounding, and so is their sum in a fixed order.
    vector_t<B> cdf_unchecked(const vector_t<B>& z) const {
        const auto xc = detail::density::clamp<B>(z, lower_, upper_);
        const auto ones = T::fill(z, d_, 1.0);
        auto acc = T::zeros(z, d_);
        for (std::size_t k = 0; k < knot_.size(); ++k) {
            const auto s = T::cwise_quotient(T::sub(xc, knot_[k]), width_);
            const auto rest = T::sub(ones, T::cwise_min(T::cwise_abs(s), ones));  // 1 − min(|s|, 1)
            const auto g = T::sub(ones, T::cwise_product(rest, rest));
            const auto q = T::scale(T::add(ones, T::cwise_product(detail::density::sign<B>(s), g)), scalar_t<B>(0.5));
            acc = T::add(acc, T::cwise_product(dens_[k], q));
        }
        acc = T::sub(acc, T::scale(dens_.front(), scalar_t<B>(0.5)));
        return T::cwise_product(width_, acc);
    }

    std::vector<double> lower_h_, upper_h_;
    std::vector<std::vector<double>> dens_h_;
    vector_t<B> lower_, upper_, width_;
    std::vector<vector_t<B>> knot_, dens_;
    index_t<B> d_ = 0;
    double max_log_density_ = 0.0;
    monotone_cdf_fit_report report_;
};

}  // namespace latentwalk
