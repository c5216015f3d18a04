// reliability: a user model that misbehaves (results of the wrong length or shape, NaN midway, Inf)
// run through EVERY public entry point that accepts that kind of model. Each call must throw the
// library's exception of the right class with a sentence naming the member that misbehaved —
// never abort on an Eigen assertion, never write out of bounds, never return NaN frames.
#include <latentwalk/eigen.hpp>

#include <functional>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "support/test_support.hpp"

namespace lw = latentwalk;
namespace le = latentwalk::eigen;

namespace {

using vec = Eigen::VectorXd;
using mat = Eigen::MatrixXd;

/// What the model gets wrong.
enum class fault {
    none,          ///< a correct linear map (the control: every entry point succeeds)
    short_output,  ///< g(z) has length m − 1
    short_products,///< jvp returns m − 1 entries, vjp n − 1 (or jacobian is (m−1)×n)
    nan_midway,    ///< g(z) (and the products) turn NaN after the first few calls
    inf_products,  ///< jvp / vjp / jacobian contain +Inf at every finite z
};

/// f(z) = A z (+ a bounded tanh term, so curve traversals turn) with the fault injected.
struct model_state {
    fault f = fault::none;
    mutable long calls = 0;
    mat A;
    long healthy_calls = 6;  ///< nan_midway: this many calls succeed first

