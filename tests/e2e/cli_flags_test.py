#!/usr/bin/python3
"""The command line's edges, found by the operator review of issues 8 and 17: a result that
cannot be written to stdout, the predecessor's go-flags spellings, flag values checked before
any request, CLI11's own wording kept from users, and the help command's nits."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

PREFIX = ru.ERROR_PREFIX
ENOSPC = PREFIX + 'cannot write to standard output: No space left on device\n'
CLI11_WORDS = ('Could not convert', 'not in range', '0.000000', 'Value ', '[Option')


class Flags(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        emu.put('flags-bucket', 'a.sh', b'#!/bin/sh\necho a-ran\n')
        emu.put('flags-bucket', 'big.bin', os.urandom(300 << 10))
        emu.put('flags-bucket', 'web-role/user-script', b'#!/bin/sh\necho legacy-ran\n')
        emu.put('flags-bucket', 'web-role/boot.sh', b'#!/bin/sh\necho boot-ran\n')

    def blob(self, body=b'#s3-include\ns3://flags-bucket/a.sh\n'):
        path = self.path('ud')
        with open(path, 'wb') as f:
            f.write(body)
        return path

    def run_to(self, args, stdout, env=None):
        """Runs the binary with stdout on the given descriptor (or DEVNULL/None)."""
        proc = subprocess.run([ru.BINARY] + list(args), env=env or self.emu.env, stdout=stdout,
                              stderr=subprocess.PIPE, text=True, timeout=60)
        ru.assert_no_secrets(proc.stderr, self.emu)
        return proc

    # --- a result that does not arrive is no success ---

    def commands_with_results(self):
        blob = self.blob()
        state = self.path('state')
        ran = ru.run(['replay', blob, '--state-dir', state], self.emu)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        return [['plan', blob, '--json'], ['plan', blob], ['validate', blob, '--json'],
                ['validate', blob], ['status', '--json', '--state-dir', state],
                ['status', '--state-dir', state], ['status', '--long', '--state-dir', state],
                ['replay', blob, '--json', '--state-dir', state, '--force'],
                ['replay', blob, '--dry-run', '--state-dir', state], ['resolve', blob],
                ['get', 's3://flags-bucket/a.sh', '-o', '-'], ['--version'], ['help', 'plan']]

    def test_a_full_disk_on_stdout_fails_every_command_with_one_line(self):
        # plan, validate, status and replay exited 0 with nothing written; resolve exited 3
        # silently.
        for args in self.commands_with_results():
            with self.subTest(args=args), open('/dev/full', 'w') as full:
                proc = self.run_to(args, full)
                self.assertEqual(proc.returncode, 3, proc.stderr)
                # (replay --json also shows its parts' output and its state dir there)
                self.assertTrue(proc.stderr.endswith(ENOSPC), proc.stderr)
                self.assertEqual(proc.stderr.count(PREFIX), 1, proc.stderr)

    def test_a_closed_stdout_fails_with_one_line(self):
        for args in (['plan', self.blob(), '--json'], ['get', 's3://flags-bucket/a.sh', '-o', '-'],
                     ['--version']):
            with self.subTest(args=args):
                proc = subprocess.run(['/bin/sh', '-c', '"$0" "$@" >&-', ru.BINARY] + args,
                                      env=self.emu.env, capture_output=True, text=True,
                                      timeout=60)
                self.assertEqual(proc.returncode, 3, proc.stderr)
                self.assertEqual(proc.stderr, PREFIX + 'cannot write to standard output: Bad '
                                 'file descriptor\n')

    def test_a_reader_that_went_away_ends_it_quietly_as_sigpipe_would(self):
        # get -o - and resolve said "cannot write ..." (exit 3); plan exited 0.
        blob = self.blob()
        for args in (['get', 's3://flags-bucket/big.bin', '-o', '-'], ['plan', blob, '--json'],
                     ['resolve', blob]):
            with self.subTest(args=args):
                r, w = os.pipe()
                os.close(r)
                try:
                    proc = self.run_to(args, w)
                finally:
                    os.close(w)
                self.assertEqual((proc.returncode, proc.stderr), (141, ''))

    # --- the predecessor's spellings (go-flags) ---

    def test_predecessor_flags_take_go_flags_spellings(self):
        env = dict(self.emu.env, TMPDIR=os.path.dirname(self.path('tmp', 'x')))
        cases = [(['-b=flags-bucket'], 'legacy-ran'), (['-bflags-bucket'], 'legacy-ran'),
                 (['--bucket=flags-bucket', '-k={{.Role}}/boot.sh'], 'boot-ran'),
                 (['-b', 'flags-bucket', '-u=' + self.emu.s3_url], 'legacy-ran'),
                 (['-b', 'other-bucket', '-b', 'flags-bucket'], 'legacy-ran')]
        for args, said in cases:
            with self.subTest(args=args):
                proc = ru.run(args, self.emu, env=env)
                self.assertEqual((proc.returncode, proc.stderr), (0, ''))
                self.assertEqual(proc.stdout, said + '\n')
        proc = ru.run(['-b', ''], self.emu, env=env)
        self.assertEqual(self.one_error(proc, 2),
                         '-b needs a bucket name (s3-user-script -b BUCKET)')

    # --- flag values checked before any request ---

    def test_bad_region_and_endpoint_values_are_usage_errors_before_any_request(self):
        blob = self.blob()
        before = self.emu.stats('s3')['total']
        cases = {
            ('plan', blob, '--region', 'bad_region'):
                "plan: --region: 'bad_region' is not a region name (a region has only a-z, 0-9 "
                "and '-') (see s3-user-script help plan)",
            ('get', 's3://flags-bucket/a.sh', '-o', self.path('x'), '--endpoint-url', 'notaurl'):
                "get: --endpoint-url: 'notaurl' is not an endpoint URL (expected an http:// or "
                "https:// URL) (see s3-user-script help get)",
            ('resolve', blob, '--endpoint-url', 'http://'):
                "resolve: --endpoint-url: 'http://' is not an endpoint URL (expected "
                "http(s)://host[:port]) (see s3-user-script help resolve)",
            ('-b', 'flags-bucket', '-u=ftp://x'):
                "--url: 'ftp://x' is not an endpoint URL (expected an http:// or https:// URL) "
                "(see s3-user-script help)",
        }
        for args, expected in cases.items():
            with self.subTest(args=args):
                self.assertEqual(self.one_error(ru.run(list(args), self.emu), 2), expected)
        self.assertEqual(self.emu.stats('s3')['total'], before)
        # From the environment it stays a setup error naming its source.
        proc = ru.run(['plan', blob], env=dict(self.emu.env, AWS_REGION='bad_region'))
        self.assertEqual(self.one_error(proc, 3),
                         "reading AWS configuration: invalid AWS_REGION 'bad_region': a region "
                         "has only a-z, 0-9 and '-'")

    def test_cli11_wording_never_reaches_the_user(self):
        env = ru.offline_env(self.tmp.name)
        cases = {
            ('replay', '/dev/null', '--launch-index', '-1'):
                "replay: --launch-index: '-1' is not a whole number from 0 to 2147483647 (see "
                "s3-user-script help replay)",
            ('plan', '/dev/null', '--launch-index=1.5'):
                "plan: --launch-index: '1.5' is not a whole number from 0 to 2147483647 (see "
                "s3-user-script help plan)",
            ('plan', '/dev/null', '--launch-index', '99999999999'):
                "plan: --launch-index: '99999999999' is not a whole number from 0 to 2147483647 "
                "(see s3-user-script help plan)",
            ('validate', '/dev/null', '--json=maybe'):
                'validate: --json takes no value (give --json alone) (see s3-user-script help '
                'validate)',
            ('run', '--dry-run=yes-please'):
                'run: --dry-run takes no value (give --dry-run alone) (see s3-user-script help '
                'run)',
        }
        for args, expected in cases.items():
            with self.subTest(args=args):
                proc = ru.run(list(args), env=env)
                self.assertEqual(self.one_error(proc, 2), expected)
        # Every boolean flag of every command given a value (the unit tests try every flag
        # with every kind of bad value).
        for command in ('run', 'plan', 'replay', 'resolve', 'validate', 'status', 'get'):
            helptext = ru.run([command, '--help'], env=env).stdout
            for flag in re.findall(r'^  (?:-\w,)?(--[\w-]+)  ', helptext, re.M):
                if flag == '--help':
                    continue
                proc = ru.run([command, flag + '=maybe'], env=env)
                with self.subTest(command=command, flag=flag):
                    self.assertTrue(self.one_error(proc, 2).startswith(
                        f'{command}: {flag} takes no value'), proc.stderr)
                    for word in CLI11_WORDS:
                        self.assertNotIn(word, proc.stderr)

    # --- help ---

    def test_help_is_listed_help_help_works_and_status_validate_have_their_exit_codes(self):
        env = ru.offline_env(self.tmp.name)
        top = ru.run(['--help'], env=env)
        self.assertRegex(top.stdout, r'\n  help +The list of commands, or the help of COMMAND')
        own = ru.run(['help', 'help'], env=env)
        self.assertIn('Usage: s3-user-script help [OPTIONS] [command]', own.stdout)
        for args in (['help', '--help'], ['help', '-h']):
            proc = ru.run(args, env=env)
            self.assertEqual((proc.returncode, proc.stderr, proc.stdout), (0, '', own.stdout))
        status = ru.run(['status', '--help'], env=env).stdout
        self.assertTrue(status.rstrip().endswith(
            'Exit codes: 0 the last run succeeded (or one is running), 1 it failed, 2 usage, '
            '3 no run recorded or the state cannot be read.'), status)
        validate = ru.run(['validate', '--help'], env=env).stdout
        self.assertTrue(validate.rstrip().endswith(
            'Exit codes: 0 valid, 2 usage, 3 FILE unreadable, 4 invalid (one line per '
            'problem).'), validate)


if __name__ == '__main__':
    ru.main()
