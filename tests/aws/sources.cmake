# Tests of src/aws: regions, configuration and credentials, then the wire side.
s3us_layer_tests(aws
  SOURCES aws/regions_test.cc aws/xml_time_test.cc aws/profile_file_test.cc aws/shared_config_test.cc
         aws/aws_config_test.cc aws/credential_providers_test.cc aws/credential_chain_test.cc
         aws/credential_conformance_test.cc aws/sts_client_test.cc
         aws/process_credentials_test.cc aws/role_providers_test.cc aws/sigv4_test.cc
         aws/sigv4_vectors_test.cc aws/imds_client_test.cc aws/imds_documents_test.cc
         aws/imds_hostile_test.cc
         aws/imds_credentials_test.cc aws/container_credentials_test.cc
  LINK s3us_aws nlohmann_json::nlohmann_json ZLIB::ZLIB)
