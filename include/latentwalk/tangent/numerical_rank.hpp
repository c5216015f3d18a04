#pragma once
// latentwalk/tangent/numerical_rank.hpp — the numerical rank of J(z).
//
// The number of singular values σᵢ > tol·σ₁ (0 when J = 0). tol is relative; a value ≤ 0 selects
// max(n, m)·ε of the backend's scalar (the LAPACK / NumPy matrix_rank rule). The rank is the
// dimension of the learned manifold f(Z) near f(z) as far as J can tell. Uses the dense spectrum
// (local_stretch_factors); the count goes to host (one number per latent point).
// Throws dimension_error / numerical_error on a bad z, invalid_argument_error when tol ≥ 1 or is
// not finite; g and z are only read.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "local_stretch_factors.hpp"

namespace latentwalk {

template <class G, class... Args>
    requires(!DifferentiableGenerator<G>)
long long numerical_rank(const G&, const Args&...) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    return 0;
}

/// #{i : σᵢ > tol·σ₁}.
template <DifferentiableGenerator G>
long long numerical_rank(const G& g, const vector_t<typename G::backend>& z, double tol = 0.0) {
    LATENTWALK_REQUIRE_DIFFERENTIABLE_GENERATOR(G);
    using B = typename G::backend;
    if (!std::isfinite(tol) || tol >= 1.0)
        throw invalid_argument_error(detail::sentence("numerical_rank", "tol is " + detail::number(tol) +
                                                                            "; it must be a finite number below 1 "
                                                                            "(≤ 0 selects max(n, m)·ε)."));
    const auto s = backend_traits<B>::to_host(local_stretch_factors(g, z));
    if (tol <= 0)
        tol = static_cast<double>(std::max<long long>(g.latent_dim(), g.output_dim())) *
              static_cast<double>(std::numeric_limits<scalar_t<B>>::epsilon());
    if (s.empty() || !(s[0] > 0)) return 0;
    return static_cast<long long>(std::count_if(s.begin(), s.end(), [&](double v) { return v > tol * s[0]; }));
}

}  // namespace latentwalk
