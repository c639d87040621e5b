# Tests of handlers.
list(APPEND S3US_TEST_SOURCES
  handlers/script_text_test.cc
  handlers/cloud_config_test.cc
  handlers/jinja_test.cc
  handlers/shell_script_test.cc
  handlers/builtin_test.cc
)
