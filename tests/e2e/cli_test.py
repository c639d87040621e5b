#!/usr/bin/python3
"""Issue 8: every command and exit code of the real binary against the loopback emulators:
--help/--version, run (file and IMDS user data, --dry-run), plan, replay, resolve (re-read by
our plan and by Python's email package), status, get, the predecessor's -b/-k/-u, and a single
`#!` script run directly from a private directory (issue 3's first slice)."""

import email
import email.policy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

HELP_FLAGS = {
    'run': ['--user-data', '--dry-run', '--json', '--state-dir', '--cloud-config-dir',
            '--keep-going', '--force', '--part-timeout', '--key-template', '--endpoint-url'],
    'plan': ['--json', '--role', '--instance-id', '--max-depth', '--endpoint-url'],
    'replay': ['--dry-run', '--state-dir', '--cloud-config-dir', '--force', '--keep-going',
               '--role', '--part-timeout'],
    'resolve': ['--role', '--instance-id', '--key-template', '--max-parts'],
    'status': ['--state-dir', '--json'],
    'get': ['--output', '--dir', '--mode', '--sha256', '--version-id', '--endpoint-url'],
}
BLOB = ru.mime([
    ('text/x-shellscript', 'local.sh', b'#!/bin/sh\necho local >> "$S3US_STATE_DIR/order.log"\n'),
    ('text/x-s3-include', 'more', b'#s3-include\ns3://cli-bucket/a.sh\n'
                                  b'arn:aws:s3:::cli-bucket/nested.mime\n'),
    ('text/cloud-config', 'c.cfg', b'#cloud-config\nhostname: cli\n'),
])
NESTED = ru.mime([('text/x-shellscript', 'inner.sh',
                   b'#!/bin/sh\necho inner >> "$S3US_STATE_DIR/order.log"\n'),
                  ('text/plain', 'notes.txt', b'just words\n')], boundary='inner')


