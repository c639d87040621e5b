# Tests of userdata.
s3us_layer_tests(userdata
  SOURCES userdata/parse_test.cc userdata/differential_test.cc userdata/mime_crosscheck_test.cc
         userdata/mimetic_body_test.cc
         userdata/rules_test.cc userdata/codecs_test.cc userdata/gzip_test.cc userdata/serialize_test.cc
         userdata/serialize_mimetic_test.cc userdata/payload_test.cc
         userdata/pyyaml_resolve_test.cc userdata/key_spelling_test.cc
         userdata/cloud_config_yaml_test.cc userdata/launch_index_test.cc
         userdata/archive_test.cc
  LINK s3us_userdata Mimetic::Mimetic ZLIB::ZLIB yaml-cpp)
