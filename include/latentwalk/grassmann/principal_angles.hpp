#pragma once
// latentwalk/grassmann/principal_angles.hpp — principal angles between two subspaces, accurate for
// tiny angles, for angles near π/2, and for both together.
//
// For bases A (n×p) and B (n×q) of full column rank, possibly p ≠ q, there are min(p, q) principal
// angles 0 ≤ θ₁ ≤ … ≤ θ_min ≤ π/2. The textbook method, θ = arccos(σ(Q_Aᵀ Q_B)), loses everything
// below about 1e-8 (cos θ = 1 − θ²/2 rounds to 1); θ = arcsin of the residual's singular values
// loses near π/2. Here both are computed and each angle is taken from the pair by atan2, which is
// accurate to about one ulp of π/2 in absolute terms everywhere (Björck–Golub, Knyazev–Argentati):
//
//   Q_A, Q_B  = thin QR of A, B (rank tested on R's diagonal; the error names the rank found)
//   L, S      = the larger and the smaller of the two orthonormal bases
//   cosines   = σ(Lᵀ S), descending            (cos θ of the ascending angles)
//   sines     = σ(S − L (Lᵀ S)) reversed, ascending   (sin θ of the ascending angles)
//   angles    = atan2(sines, cosines)
//
// The residual must be that of the smaller basis after projection onto the larger: projecting the
// larger onto the smaller would leave p − q extra unit singular values. Cosines come out in
// descending order and sines must be reversed to ascend: pairing the i-th largest cosine with the
// i-th largest sine — as one widely used Python implementation does when small and large angles
// occur together — mixes up the branches.
//
// Batching: everything is backend algebra except the rank test, which reads R's diagonal on the
// host (per sample); the result vectors carry the batch dimensions of the inputs.
#include <string_view>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"

namespace latentwalk {

/// Principal angles with their sines and cosines, all in the order of ascending angle.
template <class B>
struct principal_angles_result {
    vector_t<B> angles;   ///< θ₁ ≤ … ≤ θ_m in radians, m = min(p, q)
    vector_t<B> cosines;  ///< cos θ_i (descending), from σ(Q_Aᵀ Q_B)
    vector_t<B> sines;    ///< sin θ_i (ascending), from σ of the residual of the smaller basis
    long long missing = 0;  ///< |p − q|: the angles a distance between subspaces of different dimensions lacks
};

namespace detail::grassmann {

/// Principal angles between the spans of two orthonormal bases of the same ambient space.
template <class B>
principal_angles_result<B> angles_of_orthonormal(const matrix_t<B>& QA, const matrix_t<B>& QB) {
    using T = backend_traits<B>;
    const bool a_larger = T::cols(QA) >= T::cols(QB);
    const matrix_t<B>& L = a_larger ? QA : QB;
    const matrix_t<B>& S = a_larger ? QB : QA;
    const auto M = T::tmatmul(L, S);                 // p×q, p ≥ q
    auto cosines = T::singular_values(M);            // q values, descending
    const auto residual = T::sub(S, T::matmul(L, M));  // (I − L Lᵀ) S
    auto sines = T::reverse(T::singular_values(residual));  // q values, ascending
    auto angles = T::cwise_atan2(sines, cosines);
    const auto p = static_cast<long long>(T::cols(L)), q = static_cast<long long>(T::cols(S));
    return {std::move(angles), std::move(cosines), std::move(sines), p - q};
}

/// Validates and orthonormalizes both bases, then computes the angles.
template <class B>
principal_angles_result<B> principal_angles_checked(std::string_view where, const matrix_t<B>& A,
                                                    const matrix_t<B>& Bm) {
    require_same_ambient<B>(where, A, Bm, "A", "B");
    const auto QA = orthonormalize<B>(where, "A", A);
    const auto QB = orthonormalize<B>(where, "B", Bm);
    return angles_of_orthonormal<B>(QA, QB);
}

}  // namespace detail::grassmann

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M>
    requires(!BackendMatrix<M>)
auto principal_angles(const M&, const M&) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "principal_angles", "the arguments");
}

/// Principal angles between span(A) and span(Bm) (n×p and n×q, full column rank, any p, q ≥ 1).
/// Throws dimension_error when the ambient dimensions differ or a basis is rank deficient (the
/// message names the numerical rank), numerical_error on NaN/Inf. Inputs are not modified.
template <BackendMatrix M>
principal_angles_result<backend_of_t<M>> principal_angles(const M& A, const M& Bm) {
    return detail::grassmann::principal_angles_checked<backend_of_t<M>>("principal_angles", A, Bm);
}

}  // namespace latentwalk
