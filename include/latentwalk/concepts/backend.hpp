#pragma once
// latentwalk/concepts/backend.hpp — the backend seam: six families of required operations, a
// defaults layer that deduces the rest, and one sentence per missing expression.
//
// Every algorithm of latentwalk is written once, against backend_traits<B>, for a tag type B.
// An adapter (Eigen, LibTorch, xtensor) specialises backend_traits for its tag, derives it from
// backend_defaults<B>, and writes the *required* operations of the six families below; the
// *deduced* operations come from backend_defaults and are overridden only for speed. An adapter
// never re-implements an algorithm.
//
//     template <> struct latentwalk::backend_traits<my_tag> : latentwalk::backend_defaults<my_tag> {
//         using scalar = double; ...            // the types family
//         static index size(const vector& x);   // ... the required operations
//         static vector head(const vector& x, index c);  // optional: overrides a deduced one
//     };
//
// Overriding one overload of a deduced name hides the other defaults of that name (C++ name
// hiding); write `using backend_defaults<my_tag>::add;` beside the override to keep them.
//
// Cost of writing a backend: 46 required signatures (before this split: 60, all required).
// The 15 operations that followed from others (add, sub, scale for vectors and matrices, unit,
// identity, tmatvec, tmatmul, singular_values, element, sum, head, cwise_min) and the batch
// primitives (batch_size, lift, lower, constant, host_min, diagonal, column_norms) are deduced.
//
// Batching. A backend may give its vectors and matrices leading batch dimensions (torch: a
// vector is a tensor [..., n], a matrix [..., r, c]). Every operation acts on the trailing
// dimension(s) and broadcasts over the rest; a per-sample scalar (`batch_scalar`) then has the
// batch shape. Algorithms never branch on one sample's value on the host: control flow goes
// through the host reductions (`max_abs`, `all_finite`, `host_max`, `host_min`), which reduce over
// the whole batch. For Eigen and xtensor the batch is empty and batch_scalar is the plain scalar.
//
// Table of valid expressions. T = backend_traits<B>; x, y: T::vector; A, M: T::matrix;
// a, b: T::batch_scalar; s: T::scalar (or a double, converted); like: a T::vector or T::matrix
// whose dtype/device/batch shape new objects inherit; i, j, n, r, c: T::index;
// rng: a std::uniform_random_bit_generator. "R" = required, "D" = deduced by backend_defaults
// (the column says from what).
//
// Family 1 — types (BackendTypes)
// | expression                      | returns            | meaning                                     | R/D | cost   |
// |---------------------------------|--------------------|---------------------------------------------|-----|--------|
// | T::scalar                       | type               | element type (double, float)                | R   | —      |
// | T::vector / T::matrix           | types              | [..., n] / [..., r, c]                      | R   | —      |
// | T::batch_scalar                 | type               | one scalar per sample                       | R   | —      |
// | T::index                        | signed integer     | sizes and indices                           | R   | —      |
// | T::name                         | const char*        | backend name for reports                    | R   | —      |
// | -a, a + b, a - b, a * b, a / b  | batch_scalar       | per-sample arithmetic (broadcast)           | R   | O(batch)|
// | s ± a, a ± s, s * a, a * s, s / a, a / s | batch_scalar | with a host scalar                    | R   | O(batch)|
// The arithmetic is all an algorithm may do with a batch_scalar beyond passing it to T:: functions:
// no comparison, no conversion to double (use host_max/host_min/host_value), no std::sqrt (lift
// it and use cwise_sqrt). A built-in scalar or a tensor type has it already: it costs nothing.
//
// Family 2 — construction and shape (BackendConstruction)
// | T::size(x)                      | index              | trailing length n                           | R   | O(1)   |
// | T::rows(A), T::cols(A)          | index              | trailing r, c                               | R   | O(1)   |
// | T::zeros(like, n)               | vector             | zero vector                                 | R   | O(n)   |
// | T::zeros(like, r, c)            | matrix             | zero matrix                                 | R   | O(rc)  |
// | T::fill(like, n, s)             | vector             | every entry s (host double)                 | R   | O(n)   |
// | T::from_values(like, span)      | vector             | vector from host doubles (broadcast batch)  | R   | O(n)   |
// | T::to_host(x)                   | std::vector<double>| the values (batch flattened, row-major)     | R   | O(n)   |
// | T::random_normal(like, n, rng)  | vector             | i.i.d. N(0, 1) entries                      | R   | O(n)   |
// | T::random_normal(like, r, c, rng)| matrix            | i.i.d. N(0, 1) entries (column by column)   | R   | O(rc)  |
// | T::col(A, j)                    | vector             | column j                                    | R   | O(r)   |
// | T::set_col(A, j, x)             | void               | A[:, j] = x                                 | R   | O(r)   |
// | T::block_cols(A, j, c)          | matrix             | columns j..j+c-1                            | R   | O(rc)  |
// | T::hcat(A, M)                   | matrix             | [A M]                                       | R   | O(r(c+c'))|
// | T::segment(x, i, c)             | vector             | (x_i, …, x_{i+c−1})                         | R   | O(c)   |
// | T::reverse(x)                   | vector             | (x_{n−1}, …, x_0)                           | R   | O(n)   |
// | T::unit(like, n, i)             | vector             | e_i                                 from_values | D | O(n)   |
// | T::identity(like, n)            | matrix             | I_n                                  unit, set_col | D | O(n²)  |
// | T::head(x, c)                   | vector             | (x_0, …, x_{c−1})                       segment | D | O(c)   |
// | T::element(x, i)                | batch_scalar       | x_i                                segment, dot | D | O(1)   |
// | T::batch_size(like)             | long long          | number of samples (1 unbatched)   fill, to_host | D | O(batch)|
// | T::lift(like, a)                | vector             | a as a length-1 vector per sample  fill, scale | D | O(batch)|
// | T::lower(x)                     | batch_scalar       | the entry of a length-1 vector         element | D | O(batch)|
// | T::constant(like, s)            | batch_scalar       | s in every sample                fill, element | D | O(batch)|
//
// Family 3 — linear algebra (BackendLinearAlgebra)
// | T::dot(x, y)                    | batch_scalar       | xᵀy                                         | R   | O(n)   |
// | T::norm(x)                      | batch_scalar       | ‖x‖₂ (overflow-safe)                        | R   | O(n)   |
// | T::axpy(a, x, y), T::axpy(s, x, y)| vector           | a x + y (a per sample, or a host scalar)    | R   | O(n)   |
// | T::axpy(a, A, M), T::axpy(s, A, M)| matrix           | a A + M                                     | R   | O(rc)  |
// | T::scale_columns(A, d)          | matrix             | A diag(d): column j times d_j               | R   | O(rc)  |
// | T::matvec(A, x)                 | vector             | A x                                         | R   | O(rc)  |
// | T::matmul(A, M)                 | matrix             | A M                                         | R   | O(rcc')|
// | T::transpose(A)                 | matrix             | Aᵀ                                          | R   | O(rc)  |
// | T::add(x, y), T::sub(x, y)      | vector             | x + y, x − y                           axpy(±1) | D | O(n)   |
// | T::scale(x, a)                  | vector             | a x                              axpy(a, x, 0) | D | O(n)   |
// | T::add(A, M), T::sub(A, M), T::scale(A, a) | matrix  | A + M, A − M, a A                        axpy | D | O(rc)  |
// | T::tmatvec(A, x)                | vector             | Aᵀ x                          transpose, matvec | D | O(rc)  |
// | T::tmatmul(A, M)                | matrix             | Aᵀ M                          transpose, matmul | D | O(rcc')|
// | T::sum(x)                       | batch_scalar       | Σ x_i                               dot(x, 1) | D | O(n)   |
// | T::diagonal(A)                  | vector             | (A_00, …, A_kk), k = min(r, c) − 1   element | D | O(k²)  |
// | T::column_norms(A)              | vector             | (‖A[:,0]‖, …, ‖A[:,c−1]‖)       col, norm | D | O(rc)  |
// | T::column_squared_norms(A)      | vector             | (‖A[:,0]‖², …) (no overflow guard)  column_norms | D | O(rc) |
//
// Family 4 — factorizations (BackendFactorizations)
// | T::thin_qr(A)                   | qr_result          | {Q r×c orthonormal, R c×c}, A = QR (r ≥ c)  | R   | O(rc²) |
// | T::thin_svd(A)                  | svd_result         | {U, S descending, V}, A = U diag(S) Vᵀ      | R   | O(rc·min)|
// | T::sym_eig(A)                   | eig_result         | {values ascending, vectors} of symmetric A  | R   | O(n³)  |
// | T::column_signs(A)              | vector             | per column: ±1, sign of its largest |entry| | R   | O(rc)  |
// |                                 |                    | (first on a tie; +1 for a zero column)      |     |        |
// | T::singular_values(A)           | vector             | S descending only                  thin_svd | D | O(rc·min)|
//
// Family 5 — element-wise (BackendElementwise)
// | T::cwise_product/quotient(x, y) | vector             | x ⊙ y, x ⊘ y                                | R   | O(n)   |
// | T::cwise_abs/sqrt/exp/log(x)    | vector             | element-wise function                       | R   | O(n)   |
// | T::cwise_sin/cos(x)             | vector             | element-wise sine / cosine                  | R   | O(n)   |
// | T::cwise_atan2(y, x)            | vector             | element-wise atan2(y_i, x_i)                | R   | O(n)   |
// | T::cwise_log1p/expm1(x)         | vector             | log(1 + x_i) / exp(x_i) − 1, no cancellation| R   | O(n)   |
// | T::cwise_max(x, y)              | vector             | element-wise max                            | R   | O(n)   |
// | T::cwise_min(x, y)              | vector             | element-wise min             −max(−x, −y)  | D | O(n)   |
// | T::cwise_tanh(x)                | vector             | element-wise tanh, from expm1 (no cancellation) | D | O(n)   |
//
// Family 6 — host reductions (BackendHostReductions); each synchronises with the device
// | T::all_finite(x) / (A)          | bool               | no NaN or Inf anywhere in the batch         | R   | O(n)   |
// | T::max_abs(x) / (A)             | double             | max |entry| over the whole batch            | R   | O(n)   |
// | T::host_max(a)                  | double             | max of a per-sample scalar over the batch   | R   | O(batch)|
// | T::host_value(a)                | double             | the single value of an unbatched scalar     | R   | O(1)   |
// | T::host_min(a)                  | double             | min over the batch                 −host_max(−a) | D | O(batch)|
//
// Optional family — block products (BackendBlockProducts); a batched backend offers it so that the
// derivation layer asks a block of c generator products as one batched call (derivatives.hpp)
// | T::columns_as_batch(A)          | vector             | the c columns of A [..., r, c] as a batch    | opt | O(rc)  |
// |                                 |                    | of vectors [c, ..., r] (column = new lead dim)|     |        |
// | T::batch_as_columns(x)          | matrix             | the inverse: [c, ..., r] → [..., r, c]      | opt | O(rc)  |
// | T::unit_columns(like, n, j, c)  | matrix             | columns j..j+c−1 of I_n, [..., n, c]        | opt | O(nc)  |
//
// Optional family — special functions (BackendErf); the closed-form MLP potential's exact GELU needs it
// (latentwalk/potentials/mlp_potential.hpp). Eigen, torch and xtensor have it.
// | T::cwise_erf(x)                 | vector             | element-wise error function erf(x_i)        | opt | O(n)   |
//
// Deduced defaults are exact where the required operation is (1·x + y = x + y; a·x + 0 = a·x;
// element = x_i·1), except that sum and the default column_norms/diagonal accumulate in their own
// order. A backend overrides them when one kernel does the work (torch: diagonal, column_norms).
//
// Models shipped: latentwalk::eigen::backend<double|float> (adapters/eigen), torch::backend<…>
// (adapters/torch, batched), xtensor::backend<…> (adapters/xtensor).
// Archetypes: tests/static/archetypes.hpp (archetype_backend: the required families only;
// archetype_batched_backend: a batch_scalar with the table's arithmetic and nothing more).
#include <concepts>
#include <cstddef>
#include <random>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

