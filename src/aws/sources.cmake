# aws: S3 locations, shared config and credentials files, credential providers; then the
# wire side: SigV4, the IMDS client, the S3 client.
s3us_layer(aws DIR src/aws
  SOURCES s3_location.cc s3_host.cc environment.cc profile_file.cc shared_config.cc
          aws_config.cc credential_providers.cc sts_client.cc profile_sources.cc
          role_providers.cc sso_credentials.cc process_credentials.cc profile_provider.cc
          credential_chain.cc
          aws_time.cc sigv4.cc imds_client.cc imds_instance_facts.cc imds_credentials.cc
          s3_endpoint.cc s3_errors.cc s3_integrity.cc s3_client_impl.cc
  PUBLIC s3us_core s3us_net
  PRIVATE nlohmann_json::nlohmann_json OpenSSL::Crypto ZLIB::ZLIB)
