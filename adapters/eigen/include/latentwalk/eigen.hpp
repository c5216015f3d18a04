#pragma once
// latentwalk/eigen.hpp — the Eigen CPU reference backend and its closed-form models,
// together with the core. Target: latentwalk::eigen.
#include <latentwalk/latentwalk.hpp>
#include <latentwalk/eigen/backend.hpp>
#include <latentwalk/eigen/linear_generator.hpp>
#include <latentwalk/eigen/sphere_embedding.hpp>
#include <latentwalk/eigen/torus_embedding.hpp>
#include <latentwalk/eigen/mlp_generator.hpp>
#if __has_include(<boost/math/special_functions/gamma.hpp>)
#include <latentwalk/eigen/chi_statistics.hpp>  // needs Boost.Math (linked by latentwalk::eigen when found)
#endif
#include <latentwalk/eigen/mlp_potential.hpp>

namespace latentwalk::eigen {
/// N(0, I_d) on the Eigen backend.
template <class Scalar = double>
using standard_gaussian = ::latentwalk::standard_gaussian<backend<Scalar>>;
}  // namespace latentwalk::eigen
