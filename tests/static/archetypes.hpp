#pragma once
// Archetypes: types that model a concept and nothing more. Every core algorithm is instantiated with
// them (tests/static/concepts.cpp), so no algorithm quietly needs more than its concept says.
// They use only the standard library: a backend over std::vector<double> with no batch dimension.
#include <cmath>
#include <concepts>
#include <algorithm>
#include <cstddef>
#include <random>
#include <span>
#include <type_traits>
#include <vector>

#include <latentwalk/concepts/backend.hpp>
#include <latentwalk/concepts/density_model.hpp>
#include <latentwalk/concepts/generator.hpp>
#include <latentwalk/concepts/potential_field.hpp>

namespace latentwalk::test {

struct archetype_backend {};
struct archetype_batched_backend {};
template <class Tag> struct basic_archetype_vector;
template <class Tag> struct basic_archetype_matrix;

template <class Tag>
struct basic_archetype_vector {
    std::vector<double> v;
};
template <class Tag>
struct basic_archetype_matrix {  // column-major r×c
    std::ptrdiff_t r = 0, c = 0;
    std::vector<double> a;
    double& operator()(std::ptrdiff_t i, std::ptrdiff_t j) { return a[static_cast<std::size_t>(j * r + i)]; }
    double operator()(std::ptrdiff_t i, std::ptrdiff_t j) const { return a[static_cast<std::size_t>(j * r + i)]; }
};
using archetype_vector = basic_archetype_vector<archetype_backend>;
using archetype_matrix = basic_archetype_matrix<archetype_backend>;

}  // namespace latentwalk::test

