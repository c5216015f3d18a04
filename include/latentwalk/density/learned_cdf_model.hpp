#pragma once
// latentwalk/density/learned_cdf_model.hpp — DP-LaSE's learned CDF network F, evaluated on any backend.
//
//     latentwalk::learned_cdf_weights w = trained.weights();          // from torch::dplase::cdf_network
//     latentwalk::learned_cdf_model<latentwalk::eigen::backend<double>> F(like, d, w);
//     double lp = F.log_density(z);                                   // Σ_i log F_i′(z_i)
//     auto walk = latentwalk::density_preserving_walk(F, z0, gamma, 20, 0.1);   // score-ray projections
//
// The model (one scalar network per coordinate i, or one shared by all coordinates: DP-LaSE's i.i.d.
// assumption). With H hidden units,
//   h_i(x) = c_i + α_i x + Σ_k v_{ik} tanh(w_{ik} x + b_{ik}),   F_i(x) = σ(h_i(x)) = ½(1 + tanh(h_i/2)),
// and the coordinates are independent: log p(z) = Σ_i log F_i′(z_i). The sigmoid keeps F in (0, 1); the
// linear term α x (α > 0) sends F to 0 and 1 at ∓∞, so F is a CDF (total mass 1) wherever h is increasing.
// The torch trainer (latentwalk/torch/dplase/cdf_network.hpp) learns these weights either unconstrained,
// with DP-LaSE's l_mon (the paper), or with α, w, v > 0 (monotone by construction).
//
// | member               | returns       | formula                                                  | cost       |
// |----------------------|---------------|----------------------------------------------------------|------------|
// | cdf(z)               | vector        | (F_i(z_i))_i                                             | O(d H)     |
// | slope(z)             | vector        | (F_i′(z_i))_i = σ(1 − σ) h′, exact (no finite difference) | O(d H)     |
// | coordinate_log_densities(z) | vector | log F_i′ = −|h| − 2 log1p(e^{−|h|}) + log h′             | O(d H)     |
// | log_density(z)       | batch scalar  | Σ_i log F_i′(z_i)                                        | O(d H)     |
// | score(z)             | vector        | F_i″/F_i′ = −tanh(h/2) h′ + h″/h′                         | O(d H)     |
// | min_slope(lo, hi, n) | double        | min of h′ on a grid (≤ 0: F is not monotone there)       | O(n d H)   |
// Every member is written with backend primitives only (no host branches): batched backends evaluate a
// whole batch [..., d] at once.
//
// Where h′ ≤ 0 (possible for the unconstrained network between the samples it was trained on), F is not
// a CDF: log F′ is −∞ there (not NaN) and score(z) throws invalid_argument_error. The constructor does
// not forbid such weights (they are what the paper's l_mon produces); check min_slope over the region
// you walk in.
//
// Weights: learned_cdf_weights holds row-major coordinates × H arrays (coordinates = d, or 1 for a
// network shared by every coordinate). Errors: dimension_error for arrays of inconsistent lengths,
// numerical_error for NaN/Inf weights or inputs, invalid_argument_error for d < 1 or H < 1.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "../concepts/density_model.hpp"
#include "../detail/density_support.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

/// The parameters of F (see the header): `coordinates` rows (d, or 1 for one network shared by all).
struct learned_cdf_weights {
    long long coordinates = 1;          ///< rows: d, or 1 (shared)
    long long hidden = 0;               ///< H
    std::vector<double> input_weight;   ///< w: coordinates × H, row-major
    std::vector<double> input_bias;     ///< b: coordinates × H
    std::vector<double> output_weight;  ///< v: coordinates × H
    std::vector<double> linear_weight;  ///< α: coordinates
    std::vector<double> output_bias;    ///< c: coordinates
};

