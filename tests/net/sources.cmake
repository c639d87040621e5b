# Tests of net.
list(APPEND S3US_TEST_SOURCES
)
