# The knowledge-base checker (format, taxonomy coverage, examples, clean lines) runs in ctest too,
# with Debian's Python 3.11 (it has tomllib).
add_test(NAME errors.check_kb COMMAND ${TRAINCTL_TEST_PYTHON} ${CMAKE_CURRENT_LIST_DIR}/check_kb.py)
set_tests_properties(errors.check_kb PROPERTIES LABELS "errors;python" TIMEOUT 60)
