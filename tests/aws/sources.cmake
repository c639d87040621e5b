# Tests of aws.
list(APPEND S3US_TEST_SOURCES
)
