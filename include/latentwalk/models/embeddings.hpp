#pragma once
// latentwalk/models/embeddings.hpp — the round sphere and the torus of revolution in R³ as 2-D
// latent generators on any backend, with exact Jacobians (closed forms for tests and teaching).
//
//     latentwalk::sphere_embedding<B> s(1.0);         // z = (θ, φ)
//     latentwalk::torus_embedding<B> t(2.0, 1.0);     // z = (u, v)
//
// sphere_embedding, radius R: f(θ, φ) = R (sin θ cos φ, sin θ sin φ, cos θ); J has orthogonal
// columns ∂f/∂θ = R (cos θ cos φ, cos θ sin φ, −sin θ), ∂f/∂φ = R sin θ (−sin φ, cos φ, 0), singular
// values R and R|sin θ| (the chart degenerates at the poles).
// torus_embedding, radii R > r: f(u, v) = ((R + r cos v) cos u, (R + r cos v) sin u, r sin v); J has
// orthogonal columns (R + r cos v)(−sin u, cos u, 0) and r (−sin v cos u, −sin v sin u, cos v),
// singular values R + r cos v and r.
// | member        | cost                                  |
// |---------------|---------------------------------------|
// | g(z)          | 4 element-wise maps, 3 axpy           |
// | g.jacobian(z) | the same, and a 3×2 matrix            |
// | g.jvp, g.vjp  | jacobian, then one 3×2 product        |
// Batched backends: z may carry a batch (every entry is per sample). Errors: invalid_argument_error
// for a radius that is not finite and positive (and r ≥ R for the torus); the members throw
// dimension_error / numerical_error for a wrong-length or non-finite argument.
// (latentwalk::eigen::sphere_embedding / torus_embedding are the Eigen reference's own.)
#include <cmath>
#include <string>

#include "model_checks.hpp"

namespace latentwalk {
namespace detail {

/// (a, b, c) as a 3-vector with z's batch: a e₀ + b e₁ + c e₂.
template <class B>
vector_t<B> vector3(const vector_t<B>& like, const batch_scalar_t<B>& a, const batch_scalar_t<B>& b,
                    const batch_scalar_t<B>& c) {
    using T = backend_traits<B>;
    return T::axpy(a, T::unit(like, 3, 0), T::axpy(b, T::unit(like, 3, 1), T::scale(T::unit(like, 3, 2), c)));
}

template <class B>
matrix_t<B> columns2(const vector_t<B>& like, const vector_t<B>& c0, const vector_t<B>& c1) {
    using T = backend_traits<B>;
    auto J = T::zeros(like, 3, 2);
    T::set_col(J, 0, c0);
    T::set_col(J, 1, c1);
    return J;
}

inline void require_positive_radius(const char* where, const char* name, double v) {
    if (!(v > 0.0) || !std::isfinite(v))
        throw invalid_argument_error(
            sentence(where, std::string(name) + " is " + detail::number(v) + "; it must be a finite positive number."));
}

}  // namespace detail

template <class B>
class sphere_embedding : private detail::generic_checked_model<B, sphere_embedding<B>> {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    friend class detail::generic_checked_model<B, sphere_embedding<B>>;

public:
    using backend = B;

    explicit sphere_embedding(double radius = 1.0) : radius_(radius) {
        detail::require_positive_radius("sphere_embedding", "radius", radius);
    }
    index_t<B> latent_dim() const { return 2; }
    index_t<B> output_dim() const { return 3; }
    double radius() const { return radius_; }

    vector_t<B> operator()(const vector_t<B>& z) const {
        this->check_z("sphere_embedding::operator()", z);
        const auto s = T::cwise_sin(z), c = T::cwise_cos(z);
        const auto st = T::element(s, 0), ct = T::element(c, 0), sp = T::element(s, 1), cp = T::element(c, 1);
        const S R = static_cast<S>(radius_);
        return detail::vector3<B>(z, st * cp * R, st * sp * R, ct * R);
    }
    matrix_t<B> jacobian(const vector_t<B>& z) const {
        this->check_z("sphere_embedding::jacobian", z);
        const auto s = T::cwise_sin(z), c = T::cwise_cos(z);
        const auto st = T::element(s, 0), ct = T::element(c, 0), sp = T::element(s, 1), cp = T::element(c, 1);
        const S R = static_cast<S>(radius_);
        return detail::columns2<B>(z, detail::vector3<B>(z, ct * cp * R, ct * sp * R, -st * R),
                                   detail::vector3<B>(z, -(st * sp) * R, st * cp * R, T::constant(z, 0.0)));
    }
    vector_t<B> jvp(const vector_t<B>& z, const vector_t<B>& v) const {
        this->check_v("sphere_embedding::jvp", v);
        return T::matvec(jacobian(z), v);
    }
    vector_t<B> vjp(const vector_t<B>& z, const vector_t<B>& u) const {
        this->check_u("sphere_embedding::vjp", u);
        return T::tmatvec(jacobian(z), u);
    }

private:
    double radius_;
};

template <class B>
class torus_embedding : private detail::generic_checked_model<B, torus_embedding<B>> {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    using S = scalar_t<B>;
    friend class detail::generic_checked_model<B, torus_embedding<B>>;

public:
    using backend = B;

    explicit torus_embedding(double major_radius = 2.0, double minor_radius = 1.0) : R_(major_radius), r_(minor_radius) {
        detail::require_positive_radius("torus_embedding", "major_radius", R_);
        detail::require_positive_radius("torus_embedding", "minor_radius", r_);
        if (!(r_ < R_))
            throw invalid_argument_error(detail::sentence(
                "torus_embedding", "minor_radius must be smaller than major_radius, otherwise the surface intersects itself."));
    }
    index_t<B> latent_dim() const { return 2; }
    index_t<B> output_dim() const { return 3; }
    double major_radius() const { return R_; }
    double minor_radius() const { return r_; }

    vector_t<B> operator()(const vector_t<B>& z) const {
        this->check_z("torus_embedding::operator()", z);
        const auto s = T::cwise_sin(z), c = T::cwise_cos(z);
        const auto su = T::element(s, 0), cu = T::element(c, 0), sv = T::element(s, 1), cv = T::element(c, 1);
        const auto rho = cv * static_cast<S>(r_) + static_cast<S>(R_);
        return detail::vector3<B>(z, rho * cu, rho * su, sv * static_cast<S>(r_));
    }
    matrix_t<B> jacobian(const vector_t<B>& z) const {
        this->check_z("torus_embedding::jacobian", z);
        const auto s = T::cwise_sin(z), c = T::cwise_cos(z);
        const auto su = T::element(s, 0), cu = T::element(c, 0), sv = T::element(s, 1), cv = T::element(c, 1);
        const S r = static_cast<S>(r_);
        const auto rho = cv * r + static_cast<S>(R_);
        return detail::columns2<B>(z, detail::vector3<B>(z, -(rho * su), rho * cu, T::constant(z, 0.0)),
                                   detail::vector3<B>(z, -(sv * cu) * r, -(sv * su) * r, cv * r));
    }
    vector_t<B> jvp(const vector_t<B>& z, const vector_t<B>& v) const {
        this->check_v("torus_embedding::jvp", v);
        return T::matvec(jacobian(z), v);
    }
    vector_t<B> vjp(const vector_t<B>& z, const vector_t<B>& u) const {
        this->check_u("torus_embedding::vjp", u);
        return T::tmatvec(jacobian(z), u);
    }

private:
    double R_, r_;
};

}  // namespace latentwalk
