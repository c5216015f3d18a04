#pragma once
// latentwalk/torch/backend.hpp — the LibTorch backend: batched tensors on CPU or CUDA.
//
// Tag: latentwalk::torch::backend<Scalar> for Scalar = double or float. Scalar is the precision the
// algorithms assume (tolerances derived from its machine epsilon, constants cast to it); the tensors'
// dtype and device are runtime properties, and every object the traits create takes them from its
// `like` argument. Use float64 tensors with backend<double> and float32 tensors with backend<float>.
//
// Types. vector = latentwalk::torch::vector<Scalar>, a tensor [..., n]; matrix =
// latentwalk::torch::matrix<Scalar>, a tensor [..., r, c]; batch_scalar = at::Tensor of the batch shape [...] (0-dimensional for one
// sample). Leading batch dimensions broadcast in every operation. vector and matrix are thin
// wrappers around at::Tensor (implicitly constructible from one, `tensor()` to get it back) so that
// a `like` argument tells its batch shape unambiguously: a [B, n] vector and an [r, c] matrix are
// both 2-d tensors. They have the value semantics of Eigen objects: copying a vector or matrix
// copies its data (moving does not), and every result of the traits owns its storage (no view of an
// argument), so an algorithm written for Eigen that copies and then mutates with set_col behaves the
// same here. Wrapping an at::Tensor does not copy it.
//
// Factorizations: at::linalg_qr (reduced), at::linalg_svd (full_matrices = false; V = Vhᵀ, S
// descending; at::linalg_svdvals for singular_values), at::linalg_eigh (ascending) — all batched.
// norm is overflow-safe (scaled by the largest entry). random_normal draws doubles from the
// caller's std RNG on the host, sample after sample (a matrix column by column, as the Eigen backend
// does), then copies them to the like's dtype and device: for one sample the draws equal the Eigen
// backend's for the same RNG state. Host reductions (all_finite, max_abs, host_max, host_value)
// synchronise with the device; host_value throws dimension_error for a batch of several samples.
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <ATen/ATen.h>

#include <latentwalk/concepts/backend.hpp>
#include <latentwalk/error.hpp>

namespace latentwalk::torch {

/// Backend tag for LibTorch tensors whose dtype matches Scalar (double or float).
template <class Scalar>
struct backend {
    static_assert(std::is_same_v<Scalar, double> || std::is_same_v<Scalar, float>,
                  "latentwalk::torch::backend: Scalar must be double or float.");
};

/// The dtype that corresponds to Scalar.
template <class Scalar>
inline constexpr at::ScalarType dtype_of = std::is_same_v<Scalar, double> ? at::kDouble : at::kFloat;

namespace detail {
inline at::Tensor owned_copy(const at::Tensor& t) {
    return t.defined() ? t.clone(at::MemoryFormat::Contiguous) : at::Tensor();
}

template <class Scalar, int Trailing>
class tensor_value {
public:
    tensor_value() = default;
    tensor_value(at::Tensor t) : t_(std::move(t)) {}  // NOLINT: implicit by design, shares storage
    tensor_value(const tensor_value& o) : t_(owned_copy(o.t_)) {}
    tensor_value(tensor_value&&) noexcept = default;
    tensor_value& operator=(const tensor_value& o) {
        if (this != &o) t_ = owned_copy(o.t_);
        return *this;
    }
    tensor_value& operator=(tensor_value&&) noexcept = default;
    ~tensor_value() = default;

    const at::Tensor& tensor() const& { return t_; }
    at::Tensor tensor() && { return std::move(t_); }
    operator const at::Tensor&() const { return t_; }  // NOLINT: implicit by design

    /// The leading (batch) dimensions: all but the trailing 1 (vector) or 2 (matrix).
    /// A default-constructed value (undefined tensor) has no batch: see the `like` convention.
    std::vector<std::int64_t> batch_shape() const {
        if (!t_.defined()) return {};
        const auto s = t_.sizes();
        return {s.begin(), s.end() - Trailing};
    }
    /// The number of samples: the product of the batch shape (1 without a batch), without a vector.
    long long batch_numel() const {
        long long n = 1;
        if (!t_.defined()) return n;
        for (std::int64_t i = 0; i + Trailing < t_.dim(); ++i) n *= t_.size(i);
        return n;
    }

private:
    at::Tensor t_;
};
}  // namespace detail

/// A batch of vectors: a tensor [..., n] (of dtype Scalar, by convention).
template <class Scalar> using vector = detail::tensor_value<Scalar, 1>;
/// A batch of matrices: a tensor [..., r, c] (of dtype Scalar, by convention).
template <class Scalar> using matrix = detail::tensor_value<Scalar, 2>;

}  // namespace latentwalk::torch

