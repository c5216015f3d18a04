#pragma once
// The singular value decomposition of a generator's Jacobian at z, J = U diag(S) Vᵀ (thin,
// S descending), shared by curve and subspace traversal: J from the derivation layer (the
// cheapest of the generator's products), then the backend's thin SVD.
#include "../concepts/generator.hpp"
#include "../derivatives.hpp"

namespace latentwalk::detail {

template <class G>
auto local_svd(const G& g, const vector_t<typename G::backend>& z) {
    using T = backend_traits<typename G::backend>;
    const auto J = jacobian_unchecked(g, z);
    require_finite_result<typename G::backend>("local_svd", "the generator's Jacobian", J);
    return T::thin_svd(J);
}

}  // namespace latentwalk::detail
