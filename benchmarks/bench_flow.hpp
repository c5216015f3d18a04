#pragma once
// The peers' flow row (benchmarks/peers): potential_flow options for one Euler step from t = 0 to 1 with no
// direction recorded at the end — one gradient, as PyTorch's z + ∇u. Used by potential_flow.cpp,
// torch_flow_step.cpp and peers/export_inputs.cpp.
#include <latentwalk/traversal/potential_flow.hpp>

namespace latentwalk::bench {

template <class B>
potential_flow_options<B> one_euler_step() {
    potential_flow_options<B> o;
    o.ode.method = ode_method::euler;
    o.ode.t0 = 0.0;
    o.ode.t1 = 1.0;
    o.ode.steps = 1;
    o.ode.final_direction = false;  // one step, one gradient: PyTorch's z + ∇u records no direction at z₁ either
    return o;
}

}  // namespace latentwalk::bench
