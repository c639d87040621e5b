# aws: SigV4 signer, IMDS client, S3 client.
list(APPEND S3US_SOURCES
)
