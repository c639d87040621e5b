# End-to-end tests of the real binary against the loopback emulators, by area.
include(${CMAKE_CURRENT_LIST_DIR}/fetch.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/run.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/bridge.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/signing.cmake)
