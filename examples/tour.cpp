// latentwalk's tour: the main job, on built-in data. Run it with scripts/tour.sh.
// Each section lives in examples/tour_sections/<area>.hpp.
#include <iostream>

#include "tour_sections/foundation.hpp"
#include "tour_sections/tangent.hpp"
#include "tour_sections/traversal.hpp"
#include "tour_sections/density.hpp"
#include "tour_sections/grassmann.hpp"
#if defined(LATENTWALK_TOUR_WITH_TORCH)
#include "tour_sections/torch.hpp"
#endif

int main() {
    std::cout << "latentwalk " << LATENTWALK_VERSION_STRING << " — a tour of latent-space geometry\n\n";
    tour::foundation(std::cout);
    tour::tangent(std::cout);
    tour::traversal(std::cout);
    tour::density(std::cout);
    tour::grassmann(std::cout);
#if defined(LATENTWALK_TOUR_WITH_TORCH)
    tour::torch(std::cout);
#else
    std::cout << "== LibTorch ==\ntorch section skipped: latentwalk was built without LibTorch (LATENTWALK_WITH_TORCH)\n\n";
#endif
    std::cout << "tour complete\n";
}
