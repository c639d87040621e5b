#!/usr/bin/python3
"""Issue 7: a mixed MIME blob replayed into a temp state dir: boothook first then document
order, byte-exact cloud-config passthrough, unknown parts skipped with a warning, an ELF
executable run, report.json, per-instance reruns and --force, failure policies and their
error line, --part-timeout, and `status` exit codes."""

import json
import os
import shutil
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

LOG = '"$S3US_STATE_DIR/order.log"'
CLOUD_CONFIG = b'#cloud-config\r\n# caf\xc3\xa9: kept byte for byte\n' \
    b'runcmd:\n  - [echo, "x"]  \n\n'
with open('/bin/true', 'rb') as _f:
    ELF = _f.read()


def script(word, status=0):
    return f'#!/bin/sh\necho {word} >> {LOG}\necho "{word} says hi"\nexit {status}\n'.encode()


MIXED = ru.mime([
    ('text/x-shellscript', 'one.sh', script('one')),
    ('text/cloud-config', 'settings.cfg', CLOUD_CONFIG),
    ('text/x-unknown-demo', 'mystery.bin', b'what is this?\n'),
    ('text/cloud-boothook', 'early.sh', b'#cloud-boothook\n#!/bin/sh\n'
     b'echo "boot $INSTANCE_ID" >> ' + LOG.encode() + b'\n'),
    ('application/octet-stream', 'true.elf', ELF),
    ('text/x-shellscript', 'two.sh', script('two')),
])
RFC3339 = r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$'


def memory_holds(pid, needles):
    """Which of `needles` the readable memory of process `pid` holds, read a piece at a time
    (a piece overlaps the next by the longest needle, so none is missed at a seam)."""
    found = set()
    overlap = max(len(n) for n in needles)
    with open(f'/proc/{pid}/maps') as maps, open(f'/proc/{pid}/mem', 'rb') as mem:
        for line in maps:
            span, perms = line.split()[:2]
            if 'r' not in perms:
                continue
            low, high = (int(x, 16) for x in span.split('-'))
            for start in range(low, high, 1 << 20):
                try:
                    mem.seek(start)
                    data = mem.read(min(high, start + (1 << 20) + overlap) - start)
                except OSError:
                    break
                found |= {n for n in needles if n in data}
    return found


