#pragma once
// latentwalk/grassmann/warpage_table.hpp — the result of the warpage experiments
// (warpage_statistics.hpp): mean and sample standard deviation of Grassmann distances per subspace
// dimension k = 1..k_max and per metric, printable as a table and exportable as CSV.
#include <cmath>
#include <cstddef>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "grassmann_distance.hpp"

namespace latentwalk {

/// Distances between pairs of k-dimensional subspaces, summarized per k and per metric.
struct warpage_table {
    std::string experiment;                 ///< e.g. "random pairs", "close pairs (epsilon = 0.1)"
    std::vector<grassmann_metric> metrics;  ///< the columns
    long long k_max = 0;                    ///< rows k = 1..k_max
    long long samples = 0;                  ///< pairs per cell
    /// mean[i][k − 1], stddev[i][k − 1] for metrics[i]; stddev is the sample standard deviation
    /// (divisor samples − 1; 0 for a single sample). A cell is +inf when any distance was +inf (martin).
    std::vector<std::vector<double>> mean, stddev;

    double mean_at(grassmann_metric m, long long k) const { return mean.at(column(m)).at(static_cast<std::size_t>(k - 1)); }
    double stddev_at(grassmann_metric m, long long k) const {
        return stddev.at(column(m)).at(static_cast<std::size_t>(k - 1));
    }

    /// A fixed-width table: one row per k, "mean ± std" per metric.
    void print(std::ostream& os) const {
        os << "warpage: " << experiment << " (" << samples << " pairs)\n";
        os << std::setw(4) << "k";
        for (auto m : metrics) os << " | " << std::setw(25) << metric_name(m);
        os << "\n";
        std::ostringstream cell;
        for (long long k = 1; k <= k_max; ++k) {
            os << std::setw(4) << k;
            for (std::size_t i = 0; i < metrics.size(); ++i) {
                cell.str("");
                cell << std::fixed << std::setprecision(4) << mean[i][static_cast<std::size_t>(k - 1)] << " ± "
                     << std::setprecision(4) << stddev[i][static_cast<std::size_t>(k - 1)];
                os << " | " << std::setw(26) << cell.str();  // "±" is two bytes in UTF-8
            }
            os << "\n";
        }
    }
    std::string to_string() const {
        std::ostringstream os;
        print(os);
        return os.str();
    }

    /// Long-format CSV with a header: experiment,metric,k,mean,std,samples (17 significant digits).
    void write_csv(std::ostream& os, bool header = true) const {
        if (header) os << "experiment,metric,k,mean,std,samples\n";
        const auto old = os.precision(17);
        for (std::size_t i = 0; i < metrics.size(); ++i)
            for (long long k = 1; k <= k_max; ++k)
                os << '"' << experiment << "\"," << metric_name(metrics[i]) << ',' << k << ','
                   << mean[i][static_cast<std::size_t>(k - 1)] << ',' << stddev[i][static_cast<std::size_t>(k - 1)]
                   << ',' << samples << '\n';
        os.precision(old);
    }
    std::string csv() const {
        std::ostringstream os;
        write_csv(os);
        return os.str();
    }

private:
    std::size_t column(grassmann_metric m) const {
        for (std::size_t i = 0; i < metrics.size(); ++i)
            if (metrics[i] == m) return i;
        return metrics.size();  // out of range: mean_at / stddev_at then throw std::out_of_range
    }
};

inline std::ostream& operator<<(std::ostream& os, const warpage_table& t) {
    t.print(os);
    return os;
}

namespace detail::grassmann {

/// Welford accumulators for one table.
struct warpage_accumulator {
    std::vector<std::vector<double>> mean, m2;
    std::vector<std::vector<bool>> infinite;
    long long count = 0;

    warpage_accumulator(std::size_t n_metrics, long long k_max)
        : mean(n_metrics, std::vector<double>(static_cast<std::size_t>(k_max), 0.0)),
          m2(n_metrics, std::vector<double>(static_cast<std::size_t>(k_max), 0.0)),
          infinite(n_metrics, std::vector<bool>(static_cast<std::size_t>(k_max), false)) {}

    /// values[i][k − 1] of one pair.
    void add(const std::vector<std::vector<double>>& values) {
        ++count;
        for (std::size_t i = 0; i < values.size(); ++i)
            for (std::size_t j = 0; j < values[i].size(); ++j) {
                const double x = values[i][j];
                if (!std::isfinite(x)) {
                    infinite[i][j] = true;
                    continue;
                }
                const double d = x - mean[i][j];
                mean[i][j] += d / static_cast<double>(count);
                m2[i][j] += d * (x - mean[i][j]);
            }
    }

    warpage_table finish(std::string experiment, std::vector<grassmann_metric> metrics, long long k_max) const {
        warpage_table t;
        t.experiment = std::move(experiment);
        t.metrics = std::move(metrics);
        t.k_max = k_max;
        t.samples = count;
        t.mean = mean;
        t.stddev = m2;
        for (std::size_t i = 0; i < mean.size(); ++i)
            for (std::size_t j = 0; j < mean[i].size(); ++j) {
                t.stddev[i][j] = count > 1 ? std::sqrt(m2[i][j] / static_cast<double>(count - 1)) : 0.0;
                if (infinite[i][j]) t.mean[i][j] = t.stddev[i][j] = std::numeric_limits<double>::infinity();
            }
        return t;
    }
};

}  // namespace detail::grassmann

}  // namespace latentwalk
