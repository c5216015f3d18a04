#pragma once
// The sign convention of singular vectors, used by every tangent method (and by anything that
// reports singular triplets): flip each pair (uᵢ, vᵢ) together so that the entry of vᵢ of largest
// magnitude (the first such entry on an exact tie) is positive. J vᵢ = σᵢ uᵢ is preserved. The
// decision is a backend operation (column_signs), so a batch is flipped sample by sample.
#include "../../concepts/backend.hpp"

namespace latentwalk::detail::linalg {

template <class B>
void apply_sign_convention(matrix_t<B>& U, matrix_t<B>& V) {
    using T = backend_traits<B>;
    const auto signs = T::column_signs(V);  // ±1: the scaling is exact
    V = T::scale_columns(V, signs);
    U = T::scale_columns(U, signs);
}

}  // namespace latentwalk::detail::linalg
