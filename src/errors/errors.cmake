# The errors domain (`trainctl explain`). Hyperscan scans a log once for every knowledge-base
# pattern, RE2 confirms each candidate line and extracts values, and the knowledge base
# (data/errors/*.toml) is compiled into the binary so that `trainctl explain` works from any folder.
find_package(PkgConfig REQUIRED)
pkg_check_modules(TRAINCTL_HS REQUIRED libhs)
pkg_check_modules(TRAINCTL_RE2 REQUIRED re2)
# The static archives (Debian ships both): trainctl links libstdc++ statically, and a C++ library
# linked dynamically would load a second libstdc++ into the process at every start-up.
find_library(TRAINCTL_HS_LIB NAMES libhs.a hs HINTS ${TRAINCTL_HS_LIBRARY_DIRS} REQUIRED)
find_library(TRAINCTL_RE2_LIB NAMES libre2.a re2 HINTS ${TRAINCTL_RE2_LIBRARY_DIRS} REQUIRED)

set(trainctl_kb_source ${CMAKE_BINARY_DIR}/generated/builtin_kb.cc)
file(GLOB trainctl_kb_files CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/data/errors/*.toml)
add_custom_command(OUTPUT ${trainctl_kb_source}
  COMMAND ${CMAKE_COMMAND} -DKB_DIR=${CMAKE_SOURCE_DIR}/data/errors -DOUTPUT=${trainctl_kb_source}
          -P ${CMAKE_SOURCE_DIR}/src/errors/embed_kb.cmake
  DEPENDS ${trainctl_kb_files} ${CMAKE_SOURCE_DIR}/src/errors/embed_kb.cmake
  COMMENT "Embedding the error knowledge base (data/errors/*.toml)")
target_sources(trainctl_core PRIVATE ${trainctl_kb_source})
target_link_libraries(trainctl_core PUBLIC ${TRAINCTL_HS_LIB} ${TRAINCTL_RE2_LIB})
