#pragma once
// latentwalk/grassmann/grassmann_distance.hpp — the family of distances between subspaces.
//
// With θ the principal angles (ascending, see principal_angles.hpp):
//
// | grassmann_metric      | value                         | other names in the literature                      |
// |-----------------------|-------------------------------|----------------------------------------------------|
// | geodesic              | ‖θ‖₂                          | arc length, Riemannian distance                    |
// | projection_frobenius  | ‖sin θ‖₂ = ‖P_A − P_B‖_F / √2 | chordal distance (Conway–Hardin–Sloane)            |
// | projection_2          | sin θ_max = ‖P_A − P_B‖₂      | gap; "projection metric" in Local Basis            |
// | procrustes            | 2 ‖sin(θ/2)‖₂ = min_Q ‖Q_A − Q_B Q‖_F | chordal Frobenius (Edelman–Arias–Smith)    |
// | spectral              | 2 sin(θ_max/2) = min_Q ‖Q_A − Q_B Q‖₂ | chordal 2-norm (Edelman–Arias–Smith)       |
// | fubini_study          | arccos(∏ cos θ_i)             |                                                    |
// | binet_cauchy          | sqrt(1 − ∏ cos² θ_i)          |                                                    |
// | martin                | sqrt(−2 Σ log cos θ_i)        | (cepstral distance of ARMA models, Martin 2000)    |
// | asimov                | θ_max                         | max angle                                          |
//
// Naming collisions. "Chordal distance" means two different things: Conway, Hardin and Sloane's
// chordal distance is the projection Frobenius distance ‖sin θ‖₂ (the chord of the embedding of
// the Grassmannian by projectors, up to √2), while Edelman, Arias and Smith's "chordal Frobenius"
// and "chordal 2-norm" distances are the Procrustes distances 2‖sin(θ/2)‖ and 2 sin(θ_max/2)
// (chords of the embedding by orthonormal bases, minimized over bases). Likewise "projection
// metric" in Local Basis is the 2-norm version sin θ_max, not ‖sin θ‖₂; and "spectral distance"
// sometimes means sin θ_max (the gap). latentwalk names each by its formula above.
//
// Cancellation-free evaluation: every formula is evaluated from the accurate sines and cosines,
// never through 1 − cos θ: 2 sin(θ/2) = sin θ · sqrt(2 / (1 + cos θ)); log cos θ = log1p(−sin²θ /
// (1 + cos θ)); ∏ cos θ = exp(L) and 1 − ∏ cos² θ = −expm1(2L) with L = Σ log cos θ; arccos(∏ cos θ) =
// atan2(sqrt(−expm1(2L)), exp(L)). So every distance keeps full relative accuracy for tiny angles
// (the naive formulas return 0 below about 1e-8).
//
// Subspaces of different dimensions p ≠ q. By default (dimension_mismatch::pad_right_angles) the
// |p − q| missing angles count as π/2, which makes the distance one between subspaces of the same
// larger dimension completed by orthogonal directions (Ye–Lim). Then projection_2 = 1, spectral =
// √2, asimov = fubini_study = π/2, binet_cauchy = 1 and martin = +inf whenever p ≠ q.
// dimension_mismatch::common_angles_only uses only the min(p, q) angles (a premetric only).
//
// Martin at θ = π/2 (cos θ = 0): the distance is infinite; latentwalk returns +inf rather than
// throwing, so that tables of distances stay computable.
#include <limits>
#include <numbers>
#include <string_view>

#include "../concepts/backend.hpp"
#include "principal_angles.hpp"

