#pragma once
// latentwalk/compare/traversal_metrics.hpp — the backend-free scores of the method comparison
// (examples/compare_methods): how each discovered direction moves the ground-truth factors, and the
// geometry of the latent path it walks. Host data only (std::vector<double>): any backend's traversal
// is read back once and scored here, so every method is scored by the same code.
//
//     std::vector<latentwalk::factor_spec> specs = {{"x", 0.2887}, {"angle", 0.2887, factor_kind::circular, 1.0}};
//     latentwalk::factor_track tr{.times = {0, 1, 2}, .values = {{0.1, 0.3}, {0.2, 0.3}, {0.3, 0.3}}};
//     double r = latentwalk::track_correlation(tr, specs, 0);          // x: 0.2828 (= c·sd(t)/spread)
//     auto fc = latentwalk::factor_correlation({{tr}}, specs);       // K×F raw and shares, the scores
//     fc.share[0];  fc.mean_max_share;  fc.dci_disentanglement;  fc.completeness;
//     auto g  = latentwalk::path_geometry(points);                    // curvature, length, log-density drift
//     double p = latentwalk::position_dependence(displacements);     // 0: one global direction
//
// | function              | what                                                                 | cost        |
// |-----------------------|----------------------------------------------------------------------|-------------|
// | track_correlation     | r_f of one traversal (below)                                          | O(T)        |
// | factor_correlation    | R = [mean |r_kf| over direction k's traversals] (K×F), rows ℓ1-normalized | O(K·S·T·F) |
// |                       | into shares, and the disentanglement scores read from the shares      |             |
// | path_geometry         | latent length, chord, curvature 1 − chord/length, Gaussian log-density | O(T·d)     |
// |                       | drift |log N(z_T) − log N(z_0)| and its largest |·| along the path     |             |
// | position_dependence   | Σ_s‖Δ_s − Δ̄‖² / Σ_s‖Δ_s‖² of the displacements Δ_s = z_T − z_0 of one  | O(S·d)      |
// |                       | direction from S starts: 0 for a global direction, → 1 for directions |             |
// |                       | that depend on the start (the non-linear part of the traversal)       |             |
//
// The factor statistic (ours; Song et al.'s Table 2 gives "correlation" without a formula). For one
// traversal with times t_0 … t_T and factor values f_0 … f_T (read from its frames by an estimator):
//     r_f = Cov(t, f̃) / (sd(t) · spread_f)          (population moments over the T + 1 frames)
// where f̃ is f for a continuous factor, f unwrapped along the path for a circular one (each step's
// change taken modulo `period` into [−period/2, period/2)), and the indicator [f_j ≠ f_0] for a
// categorical one; spread_f is the factor's standard deviation over the data (categorical: the standard
// deviation of the change indicator between two random data points, √(p(1 − p)) with p = P(f ≠ f′)).
// r_f is Pearson's correlation of t and f when f varies along the path as much as over the data; unlike
// Pearson's, a factor that stays put up to estimator noise gets a small r_f (its covariance with t is
// small), not a random one in [−1, 1]. A pure shift of factor f by c per unit t gives r_f = c·sd(t)/spread_f
// and 0 for every other factor. The direction's row is R_k,f = mean over its traversals of |r_f| (the sign
// of a local direction is arbitrary per start point), and the shares are R_k,f / Σ_f R_k,f (a row of
// zeros stays zeros).
// Scores from the K×F shares P (rows k, factors f; each row sums to 1 or is 0):
//   mean_max_share        mean_k max_f P_kf: 1 when every direction moves one factor alone, 1/F when it
//                         moves all alike (the "single disentanglement score" of the comparison)
//   dci_disentanglement   Σ_k ρ_k (1 − H_F(P_k)), H_F the entropy in base F and ρ_k = Σ_f R_kf / Σ R
//                         (Eastwood & Williams' D with R as the importance matrix)
//   completeness          Σ_f ρ_f (1 − H_K(R_·f / Σ_k R_kf)), ρ_f = Σ_k R_kf / Σ R (their C; K ≥ 2)
//   factors_covered       how many factors are the largest share of at least one direction
// Path geometry: the Gaussian prior N(0, I) of the generators compared here (log N(z) = −‖z‖²/2 − (d/2)
// log 2π; the drift needs only the norms). Curvature 1 − ‖z_T − z_0‖ / Σ‖z_{j+1} − z_j‖ is 0 for a
// straight path, ~1 for one that returns; position_dependence is our reading of the potential-flow
// paper's split of a trajectory into a linear part (the displacement common to all starts, Δ̄) and a
// non-linear part (what depends on the start, Δ_s − Δ̄).
//
// Errors: dimension_error for tracks whose rows are not F values or whose times and values differ in
// length, specs and factor counts that differ, paths of points of different lengths, fewer than two
// points or displacements; invalid_argument_error for a non-positive or non-finite spread, a circular
// factor without a positive period, no directions, or a direction without traversals; numerical_error
// for a non-finite time or factor value. Inputs are only read.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/validate.hpp"
#include "../error.hpp"

