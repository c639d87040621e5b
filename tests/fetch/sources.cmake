# Tests of fetch.
list(APPEND S3US_TEST_SOURCES
)
