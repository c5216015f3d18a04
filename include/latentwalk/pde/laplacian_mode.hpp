#pragma once
// latentwalk/pde/laplacian_mode.hpp — which "Laplacian" a PDE residual uses.
//
// | mode             | what it computes                    | where it comes from                          |
// |------------------|-------------------------------------|----------------------------------------------|
// | trace            | Δ_z u = tr ∇²_z u (a scalar)        | the wave equation as Song et al. write it    |
// | hessian_row_sum  | ∇²_z u · 1 (a d-vector: row sums)   | what the authors' released code computes:    |
// |                  |                                     | grad(u_z.sum(), z), i.e. Σ_j ∂²u/∂z_i∂z_j    |
//
// They differ in general (they are not even the same kind of object): for
// u = ½‖z‖² the trace is d while every row sum is 1. latentwalk offers both, named, so a
// potential trained with the released code can be evaluated by its own criterion.
namespace latentwalk {

enum class laplacian_mode {
    trace,            ///< the true Laplacian tr ∇²u (exact)
    hessian_row_sum   ///< ∇²u·1, the released code's quantity (one Hessian-vector product)
};

inline const char* to_string(laplacian_mode m) {
    return m == laplacian_mode::trace ? "trace" : "hessian_row_sum";
}

}  // namespace latentwalk