namespace latentwalk {

template <class Scalar>
struct backend_traits<torch::backend<Scalar>> : backend_defaults<torch::backend<Scalar>> {
    using scalar = Scalar;
    using vector = torch::vector<Scalar>;
    using matrix = torch::matrix<Scalar>;
    using batch_scalar = at::Tensor;
    using index = std::int64_t;
    static constexpr const char* name = std::is_same_v<Scalar, double> ? "torch<double>" : "torch<float>";

    struct qr_result { matrix Q; matrix R; };
    struct svd_result { matrix U; vector S; matrix V; };
    struct eig_result { vector values; matrix vectors; };

    static index size(const vector& x) { return x.tensor().size(-1); }
    static index rows(const matrix& A) { return A.tensor().size(-2); }
    static index cols(const matrix& A) { return A.tensor().size(-1); }

    template <class Like> static vector zeros(const Like& like, index n) {
        return at::zeros(shape(like, {n}), options(like));
    }
    template <class Like> static matrix zeros(const Like& like, index r, index c) {
        return at::zeros(shape(like, {r, c}), options(like));
    }
    template <class Like> static vector unit(const Like& like, index n, index i) {
        auto t = at::zeros(shape(like, {n}), options(like));
        t.select(-1, i).fill_(1);
        return t;
    }
    template <class Like> static matrix identity(const Like& like, index n) {
        return at::eye(n, options(like)).expand(shape(like, {n, n})).contiguous();
    }
    template <class Like> static vector from_values(const Like& like, std::span<const double> values) {
        const auto n = static_cast<index>(values.size());
        auto host = at::empty({n}, at::TensorOptions().dtype(at::kDouble));
        std::copy(values.begin(), values.end(), host.template data_ptr<double>());
        return host.to(options(like)).expand(shape(like, {n})).contiguous();
    }
    static std::vector<double> to_host(const vector& x) { return host_copy(x.tensor()); }
    static std::vector<double> to_host(const matrix& A) { return host_copy(A.tensor()); }

    static vector col(const matrix& A, index j) { return torch::detail::owned_copy(A.tensor().select(-1, j)); }
    static void set_col(matrix& A, index j, const vector& x) {
        at::Tensor t = A.tensor();
        const auto b = broadcast_batch(t, 2, x.tensor(), 1);
        if (!same_batch(t, 2, b)) {
            std::vector<std::int64_t> s = b;
            s.push_back(t.size(-2));
            s.push_back(t.size(-1));
            t = t.expand(s).contiguous();
        }
        t.select(-1, j).copy_(x.tensor());
        A = matrix(std::move(t));
    }
    static matrix block_cols(const matrix& A, index j, index c) {
        return torch::detail::owned_copy(A.tensor().narrow(-1, j, c));
    }
    static matrix hcat(const matrix& A, const matrix& M) {
        const auto b = broadcast_batch(A.tensor(), 2, M.tensor(), 2);
        return at::cat({expand_batch(A.tensor(), 2, b), expand_batch(M.tensor(), 2, b)}, -1);
    }

