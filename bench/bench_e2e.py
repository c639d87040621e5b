#!/usr/bin/python3
"""ctest driver (label bench, out of the CI gate): runs the benchmark harness in quick mode
with the binary ctest built, checks that it wrote a table, and fails when a ratio to a peer
measured in the same run is more than 25% past its target (bench_gate.py). Ratios depend on
the machine's load: a failure here says "re-run on an idle machine, then look".

    bench_e2e.py BINARY
"""

import json
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
        ratios_file = os.path.join(tmp, 'ratios.json')
        p = subprocess.run(['/usr/bin/python3', os.path.join(HERE, 'bench.py'), '--quick',
                            '--reps', '3', '--big-mib', '64', '--binary', binary, '--out', out,
                            '--ratios-json', ratios_file],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=540)
        sys.stdout.write(p.stdout.decode('utf-8', 'replace'))
        sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
        assert p.returncode == 0, f'bench.py exited {p.returncode}'
        with open(out, encoding='utf-8') as f:
            text = f.read()
        with open(ratios_file, encoding='utf-8') as f:
            ratios = json.load(f)
    assert '| job | N=1 | N=8 |' in text, 'no fetch table'
    for row in ('aws s3 cp, once per object', 'curl --aws-sigv4, once per object',
                'curl --parallel (one process)', 'floor: raw epoll client, all N in flight',
                'floor: one libcurl multi handle, all N in flight'):
        assert re.search(rf'^\| {re.escape(row)} \| \d', text, re.M), f'no figures for {row}'
    for row in ('s3-user-script plan', 's3-user-script replay', 's3-user-script get'):
        assert re.search(rf'^\| {re.escape(row)} \| (\d|not available: )', text, re.M), \
            f'no figures or reason for {row}'
    assert 'physical limit (3 + depth)·L' in text
    sys.path.insert(0, HERE)
    import bench_gate  # noqa: E402
    missing = [n for n in ('plan N=1 / curl --parallel', 'plan N=8 / curl --parallel',
                           'floor N=8 / (3 + depth)·L', 'libcurl floor N=8 / (3 + depth)·L',
                           '--version / curl --version', 'get large object / curl')
               if n not in ratios]
    assert not missing, f'ratios not measured: {missing}'
    failed = bench_gate.regressions(ratios)
    print(f'bench_e2e: load average {os.getloadavg()[0]:.2f}; ratios: ' +
          ', '.join(f'{k} {v:.2f}' for k, v in ratios.items()))
    assert not failed, 'past target by more than 25%:\n  ' + '\n  '.join(failed)
    return 0


if __name__ == '__main__':
    sys.exit(main())