class Cli(ru.EmulatorTestCase):
    USER_DATA = BLOB

    @classmethod
    def load(cls, emu):
        emu.put('cli-bucket', 'a.sh', b'#!/bin/sh\necho a >> "$S3US_STATE_DIR/order.log"\n')
        emu.put('cli-bucket', 'nested.mime', NESTED)
        cls.blob = os.path.join(cls.runs, 'user-data.mime')
        with open(cls.blob, 'wb') as f:
            f.write(BLOB)

    def path(self, *names):
        return os.path.join(self.runs, self._testMethodName, *names)

    def order(self, state):
        return ru.read(os.path.join(state, 'order.log')).split()

    # --- help, version, usage (exit 0 and 2) ---

    def test_help_of_every_command_names_its_flags(self):
        env = ru.offline_env(self.tmp.name)
        top = ru.run(['--help'], env=env)
        self.assertEqual(top.returncode, 0)
        for command in HELP_FLAGS:
            self.assertRegex(top.stdout, rf'(?m)^  {command} ')
        self.assertIn('Exit codes: 0 all ran, 1 a part failed, 2 usage, 3 setup', top.stdout)
        for flag in ('-b,--bucket', '-k,--key', '-u,--url'):
            self.assertIn(flag, top.stdout)
        for command, flags in HELP_FLAGS.items():
            proc = ru.run([command, '--help'], env=env)
            self.assertEqual(proc.returncode, 0, command)
            self.assertEqual(proc.stderr, '')
            self.assertIn(f'Usage: s3-user-script {command} ', proc.stdout)
            for flag in flags:
                self.assertIn(flag, proc.stdout, f'{command} --help')
        version = ru.run(['--version'], env=env)
        self.assertEqual(version.returncode, 0)
        self.assertRegex(version.stdout, r'^s3-user-script \d+\.\d+\.\d+\S*\n$')

    def test_bad_usage_exits_2_with_one_error_line(self):
        env = ru.offline_env(self.tmp.name)
        for args in ([], ['frobnicate'], ['run', '--no-such-flag'], ['get'],
                     ['-b', 'bucket', 'run'], ['run', '-q', '-v'], ['replay'],
                     ['run', '--part-timeout', '-1'], ['get', 's3://b/k', '--mode', '999'],
                     ['plan', self.blob, '--key-template', '{nope}/x']):
            proc = ru.run(args, env=env)
            self.assertEqual(proc.returncode, 2, f'{args}: {proc.stderr}')
            self.assertEqual(proc.stdout, '', args)
            lines = proc.stderr.splitlines()
            self.assertEqual(len(lines), 1, f'{args}: {proc.stderr}')
            self.assertTrue(lines[0].startswith('s3-user-script: error: '), lines[0])

    # --- run (exit 0, 1, 3, 4) ---

    def test_run_with_user_data_file(self):
        state, cc = self.path('state'), self.path('cfg')
        proc = ru.run(['run', '--user-data', self.blob, '--state-dir', state,
                       '--cloud-config-dir', cc], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.order(state), ['local', 'a', 'inner'])
        report = ru.load_report(state)
        self.assertEqual(report['totals']['ok'], 4)
        self.assertEqual(report['totals']['skipped'], 1)  # text/plain in nested.mime
        with open(os.path.join(cc, '90-s3-user-script-005.cfg'), 'rb') as f:
            self.assertEqual(f.read(), b'#cloud-config\nhostname: cli\n')

    def test_run_reads_user_data_from_imds(self):
        state, cc = self.path('state'), self.path('cfg')
        proc = ru.run(['run', '--state-dir', state, '--cloud-config-dir', cc, '--json'], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        printed = json.loads(proc.stdout)
        self.assertEqual(printed['status'], 'ok')
        self.assertEqual(printed['instance_id'], ru.INSTANCE_ID)
        self.assertEqual(printed['region'], 'us-east-1')
        self.assertEqual(self.order(state), ['local', 'a', 'inner'])
        self.assertEqual(ru.load_report(state)['parts'], printed['parts'])
        self.assertGreaterEqual(self.emu.stats('imds')['by_request'].get(
            'GET /latest/user-data', 0), 1)
        # plan and resolve without a file read IMDS too.
        plan = ru.run(['plan'], self.emu)
        self.assertEqual(plan.returncode, 0, plan.stderr)
        self.assertTrue(plan.stdout.startswith('5 parts, 2 objects fetched'), plan.stdout)
        resolved = ru.run(['resolve'], self.emu)
        self.assertEqual(resolved.returncode, 0, resolved.stderr)
        self.assertIn('filename="inner.sh"', resolved.stdout)

    def test_launch_index_runs_a_part_only_on_its_instance(self):
        blob = self.path('launch.mime')
        os.makedirs(os.path.dirname(blob))
        parts = ''.join(f'--B\nContent-Type: text/x-shellscript\nLaunch-Index: {i}\n'
                        f'Content-Disposition: attachment; filename="i{i}.sh"\n\n'
                        f'#!/bin/sh\necho i{i} >> "$S3US_STATE_DIR/order.log"\n' for i in (0, 1))
        with open(blob, 'w', encoding='ascii') as f:
            f.write('Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n' + parts
                    + '--B--\n')
        # On the instance IMDS says which one this is (the emulator's: 0), asked only now.
        path = 'GET /latest/meta-data/ami-launch-index'
        asked = self.emu.stats('imds')['by_request'].get(path, 0)
        state = self.path('on-instance')
        proc = ru.run(['run', '--user-data', blob, '--state-dir', state, '--json'], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.order(state), ['i0'])
        outcomes = [(p['outcome'], p['message']) for p in json.loads(proc.stdout)['parts']]
        self.assertEqual(outcomes[1], ('skipped', "Launch-Index 1 is not this instance's (0)"))
        self.assertEqual(self.emu.stats('imds')['by_request'].get(path, 0), asked + 1)
        # Off EC2 the index is unknown unless given: every part runs, as under cloud-init.
        offline = ru.offline_env(self.tmp.name)
        for flags, ran in (([], ['i0', 'i1']), (['--launch-index', '1'], ['i1'])):
            state = self.path('replay' + ''.join(flags))
            proc = ru.run(['replay', blob, '--state-dir', state] + flags, env=offline)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(self.order(state), ran, flags)

    def test_run_dry_run_runs_and_writes_nothing(self):
        state, cc = self.path('state'), self.path('cfg')
        for args in (['run', '--dry-run'], ['run', '--dry-run', '--user-data', self.blob],
                     ['replay', self.blob, '--dry-run']):
            proc = ru.run(args + ['--state-dir', state, '--cloud-config-dir', cc], self.emu)
            self.assertEqual(proc.returncode, 0, f'{args}: {proc.stderr}')
            self.assertIn('5 parts, 2 objects fetched', proc.stdout)
            self.assertFalse(os.path.exists(state), args)
            self.assertFalse(os.path.exists(cc), args)
        proc = ru.run(['run', '--dry-run', '--json', '--state-dir', state], self.emu)
        self.assertEqual(len(json.loads(proc.stdout)['parts']), 5)

    def test_run_exit_codes_for_failure_setup_and_fetch(self):
        state = self.path('state')
        failing = self.path('failing.sh')
        os.makedirs(os.path.dirname(failing))
        with open(failing, 'wb') as f:
            f.write(b'#!/bin/sh\nexit 3\n')
        proc = ru.run(['run', '--user-data', failing, '--state-dir', state], self.emu)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn('exited with status 3', proc.stderr)

        proc = ru.run(['run', '--user-data', self.path('missing'), '--state-dir', state],
                      self.emu)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn('reading user data: no such file', proc.stderr)

        # No user data (IMDS 404) is not a failure for `run`: one line, exit 0, no report
        # (the state dir holds the run lock, taken before the user data is read). `plan` has
        # nothing to show and stays a set-up error.
        with ru.Emulators(os.path.join(self.tmp.name, 'no-user-data')) as bare:
            empty_state = self.path('empty-state')
            proc = ru.run(['run', '--state-dir', empty_state], bare)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(proc.stdout, '')
            self.assertEqual(proc.stderr,
                             's3-user-script: no user data for this instance: nothing to run\n')
            self.assertFalse(os.path.exists(os.path.join(empty_state, 'report.json')))
            proc = ru.run(['run', '-q', '--state-dir', empty_state], bare)
            self.assertEqual((proc.returncode, proc.stderr), (0, ''))
            proc = ru.run(['plan'], bare)
            self.assertEqual(proc.returncode, 3, proc.stderr)
            self.assertRegex(proc.stderr, r'^s3-user-script: error: .*user data')
            # Missing credentials stay a set-up failure (exit 3) when something must be
            # fetched, and so does a state directory that cannot be one.
            bare.set_user_data(b'#s3-include\ns3://cli-bucket/a.sh\n')
            bare.put('cli-bucket', 'a.sh', b'#!/bin/sh\ntrue\n')
            not_a_dir = self.path('state-is-a-file')
            with open(not_a_dir, 'wb'):
                pass
            proc = ru.run(['run', '--state-dir', not_a_dir], bare)
            self.assertEqual(proc.returncode, 3, proc.stderr)
        with ru.Emulators(os.path.join(self.tmp.name, 'no-role'), imds_args=['--no-role'],
                          user_data=b'#s3-include\ns3://cli-bucket/a.sh\n') as no_role:
            proc = ru.run(['run', '--state-dir', self.path('no-role-state')], no_role)
            self.assertEqual(proc.returncode, 3, proc.stderr)

        missing = self.path('missing-object.txt')
        with open(missing, 'wb') as f:
            f.write(b'#s3-include\ns3://cli-bucket/a.sh\ns3://cli-bucket/no/such/key.sh\n')
        fetch_state = self.path('fetch-state')
        for command in (['run', '--user-data', missing], ['replay', missing]):
            proc = ru.run(command + ['--state-dir', fetch_state], self.emu)
            self.assertEqual(proc.returncode, 4, proc.stderr)
            self.assertIn('s3://cli-bucket/no/such/key.sh', proc.stderr)
            self.assertFalse(os.path.exists(os.path.join(fetch_state, 'order.log')))
        proc = ru.run(['plan', missing], self.emu)
        self.assertEqual(proc.returncode, 4, proc.stderr)

        # Ambiguous MIME (mimetic and cloud-init's reader split it differently): one line
        # naming the part, nothing runs, exit 4.
        ambiguous = self.path('ambiguous.mime')
        with open(ambiguous, 'wb') as f:
            f.write(b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n'
                    b'--XX\nContent-Type: text/x-shellscript\n\n'
                    b'#!/bin/sh\necho local >> "$S3US_STATE_DIR/order.log"\n--XXX\n--XX--\n')
        amb_state = self.path('ambiguous-state')
        proc = ru.run(['run', '--user-data', ambiguous, '--state-dir', amb_state], self.emu)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertRegex(proc.stderr, r'^s3-user-script: error: user data: mime part 1: '
                                      r'ambiguous MIME: .*\n$')
        self.assertFalse(os.path.exists(os.path.join(amb_state, 'order.log')))

    def test_user_data_that_never_ends_fails_at_the_deadline(self):
        # A FIFO nobody writes to, and stdin held open by a writer that never finishes: one
        # line naming the input at --deadline, exit 3, nothing run (it used to wait for ever).
        os.makedirs(self.path())
        fifo = self.path('fifo')
        os.mkfifo(fifo)
        state = self.path('state')
        proc = ru.run(['run', '--user-data', fifo, '--state-dir', state, '--deadline', '1'],
                      self.emu, timeout=20)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(proc.stderr, 's3-user-script: error: reading user data: nothing more '
                                      f'to read from {fifo} before the deadline\n')
        self.assertFalse(os.path.exists(os.path.join(state, 'order.log')))

        reader, writer = os.pipe()
        try:
            os.write(writer, b'#!/bin/sh\necho never\n')
            proc = subprocess.run([ru.BINARY, 'replay', '--deadline', '1', '-'],
                                  env=self.emu.env, stdin=reader, capture_output=True,
                                  text=True, timeout=20)
        finally:
            os.close(reader)
            os.close(writer)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertEqual(proc.stderr, 's3-user-script: error: reading user data: nothing more '
                                      'to read from standard input before the deadline\n')
        self.assertEqual(proc.stdout, '')

    def test_relative_state_dir_is_made_absolute_for_scripts(self):
        work = self.path()
        os.makedirs(work)
        proc = ru.run(['replay', self.blob, '--state-dir', 'rel-state', '--cloud-config-dir',
                       'rel-cfg'], self.emu, cwd=work)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        state = os.path.join(work, 'rel-state')
        self.assertEqual(self.order(state), ['local', 'a', 'inner'])
        self.assertEqual(ru.load_report(state)['state_dir'], state)
        self.assertTrue(os.path.isfile(os.path.join(work, 'rel-cfg',
                                                     '90-s3-user-script-005.cfg')))

    # --- plan, resolve ---

    def test_resolve_output_plans_the_same_parts_and_is_valid_mime(self):
        proc = ru.run(['resolve', self.blob], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        resolved = self.path('resolved.mime')
        os.makedirs(os.path.dirname(resolved))
        with open(resolved, 'w', encoding='utf-8') as f:
            f.write(proc.stdout)

        def parts(path):
            out = ru.run(['plan', path, '--json'], self.emu)
            self.assertEqual(out.returncode, 0, out.stderr)
            return [(p['content_type'], p['sha256'], p['filename'])
                    for p in json.loads(out.stdout)['parts']]
        original = parts(self.blob)
        self.assertEqual([c for c, _, _ in original],
                         ['text/x-shellscript', 'text/x-shellscript', 'text/x-shellscript',
                          'text/plain', 'text/cloud-config'])
        self.assertEqual(parts(resolved), original)

        msg = email.message_from_string(proc.stdout, policy=email.policy.default)
        self.assertTrue(msg.is_multipart())
        leaves = [p for p in msg.walk() if not p.is_multipart()]
        self.assertEqual([p.get_content_type() for p in leaves], [c for c, _, _ in original])
        self.assertEqual(leaves[2].get_content().encode(),
                         b'#!/bin/sh\necho inner >> "$S3US_STATE_DIR/order.log"\n')
        self.assertEqual(leaves[1].get_filename(), 'a.sh')

    # --- get ---

    def test_get_downloads_with_mode_and_checks_pins(self):
        out = self.path('a.sh')
        os.makedirs(os.path.dirname(out))
        proc = ru.run(['get', 's3://cli-bucket/a.sh', '-o', out], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(ru.mode_of(out), 0o600)
        self.assertEqual(ru.read(out), '#!/bin/sh\necho a >> "$S3US_STATE_DIR/order.log"\n')
        proc = ru.run(['get', 'arn:aws:s3:::cli-bucket/nested.mime', '-o', '-'], self.emu)
        self.assertEqual((proc.returncode, proc.stdout.encode()), (0, NESTED))
        proc = ru.run(['get', 's3://cli-bucket/a.sh', '-d', self.path(), '--mode', '0640'],
                      self.emu)
        self.assertEqual(ru.mode_of(out), 0o640, proc.stderr)
        proc = ru.run(['get', 's3://cli-bucket/a.sh', '-o', self.path('pinned'),
                       '--sha256', 'f' * 64], self.emu)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertFalse(os.path.exists(self.path('pinned')))
        proc = ru.run(['get', 's3://cli-bucket/absent', '-o', self.path('absent')], self.emu)
        self.assertEqual(proc.returncode, 4, proc.stderr)

    # --- the predecessor's interface ---

    def test_predecessor_flags_run_the_role_default_script_with_its_exit_status(self):
        tmpdir = self.path('tmp')
        os.makedirs(tmpdir)
        self.emu.put('legacy-bucket', 'web-role/user-script',
                     b'#!/bin/sh\necho "role default ran as $0"\nexit 7\n')
        self.emu.put('legacy-bucket', 'web-role/boot.sh', b'#!/bin/sh\necho boot.sh ran\n')
        env = dict(self.emu.env, TMPDIR=tmpdir)
        proc = ru.run(['-b', 'legacy-bucket'], self.emu, env=env)
        self.assertEqual(proc.returncode, 7, proc.stderr)
        self.assertRegex(proc.stdout, r'role default ran as /\S+/scripts/001-user-script\n')

        proc = ru.run(['-b', 'legacy-bucket', '-k', '{{.Role}}/boot.sh', '-v'], self.emu, env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'boot.sh ran\n')

        # -u names the endpoint when nothing else does.
        no_endpoint = {k: v for k, v in env.items() if k != 'AWS_ENDPOINT_URL_S3'}
        proc = ru.run(['-b', 'legacy-bucket', '-k', '{{.Role}}/boot.sh', '-u', self.emu.s3_url],
                      self.emu, env=no_endpoint)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stdout, 'boot.sh ran\n')

        proc = ru.run(['-b', 'legacy-bucket', '-k', 'nobody/user-script'], self.emu, env=env)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        # Each call that ran keeps its work directory; none is left empty.
        left = os.listdir(tmpdir)
        self.assertEqual(len(left), 3, left)
        for name in left:
            self.assertTrue(name.startswith('s3-user-script-replay-'), name)
            self.assertNotEqual(os.listdir(os.path.join(tmpdir, name)), [], name)

    # --- issue 3, first slice: a single #! script ---

    def test_single_script_is_written_private_and_executed_directly(self):
        probe = self.path('probe.py')
        os.makedirs(os.path.dirname(probe))
        with open(probe, 'w', encoding='utf-8') as f:
            f.write('#!/usr/bin/python3\n'
                    'import json, os, stat, sys\n'
                    'me = os.path.abspath(sys.argv[0])\n'
                    'with open(f"/proc/{os.getppid()}/comm") as c: parent = c.read().strip()\n'
                    'with open(f"/proc/{os.getpid()}/cmdline", "rb") as c:\n'
                    '    cmdline = c.read().split(b"\\0")[:-1]\n'
                    'info = {"argv": sys.argv, "me": me, "cwd": os.getcwd(), "parent": parent,\n'
                    '        "cmdline": [a.decode() for a in cmdline],\n'
                    '        "dir_mode": stat.S_IMODE(os.stat(os.path.dirname(me)).st_mode),\n'
                    '        "mode": stat.S_IMODE(os.stat(me).st_mode),\n'
                    '        "stdin": os.readlink("/proc/self/fd/0")}\n'
                    'with open(os.environ["S3US_STATE_DIR"] + "/probe.json", "w") as out:\n'
                    '    json.dump(info, out)\n')
        state = self.path('state')
        proc = ru.run(['replay', probe, '--state-dir', state], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(state, 'probe.json'), encoding='utf-8') as f:
            info = json.load(f)
        scripts = os.path.join(state, 'instances', ru.INSTANCE_ID, 'scripts')
        self.assertEqual(info['me'], os.path.join(scripts, '001-part-001'))
        self.assertEqual(info['argv'], [info['me']])  # no arguments
        self.assertEqual(info['cmdline'], ['/usr/bin/python3', info['me']])  # kernel's #!
        self.assertEqual(info['parent'], 's3-user-script')  # no shell in between
        self.assertEqual(info['cwd'], scripts)
        self.assertEqual((info['dir_mode'], info['mode']), (0o700, 0o700))
        self.assertEqual(info['stdin'], '/dev/null')
        part = ru.load_report(state)['parts'][0]
        self.assertEqual((part['content_type'], part['handler']),
                         ('text/x-shellscript', 'shell-script'))
        self.assertTrue(re.match(r'^ok$', part['outcome']))


class UnreadableSharedConfig(unittest.TestCase):
    def test_a_shared_config_we_may_not_read_is_absent_as_for_the_aws_cli(self):
        # `sudo -u nobody s3-user-script plan FILE` with HOME=/root: "cannot open
        # /root/.aws/config: Permission denied", exit 3, for user data with no include.
        with tempfile.TemporaryDirectory(dir='/tmp') as tmp:  # a $TMPDIR may be private
            os.chmod(tmp, 0o755)
            blob = os.path.join(tmp, 'ud')
            with open(blob, 'wb') as f:
                f.write(b'#!/bin/sh\necho hi\n')
            os.chmod(blob, 0o644)
            home = os.path.join(tmp, 'home')
            os.makedirs(os.path.join(home, '.aws'))
            with open(os.path.join(home, '.aws', 'config'), 'w', encoding='ascii') as f:
                f.write('[default]\nregion = eu-west-1\n')
            binary = os.path.join(tmp, 's3-user-script')  # wherever the tree is, nobody may run it
            shutil.copy(ru.BINARY, binary)
            os.chmod(binary, 0o755)
            as_root = os.geteuid() == 0
            os.chmod(home, 0o700 if as_root else 0o000)  # root passes any mode: run as nobody
            try:
                env = {'PATH': '/usr/bin:/bin', 'HOME': home, 'AWS_EC2_METADATA_DISABLED': 'true'}
                drop = (lambda: (os.setgid(65534), os.setuid(65534))) if as_root else None
                proc = subprocess.run([binary, 'plan', blob], env=env, capture_output=True,
                                      text=True, timeout=30, preexec_fn=drop, cwd=tmp)
            finally:
                os.chmod(home, 0o700)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(proc.stderr, '')
        self.assertTrue(proc.stdout.startswith('1 part\n'), proc.stdout)


if __name__ == '__main__':
    ru.main()
