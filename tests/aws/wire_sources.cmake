# Tests of the aws wire side.
list(APPEND S3US_TEST_SOURCES
  aws/sigv4_test.cc
  aws/sigv4_vectors_test.cc
  aws/imds_client_test.cc
  aws/imds_credentials_test.cc
  aws/s3_endpoint_test.cc
  aws/s3_errors_test.cc
  aws/s3_client_test.cc
  aws/s3_client_repairs_test.cc
)
