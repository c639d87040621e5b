# Tests of aws configuration and credentials.
list(APPEND S3US_TEST_SOURCES
)
