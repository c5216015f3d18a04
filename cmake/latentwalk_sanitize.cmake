# Sanitizers and fuzzers for latentwalk's own builds (tests, examples, benchmarks, fuzz/).
#
#   LATENTWALK_SANITIZE=address,undefined   compile and link everything built here with
#       -fsanitize=<list> -fno-sanitize-recover=all (so undefined behaviour fails the run instead of
#       printing and going on), frame pointers and debug information. Any list -fsanitize accepts
#       (address, undefined, leak, thread...). Empty (the default): no sanitizers.
#       The preset `sanitize` (CMakePresets.json) and scripts/sanitize.sh use address,undefined.
#   LATENTWALK_BUILD_FUZZERS=ON   build the libFuzzer targets of fuzz/ (clang only; they add
#       -fsanitize=fuzzer themselves and, unless LATENTWALK_SANITIZE says otherwise, address,undefined).
#
# Neither changes the installed headers: the library is header-only and a consumer chooses its own flags.
set(LATENTWALK_SANITIZE "" CACHE STRING
  "Sanitizers for latentwalk's tests/examples/benchmarks/fuzzers, e.g. address,undefined (empty: none)")
option(LATENTWALK_BUILD_FUZZERS "Build latentwalk's libFuzzer targets (fuzz/; clang only)" OFF)

if(LATENTWALK_BUILD_FUZZERS AND NOT LATENTWALK_SANITIZE)
  set(LATENTWALK_SANITIZE "address,undefined" CACHE STRING
    "Sanitizers for latentwalk's tests/examples/benchmarks/fuzzers, e.g. address,undefined (empty: none)" FORCE)
endif()

if(LATENTWALK_SANITIZE)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    message(FATAL_ERROR "latentwalk: LATENTWALK_SANITIZE needs GCC or Clang, not ${CMAKE_CXX_COMPILER_ID}.")
  endif()
  # -fno-sanitize-recover=all: the first report ends the process with a non-zero status, so ctest fails.
  set(latentwalk_sanitize_flags -fsanitize=${LATENTWALK_SANITIZE} -fno-sanitize-recover=all
    -fno-omit-frame-pointer -g)
  add_compile_options(${latentwalk_sanitize_flags})
  add_link_options(-fsanitize=${LATENTWALK_SANITIZE})
  message(STATUS "latentwalk: sanitizers: ${LATENTWALK_SANITIZE} (-fno-sanitize-recover=all)")
endif()
