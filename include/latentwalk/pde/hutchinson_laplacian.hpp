#pragma once
// latentwalk/pde/hutchinson_laplacian.hpp — a stochastic estimate of Δ_z u = tr ∇²u from probes.
//
//   Δu ≈ (1/p) Σ_k v_kᵀ ∇²u v_k,   E[v vᵀ] = I,   one Hessian-vector product per probe.
// Probes: Rademacher (±1 entries; single-probe variance 2(‖H‖_F² − Σ H_ii²), the smaller one),
// Gaussian (N(0, 1) entries; variance 2‖H‖_F²), or the caller's own d×p matrix of probes, e.g.
// the rows of a Hadamard matrix, whose Σ v vᵀ = p I makes the mean the exact trace.
// Use laplacian() for the exact value at the cost of d products (or a field's own forward rule).
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"

namespace latentwalk {

enum class probe_distribution { rademacher, gaussian };

struct hutchinson_options {
    probe_distribution distribution = probe_distribution::rademacher;
    long long probes = 16;        ///< number of probes p ≥ 1
    std::uint64_t seed = 5489;    ///< seed of the probes
};

template <class B>
struct hutchinson_estimate {
    batch_scalar_t<B> value;                      ///< mean of the probe quadratic forms
    std::vector<batch_scalar_t<B>> samples;       ///< v_kᵀ ∇²u v_k, one per probe
    double standard_error = 0.0;                  ///< sample std / sqrt(p) (host; batch max; 0 for p = 1)
};

namespace detail {
template <class U>
hutchinson_estimate<typename U::backend> hutchinson_from_probes(const U& u, const vector_t<typename U::backend>& z,
                                                                double t,
                                                                const std::vector<vector_t<typename U::backend>>& vs) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    const auto tt = backend_traits<B>::constant(z, t);
    hutchinson_estimate<B> out{backend_traits<B>::constant(z, 0.0), {}, 0.0};
    out.samples.reserve(vs.size());
    for (const auto& v : vs) out.samples.push_back(T::dot(v, u.hessian_vector(z, tt, v)));
    auto acc = out.samples.front();
    for (std::size_t k = 1; k < out.samples.size(); ++k) acc = acc + out.samples[k];
    const double p = static_cast<double>(vs.size());
    out.value = acc * scalar_t<B>(1.0 / p);
    if (vs.size() > 1) {
        double ss = 0.0;  // host summary: the per-sample spread, maximum over a batch
        for (const auto& s : out.samples) {
            const double dlt = T::host_max((s - out.value) * (s - out.value));
            ss += dlt;
        }
        out.standard_error = std::sqrt(ss / (p - 1.0) / p);
    }
    return out;
}
}  // namespace detail

template <class U, class... Args>
    requires(!ProvidesHessianVector<U>)
auto hutchinson_laplacian(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    static_assert(ProvidesHessianVector<U>,
                  "latentwalk::hutchinson_laplacian: the potential provides no hessian_vector(z, t, v); add it "
                  "(see latentwalk/concepts/potential_field.hpp).");
}

/// Random probes (Rademacher or Gaussian) drawn from options.seed.
template <ProvidesHessianVector U>
hutchinson_estimate<typename U::backend> hutchinson_laplacian(const U& u, const vector_t<typename U::backend>& z,
                                                              double t, const hutchinson_options& options = {}) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    detail::validate_field_point("hutchinson_laplacian", u, z, t);
    detail::require_positive_count("hutchinson_laplacian", "options.probes", options.probes);
    std::mt19937_64 rng(options.seed);
    const auto d = static_cast<index_t<B>>(u.dim());
    std::vector<vector_t<B>> vs;
    vs.reserve(static_cast<std::size_t>(options.probes));
    for (long long k = 0; k < options.probes; ++k) {
        auto g = T::random_normal(z, d, rng);
        if (options.distribution == probe_distribution::rademacher) g = T::cwise_quotient(g, T::cwise_abs(g));
        vs.push_back(std::move(g));
    }
    return detail::hutchinson_from_probes(u, z, t, vs);
}

/// The caller's probes: the columns of the d×p matrix `probes`.
template <ProvidesHessianVector U>
hutchinson_estimate<typename U::backend> hutchinson_laplacian(const U& u, const vector_t<typename U::backend>& z,
                                                              double t, const matrix_t<typename U::backend>& probes) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    detail::validate_field_point("hutchinson_laplacian", u, z, t);
    detail::require_shape<B>("hutchinson_laplacian", "probes", probes, static_cast<long long>(u.dim()), -1);
    detail::require_positive_count("hutchinson_laplacian", "the number of probe columns",
                                   static_cast<long long>(T::cols(probes)));
    detail::require_finite<B>("hutchinson_laplacian", "probes", probes);
    std::vector<vector_t<B>> vs;
    for (index_t<B> k = 0; k < T::cols(probes); ++k) vs.push_back(T::col(probes, k));
    return detail::hutchinson_from_probes(u, z, t, vs);
}

}  // namespace latentwalk
