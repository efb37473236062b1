# The estimator against real PyTorch: measure_memory.py runs one training step of each of the grid's
# configurations on the CPU (about 90 s) and the test compares every figure. One binary, run by ctest
# as one test so that the measurement runs once, labelled slow so that the sanitizer pass leaves it out.
add_executable(estimate_measured_tests ${CMAKE_CURRENT_LIST_DIR}/measured/measured_grid_test.cc)
target_link_libraries(estimate_measured_tests PRIVATE trainctl_core GTest::gtest GTest::gtest_main)
target_include_directories(estimate_measured_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR} ${CMAKE_CURRENT_LIST_DIR}/../support)
target_compile_definitions(estimate_measured_tests PRIVATE
  TRAINCTL_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  TRAINCTL_TEST_PYTHON="${TRAINCTL_TEST_PYTHON}")
trainctl_set_warnings(estimate_measured_tests)
add_test(NAME estimate.measured_grid COMMAND estimate_measured_tests)
set_tests_properties(estimate.measured_grid PROPERTIES LABELS "estimate;python;slow" TIMEOUT 600)
