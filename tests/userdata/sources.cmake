# Tests of userdata.
list(APPEND S3US_TEST_SOURCES
  userdata/parse_test.cc
  userdata/differential_test.cc
  userdata/mime_crosscheck_test.cc
  userdata/rules_test.cc
  userdata/codecs_test.cc
  userdata/serialize_test.cc
  userdata/serialize_mimetic_test.cc
)
