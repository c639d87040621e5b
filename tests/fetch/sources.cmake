# Tests of fetch.
s3us_layer_tests(fetch
  SOURCES fetch/route_test.cc fetch/verify_test.cc fetch/routing_fetcher_test.cc fetch/routing_fetcher_verify_test.cc
         fetch/signed_fetcher_test.cc
  LINK s3us_fetch s3us_s3 s3us_trust)
