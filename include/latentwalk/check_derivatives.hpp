#pragma once
// latentwalk/check_derivatives.hpp — verify a user's generator derivatives before trusting them.
//
//     auto report = latentwalk::check_derivatives(g, z);            // inspect report.passed()
//     latentwalk::check_derivatives(g, z, {.throw_on_failure = true});   // or throw numerical_error
//
// Three checks, with random unit directions v, w (latent) and u (output) drawn from `seed`:
//  1. JVP Taylor remainder  r(h) = ‖g(z + h v) − g(z) − h J v‖ = O(h²): halving h divides it by ≈ 4
//     (observed order log₂(r(h)/r(h/2)) ≈ 2; a wrong JVP gives order ≈ 1).
//  2. VJP Taylor remainder  s(h) = |⟨u, g(z + h w) − g(z)⟩ − h ⟨Jᵀu, w⟩| = O(h²), likewise.
//  3. Adjoint identity      |⟨u, J v⟩ − ⟨Jᵀu, v⟩| / (‖u‖‖Jv‖ + ‖Jᵀu‖‖v‖) ≤ adjoint_tolerance.
// Steps: h_k = initial_step · max(1, ‖z‖∞) / 2^k, k = 0..halvings. A remainder is *resolved* when
// it exceeds 16× its rounding floor 8 ε (‖g(z)‖ + ‖g(z + h v)‖ + h‖Jv‖); orders are computed
// from consecutive resolved pairs, and a check passes when their median is ≥ min_order. When no
// remainder is resolved at all the map is linear along that direction to working precision and
// the check passes as "exact"; a mixture of unresolved and unordered remainders fails.
// Sensitivity: a relative error δ in J v adds δ h ‖Jv‖ to r(h), which dominates the O(h²) term
// only for h ≲ δ ‖Jv‖/‖∇²g‖, so the Taylor test sees errors down to δ ≈ h_min (≈ 4e-5 with the
// defaults); the adjoint identity catches much smaller inconsistencies between J v and Jᵀu.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "derivatives.hpp"

namespace latentwalk {

struct derivative_check_options {
    double initial_step = 0.0;   ///< h₀ relative to max(1, ‖z‖∞); ≤ 0: 1e-2 for double, 1e-1 for float
    int halvings = 8;            ///< number of step halvings (h₀ … h₀/2^halvings)
    double min_order = 1.7;      ///< median observed order required (2 is the theoretical value)
    double adjoint_tolerance = 0.0;  ///< ≤ 0: 64 ε sqrt(n + m)
    std::uint64_t seed = 20221;  ///< seed of the random directions
    bool throw_on_failure = false;
};

/// The Taylor test of one derivative.
struct taylor_check {
    std::vector<double> steps;       ///< h_k
    std::vector<double> remainders;  ///< r(h_k)
    std::vector<double> orders;      ///< log₂ r(h_k)/r(h_{k+1}) for resolved pairs
    double order = std::numeric_limits<double>::quiet_NaN();  ///< median of `orders` (NaN when exact)
    bool exact = false;  ///< no remainder rose above rounding: linear along the direction
    bool passed = false;
};

struct derivative_check_report {
    taylor_check jvp;
    taylor_check vjp;
    double adjoint_error = 0.0;
    double adjoint_tolerance = 0.0;
    bool adjoint_passed = false;

    bool passed() const { return jvp.passed && vjp.passed && adjoint_passed; }

    /// A readable multi-line report.
    std::string summary() const {
        std::ostringstream os;
        auto line = [&](const char* name, const taylor_check& c) {
            os << "  " << name << " Taylor remainder: ";
            if (c.exact)
                os << "exact to rounding (map linear along the probe)";
            else
                os << "observed order " << c.order << " (expected 2, ratio ≈ " << std::exp2(c.order) << ")";
            os << (c.passed ? "  [ok]" : "  [FAILED]") << "\n";
        };
        line("JVP", jvp);
        line("VJP", vjp);
        os << "  adjoint identity <u, Jv> = <J^T u, v>: relative error " << adjoint_error << " (tolerance "
           << adjoint_tolerance << ")" << (adjoint_passed ? "  [ok]" : "  [FAILED]") << "\n";
        return os.str();
    }
};

inline std::ostream& operator<<(std::ostream& os, const derivative_check_report& r) { return os << r.summary(); }

namespace detail {

inline taylor_check assess_taylor(std::vector<double> steps, std::vector<double> remainders,
                                  const std::vector<double>& floors, double min_order) {
    taylor_check c;
    c.steps = std::move(steps);
    c.remainders = std::move(remainders);
    std::vector<bool> resolved(c.remainders.size());
    bool any_resolved = false;
    for (std::size_t k = 0; k < c.remainders.size(); ++k) {
        resolved[k] = c.remainders[k] > 16.0 * floors[k];
        any_resolved = any_resolved || resolved[k];
    }
    for (std::size_t k = 0; k + 1 < c.remainders.size(); ++k)
        if (resolved[k] && resolved[k + 1]) c.orders.push_back(std::log2(c.remainders[k] / c.remainders[k + 1]));
    if (!any_resolved) {
        c.exact = true;
        c.passed = true;
        return c;
    }
    if (c.orders.empty()) return c;  // resolved once but never in a pair: no evidence of order 2
    auto sorted = c.orders;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t h = sorted.size() / 2;
    c.order = sorted.size() % 2 ? sorted[h] : 0.5 * (sorted[h - 1] + sorted[h]);
    c.passed = c.order >= min_order;
    return c;
}

}  // namespace detail

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
derivative_check_report check_derivatives(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    return {};
}

/// Taylor-remainder and adjoint checks of g's JVP and VJP at z (derived ones included).
/// Throws dimension_error / numerical_error on bad z, and numerical_error when asked to throw on
/// failure; g and z are only read.
template <DifferentiableGenerator G>
derivative_check_report check_derivatives(const G& g, const vector_t<typename G::backend>& z,
                                          derivative_check_options opts = {}) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    detail::validate_latent("check_derivatives", g, z);
    if (opts.halvings < 1 || opts.halvings > 40)
        throw invalid_argument_error("latentwalk::check_derivatives: halvings must be between 1 and 40.");
    if (!std::isfinite(opts.initial_step) || !std::isfinite(opts.min_order) || !std::isfinite(opts.adjoint_tolerance))
        throw invalid_argument_error("latentwalk::check_derivatives: the options must be finite numbers.");

