# Tests of src/s3: locations and hosts, endpoints, errors, then the client.
s3us_layer_tests(s3
  SOURCES s3/location_test.cc s3/endpoint_test.cc s3/errors_test.cc s3/client_test.cc
         s3/client_repairs_test.cc
  LINK s3us_s3 ZLIB::ZLIB)