template <class B>
class learned_cdf_model {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    /// F on d coordinates with the given weights; `like` supplies the backend's dtype/device.
    learned_cdf_model(const vector_t<B>& like, index_t<B> dim, learned_cdf_weights w) : w_(std::move(w)), d_(dim) {
        constexpr const char* where = "learned_cdf_model";
        if (dim < 1) throw invalid_argument_error(detail::sentence(where, "the dimension must be at least 1."));
        if (w_.hidden < 1) throw invalid_argument_error(detail::sentence(where, "the network needs at least 1 hidden unit."));
        const auto dd = static_cast<long long>(dim);
        if (w_.coordinates != 1 && w_.coordinates != dd)
            throw dimension_error(detail::sentence(
                where, "the weights describe " + detail::number(w_.coordinates) + " coordinates; they must describe 1 "
                       "(one shared network) or the dimension " + detail::number(dd) + "."));
        const auto rows = static_cast<std::size_t>(w_.coordinates), h = static_cast<std::size_t>(w_.hidden);
        auto need = [&](const std::vector<double>& v, std::size_t n, const char* name) {
            if (v.size() != n)
                throw dimension_error(detail::sentence(where, std::string(name) + " has " + detail::number(v.size()) +
                                                                  " entries but must have " + detail::number(n) + "."));
            for (double x : v) detail::require_finite_scalar(where, std::string("an entry of ") + name, x);
        };
        need(w_.input_weight, rows * h, "input_weight");
        need(w_.input_bias, rows * h, "input_bias");
        need(w_.output_weight, rows * h, "output_weight");
        need(w_.linear_weight, rows, "linear_weight");
        need(w_.output_bias, rows, "output_bias");
        std::vector<double> col(static_cast<std::size_t>(dd));
        auto broadcast = [&](const std::vector<double>& v, std::size_t k, std::size_t stride) {
            for (std::size_t i = 0; i < col.size(); ++i) col[i] = v[(rows == 1 ? 0 : i) * stride + k];
            return T::from_values(like, col);
        };
        for (std::size_t k = 0; k < h; ++k) {
            in_w_.push_back(broadcast(w_.input_weight, k, h));
            in_b_.push_back(broadcast(w_.input_bias, k, h));
            out_w_.push_back(broadcast(w_.output_weight, k, h));
        }
        alpha_ = broadcast(w_.linear_weight, 0, 1);
        c_ = broadcast(w_.output_bias, 0, 1);
    }

    index_t<B> dim() const { return d_; }
    long long hidden() const { return w_.hidden; }
    const learned_cdf_weights& weights() const { return w_; }

    vector_t<B> cdf(const vector_t<B>& z) const {
        check("learned_cdf_model::cdf", z);
        const auto e = eval(z, false);
        return T::scale(T::add(T::fill(z, d_, 1.0), T::cwise_tanh(T::scale(e.h, scalar_t<B>(0.5)))), scalar_t<B>(0.5));
    }

    /// (F_i′(z_i))_i, exact; negative where h′ < 0.
    vector_t<B> slope(const vector_t<B>& z) const {
        check("learned_cdf_model::slope", z);
        const auto e = eval(z, false);
        return T::cwise_product(T::cwise_exp(log_sigma_product(e.h)), e.dh);
    }

    /// (log F_i′(z_i))_i; −∞ where h′ ≤ 0 (F is not increasing there).
    vector_t<B> coordinate_log_densities(const vector_t<B>& z) const {
        check("learned_cdf_model::coordinate_log_densities", z);
        return coordinate_log_densities_unchecked(z);
    }

    batch_scalar_t<B> log_density(const vector_t<B>& z) const {
        check("learned_cdf_model::log_density", z);
        return T::sum(coordinate_log_densities_unchecked(z));
    }

