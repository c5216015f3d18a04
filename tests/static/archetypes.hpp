#pragma once
// Archetypes: types that model a concept and nothing more. Every core algorithm is instantiated with
// them (tests/static/concepts.cpp), so no algorithm quietly needs more than its concept says.
// They use only the standard library: a backend over std::vector<double> with no batch dimension.
#include <cmath>
#include <algorithm>
#include <cstddef>
#include <random>
#include <span>
#include <vector>

#include <latentwalk/concepts/backend.hpp>
#include <latentwalk/concepts/density_model.hpp>
#include <latentwalk/concepts/generator.hpp>
#include <latentwalk/concepts/potential_field.hpp>

namespace latentwalk::test {

struct archetype_backend {};

struct archetype_vector {
    std::vector<double> v;
};
struct archetype_matrix {  // column-major r×c
    std::ptrdiff_t r = 0, c = 0;
    std::vector<double> a;
    double& operator()(std::ptrdiff_t i, std::ptrdiff_t j) { return a[static_cast<std::size_t>(j * r + i)]; }
    double operator()(std::ptrdiff_t i, std::ptrdiff_t j) const { return a[static_cast<std::size_t>(j * r + i)]; }
};

}  // namespace latentwalk::test

namespace latentwalk {

/// A deliberately naive, complete backend: enough for compile-time checks and small runs.
template <>
struct backend_traits<test::archetype_backend> {
    using scalar = double;
    using vector = test::archetype_vector;
    using matrix = test::archetype_matrix;
    using batch_scalar = double;
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
    template <class L> static vector unit(const L& l, index n, index i) {
        auto x = zeros(l, n);
        x.v[static_cast<std::size_t>(i)] = 1;
        return x;
    }
    template <class L> static matrix identity(const L& l, index n) {
        auto A = zeros(l, n, n);
        for (index i = 0; i < n; ++i) A(i, i) = 1;
        return A;
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
    static double dot(const vector& x, const vector& y) {
        double s = 0;
        for (std::size_t i = 0; i < x.v.size(); ++i) s += x.v[i] * y.v[i];
        return s;
    }
    static double norm(const vector& x) { return std::sqrt(dot(x, x)); }
    static vector axpy(double a, const vector& x, const vector& y) {
        vector r = y;
        for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] += a * x.v[i];
        return r;
    }
    static vector add(const vector& x, const vector& y) { return axpy(1, x, y); }
    static matrix add(const matrix& A, const matrix& M) { return {A.r, A.c, add(vector{A.a}, vector{M.a}).v}; }
    static matrix sub(const matrix& A, const matrix& M) { return {A.r, A.c, axpy(-1, vector{M.a}, vector{A.a}).v}; }
    static matrix scale(const matrix& A, double a) { return {A.r, A.c, axpy(a - 1, vector{A.a}, vector{A.a}).v}; }
    static matrix scale_columns(const matrix& A, const vector& d) {
        matrix out = A;
        for (index j = 0; j < A.c; ++j)
            for (index i = 0; i < A.r; ++i) out(i, j) *= d.v[static_cast<std::size_t>(j)];
        return out;
    }
    static vector sub(const vector& x, const vector& y) { return axpy(-1, y, x); }
    static vector scale(const vector& x, double a) { return axpy(a - 1, x, x); }
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
    static vector tmatvec(const matrix& A, const vector& x) { return matvec(transpose(A), x); }
    static matrix matmul(const matrix& A, const matrix& M) {
        matrix P{A.r, M.c, std::vector<double>(static_cast<std::size_t>(A.r * M.c))};
        for (index j = 0; j < M.c; ++j) set_col(P, j, matvec(A, col(M, j)));
        return P;
    }
    static matrix tmatmul(const matrix& A, const matrix& M) { return matmul(transpose(A), M); }
    // The archetype's factorizations exist for the compile-time contract only; they are never run.
    static qr_result thin_qr(const matrix& A) { return {A, A}; }
    static svd_result thin_svd(const matrix& A) { return {A, {}, A}; }
    static vector singular_values(const matrix&) { return {}; }
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
    static double element(const vector& x, index i) { return x.v[static_cast<std::size_t>(i)]; }
    static double sum(const vector& x) {
        double s = 0;
        for (double e : x.v) s += e;
        return s;
    }
    template <class F> static vector map(const vector& x, F f) {
        vector r = x;
        for (auto& e : r.v) e = f(e);
        return r;
    }
    template <class F> static vector zip(const vector& x, const vector& y, F f) {
        vector r = x;
        for (std::size_t i = 0; i < r.v.size(); ++i) r.v[i] = f(x.v[i], y.v[i]);
        return r;
    }
    static vector cwise_product(const vector& x, const vector& y) { return zip(x, y, [](double a, double b) { return a * b; }); }
    static vector cwise_quotient(const vector& x, const vector& y) { return zip(x, y, [](double a, double b) { return a / b; }); }
    static vector cwise_abs(const vector& x) { return map(x, [](double a) { return std::abs(a); }); }
    static vector cwise_sqrt(const vector& x) { return map(x, [](double a) { return std::sqrt(a); }); }
    static vector cwise_exp(const vector& x) { return map(x, [](double a) { return std::exp(a); }); }
    static vector cwise_log(const vector& x) { return map(x, [](double a) { return std::log(a); }); }
    static vector cwise_tanh(const vector& x) { return map(x, [](double a) { return std::tanh(a); }); }
    static vector cwise_atan2(const vector& y, const vector& x) { return zip(y, x, [](double a, double b) { return std::atan2(a, b); }); }
    static vector cwise_sin(const vector& x) { return map(x, [](double a) { return std::sin(a); }); }
    static vector cwise_cos(const vector& x) { return map(x, [](double a) { return std::cos(a); }); }
    static vector cwise_log1p(const vector& x) { return map(x, [](double a) { return std::log1p(a); }); }
    static vector cwise_expm1(const vector& x) { return map(x, [](double a) { return std::expm1(a); }); }
    static vector cwise_min(const vector& x, const vector& y) { return zip(x, y, [](double a, double b) { return std::min(a, b); }); }
    static vector cwise_max(const vector& x, const vector& y) { return zip(x, y, [](double a, double b) { return std::max(a, b); }); }
    static vector reverse(const vector& x) { return {{x.v.rbegin(), x.v.rend()}}; }
    static vector head(const vector& x, index c) { return {{x.v.begin(), x.v.begin() + c}}; }
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
    static double host_max(double a) { return a; }
    static double host_value(double a) { return a; }
};

}  // namespace latentwalk

