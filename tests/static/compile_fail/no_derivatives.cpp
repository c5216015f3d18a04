// Must not compile: a Generator without jvp, vjp or jacobian passed where derivatives are needed.
#include <latentwalk/latentwalk.hpp>

#include "../archetypes.hpp"
int main() {
    const latentwalk::test::archetype_generator g;
    latentwalk::jacobian(g, latentwalk::test::archetype_vector{{0.0, 0.0}});
}
