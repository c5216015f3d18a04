// latentwalk's tour: the main job, on built-in data. Run it with scripts/tour.sh.
// Each section lives in examples/tour_sections/<area>.hpp.
#include <iostream>

#include "tour_sections/foundation.hpp"
#include "tour_sections/tangent.hpp"
#include "tour_sections/traversal.hpp"
#include "tour_sections/density.hpp"
#include "tour_sections/grassmann.hpp"

int main() {
    std::cout << "latentwalk " << LATENTWALK_VERSION_STRING << " — a tour of latent-space geometry\n\n";
    tour::foundation(std::cout);
    tour::tangent(std::cout);
    tour::traversal(std::cout);
    tour::density(std::cout);
    tour::grassmann(std::cout);
    std::cout << "tour complete\n";
}
