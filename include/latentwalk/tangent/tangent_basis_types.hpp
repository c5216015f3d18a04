#pragma once
// latentwalk/tangent/tangent_basis_types.hpp — options, report and result of tangent_basis
// (latentwalk/tangent/tangent_basis.hpp, where the methods and their costs are documented).
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "../concepts/backend.hpp"

namespace latentwalk {

/// How tangent_basis computes the top-k singular triplets of J(z).
enum class tangent_method {
    automatic,   ///< the rule documented in tangent_basis.hpp
    dense,       ///< J from min(n, m) products (or the generator's own jacobian), then a thin SVD
    lanczos,     ///< Golub–Kahan–Lanczos bidiagonalization, full reorthogonalization, thick restarts
    randomized,  ///< Halko–Martinsson–Tropp range finder with power iterations, then Rayleigh–Ritz
};

inline const char* to_string(tangent_method m) {
    switch (m) {
        case tangent_method::dense: return "dense";
        case tangent_method::lanczos: return "lanczos";
        case tangent_method::randomized: return "randomized";
        default: return "automatic";
    }
}

inline std::ostream& operator<<(std::ostream& os, tangent_method m) { return os << to_string(m); }

struct tangent_basis_options {
    tangent_method method = tangent_method::automatic;
    /// Residual tolerance relative to σ₁: a triplet is converged when ‖Jᵀuᵢ − σᵢvᵢ‖ ≤ tolerance·σ₁
    /// (J vᵢ = σᵢ uᵢ holds by construction). ≤ 0 selects 1e-10 for double and 1e-4 for float.
    double tolerance = 0.0;
    /// Lanczos: number of thick restarts after the first cycle before giving up.
    int max_restarts = 50;
    /// Lanczos: Krylov subspace dimension ℓ per cycle (k ≤ ℓ ≤ min(n, m)); 0 selects
    /// min(min(n, m), max(2k, k + 10)).
    long long subspace_dimension = 0;
    /// Randomized: extra sample columns p (the sketch has ℓ = min(k + p, min(n, m)) columns).
    int oversampling = 10;
    /// Randomized: power iterations q of the first pass (each costs 2ℓ products).
    int power_iterations = 1;
    /// Randomized: while the residuals miss the tolerance, go on with one more power iteration per
    /// pass (2ℓ + k products each; tangent/detail/randomized_tangent_basis.hpp), so that the method does
    /// not return an unconverged basis where more iterations would converge. Off: Halko et al.'s
    /// fixed q, flagged in the report when it misses.
    bool adaptive_power_iterations = true;
    /// Randomized: power iterations at most, first pass included (≥ power_iterations).
    int max_power_iterations = 50;
    /// Generators with batched products (ProvidesBatchedProducts): the most memory, in bytes, one
    /// batched block of products may take for its results (= latentwalk::default_block_memory_bytes,
    /// 128 MiB: a 512×16384 float64 Jacobian in one call). Lower it for a large model.
    std::size_t block_memory_bytes = std::size_t(128) << 20;
    /// Seed of the Lanczos start vector, the randomized test matrix and the adjoint probes.
    std::uint64_t seed = 0x7A4E6E7ULL;
    /// Verify ⟨u, J v⟩ = ⟨Jᵀu, v⟩ on one random pair first (1 JVP + 1 VJP); numerical_error if not.
    bool check_adjoint = false;
    /// Relative tolerance of the adjoint check; ≤ 0 selects 64 ε sqrt(n + m).
    double adjoint_tolerance = 0.0;
    /// Throw convergence_error instead of returning a result flagged converged = false.
    bool throw_on_nonconvergence = false;
};

struct tangent_basis_report {
    tangent_method method = tangent_method::automatic;  ///< the method actually used
    long long jvp_count = 0;       ///< generator JVPs (products J v)
    long long vjp_count = 0;       ///< generator VJPs (products Jᵀ u)
    long long jacobian_count = 0;  ///< calls of the generator's own jacobian(z)
    int restarts = 0;              ///< Lanczos restarts performed
    long long subspace_dimension = 0;  ///< Lanczos ℓ, or randomized sketch width ℓ; min(n, m) for dense
    int power_iterations = 0;      ///< randomized: the power iterations run (adaptive passes included)
    /// automatic on a batch: the randomized attempt missed the tolerance within dense's product count
    /// and dense answered (its products are included in the counts).
    bool fell_back_to_dense = false;
    bool converged = false;
    /// ‖Jᵀuᵢ − σᵢvᵢ‖ for each returned triplet (J vᵢ − σᵢ uᵢ is zero up to rounding by construction).
    std::vector<double> residual_norms;
    double max_residual = 0.0;
    double tolerance = 0.0;         ///< the absolute residual tolerance used (relative tolerance · σ₁)
    double adjoint_error = 0.0;     ///< relative adjoint mismatch when check_adjoint was on, else 0

    /// JVPs + VJPs (a call of the generator's own jacobian is counted separately).
    long long products() const { return jvp_count + vjp_count; }

    std::string summary() const {
        std::ostringstream os;
        os << to_string(method) << ": " << jvp_count << " JVPs + " << vjp_count << " VJPs";
        if (jacobian_count) os << " + " << jacobian_count << " Jacobian";
        if (method == tangent_method::lanczos) os << ", " << restarts << " restarts";
        if (method == tangent_method::randomized) os << ", " << power_iterations << " power iterations";
        if (fell_back_to_dense) os << " (after an unconverged randomized attempt)";
        os << ", max residual " << max_residual << " (tolerance " << tolerance << "), "
           << (converged ? "converged" : "NOT converged");
        return os.str();
    }
};

/// The local basis at z: J(z) ≈ output_basis · diag(singular_values) · latent_basisᵀ on the top k.
template <class B>
struct tangent_basis_result {
    matrix_t<B> output_basis;     ///< m×k, left singular vectors U (tangent space of f(Z) at f(z))
    matrix_t<B> latent_basis;     ///< n×k, right singular vectors V, J vᵢ = σᵢ uᵢ
    vector_t<B> singular_values;  ///< k, descending
    tangent_basis_report report;
};

}  // namespace latentwalk