    bool poisoned() const { return f == fault::nan_midway && ++calls > healthy_calls; }
};

vec apply_fault_vector(const model_state& s, vec r, bool product) {
    if (s.poisoned()) r.setConstant(std::numeric_limits<double>::quiet_NaN());
    if (product && s.f == fault::short_products) r.conservativeResize(r.size() - 1);
    if (product && s.f == fault::inf_products) r[0] = std::numeric_limits<double>::infinity();
    return r;
}

/// The shared part: the map, its Jacobian, and g(z) with the output faults.
struct model_core {
    using backend = le::backend<double>;
    model_state s;
    Eigen::Index latent_dim() const { return s.A.cols(); }
    Eigen::Index output_dim() const { return s.A.rows(); }
    vec operator()(const vec& z) const {
        vec w = s.A * z + 0.1 * (s.A * z).array().tanh().matrix();
        if (s.f == fault::short_output) w.conservativeResize(w.size() - 1);
        return apply_fault_vector(s, std::move(w), false);
    }
    mat jac(const vec& z) const {
        const vec a = s.A * z;
        const vec d = 1.0 + 0.1 * (1.0 - a.array().tanh().square());
        return d.asDiagonal() * s.A;
    }
};

/// Provides jvp and vjp.
struct product_model : model_core {
    vec jvp(const vec& z, const vec& v) const { return apply_fault_vector(s, jac(z) * v, true); }
    vec vjp(const vec& z, const vec& u) const { return apply_fault_vector(s, jac(z).transpose() * u, true); }
};

/// Provides only the full Jacobian.
struct jacobian_only : model_core {
    mat jacobian(const vec& z) const {
        mat J = jac(z);
        if (s.poisoned()) J.setConstant(std::numeric_limits<double>::quiet_NaN());
        if (s.f == fault::short_products) J.conservativeResize(J.rows() - 1, J.cols());
        if (s.f == fault::inf_products) J(0, 0) = std::numeric_limits<double>::infinity();
        return J;
    }
};

mat test_matrix() {
    auto rng = lw::test::rng(1701);
    mat A(7, 4);
    std::normal_distribution<double> nd;
    for (Eigen::Index i = 0; i < A.size(); ++i) A.data()[i] = nd(rng);
    return A;
}

/// One named call of a public entry point.
template <class G>
using entry = std::pair<std::string, std::function<void(const G&)>>;

/// Every public entry point that takes a DifferentiableGenerator, at a finite z.
template <class G>
std::vector<entry<G>> differentiable_entry_points() {
    const vec z = vec::LinSpaced(4, 0.2, 0.8);
    const vec d = vec::Unit(4, 1);
    std::vector<entry<G>> e;
    e.emplace_back("jvp", [=](const G& g) { (void)lw::jvp(g, z, d); });
    e.emplace_back("vjp", [=](const G& g) { (void)lw::vjp(g, z, vec::Ones(7)); });
    e.emplace_back("jacobian", [=](const G& g) { (void)lw::jacobian(g, z); });
    for (auto m : {lw::tangent_method::dense, lw::tangent_method::lanczos, lw::tangent_method::randomized,
                   lw::tangent_method::automatic}) {
        e.emplace_back(std::string("tangent_basis ") + lw::to_string(m), [=](const G& g) {
            lw::tangent_basis_options o;
            o.method = m;
            (void)lw::tangent_basis(g, z, 2, o);
        });
    }
    e.emplace_back("randomized_range_finder",
                   [=](const G& g) { (void)lw::randomized_range_finder(g, z, mat::Identity(4, 3), 1); });
    e.emplace_back("pullback_metric", [=](const G& g) { (void)lw::pullback_metric(g, z); });
    e.emplace_back("local_stretch_factors", [=](const G& g) { (void)lw::local_stretch_factors(g, z); });
    e.emplace_back("numerical_rank", [=](const G& g) { (void)lw::numerical_rank(g, z); });
    e.emplace_back("low_rank_error", [=](const G& g) { (void)lw::low_rank_error(g, z, 2); });
    e.emplace_back("check_derivatives", [=](const G& g) { (void)lw::check_derivatives(g, z); });
    e.emplace_back("curve_traversal", [=](const G& g) { (void)lw::curve_traversal(g, z, 0, 4, 0.1); });
    e.emplace_back("guided_curve_traversal",
                   [=](const G& g) { (void)lw::guided_curve_traversal(g, z, vec::Unit(7, 1), 4, 0.1); });
    e.emplace_back("subspace_traversal", [=](const G& g) { (void)lw::subspace_traversal(g, z, d, 2, 4, 0.1); });
    e.emplace_back("project_onto_local_subspace",
                   [=](const G& g) { (void)lw::project_onto_local_subspace(g, z, d, 2); });
    e.emplace_back("random_subspace_direction", [=](const G& g) {
        std::mt19937_64 rng(3);
        (void)lw::random_subspace_direction(g, z, 2, rng);
    });
    e.emplace_back("jacobian_regularizer", [=](const G& g) {
        const lw::linear_potential<le::backend<double>> u(vec::Ones(4));
        (void)lw::jacobian_regularizer(g, u, z, 0.0);
    });
    e.emplace_back("warpage_random_pairs", [=](const G& g) {
        lw::warpage_options o;
        o.pairs = 2;
        o.k_max = 2;
        (void)lw::warpage_random_pairs(g, o);
    });
    e.emplace_back("warpage_close_pairs", [=](const G& g) {
        lw::warpage_options o;
        o.pairs = 2;
        o.k_max = 2;
        (void)lw::warpage_close_pairs(g, o);
    });
    e.emplace_back("warpage_against_global", [=](const G& g) {
        lw::warpage_options o;
        o.pairs = 2;
        o.k_max = 2;
        (void)lw::warpage_against_global(g, mat::Identity(7, 2), o);
    });
    return e;
}

/// Entry points that evaluate g(z) itself (the frames of traversals, derivative checks).
template <class G>
std::vector<entry<G>> evaluating_entry_points() {
    const vec z = vec::LinSpaced(4, 0.2, 0.8);
    const vec d = vec::Unit(4, 1);
    std::vector<entry<G>> e;
    e.emplace_back("linear_traversal(g, ...)", [=](const G& g) { (void)lw::linear_traversal(g, z, d, 8, 0.1); });
    e.emplace_back("curve_traversal", [=](const G& g) { (void)lw::curve_traversal(g, z, 0, 8, 0.1); });
    e.emplace_back("guided_curve_traversal",
                   [=](const G& g) { (void)lw::guided_curve_traversal(g, z, vec::Unit(7, 1), 8, 0.1); });
    e.emplace_back("subspace_traversal", [=](const G& g) {
        lw::subspace_traversal_options o;
        o.record_outputs = true;
        (void)lw::subspace_traversal(g, z, d, 2, 8, 0.1, o);
    });
    e.emplace_back("check_derivatives", [=](const G& g) { (void)lw::check_derivatives(g, z); });
    return e;
}

template <class Exception, class G>
void require_every_entry_throws(const std::vector<entry<G>>& entries, const G& g, const std::string& member) {
    for (const auto& [name, call] : entries) {
        CATCH_CAPTURE(name);
        g.s.calls = 0;
        try {
            call(g);
            CATCH_FAIL_CHECK("returned without an exception");
        } catch (const Exception& ex) {
            const std::string what = ex.what();
            CATCH_CAPTURE(what);
            CATCH_CHECK(what.rfind("latentwalk::", 0) == 0);
            CATCH_CHECK(what.find(member) != std::string::npos);
        } catch (const std::exception& ex) {
            CATCH_CAPTURE(ex.what());
            CATCH_FAIL_CHECK("threw an exception of another class");
        }
    }
}

template <class G>
void require_every_entry_succeeds(const std::vector<entry<G>>& entries, const G& g) {
    for (const auto& [name, call] : entries) {
        CATCH_CAPTURE(name);
        CATCH_CHECK_NOTHROW(call(g));
    }
}

template <class G>
G make(fault f) {
    G g;
    g.s.f = f;
    g.s.A = test_matrix();
    return g;
}

}  // namespace

