#pragma once
// latentwalk/compare/comparison_table.hpp — one row of scores per traversal method, written as the
// Markdown and CSV tables of examples/compare_methods (backend-free: host values only).
//
//     std::vector<latentwalk::method_scores> rows = ...;                 // torch/compare/score_methods.hpp
//     std::cout << latentwalk::comparison_markdown(rows);                // one line per method
//     std::cout << latentwalk::factor_matrix_markdown(rows);             // the K×F shares per method
//     file << latentwalk::comparison_csv(rows);  file2 << latentwalk::factor_matrix_csv(rows);
//
// Columns (a score that was not measured — no ground-truth factors, no VP run — is an empty optional,
// printed "—" in Markdown and left empty in CSV; never a NaN):
// | column            | meaning                                                                           |
// |-------------------|-----------------------------------------------------------------------------------|
// | max share, DCI D, C, covered | factor_correlation's scores (compare/traversal_metrics.hpp)            |
// | lost              | fraction of frames the factor reader could not read (a vanished sprite), and after |
// | VP                | VP score in %, mean ± sd over the runs (torch::vp_score, one protocol for all)    |
// | NN ratio          | mean distance of the traversal's frames to their nearest training image, over the |
// |                   | same for the start frames g(z_0): 1 = as close to the data as the start           |
// | escape            | Σ‖g(z_{j+1}) − g(z_j) − J(z_j)(z_{j+1} − z_j)‖ / Σ‖g(z_{j+1}) − g(z_j)‖ over the   |
// |                   | steps: how far the image leaves the tangent plane per step, relative to the move  |
// | drift, max drift  | |log N(z_T) − log N(z_0)| and its largest value along the path (nats)             |
// | curvature, pos.   | path_geometry's curvature and position_dependence (the non-linear part)           |
// | length            | mean latent path length                                                          |
// | ms, passes        | wall time and generator passes (forward evaluations, one per forward-mode JVP)   |
// |                   | per traversal while the method computes its path (frames not included)            |
// Numbers are printed with 3 significant decimals in Markdown and 17 significant digits in CSV.
// Errors: none beyond std::bad_alloc; rows are only read.
#include <cstddef>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "traversal_metrics.hpp"

namespace latentwalk {

struct method_scores {
    std::string method{};     ///< the row's name
    std::string note{};       ///< how its directions were obtained (one phrase)
    long long directions = 0, starts = 0, steps = 0;
    std::optional<factor_correlation_result> factors{};
    std::optional<double> vp_mean{}, vp_sd{};  ///< fractions in [0, 1]
    std::vector<double> vp_runs{};
    std::optional<double> fidelity_ratio{}, escape{};
    std::optional<double> unreadable_fraction{};  ///< frames the factor reader could not read (and after them)
    double log_density_drift = 0, max_log_density_drift = 0, curvature = 0, position_dependence = 0, latent_length = 0;
    double seconds_per_traversal = 0, generator_passes_per_traversal = 0;
    double vp_seconds = 0;  ///< wall time of the VP score (all runs: vp_score plus its pairs' share of the path calls; not a table column)
};

namespace detail::compare {
inline std::string cell(const std::optional<double>& v, int precision = 3, double scale = 1.0) {
    if (!v) return "—";
    std::ostringstream s;
    s << std::fixed << std::setprecision(precision) << *v * scale;
    return s.str();
}
inline std::string csv_cell(const std::optional<double>& v) {
    if (!v) return "";
    std::ostringstream s;
    s << std::setprecision(17) << *v;
    return s.str();
}
inline std::string csv_text(const std::string& s) {
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}
}  // namespace detail::compare

/// The summary table, one line per method (see the column table in the header comment).
[[nodiscard]] inline std::string comparison_markdown(const std::vector<method_scores>& rows) {
    using detail::compare::cell;
    std::ostringstream s;
    s << "| method | max share | DCI D | C | covered | lost | VP (%) | NN ratio | escape | drift | max drift | curvature | pos. dep. | length | ms / trav. | passes / trav. |\n";
    s << "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rows) {
        s << "| " << r.method << " | ";
        if (r.factors) {
            s << cell(r.factors->mean_max_share) << " | " << cell(r.factors->dci_disentanglement) << " | "
              << cell(r.factors->completeness) << " | " << r.factors->factors_covered << "/" << r.factors->factor_names.size()
              << " | " << cell(r.unreadable_fraction, 2);
        } else {
            s << "— | — | — | — | —";
        }
        s << " | " << (r.vp_mean ? cell(r.vp_mean, 1, 100.0) + " ± " + cell(r.vp_sd, 1, 100.0) : std::string("—")) << " | "
          << cell(r.fidelity_ratio) << " | " << cell(r.escape) << " | " << cell(r.log_density_drift, 2) << " | "
          << cell(r.max_log_density_drift, 2) << " | " << cell(r.curvature) << " | " << cell(r.position_dependence) << " | "
          << cell(r.latent_length, 2) << " | " << cell(r.seconds_per_traversal, 3, 1000.0) << " | "
          << cell(r.generator_passes_per_traversal, 1) << " |\n";
    }
    return s.str();
}

