#pragma once
// The headers the traversal and PDE tests need, included one by one (not through the umbrellas) so
// that this area builds on its own.
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/mlp_potential.hpp>
#include <latentwalk/eigen/sphere_embedding.hpp>

#include <latentwalk/density/standard_gaussian.hpp>
#include <latentwalk/pde/hessian_row_sum.hpp>
#include <latentwalk/pde/hutchinson_laplacian.hpp>
#include <latentwalk/pde/initial_condition_loss.hpp>
#include <latentwalk/pde/jacobian_regularizer.hpp>
#include <latentwalk/pde/laplacian.hpp>
#include <latentwalk/pde/laplacian_mode.hpp>
#include <latentwalk/pde/wave_loss.hpp>
#include <latentwalk/pde/wave_residual.hpp>
#include <latentwalk/pde/heat_residual.hpp>
#include <latentwalk/potentials/linear_potential.hpp>
#include <latentwalk/potentials/quadratic_potential.hpp>
#include <latentwalk/potentials/rbf_dipole_potential.hpp>
#include <latentwalk/traversal/curve_traversal.hpp>
#include <latentwalk/traversal/integrate_ode.hpp>
#include <latentwalk/traversal/linear_traversal.hpp>
#include <latentwalk/traversal/potential_flow.hpp>
#include <latentwalk/traversal/project_onto_local_subspace.hpp>
#include <latentwalk/traversal/subspace_traversal.hpp>
#include <latentwalk/traversal/random_subspace_direction.hpp>
#include <latentwalk/traversal/trajectory.hpp>
#include <latentwalk/tangent/tangent_basis.hpp>
