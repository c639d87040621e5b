# Tests of src/core.
s3us_layer_tests(core
  SOURCES core/error_test.cc core/secret_test.cc core/crypto_test.cc core/crc_test.cc core/strings_test.cc
         core/files_test.cc core/private_paths_test.cc core/parallel_test.cc core/clock_test.cc core/child_test.cc
         core/interrupt_test.cc
  LINK s3us_core)
