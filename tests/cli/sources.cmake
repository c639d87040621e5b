# Tests of src/cli.
list(APPEND S3US_TEST_SOURCES
  cli/options_test.cc
  cli/app_test.cc
)
