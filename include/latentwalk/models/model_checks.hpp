#pragma once
// latentwalk/models/model_checks.hpp — input checks shared by the backend-generic closed-form models
// (linear_generator, sphere_embedding, torus_embedding, mlp_generator): the argument's length and
// finiteness, each failure a sentence naming the model's member and the argument.
#include <string>
#include <string_view>

#include "../detail/validate.hpp"

namespace latentwalk::detail {

/// CRTP base giving a model check_z / check_v / check_u against its own latent_dim()/output_dim().
template <class B, class Derived>
class generic_checked_model {
protected:
    void check_z(const char* where, const vector_t<B>& z) const { check(where, "z", z, self().latent_dim(), "the latent dimension"); }
    void check_v(const char* where, const vector_t<B>& v) const { check(where, "v", v, self().latent_dim(), "the latent dimension"); }
    void check_u(const char* where, const vector_t<B>& u) const { check(where, "u", u, self().output_dim(), "the output dimension"); }

private:
    static void check(const char* where, const char* name, const vector_t<B>& x, index_t<B> n, const char* what) {
        require_length<B>(where, name, x, static_cast<long long>(n), what);
        require_finite<B>(where, name, x);
    }
    const Derived& self() const { return static_cast<const Derived&>(*this); }
};

}  // namespace latentwalk::detail