class MixedRun(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        emu.put('ops-bucket', 'steps/fail.sh', script('fail', 2))
        emu.put('ops-bucket', 'steps/after.sh', script('after'))

    def blob(self, name, data):
        path = os.path.join(self.runs, name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def replay(self, path, state, *extra, timeout=45):
        return ru.run(['replay', path, '--state-dir', state, '--cloud-config-dir',
                       state + '.cfg.d'] + list(extra), self.emu, timeout=timeout)

    def order(self, state):
        return ru.read(os.path.join(state, 'order.log')).split()

    def test_mixed_blob_order_passthrough_report_rerun_and_force(self):
        path = self.blob('mixed.mime', MIXED)
        state = os.path.join(self.runs, 'mixed')
        proc = self.replay(path, state)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.order(state), ['boot', ru.INSTANCE_ID, 'one', 'two'])
        self.assertIn('one says hi\n', proc.stdout)

        # Unknown type: skipped, one warning naming the part.
        self.assertRegex(proc.stderr, r'(?m)^s3-user-script: warning: part 3 of 6 '
                         r'\(text/x-unknown-demo, filename mystery\.bin\): skipped: '
                         r'unhandled content type$')
        self.assertNotIn('error', proc.stderr)

        # Cloud-config: byte-exact, 0600, in the given directory only.
        cc = state + '.cfg.d'
        self.assertEqual(os.listdir(cc), ['90-s3-user-script-002.cfg'])
        with open(os.path.join(cc, '90-s3-user-script-002.cfg'), 'rb') as f:
            self.assertEqual(f.read(), CLOUD_CONFIG)
        self.assertEqual(ru.mode_of(os.path.join(cc, '90-s3-user-script-002.cfg')), 0o600)

        # The ELF part was typed by libmagic and executed from a private directory.
        scripts = os.path.join(state, 'instances', ru.INSTANCE_ID, 'scripts')
        self.assertEqual(ru.mode_of(scripts), 0o700)
        with open(os.path.join(scripts, '005-true.elf'), 'rb') as f:
            self.assertEqual(f.read(), ELF)
        self.assertEqual(ru.mode_of(os.path.join(scripts, '005-true.elf')), 0o700)

        for where in (state, os.path.join(state, 'instances', ru.INSTANCE_ID)):
            self.assertEqual(ru.mode_of(os.path.join(where, 'report.json')), 0o600)
        report = ru.load_report(state)
        self.assertEqual(report['format'], 1)
        self.assertEqual(report['status'], 'ok')
        self.assertEqual(report['state_dir'], state)
        self.assertFalse(report['dry_run'] or report['force'] or report['keep_going'])
        with open('/proc/sys/kernel/random/boot_id', encoding='ascii') as f:
            self.assertEqual(report['boot_id'], f.read().strip())
        self.assertRegex(report['started_at'], RFC3339)
        self.assertRegex(report['finished_at'], RFC3339)
        self.assertEqual(report['totals'], {'parts': 6, 'ok': 5, 'failed': 0, 'skipped': 1,
                                            'not_run': 0, 'already_ran': 0, 'dry_run': 0})
        self.assertEqual(ru.outcomes(report), [(4, 'ok'), (1, 'ok'), (2, 'ok'), (3, 'skipped'),
                                               (5, 'ok'), (6, 'ok')])
        by = {p['index']: p for p in report['parts']}
        self.assertEqual([(by[i]['content_type'], by[i]['handler'], by[i]['frequency'])
                          for i in range(1, 7)],
                         [('text/x-shellscript', 'shell-script', 'per-instance'),
                          ('text/cloud-config', 'cloud-config', 'always'),
                          ('text/x-unknown-demo', 'unhandled', 'always'),
                          ('text/cloud-boothook', 'boothook', 'per-boot'),
                          ('application/x-executable', 'shell-script', 'per-instance'),
                          ('text/x-shellscript', 'shell-script', 'per-instance')])
        self.assertEqual(by[5]['size'], len(ELF))
        self.assertEqual((by[6]['exit_status'], by[6]['signal'], by[6]['timed_out']),
                         (0, None, False))
        self.assertIsNone(by[1]['source'])
        self.assertEqual(ru.mode_of(report['log_path']), 0o600)
        log = ru.read(report['log_path'])
        self.assertIn('two says hi', log)
        self.assertIn('skipped: unhandled content type', log)

        # Same state dir again: per-instance and per-boot parts already ran.
        proc = self.replay(path, state)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.order(state), ['boot', ru.INSTANCE_ID, 'one', 'two'])
        again = ru.load_report(state)
        self.assertEqual(ru.outcomes(again), [(4, 'already-ran'), (1, 'already-ran'), (2, 'ok'),
                                              (3, 'skipped'), (5, 'already-ran'),
                                              (6, 'already-ran')])
        msgs = {p['index']: p['message'] for p in again['parts']}
        self.assertEqual(msgs[1], 'already ran on this instance')
        self.assertEqual(msgs[4], 'already ran this boot')
        self.assertNotIn('says hi', proc.stdout)

        # --force runs them all once more.
        proc = self.replay(path, state, '--force')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.order(state), ['boot', ru.INSTANCE_ID, 'one', 'two'] * 2)
        forced = ru.load_report(state)
        self.assertTrue(forced['force'])
        self.assertEqual(forced['totals']['ok'], 5)

        status = ru.run(['status', '--state-dir', state], env=ru.offline_env(self.tmp.name))
        self.assertEqual(status.returncode, 0, status.stderr)
        self.assertRegex(status.stdout, r'^last run: ok at .* on instance i-0123456789abcdef0: '
                                        r'6 parts, 5 ok, 0 failed, 1 skipped')

    def failing_blob(self):
        return self.blob('failing.mime', ru.mime([
            ('text/x-shellscript', 'first.sh', script('first')),
            ('text/x-s3-include', 'steps', b'#s3-include\ns3://ops-bucket/steps/fail.sh\n'
                                           b's3://ops-bucket/steps/after.sh\n'),
        ]))

    def error_lines(self, stderr):
        return [line for line in stderr.splitlines() if ': error: ' in line]

    def test_stop_at_first_failure_is_the_default_and_reruns_the_failed_part(self):
        path = self.failing_blob()
        state = os.path.join(self.runs, 'stop')
        proc = self.replay(path, state)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(self.error_lines(proc.stderr), [
            's3-user-script: error: part 2 of 3 (text/x-shellscript from '
            's3://ops-bucket/steps/fail.sh, line 2 of part 2): exited with status 2'])
        self.assertEqual(self.order(state), ['first', 'fail'])
        report = ru.load_report(state)
        self.assertEqual(report['status'], 'failed')
        self.assertEqual(ru.outcomes(report), [(1, 'ok'), (2, 'failed'), (3, 'not-run')])
        self.assertEqual(report['parts'][1]['exit_status'], 2)
        self.assertEqual(report['parts'][2]['message'], 'not run: part 2 failed')

        env = ru.offline_env(self.tmp.name)
        status = ru.run(['status', '--state-dir', state], env=env)
        self.assertEqual(status.returncode, 1)
        self.assertIn('last run: failed', status.stdout)
        status = ru.run(['status', '--json', '--state-dir', state], env=env)
        self.assertEqual(status.returncode, 1)
        self.assertEqual(json.loads(status.stdout)['totals']['failed'], 1)

        # No marker for a failed part: the next run tries it again, not the one that passed.
        proc = self.replay(path, state)
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(self.order(state), ['first', 'fail', 'fail'])
        self.assertEqual(ru.outcomes(ru.load_report(state)),
                         [(1, 'already-ran'), (2, 'failed'), (3, 'not-run')])

    def test_keep_going_runs_the_rest_and_still_exits_1(self):
        state = os.path.join(self.runs, 'keep-going')
        proc = self.replay(self.failing_blob(), state, '--keep-going')
        self.assertEqual(proc.returncode, 1)
        self.assertEqual(len(self.error_lines(proc.stderr)), 1, proc.stderr)
        self.assertEqual(self.order(state), ['first', 'fail', 'after'])
        report = ru.load_report(state)
        self.assertTrue(report['keep_going'])
        self.assertEqual(ru.outcomes(report), [(1, 'ok'), (2, 'failed'), (3, 'ok')])

    def test_part_timeout_kills_a_hung_part(self):
        path = self.blob('slow.sh', b'#!/bin/sh\necho start >> ' + LOG.encode() +
                         b'\nsleep 30\necho end >> ' + LOG.encode() + b'\n')
        state = os.path.join(self.runs, 'timeout')
        started = time.monotonic()
        proc = self.replay(path, state, '--part-timeout', '1')
        self.assertLess(time.monotonic() - started, 15)
        self.assertEqual(proc.returncode, 1)
        part = ru.load_report(state)['parts'][0]
        self.assertEqual((part['outcome'], part['timed_out'], part['exit_status']),
                         ('failed', True, None))
        self.assertRegex(part['message'], r'^timed out after 1 s')
        self.assertEqual(self.error_lines(proc.stderr),
                         ['s3-user-script: error: part 1 of 1 (text/x-shellscript, filename '
                          'part-001): ' + part['message']])
        self.assertEqual(self.order(state), ['start'])

    def test_a_background_job_outlives_the_run_and_its_late_output_goes_to_the_log(self):
        # The job holds the part's stdout: the run must neither wait for it nor leave it a
        # pipe nobody reads (its `echo late` would die of SIGPIPE, `survived` never made).
        state = os.path.join(self.runs, 'daemon')
        survived = os.path.join(state, 'survived')
        path = self.blob('daemon.sh', b'#!/bin/sh\n(sleep 2; echo late; touch "$S3US_STATE_DIR'
                         b'/survived") &\necho started\n')
        proc = self.replay(path, state)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertFalse(os.path.exists(survived), 'the run waited for the background job')
        self.assertTrue(proc.stdout.startswith('started\nlast run: ok'), proc.stdout)
        self.assertNotIn('late', proc.stdout + proc.stderr)
        log_path = ru.load_report(state)['log_path']
        self.assertIn('its background jobs still hold its output', ru.read(log_path))
        deadline = time.monotonic() + 30
        while not (os.path.exists(survived) and 'late\n' in ru.read(log_path)):
            self.assertLess(time.monotonic(), deadline, ru.read(log_path))
            time.sleep(0.05)

    def test_the_drainer_of_a_background_job_holds_no_secret(self):
        # It was a bare fork of the run: the role's keys, the session and IMDS tokens and the
        # signatures stayed in its memory for as long as the job held the part's output.
        state = os.path.join(self.runs, 'drain-secrets')
        os.makedirs(state)
        pid_file = os.path.join(state, 'bg.pid')
        self.emu.put('ops-bucket', 'steps/daemon.sh',
                     b'#!/bin/sh\n(sleep 60; echo late) &\necho $! > "$S3US_STATE_DIR/bg.pid"\n')
        path = self.blob('drain.ud', b'#s3-include\ns3://ops-bucket/steps/daemon.sh\n')

        def drainers():
            found = set()
            for pid in filter(str.isdigit, os.listdir('/proc')):
                try:
                    with open(f'/proc/{pid}/cmdline', 'rb') as f:
                        if f.read().startswith(b's3us-drain\0'):
                            found.add(int(pid))
                except OSError:
                    pass
            return found
        before = drainers()
        try:
            proc = self.replay(path, state)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            [drainer] = drainers() - before  # a fresh image: its command line is the drain mode
            # Its own start-up never takes the descriptors the pipes and the log are passed on.
            self.assertEqual([os.readlink(f'/proc/{drainer}/fd/{fd}') for fd in (0, 1, 2)],
                             ['/dev/null'] * 3)
            secrets = {s.encode() for s in self.emu.secrets()}
            self.assertTrue(secrets)
            # What the scan must find, so that finding none of the secrets means something.
            secrets.add(b's3us-drain')
            # Under the sanitizers the image maps terabytes of shadow memory: the exec and the
            # descriptors above are checked there, its memory on the normal build.
            if 'ASAN_OPTIONS' not in os.environ:
                self.assertEqual(memory_holds(drainer, secrets), {b's3us-drain'})
        finally:
            if os.path.exists(pid_file):
                try:
                    os.kill(int(ru.read(pid_file)), signal.SIGKILL)
                except ProcessLookupError:
                    pass  # its minute was up
        log_path = ru.load_report(state)['log_path']
        self.assertIn('its background jobs still hold its output', ru.read(log_path))

    def test_status_without_a_run_or_with_a_broken_report(self):
        env = ru.offline_env(self.tmp.name)
        empty = os.path.join(self.runs, 'never')
        os.makedirs(empty)
        proc = ru.run(['status', '--state-dir', empty], env=env)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(proc.stdout, '')
        self.assertRegex(proc.stderr, r'^s3-user-script: error: ')
        # Issue 17: --json always answers on stdout, as cloud-init status --format json.
        proc = ru.run(['status', '--state-dir', empty, '--json'], env=env)
        self.assertEqual((proc.returncode, proc.stderr), (3, ''))
        self.assertEqual(json.loads(proc.stdout)['status'], 'not run')
        broken = os.path.join(self.runs, 'broken')
        os.makedirs(broken, mode=0o700)
        with open(os.path.join(broken, 'report.json'), 'w', encoding='utf-8') as f:
            f.write('{"format": 1, "status": ')
        # A report is written atomically: a cut one is damaged state (3), not a failed run (1).
        proc = ru.run(['status', '--state-dir', broken], env=env)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn('report.json is truncated', proc.stderr)
        shutil.rmtree(broken)


if __name__ == '__main__':
    ru.main()
