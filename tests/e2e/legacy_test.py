#!/usr/bin/python3
"""End-to-end: the predecessor's interface, `s3-user-script -b BUCKET [-k TEMPLATE] [-u URL]`
(issue 8), where the user wrote no user data. -b takes one bucket name and nothing that
would become another include line, an option or a key; an object that cannot run fails
naming it (the predecessor's exec failed); error lines name the object and -b mode's own
flags; a script calling `"$S3_USER_SCRIPT" get` reaches the endpoint -u (or --endpoint-url)
named."""

import subprocess
import time

import e2e_util
from e2e_util import EXIT_FAILED, EXIT_FETCH, EXIT_OK, EXIT_SETUP, EXIT_USAGE, E2ETest

SCRIPT = b'#!/bin/sh\necho role default ran\n'
OTHER = b'#!/bin/sh\necho SECOND object ran\n'
# "$S3_USER_SCRIPT" get with no set-up of its own, as issue 10 promises the scripts we run.
GETTER = (b'#!/bin/sh\n"$S3_USER_SCRIPT" get s3://legacy-bucket/app.conf -o - --deadline 8'
          b' || exit 9\n')
NOT_RUNNABLE = {
    'noshebang': (b'echo hello; exit 5\n', 'not a script (no #! line)'),
    'empty': (b'', 'an empty object'),
    'bom': (b'\xef\xbb\xbf#!/bin/sh\necho x\n', 'a byte order mark'),
    'cloudcfg': (b'#cloud-config\nruncmd: [touch, /tmp/x]\n', 'a cloud-config'),
}


class LegacyTest(E2ETest):
    def put_all(self, emu):
        emu.put('legacy-bucket', 'web-role/user-script', SCRIPT)
        emu.put('legacy-bucket', 'prefix', b'#!/bin/sh\necho object named by -b ran\n')
        emu.put('other-bucket', 'x.sh', OTHER)
        emu.put('legacy-bucket', 'app.conf', b'app config\n')
        emu.put('legacy-bucket', 'web-role/getter', GETTER)
        for key, (data, _) in NOT_RUNNABLE.items():
            emu.put('legacy-bucket', 'web-role/' + key, data)

    def test_b_takes_one_bucket_name_and_nothing_else(self):
        with self.emulators() as emu:
            self.put_all(emu)
            for value, fragment in (('legacy-bucket\ns3://other-bucket/x.sh', 'no blanks'),
                                    ('legacy-bucket sha256=' + 'f' * 64, 'no blanks'),
                                    ('legacy-bucket/prefix', 'not a path')):
                run = self.run_bin(emu, ['-b', value])
                self.assert_one_error(run, EXIT_USAGE, "-b '", fragment)
                self.assertEqual(run.stdout, b'', run)
            self.assertEqual(emu.stats('s3').get('by_status', {}), {})
            run = self.run_bin(emu, ['-b', 'legacy-bucket'])
            self.assertEqual((run.code, run.out), (EXIT_OK, 'role default ran\n'), run)

    def test_an_object_that_cannot_run_fails_naming_it(self):
        with self.emulators() as emu:
            self.put_all(emu)
            for key, (_, why) in NOT_RUNNABLE.items():
                run = self.run_bin(emu, ['-b', 'legacy-bucket', '-k', '{{.Role}}/' + key])
                line = self.assert_one_error(run, EXIT_FAILED,
                                             's3://legacy-bucket/web-role/' + key + ': ', why,
                                             'nothing ran')
                self.assertNotIn('part 1', line)

    def test_errors_name_the_object_and_the_flags_of_b_mode(self):
        with self.emulators() as emu:
            self.put_all(emu)
            run = self.run_bin(emu, ['-b', 'legacy-bucket', '-k', '{{.Role}}/absent'])
            line = self.assert_one_error(run, EXIT_FETCH, 's3://legacy-bucket/web-role/absent')
            self.assertNotIn('part 1', line)
            run = self.run_bin(emu, ['-b', 'legacy-bucket', '-k', '{{.role}}/x'])
            line = self.assert_one_error(run, EXIT_USAGE, '-k: ')
            self.assertNotIn('--key-template', line)

    def test_an_instance_without_a_role_is_no_credentials(self):
        with self.emulators(imds_args=['--no-role']) as emu:
            self.put_all(emu)
            run = self.run_bin(emu, ['-b', 'legacy-bucket'])
            line = self.assert_one_error(
                run, EXIT_SETUP,
                'the instance has no IAM role (IMDS has no iam/security-credentials)')
            self.assertNotIn('--role', line)

    def test_a_script_calling_get_reaches_the_endpoint_of_the_command_line(self):
        with self.emulators() as emu:
            self.put_all(emu)
            # Without the endpoint, the scripts' get would go nowhere (no real network).
            env = self.env(emu, {'HTTPS_PROXY': 'http://127.0.0.1:9', 'AWS_REGION': 'us-east-1'},
                           drop=('AWS_ENDPOINT_URL_S3',))
            run = self.run_env(emu, env, ['-b', 'legacy-bucket', '-k', '{{.Role}}/getter',
                                          '-u', emu.s3_url])
            self.assertEqual((run.code, run.out), (EXIT_OK, 'app config\n'), run)
            ud = self.write('ud', b'#s3-include\ns3://legacy-bucket/web-role/getter\n')
            run = self.run_env(emu, env, ['replay', ud, '--endpoint-url', emu.s3_url])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertIn('app config\n', run.out)

    def run_env(self, emu, env, args):
        """run_bin with exactly `env` (run_bin can add variables, not drop them)."""
        proc = subprocess.Popen([e2e_util.BINARY] + args, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=self.out_dir)
        proc.started = time.monotonic()
        proc.cmd_args = args
        return self.finish_bin(emu, proc)


if __name__ == '__main__':
    e2e_util.main()
