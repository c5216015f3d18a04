// Must not compile: a density over a tag without backend_traits.
#include <latentwalk/latentwalk.hpp>
struct my_tag {};
int main() {
    latentwalk::standard_gaussian<my_tag> p(3);
    (void)p;
}
