# aws: SigV4 signer, IMDS client, S3 client.
list(APPEND S3US_SOURCES
  src/aws/aws_time.cc
  src/aws/sigv4.cc
  src/aws/imds_client.cc
  src/aws/imds_instance_facts.cc
  src/aws/imds_credentials.cc
  src/aws/s3_endpoint.cc
  src/aws/s3_errors.cc
  src/aws/s3_integrity.cc
  src/aws/s3_client_impl.cc
)
