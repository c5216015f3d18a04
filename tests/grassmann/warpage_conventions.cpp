// grassmann: the warpage conventions of Local Basis — output basis U by default, the paper's sizes,
// and local-vs-global only between bases of one space.
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/sphere_embedding.hpp>
#include <latentwalk/grassmann/warpage_statistics.hpp>

#include <string>

#include "support/test_support.hpp"

namespace {
namespace lw = latentwalk;
namespace le = latentwalk::eigen;
using Eigen::MatrixXd;
using lw::grassmann_metric;
using eb = le::backend<double>;

std::string message_of(const auto& call) {
    try {
        call();
    } catch (const lw::dimension_error& e) {
        return e.what();
    }
    return "";
}
}  // namespace

// On the sphere f(θ, φ) = (sin θ cos φ, sin θ sin φ, cos θ), J = [e_θ, sin θ e_φ] has orthogonal
// columns of norms 1 > |sin θ|: V = I at every point (the latent basis never turns), while U = [e_θ, e_φ]
// turns with the point. The two conventions give different tables: V's is exactly zero, U's is not.
CATCH_TEST_CASE("grassmann: warpage of the sphere is zero with the latent basis V and positive with the output basis U") {
    const le::sphere_embedding<double> sphere;
    lw::warpage_options o;
    o.pairs = 50;
    o.k_max = 2;
    o.metrics = {grassmann_metric::geodesic, grassmann_metric::projection_2};
    const auto by_default = lw::warpage_random_pairs(sphere, o);
    o.side = lw::basis_side::output;
    const auto with_u = lw::warpage_random_pairs(sphere, o);
    const auto close_u = lw::warpage_close_pairs(sphere, o);
    o.side = lw::basis_side::latent;
    const auto with_v = lw::warpage_random_pairs(sphere, o);
    const auto close_v = lw::warpage_close_pairs(sphere, o);
    CATCH_INFO(with_u.to_string() << with_v.to_string());
    for (long long k = 1; k <= 2; ++k)
        for (auto m : o.metrics) {
            CATCH_CHECK(with_v.mean_at(m, k) <= 1e-12);
            CATCH_CHECK(close_v.mean_at(m, k) <= 1e-12);
            CATCH_CHECK(with_u.mean_at(m, k) > 0.3);  // random tangent lines/planes of S² are far apart
            CATCH_CHECK(close_u.mean_at(m, k) > 0.0);
            CATCH_CHECK(close_u.mean_at(m, k) < with_u.mean_at(m, k));
            CATCH_CHECK(by_default.mean_at(m, k) == with_u.mean_at(m, k));  // the paper's U is the default
        }
    CATCH_CHECK(by_default.experiment.find("output basis") != std::string::npos);
}

CATCH_TEST_CASE("grassmann: warpage options of 0 take the paper's sizes, 1000 pairs, 100 Haar pairs, k up to 50") {
    auto rng = lw::test::rng(7);
    const le::linear_generator<double> small(lw::test::random_matrix(4, 3, rng));
    const auto t = lw::warpage_random_pairs(small, {});
    CATCH_CHECK(t.samples == lw::warpage_paper_pairs);
    CATCH_CHECK(t.samples == 1000);
    CATCH_CHECK(t.k_max == 3);  // min(50, min(n, m) = 3)
    const auto haar = lw::warpage_haar_reference<eb>(5, {});
    CATCH_CHECK(haar.samples == 100);
    CATCH_CHECK(haar.k_max == 5);
    lw::warpage_options o;
    o.pairs = 2;
    const le::linear_generator<double> big(lw::test::random_matrix(60, 60, rng));
    const auto wide = lw::warpage_close_pairs(big, o);
    CATCH_CHECK(wide.k_max == 50);
    CATCH_CHECK(wide.samples == 2);
    CATCH_CHECK(lw::warpage_haar_reference<eb>(70, o).k_max == 50);
    o.pairs = 1;
    CATCH_CHECK_THROWS_AS(lw::warpage_random_pairs(small, o), lw::invalid_argument_error);
    o.pairs = 2;
    o.k_max = -1;
    CATCH_CHECK_THROWS_AS(lw::warpage_random_pairs(small, o), lw::invalid_argument_error);
}

CATCH_TEST_CASE("grassmann: local vs global compares bases of one space and says which space a wrong basis belongs to") {
    const le::sphere_embedding<double> sphere;  // Z = R², W = R³
    lw::warpage_options o;
    o.pairs = 4;
    o.k_max = 1;
    const MatrixXd latent_basis = MatrixXd::Identity(2, 1);
    const MatrixXd output_basis = MatrixXd::Identity(3, 1);
    // the default (output side, U in W) with a basis of Z: a sentence naming the latent dimension
    const std::string wrong_space = message_of([&] { lw::warpage_against_global(sphere, latent_basis, o); });
    CATCH_INFO(wrong_space);
    CATCH_CHECK(wrong_space.find("warpage_against_global") != std::string::npos);
    CATCH_CHECK(wrong_space.find("latent dimension") != std::string::npos);
    CATCH_CHECK(wrong_space.find("basis_side::latent") != std::string::npos);
    CATCH_CHECK_NOTHROW(lw::warpage_against_global(sphere, output_basis, o));
    o.side = lw::basis_side::latent;
    const std::string other = message_of([&] { lw::warpage_against_global(sphere, output_basis, o); });
    CATCH_CHECK(other.find("output dimension") != std::string::npos);
    // V = I everywhere: the latent basis coincides with span(e1) of Z, distance 0
    CATCH_CHECK(lw::warpage_against_global(sphere, latent_basis, o).mean_at(grassmann_metric::geodesic, 1) <= 1e-12);
    o.k_max = 2;
    CATCH_CHECK(message_of([&] { lw::warpage_against_global(sphere, latent_basis, o); }).find("k_max = 2") !=
                std::string::npos);
}

// Threads over the latent pairs (issue 18): the codes are drawn first and the rows added in pair order,
// so 1, 2 and 3 threads give the same table bit for bit, for each experiment; a bad count is a sentence.
CATCH_TEST_CASE("grassmann: warpage tables on several threads equal the one-thread tables bit for bit") {
    const le::sphere_embedding<double> sphere;
    lw::warpage_options o;
    o.pairs = 23;
    o.k_max = 2;
    o.metrics = {grassmann_metric::geodesic, grassmann_metric::projection_2, grassmann_metric::procrustes};
    const MatrixXd global = MatrixXd::Identity(3, 2);
    const auto run = [&](int threads) {
        auto t = o;
        t.threads = threads;
        return std::vector<lw::warpage_table>{lw::warpage_random_pairs(sphere, t), lw::warpage_close_pairs(sphere, t),
                                              lw::warpage_against_global(sphere, global, t)};
    };
    const auto one = run(1);
    for (int threads : {2, 3}) {
        const auto many = run(threads);
        for (std::size_t e = 0; e < one.size(); ++e) {
            CATCH_CHECK(many[e].mean == one[e].mean);
            CATCH_CHECK(many[e].stddev == one[e].stddev);
            CATCH_CHECK(many[e].samples == one[e].samples);
        }
    }
    CATCH_CHECK(one[0].mean_at(grassmann_metric::geodesic, 1) > 0.3);  // the tables are not trivially equal
    o.threads = 0;
    CATCH_CHECK_THROWS_AS(lw::warpage_random_pairs(sphere, o), lw::invalid_argument_error);
}
