# Packaging tests. The drift test checks packaging/'s man page and bash completion against the
# built binary's --help; the package test makes the .deb, runs lintian, installs it with dpkg
# on this machine and purges it (docs/packaging.md).
set(S3US_PACKAGE_TEST_DIR "${CMAKE_CURRENT_LIST_DIR}")
add_test(NAME package.docs_drift
         COMMAND ${S3US_PYTHON} ${S3US_PACKAGE_TEST_DIR}/docs_drift_test.py
                 $<TARGET_FILE:s3-user-script>)
set_tests_properties(package.docs_drift PROPERTIES LABELS "package" TIMEOUT 120
                     ENVIRONMENT "S3US_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
# A build configured as the package is built (scripts/test.sh configures build/test so) is
# packaged as it is: the .deb holds the binary every other test ran, and no second build is
# needed. Any other build (a developer's, the sanitized one) gets a Release build of its own
# in package-test, cold: on two loaded cores that takes most of the test's time.
if(S3US_DEBIAN_FLAGS AND CMAKE_INSTALL_PREFIX STREQUAL "/usr" AND NOT S3US_SANITIZE)
  set(package_from --cpack-config ${CMAKE_BINARY_DIR}/CPackConfig.cmake
                   ${CMAKE_BINARY_DIR}/package-test)
  set(package_cost 60)
else()
  set(package_from --build ${CMAKE_BINARY_DIR}/package-test "${CMAKE_CXX_COMPILER_LAUNCHER}")
  set(package_cost 400)
endif()
add_test(NAME package.deb
         COMMAND ${S3US_PYTHON} ${S3US_PACKAGE_TEST_DIR}/package_test.py ${PROJECT_SOURCE_DIR}
                 ${package_from})
# It installs system-wide: a lock file keeps one such test per machine; no other test uses the
# installed paths (the bridge tests name their binary in S3_USER_SCRIPT and use their own
# cloud_dir). COST (seconds) starts the long tests first, so none is left running alone.
set_tests_properties(package.deb PROPERTIES LABELS "package" TIMEOUT 2400 COST ${package_cost}
                     ENVIRONMENT "S3US_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