namespace latentwalk {

/// How a ground-truth factor is compared along a traversal.
enum class factor_kind {
    continuous,   ///< a real value (position, scale)
    circular,     ///< a value modulo `period` (an orientation): unwrapped along the path
    categorical,  ///< a class label (a shape): the change indicator [f_j ≠ f_0] is correlated with t
};

struct factor_spec {
    std::string name{};
    double spread = 1.0;  ///< the factor's standard deviation over the data (categorical: of the change indicator)
    factor_kind kind = factor_kind::continuous;
    double period = 0.0;  ///< circular factors: the period of their values
};

/// One traversal as the estimators read it: its times and, per frame, the F factor values.
struct factor_track {
    std::vector<double> times{};                ///< t_0 … t_T
    std::vector<std::vector<double>> values{};  ///< T + 1 rows of F values
};

/// The factor correlation matrix of K directions and its scores (see the header comment).
struct factor_correlation_result {
    std::vector<std::string> factor_names;
    std::vector<std::vector<double>> raw;    ///< K×F: R_kf, the mean |r_f| over direction k's traversals
    std::vector<std::vector<double>> share;  ///< K×F: the rows of R ℓ1-normalized
    std::vector<long long> top_factor;       ///< per direction, argmax_f share (−1 for a zero row)
    double mean_max_share = 0.0;
    double dci_disentanglement = 0.0;
    double completeness = 0.0;
    long long factors_covered = 0;
};

namespace detail::compare {

inline void require_specs(std::string_view where, const std::vector<factor_spec>& specs) {
    if (specs.empty()) throw invalid_argument_error(sentence(where, "there are no factor specs."));
    for (const auto& s : specs) {
        if (!(s.spread > 0.0) || !std::isfinite(s.spread))
            throw invalid_argument_error(sentence(where, "the spread of factor '" + s.name + "' is " + std::to_string(s.spread) +
                                                             "; it must be positive and finite."));
        if (s.kind == factor_kind::circular && !(s.period > 0.0 && std::isfinite(s.period)))
            throw invalid_argument_error(sentence(where, "the circular factor '" + s.name + "' needs a positive, finite period."));
    }
}

inline void require_track(std::string_view where, const factor_track& tr, std::size_t F) {
    if (tr.times.size() != tr.values.size())
        throw dimension_error(sentence(where, "a track has " + std::to_string(tr.times.size()) + " times but " +
                                                  std::to_string(tr.values.size()) + " rows of factor values."));
    if (tr.times.size() < 2) throw dimension_error(sentence(where, "a track needs at least two frames."));
    for (std::size_t j = 0; j < tr.values.size(); ++j) {
        if (tr.values[j].size() != F)
            throw dimension_error(sentence(where, "row " + std::to_string(j) + " of a track holds " +
                                                      std::to_string(tr.values[j].size()) + " factor values but there are " +
                                                      std::to_string(F) + " factor specs."));
        if (!std::isfinite(tr.times[j]))
            throw numerical_error(sentence(where, "time " + std::to_string(j) + " of a track is not finite."));
        for (double v : tr.values[j])
            if (!std::isfinite(v)) throw numerical_error(sentence(where, "a factor value in row " + std::to_string(j) + " is not finite."));
    }
}

/// Normalized entropy of the non-negative weights w (base w.size(); 0 for one entry or zero mass).
inline double normalized_entropy(const std::vector<double>& w) {
    double total = 0;
    for (double x : w) total += x;
    if (w.size() < 2 || !(total > 0)) return 0.0;
    double h = 0;
    for (double x : w)
        if (x > 0) h -= (x / total) * std::log(x / total);
    return h / std::log(static_cast<double>(w.size()));
}

inline double squared_norm(const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x * x;
    return s;
}

}  // namespace detail::compare

/// r_f of one traversal for factor f (see the header comment); 0 when the times do not vary.
[[nodiscard]] inline double track_correlation(const factor_track& track, const std::vector<factor_spec>& specs, std::size_t f) {
    constexpr std::string_view where = "track_correlation";
    detail::compare::require_specs(where, specs);
    if (f >= specs.size())
        throw dimension_error(detail::sentence(where, "factor " + std::to_string(f) + " is outside the " +
                                                          std::to_string(specs.size()) + " specs."));
    detail::compare::require_track(where, track, specs.size());
    const auto& s = specs[f];
    const std::size_t n = track.times.size();
    std::vector<double> y(n);
    y[0] = s.kind == factor_kind::categorical ? 0.0 : track.values[0][f];
    for (std::size_t j = 1; j < n; ++j) {
        const double v = track.values[j][f];
        switch (s.kind) {
            case factor_kind::continuous: y[j] = v; break;
            case factor_kind::categorical: y[j] = v != track.values[0][f] ? 1.0 : 0.0; break;
            case factor_kind::circular: {
                double d = std::fmod(v - track.values[j - 1][f], s.period);
                if (d < -s.period / 2) d += s.period;
                if (d >= s.period / 2) d -= s.period;
                y[j] = y[j - 1] + d;
                break;
            }
        }
    }
    double mt = 0, my = 0;
    for (std::size_t j = 0; j < n; ++j) mt += track.times[j], my += y[j];
    mt /= double(n);
    my /= double(n);
    double ctt = 0, cty = 0;
    for (std::size_t j = 0; j < n; ++j) {
        ctt += (track.times[j] - mt) * (track.times[j] - mt);
        cty += (track.times[j] - mt) * (y[j] - my);
    }
    if (!(ctt > 0)) return 0.0;
    return (cty / double(n)) / (std::sqrt(ctt / double(n)) * s.spread);
}

/// The K×F matrix of `tracks[k]` (the traversals of direction k) and its scores.
[[nodiscard]] inline factor_correlation_result factor_correlation(const std::vector<std::vector<factor_track>>& tracks,
                                                                  const std::vector<factor_spec>& specs) {
    constexpr std::string_view where = "factor_correlation";
    detail::compare::require_specs(where, specs);
    if (tracks.empty()) throw invalid_argument_error(detail::sentence(where, "there are no directions (tracks is empty)."));
    const std::size_t K = tracks.size(), F = specs.size();
    for (std::size_t k = 0; k < K; ++k) {
        if (tracks[k].empty())
            throw invalid_argument_error(detail::sentence(where, "direction " + std::to_string(k) + " has no traversals."));
        for (const auto& tr : tracks[k]) detail::compare::require_track(where, tr, F);
    }
    factor_correlation_result out;
    for (const auto& s : specs) out.factor_names.push_back(s.name);
    out.raw.assign(K, std::vector<double>(F, 0.0));
    out.share = out.raw;
    out.top_factor.assign(K, -1);
    for (std::size_t k = 0; k < K; ++k)
        for (std::size_t f = 0; f < F; ++f) {
            double sum = 0;
            for (const auto& tr : tracks[k]) sum += std::abs(track_correlation(tr, specs, f));
            out.raw[k][f] = sum / double(tracks[k].size());
        }
    double total = 0;
    std::vector<bool> covered(F, false);
    for (std::size_t k = 0; k < K; ++k) {
        double row = 0;
        for (double x : out.raw[k]) row += x;
        total += row;
        if (!(row > 0)) continue;
        double best = -1;
        for (std::size_t f = 0; f < F; ++f) {
            out.share[k][f] = out.raw[k][f] / row;
            if (out.share[k][f] > best) best = out.share[k][f], out.top_factor[k] = static_cast<long long>(f);
        }
        covered[static_cast<std::size_t>(out.top_factor[k])] = true;
        out.mean_max_share += best;
    }
    out.mean_max_share /= double(K);
    out.factors_covered = std::count(covered.begin(), covered.end(), true);
    if (total > 0) {
        for (std::size_t k = 0; k < K; ++k) {
            double row = 0;
            for (double x : out.raw[k]) row += x;
            out.dci_disentanglement += (row / total) * (1.0 - detail::compare::normalized_entropy(out.raw[k]));
        }
        for (std::size_t f = 0; f < F; ++f) {
            std::vector<double> col(K);
            double mass = 0;
            for (std::size_t k = 0; k < K; ++k) col[k] = out.raw[k][f], mass += col[k];
            out.completeness += (mass / total) * (1.0 - detail::compare::normalized_entropy(col));
        }
    }
    return out;
}

/// The latent geometry of one path z_0 … z_T (each point d values).
struct path_geometry_result {
    double length = 0.0;           ///< Σ‖z_{j+1} − z_j‖
    double chord = 0.0;            ///< ‖z_T − z_0‖
    double curvature = 0.0;        ///< 1 − chord/length (0 for a straight path or a path of length 0)
    double log_density_drift = 0.0;      ///< |log N(z_T) − log N(z_0)| under N(0, I)
    double max_log_density_drift = 0.0;  ///< max_j |log N(z_j) − log N(z_0)|
};

[[nodiscard]] inline path_geometry_result path_geometry(const std::vector<std::vector<double>>& points) {
    constexpr std::string_view where = "path_geometry";
    if (points.size() < 2) throw dimension_error(detail::sentence(where, "a path needs at least two points."));
    const std::size_t d = points[0].size();
    for (const auto& p : points) {
        if (p.size() != d)
            throw dimension_error(detail::sentence(where, "the points have different lengths (" + std::to_string(p.size()) +
                                                              " and " + std::to_string(d) + ")."));
        for (double x : p)
            if (!std::isfinite(x)) throw numerical_error(detail::sentence(where, "a point holds a non-finite value."));
    }
    path_geometry_result g;
    const double n0 = detail::compare::squared_norm(points[0]);
    for (std::size_t j = 0; j + 1 < points.size(); ++j) {
        double s = 0;
        for (std::size_t i = 0; i < d; ++i) s += (points[j + 1][i] - points[j][i]) * (points[j + 1][i] - points[j][i]);
        g.length += std::sqrt(s);
        g.max_log_density_drift = std::max(g.max_log_density_drift, 0.5 * std::abs(detail::compare::squared_norm(points[j + 1]) - n0));
    }
    double c = 0;
    for (std::size_t i = 0; i < d; ++i) c += (points.back()[i] - points[0][i]) * (points.back()[i] - points[0][i]);
    g.chord = std::sqrt(c);
    g.curvature = g.length > 0 ? std::max(0.0, 1.0 - g.chord / g.length) : 0.0;
    g.log_density_drift = 0.5 * std::abs(detail::compare::squared_norm(points.back()) - n0);
    return g;
}

/// Σ_s‖Δ_s − Δ̄‖² / Σ_s‖Δ_s‖² of S ≥ 2 displacements of one direction (0 when they are all zero).
[[nodiscard]] inline double position_dependence(const std::vector<std::vector<double>>& displacements) {
    constexpr std::string_view where = "position_dependence";
    if (displacements.size() < 2) throw dimension_error(detail::sentence(where, "it needs at least two displacements."));
    const std::size_t d = displacements[0].size();
    std::vector<double> mean(d, 0.0);
    for (const auto& v : displacements) {
        if (v.size() != d) throw dimension_error(detail::sentence(where, "the displacements have different lengths."));
        for (std::size_t i = 0; i < d; ++i) {
            if (!std::isfinite(v[i])) throw numerical_error(detail::sentence(where, "a displacement holds a non-finite value."));
            mean[i] += v[i] / double(displacements.size());
        }
    }
    double num = 0, den = 0;
    for (const auto& v : displacements)
        for (std::size_t i = 0; i < d; ++i) num += (v[i] - mean[i]) * (v[i] - mean[i]), den += v[i] * v[i];
    return den > 0 ? num / den : 0.0;
}

}  // namespace latentwalk
