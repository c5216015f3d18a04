#pragma once
// latentwalk/concepts/backend.hpp — the backend seam.
//
// Every algorithm of latentwalk is written once, against backend_traits<B>, for a tag type B.
// An adapter (Eigen, LibTorch, xtensor) specialises backend_traits for its tag and supplies the
// types and primitive operations below; it never re-implements an algorithm.
//
// Batching. A backend may give its vectors and matrices leading batch dimensions (torch: a
// vector is a tensor [..., n], a matrix [..., r, c]). Every operation acts on the trailing
// dimension(s) and broadcasts over the rest; a per-sample scalar (`batch_scalar`) then has the
// batch shape. Algorithms never branch on one sample's value on the host: control flow goes
// through the host reductions (`max_abs`, `all_finite`, `host_max`), which reduce over the whole
// batch. For Eigen the batch is empty and batch_scalar is the plain scalar.
//
// Table of valid expressions. T = backend_traits<B>; x, y: T::vector; A, M: T::matrix;
// a: T::batch_scalar; like: a T::vector or T::matrix whose dtype/device/batch shape new
// objects inherit; i, j, n, r, c: T::index; rng: a std::uniform_random_bit_generator.
//
// | expression                      | returns            | meaning                                     | cost        |
// |---------------------------------|--------------------|---------------------------------------------|-------------|
// | T::scalar                       | type               | element type (double, float)                | —           |
// | T::vector / T::matrix           | types              | [..., n] / [..., r, c]                      | —           |
// | T::batch_scalar                 | type               | one scalar per sample                       | —           |
// | T::index                        | signed integer     | sizes and indices                           | —           |
// | T::name                         | const char*        | backend name for reports                    | —           |
// | T::size(x)                      | index              | trailing length n                           | O(1)        |
// | T::rows(A), T::cols(A)          | index              | trailing r, c                               | O(1)        |
// | T::zeros(like, n)               | vector             | zero vector                                 | O(n)        |
// | T::zeros(like, r, c)            | matrix             | zero matrix                                 | O(rc)       |
// | T::unit(like, n, i)             | vector             | i-th standard basis vector e_i              | O(n)        |
// | T::identity(like, n)            | matrix             | I_n                                         | O(n²)       |
// | T::from_values(like, span)      | vector             | vector from host doubles (broadcast batch)  | O(n)        |
// | T::to_host(x)                   | std::vector<double>| the values (batch flattened, row-major)     | O(n)        |
// | T::col(A, j)                    | vector             | column j                                    | O(r)        |
// | T::set_col(A, j, x)             | void               | A[:, j] = x                                 | O(r)        |
// | T::block_cols(A, j, c)          | matrix             | columns j..j+c-1                            | O(rc)       |
// | T::hcat(A, M)                   | matrix             | [A M]                                       | O(r(c+c'))  |
// | T::dot(x, y)                    | batch_scalar       | xᵀy                                         | O(n)        |
// | T::norm(x)                      | batch_scalar       | ‖x‖₂ (overflow-safe)                        | O(n)        |
// | T::add(x, y), T::sub(x, y)      | vector             | x + y, x − y                                | O(n)        |
// | T::scale(x, a)                  | vector             | a x (a per sample)                          | O(n)        |
// | T::axpy(a, x, y)                | vector             | a x + y                                     | O(n)        |
// | T::add(A, M), T::sub(A, M)      | matrix             | A + M, A − M                                | O(rc)       |
// | T::scale(A, a)                  | matrix             | a A (a per sample)                          | O(rc)       |
// | T::scale_columns(A, d)          | matrix             | A diag(d): column j times d_j               | O(rc)       |
// | T::matvec(A, x)                 | vector             | A x                                         | O(rc)       |
// | T::tmatvec(A, x)                | vector             | Aᵀ x                                        | O(rc)       |
// | T::matmul(A, M)                 | matrix             | A M                                         | O(rcc')     |
// | T::tmatmul(A, M)                | matrix             | Aᵀ M                                        | O(rcc')     |
// | T::transpose(A)                 | matrix             | Aᵀ                                          | O(rc)       |
// | T::thin_qr(A)                   | qr_result          | {Q r×c orthonormal, R c×c}, A = QR (r ≥ c)  | O(rc²)      |
// | T::thin_svd(A)                  | svd_result         | {U, S descending, V}, A = U diag(S) Vᵀ      | O(rc·min)   |
// | T::singular_values(A)           | vector             | S descending only (no U, V formed)          | O(rc·min)   |
// | T::sym_eig(A)                   | eig_result         | {values ascending, vectors} of symmetric A  | O(n³)       |
// | T::column_signs(A)              | vector             | per column: ±1, sign of its largest |entry| | O(rc)       |
// |                                 |                    | (first on a tie; +1 for a zero column)      |             |
// | T::random_normal(like, n, rng)  | vector             | i.i.d. N(0, 1) entries                      | O(n)        |
// | T::random_normal(like, r, c, rng)| matrix            | i.i.d. N(0, 1) entries                      | O(rc)       |
// | T::fill(like, n, s)             | vector             | every entry s (host double)                 | O(n)        |
// | T::element(x, i)                | batch_scalar       | x_i                                         | O(1)        |
// | T::sum(x)                       | batch_scalar       | Σ x_i                                       | O(n)        |
// | T::cwise_product(x, y)          | vector             | x ⊙ y                                       | O(n)        |
// | T::cwise_quotient(x, y)         | vector             | x ⊘ y                                       | O(n)        |
// | T::cwise_abs/sqrt/exp/log/tanh(x)| vector            | element-wise function                       | O(n)        |
// | T::cwise_atan2(y, x)            | vector             | element-wise atan2(y_i, x_i)                | O(n)        |
// | T::cwise_sin/cos(x)             | vector             | element-wise sine / cosine                  | O(n)        |
// | T::cwise_log1p/expm1(x)         | vector             | log(1 + x_i) / exp(x_i) − 1, no cancellation| O(n)        |
// | T::cwise_min/cwise_max(x, y)    | vector             | element-wise min / max                      | O(n)        |
// | T::reverse(x)                   | vector             | (x_{n−1}, …, x_0)                           | O(n)        |
// | T::head(x, c)                   | vector             | (x_0, …, x_{c−1})                           | O(c)        |
// | T::all_finite(x) / (A)          | bool               | no NaN or Inf anywhere in the batch         | O(n)        |
// | T::max_abs(x) / (A)             | double             | max |entry| over the whole batch            | O(n)        |
// | T::host_max(a)                  | double             | max of a per-sample scalar over the batch   | O(batch)    |
// | T::host_value(a)                | double             | the single value of an unbatched scalar     | O(1)        |
//
// Models shipped: latentwalk::eigen::backend<double|float> (adapters/eigen).
// Archetype: tests/static/archetypes.hpp (archetype_backend).
#include <concepts>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

