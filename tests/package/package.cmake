# Packaging tests. The drift test checks packaging/'s man page and bash completion against the
# built binary's --help.
set(S3US_PACKAGE_TEST_DIR "${CMAKE_CURRENT_LIST_DIR}")
add_test(NAME package.docs_drift
         COMMAND ${S3US_PYTHON} ${S3US_PACKAGE_TEST_DIR}/docs_drift_test.py
                 $<TARGET_FILE:s3-user-script>)
set_tests_properties(package.docs_drift PROPERTIES LABELS "package" TIMEOUT 120
                     ENVIRONMENT "S3US_SOURCE_DIR=${PROJECT_SOURCE_DIR};PYTHONDONTWRITEBYTECODE=1")
