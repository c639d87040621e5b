# Sources of src/aws, in two groups: configuration and credentials (config_sources.cmake),
# and the wire side: SigV4, IMDS client, S3 client (wire_sources.cmake).
include(src/aws/config_sources.cmake)
include(src/aws/wire_sources.cmake)
