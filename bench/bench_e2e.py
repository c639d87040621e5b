#!/usr/bin/python3
"""ctest driver (label bench): runs the benchmark harness in quick mode, one run per cell,
with the binary ctest built, and checks that it ran and wrote a table. No timing assertions.

    bench_e2e.py BINARY
"""

import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix='s3us-bench-e2e-') as tmp:
        out = os.path.join(tmp, 'results.md')
        p = subprocess.run(['/usr/bin/python3', os.path.join(HERE, 'bench.py'), '--quick',
                            '--reps', '1', '--big-mib', '16', '--binary', binary, '--out', out],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=540)
        sys.stdout.write(p.stdout.decode('utf-8', 'replace'))
        sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
        assert p.returncode == 0, f'bench.py exited {p.returncode}'
        with open(out, encoding='utf-8') as f:
            text = f.read()
    assert '| job | N=1 | N=8 |' in text, 'no fetch table'
    for row in ('aws s3 cp, once per object', 'curl --aws-sigv4, once per object',
                'curl --parallel (one process)'):
        assert re.search(rf'^\| {re.escape(row)} \| \d', text, re.M), f'no figures for {row}'
    for row in ('s3-user-script plan', 's3-user-script replay', 's3-user-script get'):
        assert re.search(rf'^\| {re.escape(row)} \| (\d|not available: )', text, re.M), \
            f'no figures or reason for {row}'
    assert 'physical limit (3 + depth)·L' in text
    print('bench_e2e: harness ran and wrote a table')
    return 0


if __name__ == '__main__':
    sys.exit(main())
