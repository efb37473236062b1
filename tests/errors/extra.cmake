# The knowledge-base checker (format, taxonomy coverage, examples, clean lines) runs in ctest too,
# with Debian's Python 3.11 (it has tomllib).
add_test(NAME errors.check_kb COMMAND ${TRAINCTL_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_kb.py)
set_tests_properties(errors.check_kb PROPERTIES LABELS "errors;python" TIMEOUT 60)

# The example project's own failures, made for real with PyTorch by fixtures/break_tinystories.py
# (about 20 s): one binary, run by ctest as one test so that the fixture runs once, labelled slow so
# that the sanitizer pass leaves it out.
add_executable(errors_example_tests ${CMAKE_CURRENT_LIST_DIR}/example/tinystories_failures_test.cc)
target_link_libraries(errors_example_tests PRIVATE trainctl_core GTest::gtest GTest::gtest_main)
target_include_directories(errors_example_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR} ${CMAKE_CURRENT_LIST_DIR}/../support)
target_compile_definitions(errors_example_tests PRIVATE
  TRAINCTL_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
  TRAINCTL_BINARY="$<TARGET_FILE:trainctl>"
  TRAINCTL_TEST_PYTHON="${TRAINCTL_TEST_PYTHON}")
trainctl_set_warnings(errors_example_tests)
add_dependencies(errors_example_tests trainctl)
add_test(NAME errors.tinystories_failures COMMAND errors_example_tests)
set_tests_properties(errors.tinystories_failures PROPERTIES LABELS "errors;python;slow" TIMEOUT 300)
