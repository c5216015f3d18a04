// A consumer of the installed package: checks a Jacobian of the installed sphere embedding.
#include <latentwalk/eigen.hpp>

#ifdef LATENTWALK_CONSUMER_DATA
#include <latentwalk/data.hpp>
#endif

#include <cmath>
#include <iostream>
#include <vector>

int main() {
    const latentwalk::eigen::sphere_embedding<double> sphere(2.0);
    Eigen::VectorXd z(2);
    z << 0.7, 0.3;
    const auto J = latentwalk::jacobian(sphere, z);
    // Columns are orthogonal with norms R and R sin θ.
    bool ok = std::abs(J.col(0).norm() - 2.0) < 1e-14 && std::abs(J.col(1).norm() - 2.0 * std::sin(0.7)) < 1e-14 &&
                    std::abs(J.col(0).dot(J.col(1))) < 1e-14 && latentwalk::check_derivatives(sphere, z).passed();
#ifdef LATENTWALK_CONSUMER_DATA
    // The installed data component: a rendered sprite's factors come back from its moments.
    const std::vector<latentwalk::data::sprite_factors> f{{latentwalk::data::sprite_shape::ellipse, 0.8, 0.5, 0.25, 0.6}};
    const auto set = latentwalk::data::render_sprites(f);
    const auto e = latentwalk::data::estimate_sprite_factors(set, 0);
    const bool data_ok = std::abs(e.x - 0.25) < 0.01 && std::abs(e.y - 0.6) < 0.01 && std::abs(e.scale - 0.8) < 0.02;
    std::cout << "consumer: data component " << (data_ok ? "ok" : "WRONG") << "\n";
    ok = ok && data_ok;
#endif
    std::cout << (ok ? "consumer: ok" : "consumer: WRONG RESULT") << " (latentwalk " << LATENTWALK_VERSION_STRING << ")\n";
    return ok ? 0 : 1;
}
