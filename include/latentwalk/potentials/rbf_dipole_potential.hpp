#pragma once
// latentwalk/potentials/rbf_dipole_potential.hpp — RBF warps of the latent space (WarpedGANSpace).
//
//   u(z) = Σᵢ αᵢ exp(−γ‖z − vᵢ‖²)        (time-independent)
//   ∇u   = −2γ Σᵢ wᵢ (z − vᵢ),            wᵢ = αᵢ exp(−γ‖z − vᵢ‖²)
//   ∇²u·v = Σᵢ wᵢ (−2γ v + 4γ² (z − vᵢ)(z − vᵢ)ᵀv),   Δu = Σᵢ wᵢ (4γ²‖z − vᵢ‖² − 2γ d)
// All sums are matrix products with the d×N matrix of centres C, so a batch of codes costs a few
// products. Tzelepis et al. build each warp from antipodal *dipoles*: centres r·â and −r·â with
// weights +α and −α (`dipoles`); ascending its gradient moves a code from −râ towards +râ. Their
// traversal follows the unit gradient: `normalized_gradient`, or potential_flow's
// `normalize_gradient` option. `warped_gan_space(axes, k, K, γ)` is the released code's initial warp
// k of K: its dipoles at the radius r_k = 1 + 3k/K (`warped_gan_space_radius`).
#include <cmath>
#include <string>
#include <vector>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"

namespace latentwalk {

template <class B>
class rbf_dipole_potential {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    using S = scalar_t<B>;

public:
    using backend = B;

    /// General RBF field: centres are the N columns of `centers` (d×N), one weight per centre.
    rbf_dipole_potential(matrix_t<B> centers, std::vector<double> alphas, double gamma)
        : C_(std::move(centers)), alphas_(std::move(alphas)), gamma_(gamma) {
        const char* where = "rbf_dipole_potential";
        if (T::rows(C_) < 1 || T::cols(C_) < 1) throw dimension_error(detail::sentence(where, "there are no centres."));
        if (static_cast<long long>(alphas_.size()) != static_cast<long long>(T::cols(C_)))
            throw dimension_error(detail::sentence(where, "there are " + detail::number(alphas_.size()) +
                                                              " weights for " + detail::number(T::cols(C_)) +
                                                              " centres; give one weight per centre."));
        detail::require_finite<B>(where, "the centres", C_);
        for (double a : alphas_) detail::require_finite_scalar(where, "a weight", a);
        detail::require_positive_finite(where, "gamma", gamma_);
        const auto N = T::cols(C_);
        std::vector<double> sq(static_cast<std::size_t>(N));
        for (index_t<B> i = 0; i < N; ++i) {
            const auto c = T::col(C_, i);
            sq[static_cast<std::size_t>(i)] = T::host_value(T::dot(c, c));
        }
        const auto like = T::col(C_, 0);
        center_sq_ = T::from_values(like, sq);
        alpha_vec_ = T::from_values(like, alphas_);
    }

    /// K antipodal dipoles, one per column â_k of `axes` (d×K, normalized here): centres ±r â_k,
    /// weights ±alpha. Throws numerical_error for a zero axis.
    static rbf_dipole_potential dipoles(const matrix_t<B>& axes, double radius, double gamma, double alpha = 1.0) {
        const char* where = "rbf_dipole_potential::dipoles";
        detail::require_positive_finite(where, "radius", radius);
        detail::require_finite_scalar(where, "alpha", alpha);
        detail::require_finite<B>(where, "axes", axes);
        const auto d = T::rows(axes), K = T::cols(axes);
        if (d < 1 || K < 1) throw dimension_error(detail::sentence(where, "axes has no columns."));
        auto C = T::zeros(axes, d, 2 * K);
        std::vector<double> al;
        for (index_t<B> k = 0; k < K; ++k) {
            const auto a = T::col(axes, k);
            const double na = T::host_value(T::norm(a));
            if (!(na > 0.0))
                throw numerical_error(detail::sentence(where, "axis " + detail::number(k) + " is zero; it has no direction."));
            T::set_col(C, 2 * k, T::scale(a, S(radius / na)));
            T::set_col(C, 2 * k + 1, T::scale(a, S(-radius / na)));
            al.push_back(alpha);
            al.push_back(-alpha);
        }
        return rbf_dipole_potential(std::move(C), std::move(al), gamma);
    }

    /// WarpedGANSpace's initial radius of warp k of K (Tzelepis et al.'s released support_sets.py:
    /// torch.arange(r_min, r_max, (r_max − r_min)/K) with r_min = 1, r_max = 4): r_k = 1 + 3k/K.
    static double warped_gan_space_radius(long long k, long long warps, double r_min = 1.0, double r_max = 4.0) {
        const char* where = "rbf_dipole_potential::warped_gan_space_radius";
        if (warps < 1 || k < 0 || k >= warps)
            throw invalid_argument_error(detail::sentence(where, "warp k = " + detail::number(k) + " of K = " +
                                                                     detail::number(warps) + " needs K ≥ 1 and 0 ≤ k < K."));
        detail::require_positive_finite(where, "r_min", r_min);
        detail::require_finite_scalar(where, "r_max", r_max);
        if (!(r_max > r_min))
            throw invalid_argument_error(detail::sentence(where, "r_max must exceed r_min."));
        return r_min + (r_max - r_min) * static_cast<double>(k) / static_cast<double>(warps);
    }