namespace latentwalk::test {

/// The batched archetype's per-sample scalar: exactly the arithmetic the table of valid
/// expressions declares (unary minus, + − × ÷ between two of them and with a host scalar) and
/// nothing more — no comparison, no conversion to double, no std::sqrt — so that an algorithm that
/// treats a batch_scalar as a double fails to compile against archetype_batched_backend.
class archetype_batch_scalar {
public:
    static archetype_batch_scalar of(double v) { return archetype_batch_scalar(v); }
    double get() const { return v_; }  // for the archetype's own traits only
    friend archetype_batch_scalar operator-(archetype_batch_scalar a) { return of(-a.v_); }
    friend archetype_batch_scalar operator+(archetype_batch_scalar a, archetype_batch_scalar b) { return of(a.v_ + b.v_); }
    friend archetype_batch_scalar operator-(archetype_batch_scalar a, archetype_batch_scalar b) { return of(a.v_ - b.v_); }
    friend archetype_batch_scalar operator*(archetype_batch_scalar a, archetype_batch_scalar b) { return of(a.v_ * b.v_); }
    friend archetype_batch_scalar operator/(archetype_batch_scalar a, archetype_batch_scalar b) { return of(a.v_ / b.v_); }
    // With a host scalar: exactly double (the archetypes' scalar), no other arithmetic type.
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator+(S s, archetype_batch_scalar a) { return of(s + a.v_); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator+(archetype_batch_scalar a, S s) { return of(a.v_ + s); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator-(S s, archetype_batch_scalar a) { return of(s - a.v_); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator-(archetype_batch_scalar a, S s) { return of(a.v_ - s); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator*(S s, archetype_batch_scalar a) { return of(s * a.v_); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator*(archetype_batch_scalar a, S s) { return of(a.v_ * s); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator/(S s, archetype_batch_scalar a) { return of(s / a.v_); }
    template <class S> requires std::same_as<S, double>
    friend archetype_batch_scalar operator/(archetype_batch_scalar a, S s) { return of(a.v_ / s); }

private:
    explicit archetype_batch_scalar(double v) : v_(v) {}
    double v_;
};

inline double archetype_value(double a) { return a; }
inline double archetype_value(archetype_batch_scalar a) { return a.get(); }
template <class BS> BS archetype_make(double v) {
    if constexpr (std::is_same_v<BS, double>) return v; else return BS::of(v);
}

template <class V, class F> V archetype_map(const V& x, F f) {
    V r = x;
    for (auto& e : r.v) e = f(e);
    return r;
}
template <class V, class F> V archetype_zip(const V& x, const V& y, F f) {
    V r = x;
    for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] = f(x.v[i], y.v[i]);
    return r;
}

/// A deliberately naive backend that writes the required families and nothing more (46
/// signatures); backend_defaults supplies the rest. BS is its batch_scalar: double, or
/// archetype_batch_scalar for the batched archetype.
template <class Tag, class BS>
struct archetype_traits_base {
    using scalar = double;
    using vector = basic_archetype_vector<Tag>;
    using matrix = basic_archetype_matrix<Tag>;
    using batch_scalar = BS;
    using index = std::ptrdiff_t;
    static constexpr const char* name = "archetype";
    struct qr_result { matrix Q; matrix R; };
    struct svd_result { matrix U; vector S; matrix V; };
    struct eig_result { vector values; matrix vectors; };

    static index size(const vector& x) { return static_cast<index>(x.v.size()); }
    static index rows(const matrix& A) { return A.r; }
    static index cols(const matrix& A) { return A.c; }
    template <class L> static vector zeros(const L&, index n) { return {std::vector<double>(static_cast<std::size_t>(n))}; }
    template <class L> static matrix zeros(const L&, index r, index c) {
        return {r, c, std::vector<double>(static_cast<std::size_t>(r * c))};
    }
    template <class L> static vector from_values(const L&, std::span<const double> s) { return {{s.begin(), s.end()}}; }
    static std::vector<double> to_host(const vector& x) { return x.v; }
    static vector col(const matrix& A, index j) {
        return {{A.a.begin() + j * A.r, A.a.begin() + (j + 1) * A.r}};
    }
    static void set_col(matrix& A, index j, const vector& x) {
        for (index i = 0; i < A.r; ++i) A(i, j) = x.v[static_cast<std::size_t>(i)];
    }
    static matrix block_cols(const matrix& A, index j, index c) {
        return {A.r, c, {A.a.begin() + j * A.r, A.a.begin() + (j + c) * A.r}};
    }
    static matrix hcat(const matrix& A, const matrix& M) {
        matrix out{A.r, A.c + M.c, A.a};
        out.a.insert(out.a.end(), M.a.begin(), M.a.end());
        return out;
    }
    static vector segment(const vector& x, index i, index c) { return {{x.v.begin() + i, x.v.begin() + i + c}}; }
    static BS dot(const vector& x, const vector& y) {
        double s = 0;
        for (std::size_t i = 0; i < x.v.size(); ++i) s += x.v[i] * y.v[i];
        return archetype_make<BS>(s);
    }
    static BS norm(const vector& x) { return archetype_make<BS>(std::sqrt(archetype_value(dot(x, x)))); }
    static vector axpy(double a, const vector& x, const vector& y) {
        vector r = y;
        for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] += a * x.v[i];
        return r;
    }
    static matrix axpy(double a, const matrix& A, const matrix& M) { return {A.r, A.c, axpy(a, vector{A.a}, vector{M.a}).v}; }
    // The batched archetype's per-sample coefficient (for the unbatched one these are the same
    // functions as above: batch_scalar is double).
    template <class S> requires(!std::is_same_v<BS, double> && std::is_same_v<S, BS>)
    static vector axpy(const S& a, const vector& x, const vector& y) { return axpy(a.get(), x, y); }
    template <class S> requires(!std::is_same_v<BS, double> && std::is_same_v<S, BS>)
    static matrix axpy(const S& a, const matrix& A, const matrix& M) { return axpy(a.get(), A, M); }
    static matrix scale_columns(const matrix& A, const vector& d) {
        matrix out = A;
        for (index j = 0; j < A.c; ++j)
            for (index i = 0; i < A.r; ++i) out(i, j) *= d.v[static_cast<std::size_t>(j)];
        return out;
    }
    static vector matvec(const matrix& A, const vector& x) {
        vector y{std::vector<double>(static_cast<std::size_t>(A.r))};
        for (index j = 0; j < A.c; ++j)
            for (index i = 0; i < A.r; ++i) y.v[static_cast<std::size_t>(i)] += A(i, j) * x.v[static_cast<std::size_t>(j)];
        return y;
    }
    static matrix transpose(const matrix& A) {
        matrix T{A.c, A.r, std::vector<double>(A.a.size())};
        for (index j = 0; j < A.c; ++j)
            for (index i = 0; i < A.r; ++i) T(j, i) = A(i, j);
        return T;
    }
    static matrix matmul(const matrix& A, const matrix& M) {
        matrix P{A.r, M.c, std::vector<double>(static_cast<std::size_t>(A.r * M.c))};
        for (index j = 0; j < M.c; ++j) set_col(P, j, matvec(A, col(M, j)));
        return P;
    }
    // The archetype's factorizations exist for the compile-time contract only; they are never run.
    static qr_result thin_qr(const matrix& A) { return {A, A}; }
    static svd_result thin_svd(const matrix& A) { return {A, {}, A}; }
    static eig_result sym_eig(const matrix& A) { return {{}, A}; }
    static vector column_signs(const matrix& A) {
        vector s{std::vector<double>(static_cast<std::size_t>(A.c), 1.0)};
        for (index j = 0; j < A.c; ++j) {
            index best = 0;
            for (index i = 1; i < A.r; ++i)
                if (std::abs(A(i, j)) > std::abs(A(best, j))) best = i;
            if (A.r > 0 && A(best, j) < 0) s.v[static_cast<std::size_t>(j)] = -1.0;
        }
        return s;
    }
    template <class L, class R> static vector random_normal(const L&, index n, R& rng) {
        std::normal_distribution<double> nd;
        vector x{std::vector<double>(static_cast<std::size_t>(n))};
        for (auto& e : x.v) e = nd(rng);
        return x;
    }
    template <class L, class R> static matrix random_normal(const L&, index r, index c, R& rng) {
        std::normal_distribution<double> nd;
        matrix A{r, c, std::vector<double>(static_cast<std::size_t>(r * c))};
        for (auto& e : A.a) e = nd(rng);
        return A;
    }
    template <class L> static vector fill(const L&, index n, double s) {
        return {std::vector<double>(static_cast<std::size_t>(n), s)};
    }
    static vector cwise_product(const vector& x, const vector& y) { return archetype_zip(x, y, [](double a, double b) { return a * b; }); }
    static vector cwise_quotient(const vector& x, const vector& y) { return archetype_zip(x, y, [](double a, double b) { return a / b; }); }
    static vector cwise_abs(const vector& x) { return archetype_map(x, [](double a) { return std::abs(a); }); }
    static vector cwise_sqrt(const vector& x) { return archetype_map(x, [](double a) { return std::sqrt(a); }); }
    static vector cwise_exp(const vector& x) { return archetype_map(x, [](double a) { return std::exp(a); }); }
    static vector cwise_log(const vector& x) { return archetype_map(x, [](double a) { return std::log(a); }); }
    static vector cwise_atan2(const vector& y, const vector& x) { return archetype_zip(y, x, [](double a, double b) { return std::atan2(a, b); }); }
    static vector cwise_sin(const vector& x) { return archetype_map(x, [](double a) { return std::sin(a); }); }
    static vector cwise_cos(const vector& x) { return archetype_map(x, [](double a) { return std::cos(a); }); }
    static vector cwise_log1p(const vector& x) { return archetype_map(x, [](double a) { return std::log1p(a); }); }
    static vector cwise_expm1(const vector& x) { return archetype_map(x, [](double a) { return std::expm1(a); }); }
    static vector cwise_max(const vector& x, const vector& y) { return archetype_zip(x, y, [](double a, double b) { return std::max(a, b); }); }
    static vector reverse(const vector& x) { return {{x.v.rbegin(), x.v.rend()}}; }
    static bool all_finite(const vector& x) {
        for (double e : x.v) if (!std::isfinite(e)) return false;
        return true;
    }
    static bool all_finite(const matrix& A) { return all_finite(vector{A.a}); }
    static double max_abs(const vector& x) {
        double m = 0;
        for (double e : x.v) m = std::max(m, std::abs(e));
        return m;
    }
    static double max_abs(const matrix& A) { return max_abs(vector{A.a}); }
    static double host_max(const BS& a) { return archetype_value(a); }
    static double host_value(const BS& a) { return archetype_value(a); }
};

}  // namespace latentwalk::test

namespace latentwalk {

/// The unbatched archetype: batch_scalar is double.
template <>
struct backend_traits<test::archetype_backend> : test::archetype_traits_base<test::archetype_backend, double>,
                                                 backend_defaults<test::archetype_backend> {};

/// The batched archetype: a batch_scalar with the table's arithmetic only. Its matrices deduce
/// their backend (backend_of), so that the plain-matrix entry points instantiate with it too.
template <>
struct backend_traits<test::archetype_batched_backend> : test::archetype_traits_base<test::archetype_batched_backend, test::archetype_batch_scalar>,
                                                         backend_defaults<test::archetype_batched_backend> {};
template <>
struct backend_of<test::basic_archetype_matrix<test::archetype_batched_backend>> {
    using type = test::archetype_batched_backend;
};

}  // namespace latentwalk

namespace latentwalk::test {

using AB = backend_traits<archetype_backend>;

/// Generator archetype: latent_dim, output_dim, g(z) — f(z) = (z₀², z₀ z₁, sin z₁). No derivatives.
/// Tag: archetype_backend, or archetype_batched_backend for the batched instantiations.
template <class Tag>
struct basic_archetype_generator {
    using backend = Tag;
    using archetype_vector = basic_archetype_vector<Tag>;
    std::ptrdiff_t latent_dim() const { return 2; }
    std::ptrdiff_t output_dim() const { return 3; }
    archetype_vector operator()(const archetype_vector& z) const {
        const double a = z.v[0], b = z.v[1];
        return {{a * a, a * b, std::sin(b)}};
    }
};

/// DifferentiableGenerator archetype providing only jvp (the rest must be derived).
template <class Tag>
struct basic_archetype_jvp_generator : basic_archetype_generator<Tag> {
    using archetype_vector = basic_archetype_vector<Tag>;
    archetype_vector jvp(const archetype_vector& z, const archetype_vector& v) const {
        const double a = z.v[0], b = z.v[1];
        return {{2 * a * v.v[0], b * v.v[0] + a * v.v[1], std::cos(b) * v.v[1]}};
    }
};

/// DifferentiableGenerator archetype providing only vjp.
template <class Tag>
struct basic_archetype_vjp_generator : basic_archetype_generator<Tag> {
    using archetype_vector = basic_archetype_vector<Tag>;
    archetype_vector vjp(const archetype_vector& z, const archetype_vector& u) const {
        const double a = z.v[0], b = z.v[1];
        return {{2 * a * u.v[0] + b * u.v[1], a * u.v[1] + std::cos(b) * u.v[2]}};
    }
};

/// PotentialField archetype: u(z, t) = t ⟨a, z⟩ with a = (1, 2).
template <class Tag>
struct basic_archetype_potential {
    using backend = Tag;
    using BS = batch_scalar_t<Tag>;
    using archetype_vector = basic_archetype_vector<Tag>;
    std::ptrdiff_t dim() const { return 2; }
    BS value(const archetype_vector& z, const BS& t) const {
        return archetype_make<BS>(archetype_value(t) * (z.v[0] + 2 * z.v[1]));
    }
    archetype_vector gradient(const archetype_vector&, const BS& t) const {
        const double s = archetype_value(t);
        return {{s, 2 * s}};
    }
};

/// DensityModel archetype: N(0, I₂).
template <class Tag>
struct basic_archetype_density {
    using backend = Tag;
    using T = backend_traits<Tag>;
    using archetype_vector = basic_archetype_vector<Tag>;
    std::ptrdiff_t dim() const { return 2; }
    batch_scalar_t<Tag> log_density(const archetype_vector& z) const {
        return -0.5 * T::dot(z, z) - T::constant(z, std::log(2 * 3.14159265358979323846));
    }
    archetype_vector score(const archetype_vector& z) const { return T::scale(z, -1.0); }
};

using archetype_generator = basic_archetype_generator<archetype_backend>;
using archetype_jvp_generator = basic_archetype_jvp_generator<archetype_backend>;
using archetype_vjp_generator = basic_archetype_vjp_generator<archetype_backend>;
using archetype_potential = basic_archetype_potential<archetype_backend>;
using archetype_density = basic_archetype_density<archetype_backend>;

}  // namespace latentwalk::test
