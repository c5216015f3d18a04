#pragma once
// latentwalk/eigen/linear_generator.hpp — f(z) = A z + b, the generator whose Jacobian is A everywhere.
//
// Every tangent basis of a linear generator is the SVD of A, so it has zero warpage: the
// reference case for tests and for teaching. Exact jvp (A v), vjp (Aᵀ u) and jacobian (A).
#include <latentwalk/eigen/detail_model_checks.hpp>

namespace latentwalk::eigen {

template <class Scalar = double>
class linear_generator : private detail::checked_model<linear_generator<Scalar>> {
    friend class detail::checked_model<linear_generator<Scalar>>;

public:
    using backend = eigen::backend<Scalar>;
    using vector_type = eigen::vector<Scalar>;
    using matrix_type = eigen::matrix<Scalar>;

    /// A is output_dim × latent_dim; b has length output_dim.
    linear_generator(matrix_type A, vector_type b) : A_(std::move(A)), b_(std::move(b)) {
        if (A_.rows() == 0 || A_.cols() == 0)
            throw dimension_error("latentwalk::eigen::linear_generator: A is empty; it must be m×n with m, n ≥ 1.");
        if (b_.size() != A_.rows())
            throw dimension_error("latentwalk::eigen::linear_generator: b has length " + std::to_string(b_.size()) +
                                  " but A has " + std::to_string(A_.rows()) + " rows.");
        detail::require_finite_parameter("eigen::linear_generator", "A", A_);
        detail::require_finite_parameter("eigen::linear_generator", "b", b_);
    }
    /// f(z) = A z.
    explicit linear_generator(matrix_type A) : linear_generator(A, vector_type::Zero(A.rows())) {}

    Eigen::Index latent_dim() const { return A_.cols(); }
    Eigen::Index output_dim() const { return A_.rows(); }
    const matrix_type& A() const { return A_; }
    const vector_type& b() const { return b_; }

    vector_type operator()(const vector_type& z) const {
        this->check_z("eigen::linear_generator::operator()", z);
        return A_ * z + b_;
    }
    vector_type jvp(const vector_type& z, const vector_type& v) const {
        this->check_z("eigen::linear_generator::jvp", z);
        this->check_v("eigen::linear_generator::jvp", v);
        return A_ * v;
    }
    vector_type vjp(const vector_type& z, const vector_type& u) const {
        this->check_z("eigen::linear_generator::vjp", z);
        this->check_u("eigen::linear_generator::vjp", u);
        return A_.transpose() * u;
    }
    matrix_type jacobian(const vector_type& z) const {
        this->check_z("eigen::linear_generator::jacobian", z);
        return A_;
    }

private:
    matrix_type A_;
    vector_type b_;
};

}  // namespace latentwalk::eigen