namespace latentwalk {

/// The distances between subspaces; see the table at the top of grassmann_distance.hpp.
enum class grassmann_metric {
    geodesic,
    projection_frobenius,
    projection_2,
    procrustes,
    spectral,
    fubini_study,
    binet_cauchy,
    martin,
    asimov,
};

/// Every metric, in declaration order.
inline constexpr grassmann_metric all_grassmann_metrics[] = {
    grassmann_metric::geodesic,     grassmann_metric::projection_frobenius, grassmann_metric::projection_2,
    grassmann_metric::procrustes,   grassmann_metric::spectral,             grassmann_metric::fubini_study,
    grassmann_metric::binet_cauchy, grassmann_metric::martin,               grassmann_metric::asimov,
};

/// The metric's name as written in the enum.
constexpr std::string_view metric_name(grassmann_metric m) {
    switch (m) {
        case grassmann_metric::geodesic: return "geodesic";
        case grassmann_metric::projection_frobenius: return "projection_frobenius";
        case grassmann_metric::projection_2: return "projection_2";
        case grassmann_metric::procrustes: return "procrustes";
        case grassmann_metric::spectral: return "spectral";
        case grassmann_metric::fubini_study: return "fubini_study";
        case grassmann_metric::binet_cauchy: return "binet_cauchy";
        case grassmann_metric::martin: return "martin";
        case grassmann_metric::asimov: return "asimov";
    }
    return "unknown";
}

/// What a distance does with the |p − q| angles that subspaces of different dimensions lack.
enum class dimension_mismatch {
    pad_right_angles,    ///< count them as π/2 (default; a metric on subspaces of all dimensions)
    common_angles_only,  ///< ignore them (only the min(p, q) angles)
};

namespace detail::grassmann {

/// sqrt(‖x‖² + extra) as a per-sample scalar (extra ≥ 0 a host constant).
template <class B>
batch_scalar_t<B> norm_with_extra(const vector_t<B>& x, double extra) {
    using T = backend_traits<B>;
    if (extra == 0.0) return T::norm(x);
    const auto n = T::lift(x, T::norm(x));
    return T::lower(T::cwise_sqrt(T::add(T::cwise_product(n, n), T::fill(n, 1, extra))));
}

}  // namespace detail::grassmann

/// A distance from principal angles already computed (see principal_angles). Never throws.
template <class B>
batch_scalar_t<B> grassmann_distance_from_angles(const principal_angles_result<B>& pa, grassmann_metric metric,
                                                 dimension_mismatch mismatch = dimension_mismatch::pad_right_angles) {
    using T = backend_traits<B>;
    namespace g = detail::grassmann;
    constexpr double half_pi = std::numbers::pi / 2;
    const double m = mismatch == dimension_mismatch::pad_right_angles ? static_cast<double>(pa.missing) : 0.0;
    const bool padded = m > 0;
    const auto& th = pa.angles;
    const auto& s = pa.sines;
    const auto& c = pa.cosines;
    const auto last = T::size(th) - 1;  // the largest angle
    const auto one = T::fill(th, T::size(th), 1.0);
    const auto one_plus_cos = T::add(one, c);
    // 2 sin(θ/2) = sin θ · sqrt(2 / (1 + cos θ)), ascending with θ.
    const auto chord = [&] { return T::cwise_product(s, T::cwise_sqrt(T::cwise_quotient(T::fill(th, T::size(th), 2.0), one_plus_cos))); };
    // L = Σ log cos θ = Σ log1p(−sin²θ / (1 + cos θ)) as a 1-vector; −inf once an angle is π/2.
    const auto log_prod_cos = [&] {
        if (padded) return T::fill(th, 1, -std::numeric_limits<double>::infinity());
        const auto terms = T::cwise_log1p(T::scale(T::cwise_quotient(T::cwise_product(s, s), one_plus_cos),
                                                   T::constant(th, -1.0)));
        return T::lift(th, T::sum(terms));
    };
    const auto constant = [&](double v) { return T::constant(th, v); };
    switch (metric) {
        case grassmann_metric::geodesic: return g::norm_with_extra<B>(th, m * half_pi * half_pi);
        case grassmann_metric::projection_frobenius: return g::norm_with_extra<B>(s, m);
        case grassmann_metric::projection_2: return padded ? constant(1.0) : T::element(s, last);
        case grassmann_metric::procrustes: return g::norm_with_extra<B>(chord(), 2.0 * m);
        case grassmann_metric::spectral: return padded ? constant(std::numbers::sqrt2) : T::element(chord(), last);
        case grassmann_metric::asimov: return padded ? constant(half_pi) : T::element(th, last);
        case grassmann_metric::fubini_study: {
            const auto L = log_prod_cos();
            const auto two_L = T::add(L, L);
            const auto sin_fs = T::cwise_sqrt(T::scale(T::cwise_expm1(two_L), constant(-1.0)));
            return T::lower(T::cwise_atan2(sin_fs, T::cwise_exp(L)));
        }
        case grassmann_metric::binet_cauchy: {
            const auto L = log_prod_cos();
            return T::lower(T::cwise_sqrt(T::scale(T::cwise_expm1(T::add(L, L)), constant(-1.0))));
        }
        case grassmann_metric::martin: {
            const auto L = log_prod_cos();
            return T::lower(T::cwise_sqrt(T::scale(L, constant(-2.0))));
        }
    }
    return T::norm(th);  // not reached: every enumerator is handled above
}

/// Fallback: the arguments are not matrices of a backend that latentwalk knows.
template <class M, class... Rest>
    requires(!BackendMatrix<M>)
auto grassmann_distance(const M&, const M&, const Rest&...) {
    LATENTWALK_REQUIRE_BACKEND_MATRIX(M, "grassmann_distance", "the bases");
}

/// The distance between span(A) and span(Bm) (full column rank, same ambient dimension).
/// Throws like principal_angles (rank deficiency, ambient mismatch, NaN/Inf).
template <BackendMatrix M>
batch_scalar_t<backend_of_t<M>> grassmann_distance(const M& A, const M& Bm, grassmann_metric metric,
                                                   dimension_mismatch mismatch = dimension_mismatch::pad_right_angles) {
    using B = backend_of_t<M>;
    const auto pa = detail::grassmann::principal_angles_checked<B>("grassmann_distance", A, Bm);
    return grassmann_distance_from_angles<B>(pa, metric, mismatch);
}

}  // namespace latentwalk