namespace latentwalk {

/// Specialise for a backend tag B. The primary template carries the marker `not_a_backend`, so
/// that `Backend<B>` is false and the static_asserts of the public entry points can say why.
template <class B>
struct backend_traits {
    using not_a_backend = void;
};

namespace detail {
template <class B>
concept has_backend_specialisation = !requires { typename backend_traits<B>::not_a_backend; };
}  // namespace detail

template <class B>
concept Backend =
    detail::has_backend_specialisation<B> &&
    requires {
        typename backend_traits<B>::scalar;
        typename backend_traits<B>::vector;
        typename backend_traits<B>::matrix;
        typename backend_traits<B>::batch_scalar;
        typename backend_traits<B>::index;
        { backend_traits<B>::name } -> std::convertible_to<const char*>;
    } &&
    requires(const typename backend_traits<B>::vector& x, const typename backend_traits<B>::matrix& A,
             typename backend_traits<B>::matrix& Am, const typename backend_traits<B>::batch_scalar& a,
             typename backend_traits<B>::index i, std::span<const double> values) {
        { backend_traits<B>::size(x) } -> std::convertible_to<typename backend_traits<B>::index>;
        { backend_traits<B>::rows(A) } -> std::convertible_to<typename backend_traits<B>::index>;
        { backend_traits<B>::cols(A) } -> std::convertible_to<typename backend_traits<B>::index>;
        { backend_traits<B>::zeros(x, i) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::zeros(x, i, i) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::unit(x, i, i) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::identity(x, i) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::from_values(x, values) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::to_host(x) } -> std::convertible_to<std::vector<double>>;
        { backend_traits<B>::col(A, i) } -> std::convertible_to<typename backend_traits<B>::vector>;
        backend_traits<B>::set_col(Am, i, x);
        { backend_traits<B>::block_cols(A, i, i) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::hcat(A, A) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::dot(x, x) } -> std::convertible_to<typename backend_traits<B>::batch_scalar>;
        { backend_traits<B>::norm(x) } -> std::convertible_to<typename backend_traits<B>::batch_scalar>;
        { backend_traits<B>::add(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::sub(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::scale(x, a) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::axpy(a, x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::add(A, A) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::sub(A, A) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::scale(A, a) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::scale_columns(A, x) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::matvec(A, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::tmatvec(A, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::matmul(A, A) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::tmatmul(A, A) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        { backend_traits<B>::transpose(A) } -> std::convertible_to<typename backend_traits<B>::matrix>;
        backend_traits<B>::thin_qr(A).Q;
        backend_traits<B>::thin_qr(A).R;
        backend_traits<B>::thin_svd(A).U;
        backend_traits<B>::thin_svd(A).S;
        backend_traits<B>::thin_svd(A).V;
        { backend_traits<B>::singular_values(A) } -> std::convertible_to<typename backend_traits<B>::vector>;
        backend_traits<B>::sym_eig(A).values;
        backend_traits<B>::sym_eig(A).vectors;
        { backend_traits<B>::column_signs(A) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::fill(x, i, 1.0) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::element(x, i) } -> std::convertible_to<typename backend_traits<B>::batch_scalar>;
        { backend_traits<B>::sum(x) } -> std::convertible_to<typename backend_traits<B>::batch_scalar>;
        { backend_traits<B>::cwise_product(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_quotient(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_abs(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_sqrt(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_exp(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_log(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_tanh(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_atan2(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_sin(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_cos(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_log1p(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_expm1(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_min(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::cwise_max(x, x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::reverse(x) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::head(x, i) } -> std::convertible_to<typename backend_traits<B>::vector>;
        { backend_traits<B>::all_finite(x) } -> std::convertible_to<bool>;
        { backend_traits<B>::all_finite(A) } -> std::convertible_to<bool>;
        { backend_traits<B>::max_abs(x) } -> std::convertible_to<double>;
        { backend_traits<B>::max_abs(A) } -> std::convertible_to<double>;
        { backend_traits<B>::host_max(a) } -> std::convertible_to<double>;
        { backend_traits<B>::host_value(a) } -> std::convertible_to<double>;
    };

/// Shorthands used throughout the library.
template <class B> using scalar_t = typename backend_traits<B>::scalar;
template <class B> using vector_t = typename backend_traits<B>::vector;
template <class B> using matrix_t = typename backend_traits<B>::matrix;
template <class B> using batch_scalar_t = typename backend_traits<B>::batch_scalar;
template <class B> using index_t = typename backend_traits<B>::index;

/// Maps a backend's matrix (and vector) type back to its tag, so that free functions taking plain
/// matrices deduce the backend: principal_angles(A, B) instead of principal_angles<B>(A, B).
/// Adapters specialise it (`using type = tag;`); the primary template has no `type`.
template <class M>
struct backend_of {};
template <class M> using backend_of_t = typename backend_of<std::remove_cvref_t<M>>::type;

/// M is the matrix type of a backend that backend_of knows.
template <class M>
concept BackendMatrix = requires { typename backend_of_t<M>; } && Backend<backend_of_t<M>> &&
                        std::same_as<std::remove_cvref_t<M>, matrix_t<backend_of_t<M>>>;

}  // namespace latentwalk

/// Used by every public entry point that takes a backend, so that a missing adapter reads as a sentence.
#define LATENTWALK_REQUIRE_BACKEND(B)                                                                       \
    static_assert(::latentwalk::detail::has_backend_specialisation<B>,                                     \
                  "latentwalk: this type is not a backend: there is no specialisation of "                  \
                  "latentwalk::backend_traits for it. Include the adapter header that defines it "         \
                  "(<latentwalk/eigen.hpp>, <latentwalk/torch.hpp>, <latentwalk/xtensor.hpp>) or "          \
                  "specialise backend_traits yourself (see latentwalk/concepts/backend.hpp).");             \
    static_assert(::latentwalk::Backend<B>,                                                                 \
                  "latentwalk: backend_traits<B> is specialised but incomplete: it lacks one of the types " \
                  "or operations in the table of valid expressions in latentwalk/concepts/backend.hpp.")