CATCH_TEST_CASE("reliability: a correct model passes every entry point (the control of the fault tests)") {
    const auto g = make<product_model>(fault::none);
    require_every_entry_succeeds(differentiable_entry_points<product_model>(), g);
    require_every_entry_succeeds(evaluating_entry_points<product_model>(), g);
    require_every_entry_succeeds(differentiable_entry_points<jacobian_only>(), make<jacobian_only>(fault::none));
}

CATCH_TEST_CASE("reliability: a jvp or vjp of the wrong length is a dimension_error naming the member, at every entry point") {
    const auto g = make<product_model>(fault::short_products);
    require_every_entry_throws<lw::dimension_error>(differentiable_entry_points<product_model>(), g, "the generator's");
    require_every_entry_throws<lw::dimension_error>(differentiable_entry_points<product_model>(), g, "returned a vector of length");
}

CATCH_TEST_CASE("reliability: a Jacobian of the wrong shape is a dimension_error, at every entry point") {
    const auto g = make<jacobian_only>(fault::short_products);
    require_every_entry_throws<lw::dimension_error>(differentiable_entry_points<jacobian_only>(), g,
                                                    "the generator's jacobian(z) returned a 6×4 matrix, but output_dim() × "
                                                    "latent_dim() is 7×4.");
}

CATCH_TEST_CASE("reliability: Inf in the products at a finite point is a numerical_error, at every entry point") {
    const auto g = make<product_model>(fault::inf_products);
    require_every_entry_throws<lw::numerical_error>(differentiable_entry_points<product_model>(), g,
                                                    "came back with NaN or Inf at a finite point");
    const auto j = make<jacobian_only>(fault::inf_products);
    require_every_entry_throws<lw::numerical_error>(differentiable_entry_points<jacobian_only>(), j,
                                                    "the generator's jacobian(z) came back with NaN or Inf");
}

CATCH_TEST_CASE("reliability: g(z) of the wrong length is a dimension_error, at every entry point that records frames") {
    const auto g = make<product_model>(fault::short_output);
    require_every_entry_throws<lw::dimension_error>(evaluating_entry_points<product_model>(), g,
                                                    "the generator's call operator g(z) returned a vector of length 6, "
                                                    "but its output_dim() is 7.");
}

CATCH_TEST_CASE("reliability: a model that turns NaN midway stops the traversal with a numerical_error, never a NaN frame") {
    auto g = make<product_model>(fault::nan_midway);
    require_every_entry_throws<lw::numerical_error>(evaluating_entry_points<product_model>(), g,
                                                    "came back with NaN or Inf at a finite point");
    g.s.healthy_calls = 0;  // NaN from the first call: the entry points that make one product see it too
    require_every_entry_throws<lw::numerical_error>(differentiable_entry_points<product_model>(), g,
                                                    "came back with NaN or Inf at a finite point");
}

CATCH_TEST_CASE("reliability: the derivation layer's sentence names the calling function") {
    const auto g = make<product_model>(fault::short_products);
    try {
        (void)lw::tangent_basis(g, vec::LinSpaced(4, 0.2, 0.8), 2, {.method = lw::tangent_method::lanczos});
        CATCH_FAIL("no exception");
    } catch (const lw::dimension_error& e) {
        const std::string what = e.what();
        CATCH_CAPTURE(what);
        CATCH_CHECK(what.rfind("latentwalk::tangent_basis: the generator's", 0) == 0);
    }
}
