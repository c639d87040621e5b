# Packaging tests. The drift test checks packaging/'s man page and bash completion against the
# built binary's --help; the package test builds the .deb in its own Release build, runs
# lintian, installs it with dpkg on this machine and purges it (docs/packaging.md).
set(S3US_PACKAGE_TEST_DIR "${CMAKE_CURRENT_LIST_DIR}")
add_test(NAME package.docs_drift
         COMMAND ${S3US_PYTHON} ${S3US_PACKAGE_TEST_DIR}/docs_drift_test.py
                 $<TARGET_FILE:s3-user-script>)
set_tests_properties(package.docs_drift PROPERTIES LABELS "package" TIMEOUT 120
                     ENVIRONMENT "S3US_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
add_test(NAME package.deb
         COMMAND ${S3US_PYTHON} ${S3US_PACKAGE_TEST_DIR}/package_test.py ${PROJECT_SOURCE_DIR}
                 ${CMAKE_BINARY_DIR}/package-test "${CMAKE_CXX_COMPILER_LAUNCHER}")
# A cold Release build on two loaded cores takes most of the time. It installs system-wide:
# a lock file keeps one such test per machine; no other test uses the installed paths (the
# bridge tests name their binary in S3_USER_SCRIPT and use their own cloud_dir).
set_tests_properties(package.deb PROPERTIES LABELS "package" TIMEOUT 2400
                     ENVIRONMENT "S3US_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
