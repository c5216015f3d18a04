# Tri-state backend options: LATENTWALK_WITH_<NAME> = ON | OFF | AUTO.
#   ON   the backend is required: a missing package stops configuration with a sentence naming
#        the Debian package to install;
#   AUTO the backend is used when its package is found (the default);
#   OFF  the backend is not used.
# Each call prints exactly one status line and sets LATENTWALK_HAS_<NAME> (TRUE/FALSE).
#
# latentwalk_resolve_backend(<NAME> LABEL <text> DEBIAN <package> FIND <find_package arguments...>)
function(latentwalk_resolve_backend name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LABEL;DEBIAN" "FIND;ALSO_FIND")
  set(option_name LATENTWALK_WITH_${name})
  set(${option_name} AUTO CACHE STRING "Use the ${arg_LABEL} backend: ON, OFF or AUTO")
  set_property(CACHE ${option_name} PROPERTY STRINGS ON OFF AUTO)
  string(TOUPPER "${${option_name}}" mode)
  if(mode STREQUAL "TRUE" OR mode STREQUAL "YES" OR mode STREQUAL "1")
    set(mode ON)
  elseif(mode STREQUAL "FALSE" OR mode STREQUAL "NO" OR mode STREQUAL "0")
    set(mode OFF)
  endif()
  if(NOT mode MATCHES "^(ON|OFF|AUTO)$")
    message(FATAL_ERROR "latentwalk: ${option_name} is '${${option_name}}', but it must be ON, OFF or AUTO.")
  endif()

  if(mode STREQUAL "OFF")
    message(STATUS "latentwalk: ${arg_LABEL} backend: OFF (${option_name}=OFF)")
    set(LATENTWALK_HAS_${name} FALSE PARENT_SCOPE)
    return()
  endif()

  list(GET arg_FIND 0 package)
  find_package(${arg_FIND} QUIET)
  set(found ${${package}_FOUND})
  if(found AND arg_ALSO_FIND)
    list(GET arg_ALSO_FIND 0 also_package)
    find_package(${arg_ALSO_FIND} QUIET)
    set(found ${${also_package}_FOUND})
  endif()

  if(found)
    set(version "${${package}_VERSION}")
    message(STATUS "latentwalk: ${arg_LABEL} backend: ON (${package} ${version}, ${option_name}=${mode})")
    set(LATENTWALK_HAS_${name} TRUE PARENT_SCOPE)
  elseif(mode STREQUAL "ON")
    message(FATAL_ERROR
      "latentwalk: ${option_name}=ON, but the ${arg_LABEL} package was not found. "
      "Install the Debian package ${arg_DEBIAN} (sudo apt-get install ${arg_DEBIAN}), "
      "or point CMAKE_PREFIX_PATH at an installation, or set ${option_name}=AUTO or OFF.")
  else()
    message(STATUS "latentwalk: ${arg_LABEL} backend: OFF (not found; install the Debian package ${arg_DEBIAN} to enable it)")
    set(LATENTWALK_HAS_${name} FALSE PARENT_SCOPE)
  endif()
endfunction()
