// Must not compile: the closed-form MLP potential on a backend without the optional cwise_erf.
#include <latentwalk/potentials/mlp_potential.hpp>

#include "../archetypes.hpp"
int main() {
    using B = latentwalk::test::archetype_backend;
    latentwalk::mlp_potential<B> u(latentwalk::vector_t<B>{}, 2, latentwalk::mlp_potential_weights{});
    (void)u;
}
