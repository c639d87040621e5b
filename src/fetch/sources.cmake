# fetch: routes, the verification tail, the routing and the signed fetcher. Users of the
# fetcher interface see net and userdata; the S3 client and trust stay behind it.
s3us_layer(fetch DIR src/fetch
  SOURCES route.cc verify.cc routing_fetcher.cc signed_fetcher.cc
  PUBLIC s3us_core s3us_net s3us_userdata
  PRIVATE s3us_aws s3us_trust)
