#!/usr/bin/python3
"""Every file path a user or the environment names, made a FIFO nobody writes to (opening it
for reading would wait for a writer for ever), a pipe whose writer never finishes, a symlink
or a directory: each run ends within its --deadline with one error line naming the file and
the cause, and a fixed exit code. Covered: the AWS config and credentials files,
AWS_CA_BUNDLE, a web identity token file, an SSO token cache, a credential_process helper,
--allowed-signers for plan (refused at once: not a regular file), verify's three inputs, validate's input and its cloud-init
schema, sign's key, get's output, and the run lock `status` opens. A helper we start
(credential_process, cloud-init schema) leaves nothing running behind it. The subprocess
timeout only guards against a hang; nothing is asserted on speed."""

import fcntl
import hashlib
import os
import pty
import subprocess
import sys
import tempfile
import termios
import unittest

from e2e_util import processes_ended

BINARY = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
HANG_GUARD = 60  # seconds: far beyond every --deadline below
EXIT_SETUP, EXIT_FETCH = 3, 4


class FifoInputs(unittest.TestCase):
    def setUp(self):
        self.tmp_obj = tempfile.TemporaryDirectory(prefix='s3us-fifo-')
        self.tmp = self.tmp_obj.name
        self.home = self.path('home')
        os.makedirs(self.home)
        self.config = self.write('aws-config', '')
        self.credentials = self.write('aws-credentials', '')

    def tearDown(self):
        self.tmp_obj.cleanup()

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, name, text):
        path = self.path(name)
        with open(path, 'w') as f:
            f.write(text)
        return path

    def fifo(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.mkfifo(path, 0o600)
        return path

    def env(self, extra=None):
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'LANG': 'C.UTF-8',
               'HOME': self.home, 'TMPDIR': self.tmp, 'AWS_EC2_METADATA_DISABLED': 'true',
               'AWS_CONFIG_FILE': self.config, 'AWS_SHARED_CREDENTIALS_FILE': self.credentials,
               'AWS_REGION': 'us-east-1'}
        env.update(extra or {})
        return env

    def run_bin(self, args, extra_env=None, stdin=subprocess.DEVNULL, **kwargs):
        return subprocess.run([BINARY] + args, env=self.env(extra_env), cwd=self.tmp,
                              stdin=stdin, capture_output=True, text=True, timeout=HANG_GUARD,
                              **kwargs)

    def assert_one_line(self, proc, code, *fragments):
        lines = proc.stderr.splitlines()
        self.assertEqual((proc.returncode, len(lines)), (code, 1), proc)
        self.assertTrue(lines[0].startswith('s3-user-script: error: '), proc)
        for fragment in fragments:
            self.assertIn(fragment, lines[0], proc)

    def get(self, extra_env=None, output='-', deadline=1, **kwargs):
        # Credentials are needed before any request: an endpoint that never answers is fine.
        return self.run_bin(['get', '--deadline', str(deadline), '--endpoint-url',
                             'http://127.0.0.1:9', '-o', output, 's3://bkt/boot.sh'], extra_env,
                            **kwargs)

    def test_shared_config_and_credentials_files(self):
        for variable in ('AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'):
            with self.subTest(variable):
                fifo = self.fifo(self.path(variable.lower()))
                proc = self.get({variable: fifo})
                self.assert_one_line(proc, EXIT_SETUP, 'reading AWS configuration',
                                     f'nothing more to read from {fifo} before the deadline')

    def test_ca_bundle(self):
        # libcurl reads it at the TLS handshake with no deadline: refused before any request.
        fifo = self.fifo(self.path('ca.pem'))
        proc = self.get({'AWS_CA_BUNDLE': fifo, 'AWS_ACCESS_KEY_ID': 'AKIAFIFOTEST0000001',
                         'AWS_SECRET_ACCESS_KEY': 'fifo/test/secret'})
        self.assert_one_line(proc, EXIT_SETUP, f'AWS_CA_BUNDLE={fifo} is not a regular file')

    def test_web_identity_token_file(self):
        fifo = self.fifo(self.path('token'))
        proc = self.get({'AWS_WEB_IDENTITY_TOKEN_FILE': fifo,
                         'AWS_ROLE_ARN': 'arn:aws:iam::123456789012:role/r'})
        self.assert_one_line(proc, EXIT_SETUP, 'web identity',
                             f'nothing more to read from {fifo} before the deadline')

    def test_sso_token_cache(self):
        with open(self.config, 'w') as f:
            f.write('[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n'
                    'sso_role_name = Reader\n[sso-session corp]\n'
                    'sso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n')
        digest = hashlib.sha1(b'corp').hexdigest()
        fifo = self.fifo(os.path.join(self.home, '.aws', 'sso', 'cache', digest + '.json'))
        proc = self.get({'AWS_PROFILE': 'dev'})
        self.assert_one_line(proc, EXIT_SETUP, "IAM Identity Center (profile 'dev')",
                             f'nothing more to read from {fifo} before the deadline')

    def test_credential_process_that_never_finishes(self):
        # Silent, printing for ever, printing its credentials and closing stdout but not
        # exiting (that one used to be waited for without end), or exiting with half its
        # output printed and a process it started holding stdout: one line at the deadline,
        # and no process the helper started is left running.
        pids = self.path('pids')
        helper = self.write('helper', '#!/bin/sh\n'
                            f'sleep 60 >/dev/null & echo $! >> {pids}\n'
                            'case "$1" in\n'
                            'silent) exec sleep 60 ;;\n'
                            'endless) exec yes ;;\n'
                            'linger) printf \'{"Version": 1, "AccessKeyId": "AKIAFIFOTEST0000002",'
                            ' "SecretAccessKey": "x"}\'; exec >&-; exec sleep 60 ;;\n'
                            f'half) sleep 60 & echo $! >> {pids}; printf \'{{"Version": 1,\' ;;\n'
                            'esac\n')
        os.chmod(helper, 0o700)
        for mode, fragment in (('silent', 'still running at the deadline; killed it'),
                               ('endless', 'printed more than 64 KiB; killed it'),
                               ('linger', 'closed its output but was still running at the '
                                          'deadline; killed it'),
                               ('half', 'exited, but what it started kept its output open '
                                        'until the deadline; killed them')):
            with self.subTest(mode):
                with open(self.config, 'w') as f:
                    f.write(f'[profile p]\ncredential_process = {helper} {mode}\n')
                # But for 'silent', the helper must have done something before the deadline
                # (exited, printed 64 KiB, closed its output): a few seconds under load.
                proc = self.get({'AWS_PROFILE': 'p'}, deadline=1 if mode == 'silent' else 3)
                self.assert_one_line(proc, EXIT_SETUP,
                                     f"credential_process (profile 'p') {helper}: {fragment}")
                self.assertTrue(processes_ended(pids))
                os.unlink(pids)

    def test_credential_process_may_prompt_on_the_terminal(self):
        # Run from a terminal, the helper's process group has its foreground while it runs,
        # as a shell gives a job, so a helper prompting there reads the answer as under the
        # AWS CLI. From the background it would be stopped (SIGTTIN) until the deadline.
        answer = self.path('answer')
        helper = self.write('helper', '#!/bin/sh\n'
                            f'read -r code < /dev/tty && echo "$code" > {answer}\n'
                            'printf \'{"Version": 1, "AccessKeyId": "AKIAFIFOTEST0000003",'
                            ' "SecretAccessKey": "x"}\'\n')
        os.chmod(helper, 0o700)
        with open(self.config, 'w') as f:
            f.write(f'[profile p]\ncredential_process = {helper}\n')
        master, slave = pty.openpty()
        os.write(master, b'123456\n')  # typed ahead: the terminal holds it for the reader

        def take_terminal():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        try:
            proc = self.get({'AWS_PROFILE': 'p'}, deadline=5, stdin=slave,
                            start_new_session=True, preexec_fn=take_terminal)
        finally:
            os.close(slave)
            os.close(master)
        self.assertNotIn('credential_process', proc.stderr)
        self.assertIn('127.0.0.1:9', proc.stderr)  # got as far as the request
        with open(answer) as f:
            self.assertEqual(f.read(), '123456\n')

    def test_allowed_signers_for_plan(self):
        fifo = self.fifo(self.path('allowed_signers'))
        user_data = self.write('user-data', '#s3-include\ns3://bkt/boot.sh\n')
        proc = self.run_bin(['plan', '--deadline', '1', '--endpoint-url', 'http://127.0.0.1:9',
                             '--role', 'r', '--instance-id', 'i-1', '--allowed-signers', fifo,
                             user_data])
        # A trust file must be a regular file nobody else could change: refused at once.
        self.assert_one_line(proc, EXIT_SETUP, f'allowed signers {fifo}',
                             f'{fifo} is not a regular file')

    def test_verify_inputs(self):
        signed = self.write('boot.sh', '#!/bin/sh\n')
        signers = self.write('allowed_signers', '')
        # The file and the trust list are setup (exit 3); a signature that cannot be had is
        # a refused file (exit 4), as a missing one is.
        for role, code in (('file', EXIT_SETUP), ('allowed signers', EXIT_SETUP),
                           ('signature', EXIT_FETCH)):
            with self.subTest(role):
                fifo = self.fifo(self.path('fifo-' + role.replace(' ', '-')))
                args = {'file': [fifo, '--allowed-signers', signers],
                        'allowed signers': [signed, '--allowed-signers', fifo],
                        'signature': [signed, '--allowed-signers', signers,
                                      '--signature', fifo]}[role]
                proc = self.run_bin(['verify', '--deadline', '1'] + args)
                self.assert_one_line(proc, code,
                                     f'nothing more to read from {fifo} before the deadline')

    def test_validate_input_and_stdin(self):
        fifo = self.fifo(self.path('user-data'))
        proc = self.run_bin(['validate', '--deadline', '1', fifo])
        self.assert_one_line(proc, EXIT_SETUP,
                             f'nothing more to read from {fifo} before the deadline')
        reader, writer = os.pipe()
        try:
            os.write(writer, b'#!/bin/sh\n')
            proc = self.run_bin(['validate', '--deadline', '1', '-'], stdin=reader)
        finally:
            os.close(reader)
            os.close(writer)
        self.assert_one_line(proc, EXIT_SETUP,
                             'nothing more to read from standard input before the deadline')
        # A pipe that ends is read as before.
        proc = subprocess.run([BINARY, 'validate', '-'], input='#!/bin/sh\necho hi\n',
                              env=self.env(), capture_output=True, text=True,
                              timeout=HANG_GUARD)
        self.assertEqual(proc.returncode, 0, proc)
        self.assertIn('valid: 1 part', proc.stdout)

    def test_validate_kills_a_cloud_init_schema_that_never_finishes(self):
        bin_dir = self.path('bin')
        os.makedirs(bin_dir)
        fake = os.path.join(bin_dir, 'cloud-init')
        with open(fake, 'w') as f:
            f.write('#!/bin/sh\nexec sleep 60\n')
        os.chmod(fake, 0o700)
        config = self.write('cloud.cfg', '#cloud-config\nruncmd: [true]\n')
        proc = self.run_bin(['validate', '--deadline', '1', config],
                            {'PATH': bin_dir + ':/usr/bin:/bin'})
        self.assert_one_line(proc, EXIT_FETCH, 'part 1',
                             'cloud-init schema still running at the deadline; killed it')

    def test_validate_ends_what_cloud_init_schema_left_running(self):
        bin_dir = self.path('bin')
        os.makedirs(bin_dir)
        pids = self.path('pids')
        with open(os.path.join(bin_dir, 'cloud-init'), 'w') as f:
            f.write(f'#!/bin/sh\nsleep 60 & echo $! >> {pids}\nexit 0\n')
        os.chmod(os.path.join(bin_dir, 'cloud-init'), 0o700)
        config = self.write('cloud.cfg', '#cloud-config\nruncmd: [true]\n')
        proc = self.run_bin(['validate', config], {'PATH': bin_dir + ':/usr/bin:/bin'})
        self.assertEqual(proc.returncode, 0, proc)
        self.assertTrue(processes_ended(pids))

    def test_sign_key_that_is_not_a_regular_file(self):
        signed = self.write('boot.sh', '#!/bin/sh\n')
        fifo = self.fifo(self.path('key'))
        proc = self.run_bin(['sign', signed, '--key', fifo])
        self.assert_one_line(proc, EXIT_SETUP, f'key {fifo} is not a regular file')
        self.assertFalse(os.path.exists(signed + '.sig'))

    def test_get_output_that_is_a_fifo_a_symlink_or_a_directory(self):
        target = self.write('precious', 'precious\n')
        # `-o dir` writes dir/boot.sh, as aws s3 cp: a directory standing at that name.
        os.makedirs(self.path('dir/boot.sh'))
        os.symlink(target, self.path('link'))
        self.fifo(self.path('fifo-out'))
        for name in ('fifo-out', 'link', 'dir'):
            with self.subTest(name):
                out = self.path(name)
                proc = self.get({'AWS_ACCESS_KEY_ID': 'AKIAFIFOTEST0000001',
                                 'AWS_SECRET_ACCESS_KEY': 'fifo/test/secret'}, output=out)
                written = self.path('dir/boot.sh') if name == 'dir' else out
                self.assert_one_line(proc, EXIT_SETUP,
                                     f'{written} exists and is not a regular file')
        with open(target) as f:
            self.assertEqual(f.read(), 'precious\n')

    def test_status_with_a_fifo_for_the_run_lock(self):
        state = self.path('state')
        os.makedirs(state, mode=0o700)
        self.fifo(os.path.join(state, 'run.lock'))
        proc = self.run_bin(['status', '--state-dir', state])
        self.assertEqual(proc.returncode, EXIT_SETUP, proc)
        self.assertIn(f'no run recorded in {state}', proc.stderr)


if __name__ == '__main__':
    del sys.argv[1:2]
    unittest.main(verbosity=2)
