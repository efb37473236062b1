# Strict warnings for our own targets; TRAINCTL_WERROR turns them into errors (tests and CI build so).
function(trainctl_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
    -Wno-sign-conversion -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
    -Wnull-dereference -Wimplicit-fallthrough)
  if(TRAINCTL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
