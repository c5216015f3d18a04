// density: the core algorithms need nothing beyond the backend seam — they run on the standard-library
// archetype backend and on Eigen in float, with the same results as Eigen in double.
#include <latentwalk/eigen.hpp>

#include <cmath>
#include <limits>

#include "static/archetypes.hpp"
#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using lw::test::archetype_backend;
using lw::test::archetype_vector;
using lw::test::archetype_matrix;
using E = le::backend<double>;

static_assert(lw::DensityModel<lw::diagonal_gaussian<archetype_backend>>);
static_assert(lw::ProvidesLevelProjection<lw::diagonal_gaussian<archetype_backend>>);
static_assert(lw::ProvidesLevelProjection<lw::truncated_normal<archetype_backend>>);
static_assert(lw::ProvidesLevelProjection<lw::uniform_box<archetype_backend>>);
static_assert(lw::DensityModel<lw::monotone_cdf_model<archetype_backend>>);
static_assert(!lw::ProvidesLevelProjection<lw::monotone_cdf_model<archetype_backend>>);

namespace {
archetype_vector arch(const Eigen::VectorXd& x) { return {{x.data(), x.data() + x.size()}}; }
double max_diff(const archetype_vector& a, const Eigen::VectorXd& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.v.size(); ++i) m = std::max(m, std::abs(a.v[i] - b[static_cast<Eigen::Index>(i)]));
    return m;
}
}  // namespace

CATCH_TEST_CASE("density: models, projections and walks give the same results on the archetype backend as on Eigen") {
    const Eigen::Index d = 5;
    const Eigen::VectorXd mu = Eigen::VectorXd::LinSpaced(d, -0.5, 0.5), sigma = Eigen::VectorXd::LinSpaced(d, 0.5, 1.5);
    Eigen::VectorXd z(d), g(d);
    z << 0.3, -0.7, 1.1, 0.2, -0.4;
    g << 1.0, 0.5, -0.25, 0.0, 2.0;

    const lw::diagonal_gaussian<E> de(mu, sigma);
    const lw::diagonal_gaussian<archetype_backend> da(arch(mu), arch(sigma));
    CATCH_CHECK(std::abs(da.log_density(arch(z)) - de.log_density(z)) <= 1e-14);
    CATCH_CHECK(max_diff(da.score(arch(z)), de.score(z)) <= 1e-14);
    lw::density_walk_options o;
    o.tangent_direction = true;
    const auto we = lw::density_preserving_walk(de, z, g, 6, 0.2, o);
    const auto wa = lw::density_preserving_walk(da, arch(z), arch(g), 6, 0.2, o);
    CATCH_CHECK(max_diff(wa.points.back(), we.points.back()) <= 1e-13);
    CATCH_CHECK(wa.max_level_drift <= 1e-13);

    const lw::truncated_normal<archetype_backend> ta(d, 2.0);
    const lw::truncated_normal<E> te(d, 2.0);
    lw::level_projection_options ray;
    ray.method = lw::level_projection_method::score_ray;
    const double c = te.log_density(z) - 0.3;
    CATCH_CHECK(max_diff(lw::project_to_level_set(ta, arch(z), c, ray).point, lw::project_to_level_set(te, z, c, ray).point) <=
                1e-13);

    const lw::uniform_box<archetype_backend> ua(arch(Eigen::VectorXd::Constant(d, -1.0)), arch(Eigen::VectorXd::Ones(d)));
    CATCH_CHECK(ua.log_density(arch(z)) == -std::numeric_limits<double>::infinity());  // z_2 = 1.1 > 1

    // The CDF model: fit from the same samples on both backends.
    auto rng = lw::test::rng(91);
    Eigen::MatrixXd S(2, 500);
    std::normal_distribution<double> nd;
    for (Eigen::Index j = 0; j < S.cols(); ++j) {
        S(0, j) = nd(rng);
        S(1, j) = 2.0 * nd(rng) + 1.0;
    }
    archetype_matrix Sa{S.rows(), S.cols(), std::vector<double>(S.data(), S.data() + S.size())};
    const auto me = lw::monotone_cdf_model<E>::fit(S);
    const auto ma = lw::monotone_cdf_model<archetype_backend>::fit(Sa);
    const Eigen::Vector2d x(0.4, -0.9);
    CATCH_CHECK(std::abs(ma.log_density(arch(x)) - me.log_density(x)) <= 1e-13);
    CATCH_CHECK(max_diff(ma.score(arch(x)), me.score(x)) <= 1e-12);
    CATCH_CHECK(max_diff(ma.cdf(arch(x)), me.cdf(x)) <= 1e-15);
    CATCH_CHECK(max_diff(ma.inverse_cdf(arch(Eigen::Vector2d(0.2, 0.9))), me.inverse_cdf(Eigen::Vector2d(0.2, 0.9))) <= 1e-14);
    const double cm = me.log_density(x) - 0.2;
    const auto pe = lw::project_to_level_set(me, x, cm);
    const auto pa = lw::project_to_level_set(ma, arch(x), cm);
    CATCH_CHECK(max_diff(pa.point, pe.point) <= 1e-12);
    CATCH_CHECK(std::abs(ma.log_density(pa.point) - cm) <= 1e-12);
}

CATCH_TEST_CASE("density: in float the Gaussian walk keeps the level to float precision and projections reach it") {
    using F = le::backend<float>;
    const Eigen::Index d = 512;
    const lw::standard_gaussian<F> p(d);
    auto rng = lw::test::rng(92);
    const Eigen::VectorXf z0 = p.sample(rng, Eigen::VectorXf(d)), gamma = p.sample(rng, Eigen::VectorXf(d));
    const auto walk = lw::density_preserving_walk(p, z0, gamma, 50, 0.5f);
    const double c0 = walk.level;
    CATCH_CHECK(walk.max_level_drift <= 16 * std::numeric_limits<float>::epsilon() * std::abs(c0));
    const lw::diagonal_gaussian<F> q(Eigen::VectorXf::Zero(4), Eigen::VectorXf::Constant(4, 2.0f));
    const Eigen::VectorXf y = Eigen::Vector4f(0.5f, -1.0f, 2.0f, 0.25f);
    lw::level_projection_options o;
    o.method = lw::level_projection_method::score_ray;
    o.tolerance = 1e-6;
    const auto r = lw::project_to_level_set(q, y, -8.0, o);
    CATCH_CHECK(std::abs(q.log_density(r.point) + 8.0) <= 1e-6 * 8.0);
}
