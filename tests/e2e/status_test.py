#!/usr/bin/python3
"""Issue 17: what `status` says about the state directory, against the real binary. A run
holds the run lock from before it fetches, so `status` says running and `status --wait`
waits through the fetch; a run that fails (or is interrupted) before its first part is what
`status` shows, not the run before it; state that cannot be read is exit 3 with its cause,
not "the last run failed"; `status --wait` ends at SIGINT/SIGTERM like every command, with
one document under --json. Waits are on events (emulator stats, /proc/locks, files);
timeouts are hang guards."""

import json
import os
import signal
import subprocess
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

HANG_GUARD = 60  # seconds
with open(os.path.join(ru.SOURCE_DIR, 'docs', 'json-schema.json'), encoding='utf-8') as f:
    SCHEMA = json.load(f)


def waits_for_a_lock(pid):
    """Whether pid is blocked on a lock: a "->" line of /proc/locks."""
    with open('/proc/locks', encoding='ascii') as f:
        return any(line.split()[1:2] == ['->'] and line.split()[5] == str(pid) for line in f)


def document(proc, shape):
    """stdout as one JSON document of the schema's `shape`."""
    doc = json.loads(proc.stdout)  # raises on no document, two, or stray text
    jsonschema.validate(doc, SCHEMA)
    jsonschema.validate(doc, {'$ref': f'#/$defs/{shape}', '$defs': SCHEMA['$defs']})
    return doc


