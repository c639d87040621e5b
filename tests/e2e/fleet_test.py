#!/usr/bin/python3
"""Issue 14, fleet: 300 `plan` processes of the real binary, launched over 5 s, against one
S3 emulator and one IMDS, each behind a fault proxy that throttles
(scripts/emulators/fault_proxy.py: the first 300 requests, then a token bucket; S3 answers
503 SlowDown, IMDS 429).

Each process reads its user data from IMDS (token, user data, role, credentials, identity
document: 5 requests) and fetches the 4 objects it includes (4 GETs): the minimum is 9
requests a process. Asserted: every process exits 0 with the same, right plan; the
emulators behind the proxies answered exactly the minimum (nothing fetched twice, no
attempt abandoned by a client); each proxy throttled at least 300 requests; every
request the proxies saw, throttled ones included, is at most 1.5 times the minimum; and
every retry after a throttle, as the processes' debug lines (-vv) report it, slept a
jittered share of its doubling ceiling (no retry storm: the Python proxies answer a few
hundred requests a second, so a client that retries without backing off shows in its
sleeps, not in the proxies' counts). No timing is asserted; the figures go to stderr
(ctest -V).

The processes wait on flock(1) locks that the test releases one group at a time, 25 groups
0.2 s apart, so that the load the fleet offers is set by the test, not by the machine: when
all 300 were released at once, a machine 1.4x faster than ours packed the S3 requests
tightly enough that the bucket, not the clients' backoff, decided the count (1.61x the
minimum there, 1.27-1.32x here). The IMDS timeout is 120 s (AWS_METADATA_SERVICE_TIMEOUT):
300 clients queue at the Python emulators on a shared 2-core machine for longer than the
2 s default, and an abandoned attempt there would be the emulator's slowness, not the
throttle under test (with 30 s, the sanitized fleet on a machine at a load of 20 to 50 twice
sent IMDS 6 to 9 token requests and 2 or 3 GETs too many, as attempts given up at the
timeout and made again would). Every output and file is scanned for secrets (e2e_util)."""

import fcntl
import json
import re
import subprocess
import sys
import time

import e2e_util
from e2e_util import E2ETest, Run, sha256
from harness import _Process

N = 300
OBJECTS = {f'{name}.sh': f'#!/bin/sh\necho {name}\n'.encode() for name in 'abcd'}
USER_DATA = b'#s3-include\n' + b''.join(f's3://bkt/{k}\n'.encode() for k in OBJECTS)
IMDS_PATHS = ['PUT /latest/api/token', 'GET /latest/user-data',
              'GET /latest/meta-data/iam/security-credentials/',
              'GET /latest/meta-data/iam/security-credentials/web-role',
              'GET /latest/dynamic/instance-identity/document']
MINIMUM = N * (len(IMDS_PATHS) + len(OBJECTS))
# The fleet is released in GROUPS steps of RELEASE_STEP seconds (5 s in all), as an Auto
# Scaling group launches, not in one instant.
GROUPS = 25
RELEASE_STEP = 0.2
# Each proxy throttles the first N requests it sees (deterministic: every run is throttled,
# whatever the machine's speed) and then limits the rate with a token bucket: S3 400
# requests a second after a burst of 100, IMDS 1000 after 300. The bucket is what a retry
# wave meets: the fleet's retries must spread out, not come back together. (On EC2 every
# instance has its own IMDS; one shared IMDS here is the harsher case.) Launched over 5 s,
# the fleet offers S3 ~240 requests a second, IMDS ~300: the buckets bite when retries
# bunch or do not back off, not for the whole run.
S3_FAULTS = ['--fail', f'503:SlowDown:{N}', '--rate-limit', '400:100']
IMDS_FAULTS = ['--fail', f'429:{N}', '--rate-limit', '1000:300']


