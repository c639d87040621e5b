# aws: S3 locations, shared config/credentials files, credential providers.
list(APPEND S3US_SOURCES
  src/aws/s3_location.cc
  src/aws/s3_host.cc
  src/aws/environment.cc
  src/aws/profile_file.cc
  src/aws/shared_config.cc
  src/aws/aws_config.cc
  src/aws/credential_providers.cc
  src/aws/sts_client.cc
  src/aws/profile_sources.cc
  src/aws/role_providers.cc
  src/aws/sso_credentials.cc
  src/aws/process_credentials.cc
  src/aws/profile_provider.cc
  src/aws/credential_chain.cc
)