    static at::Tensor dot(const vector& x, const vector& y) { return (x.tensor() * y.tensor()).sum(-1); }
    /// ‖x‖₂ scaled by the largest |entry|, so that no finite x overflows or underflows.
    static at::Tensor norm(const vector& x) {
        const at::Tensor& t = x.tensor();
        auto s = t.abs().amax(-1, /*keepdim=*/true);
        auto safe = at::where(s > 0, s, at::ones_like(s));
        auto q = t / safe;
        return (q * q).sum(-1).sqrt() * s.squeeze(-1);
    }
    static vector add(const vector& x, const vector& y) { return x.tensor() + y.tensor(); }
    static vector sub(const vector& x, const vector& y) { return x.tensor() - y.tensor(); }
    static vector scale(const vector& x, const at::Tensor& a) { return x.tensor() * a.unsqueeze(-1); }
    static vector scale(const vector& x, double a) { return x.tensor() * a; }
    static vector axpy(const at::Tensor& a, const vector& x, const vector& y) {
        return x.tensor() * a.unsqueeze(-1) + y.tensor();
    }
    static vector axpy(double a, const vector& x, const vector& y) { return x.tensor() * a + y.tensor(); }
    static matrix axpy(const at::Tensor& a, const matrix& A, const matrix& M) {
        return A.tensor() * a.unsqueeze(-1).unsqueeze(-1) + M.tensor();
    }
    static matrix axpy(double a, const matrix& A, const matrix& M) { return A.tensor() * a + M.tensor(); }
    static matrix add(const matrix& A, const matrix& M) { return A.tensor() + M.tensor(); }
    static matrix sub(const matrix& A, const matrix& M) { return A.tensor() - M.tensor(); }
    static matrix scale(const matrix& A, const at::Tensor& a) { return A.tensor() * a.unsqueeze(-1).unsqueeze(-1); }
    static matrix scale(const matrix& A, double a) { return A.tensor() * a; }
    /// A diag(d), d [..., c] broadcast over the rows.
    static matrix scale_columns(const matrix& A, const vector& d) { return A.tensor() * d.tensor().unsqueeze(-2); }

    static vector matvec(const matrix& A, const vector& x) {
        return at::matmul(A.tensor(), x.tensor().unsqueeze(-1)).squeeze(-1);
    }
    static vector tmatvec(const matrix& A, const vector& x) {
        return at::matmul(A.tensor().transpose(-2, -1), x.tensor().unsqueeze(-1)).squeeze(-1);
    }
    static matrix matmul(const matrix& A, const matrix& M) { return at::matmul(A.tensor(), M.tensor()); }
    static matrix tmatmul(const matrix& A, const matrix& M) {
        return at::matmul(A.tensor().transpose(-2, -1), M.tensor());
    }
    static matrix transpose(const matrix& A) { return torch::detail::owned_copy(A.tensor().transpose(-2, -1)); }

    /// Reduced QR of each r×c matrix (r ≥ c): Q r×c with orthonormal columns, R c×c upper triangular.
    static qr_result thin_qr(const matrix& A) {
        auto [Q, R] = at::linalg_qr(A.tensor(), "reduced");
        return {matrix(std::move(Q)), matrix(std::move(R))};
    }
    /// Thin SVD of each matrix, singular values descending.
    static svd_result thin_svd(const matrix& A) {
        auto [U, S, Vh] = at::linalg_svd(A.tensor(), /*full_matrices=*/false);
        return {matrix(std::move(U)), vector(std::move(S)), matrix(Vh.transpose(-2, -1).contiguous())};
    }
    /// Singular values of each matrix, descending, without forming U and V.
    static vector singular_values(const matrix& A) { return at::linalg_svdvals(A.tensor()); }
    /// Eigendecomposition of each symmetric matrix, eigenvalues ascending.
    static eig_result sym_eig(const matrix& A) {
        auto [w, V] = at::linalg_eigh(A.tensor());
        return {vector(std::move(w)), matrix(std::move(V))};
    }

    /// Per column of each matrix, the sign (±1) of its entry of largest magnitude: the first such
    /// entry on a tie (argmax returns the first maximum), +1 for a zero column. Shape [..., c].
    static vector column_signs(const matrix& A) {
        const at::Tensor& t = A.tensor();
        if (t.size(-2) == 0) {  // no entries: every column counts as zero
            std::vector<std::int64_t> s(t.sizes().begin(), t.sizes().end() - 2);
            s.push_back(t.size(-1));
            return at::ones(s, options_of(t));
        }
        const auto at_max = t.gather(-2, t.abs().argmax(-2, /*keepdim=*/true)).squeeze(-2);
        return at::where(at_max < 0, at::full_like(at_max, -1), at::ones_like(at_max));
    }

