#pragma once
// latentwalk/potentials/linear_potential.hpp — u(z, t) = aᵀz + b t, or u(z, t) = t·aᵀz.
//
// The linear traversals of GANSpace/SeFa are the flows of these fields (Song et al., §5.5: linear
// functions solve the wave equation). Both forms have zero Laplacian and zero ∂²u/∂t², so their
// wave residual vanishes; the time-scaled form also has ∇u(z, 0) = 0 (zero initial-condition
// loss) and moves z by a·ε²·K(K−1)/2 after K Euler steps of size ε from t = 0.
//
// | form         | u          | ∇u  | ∂u/∂t | ∂²u/∂t² | ∇²u·v | Δu |
// |--------------|------------|-----|-------|---------|-------|----|
// | additive     | aᵀz + b t  | a   | b     | 0       | 0     | 0  |
// | time_scaled  | t aᵀz      | t a | aᵀz   | 0       | 0     | 0  |
#include <string>

#include "../concepts/potential_field.hpp"
#include "../detail/traversal_support.hpp"

namespace latentwalk {

template <class B>
class linear_potential {
    LATENTWALK_REQUIRE_BACKEND(B);
    using T = backend_traits<B>;

public:
    using backend = B;
    enum class form { additive, time_scaled };

    /// u = aᵀz + b t.
    explicit linear_potential(vector_t<B> a, double b = 0.0) : a_(std::move(a)), b_(b), form_(form::additive) {
        validate();
    }

    /// u = t aᵀz.
    static linear_potential time_scaled(vector_t<B> a) {
        linear_potential u(std::move(a), 0.0);
        u.form_ = form::time_scaled;
        return u;
    }

    index_t<B> dim() const { return T::size(a_); }
    form kind() const { return form_; }
    const vector_t<B>& direction() const { return a_; }

    batch_scalar_t<B> value(const vector_t<B>& z, const batch_scalar_t<B>& t) const {
        check("linear_potential::value", z);
        if (form_ == form::time_scaled) return t * T::dot(a_, z);
        return T::dot(a_, z) + t * static_cast<scalar_t<B>>(b_);
    }
    vector_t<B> gradient(const vector_t<B>& z, const batch_scalar_t<B>& t) const {
        check("linear_potential::gradient", z);
        if (form_ == form::time_scaled) return T::axpy(t, a_, T::zeros(z, dim()));
        return T::add(T::zeros(z, dim()), a_);
    }
    batch_scalar_t<B> time_derivative(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("linear_potential::time_derivative", z);
        if (form_ == form::time_scaled) return T::dot(a_, z);
        return backend_traits<B>::constant(z, b_);
    }
    batch_scalar_t<B> second_time_derivative(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("linear_potential::second_time_derivative", z);
        return backend_traits<B>::constant(z, 0.0);
    }
    vector_t<B> hessian_vector(const vector_t<B>& z, const batch_scalar_t<B>&, const vector_t<B>& v) const {
        check("linear_potential::hessian_vector", z);
        detail::require_length<B>("linear_potential::hessian_vector", "v", v, static_cast<long long>(dim()),
                                  "the potential's dimension");
        return T::zeros(z, dim());
    }
    batch_scalar_t<B> laplacian(const vector_t<B>& z, const batch_scalar_t<B>&) const {
        check("linear_potential::laplacian", z);
        return backend_traits<B>::constant(z, 0.0);
    }

private:
    void validate() const {
        if (T::size(a_) < 1) throw dimension_error(detail::sentence("linear_potential", "the direction a is empty."));
        detail::require_finite<B>("linear_potential", "the direction a", a_);
        detail::require_finite_scalar("linear_potential", "the time coefficient b", b_);
    }
    void check(const char* where, const vector_t<B>& z) const {
        detail::require_length<B>(where, "z", z, static_cast<long long>(dim()), "the potential's dimension");
        detail::require_finite<B>(where, "z", z);
    }

    vector_t<B> a_;
    double b_;
    form form_;
};

}  // namespace latentwalk
