# fetch: routes and targets, the verification tail, the routing and the signed fetcher.
# Users of the fetcher interface see net, userdata, the S3 location of a target and the
# allowed_signers lists an include part may carry; the S3 client stays behind it.
s3us_layer(fetch DIR src/fetch
  SOURCES route.cc target.cc verify.cc routing_fetcher.cc signed_fetcher.cc
  PUBLIC s3us_core s3us_net s3us_userdata s3us_s3 s3us_trust)
