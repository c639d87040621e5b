# Tests of expand.
list(APPEND S3US_TEST_SOURCES
  expand/key_template_test.cc
  expand/include_target_test.cc
  expand/support_test.cc
  expand/expander_test.cc
)
