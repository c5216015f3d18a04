#pragma once
// latentwalk/grassmann/random_subspace.hpp — Haar-distributed (uniformly random) subspaces.
//
// random_subspace<B>(n, k, rng) returns an n×k orthonormal basis whose span is uniformly
// distributed on the Grassmannian Gr(k, n) and whose basis is Haar on the Stiefel manifold: thin QR
// of an n×k matrix of i.i.d. N(0, 1) entries, with the signs of Q's columns fixed so that R has a
// positive diagonal (Mezzadri 2007; without the sign fix the basis, though not its span, is biased).
// The first j columns of the result are themselves a Haar basis of a random j-subspace.
#include <limits>
#include <string>

#include "../concepts/backend.hpp"
#include "../detail/validate.hpp"
#include "detail/subspace_ops.hpp"

namespace latentwalk {

/// A Haar-random n×k orthonormal basis, with new objects modelled on `like` (dtype, device, batch).
/// Throws invalid_argument_error unless 1 ≤ k ≤ n.
template <Backend B, class Rng>
matrix_t<B> random_subspace(const vector_t<B>& like, index_t<B> n, index_t<B> k, Rng& rng) {
    using T = backend_traits<B>;
    if (k < 1 || n < k) {
        throw invalid_argument_error(detail::sentence(
            "random_subspace", "needs 1 ≤ k ≤ n but k = " + detail::number(k) + ", n = " + detail::number(n) + "."));
    }
    auto qr = T::thin_qr(T::random_normal(like, n, k, rng));
    const auto d = T::diagonal(qr.R);
    // sign(d) with sign(0) = +1: d / max(|d|, tiny) + 1 − |d| / max(|d|, tiny).
    const auto a = T::cwise_abs(d);
    const auto safe = T::cwise_max(a, T::fill(d, k, static_cast<double>(std::numeric_limits<scalar_t<B>>::min())));
    const auto sign = T::sub(T::add(T::cwise_quotient(d, safe), T::fill(d, k, 1.0)), T::cwise_quotient(a, safe));
    return T::scale_columns(qr.Q, sign);
}

/// A Haar-random n×k orthonormal basis for backend B (default-constructed objects as the model).
template <Backend B, class Rng>
matrix_t<B> random_subspace(index_t<B> n, index_t<B> k, Rng& rng) {
    return random_subspace<B>(vector_t<B>{}, n, k, rng);
}

}  // namespace latentwalk
