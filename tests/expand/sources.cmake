# Tests of expand.
list(APPEND S3US_TEST_SOURCES
)
