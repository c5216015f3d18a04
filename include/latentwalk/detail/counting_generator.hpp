#pragma once
// latentwalk/detail/counting_generator.hpp — a generator adaptor that counts the products asked of it.
//
// counting_generator<G> wraps a reference to a generator and forwards g(z), jvp, vjp and jacobian,
// providing exactly the members G provides (so the derivation layer takes the same path through
// it as through G) and counting each call. The matrix-free algorithms run on the adaptor and copy
// the counts into their reports, so a product derived from another one (a VJP assembled from n
// JVPs, say) is counted as what it really cost.
//
// When G provides linearize(z) (ProvidesLinearization), the adaptor linearizes once per latent
// point and answers jvp/vjp at that point from the linearization: the many products a
// matrix-free method asks at one z then skip the repeated forward pass. Counts are unchanged
// (a product is a product), and the adaptor is local to one algorithm call, so its cache is
// never shared between threads.
//
// A batched block of c products (ProvidesBatchedProducts, one call of g.jvp with c stacked directions)
// counts as c: the derivation layer calls count_block after it.
//
// Every product's result is checked for NaN/Inf (O(length), small next to the product itself):
// a generator that returns a non-finite product makes the calling algorithm throw
// numerical_error naming it, instead of returning a silently poisoned basis.
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "../concepts/generator.hpp"
#include "validate.hpp"

namespace latentwalk::detail {

/// The type g.linearize(z) returns, or an empty type for generators without linearize.
template <class G>
struct linearization_of {
    struct type {};
};
template <class G>
    requires ProvidesLinearization<G>
struct linearization_of<G> {
    using type = decltype(std::declval<const G&>().linearize(std::declval<const vector_t<typename G::backend>&>()));
};

template <class G>
class counting_generator {
    using B = typename G::backend;

public:
    using backend = B;
    static constexpr bool checks_own_results = true;  ///< see detail::ChecksOwnResults
    /// Forwarded, so that the derivation layer takes the same (batched or column) path through it.
    static constexpr bool batched_products = ProvidesBatchedProducts<G>;

    counting_generator(const G& g, std::string_view where) : g_(&g), where_(where) {}

    auto latent_dim() const { return g_->latent_dim(); }
    auto output_dim() const { return g_->output_dim(); }

    vector_t<B> operator()(const vector_t<B>& z) const {
        ++evaluations;
        vector_t<B> w = (*g_)(z);
        check_model_vector<B>(where_, "the generator's call operator g(z)", w, static_cast<long long>(g_->output_dim()),
                              "its output_dim()");
        return w;
    }
    vector_t<B> jvp(const vector_t<B>& z, const vector_t<B>& v) const
        requires ProvidesJvp<G>
    {
        ++jvps;
        auto r = [&] {
            if constexpr (ProvidesLinearization<G>) return linearization_at(z).jvp(v);
            else return g_->jvp(z, v);
        }();
        check_model_vector<B>(where_, ProvidesLinearization<G> ? "the generator's linearize(z).jvp(v)" : "the generator's jvp(z, v)", r,
                              static_cast<long long>(g_->output_dim()), "its output_dim()");
        return r;
    }
    vector_t<B> vjp(const vector_t<B>& z, const vector_t<B>& u) const
        requires ProvidesVjp<G>
    {
        ++vjps;
        auto r = [&] {
            if constexpr (ProvidesLinearization<G>) return linearization_at(z).vjp(u);
            else return g_->vjp(z, u);
        }();
        check_model_vector<B>(where_, ProvidesLinearization<G> ? "the generator's linearize(z).vjp(u)" : "the generator's vjp(z, u)", r,
                              static_cast<long long>(g_->latent_dim()), "its latent_dim()");
        return r;
    }
    matrix_t<B> jacobian(const vector_t<B>& z) const
        requires ProvidesJacobian<G>
    {
        ++jacobians;
        auto r = g_->jacobian(z);
        check_model_matrix<B>(where_, r, static_cast<long long>(g_->output_dim()), static_cast<long long>(g_->latent_dim()));
        return r;
    }

    /// A batched call that carried c products was counted as one: count the other c − 1.
    void count_block(bool jvp_side, long long c) const { (jvp_side ? jvps : vjps) += c - 1; }

    mutable long long evaluations = 0;  ///< calls of g(z)
    mutable long long jvps = 0;         ///< calls of g.jvp
    mutable long long vjps = 0;         ///< calls of g.vjp
    mutable long long jacobians = 0;    ///< calls of g.jacobian

private:
    using linearization_type = typename linearization_of<G>::type;

    /// The linearization at z, rebuilt when z differs (bit for bit) from the cached point.
    const linearization_type& linearization_at(const vector_t<B>& z) const {
        using T = backend_traits<B>;
        if (!cache_ || T::max_abs(T::sub(z, cache_->first)) != 0.0) cache_.emplace(z, g_->linearize(z));
        return cache_->second;
    }

    const G* g_;
    std::string where_;
    mutable std::optional<std::pair<vector_t<B>, linearization_type>> cache_;
};

}  // namespace latentwalk::detail