namespace latentwalk::test {

using AB = backend_traits<archetype_backend>;

/// Generator archetype: latent_dim, output_dim, g(z) — f(z) = (z₀², z₀ z₁, sin z₁). No derivatives.
struct archetype_generator {
    using backend = archetype_backend;
    std::ptrdiff_t latent_dim() const { return 2; }
    std::ptrdiff_t output_dim() const { return 3; }
    archetype_vector operator()(const archetype_vector& z) const {
        const double a = z.v[0], b = z.v[1];
        return {{a * a, a * b, std::sin(b)}};
    }
};

/// DifferentiableGenerator archetype providing only jvp (the rest must be derived).
struct archetype_jvp_generator : archetype_generator {
    archetype_vector jvp(const archetype_vector& z, const archetype_vector& v) const {
        const double a = z.v[0], b = z.v[1];
        return {{2 * a * v.v[0], b * v.v[0] + a * v.v[1], std::cos(b) * v.v[1]}};
    }
};

/// DifferentiableGenerator archetype providing only vjp.
struct archetype_vjp_generator : archetype_generator {
    archetype_vector vjp(const archetype_vector& z, const archetype_vector& u) const {
        const double a = z.v[0], b = z.v[1];
        return {{2 * a * u.v[0] + b * u.v[1], a * u.v[1] + std::cos(b) * u.v[2]}};
    }
};

/// PotentialField archetype: u(z, t) = t ⟨a, z⟩ with a = (1, 2).
struct archetype_potential {
    using backend = archetype_backend;
    std::ptrdiff_t dim() const { return 2; }
    double value(const archetype_vector& z, double t) const { return t * (z.v[0] + 2 * z.v[1]); }
    archetype_vector gradient(const archetype_vector&, double t) const { return {{t, 2 * t}}; }
};

/// DensityModel archetype: N(0, I₂).
struct archetype_density {
    using backend = archetype_backend;
    std::ptrdiff_t dim() const { return 2; }
    double log_density(const archetype_vector& z) const { return -0.5 * AB::dot(z, z) - std::log(2 * 3.14159265358979323846); }
    archetype_vector score(const archetype_vector& z) const { return AB::scale(z, -1); }
};

}  // namespace latentwalk::test
