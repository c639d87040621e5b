# Tests of cli.
list(APPEND S3US_TEST_SOURCES
)
