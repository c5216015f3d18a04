#pragma once
// latentwalk/potentials/quadratic_potential.hpp — u(z, t) = ½ zᵀA z + bᵀz + α t + ½ β t².
//
// A is symmetric (checked to 64 ε·max|A|). ∇u = A z + b, ∂u/∂t = α + β t, ∂²u/∂t² = β,
// ∇²u·v = A v, Δu = tr A. With A = I and β = c² d the wave residual ∂²u/∂t² − c²Δu vanishes
// (u = ½‖z‖² + ½ c² d t²), while the authors' "Laplacian" H·1 = 1 leaves c²(d − 1) in every entry.
// Its gradient flows are the test problems of the integrators (dz/dt = −H z, the Gaussian score −z).
#include <cmath>
#include <limits>
#include <string>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"

namespace latentwalk {

template <class B>
class quadratic_potential {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;

    /// u = ½ zᵀA z + bᵀz. Throws dimension_error for a non-square A or a b of another length,
    /// invalid_argument_error for a non-symmetric A, numerical_error for NaN/Inf entries.
    quadratic_potential(matrix_t<B> A, vector_t<B> b) : A_(std::move(A)), b_(std::move(b)) {
        const char* where = "quadratic_potential";
        const auto n = static_cast<long long>(T::rows(A_));
        if (n < 1) throw dimension_error(detail::sentence(where, "A is empty."));
        detail::require_shape<B>(where, "A", A_, n, n);
        detail::require_length<B>(where, "b", b_, n, "the order of A");
        detail::require_finite<B>(where, "A", A_);
        detail::require_finite<B>(where, "b", b_);
        const auto At = T::transpose(A_);
        const double tol = 64.0 * std::numeric_limits<scalar_t<B>>::epsilon() * std::max(1.0, T::max_abs(A_));
        trace_ = 0.0;
        for (index_t<B> j = 0; j < T::rows(A_); ++j) {
            if (T::max_abs(T::sub(T::col(A_, j), T::col(At, j))) > tol)
                throw invalid_argument_error(detail::sentence(where, "A is not symmetric (column " + detail::number(j) +
                                                                          " differs from row " + detail::number(j) +
                                                                          "); a Hessian must be symmetric."));
            trace_ += T::host_value(T::element(T::col(A_, j), j));
        }
    }

    /// The same spatial part with the time terms α t + ½ β t².
    quadratic_potential with_time(double alpha, double beta) const {
        detail::require_finite_scalar("quadratic_potential::with_time", "alpha", alpha);
        detail::require_finite_scalar("quadratic_potential::with_time", "beta", beta);
        quadratic_potential u = *this;
        u.alpha_ = alpha;
        u.beta_ = beta;
        return u;
    }

    index_t<B> dim() const { return T::rows(A_); }
    const matrix_t<B>& hessian() const { return A_; }
    double trace() const { return trace_; }

    batch_scalar_t<B> value(const vector_t<B>& z, const batch_scalar_t<B>& t) const {
        check("quadratic_potential::value", z);
        using S = scalar_t<B>;
        return T::dot(z, T::matvec(A_, z)) * S(0.5) + T::dot(b_, z) + t * S(alpha_) + t * t * S(0.5 * beta_);
    }
    vector_t<B> gradient(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("quadratic_potential::gradient", z);
        return T::add(T::matvec(A_, z), b_);
    }
    batch_scalar_t<B> time_derivative(const vector_t<B>& z, const batch_scalar_t<B>& t) const {
        check("quadratic_potential::time_derivative", z);
        return t * scalar_t<B>(beta_) + scalar_t<B>(alpha_);
    }
    batch_scalar_t<B> second_time_derivative(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("quadratic_potential::second_time_derivative", z);
        return backend_traits<B>::constant(z, beta_);
    }
    vector_t<B> hessian_vector(const vector_t<B>& z, const batch_scalar_t<B>&, const vector_t<B>& v) const {
        check("quadratic_potential::hessian_vector", z);
        detail::require_length<B>("quadratic_potential::hessian_vector", "v", v, static_cast<long long>(dim()),
                                  "the potential's dimension");
        return T::add(T::zeros(z, dim()), T::matvec(A_, v));
    }
    batch_scalar_t<B> laplacian(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("quadratic_potential::laplacian", z);
        return backend_traits<B>::constant(z, trace_);
    }

private:
    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(dim()), "the potential's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    matrix_t<B> A_;
    vector_t<B> b_;
    double alpha_ = 0.0;
    double beta_ = 0.0;
    double trace_ = 0.0;
};

}  // namespace latentwalk
