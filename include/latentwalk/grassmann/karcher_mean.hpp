#pragma once
// latentwalk/grassmann/karcher_mean.hpp — the Riemannian (Karcher, Fréchet) mean of subspaces.
//
// The Karcher mean of span(X_1), …, span(X_N) (all n×p) minimizes Σ_i d_geo(μ, X_i)². It is found by
// Riemannian gradient descent (Karcher 1977; Absil–Mahony–Sepulchre):
//   μ ← grassmann_exp(μ, s · G),   G = (1/N) Σ_i grassmann_log(μ, X_i)   (−G is half the gradient),
// starting from the first basis (or from `start`, the overload karcher_mean(bases, start, options)), until ‖G‖_F ≤ tolerance. The mean is unique when
// the subspaces lie in a geodesic ball of radius below π/4 (Kendall; Afsari); outside it the
// iteration may stop at another critical point. The report says whether the tolerance was met and
// lists ‖G‖_F for every iteration. Each step re-orthonormalizes μ by thin QR so that rounding does
// not accumulate.
#include <string>
#include <string_view>
#include <vector>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"
#include "grassmann_exp.hpp"
#include "grassmann_log.hpp"

namespace latentwalk {

/// Options of karcher_mean.
struct karcher_options {
    int max_iterations = 200;   ///< ≥ 1
    double tolerance = 1e-12;   ///< stop when ‖mean log‖_F ≤ tolerance (> 0)
    double step = 1.0;          ///< step size s in (0, 2); 1 is the Newton-like fixed point for nearby data
    bool throw_if_not_converged = false;  ///< throw convergence_error instead of reporting converged = false
};

/// The mean and how the iteration went.
template <class M>
struct karcher_result {
    M mean;                                 ///< orthonormal basis of the mean subspace
    int iterations = 0;                     ///< steps taken
    double gradient_norm = 0;               ///< final ‖(1/N) Σ log_μ(X_i)‖_F
    bool converged = false;                 ///< gradient_norm ≤ tolerance
    std::vector<double> gradient_norms;     ///< ‖G‖_F before every step (and after the last)
};

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M, class... Rest>
    requires(!BackendMatrix<M>)
auto karcher_mean(const std::vector<M>&, const Rest&...) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "karcher_mean", "the bases");
}

/// Karcher mean of the spans of `bases` (all n×p, full column rank, at least one), the iteration
/// started from span(start) (n×p, full column rank; e.g. a previous mean, to warm-start).
/// Throws invalid_argument_error on an empty list or bad options, dimension_error on shape mismatch
/// or rank deficiency, numerical_error on NaN/Inf, convergence_error if asked to.
template <BackendMatrix M>
karcher_result<M> karcher_mean(const std::vector<M>& bases, const M& start, const karcher_options& options = {}) {
    using B = backend_of_t<M>;
    using T = backend_traits<B>;
    namespace g = detail::grassmann;
    constexpr std::string_view where = "karcher_mean";
    if (bases.empty()) throw invalid_argument_error(detail::sentence(where, "bases is empty; pass at least one basis."));
    if (options.max_iterations < 1)
        throw invalid_argument_error(detail::sentence(where, "options.max_iterations must be at least 1."));
    if (!(options.tolerance > 0))
        throw invalid_argument_error(detail::sentence(where, "options.tolerance must be positive."));
    if (!(options.step > 0 && options.step < 2))
        throw invalid_argument_error(detail::sentence(where, "options.step must lie in (0, 2)."));
    std::vector<M> Q;
    Q.reserve(bases.size());
    for (std::size_t i = 0; i < bases.size(); ++i) {
        const std::string name = "bases[" + detail::number(i) + "]";
        detail::require_shape<B>(where, name, bases[i], static_cast<long long>(T::rows(bases[0])),
                                 static_cast<long long>(T::cols(bases[0])));
        Q.push_back(g::orthonormalize<B>(where, name, bases[i]));
    }
    const auto like = T::col(Q[0], 0);
    const auto inv_n = T::element(T::fill(like, 1, 1.0 / static_cast<double>(Q.size())), 0);
    const auto step = T::element(T::fill(like, 1, options.step), 0);
    karcher_result<M> out;
    detail::require_shape<B>(where, "start", start, static_cast<long long>(T::rows(bases[0])),
                             static_cast<long long>(T::cols(bases[0])));
    M mu = g::orthonormalize<B>(where, "start", start);
    for (int it = 0;; ++it) {
        M G = g::log_of_orthonormal<B>(mu, Q[0]);
        for (std::size_t i = 1; i < Q.size(); ++i) G = T::add(G, g::log_of_orthonormal<B>(mu, Q[i]));
        G = T::scale(G, inv_n);
        const double norm = g::frobenius_norm_host<B>(G);
        out.gradient_norms.push_back(norm);
        out.gradient_norm = norm;
        out.iterations = it;
        if (norm <= options.tolerance) {
            out.converged = true;
            break;
        }
        if (it == options.max_iterations) break;
        mu = T::thin_qr(g::exp_unchecked<B>(mu, T::scale(G, step))).Q;
    }
    out.mean = std::move(mu);
    if (!out.converged && options.throw_if_not_converged) {
        throw convergence_error(detail::sentence(
            where, "did not converge: ‖mean log‖_F = " + g::format(out.gradient_norm) + " > tolerance " +
                       g::format(options.tolerance) + " after " + detail::number(out.iterations) + " iterations."));
    }
    return out;
}

/// Karcher mean of the spans of `bases`, started from the first basis (see above).
template <BackendMatrix M>
karcher_result<M> karcher_mean(const std::vector<M>& bases, const karcher_options& options = {}) {
    if (bases.empty())
        throw invalid_argument_error(detail::sentence("karcher_mean", "bases is empty; pass at least one basis."));
    return karcher_mean(bases, bases[0], options);
}

}  // namespace latentwalk