    /// (F_i″/F_i′)_i; throws invalid_argument_error where h′ ≤ 0 (no density there).
    vector_t<B> score(const vector_t<B>& z) const {
        constexpr const char* where = "learned_cdf_model::score";
        check(where, z);
        const auto e = eval(z, true);
        if (!(min_entry(e.dh) > 0.0))
            throw invalid_argument_error(detail::sentence(
                where, "the learned F is not increasing at z (h′ ≤ 0 in some coordinate), so it has no density and "
                       "no score there; train with a larger l_mon weight or the monotone parameterization."));
        const auto half_h = T::scale(e.h, scalar_t<B>(0.5));
        return T::sub(T::cwise_quotient(e.d2h, e.dh), T::cwise_product(T::cwise_tanh(half_h), e.dh));
    }

    /// min over the grid x = lo + (hi − lo) j/(n − 1), j < n, and over the coordinates of h_i′(x): F is
    /// increasing on [lo, hi] (up to the grid's resolution) when this is positive. Throws
    /// invalid_argument_error for n < 2 or lo ≥ hi.
    double min_slope(const vector_t<B>& like, double lo, double hi, int n = 1001) const {
        constexpr const char* where = "learned_cdf_model::min_slope";
        detail::require_finite_scalar(where, "lo", lo);
        detail::require_finite_scalar(where, "hi", hi);
        if (n < 2 || !(hi > lo))
            throw invalid_argument_error(detail::sentence(where, "the grid needs n ≥ 2 points and lo < hi."));
        double m = std::numeric_limits<double>::infinity();
        for (int j = 0; j < n; ++j) {
            const double x = lo + (hi - lo) * j / (n - 1);
            const auto e = eval(T::fill(like, d_, x), false);
            m = std::min(m, min_entry(e.dh));
        }
        return m;
    }

private:
    struct evaluation {
        vector_t<B> h, dh, d2h;
    };

    static double min_entry(const vector_t<B>& v) {
        const auto host = T::to_host(v);
        double m = std::numeric_limits<double>::infinity();
        for (double x : host) m = std::min(m, x);
        return m;
    }

    evaluation eval(const vector_t<B>& z, bool second) const {
        const auto ones = T::fill(z, d_, 1.0);
        evaluation e{T::add(c_, T::cwise_product(alpha_, z)), alpha_, T::zeros(z, d_)};
        for (std::size_t k = 0; k < in_w_.size(); ++k) {
            const auto t = T::cwise_tanh(T::add(T::cwise_product(in_w_[k], z), in_b_[k]));
            const auto s = T::sub(ones, T::cwise_product(t, t));  // tanh′
            const auto vw = T::cwise_product(out_w_[k], in_w_[k]);
            e.h = T::add(e.h, T::cwise_product(out_w_[k], t));
            e.dh = T::add(e.dh, T::cwise_product(vw, s));
            if (second)
                e.d2h = T::sub(e.d2h, T::scale(T::cwise_product(T::cwise_product(vw, in_w_[k]), T::cwise_product(t, s)),
                                               scalar_t<B>(2)));
        }
        return e;
    }

    /// log(σ(h)(1 − σ(h))) = −|h| − 2 log1p(e^{−|h|}), without overflow.
    static vector_t<B> log_sigma_product(const vector_t<B>& h) {
        const auto a = T::cwise_abs(h);
        return T::sub(T::scale(a, scalar_t<B>(-1)),
                      T::scale(T::cwise_log1p(T::cwise_exp(T::scale(a, scalar_t<B>(-1)))), scalar_t<B>(2)));
    }

    vector_t<B> coordinate_log_densities_unchecked(const vector_t<B>& z) const {
        const auto e = eval(z, false);
        // log h′ where h′ > 0; h′ ⊙ 1[h′ > 0] is 0 (or −0) elsewhere, whose log is −∞.
        const auto positive = T::cwise_max(detail::density::sign<B>(e.dh), T::zeros(z, d_));
        return T::add(log_sigma_product(e.h), T::cwise_log(T::cwise_product(e.dh, positive)));
    }

    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(d_), "the model's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    learned_cdf_weights w_;
    index_t<B> d_;
    std::vector<vector_t<B>> in_w_, in_b_, out_w_;
    vector_t<B> alpha_, c_;
};

}  // namespace latentwalk
