# Tests of expand.
s3us_layer_tests(expand
  SOURCES expand/key_template_test.cc expand/include_target_test.cc expand/support_test.cc
         expand/expander_test.cc expand/expander_limits_test.cc expand/body_sink_test.cc
         expand/include_once_cache_test.cc
  LINK s3us_expand s3us_fetch ZLIB::ZLIB)
