cmake_minimum_required(VERSION 3.25)
set(std_headers algorithm any array atomic bit bitset cassert cctype cerrno cfloat charconv chrono cinttypes
  climits cmath compare complex concepts cstddef cstdint cstdio cstdlib cstring ctime deque exception
  execution format fstream functional initializer_list iomanip ios iosfwd iostream istream iterator limits
  list map memory memory_resource mutex new numbers numeric optional ostream queue random ranges ratio
  set shared_mutex source_location span sstream stack stdexcept streambuf string string_view system_error
  thread tuple type_traits typeinfo unordered_map unordered_set utility valarray variant vector version)
file(GLOB_RECURSE headers "${INCLUDE_DIR}/*.hpp")
set(bad "")
foreach(h IN LISTS headers)
  file(STRINGS "${h}" lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    if(line MATCHES "<([^>]+)>")
      set(name "${CMAKE_MATCH_1}")
      if(NOT name IN_LIST std_headers AND NOT name MATCHES "^latentwalk/")
        string(APPEND bad "${h}: ${line}\n")
      endif()
    endif()
  endforeach()
endforeach()
list(LENGTH headers n)
if(bad)
  message(FATAL_ERROR "core headers include non-standard headers:\n${bad}")
endif()
message("all ${n} core headers include only standard or latentwalk headers")
