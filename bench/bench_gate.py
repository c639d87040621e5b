"""The targets of issue 16 as ratios to peers measured in the same run, and the gate the
bench-label ctest applies: a ratio fails when it is more than SLACK past its target.
Ratios, not absolute times, so that a loaded machine slows both sides alike (mostly).
Not responsible for measuring (bench.py) or rendering (bench_report.py).
"""

SLACK = 1.25  # a ratio may exceed its target by 25% before the gate fails

# name -> target; names are those of bench_report.Report.ratios(). A plan of N includes is
# at most one `curl --parallel` with as many requests in flight, and within 1.5x of the
# (3 + depth)·L round-trip limit; start-up within 1.2x of `curl --version`; a large get of an
# object declaring CRC-64/NVME (S3's default) within 1.1x of curl's wall time. Ratios to the
# per-object peers and the get of a SHA-256 object are only shown.
TARGETS = {}
for _n in (1, 8, 32, 128, 512):
    TARGETS[f'plan N={_n} / curl --parallel'] = 1.0
    TARGETS[f'plan N={_n} / (3 + depth)·L'] = 1.5
    for _k in (16, 32, 64, 128, 256, 512):  # --sweep K: beside curl --parallel-max K
        TARGETS[f'plan N={_n} --max-parallel {_k} / curl --parallel-max {_k}'] = 1.0
TARGETS['--version / curl --version'] = 1.2
TARGETS['dry-run replay / curl --version'] = 1.2
TARGETS['get large object / curl'] = 1.1


def regressions(ratios):
    """Lines naming each ratio past its target by more than SLACK; empty when all pass."""
    out = []
    for name, value in ratios.items():
        target = TARGETS.get(name)
        if target is not None and value > target * SLACK:
            out.append(f'{name}: {value:.2f}, target {target} (fails above {target * SLACK:.2f})')
    return out
