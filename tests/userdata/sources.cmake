# Tests of userdata.
list(APPEND S3US_TEST_SOURCES
)
