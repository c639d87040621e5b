# Tests of src/aws (two groups, as in src/aws/sources.cmake).
include(${CMAKE_CURRENT_LIST_DIR}/config_sources.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/wire_sources.cmake)
