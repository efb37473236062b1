# Strict warnings for our own targets; TRAINCTL_WERROR turns them into errors (tests and CI build so).
function(trainctl_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports std::string concatenation inside libstdc++ as overlapping memcpy at -O2
    # (GCC bug 105651); the warning is about the library, not our code.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(TRAINCTL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