class Status(ru.EmulatorTestCase):
    USER_DATA = b'#s3-include\ns3://status-bucket/a.sh\n'

    @classmethod
    def load(cls, emu):
        emu.put('status-bucket', 'a.sh', b'#!/bin/sh\necho a\n')
        emu.put('status-bucket', 'bad.sh', b'#!/bin/sh\nexit 9\n')

    def blob(self, text):
        path = self.path('user-data')
        with open(path, 'w', encoding='ascii') as f:
            f.write(text)
        return path

    def status(self, state, *extra):
        return ru.run(['status', '--state-dir', state] + list(extra),
                      env=ru.offline_env(self.tmp.name))

    # --- a run holds the lock from before it fetches ---

    def test_status_waits_through_the_fetch_and_a_second_run_is_refused_before_it(self):
        # The lock was taken only to dispatch: during the fetch `status` answered at once
        # with the run before it (here: failed), and --wait did not wait.
        state = os.path.dirname(self.path('x'))
        bad = self.blob('#s3-include\ns3://status-bucket/bad.sh\n')
        self.assertEqual(ru.run(['replay', bad, '--state-dir', state, '-q'], self.emu).returncode,
                         1)
        before = ru.load_report(state)
        blob = self.blob('#s3-include\ns3://status-bucket/a.sh\n')
        # --hold-first 1: the GET is counted "held" when it arrives, then answered 4 s later.
        with ru.Emulators(self.path('slow'),
                          s3_args=['--hold-first', '1', '--latency-ms', '4000']) as slow:
            slow.put('status-bucket', 'a.sh', b'#!/bin/sh\necho a\n')
            run = subprocess.Popen([ru.BINARY, 'replay', blob, '--state-dir', state, '-q'],
                                   env=dict(slow.env), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
            try:
                ru.wait_for(lambda: slow.stats('s3').get('held', 0) >= 1, 'the GET to arrive')
                doc = document(self.status(state, '--json'), 'status')
                self.assertEqual((doc['status'], doc['pid']), ('running', run.pid))
                second = ru.run(['replay', blob, '--state-dir', state, '-q'], slow)
                self.assertEqual(self.one_error(second, 3),
                                 f'another run (pid {run.pid}) is in progress in {state}; '
                                 's3-user-script status --wait waits for it')
                waiter = subprocess.Popen([ru.BINARY, 'status', '--wait', '--json',
                                           '--state-dir', state], env=ru.offline_env(self.tmp.name),
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                ru.wait_for(lambda: waits_for_a_lock(waiter.pid), 'status --wait to block on the lock')
                # Still fetching: the one GET (the second run asked none) is unanswered.
                self.assertEqual(slow.stats('s3')['by_request'], {})
                out, err = waiter.communicate(timeout=HANG_GUARD)
            finally:
                run.communicate(timeout=HANG_GUARD)
        self.assertEqual((run.returncode, waiter.returncode), (0, 0), err)
        waited = json.loads(out)
        self.assertEqual(waited, ru.load_report(state))
        self.assertEqual(waited['status'], 'ok')
        self.assertNotEqual(waited['started_at'], before['started_at'])

    # --- a run that ends before its first part is recorded ---

    def test_a_run_whose_fetch_failed_is_what_status_shows(self):
        # status kept showing the boot before, ok, exit 0.
        state, cfg = self.path('state'), self.path('cfg')
        run = ru.run(['run', '--state-dir', state, '--cloud-config-dir', cfg, '-q'], self.emu)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(self.status(state).returncode, 0)
        try:
            self.emu.set_user_data(b'#s3-include\ns3://status-bucket/missing.sh\n')
            run = ru.run(['run', '--state-dir', state, '--cloud-config-dir', cfg], self.emu)
        finally:
            self.emu.set_user_data(self.USER_DATA)
        line = self.one_error(run, 4)
        self.assertIn('s3://status-bucket/missing.sh', line)

        status = self.status(state)
        self.assertEqual(status.returncode, 1, status.stderr)
        self.assertRegex(status.stdout, rf'^last run: failed at \S+Z on instance {ru.INSTANCE_ID}: '
                                        r'0 parts, 0 ok, 0 failed, 0 skipped, 0 not run, '
                                        r'0 already ran\n')
        self.assertTrue(status.stdout.endswith(f'\nerror: {line}\n'), status.stdout)
        self.assertIn(f'\nerror: {line}\n', self.status(state, '--long').stdout)
        doc = document(self.status(state, '--json'), 'report')
        self.assertEqual((doc['status'], doc['error'], doc['parts']), ('failed', line, []))
        self.assertEqual(doc, ru.load_report(state, ru.INSTANCE_ID))

        # The next good run is what status shows again.
        run = ru.run(['run', '--state-dir', state, '--cloud-config-dir', cfg, '-q'], self.emu)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertNotIn('error', ru.load_report(state))
        self.assertEqual(self.status(state).returncode, 0)

    def test_a_failed_run_is_recorded_with_its_lines_as_printed(self):
        state = self.path('state')
        hostile = self.blob('#s3-include\ns3://status-bucket/no\x1bsuch.sh\n')
        run = ru.run(['replay', hostile, '--state-dir', state, '--json'], self.emu)
        line = self.one_error(run, 4)
        self.assertIn('no\\x1bsuch.sh', line)  # escaped as printed
        self.assertEqual(document(run, 'status')['error'], line)  # the stand-in, as before
        report = ru.load_report(state)
        self.assertEqual((report['status'], report['error']), ('failed', line))
        self.assertEqual(report['instance_id'], ru.INSTANCE_ID)  # what IMDS said
        status = self.status(state)
        self.assertEqual(status.returncode, 1)
        self.assertNotIn('\x1b', status.stdout)

        # No user data in a file is a failed replay too (exit 3); a dry run records nothing.
        empty = self.path('empty')
        open(empty, 'wb').close()
        self.one_error(ru.run(['replay', empty, '--state-dir', state], self.emu), 3)
        self.assertEqual(ru.load_report(state)['error'], f'no user data in {empty}')
        dry = ru.run(['replay', hostile, '--state-dir', state, '--dry-run'], self.emu)
        self.assertEqual(dry.returncode, 4)
        self.assertEqual(ru.load_report(state)['error'], f'no user data in {empty}')

    # --- state that cannot be read ---

    def test_state_that_cannot_be_read_is_exit_3_with_its_cause(self):
        # All three exited 1, "the last run failed", with "cannot inspect PATH" or "not a
        # report" and no cause.
        state = self.path('state')
        ok = ru.run(['replay', self.blob('#s3-include\ns3://status-bucket/a.sh\n'),
                     '--state-dir', state, '-q'], self.emu)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        report = os.path.join(state, 'report.json')

        os.chmod(self.runs, 0o755)
        for d in (os.path.dirname(self.runs), os.path.dirname(state)):
            os.chmod(d, 0o755)
        env = ru.offline_env(self.tmp.name)
        if os.getuid() == 0:
            other = subprocess.run([ru.BINARY, 'status', '--state-dir', state], env=env, user=65534,
                                   group=65534, extra_groups=[], capture_output=True, text=True,
                                   timeout=HANG_GUARD)
            self.assertEqual(self.one_error(other, 3), f'cannot read {report}: Permission denied')

        self.assertEqual(self.one_error(self.status(report), 3),
                         f'cannot read {report}/report.json: Not a directory')

        with open(report, 'r+b') as f:
            f.truncate(40)
        self.assertEqual(self.one_error(self.status(state), 3),
                         f'{report} is truncated (40 bytes)')
        proc = self.status(state, '--json')
        self.assertEqual(proc.returncode, 3)
        self.assertEqual(document(proc, 'status'),
                         {'format': 1, 'status': 'error', 'state_dir': state,
                          'error': f'{report} is truncated (40 bytes)'})
        with open(report, 'wb') as f:
            f.write(b'{"parts": [] }}')
        self.assertEqual(self.one_error(self.status(state), 3),
                         f'{report} is not valid JSON at byte 15')

    # --- status --wait ends at an interrupt ---

    def test_status_wait_ends_at_sigint_and_sigterm_with_one_line_or_document(self):
        # status took no interrupts: it died, and under --json printed nothing.
        state = os.path.dirname(self.path('x'))
        started, go = os.path.join(state, 'started'), os.path.join(state, 'go')
        blob = self.blob(f'#!/bin/sh\n: > {started}\nwhile [ ! -e {go} ]; do sleep 0.02; done\n')
        run = subprocess.Popen([ru.BINARY, 'replay', blob, '--state-dir', state, '-q'],
                               env=dict(self.emu.env), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            ru.wait_for(lambda: os.path.exists(started), 'the run to start its part')
            for sig, json_flag in ((signal.SIGINT, []), (signal.SIGTERM, ['--json']),
                                   (signal.SIGINT, ['--json'])):
                waiter = subprocess.Popen([ru.BINARY, 'status', '--wait', '--state-dir', state] +
                                          json_flag, env=ru.offline_env(self.tmp.name),
                                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                          text=True)
                ru.wait_for(lambda: waits_for_a_lock(waiter.pid), 'status --wait to block')
                waiter.send_signal(sig)
                out, err = waiter.communicate(timeout=HANG_GUARD)
                proc = subprocess.CompletedProcess(waiter.args, waiter.returncode, out, err)
                line = self.one_error(proc, 128 + sig)
                self.assertEqual(line, f'interrupted by {sig.name} while waiting for the run in '
                                       f'{state} to end')
                if json_flag:
                    self.assertEqual(document(proc, 'status'),
                                     {'format': 1, 'status': 'error', 'state_dir': state,
                                      'error': line})
                else:
                    self.assertEqual(out, '')
            self.assertIsNone(run.poll())  # the run went on
        finally:
            with open(go, 'w', encoding='ascii'):
                pass
            run.communicate(timeout=HANG_GUARD)
        self.assertEqual(run.returncode, 0)


if __name__ == '__main__':
    ru.main()
