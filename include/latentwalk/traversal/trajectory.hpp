#pragma once
// latentwalk/traversal/trajectory.hpp — the result of every traversal and flow.
//
// A trajectory is an ordered list of latent points with their times. Optionally it carries
//   directions   the latent direction used at each point (a flow: dz/dt there; curve traversal:
//                the unit latent direction v_i(z) followed from that point), one per point;
//   outputs      the generator's output g(z) at each point (the "frames" of a traversal);
//   diagnostics  named per-point host series ("sigma", "abs_cos", "step_length", ...).
// Points are stored in traversal order: for two-sided traversals the negative side comes first
// (reversed), then the start point, then the positive side, and times are signed accordingly.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"

namespace latentwalk {

template <class B>
struct trajectory {
    using backend = B;

    std::vector<vector_t<B>> points;       ///< z_0, z_1, ... (latent)
    std::vector<double> times;             ///< one per point
    std::vector<vector_t<B>> directions;   ///< empty, one per point, or one per step (an ODE solution
                                           ///< with final_direction off: the last point has none)
    std::vector<vector_t<B>> outputs;      ///< empty, or g(z) per point
    std::map<std::string, std::vector<double>> diagnostics;  ///< named per-point series

    std::size_t size() const { return points.size(); }
    bool empty() const { return points.empty(); }
    const vector_t<B>& front() const { return points.front(); }
    const vector_t<B>& back() const { return points.back(); }

    /// Index of the point where the traversal started (the middle point of a two-sided traversal).
    std::size_t start_index = 0;

    /// The named diagnostic series; throws invalid_argument_error when it was not recorded.
    const std::vector<double>& diagnostic(const std::string& name) const {
        const auto it = diagnostics.find(name);
        if (it == diagnostics.end())
            throw invalid_argument_error(detail::sentence("trajectory::diagnostic",
                                                          "no diagnostic named \"" + name + "\" was recorded."));
        return it->second;
    }

    /// Sum of ‖z_{i+1} − z_i‖ over the latent points (host value; the maximum over a batch).
    double latent_length() const { return polyline_length(points); }

    /// Sum of ‖g(z_{i+1}) − g(z_i)‖ over the recorded outputs (0 when none were recorded).
    double output_length() const { return polyline_length(outputs); }

private:
    static double polyline_length(const std::vector<vector_t<B>>& xs) {
        using T = backend_traits<B>;
        double total = 0.0;
        for (std::size_t i = 1; i < xs.size(); ++i) total += T::host_max(T::norm(T::sub(xs[i], xs[i - 1])));
        return total;
    }
};

}  // namespace latentwalk
