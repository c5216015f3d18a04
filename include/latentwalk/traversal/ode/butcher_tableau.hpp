#pragma once
// latentwalk/traversal/ode/butcher_tableau.hpp — explicit Runge–Kutta methods as coefficient tables.
//
// A method is its Butcher tableau (c, A strictly lower triangular, b) and, for an embedded pair, the
// error weights e = b − b̂; one generic stage loop (explicit_rk_stepper.hpp) runs them all, as
// Boost.Odeint's explicit_generic_rk runs runge_kutta4.
//
// | tableau          | stages | order | error estimate | coefficients                                   |
// |------------------|--------|-------|----------------|------------------------------------------------|
// | euler_tableau    | 1      | 1     | —              | b = (1)                                        |
// | midpoint_tableau | 2      | 2     | —              | c = (0, ½), a₂₁ = ½, b = (0, 1)                |
// | heun_tableau     | 2      | 2     | —              | c = (0, 1), a₂₁ = 1, b = (½, ½)                |
// | kutta3_tableau   | 3      | 3     | —              | Kutta's third-order rule, b = (1/6, 2/3, 1/6)  |
// | rk4_tableau      | 4      | 4     | —              | the classical Runge–Kutta rule                 |
// | dopri5_tableau   | 7 FSAL | 5(4)  | e = b − b̂      | Dormand–Prince (Hairer, Nørsett & Wanner,      |
// |                  |        |       |                | Solving ODEs I, Table 5.2); row 7 of A is b    |
//
// FSAL ("first same as last"): the last stage is evaluated at the new point and is the next step's
// first stage, so dopri5 costs 6 evaluations per accepted step.
#include <array>
#include <cstddef>

namespace latentwalk {

inline constexpr std::size_t max_rk_stages = 7;

struct butcher_tableau {
    const char* name = "";
    std::size_t stages = 0;
    int order = 0;
    std::array<double, max_rk_stages> c{};
    std::array<std::array<double, max_rk_stages>, max_rk_stages> a{};  ///< a[i][j], j < i
    std::array<double, max_rk_stages> b{};
    std::array<double, max_rk_stages> e{};  ///< b − b̂ (all zero: no embedded estimate)
    bool fsal = false;                      ///< the last stage is f at the new point (its A row is b)
    bool embedded = false;                  ///< e holds an error estimate
};

inline constexpr butcher_tableau euler_tableau{"euler", 1, 1, {0.0}, {}, {1.0}, {}, false, false};

inline constexpr butcher_tableau midpoint_tableau{
    "midpoint", 2, 2, {0.0, 1.0 / 2}, {{{}, {1.0 / 2}}}, {0.0, 1.0}, {}, false, false};

inline constexpr butcher_tableau heun_tableau{"heun", 2, 2, {0.0, 1.0}, {{{}, {1.0}}}, {1.0 / 2, 1.0 / 2}, {}, false, false};

inline constexpr butcher_tableau kutta3_tableau{"kutta3",
                                                3,
                                                3,
                                                {0.0, 1.0 / 2, 1.0},
                                                {{{}, {1.0 / 2}, {-1.0, 2.0}}},
                                                {1.0 / 6, 2.0 / 3, 1.0 / 6},
                                                {},
                                                false,
                                                false};

inline constexpr butcher_tableau rk4_tableau{"rk4",
                                             4,
                                             4,
                                             {0.0, 1.0 / 2, 1.0 / 2, 1.0},
                                             {{{}, {1.0 / 2}, {0.0, 1.0 / 2}, {0.0, 0.0, 1.0}}},
                                             {1.0 / 6, 1.0 / 3, 1.0 / 3, 1.0 / 6},
                                             {},
                                             false,
                                             false};

inline constexpr butcher_tableau dopri5_tableau{
    "dopri5",
    7,
    5,
    {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0},
    {{{},
      {1.0 / 5},
      {3.0 / 40, 9.0 / 40},
      {44.0 / 45, -56.0 / 15, 32.0 / 9},
      {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
      {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
      {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}}},
    {35.0 / 384, 0.0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0.0},
    {71.0 / 57600, 0.0, -71.0 / 16695, 71.0 / 1920, -17253.0 / 339200, 22.0 / 525, -1.0 / 40},
    true,
    true};

}  // namespace latentwalk
