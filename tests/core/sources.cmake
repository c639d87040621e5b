# Tests of src/core.
list(APPEND S3US_TEST_SOURCES
  core/error_test.cc
  core/secret_test.cc
  core/crypto_test.cc
  core/strings_test.cc
  core/files_test.cc
)
