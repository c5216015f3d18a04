#pragma once
// latentwalk/models/linear_generator.hpp — f(z) = A z + b on any backend: the generator whose
// Jacobian is A everywhere.
//
//     latentwalk::linear_generator<latentwalk::xtensor::backend<double>> g(A, b);
//     const auto tb = latentwalk::tangent_basis(g, z, k);   // = the top-k SVD of A at every z
//
// | member          | computes      | cost      |
// |-----------------|---------------|-----------|
// | g(z)            | A z + b       | O(mn)     |
// | g.jvp(z, v)     | A v           | O(mn)     |
// | g.vjp(z, u)     | Aᵀ u          | O(mn)     |
// | g.jacobian(z)   | A (with z's batch shape) | O(mn) |
// Every tangent basis of a linear generator is the SVD of A, so it has zero warpage: the reference
// case for tests, conformance and teaching. On a batched backend z may carry a batch; A and b are
// one sample's parameters and broadcast.
// Errors: dimension_error for an empty A or a b of another length, numerical_error for NaN/Inf in
// A or b; the members throw dimension_error / numerical_error for a wrong-length or non-finite
// argument (see model_checks.hpp). (latentwalk::eigen::linear_generator is the Eigen reference's own.)
#include <string>
#include <utility>

#include "model_checks.hpp"

namespace latentwalk {

template <class B>
class linear_generator : private detail::generic_checked_model<B, linear_generator<B>> {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;
    friend class detail::generic_checked_model<B, linear_generator<B>>;

public:
    using backend = B;

    /// A is output_dim × latent_dim; b has length output_dim.
    linear_generator(matrix_t<B> A, vector_t<B> b) : A_(std::move(A)), b_(std::move(b)) {
        const char* where = "linear_generator";
        if (T::rows(A_) == 0 || T::cols(A_) == 0)
            throw dimension_error(detail::sentence(where, "A is empty; it must be m×n with m, n ≥ 1."));
        detail::require_length<B>(where, "b", b_, static_cast<long long>(T::rows(A_)), "the number of rows of A");
        detail::require_finite<B>(where, "A", A_);
        detail::require_finite<B>(where, "b", b_);
    }
    /// f(z) = A z.
    explicit linear_generator(const matrix_t<B>& A) : linear_generator(A, T::zeros(A, T::rows(A))) {}

    index_t<B> latent_dim() const { return T::cols(A_); }
    index_t<B> output_dim() const { return T::rows(A_); }
    const matrix_t<B>& A() const { return A_; }
    const vector_t<B>& b() const { return b_; }

    vector_t<B> operator()(const vector_t<B>& z) const {
        this->check_z("linear_generator::operator()", z);
        return T::add(T::matvec(A_, z), b_);
    }
    vector_t<B> jvp(const vector_t<B>& z, const vector_t<B>& v) const {
        this->check_z("linear_generator::jvp", z);
        this->check_v("linear_generator::jvp", v);
        return T::matvec(A_, v);
    }
    vector_t<B> vjp(const vector_t<B>& z, const vector_t<B>& u) const {
        this->check_z("linear_generator::vjp", z);
        this->check_u("linear_generator::vjp", u);
        return T::tmatvec(A_, u);
    }
    matrix_t<B> jacobian(const vector_t<B>& z) const {
        this->check_z("linear_generator::jacobian", z);
        return T::add(A_, T::zeros(z, T::rows(A_), T::cols(A_)));  // A with z's batch shape
    }

private:
    matrix_t<B> A_;
    vector_t<B> b_;
};

}  // namespace latentwalk