    /// WarpedGANSpace's initial warp k of K: the dipoles of `axes` (d×N, one direction per dipole,
    /// normalized; the released code draws them from N(0, I)) at the radius r_k = 1 + 3k/K, weights ±alpha.
    static rbf_dipole_potential warped_gan_space(const matrix_t<B>& axes, long long k, long long warps, double gamma,
                                                 double alpha = 1.0) {
        return dipoles(axes, warped_gan_space_radius(k, warps), gamma, alpha);
    }

    index_t<B> dim() const { return T::rows(C_); }
    const matrix_t<B>& centers() const { return C_; }
    const std::vector<double>& weights() const { return alphas_; }
    double gamma() const { return gamma_; }

    batch_scalar_t<B> value(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("rbf_dipole_potential::value", z);
        return T::sum(weighted(z, squared_distances(z)));
    }
    vector_t<B> gradient(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("rbf_dipole_potential::gradient", z);
        const auto w = weighted(z, squared_distances(z));
        return T::scale(T::sub(T::scale(z, T::sum(w)), T::matvec(C_, w)), S(-2 * gamma_));
    }
    /// ∇u/‖∇u‖ (WarpedGANSpace's step direction). Throws numerical_error where ∇u = 0.
    vector_t<B> normalized_gradient(const vector_t<B>& z, const batch_scalar_t<B>& t) const {
        auto g = gradient(z, t);
        const auto n = T::norm(g);
        if (T::host_min(n) <= 0.0)
            throw numerical_error(detail::sentence("rbf_dipole_potential::normalized_gradient",
                                                   "the gradient vanishes at z, so it has no direction."));
        return T::scale(g, S(1) / n);
    }
    batch_scalar_t<B> time_derivative(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("rbf_dipole_potential::time_derivative", z);
        return backend_traits<B>::constant(z, 0.0);
    }
    batch_scalar_t<B> second_time_derivative(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("rbf_dipole_potential::second_time_derivative", z);
        return backend_traits<B>::constant(z, 0.0);
    }
    vector_t<B> hessian_vector(const vector_t<B>& z, const batch_scalar_t<B>&, const vector_t<B>& v) const {
        check("rbf_dipole_potential::hessian_vector", z);
        detail::require_length<B>("rbf_dipole_potential::hessian_vector", "v", v, static_cast<long long>(dim()),
                                  "the potential's dimension");
        const auto w = weighted(z, squared_distances(z));
        const auto N = T::cols(C_);
        // s_i = (z − v_i)ᵀ v
        const auto s = T::sub(T::scale(T::fill(z, N, 1.0), T::dot(z, v)), T::tmatvec(C_, v));
        const auto ws = T::cwise_product(w, s);
        const auto outer = T::sub(T::scale(z, T::sum(ws)), T::matvec(C_, ws));
        return T::axpy(S(4 * gamma_ * gamma_), outer, T::scale(v, T::sum(w) * S(-2 * gamma_)));
    }
    batch_scalar_t<B> laplacian(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("rbf_dipole_potential::laplacian", z);
        const auto D = squared_distances(z);
        const auto w = weighted(z, D);
        const auto N = T::cols(C_);
        const auto factor = T::axpy(S(4 * gamma_ * gamma_), D, T::fill(z, N, -2.0 * gamma_ * static_cast<double>(dim())));
        return T::sum(T::cwise_product(w, factor));
    }

private:
    /// ‖z − v_i‖² = ‖z‖² − 2 v_iᵀz + ‖v_i‖², clamped at 0 against rounding.
    vector_t<B> squared_distances(const vector_t<B>& z) const {
        const auto N = T::cols(C_);
        const auto zz = T::scale(T::fill(z, N, 1.0), T::dot(z, z));
        const auto D = T::add(T::axpy(S(-2), T::tmatvec(C_, z), zz), center_sq_);
        return T::cwise_max(D, T::zeros(z, N));
    }
    /// w_i = α_i exp(−γ D_i).
    vector_t<B> weighted(const vector_t<B>&, const vector_t<B>& D) const {
        return T::cwise_product(alpha_vec_, T::cwise_exp(T::scale(D, S(-gamma_))));
    }
    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(dim()), "the potential's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    matrix_t<B> C_;
    std::vector<double> alphas_;
    double gamma_;
    vector_t<B> center_sq_;
    vector_t<B> alpha_vec_;
};

}  // namespace latentwalk