namespace latentwalk {

/// Specialise for a backend tag B (deriving from backend_defaults<B>). The primary template carries
/// the marker `not_a_backend`, so that `Backend<B>` is false and the entry points can say why.
template <class B>
struct backend_traits {
    using not_a_backend = void;
};

namespace detail {
template <class B>
concept has_backend_specialisation = !requires { typename backend_traits<B>::not_a_backend; };
}  // namespace detail

/// Shorthands used throughout the library (associated-type aliases).
template <class B> using scalar_t = typename backend_traits<B>::scalar;
template <class B> using vector_t = typename backend_traits<B>::vector;
template <class B> using matrix_t = typename backend_traits<B>::matrix;
template <class B> using batch_scalar_t = typename backend_traits<B>::batch_scalar;
template <class B> using index_t = typename backend_traits<B>::index;

/// The backend tag of a model (Generator, PotentialField, DensityModel): backend_t<G> for
/// `typename G::backend`.
template <class G> using backend_t = typename G::backend;

// ---------------------------------------------------------------------------------------------
// The expressions, one named concept each, so that a failure can name the one that is missing.
// ---------------------------------------------------------------------------------------------
namespace detail::backend_expr {

template <class B>
concept types = has_backend_specialisation<B> && requires {
    typename backend_traits<B>::scalar;
    typename backend_traits<B>::vector;
    typename backend_traits<B>::matrix;
    typename backend_traits<B>::batch_scalar;
    typename backend_traits<B>::index;
    { backend_traits<B>::name } -> std::convertible_to<const char*>;
};

// Short names inside the expression concepts.
template <class B> using T_ = backend_traits<B>;

#define LATENTWALK_DETAIL_BACKEND_EXPR(name, ...)                                                          \
    template <class B>                                                                                     \
    concept name = types<B> && requires(const vector_t<B>& x, const matrix_t<B>& A, matrix_t<B>& Am,      \
                                        const batch_scalar_t<B>& a, scalar_t<B> s, index_t<B> i,          \
                                        std::span<const double> values, std::mt19937_64& rng) {           \
        __VA_ARGS__                                                                                        \
    }

// Family 1: batch_scalar arithmetic.
LATENTWALK_DETAIL_BACKEND_EXPR(batch_arithmetic,
    { -a } -> std::convertible_to<batch_scalar_t<B>>;
    { a + a } -> std::convertible_to<batch_scalar_t<B>>;
    { a - a } -> std::convertible_to<batch_scalar_t<B>>;
    { a * a } -> std::convertible_to<batch_scalar_t<B>>;
    { a / a } -> std::convertible_to<batch_scalar_t<B>>;
);
LATENTWALK_DETAIL_BACKEND_EXPR(batch_host_arithmetic,
    { s + a } -> std::convertible_to<batch_scalar_t<B>>;
    { a + s } -> std::convertible_to<batch_scalar_t<B>>;
    { s - a } -> std::convertible_to<batch_scalar_t<B>>;
    { a - s } -> std::convertible_to<batch_scalar_t<B>>;
    { s * a } -> std::convertible_to<batch_scalar_t<B>>;
    { a * s } -> std::convertible_to<batch_scalar_t<B>>;
    { s / a } -> std::convertible_to<batch_scalar_t<B>>;
    { a / s } -> std::convertible_to<batch_scalar_t<B>>;
);
// Family 2: construction and shape.
LATENTWALK_DETAIL_BACKEND_EXPR(size, { T_<B>::size(x) } -> std::convertible_to<index_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(rows_cols,
    { T_<B>::rows(A) } -> std::convertible_to<index_t<B>>;
    { T_<B>::cols(A) } -> std::convertible_to<index_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(zeros,
    { T_<B>::zeros(x, i) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::zeros(A, i) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::zeros(x, i, i) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::zeros(A, i, i) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(fill,
    { T_<B>::fill(x, i, 1.0) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::fill(A, i, 1.0) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(from_values,
    { T_<B>::from_values(x, values) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::from_values(A, values) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(to_host, { T_<B>::to_host(x) } -> std::convertible_to<std::vector<double>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(random_normal,
    { T_<B>::random_normal(x, i, rng) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::random_normal(x, i, i, rng) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(col, { T_<B>::col(A, i) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(set_col, T_<B>::set_col(Am, i, x););
LATENTWALK_DETAIL_BACKEND_EXPR(block_cols, { T_<B>::block_cols(A, i, i) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(hcat, { T_<B>::hcat(A, A) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(segment, { T_<B>::segment(x, i, i) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(reverse, { T_<B>::reverse(x) } -> std::convertible_to<vector_t<B>>;);
// Family 3: linear algebra.
LATENTWALK_DETAIL_BACKEND_EXPR(dot, { T_<B>::dot(x, x) } -> std::convertible_to<batch_scalar_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(norm, { T_<B>::norm(x) } -> std::convertible_to<batch_scalar_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(vector_axpy,
    { T_<B>::axpy(a, x, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::axpy(s, x, x) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(matrix_axpy,
    { T_<B>::axpy(a, A, A) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::axpy(s, A, A) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(scale_columns, { T_<B>::scale_columns(A, x) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(matvec, { T_<B>::matvec(A, x) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(matmul, { T_<B>::matmul(A, A) } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(transpose, { T_<B>::transpose(A) } -> std::convertible_to<matrix_t<B>>;);
// Family 4: factorizations.
LATENTWALK_DETAIL_BACKEND_EXPR(thin_qr,
    { T_<B>::thin_qr(A).Q } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::thin_qr(A).R } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(thin_svd,
    { T_<B>::thin_svd(A).U } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::thin_svd(A).S } -> std::convertible_to<vector_t<B>>;
    { T_<B>::thin_svd(A).V } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(sym_eig,
    { T_<B>::sym_eig(A).values } -> std::convertible_to<vector_t<B>>;
    { T_<B>::sym_eig(A).vectors } -> std::convertible_to<matrix_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(column_signs, { T_<B>::column_signs(A) } -> std::convertible_to<vector_t<B>>;);
// Family 5: element-wise.
LATENTWALK_DETAIL_BACKEND_EXPR(cwise_arithmetic,
    { T_<B>::cwise_product(x, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_quotient(x, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_max(x, x) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(cwise_functions,
    { T_<B>::cwise_abs(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_sqrt(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_exp(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_log(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_log1p(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_expm1(x) } -> std::convertible_to<vector_t<B>>;);
LATENTWALK_DETAIL_BACKEND_EXPR(cwise_trigonometric,
    { T_<B>::cwise_sin(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_cos(x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_atan2(x, x) } -> std::convertible_to<vector_t<B>>;);
// Family 6: host reductions.
LATENTWALK_DETAIL_BACKEND_EXPR(all_finite,
    { T_<B>::all_finite(x) } -> std::convertible_to<bool>;
    { T_<B>::all_finite(A) } -> std::convertible_to<bool>;);
LATENTWALK_DETAIL_BACKEND_EXPR(max_abs,
    { T_<B>::max_abs(x) } -> std::convertible_to<double>;
    { T_<B>::max_abs(A) } -> std::convertible_to<double>;);
LATENTWALK_DETAIL_BACKEND_EXPR(host_max, { T_<B>::host_max(a) } -> std::convertible_to<double>;);
LATENTWALK_DETAIL_BACKEND_EXPR(host_value, { T_<B>::host_value(a) } -> std::convertible_to<double>;);
// The deduced operations (present when backend_traits<B> derives from backend_defaults<B>).
LATENTWALK_DETAIL_BACKEND_EXPR(deduced,
    { T_<B>::unit(x, i, i) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::identity(x, i) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::identity(A, i) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::head(x, i) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::element(x, i) } -> std::convertible_to<batch_scalar_t<B>>;
    { T_<B>::batch_size(x) } -> std::convertible_to<long long>;
    { T_<B>::batch_size(A) } -> std::convertible_to<long long>;
    { T_<B>::lift(x, a) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::lower(x) } -> std::convertible_to<batch_scalar_t<B>>;
    { T_<B>::constant(x, 1.0) } -> std::convertible_to<batch_scalar_t<B>>;
    { T_<B>::add(x, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::sub(x, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::scale(x, a) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::scale(x, s) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::add(A, A) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::sub(A, A) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::scale(A, a) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::scale(A, s) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::tmatvec(A, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::tmatmul(A, A) } -> std::convertible_to<matrix_t<B>>;
    { T_<B>::sum(x) } -> std::convertible_to<batch_scalar_t<B>>;
    { T_<B>::diagonal(A) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::column_norms(A) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::singular_values(A) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::cwise_min(x, x) } -> std::convertible_to<vector_t<B>>;
    { T_<B>::host_min(a) } -> std::convertible_to<double>;);
#undef LATENTWALK_DETAIL_BACKEND_EXPR

}  // namespace detail::backend_expr

// ---------------------------------------------------------------------------------------------
// The families (named pieces, as mp-units builds its representation concepts) and Backend.
// ---------------------------------------------------------------------------------------------
namespace detail {
namespace be_ = backend_expr;
}  // namespace detail

template <class B>
concept BackendTypes = detail::be_::types<B> && detail::be_::batch_arithmetic<B> && detail::be_::batch_host_arithmetic<B>;

template <class B>
concept BackendConstruction = BackendTypes<B> && detail::be_::size<B> && detail::be_::rows_cols<B> && detail::be_::zeros<B> &&
                              detail::be_::fill<B> && detail::be_::from_values<B> && detail::be_::to_host<B> && detail::be_::random_normal<B> &&
                              detail::be_::col<B> && detail::be_::set_col<B> && detail::be_::block_cols<B> && detail::be_::hcat<B> &&
                              detail::be_::segment<B> && detail::be_::reverse<B>;

template <class B>
concept BackendLinearAlgebra = BackendTypes<B> && detail::be_::dot<B> && detail::be_::norm<B> && detail::be_::vector_axpy<B> &&
                               detail::be_::matrix_axpy<B> && detail::be_::scale_columns<B> && detail::be_::matvec<B> && detail::be_::matmul<B> &&
                               detail::be_::transpose<B>;

template <class B>
concept BackendFactorizations = BackendTypes<B> && detail::be_::thin_qr<B> && detail::be_::thin_svd<B> && detail::be_::sym_eig<B> &&
                                detail::be_::column_signs<B>;

template <class B>
concept BackendElementwise = BackendTypes<B> && detail::be_::cwise_arithmetic<B> && detail::be_::cwise_functions<B> &&
                             detail::be_::cwise_trigonometric<B>;

template <class B>
concept BackendHostReductions = BackendTypes<B> && detail::be_::all_finite<B> && detail::be_::max_abs<B> && detail::be_::host_max<B> &&
                                detail::be_::host_value<B>;

/// The deduced operations are present (backend_traits<B> derives from backend_defaults<B>).
template <class B>
concept BackendDeduced = BackendTypes<B> && detail::be_::deduced<B>;

/// The optional block-products family (see the table): a batch of vectors can carry the columns of a
/// matrix as a new leading dimension. The torch backend has it; Eigen and xtensor have no batches.
template <class B>
concept BackendBlockProducts =
    requires(const matrix_t<B>& A, const vector_t<B>& x, index_t<B> i) {
        { backend_traits<B>::columns_as_batch(A) } -> std::convertible_to<vector_t<B>>;
        { backend_traits<B>::batch_as_columns(x) } -> std::convertible_to<matrix_t<B>>;
        { backend_traits<B>::unit_columns(x, i, i, i) } -> std::convertible_to<matrix_t<B>>;
    };

/// The optional special-functions family (see the table): the element-wise error function, which no
/// composition of the required element-wise operations gives to full precision.
template <class B>
concept BackendErf = requires(const vector_t<B>& x) {
    { backend_traits<B>::cwise_erf(x) } -> std::convertible_to<vector_t<B>>;
};

/// A backend: the six required families and the deduced operations.
template <class B>
concept Backend = BackendTypes<B> && BackendConstruction<B> && BackendLinearAlgebra<B> && BackendFactorizations<B> &&
                  BackendElementwise<B> && BackendHostReductions<B> && BackendDeduced<B>;

// ---------------------------------------------------------------------------------------------
// The defaults layer ("minimum API / deduced API"): every deduced operation written once from
// the required ones. Each is a template on X = backend_traits<B>, so that its signature is formed
// only at the call, when backend_traits<B> is complete.
// ---------------------------------------------------------------------------------------------
template <class B>
struct backend_defaults {
    // Family 2, construction.
    /// e_i: from_values of a host unit vector (exact).
    template <class X = backend_traits<B>, class Like>
    static typename X::vector unit(const Like& like, typename X::index n, typename X::index i) {
        std::vector<double> e(static_cast<std::size_t>(n), 0.0);
        e[static_cast<std::size_t>(i)] = 1.0;
        return X::from_values(like, std::span<const double>(e));
    }
    /// I_n, column by column (n set_col calls).
    template <class X = backend_traits<B>, class Like>
    static typename X::matrix identity(const Like& like, typename X::index n) {
        typename X::matrix I = X::zeros(like, n, n);
        for (typename X::index j = 0; j < n; ++j) X::set_col(I, j, X::unit(like, n, j));
        return I;
    }
    template <class X = backend_traits<B>>
    static typename X::vector head(const typename X::vector& x, typename X::index c) {
        return X::segment(x, 0, c);
    }
    /// x_i per sample: dot(segment(x, i, 1), 1) = x_i · 1, exact for every value (NaN and Inf too).
    template <class X = backend_traits<B>>
    static typename X::batch_scalar element(const typename X::vector& x, typename X::index i) {
        return X::dot(X::segment(x, i, 1), X::fill(x, 1, 1.0));
    }
    /// The number of samples in like's batch (1 for an unbatched backend): fill(like, 1, ·) has one
    /// entry per sample and to_host flattens the batch. Override when the shape says it for free.
    template <class X = backend_traits<B>, class Like>
    static long long batch_size(const Like& like) {
        return static_cast<long long>(X::to_host(X::fill(like, 1, 0.0)).size());
    }
    /// A per-sample scalar as a vector of length 1 per sample (batched like `like`), so that the
    /// element-wise functions and host reductions apply to it.
    template <class X = backend_traits<B>, class Like>
    static typename X::vector lift(const Like& like, const typename X::batch_scalar& a) {
        return X::scale(X::fill(like, 1, 1.0), a);
    }
    /// The entry of a length-1 vector (per sample) as a batch_scalar: the inverse of lift.
    template <class X = backend_traits<B>>
    static typename X::batch_scalar lower(const typename X::vector& x) {
        return X::element(x, 0);
    }
    /// The host value s (cast to scalar) as a per-sample scalar with like's batch shape.
    template <class X = backend_traits<B>, class Like>
    static typename X::batch_scalar constant(const Like& like, double s) {
        return X::element(X::fill(like, 1, s), 0);
    }

    // Family 3, linear algebra.
    template <class X = backend_traits<B>>
    static typename X::vector add(const typename X::vector& x, const typename X::vector& y) {
        return X::axpy(static_cast<typename X::scalar>(1), x, y);
    }
    template <class X = backend_traits<B>>
    static typename X::vector sub(const typename X::vector& x, const typename X::vector& y) {
        return X::axpy(static_cast<typename X::scalar>(-1), y, x);
    }
    template <class A, class X = backend_traits<B>>
    static typename X::vector scale(const typename X::vector& x, const A& a) {
        return X::axpy(a, x, X::zeros(x, X::size(x)));
    }
    template <class X = backend_traits<B>>
    static typename X::matrix add(const typename X::matrix& A, const typename X::matrix& M) {
        return X::axpy(static_cast<typename X::scalar>(1), A, M);
    }
    template <class X = backend_traits<B>>
    static typename X::matrix sub(const typename X::matrix& A, const typename X::matrix& M) {
        return X::axpy(static_cast<typename X::scalar>(-1), M, A);
    }
    template <class A, class X = backend_traits<B>>
    static typename X::matrix scale(const typename X::matrix& M, const A& a) {
        return X::axpy(a, M, X::zeros(M, X::rows(M), X::cols(M)));
    }
    template <class X = backend_traits<B>>
    static typename X::vector tmatvec(const typename X::matrix& A, const typename X::vector& x) {
        return X::matvec(X::transpose(A), x);
    }
    template <class X = backend_traits<B>>
    static typename X::matrix tmatmul(const typename X::matrix& A, const typename X::matrix& M) {
        return X::matmul(X::transpose(A), M);
    }
    template <class X = backend_traits<B>>
    static typename X::batch_scalar sum(const typename X::vector& x) {
        return X::dot(x, X::fill(x, X::size(x), 1.0));
    }
    /// The diagonal (A_00, …, A_kk), k = min(r, c) − 1, assembled entry by entry.
    template <class X = backend_traits<B>>
    static typename X::vector diagonal(const typename X::matrix& A) {
        const typename X::index k = X::rows(A) < X::cols(A) ? X::rows(A) : X::cols(A);
        auto d = X::zeros(A, k);
        for (typename X::index j = 0; j < k; ++j) d = X::axpy(X::element(X::col(A, j), j), X::unit(A, k, j), d);
        return d;
    }
    /// The Euclidean norm of every column (overflow-safe like norm), assembled column by column.
    template <class X = backend_traits<B>>
    static typename X::vector column_norms(const typename X::matrix& A) {
        const typename X::index c = X::cols(A);
        auto out = X::zeros(A, c);
        for (typename X::index j = 0; j < c; ++j) out = X::axpy(X::norm(X::col(A, j)), X::unit(A, c, j), out);
        return out;
    }

    /// ‖A[:, j]‖² for every column: the squares of column_norms (a backend overrides it with one
    /// reduction of A ⊙ A, which may overflow where column_norms does not).
    template <class X = backend_traits<B>>
    static typename X::vector column_squared_norms(const typename X::matrix& A) {
        const auto n = X::column_norms(A);
        return X::cwise_product(n, n);
    }

    // Family 4, factorizations.
    template <class X = backend_traits<B>>
    static typename X::vector singular_values(const typename X::matrix& A) {
        auto svd = X::thin_svd(A);
        return std::move(svd.S);
    }

    // Family 5, element-wise.
    /// min(x, y) = −max(−x, −y) (negation is exact).
    template <class X = backend_traits<B>>
    static typename X::vector cwise_min(const typename X::vector& x, const typename X::vector& y) {
        const auto m = static_cast<typename X::scalar>(-1);
        return X::scale(X::cwise_max(X::scale(x, m), X::scale(y, m)), m);
    }

    /// tanh(x) = t(max(x, 0)) − t(−min(x, 0)) with t(y) = −expm1(−2y)/(expm1(−2y) + 2) for y ≥ 0: no
    /// cancellation near 0 and no overflow for large |x| (a few ulp from std::tanh).
    template <class X = backend_traits<B>>
    static typename X::vector cwise_tanh(const typename X::vector& x) {
        using S = typename X::scalar;
        const auto zero = X::zeros(x, X::size(x));
        auto t = [](const typename X::vector& y) {
            const auto e = X::cwise_expm1(X::scale(y, static_cast<S>(-2)));
            return X::scale(X::cwise_quotient(e, X::add(e, X::fill(e, X::size(e), 2.0))), static_cast<S>(-1));
        };
        return X::sub(t(X::cwise_max(x, zero)), t(X::scale(X::cwise_min(x, zero), static_cast<S>(-1))));
    }

    // Family 6, host reductions.
    template <class X = backend_traits<B>>
    static double host_min(const typename X::batch_scalar& a) {
        return -X::host_max(-a);
    }
};

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

// ---------------------------------------------------------------------------------------------
// One sentence per missing expression (ensmallen's static_checks): instantiating
// backend_checks<B> fires exactly the static_asserts of what B lacks, and nothing when B has no
// specialisation at all (LATENTWALK_REQUIRE_BACKEND says that first).
// ---------------------------------------------------------------------------------------------
namespace detail {

#define LATENTWALK_DETAIL_BACKEND_CHECK(family, expr, text)                                                 \
    static_assert(!be_::types<B> || be_::expr<B>,                                                          \
                  "latentwalk: backend_traits<B> is incomplete: its " family " family lacks " text           \
                  " (see the table of valid expressions in latentwalk/concepts/backend.hpp).")

template <class B>
struct backend_checks {
    static_assert(!has_backend_specialisation<B> || be_::types<B>,
                  "latentwalk: backend_traits<B> is incomplete: its types family lacks one of the member types "
                  "scalar, vector, matrix, batch_scalar, index or the constant `name` (see the table of valid "
                  "expressions in latentwalk/concepts/backend.hpp).");
    LATENTWALK_DETAIL_BACKEND_CHECK("types", batch_arithmetic, "batch_scalar arithmetic: -a, a + b, a - b, a * b, a / b");
    LATENTWALK_DETAIL_BACKEND_CHECK("types", batch_host_arithmetic, "batch_scalar arithmetic with a scalar: s + a, a + s, s - a, a - s, s * a, a * s, s / a, a / s");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", size, "T::size(x) returning index");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", rows_cols, "T::rows(A) or T::cols(A) returning index");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", zeros, "T::zeros(like, n) or T::zeros(like, r, c) (like a vector or a matrix)");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", fill, "T::fill(like, n, value) (like a vector or a matrix)");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", from_values, "T::from_values(like, std::span<const double>) (like a vector or a matrix)");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", to_host, "T::to_host(x) returning std::vector<double>");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", random_normal, "T::random_normal(like, n, rng) or T::random_normal(like, r, c, rng)");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", col, "T::col(A, j) returning vector");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", set_col, "T::set_col(A, j, x) on a mutable matrix");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", block_cols, "T::block_cols(A, j, c) returning matrix");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", hcat, "T::hcat(A, M) returning matrix");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", segment, "T::segment(x, i, c) returning vector");
    LATENTWALK_DETAIL_BACKEND_CHECK("construction", reverse, "T::reverse(x) returning vector");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", dot, "T::dot(x, y) returning batch_scalar");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", norm, "T::norm(x) returning batch_scalar");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", vector_axpy, "T::axpy(a, x, y) for vectors, with a a batch_scalar and with a a scalar");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", matrix_axpy, "T::axpy(a, A, M) for matrices, with a a batch_scalar and with a a scalar");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", scale_columns, "T::scale_columns(A, d) returning matrix");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", matvec, "T::matvec(A, x) returning vector");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", matmul, "T::matmul(A, M) returning matrix");
    LATENTWALK_DETAIL_BACKEND_CHECK("linear-algebra", transpose, "T::transpose(A) returning matrix");
    LATENTWALK_DETAIL_BACKEND_CHECK("factorizations", thin_qr, "T::thin_qr(A) returning {Q, R}");
    LATENTWALK_DETAIL_BACKEND_CHECK("factorizations", thin_svd, "T::thin_svd(A) returning {U, S, V}");
    LATENTWALK_DETAIL_BACKEND_CHECK("factorizations", sym_eig, "T::sym_eig(A) returning {values, vectors}");
    LATENTWALK_DETAIL_BACKEND_CHECK("factorizations", column_signs, "T::column_signs(A) returning vector");
    LATENTWALK_DETAIL_BACKEND_CHECK("element-wise", cwise_arithmetic, "one of T::cwise_product, cwise_quotient, cwise_max (x, y)");
    LATENTWALK_DETAIL_BACKEND_CHECK("element-wise", cwise_functions, "one of T::cwise_abs, cwise_sqrt, cwise_exp, cwise_log, cwise_log1p, cwise_expm1 (x)");
    LATENTWALK_DETAIL_BACKEND_CHECK("element-wise", cwise_trigonometric, "one of T::cwise_sin(x), cwise_cos(x), cwise_atan2(y, x)");
    LATENTWALK_DETAIL_BACKEND_CHECK("host-reduction", all_finite, "T::all_finite(x) or T::all_finite(A) returning bool");
    LATENTWALK_DETAIL_BACKEND_CHECK("host-reduction", max_abs, "T::max_abs(x) or T::max_abs(A) returning double");
    LATENTWALK_DETAIL_BACKEND_CHECK("host-reduction", host_max, "T::host_max(a) returning double");
    LATENTWALK_DETAIL_BACKEND_CHECK("host-reduction", host_value, "T::host_value(a) returning double");
    static_assert(!be_::types<B> || be_::deduced<B>,
                  "latentwalk: backend_traits<B> lacks the deduced operations (add, sub, scale, unit, identity, "
                  "element, lift, diagonal, ...): derive it from latentwalk::backend_defaults<B>, which writes them "
                  "from the required families (see latentwalk/concepts/backend.hpp).");
    static constexpr bool value = Backend<B>;
};
#undef LATENTWALK_DETAIL_BACKEND_CHECK

}  // namespace detail
}  // namespace latentwalk

/// Used by every public entry point that takes a backend, so that a missing adapter reads as a
/// sentence and an incomplete one as one sentence per missing expression, naming its family.
#define LATENTWALK_REQUIRE_BACKEND(B)                                                                       \
    static_assert(::latentwalk::detail::has_backend_specialisation<B>,                                     \
                  "latentwalk: this type is not a backend: there is no specialisation of "                  \
                  "latentwalk::backend_traits for it. Include the adapter header that defines it "         \
                  "(<latentwalk/eigen.hpp>, <latentwalk/torch.hpp>, <latentwalk/xtensor.hpp>) or "          \
                  "specialise backend_traits yourself (see latentwalk/concepts/backend.hpp).");             \
    static_assert(!::latentwalk::detail::has_backend_specialisation<B> ||                                  \
                      ::latentwalk::detail::backend_checks<B>::value,                                       \
                  "latentwalk: backend_traits<B> is specialised but incomplete (the sentences above name "  \
                  "what it lacks).")

/// The sentence of the catch-all overload of a function taking plain backend matrices. Declare the
/// catch-all `auto` so that its body, and this sentence, is the first thing the compiler reports.
#define LATENTWALK_REQUIRE_BACKEND_MATRIX(M, function, arguments)                                           \
    static_assert(::latentwalk::BackendMatrix<M>,                                                          \
                  "latentwalk::" function ": the type of " arguments " is not the matrix type of a "       \
                  "latentwalk backend: include the adapter that defines it (<latentwalk/eigen.hpp>, "       \
                  "<latentwalk/torch.hpp> or <latentwalk/xtensor.hpp>) and pass plain matrices of one "     \
                  "type, not expressions or another library's matrices.")
