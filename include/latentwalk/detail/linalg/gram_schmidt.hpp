#pragma once
// Gram–Schmidt against the leading columns of a basis, and a random unit vector orthogonal to them
// (the restart of a Krylov recurrence that broke down). Shared kernels: one home for the tangent
// methods and anything else that orthogonalizes vector by vector. Written against backend_traits<B>.
//
// | function                               | does                                           | cost            |
// |----------------------------------------|------------------------------------------------|-----------------|
// | orthogonalize_against<B>(Q, j, w, c)   | w − Q_j Q_jᵀ w, twice (classical GS, "twice is | 4 r j            |
// |                                        | enough"); c (optional) gets Q_jᵀ w, on the host |                 |
// |                                        | (c: std::vector<double>*) or the backend (c: a  |                 |
// |                                        | vector_t<B>&, per sample of a batch)           |                 |
// | random_orthogonal_unit<B>(like,Q,j,n,r)| a random unit vector ⟂ the first j columns    | ≤ 4 draws + GS  |
#include <cstddef>
#include <vector>

#include "../../concepts/backend.hpp"

namespace latentwalk::detail::linalg {

/// w minus its components along the first j columns of Q (classical Gram–Schmidt, applied twice,
/// which keeps w orthogonal to working precision). `coeffs` receives the total coefficients Qⱼᵀw.
template <class B>
vector_t<B> orthogonalize_against(const matrix_t<B>& Q, index_t<B> j, vector_t<B> w, std::vector<double>* coeffs) {
    using T = backend_traits<B>;
    if (coeffs) coeffs->assign(static_cast<std::size_t>(j), 0.0);
    if (j == 0) return w;
    const auto Qj = T::block_cols(Q, 0, j);
    const auto c1 = T::tmatvec(Qj, w);
    w = T::sub(w, T::matvec(Qj, c1));
    const auto c2 = T::tmatvec(Qj, w);
    w = T::sub(w, T::matvec(Qj, c2));
    if (coeffs) *coeffs = T::to_host(T::add(c1, c2));
    return w;
}

/// The same, with the coefficients Qⱼᵀw kept on the backend (a [..., j] vector per sample, so that a
/// batch of recurrences keeps its own coefficients); j = 0 gives an empty vector.
template <class B>
vector_t<B> orthogonalize_against(const matrix_t<B>& Q, index_t<B> j, vector_t<B> w, vector_t<B>& coeffs) {
    using T = backend_traits<B>;
    if (j == 0) {
        coeffs = T::zeros(w, 0);
        return w;
    }
    const auto Qj = T::block_cols(Q, 0, j);
    const auto c1 = T::tmatvec(Qj, w);
    w = T::sub(w, T::matvec(Qj, c1));
    const auto c2 = T::tmatvec(Qj, w);
    w = T::sub(w, T::matvec(Qj, c2));
    coeffs = T::add(c1, c2);
    return w;
}

/// A unit vector of length len orthogonal to the first j columns of Q (a random draw, projected);
/// used when a Krylov recurrence breaks down on an invariant subspace. Zero when Q already spans
/// the whole space.
template <class B, class Rng>
vector_t<B> random_orthogonal_unit(const vector_t<B>& like, const matrix_t<B>& Q, index_t<B> j, index_t<B> len,
                                   Rng& rng) {
    using T = backend_traits<B>;
    for (int attempt = 0; attempt < 4; ++attempt) {
        auto w = orthogonalize_against<B>(Q, j, T::random_normal(like, len, rng), nullptr);
        const double nw = T::host_value(T::norm(w));
        if (nw > 1e-3) return T::scale(w, static_cast<scalar_t<B>>(1.0 / nw));
    }
    return T::zeros(like, len);  // Q already spans the whole space: no direction is left
}

}  // namespace latentwalk::detail::linalg
