# AddressSanitizer + UndefinedBehaviorSanitizer for the whole build, so that the suite can run under
# them. TRAINCTL_FUZZ (clang only) adds libFuzzer's coverage instrumentation to the same build, so
# that one sanitizer build serves both the test suite and the fuzz targets.
if(TRAINCTL_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TRAINCTL_FUZZ needs clang: configure with CC=clang-14 CXX=clang++-14")
  endif()
  set(TRAINCTL_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(TRAINCTL_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