    template <class Like, class Rng> static vector random_normal(const Like& like, index n, Rng& rng) {
        const auto b = like.batch_shape();
        std::int64_t samples = 1;
        for (auto d : b) samples *= d;
        std::normal_distribution<double> nd(0.0, 1.0);
        auto host = at::empty({samples, n}, at::TensorOptions().dtype(at::kDouble));
        double* p = host.template data_ptr<double>();
        for (std::int64_t k = 0; k < samples * n; ++k) p[k] = nd(rng);
        return host.reshape(shape(like, {n})).to(options(like));
    }
    template <class Like, class Rng> static matrix random_normal(const Like& like, index r, index c, Rng& rng) {
        const auto b = like.batch_shape();
        std::int64_t samples = 1;
        for (auto d : b) samples *= d;
        std::normal_distribution<double> nd(0.0, 1.0);
        auto host = at::empty({samples, c, r}, at::TensorOptions().dtype(at::kDouble));  // column by column
        double* p = host.template data_ptr<double>();
        for (std::int64_t k = 0; k < samples * r * c; ++k) p[k] = nd(rng);
        return host.transpose(-2, -1).reshape(shape(like, {r, c})).to(options(like)).contiguous();
    }

    template <class Like> static vector fill(const Like& like, index n, double value) {
        return at::full(shape(like, {n}), value, options(like));
    }
    static at::Tensor element(const vector& x, index i) { return torch::detail::owned_copy(x.tensor().select(-1, i)); }
    static at::Tensor sum(const vector& x) { return x.tensor().sum(-1); }
    static vector cwise_product(const vector& x, const vector& y) { return x.tensor() * y.tensor(); }
    static vector cwise_quotient(const vector& x, const vector& y) { return x.tensor() / y.tensor(); }
    static vector cwise_abs(const vector& x) { return x.tensor().abs(); }
    static vector cwise_sqrt(const vector& x) { return x.tensor().sqrt(); }
    static vector cwise_exp(const vector& x) { return x.tensor().exp(); }
    static vector cwise_log(const vector& x) { return x.tensor().log(); }
    static vector cwise_atan2(const vector& y, const vector& x) { return at::atan2(y.tensor(), x.tensor()); }
    static vector cwise_sin(const vector& x) { return x.tensor().sin(); }
    static vector cwise_cos(const vector& x) { return x.tensor().cos(); }
    static vector cwise_log1p(const vector& x) { return x.tensor().log1p(); }
    static vector cwise_expm1(const vector& x) { return x.tensor().expm1(); }
    /// The optional special-functions family.
    static vector cwise_erf(const vector& x) { return x.tensor().erf(); }
    static vector cwise_min(const vector& x, const vector& y) { return at::minimum(x.tensor(), y.tensor()); }
    static vector cwise_max(const vector& x, const vector& y) { return at::maximum(x.tensor(), y.tensor()); }
    static vector reverse(const vector& x) { return x.tensor().flip({-1}); }
    static vector head(const vector& x, index c) { return torch::detail::owned_copy(x.tensor().narrow(-1, 0, c)); }
    static vector segment(const vector& x, index i, index c) {
        return torch::detail::owned_copy(x.tensor().narrow(-1, i, c));
    }

    static bool all_finite(const vector& x) { return finite(x.tensor()); }
    static bool all_finite(const matrix& A) { return finite(A.tensor()); }
    static double max_abs(const vector& x) { return largest_abs(x.tensor()); }
    static double max_abs(const matrix& A) { return largest_abs(A.tensor()); }
    /// The largest per-sample value over the batch (one device synchronisation).
    static double host_max(const at::Tensor& a) { return a.max().template item<double>(); }
    /// The smallest per-sample value over the batch (one device synchronisation).
    static double host_min(const at::Tensor& a) { return a.min().template item<double>(); }
    /// The value of an unbatched scalar; throws dimension_error when a holds a batch of several.
    static double host_value(const at::Tensor& a) {
        if (a.numel() != 1)
            throw dimension_error("latentwalk::torch::backend::host_value: the scalar holds a batch of " +
                                  std::to_string(a.numel()) +
                                  " samples; host_value needs exactly one (use host_max or to_host).");
        return a.template item<double>();
    }