    const double eps = static_cast<double>(std::numeric_limits<S>::epsilon());
    const auto n = static_cast<index_t<B>>(g.latent_dim());
    const auto m = static_cast<index_t<B>>(g.output_dim());
    const double h0 = (opts.initial_step > 0 ? opts.initial_step : (sizeof(S) < sizeof(double) ? 1e-1 : 1e-2)) *
                      std::max(1.0, T::max_abs(z));
    const double adjoint_tol =
        opts.adjoint_tolerance > 0 ? opts.adjoint_tolerance : 64.0 * eps * std::sqrt(static_cast<double>(n + m));

    std::mt19937_64 rng(opts.seed);
    auto unit_random = [&](index_t<B> len) {
        auto x = T::random_normal(z, len, rng);
        return T::scale(x, S(1) / T::norm(x));
    };
    const auto v = unit_random(n);
    const auto w = unit_random(n);
    const auto u = unit_random(m);

    const auto f0 = detail::evaluate("check_derivatives", g, z);
    const auto Jv = detail::jvp_unchecked(g, z, v, "check_derivatives");
    const auto Jtu = detail::vjp_unchecked(g, z, u, "check_derivatives");
    detail::require_finite_result<B>("check_derivatives", "the generator's output g(z)", f0);
    detail::require_finite_result<B>("check_derivatives", "the JVP J v", Jv);
    detail::require_finite_result<B>("check_derivatives", "the VJP J^T u", Jtu);
    const double nf0 = T::host_max(T::norm(f0));
    const double nJv = T::host_max(T::norm(Jv));
    const double uf0 = T::host_max(T::norm(f0));  // |<u, f0>| ≤ ‖f0‖ for unit u
    const auto Jtu_w = T::dot(Jtu, w);

    std::vector<double> steps, jr, vr, jfloor, vfloor;
    for (int k = 0; k <= opts.halvings; ++k) {
        const double h = h0 / std::exp2(k);
        const auto hs = static_cast<S>(h);
        const auto fv = detail::evaluate("check_derivatives", g, T::axpy(hs, v, z));
        const auto fw = detail::evaluate("check_derivatives", g, T::axpy(hs, w, z));
        const auto rem = T::sub(T::sub(fv, f0), T::scale(Jv, hs));
        steps.push_back(h);
        jr.push_back(T::host_max(T::norm(rem)));
        jfloor.push_back(8.0 * eps * (nf0 + T::host_max(T::norm(fv)) + h * nJv));
        const auto s = T::dot(u, T::sub(fw, f0)) - hs * Jtu_w;
        vr.push_back(std::max(T::host_max(s), -T::host_min(s)));
        vfloor.push_back(8.0 * eps * (uf0 + T::host_max(T::norm(fw)) + h * T::host_max(T::norm(Jtu))));
    }

    derivative_check_report report;
    report.jvp = detail::assess_taylor(steps, std::move(jr), jfloor, opts.min_order);
    report.vjp = detail::assess_taylor(std::move(steps), std::move(vr), vfloor, opts.min_order);

    const auto lhs = T::dot(u, Jv);
    const auto rhs = T::dot(Jtu, v);
    const auto diff = lhs - rhs;
    const double scale = T::host_max(T::norm(Jv)) + T::host_max(T::norm(Jtu));
    const double abs_diff = std::max(T::host_max(diff), -T::host_min(diff));
    report.adjoint_error = scale > 0 ? abs_diff / scale : abs_diff;
    report.adjoint_tolerance = adjoint_tol;
    report.adjoint_passed = report.adjoint_error <= adjoint_tol;

    if (opts.throw_on_failure && !report.passed())
        throw numerical_error("latentwalk::check_derivatives: the generator's derivatives failed the check:\n" +
                              report.summary());
    return report;
}

}  // namespace latentwalk
