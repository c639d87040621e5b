# Tests of the aws wire side.
list(APPEND S3US_TEST_SOURCES
)
