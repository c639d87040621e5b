# s3: S3 addressing and transfer: locations in every spelling, endpoint hosts, the
# endpoint a request goes to, S3's errors and integrity headers, the GetObject client.
s3us_layer(s3 DIR src/s3
  SOURCES location.cc host.cc endpoint.cc errors.cc integrity.cc client_impl.cc
  PUBLIC s3us_core s3us_net s3us_aws
  PRIVATE OpenSSL::Crypto ZLIB::ZLIB)
