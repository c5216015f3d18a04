#pragma once
// latentwalk/pde/laplacian.hpp — the exact Laplacian Δ_z u(z, t) = tr ∇²_z u of a PotentialField.
//
// Uses the field's own `laplacian(z, t)` when it has one (closed forms; mlp_potential propagates
// it forward), and otherwise sums the diagonal of d Hessian-vector products e_iᵀ ∇²u e_i (exact,
// d HVPs). A field with neither does not compile: finite differences are never used silently.
// hutchinson_laplacian estimates the same trace from a few random probes.
#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"

namespace latentwalk {

namespace detail {
template <class U>
batch_scalar_t<typename U::backend> laplacian_unchecked(const U& u, const vector_t<typename U::backend>& z,
                                                        const batch_scalar_t<typename U::backend>& t) {
    using B = typename U::backend;
    using T = backend_traits<B>;
    if constexpr (ProvidesLaplacian<U>) {
        return u.laplacian(z, t);
    } else {
        const auto d = static_cast<index_t<B>>(u.dim());
        auto acc = T::element(u.hessian_vector(z, t, T::unit(z, d, 0)), 0);
        for (index_t<B> i = 1; i < d; ++i) acc = acc + T::element(u.hessian_vector(z, t, T::unit(z, d, i)), i);
        return acc;
    }
}

template <class U>
void validate_field_point(const char* where, const U& u, const vector_t<typename U::backend>& z, double t) {
    require_length<typename U::backend>(where, "z", z, static_cast<long long>(u.dim()), "the potential's dimension");
    require_finite<typename U::backend>(where, "z", z);
    require_finite_scalar(where, "t", t);
}
}  // namespace detail

template <class U, class... Args>
    requires(!(ProvidesLaplacian<U> || ProvidesHessianVector<U>))
auto laplacian(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    static_assert(ProvidesLaplacian<U> || ProvidesHessianVector<U>,
                  "latentwalk::laplacian: the potential provides neither laplacian(z, t) nor "
                  "hessian_vector(z, t, v); add one of them (see latentwalk/concepts/potential_field.hpp).");
}

/// tr ∇²_z u(z, t). Throws dimension_error / numerical_error for a z of the wrong length or NaN/Inf.
template <class U>
    requires(ProvidesLaplacian<U> || ProvidesHessianVector<U>)
batch_scalar_t<typename U::backend> laplacian(const U& u, const vector_t<typename U::backend>& z, double t) {
    detail::validate_field_point("laplacian", u, z, t);
    return detail::laplacian_unchecked(u, z, backend_traits<typename U::backend>::constant(z, t));
}

}  // namespace latentwalk