/// Per method, its K×F shares (rows: directions; the largest share of each row in bold).
[[nodiscard]] inline std::string factor_matrix_markdown(const std::vector<method_scores>& rows) {
    using detail::compare::cell;
    std::ostringstream s;
    for (const auto& r : rows) {
        if (!r.factors) continue;
        const auto& f = *r.factors;
        s << "\n**" << r.method << "** (" << r.note << ")\n\n| direction |";
        for (const auto& n : f.factor_names) s << ' ' << n << " |";
        s << " Σ R |\n|---|";
        for (std::size_t i = 0; i < f.factor_names.size(); ++i) s << "---|";
        s << "---|\n";
        for (std::size_t k = 0; k < f.share.size(); ++k) {
            double row = 0;
            for (double x : f.raw[k]) row += x;
            s << "| " << k + 1 << " |";
            for (std::size_t j = 0; j < f.share[k].size(); ++j) {
                const bool top = f.top_factor[k] == static_cast<long long>(j);
                s << ' ' << (top ? "**" : "") << cell(f.share[k][j], 2) << (top ? "**" : "") << " |";
            }
            s << ' ' << cell(row, 3) << " |\n";
        }
    }
    return s.str();
}

/// The summary as CSV (header line first; fractions, not percent).
[[nodiscard]] inline std::string comparison_csv(const std::vector<method_scores>& rows) {
    using detail::compare::csv_cell;
    std::ostringstream s;
    s << "method,note,directions,starts,steps,max_share,dci_disentanglement,completeness,factors_covered,unreadable_fraction,vp_mean,vp_sd,vp_runs,"
         "nn_ratio,escape,log_density_drift,max_log_density_drift,curvature,position_dependence,latent_length,"
         "seconds_per_traversal,generator_passes_per_traversal\n";
    for (const auto& r : rows) {
        s << detail::compare::csv_text(r.method) << ',' << detail::compare::csv_text(r.note) << ',' << r.directions << ','
          << r.starts << ',' << r.steps << ',';
        if (r.factors)
            s << csv_cell(r.factors->mean_max_share) << ',' << csv_cell(r.factors->dci_disentanglement) << ','
              << csv_cell(r.factors->completeness) << ',' << r.factors->factors_covered << ',' << csv_cell(r.unreadable_fraction) << ',';
        else
            s << ",,,,,";
        std::string runs;
        for (std::size_t i = 0; i < r.vp_runs.size(); ++i) runs += (i ? " " : "") + csv_cell(r.vp_runs[i]);
        s << csv_cell(r.vp_mean) << ',' << csv_cell(r.vp_sd) << ',' << runs << ',' << csv_cell(r.fidelity_ratio) << ','
          << csv_cell(r.escape) << ',' << csv_cell(r.log_density_drift) << ',' << csv_cell(r.max_log_density_drift) << ','
          << csv_cell(r.curvature) << ',' << csv_cell(r.position_dependence) << ',' << csv_cell(r.latent_length) << ','
          << csv_cell(r.seconds_per_traversal) << ',' << csv_cell(r.generator_passes_per_traversal) << '\n';
    }
    return s.str();
}

/// The factor matrices in long form: method,direction,factor,raw,share.
[[nodiscard]] inline std::string factor_matrix_csv(const std::vector<method_scores>& rows) {
    using detail::compare::csv_cell;
    std::ostringstream s;
    s << "method,direction,factor,raw,share\n";
    for (const auto& r : rows) {
        if (!r.factors) continue;
        for (std::size_t k = 0; k < r.factors->raw.size(); ++k)
            for (std::size_t f = 0; f < r.factors->factor_names.size(); ++f)
                s << detail::compare::csv_text(r.method) << ',' << k + 1 << ',' << r.factors->factor_names[f] << ','
                  << csv_cell(r.factors->raw[k][f]) << ',' << csv_cell(r.factors->share[k][f]) << '\n';
    }
    return s.str();
}

}  // namespace latentwalk
