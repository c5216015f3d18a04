#pragma once
// latentwalk/eigen/sphere_embedding.hpp — the round sphere of radius R as a 2-D latent generator.
//
// Latent z = (θ, φ): θ the polar angle from +e₃, φ the azimuth. Output in R³:
//   f(θ, φ) = R (sin θ cos φ, sin θ sin φ, cos θ).
// J has columns ∂f/∂θ = R (cos θ cos φ, cos θ sin φ, −sin θ) and ∂f/∂φ = R sin θ (−sin φ, cos φ, 0):
// orthogonal, with singular values R and R|sin θ| (the poles are where the chart degenerates).
// For teaching: curve traversal on it must stay on the sphere, a straight line in R³ leaves it.
#include <cmath>

#include <latentwalk/eigen/detail_model_checks.hpp>

namespace latentwalk::eigen {

template <class Scalar = double>
class sphere_embedding : private detail::checked_model<sphere_embedding<Scalar>> {
    friend class detail::checked_model<sphere_embedding<Scalar>>;

public:
    using backend = eigen::backend<Scalar>;
    using vector_type = eigen::vector<Scalar>;
    using matrix_type = eigen::matrix<Scalar>;

    explicit sphere_embedding(Scalar radius = Scalar(1)) : radius_(radius) {
        detail::require_positive_parameter("eigen::sphere_embedding", "radius", static_cast<double>(radius));
    }

    Eigen::Index latent_dim() const { return 2; }
    Eigen::Index output_dim() const { return 3; }
    Scalar radius() const { return radius_; }

    vector_type operator()(const vector_type& z) const {
        this->check_z("eigen::sphere_embedding::operator()", z);
        using std::cos, std::sin;
        vector_type w(3);
        w << radius_ * sin(z[0]) * cos(z[1]), radius_ * sin(z[0]) * sin(z[1]), radius_ * cos(z[0]);
        return w;
    }
    matrix_type jacobian(const vector_type& z) const {
        this->check_z("eigen::sphere_embedding::jacobian", z);
        using std::cos, std::sin;
        const Scalar st = sin(z[0]), ct = cos(z[0]), sp = sin(z[1]), cp = cos(z[1]);
        matrix_type J(3, 2);
        J << radius_ * ct * cp, -radius_ * st * sp,
             radius_ * ct * sp, radius_ * st * cp,
             -radius_ * st, Scalar(0);
        return J;
    }
    vector_type jvp(const vector_type& z, const vector_type& v) const {
        this->check_v("eigen::sphere_embedding::jvp", v);
        return jacobian(z) * v;
    }
    vector_type vjp(const vector_type& z, const vector_type& u) const {
        this->check_u("eigen::sphere_embedding::vjp", u);
        return jacobian(z).transpose() * u;
    }

private:
    Scalar radius_;
};

}  // namespace latentwalk::eigen
