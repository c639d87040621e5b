# Benchmarks (label "bench"; scripts/test.sh leaves them out: run bench/run.sh).
# The harness in quick mode, one run per cell: checks that it runs and writes a table.
s3us_add_e2e(bench_quick ../../bench/bench_e2e.py LABELS bench TIMEOUT 600)
