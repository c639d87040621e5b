# Tests of handlers.
s3us_layer_tests(handlers
  SOURCES handlers/script_text_test.cc handlers/cloud_config_test.cc handlers/jinja_test.cc
         handlers/shell_script_test.cc handlers/builtin_test.cc
  LINK s3us_handlers)
