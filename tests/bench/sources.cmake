# Benchmarks (label "bench"; scripts/test.sh leaves them out: run bench/run.sh).
list(APPEND S3US_TEST_SOURCES
)
