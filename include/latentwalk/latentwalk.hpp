#pragma once
// latentwalk/latentwalk.hpp — the core of latentwalk: concepts, derivations and algorithms.
// Includes the standard library only; a backend comes from an adapter header such as
// <latentwalk/eigen.hpp>.
#include "version.hpp"
#include "error.hpp"
#include "concepts/backend.hpp"
#include "concepts/generator.hpp"
#include "concepts/potential_field.hpp"
#include "concepts/density_model.hpp"
#include "derivatives.hpp"
#include "finite_differences.hpp"
#include "check_derivatives.hpp"
#include "density/standard_gaussian.hpp"
#include "density/diagonal_gaussian.hpp"
#include "density/truncated_normal.hpp"
#include "density/uniform_box.hpp"
#include "density/monotone_cdf_model.hpp"
#include "density/project_to_level_set.hpp"
#include "density/density_preserving_walk.hpp"
