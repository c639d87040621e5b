# aws: who we are and how we sign: regions, the shared config and credentials files,
# credential providers and their chain, SigV4, the IMDS client, STS.
s3us_layer(aws DIR src/aws
  SOURCES regions.cc xml.cc environment.cc profile_file.cc shared_config.cc
          aws_config.cc credential_providers.cc sts_client.cc profile_sources.cc
          role_providers.cc sso_credentials.cc process_credentials.cc profile_provider.cc
          container_credentials.cc credential_document.cc credential_chain.cc
          aws_time.cc sigv4.cc imds_client.cc imds_instance_facts.cc imds_credentials.cc
  PUBLIC s3us_core s3us_net
  PRIVATE nlohmann_json::nlohmann_json OpenSSL::Crypto ZLIB::ZLIB)
