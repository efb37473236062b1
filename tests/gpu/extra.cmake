# The gpu tests' fake NVML: tests/gpu/fake_nvml.c built as a file named libnvidia-ml.so.1 in its own
# folder, so that the tests run trainctl's real dlopen path without an NVIDIA driver.
add_library(fake_nvml SHARED ${CMAKE_CURRENT_LIST_DIR}/fake_nvml.c)
set_target_properties(fake_nvml PROPERTIES
  PREFIX ""
  OUTPUT_NAME "libnvidia-ml.so.1"
  SUFFIX ""
  C_STANDARD 11
  C_STANDARD_REQUIRED ON
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/fake_nvml)
# trainctl_set_warnings carries C++-only flags; the C fake gets the same strictness in C terms.
target_compile_options(fake_nvml PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wcast-align
  -Wnull-dereference -Wimplicit-fallthrough)
if(TRAINCTL_WERROR)
  target_compile_options(fake_nvml PRIVATE -Werror)
endif()
if(TARGET gpu_tests)
  target_compile_definitions(gpu_tests PRIVATE FAKE_NVML_PATH="$<TARGET_FILE:fake_nvml>")
  add_dependencies(gpu_tests fake_nvml)
endif()
