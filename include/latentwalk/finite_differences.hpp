#pragma once
// latentwalk/finite_differences.hpp — explicit finite-difference derivatives for a plain Generator.
//
// latentwalk never differentiates numerically behind your back. To use finite differences, wrap:
//
//     auto gd = latentwalk::finite_differences(g);            // central differences, default step rule
//     auto J  = latentwalk::jacobian(gd, z);                   // n JVPs = 2n evaluations of g
//
// The wrapper is a DifferentiableGenerator that provides jvp(z, v) by the central difference
//     J v ≈ (g(z + h v̂) − g(z − h v̂)) / (2h) · ‖v‖,   v̂ = v/‖v‖,
// with the step rule h = relative_step · max(1, ‖z‖∞). The default relative_step is ε^(1/3)
// (ε the machine epsilon of the backend's scalar: ≈ 6.1e-6 for double, 4.9e-3 for float), which
// balances the O(h²) truncation error against the O(ε/h) rounding error; expect about 2/3 of the
// digits of the scalar type. vjp and jacobian are then derived by latentwalk/derivatives.hpp
// (jacobian from n JVPs; vjp from that Jacobian).
#include <cmath>
#include <limits>
#include <string>

#include "concepts/generator.hpp"
#include "detail/validate.hpp"

namespace latentwalk {

struct finite_difference_options {
    /// h = relative_step · max(1, ‖z‖∞); a value ≤ 0 selects ε^(1/3) of the generator's scalar type.
    double relative_step = 0.0;
};

template <class G>
class finite_differences {
    LATENTWALK_REQUIRE_GENERATOR(G);
    using B = typename G::backend;
    using T = backend_traits<B>;

public:
    using backend = B;

    explicit finite_differences(G g, finite_difference_options opts = {}) : g_(std::move(g)), opts_(opts) {
        if (!std::isfinite(opts_.relative_step))
            throw invalid_argument_error("latentwalk::finite_differences: relative_step must be finite.");
        if (opts_.relative_step <= 0.0)
            opts_.relative_step = std::cbrt(static_cast<double>(std::numeric_limits<scalar_t<B>>::epsilon()));
    }

    auto latent_dim() const { return g_.latent_dim(); }
    auto output_dim() const { return g_.output_dim(); }
    vector_t<B> operator()(const vector_t<B>& z) const { return g_(z); }

    /// The step h used at z.
    double step(const vector_t<B>& z) const { return opts_.relative_step * std::max(1.0, T::max_abs(z)); }

    vector_t<B> jvp(const vector_t<B>& z, const vector_t<B>& v) const {
        detail::require_length<B>("finite_differences::jvp", "v", v, static_cast<long long>(g_.latent_dim()),
                                  "the generator's latent dimension");
        const auto nv = T::norm(v);
        if (T::host_max(nv) == 0.0) return T::scale(g_(z), scalar_t<B>(0));
        const auto h = static_cast<scalar_t<B>>(step(z));
        const auto dir = T::scale(v, scalar_t<B>(1) / nv);
        const auto forward = g_(T::axpy(h, dir, z));
        const auto backward = g_(T::axpy(-h, dir, z));
        return T::scale(T::sub(forward, backward), nv / (scalar_t<B>(2) * h));
    }

    const G& base() const { return g_; }
    const finite_difference_options& options() const { return opts_; }

private:
    G g_;
    finite_difference_options opts_;
};

}  // namespace latentwalk
