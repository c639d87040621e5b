# Tests of handlers.
list(APPEND S3US_TEST_SOURCES
)
