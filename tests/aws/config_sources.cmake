# Tests of aws configuration and credentials.
list(APPEND S3US_TEST_SOURCES
  aws/s3_location_test.cc
  aws/profile_file_test.cc
  aws/shared_config_test.cc
  aws/aws_config_test.cc
  aws/credential_providers_test.cc
  aws/credential_chain_test.cc
  aws/credential_conformance_test.cc
  aws/sts_client_test.cc
  aws/process_credentials_test.cc
  aws/role_providers_test.cc
)