    // Deduced operations done by one kernel instead of backend_defaults' loops.
    /// The number of samples: the product of the batch shape (no host copy).
    template <class Like> static long long batch_size(const Like& like) { return like.batch_numel(); }
    /// The diagonal of each matrix, [..., min(r, c)].
    static vector diagonal(const matrix& A) {
        return A.tensor().diagonal(0, -2, -1).contiguous();
    }
    /// The norm of every column of each matrix, [..., c], overflow-safe like norm.
    static vector column_norms(const matrix& A) {
        const at::Tensor& t = A.tensor();
        auto s = t.abs().amax(-2, /*keepdim=*/true);
        auto safe = at::where(s > 0, s, at::ones_like(s));
        auto q = t / safe;
        return (q * q).sum(-2).sqrt() * s.squeeze(-2);
    }

    /// ‖A[:, j]‖² of each matrix, [..., c]: one reduction of A ⊙ A.
    static vector column_squared_norms(const matrix& A) { return (A.tensor() * A.tensor()).sum(-2); }

    // The optional block-products family (latentwalk/concepts/backend.hpp).
    /// The c columns of A [..., r, c] as a batch of vectors [c, ..., r].
    static vector columns_as_batch(const matrix& A) { return A.tensor().movedim(-1, 0).contiguous(); }
    /// The inverse of columns_as_batch: [c, ..., r] → [..., r, c].
    static matrix batch_as_columns(const vector& x) { return x.tensor().movedim(0, -1).contiguous(); }
    /// Columns j..j+c−1 of the identity I_n, with the like's batch shape: [..., n, c].
    template <class Like> static matrix unit_columns(const Like& like, index n, index j, index c) {
        return at::eye(n, options(like)).narrow(-1, j, c).expand(shape(like, {n, c})).contiguous();
    }

private:
    static at::TensorOptions options(const vector& like) { return options_of(like.tensor()); }
    static at::TensorOptions options(const matrix& like) { return options_of(like.tensor()); }
    static at::TensorOptions options_of(const at::Tensor& t) {
        if (!t.defined())  // a default-constructed `like`: CPU, this backend's dtype, no batch
            return at::TensorOptions().dtype(std::is_same_v<Scalar, double> ? at::kDouble : at::kFloat);
        return at::TensorOptions().dtype(t.scalar_type()).device(t.device());
    }
    template <class Like>
    static std::vector<std::int64_t> shape(const Like& like, std::initializer_list<std::int64_t> trailing) {
        auto s = like.batch_shape();
        s.insert(s.end(), trailing.begin(), trailing.end());
        return s;
    }
    static std::vector<std::int64_t> broadcast_batch(const at::Tensor& a, int ta, const at::Tensor& b, int tb) {
        const auto sa = a.sizes(), sb = b.sizes();
        return at::infer_size(at::IntArrayRef(sa.begin(), sa.end() - ta), at::IntArrayRef(sb.begin(), sb.end() - tb));
    }
    static bool same_batch(const at::Tensor& a, int ta, const std::vector<std::int64_t>& b) {
        const auto sa = a.sizes();
        return std::vector<std::int64_t>(sa.begin(), sa.end() - ta) == b;
    }
    static at::Tensor expand_batch(const at::Tensor& a, int ta, const std::vector<std::int64_t>& b) {
        if (same_batch(a, ta, b)) return a;
        std::vector<std::int64_t> s = b;
        const auto sa = a.sizes();
        s.insert(s.end(), sa.end() - ta, sa.end());
        return a.expand(s);
    }
    static std::vector<double> host_copy(const at::Tensor& t) {
        const auto h = t.detach().to(at::kCPU, at::kDouble).contiguous();
        const double* p = h.template data_ptr<double>();
        return {p, p + h.numel()};
    }
    static bool finite(const at::Tensor& t) { return t.numel() == 0 || at::isfinite(t).all().template item<bool>(); }
    static double largest_abs(const at::Tensor& t) {
        return t.numel() == 0 ? 0.0 : t.abs().max().template item<double>();
    }
};

/// torch::matrix<Scalar> and torch::vector<Scalar> deduce their backend (see backend_of).
template <class Scalar>
struct backend_of<torch::matrix<Scalar>> {
    using type = torch::backend<Scalar>;
};
template <class Scalar>
struct backend_of<torch::vector<Scalar>> {
    using type = torch::backend<Scalar>;
};

static_assert(Backend<torch::backend<double>>);
static_assert(Backend<torch::backend<float>>);
static_assert(BackendBlockProducts<torch::backend<double>>);

}  // namespace latentwalk
