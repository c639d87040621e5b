# Sources of src/fetch (in the order a reader meets them).
list(APPEND S3US_SOURCES
  src/fetch/route.cc
  src/fetch/verify.cc
  src/fetch/routing_fetcher.cc
  src/fetch/signed_fetcher.cc
)
