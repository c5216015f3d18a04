#pragma once
// latentwalk/concepts/potential_field.hpp — PotentialField: a time-dependent scalar field u(z, t).
//
// Traversals in the potential-flow view (Song et al., ICML 2023) follow dz/dt = ±∇_z u(z, t).
// Time-independent fields (linear directions, RBF warps) are PotentialFields that ignore t.
//
// Table of valid expressions. U: the field type; u: const U; B = U::backend; z, v: vector_t<B>
// of length d; t: batch_scalar_t<B> (a plain scalar for Eigen).
//
// | expression                        | returns          | meaning              | required?  | cost             |
// |-----------------------------------|------------------|----------------------|------------|------------------|
// | U::backend                        | type             | a Backend tag        | yes        | —                |
// | u.dim()                           | integral         | d                    | yes        | O(1)             |
// | u.value(z, t)                     | batch_scalar_t<B>| u(z, t)              | yes        | 1 evaluation     |
// | u.gradient(z, t)                  | vector_t<B>      | ∇_z u(z, t)          | yes        | ≈ 1–3 evals      |
// | u.time_derivative(z, t)           | batch_scalar_t<B>| ∂u/∂t                | optional   | ≈ 1–3 evals      |
// | u.second_time_derivative(z, t)    | batch_scalar_t<B>| ∂²u/∂t²              | optional   | ≈ 1–3 evals      |
// | u.hessian_vector(z, t, v)         | vector_t<B>      | ∇²_z u · v           | optional   | ≈ 2–4 evals      |
// | u.laplacian(z, t)                 | batch_scalar_t<B>| Δ_z u = tr ∇²_z u    | optional   | ≤ d HVPs         |
//
// Optional members are detected with the Provides* concepts below; the PDE layer derives the
// missing ones (Laplacian from d Hessian-vector products, etc.) where an exact derivation exists.
#include <concepts>

#include "backend.hpp"

namespace latentwalk {

template <class U>
concept PotentialField =
    requires { typename U::backend; } && Backend<typename U::backend> &&
    requires(const U& u, const vector_t<typename U::backend>& z, const batch_scalar_t<typename U::backend>& t) {
        { u.dim() } -> std::convertible_to<index_t<typename U::backend>>;
        { u.value(z, t) } -> std::convertible_to<batch_scalar_t<typename U::backend>>;
        { u.gradient(z, t) } -> std::convertible_to<vector_t<typename U::backend>>;
    };

template <class U>
concept ProvidesTimeDerivative = PotentialField<U> &&
    requires(const U& u, const vector_t<typename U::backend>& z, const batch_scalar_t<typename U::backend>& t) {
        { u.time_derivative(z, t) } -> std::convertible_to<batch_scalar_t<typename U::backend>>;
    };

template <class U>
concept ProvidesSecondTimeDerivative = PotentialField<U> &&
    requires(const U& u, const vector_t<typename U::backend>& z, const batch_scalar_t<typename U::backend>& t) {
        { u.second_time_derivative(z, t) } -> std::convertible_to<batch_scalar_t<typename U::backend>>;
    };

template <class U>
concept ProvidesHessianVector = PotentialField<U> &&
    requires(const U& u, const vector_t<typename U::backend>& z, const batch_scalar_t<typename U::backend>& t) {
        { u.hessian_vector(z, t, z) } -> std::convertible_to<vector_t<typename U::backend>>;
    };

template <class U>
concept ProvidesLaplacian = PotentialField<U> &&
    requires(const U& u, const vector_t<typename U::backend>& z, const batch_scalar_t<typename U::backend>& t) {
        { u.laplacian(z, t) } -> std::convertible_to<batch_scalar_t<typename U::backend>>;
    };

}  // namespace latentwalk

#define LATENTWALK_REQUIRE_POTENTIAL_FIELD(U)                                                                 \
    static_assert(::latentwalk::PotentialField<U>,                                                            \
                  "latentwalk: this type is not a PotentialField: it needs a member type `backend`, dim(), " \
                  "value(z, t) returning a per-sample scalar and gradient(z, t) returning a vector. See "    \
                  "latentwalk/concepts/potential_field.hpp.")
