// Must not compile: an int is not a Generator. The static_assert sentence is checked by ctest.
#include <latentwalk/latentwalk.hpp>
struct not_a_generator {};
int main() {
    latentwalk::jacobian(not_a_generator{}, 0);
}
