# Tests of emulators.
list(APPEND S3US_TEST_SOURCES
)
