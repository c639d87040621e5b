# Tests of fetch.
list(APPEND S3US_TEST_SOURCES
  fetch/route_test.cc
  fetch/verify_test.cc
  fetch/routing_fetcher_test.cc
  fetch/signed_fetcher_test.cc
)
