#pragma once
// latentwalk/eigen/torus_embedding.hpp — a torus of revolution in R³ as a 2-D latent generator.
//
// Latent z = (u, v): u the angle around the axis e₃, v the angle around the tube. With major
// radius R and minor radius r < R:
//   f(u, v) = ((R + r cos v) cos u, (R + r cos v) sin u, r sin v).
// J has orthogonal columns ∂f/∂u = (R + r cos v)(−sin u, cos u, 0) and
// ∂f/∂v = r (−sin v cos u, −sin v sin u, cos v): singular values R + r cos v and r, so the
// local stretch varies with v, unlike the sphere's, which varies with θ.
#include <cmath>

#include <latentwalk/eigen/detail_model_checks.hpp>

namespace latentwalk::eigen {

template <class Scalar = double>
class torus_embedding : private detail::checked_model<torus_embedding<Scalar>> {
    friend class detail::checked_model<torus_embedding<Scalar>>;

public:
    using backend = eigen::backend<Scalar>;
    using vector_type = eigen::vector<Scalar>;
    using matrix_type = eigen::matrix<Scalar>;

    explicit torus_embedding(Scalar major_radius = Scalar(2), Scalar minor_radius = Scalar(1))
        : R_(major_radius), r_(minor_radius) {
        detail::require_positive_parameter("eigen::torus_embedding", "major_radius", static_cast<double>(R_));
        detail::require_positive_parameter("eigen::torus_embedding", "minor_radius", static_cast<double>(r_));
        if (!(r_ < R_))
            throw invalid_argument_error(
                "latentwalk::eigen::torus_embedding: minor_radius must be smaller than major_radius, "
                "otherwise the surface intersects itself.");
    }

    Eigen::Index latent_dim() const { return 2; }
    Eigen::Index output_dim() const { return 3; }
    Scalar major_radius() const { return R_; }
    Scalar minor_radius() const { return r_; }

    vector_type operator()(const vector_type& z) const {
        this->check_z("eigen::torus_embedding::operator()", z);
        using std::cos, std::sin;
        const Scalar rho = R_ + r_ * cos(z[1]);
        vector_type w(3);
        w << rho * cos(z[0]), rho * sin(z[0]), r_ * sin(z[1]);
        return w;
    }
    matrix_type jacobian(const vector_type& z) const {
        this->check_z("eigen::torus_embedding::jacobian", z);
        using std::cos, std::sin;
        const Scalar su = sin(z[0]), cu = cos(z[0]), sv = sin(z[1]), cv = cos(z[1]);
        const Scalar rho = R_ + r_ * cv;
        matrix_type J(3, 2);
        J << -rho * su, -r_ * sv * cu,
              rho * cu, -r_ * sv * su,
              Scalar(0), r_ * cv;
        return J;
    }
    vector_type jvp(const vector_type& z, const vector_type& v) const {
        this->check_v("eigen::torus_embedding::jvp", v);
        return jacobian(z) * v;
    }
    vector_type vjp(const vector_type& z, const vector_type& u) const {
        this->check_u("eigen::torus_embedding::vjp", u);
        return jacobian(z).transpose() * u;
    }

private:
    Scalar R_, r_;
};

}  // namespace latentwalk::eigen