class Fleet(E2ETest):
    def start_proxy(self, emu, name, flavour, upstream, faults):
        proxy = _Process(name, emu.workdir)
        proxy.start('fault_proxy.py', ['--flavour', flavour, '--upstream', str(upstream.port)]
                    + faults)
        self.addCleanup(proxy.stop)
        return proxy

    def run_fleet(self, emu, env):
        """Starts N plans held by GROUPS locks and releases one group every RELEASE_STEP
        seconds; returns their outputs."""
        gates = [self.write(f'gate{g}', b'') for g in range(GROUPS)]
        locks = [open(gate, 'rb') for gate in gates]
        try:
            for lock in locks:
                fcntl.flock(lock, fcntl.LOCK_EX)
            procs = [subprocess.Popen(['/usr/bin/flock', '--shared', gates[i % GROUPS],
                                       e2e_util.BINARY, 'plan', '--on-instance', '--json',
                                       '--deadline', '120', '-vv'],
                                      env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, cwd=self.out_dir)
                     for i in range(N)]
            started = time.monotonic()
            for g, lock in enumerate(locks):
                time.sleep(max(0.0, started + g * RELEASE_STEP - time.monotonic()))
                lock.close()
        finally:
            for lock in locks:
                lock.close()
        outputs = [p.communicate(timeout=240) + (p.returncode,) for p in procs]
        self.timing('fleet wall', time.monotonic() - started)
        return outputs

    def test_a_throttled_fleet_all_plans_right_without_a_retry_storm(self):
        with self.emulators(user_data=USER_DATA) as emu:
            for key, data in OBJECTS.items():
                emu.put('bkt', key, data)
            s3p = self.start_proxy(emu, 's3proxy', 's3', emu._s3, S3_FAULTS)
            imdsp = self.start_proxy(emu, 'imdsproxy', 'imds', emu._imds, IMDS_FAULTS)
            env = self.env(emu, {'AWS_ENDPOINT_URL_S3': f'http://127.0.0.1:{s3p.port}',
                                 'AWS_EC2_METADATA_SERVICE_ENDPOINT':
                                     f'http://127.0.0.1:{imdsp.port}',
                                 'AWS_METADATA_SERVICE_TIMEOUT': '120'})
            outputs = self.run_fleet(emu, env)
            stats = {'s3': emu.stats('s3'), 'imds': emu.stats('imds'),
                     's3proxy': s3p.stats(), 'imdsproxy': imdsp.stats()}

        codes = [code for _, _, code in outputs]
        failed = [err for _, err, code in outputs if code != 0]
        self.assertEqual(codes.count(0), N, failed[:1])
        self.assert_clean(emu, Run(['plan'] * N, 0, b''.join(o for o, _, _ in outputs),
                                   b''.join(e for _, e, _ in outputs), 0))
        self.assertEqual(len({out for out, _, _ in outputs}), 1, 'the plans differ')
        plan = json.loads(outputs[0][0])
        self.assertEqual([(p['source']['url'], p['sha256']) for p in plan['parts']],
                         [(f's3://bkt/{k}', sha256(v)) for k, v in OBJECTS.items()])

        # Behind the proxies: exactly the minimum, every answer a 200.
        self.assertEqual(stats['imds']['by_request'], {path: N for path in IMDS_PATHS})
        self.assertEqual(stats['s3']['by_request'], {f'GET /bkt/{k}': N for k in OBJECTS})
        throttled = {name: stats[name].get('injected', 0) for name in ('s3proxy', 'imdsproxy')}
        total = stats['s3proxy']['total'] + stats['imdsproxy']['total']
        print(f'FLEET {N} plans: {total} requests for a minimum of {MINIMUM} '
              f'({total / MINIMUM:.2f}x); throttled: S3 {throttled["s3proxy"]}, '
              f'IMDS {throttled["imdsproxy"]}', file=sys.stderr)
        self.assertGreaterEqual(min(throttled.values()), N, stats)
        self.assertLessEqual(total, 1.5 * MINIMUM, stats)
        self.assert_backoff(b''.join(e for _, e, _ in outputs).decode())

    def assert_backoff(self, logs):
        """Each retry after a throttle slept random() * min(20 s, 500 ms * 2^i), as the
        processes' debug lines say: every sleep within its ceiling, and the fractions of the
        ceiling spread like uniform draws (their mean 0.5; 0.35-0.65 is over 5 standard
        errors at 100 draws, so a fixed or too short backoff fails and chance does not)."""
        retries = [(int(attempt), int(ms)) for attempt, ms in
                   re.findall(r': attempt (\d+) after (?:503|429) \(sleeping (\d+) ms\)', logs)]
        self.assertGreaterEqual(len(retries), 100, logs[-2000:])
        fractions = [ms / min(20000, 500 * 2 ** (attempt - 2)) for attempt, ms in retries]
        self.assertLessEqual(max(fractions), 1.0, retries)
        mean = sum(fractions) / len(fractions)
        print(f'FLEET backoff: {len(retries)} retries after a throttle, mean fraction of the '
              f'ceiling {mean:.3f}', file=sys.stderr)
        self.assertTrue(0.35 <= mean <= 0.65, (mean, retries[:20]))


if __name__ == '__main__':
    e2e_util.main()
