# Tests of run.
list(APPEND S3US_TEST_SOURCES
)
