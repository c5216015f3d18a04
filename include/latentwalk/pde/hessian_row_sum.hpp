#pragma once
// latentwalk/pde/hessian_row_sum.hpp — ∇²_z u · 1, the quantity the released PDETraversal code
// uses in place of the Laplacian (torch.autograd.grad(u_z.sum(), z)): a d-vector whose i-th
// entry is Σ_j ∂²u/∂z_i∂z_j. One Hessian-vector product. See laplacian_mode.hpp.
#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"
#include "laplacian.hpp"

namespace latentwalk {

template <class U, class... Args>
    requires(!ProvidesHessianVector<U>)
auto hessian_row_sum(const U&, const Args&...) {
    LATENTWALK_REQUIRE_POTENTIAL_FIELD(U);
    static_assert(ProvidesHessianVector<U>,
                  "latentwalk::hessian_row_sum: the potential provides no hessian_vector(z, t, v); add it "
                  "(see latentwalk/concepts/potential_field.hpp).");
}

/// ∇²u(z, t)·1. Throws dimension_error / numerical_error for a z of the wrong length or NaN/Inf.
template <ProvidesHessianVector U>
vector_t<typename U::backend> hessian_row_sum(const U& u, const vector_t<typename U::backend>& z, double t) {
    using B = typename U::backend;
    detail::validate_field_point("hessian_row_sum", u, z, t);
    return u.hessian_vector(z, backend_traits<B>::constant(z, t), backend_traits<B>::fill(z, u.dim(), 1.0));
}

}  // namespace latentwalk
