#pragma once
// The residual bookkeeping of the tangent-basis methods: the report's residual fields (one sample,
// or the worst over a batch) and the product counts.
#include <algorithm>
#include <vector>

#include "../../concepts/backend.hpp"
#include "../tangent_basis_types.hpp"

namespace latentwalk::detail {

/// Fill the report's residual fields: residuals[i] for the k triplets, against tol·σ₁.
inline void finish_residuals(tangent_basis_report& rep, std::vector<double> residuals, double sigma1,
                             double rel_tol) {
    rep.residual_norms = std::move(residuals);
    rep.max_residual = 0.0;
    for (double r : rep.residual_norms) rep.max_residual = std::max(rep.max_residual, r);
    rep.tolerance = rel_tol * sigma1;
    rep.converged = rep.max_residual <= rep.tolerance;
}

/// The residual fields for a batch: residual_norms[i] holds ‖Jᵀuᵢ − σᵢvᵢ‖ per sample (a length-1
/// vector per sample, T::lift). The report gets the largest residual over the batch for each i,
/// the tolerance rel_tol·σ₁ of the sample with the smallest σ₁, and converged when every sample's
/// residuals are within its own rel_tol·σ₁. One sample: exactly finish_residuals.
template <class B>
void finish_batched_residuals(tangent_basis_report& rep, const std::vector<vector_t<B>>& residual_norms,
                              const vector_t<B>& singular_values, double rel_tol) {
    using T = backend_traits<B>;
    rep.residual_norms.clear();
    rep.max_residual = 0.0;
    if (residual_norms.empty()) return;
    auto worst = residual_norms.front();  // per sample, the largest residual over i
    for (const auto& r : residual_norms) {
        rep.residual_norms.push_back(T::max_abs(r));
        rep.max_residual = std::max(rep.max_residual, rep.residual_norms.back());
        worst = T::cwise_max(worst, r);
    }
    const auto sigma1 = T::lift(worst, T::element(singular_values, 0));
    rep.tolerance = rel_tol * T::host_min(T::lower(sigma1));
    rep.converged = T::host_max(T::element(T::sub(worst, T::scale(sigma1, rel_tol)), 0)) <= 0.0;
}

/// Copy the adaptor's counts into the report.
template <class CG>
void copy_counts(tangent_basis_report& rep, const CG& cg) {
    rep.jvp_count = cg.jvps;
    rep.vjp_count = cg.vjps;
    rep.jacobian_count = cg.jacobians;
}

}  // namespace latentwalk::detail
