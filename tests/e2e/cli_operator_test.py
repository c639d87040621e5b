#!/usr/bin/python3
"""Issue 17: the operator interface of the real binary: one exit-code table and one error
printer, parse errors people understand, get -d all-or-nothing, status --wait/--long, and the
offline validate."""

import glob
import json
import os
import re
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

PREFIX = ru.ERROR_PREFIX
with open(os.path.join(ru.SOURCE_DIR, 'docs', 'json-schema.json'), encoding='utf-8') as f:
    SCHEMA = json.load(f)
# A Content-Type and a filename (RFC 2231) that recolour and clear a terminal.
HOSTILE_MIME = (b'Content-Type: multipart/mixed; boundary="XYZ"\nMIME-Version: 1.0\n\n--XYZ\n'
                b'Content-Type: text/x-\x1b[31mevil\x1b[0m\n'
                b"Content-Disposition: attachment; filename*=utf-8''%1b%5b2J%1b%5b31mX\n\n"
                b'hello\n--XYZ--\n')


class Operator(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        emu.put('op-bucket', 'a.sh', b'#!/bin/sh\necho a\n')
        emu.put('op-bucket', 'dir1/same.sh', b'#!/bin/sh\necho one\n')
        emu.put('op-bucket', 'dir2/same.sh', b'#!/bin/sh\necho two\n')

    # --- 1. one exit-code table, one printer ---

    def test_missing_imds_is_setup_for_run_plan_and_get_alike(self):
        env = ru.offline_env(self.tmp.name)
        env.pop('AWS_EC2_METADATA_DISABLED')
        env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = 'http://127.0.0.1:9'
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/a.sh\n')
        get = ru.run(['get', 's3://op-bucket/a.sh', '-o', self.path('out'), '--region',
                      'us-east-1'], env=env)
        line = self.one_error(get, 3)
        self.assertRegex(line, r'^fetching s3://op-bucket/a\.sh: could not get credentials')
        plan = ru.run(['plan', blob, '--region', 'us-east-1'], env=env)
        line = self.one_error(plan, 3)
        self.assertRegex(line, r'^part 1 line 2 \(s3://op-bucket/a\.sh\): fetching '
                               r's3://op-bucket/a\.sh: could not get credentials')
        replay = ru.run(['replay', blob, '--region', 'us-east-1', '--state-dir',
                         self.path('state')], env=env)
        self.assertEqual(replay.returncode, 3, replay.stderr)

    # --- 3. errors people understand ---

    def test_parse_errors_name_the_flag_and_what_it_accepts(self):
        env = ru.offline_env(self.tmp.name)
        cases = {
            ('run', '--deadline', '0'):
                "run: --deadline: '0' is not a whole number of seconds from 1 to 86400 "
                "(see s3-user-script help run)",
            ('pln', 'f'): "unknown command 'pln'; did you mean plan?",
            ('plan', '--jsn'):
                'plan: unknown option --jsn; did you mean --json? (see s3-user-script help plan)',
            ('help', 'replya'): "help: unknown command 'replya'; did you mean replay?",
            ('run', '--max-object-size', '1X'):
                "run: --max-object-size: '1X' is not a size (bytes, or with a unit: 512K, 64M, "
                "1G) (see s3-user-script help run)",
        }
        for args, expected in cases.items():
            proc = ru.run(list(args), env=env)
            self.assertEqual(self.one_error(proc, 2), expected)
            self.assertEqual(proc.stdout, '')

    def test_help_command_defaults_and_units(self):
        env = ru.offline_env(self.tmp.name)
        top = ru.run(['help'], env=env)
        self.assertEqual((top.returncode, top.stderr), (0, ''))
        self.assertEqual(top.stdout, ru.run(['--help'], env=env).stdout)
        self.assertEqual(top.stdout.count("Predecessor's interface: s3-user-script -b"), 1)
        plan = ru.run(['help', 'plan'], env=env)
        self.assertEqual(plan.returncode, 0)
        self.assertEqual(plan.stdout, ru.run(['plan', '--help'], env=env).stdout)
        self.assertNotIn("Predecessor's interface: s3-user-script -b", plan.stdout)
        for shown in ('--deadline SECONDS=300', '--max-parts INT=1000', '--max-total-bytes SIZE=256M',
                      '--key-template TEXT={role}/user-script'):
            self.assertIn(shown, plan.stdout)

    def test_bad_values_are_usage_errors_before_any_request(self):
        before = self.emu.stats('s3')['by_request'].get('GET /op-bucket/a.sh', 0)
        proc = ru.run(['get', 's3://op-bucket/a.sh', '-o', self.path('x'), '--sha256', 'abcd'],
                      self.emu)
        self.assertEqual(self.one_error(proc, 2),
                         "get: --sha256: 'abcd' is not a SHA-256 (64 hexadecimal digits) "
                         "(see s3-user-script help get)")
        self.assertEqual(self.emu.stats('s3')['by_request'].get('GET /op-bucket/a.sh', 0), before)
        self.assertFalse(os.path.exists(self.path('x')))

    def test_limit_errors_name_the_flag(self):
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/a.sh\ns3://op-bucket/dir1/same.sh\n')
        proc = ru.run(['plan', blob, '--max-parts', '1'], self.emu)
        self.assertEqual(self.one_error(proc, 4),
                         'the plan exceeds the limit of 1 parts (--max-parts)')

    def test_plan_off_ec2_suggests_a_file_and_a_missing_role_suggests_role(self):
        env = ru.offline_env(self.tmp.name)
        env.pop('AWS_EC2_METADATA_DISABLED')
        env['AWS_EC2_METADATA_SERVICE_ENDPOINT'] = 'http://127.0.0.1:9'
        # Without --deadline too: a workstation is not kept waiting for IMDS.
        for extra in (['--deadline', '1'], []):
            proc = ru.run(['plan'] + extra, env=env, timeout=20)
            self.assertTrue(self.one_error(proc, 3).endswith(
                '; off EC2, give the user data as a FILE: s3-user-script plan FILE'), proc.stderr)
        proc = ru.run(['plan'], env=dict(env, AWS_EC2_METADATA_DISABLED='true'))
        self.assertEqual(self.one_error(proc, 3),
                         'no user data: instance metadata is disabled; off EC2, give the user '
                         'data as a FILE: s3-user-script plan FILE')
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\nop-bucket\n')
        env = dict(self.emu.env, AWS_EC2_METADATA_DISABLED='true')
        proc = ru.run(['plan', blob, '--region', 'us-east-1'], env=env)
        self.assertIn('needs {role}, which is not known (no instance metadata; give --role)',
                      self.one_error(proc, 4))

    # --- 4. get -d DIR: all or nothing ---

    def test_get_into_a_directory_is_all_or_nothing(self):
        out = os.path.dirname(self.path('x'))
        with open(os.path.join(out, 'same.sh'), 'wb') as f:
            f.write(b'old\n')
        proc = ru.run(['get', 's3://op-bucket/a.sh', 's3://op-bucket/no-such.sh', '-d', out],
                      self.emu)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertEqual(proc.stderr.count(PREFIX), 1, proc.stderr)
        self.assertIn('s3://op-bucket/no-such.sh', proc.stderr)
        self.assertEqual(sorted(os.listdir(out)), ['same.sh'])  # no a.sh, no temporary files
        proc = ru.run(['get', 's3://op-bucket/a.sh', 's3://op-bucket/dir1/same.sh', '-d', out],
                      self.emu)
        self.assertEqual((proc.returncode, proc.stderr), (0, ''))
        self.assertEqual(sorted(os.listdir(out)), ['a.sh', 'same.sh'])
        self.assertEqual(ru.read(os.path.join(out, 'same.sh')), '#!/bin/sh\necho one\n')

    def test_two_urls_with_one_destination_are_a_usage_error_before_any_request(self):
        out = os.path.dirname(self.path('x'))
        before = dict(self.emu.stats('s3')['by_request'])
        proc = ru.run(['get', 's3://op-bucket/dir1/same.sh', 's3://op-bucket/dir2/same.sh', '-d',
                       out], self.emu)
        self.assertEqual(self.one_error(proc, 2),
                         f'get: s3://op-bucket/dir1/same.sh and s3://op-bucket/dir2/same.sh would '
                         f'both be written to {out}/same.sh; use -o DEST for each')
        self.assertEqual(self.emu.stats('s3')['by_request'], before)
        self.assertEqual(os.listdir(out), [])

    def test_get_into_a_missing_directory_says_so_once(self):
        proc = ru.run(['get', 's3://op-bucket/a.sh', 's3://op-bucket/dir1/same.sh', '-d',
                       '/nonexistent'], self.emu)
        self.assertEqual(self.one_error(proc, 3), 'get: -d /nonexistent: not a directory')

    # --- 5. status --wait, --long; one run at a time ---

    def test_a_run_in_progress_is_visible_waited_for_and_exclusive(self):
        state = os.path.dirname(self.path('x'))
        started, go = os.path.join(state, 'started'), os.path.join(state, 'go')
        blob = self.path('ud.sh')
        with open(blob, 'w', encoding='utf-8') as f:
            f.write(f'#!/bin/sh\necho run >> {started}\n'
                    f'while [ ! -e {go} ]; do sleep 0.02; done\n')
        env = dict(self.emu.env)
        first = ru.subprocess.Popen([ru.BINARY, 'replay', blob, '--state-dir', state], env=env,
                                    stdout=ru.subprocess.PIPE, stderr=ru.subprocess.PIPE, text=True)
        try:
            ru.wait_for(lambda: os.path.exists(started), 'the first run to start its part')
            status = ru.run(['status', '--state-dir', state], self.emu)
            self.assertEqual(status.returncode, 0, status.stderr)
            self.assertRegex(status.stdout, rf'^running: pid {first.pid} since \S+Z in {state} '
                                            r'\(status --wait waits for the end\)\n$')
            status = ru.run(['status', '--json', '--state-dir', state], self.emu)
            doc = json.loads(status.stdout)
            self.assertEqual((doc['status'], doc['pid']), ('running', first.pid))

            second = ru.run(['replay', blob, '--state-dir', state, '-q'], self.emu)
            self.assertEqual(self.one_error(second, 3),
                             f'another run (pid {first.pid}) is in progress in {state}; '
                             's3-user-script status --wait waits for it')

            waiter = ru.subprocess.Popen([ru.BINARY, 'status', '--wait', '--state-dir', state],
                                         env=env, stdout=ru.subprocess.PIPE,
                                         stderr=ru.subprocess.PIPE, text=True)
            # Blocked on the run's lock: /proc/locks lists it as a waiter ("->").
            ru.wait_for(lambda: any(line.split()[1:2] == ['->'] and
                                      line.split()[5] == str(waiter.pid)
                                      for line in open('/proc/locks', encoding='ascii')),
                          'status --wait to block on the lock')
            self.assertIsNone(waiter.poll())
            with open(go, 'w', encoding='ascii'):
                pass
            out, err = waiter.communicate(timeout=30)
            self.assertEqual(waiter.returncode, 0, err)
            self.assertRegex(out, r'^last run: ok at ')
        finally:
            with open(go, 'w', encoding='ascii'):
                pass
            first.communicate(timeout=30)
        self.assertEqual(first.returncode, 0)
        self.assertEqual(ru.read(started), 'run\n')  # the second run dispatched nothing

    def test_status_long_shows_each_part(self):
        state = os.path.dirname(self.path('x'))
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/a.sh\n')
        proc = ru.run(['replay', blob, '--state-dir', state], self.emu)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        status = ru.run(['status', '--long', '--state-dir', state], self.emu)
        self.assertEqual(status.returncode, 0, status.stderr)
        long_part = status.stdout[status.stdout.index('part 1 (run 1)'):]
        lines = long_part.splitlines()
        self.assertEqual(lines[0], 'part 1 (run 1): ok: exited with status 0')
        self.assertRegex(lines[1], r'^  text/x-shellscript, handler shell-script, per-instance, 17 bytes, '
                                   r'sha256 [0-9a-f]{64}$')
        self.assertRegex(lines[2], r'^  from s3://op-bucket/a\.sh \(verified by content-length, [^)]+\)$')
        self.assertEqual(lines[3], '  included by part 1 line 2')
        self.assertRegex(lines[4], r'^  started \S+Z, \d+(\.\d+)? ms, exit status 0$')

    # --- 6. validate, plan --offline: no network, no credentials ---

    def validate(self, content, *extra):
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(content)
        env = ru.offline_env(self.tmp.name)
        env['AWS_ENDPOINT_URL_S3'] = 'http://127.0.0.1:9'  # nothing may be asked of it
        return ru.run(['validate', blob] + list(extra), env=env), blob, env

    def test_validate_prints_the_part_tree_of_valid_user_data(self):
        blob = ru.mime([('text/x-shellscript', 'a.sh', b'#!/bin/sh\ntrue\n'),
                        ('text/x-s3-include', 'inc', b'#s3-include\ns3://op-bucket/a.sh\n'
                                                     b'op-bucket\n'),
                        ('text/cloud-config', 'c.cfg', b'#cloud-config\npackages: [jq]\n')])
        proc, path, env = self.validate(blob)
        self.assertEqual((proc.returncode, proc.stderr), (0, ''))
        self.assertEqual(proc.stdout,
                         'part 1: text/x-shellscript a.sh (15 bytes)\n'
                         'part 2: text/x-s3-include inc (42 bytes)\n'
                         '  line 2: s3://op-bucket/a.sh\n'
                         '  line 3: op-bucket\n'
                         'part 3: text/cloud-config c.cfg (29 bytes)\n'
                         'valid: 3 parts, 2 include lines\n')
        offline = ru.run(['plan', '--offline', path], env=env)
        self.assertEqual((offline.returncode, offline.stdout), (0, proc.stdout))

    def test_validate_names_part_and_line_of_each_problem(self):
        proc, _, _ = self.validate(b'#cloud-config\npackages: [jq\n')
        self.assertEqual(self.one_error(proc, 4),
                         'part 1 line 3: cloud-config: invalid YAML: did not find expected '
                         '\',\' or \']\'')
        self.assertTrue(proc.stdout.endswith('invalid: 1 part, 0 include lines\n'))
        proc, _, _ = self.validate(b'#s3-include\ns3://Bad+Bucket/x\nftp://example.com/x\n'
                                   b'arn:aws:s3:::good-bucket/k\n')
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.splitlines(), [
            PREFIX + "part 1 line 2: s3://Bad+Bucket/x: invalid bucket name 'Bad+Bucket': "
                     "only a-z, 0-9, '.' and '-' are allowed (also A-Z and '_' in a name from "
                     'before March 2018)',
            PREFIX + 'part 1 line 3: "ftp://example.com/x" is not an S3 location '
                     '(#s3-include lines name S3 objects)'])
        proc, _, _ = self.validate(b'#s3-include\ns3://good-bucket/k sha256=abc\n')
        self.assertEqual(self.one_error(proc, 4), 'part 1 line 2: sha256 must be 64 hex digits')
        proc, _, _ = self.validate(b'#s3-include\ns3://good-bucket/a\ns3://good-bucket/b\n',
                                   '--max-objects', '1')
        self.assertEqual(self.one_error(proc, 4), 'user data: the includes name 2 objects, over '
                                                  'the limit of 1 (--max-objects)')

    def test_validate_checks_cloud_config_with_cloud_init_schema(self):
        proc, _, _ = self.validate(b'#cloud-config\nruncmd: 5\n')
        self.assertEqual(self.one_error(proc, 4), "part 1: cloud-config: cloud-init schema: "
                                                  "runcmd: 5 is not of type 'array'")
        proc, _, _ = self.validate(b'#cloud-config\nruncmd: 5\n', '--json')
        doc = json.loads(proc.stdout)
        self.assertEqual(doc['valid'], False)
        self.assertEqual(doc['problems'], [{'part': 1, 'line': 0, 'message':
                                            "cloud-config: cloud-init schema: runcmd: 5 is not "
                                            "of type 'array'"}])

    def test_validate_checks_a_cloud_config_part_without_its_header_line(self):
        # cloud-init merges a part typed text/cloud-config without "#cloud-config"; `schema -c`
        # refused it as a file that "needs to begin with" one, naming a deleted temp file.
        mime = (b'Content-Type: multipart/mixed; boundary="B"\nMIME-Version: 1.0\n\n--B\n'
                b'Content-Type: text/cloud-config\n\n%s\n--B--\n')
        proc, _, _ = self.validate(mime % b'runcmd: [ls]')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # cloud-init's own reason when it is not schema errors, not a bare "invalid".
        proc, _, _ = self.validate(mime % b'# nothing')
        self.assertEqual(self.one_error(proc, 4), 'part 1: cloud-config: cloud-init schema: '
                                                  'Cloud-config is not a YAML dict. (line 1 is a '
                                                  '#cloud-config line put before the part)')
        proc, _, _ = self.validate(mime % b'runcmd: 5')
        self.assertEqual(self.one_error(proc, 4), "part 1: cloud-config: cloud-init schema: "
                                                  "runcmd: 5 is not of type 'array' (line 1 is a "
                                                  "#cloud-config line put before the part)")

    def test_validate_reports_every_bad_line_of_a_part_in_order(self):
        proc, _, _ = self.validate(b'#s3-include\ns3://good-bucket/k sha256=abc\n'
                                   b's3://Bad+Bucket/j\ns3://good-bucket/ok\n'
                                   b's3://good-bucket/j sha256=xyz\n')
        self.assertEqual(proc.returncode, 4)
        self.assertEqual(proc.stderr.splitlines(), [
            PREFIX + 'part 1 line 2: sha256 must be 64 hex digits',
            PREFIX + "part 1 line 3: s3://Bad+Bucket/j: invalid bucket name 'Bad+Bucket': "
                     "only a-z, 0-9, '.' and '-' are allowed (also A-Z and '_' in a name from "
                     'before March 2018)',
            PREFIX + 'part 1 line 5: sha256 must be 64 hex digits'])
        self.assertIn('  line 4: s3://good-bucket/ok\n', proc.stdout)

    # --- plan and replay refuse what validate refuses ---

    def test_plan_and_replay_refuse_cloud_config_that_is_not_yaml(self):
        self.emu.put('op-bucket', 'bad.yaml', b'#cloud-config\npackages: [jq\n')
        tmpdir = self.path('tmp')
        os.makedirs(tmpdir)
        env = dict(self.emu.env, TMPDIR=tmpdir)
        local = self.path('local-ud')
        with open(local, 'wb') as f:
            f.write(b'#cloud-config\npackages: [jq\n')
        fetched = self.path('fetched-ud')
        with open(fetched, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/a.sh\ns3://op-bucket/bad.yaml\n')
        for args in (['plan', local], ['replay', local, '--dry-run'], ['replay', local],
                     ['plan', local, '--json']):
            proc = ru.run(args, self.emu, env=env)
            line = self.one_error(proc, 4)
            self.assertEqual(line, 'part 1 line 3: cloud-config: invalid YAML: did not find '
                                   'expected \',\' or \']\'', args)
            # --json: the one document is the error (no plan).
            stdout = json.loads(proc.stdout)['error'] if '--json' in args else proc.stdout
            self.assertEqual(stdout, line if '--json' in args else '', args)
        # A fetched part is named as a run names it, by its object and include line ("part 2
        # line 3" was the plan's numbering, found nowhere in the user data).
        proc = ru.run(['plan', fetched], self.emu, env=env)
        self.assertEqual(self.one_error(proc, 4),
                         'part 2 of 2 (text/cloud-config from s3://op-bucket/bad.yaml, line 3 of '
                         'part 1): cloud-config: invalid YAML: did not find expected \',\' or '
                         '\']\' (at its line 3)')
        self.assertEqual(os.listdir(tmpdir), [])
        # Two refused cloud-configs: still one line, which counts the other; -v lists both.
        with open(fetched, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/bad.yaml\ns3://op-bucket/bad.yaml\n')
        proc = ru.run(['plan', fetched], self.emu, env=env)
        self.assertTrue(self.one_error(proc, 4).endswith(
            "expected ',' or ']' (at its line 3) (and 1 more problem; -v lists them)"),
            proc.stderr)
        proc = ru.run(['plan', fetched, '-v'], self.emu, env=env)
        listed = [x for x in proc.stderr.splitlines() if ': info: part ' in x]
        self.assertEqual([x.split(': info: ')[1][:7] for x in listed], ['part 1 ', 'part 2 '])

    def test_a_bad_include_names_its_url_once(self):
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://Bad+Bucket/x\n')
        proc = ru.run(['plan', blob], self.emu)
        self.assertEqual(self.one_error(proc, 4),
                         "part 1 line 2: s3://Bad+Bucket/x: invalid bucket name 'Bad+Bucket': "
                         "only a-z, 0-9, '.' and '-' are allowed (also A-Z and '_' in a name "
                         'from before March 2018)')

    # --- 7. no litter ---

    def test_a_dry_run_replay_leaves_no_directory_behind(self):
        tmpdir = os.path.dirname(self.path('x'))
        blob = os.path.join(self.runs, 'dry-ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/a.sh\n')
        env = dict(self.emu.env, TMPDIR=tmpdir)
        for extra in ([], ['--json']):
            proc = ru.run(['replay', blob, '--dry-run'] + extra, self.emu, env=env)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertEqual(os.listdir(tmpdir), [])
        # Nor does a replay (dry or not) whose plan fails before anything runs.
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/missing.sh\n')
        for extra in (['--dry-run'], []):
            proc = ru.run(['replay', blob] + extra, self.emu, env=env)
            self.assertEqual(proc.returncode, 4, proc.stderr)
            self.assertEqual(os.listdir(tmpdir), [])

    # --- 7. AWS_MAX_ATTEMPTS / AWS_RETRY_MODE ---

    def test_max_attempts_from_the_environment(self):
        with ru.Emulators(os.path.join(self.tmp.name, 'slow'), s3_args=['--slowdown', '100000']) \
                as slow:
            slow.put('op-bucket', 'a.sh', b'#!/bin/sh\n')
            # Without either, a throttle is retried until the deadline (at least 4 attempts
            # in 8 s); with either, the count bounds throttles too.
            for env, attempts in (({}, None), ({'AWS_MAX_ATTEMPTS': '1'}, 1),
                                  ({'AWS_RETRY_MODE': 'standard'}, 3),
                                  ({'AWS_RETRY_MODE': 'legacy', 'AWS_MAX_ATTEMPTS': '2'}, 2)):
                before = slow.stats('s3')['by_status'].get('503', 0)
                proc = ru.run(['get', 's3://op-bucket/a.sh', '-o', self.path('a.sh'),
                               '--deadline', '8'], slow, env=dict(slow.env, **env))
                self.assertEqual(proc.returncode, 4, proc.stderr)
                made = slow.stats('s3')['by_status'].get('503', 0) - before
                if attempts is None:
                    self.assertGreaterEqual(made, 4, env)
                else:
                    self.assertEqual(made, attempts, env)
            proc = ru.run(['get', 's3://op-bucket/a.sh', '-o', self.path('a.sh')], slow,
                          env=dict(slow.env, AWS_MAX_ATTEMPTS='0'))
            self.assertEqual(self.one_error(proc, 3),
                             "reading AWS configuration: invalid AWS_MAX_ATTEMPTS '0': expected a "
                             'whole number of attempts from 1 to 999')

    def test_max_attempts_and_retry_mode_from_the_profile_under_the_environment(self):
        config = self.path('aws-config')
        with open(config, 'w') as f:
            f.write('[default]\nmax_attempts = 2\n[profile legacy]\nretry_mode = legacy\n'
                    '[profile bad]\nretry_mode = fast\n')
        with ru.Emulators(os.path.join(self.tmp.name, 'slow'), s3_args=['--slowdown', '100000']) \
                as slow:
            slow.put('op-bucket', 'a.sh', b'#!/bin/sh\n')
            base = dict(slow.env, AWS_CONFIG_FILE=config)
            for env, attempts in (({}, 2), ({'AWS_PROFILE': 'legacy'}, 5),
                                  ({'AWS_MAX_ATTEMPTS': '3'}, 3),
                                  ({'AWS_PROFILE': 'legacy', 'AWS_RETRY_MODE': 'standard'}, 3)):
                before = slow.stats('s3')['by_status'].get('503', 0)
                proc = ru.run(['get', 's3://op-bucket/a.sh', '-o', self.path('a.sh')], slow,
                              env=dict(base, **env))
                self.assertEqual(proc.returncode, 4, proc.stderr)
                self.assertEqual(slow.stats('s3')['by_status'].get('503', 0) - before, attempts,
                                 env)
            proc = ru.run(['get', 's3://op-bucket/a.sh', '-o', self.path('a.sh')], slow,
                          env=dict(base, AWS_PROFILE='bad'))
            self.assertEqual(self.one_error(proc, 3),
                             "reading AWS configuration: invalid profile 'bad' retry_mode 'fast': "
                             'expected legacy, standard or adaptive')

    # --- 7. what the user data says never drives the terminal; --json always answers ---

    def test_escape_sequences_from_user_data_never_reach_output_raw(self):
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(HOSTILE_MIME)
        state = self.path('state')
        env = ru.offline_env(self.tmp.name)
        outputs = {}
        for args in (['plan', blob], ['validate', blob], ['replay', blob, '--state-dir', state],
                     ['status', '--long', '--state-dir', state]):
            proc = ru.run(args, env=env)
            self.assertEqual(proc.returncode, 0, f'{args}: {proc.stderr}')
            self.assertNotIn('\x1b', proc.stdout + proc.stderr, args)
            outputs[args[0]] = proc.stdout
        self.assertIn('text/x-\\x1b[31mevil\\x1b[0m  \\x1b[2J\\x1b[31mX', outputs['plan'])
        self.assertIn('part 1: text/x-\\x1b[31mevil\\x1b[0m \\x1b[2J\\x1b[31mX (5 bytes)',
                      outputs['validate'])
        self.assertIn('  text/x-\\x1b[31mevil\\x1b[0m, handler unhandled', outputs['status'])
        logs = glob.glob(os.path.join(state, 'instances', '*', 'logs', 'run-*.log'))
        self.assertEqual(len(logs), 1, logs)
        with open(logs[0], 'rb') as f:
            log = f.read()
        self.assertNotIn(b'\x1b', log)
        self.assertIn(b'(text/x-\\x1b[31mevil\\x1b[0m, filename \\x1b[2J\\x1b[31mX)', log)
        # JSON keeps the bytes, escaped by JSON's own rules.
        proc = ru.run(['plan', blob, '--json'], env=env)
        self.assertNotIn('\x1b', proc.stdout)
        self.assertEqual(json.loads(proc.stdout)['parts'][0]['content_type'],
                         'text/x-\x1b[31mevil\x1b[0m')

    def error_document(self, args, code, emu=None, env=None):
        """Runs args with --json: one error line on stderr, and stdout one document of the
        schema's `status` shape carrying it."""
        proc = ru.run(args + ['--json'], emu, env=env)
        line = self.one_error(proc, code)
        doc = json.loads(proc.stdout)  # raises on no document, two, or stray text
        jsonschema.validate(doc, SCHEMA)
        jsonschema.validate(doc, {'$ref': '#/$defs/status', '$defs': SCHEMA['$defs']})
        self.assertEqual((doc['format'], doc['status'], doc['error']), (1, 'error', line))
        return doc

    def test_json_commands_answer_with_one_document_when_they_fail(self):
        # stdout was empty: usage.md promises one document whatever happens.
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/no-such.sh\n')
        script = self.path('script')
        with open(script, 'wb') as f:
            f.write(b'#!/bin/sh\necho hi\n')
        link = self.path('link')
        os.symlink(self.path('elsewhere'), link)
        os.makedirs(self.path('elsewhere'))
        env = ru.offline_env(self.tmp.name)
        doc = self.error_document(['plan', blob], 4, self.emu)
        self.assertEqual(doc['state_dir'], '')
        self.assertIn('s3://op-bucket/no-such.sh', doc['error'])
        doc = self.error_document(['replay', blob, '--state-dir', self.path('st')], 4, self.emu)
        self.assertEqual(doc['state_dir'], self.path('st'))
        self.error_document(['replay', script, '--state-dir', link, '-q'], 3, env=env)
        self.error_document(['replay', self.path('missing')], 3, env=env)
        self.error_document(['run', '--user-data', script, '--state-dir', link], 3, self.emu)
        self.error_document(['validate', self.path('missing')], 3, env=env)
        doc = self.error_document(['plan', script, '--max-parallel', '0'], 2, env=env)
        self.assertEqual(doc['error'], "plan: --max-parallel: '0' is not a whole number of "
                                       "objects from 1 to 512 (see s3-user-script help plan)")
        # After -- it is an argument, not the flag.
        proc = ru.run(['replay', '--', script, '--json'], env=env)
        self.assertEqual((proc.returncode, proc.stdout), (2, ''))

    # --- 8. a bad command line is one line, exit 2, before any request ---

    def test_size_flags_out_of_range_or_zero_are_usage_errors(self):
        # 17179869184G was 0 B and 17179869185G 1 GiB; --max-total-bytes 0 refused everything
        # and --max-object-size 0 turned the limit off.
        blob = self.path('ud')
        with open(blob, 'wb') as f:
            f.write(b'#s3-include\ns3://op-bucket/a.sh\n')
        before = dict(self.emu.stats('s3')['by_request'])
        for flag in ('--max-total-bytes', '--max-object-size'):
            for value, why in (('17179869184G', 'is over the largest size, 1048576G (1 PiB)'),
                               ('17179869185G', 'is over the largest size, 1048576G (1 PiB)'),
                               ('0', 'is no size limit: the least is 1 byte (a limit cannot be '
                                     'turned off)')):
                proc = ru.run(['plan', blob, flag, value], self.emu)
                self.assertEqual(self.one_error(proc, 2), f"plan: {flag}: '{value}' {why} "
                                                          f"(see s3-user-script help plan)")
        self.assertEqual(self.emu.stats('s3')['by_request'], before)
        proc = ru.run(['plan', blob, '-q', '--max-total-bytes', '1048576G', '--max-object-size',
                       '1'], self.emu)
        self.assertIn('exceeds the size limit of 1 B', self.one_error(proc, 4))

    def test_get_with_a_bad_url_is_one_usage_error_before_any_request(self):
        # It said "fetching notaurl: ...", once per bad URL, and exited 4.
        env = dict(self.emu.env, AWS_EC2_METADATA_DISABLED='true')
        out = os.path.dirname(self.path('x'))
        before = dict(self.emu.stats('s3')['by_request'])
        cases = {('notaurl',): 'get: notaurl: names bucket "notaurl" but no object key (give '
                               's3://BUCKET/KEY)',
                 ('s3://b/k',): "get: s3://b/k: invalid bucket name 'b': must be 3-63 characters "
                                'long',
                 ('s3://op-bucket/a.sh', 'notaurl', 's3://b/k2', '-d', out):
                     'get: notaurl: names bucket "notaurl" but no object key (give '
                     's3://BUCKET/KEY)',
                 ('ftp://h/x', '-o', self.path('x')):
                     'get: ftp://h/x: unsupported URL scheme "ftp" (use s3://, an S3 ARN, '
                     'https:// or http://)'}
        for args, expected in cases.items():
            proc = ru.run(['get'] + list(args), env=env, cwd=out)
            self.assertEqual(self.one_error(proc, 2), expected)
        self.assertEqual(self.emu.stats('s3')['by_request'], before)
        self.assertEqual(os.listdir(out), [])

    def test_command_line_oddities(self):
        env = ru.offline_env(self.tmp.name)
        script = self.path('script')
        with open(script, 'wb') as f:
            f.write(b'#!/bin/sh\necho hi\n')
        cases = {
            # It said "unknown option --; did you mean -h?".
            ('replay', '--', script, '-q'):
                "replay: unexpected argument '-q' after -- (see s3-user-script help replay)",
            # An empty state dir was a temp dir (`=`, taking FILE as the dir) or the default.
            ('replay', '--state-dir=', script, '-q'):
                "replay: --state-dir: nothing after '=' (give --state-dir VALUE) (see "
                's3-user-script help replay)',
            ('replay', '--state-dir', '', script):
                'replay: --state-dir is empty: an empty value is never the default (see '
                's3-user-script help replay)',
            ('status', '--state-dir', ''):
                'status: --state-dir is empty: an empty value is never the default (see '
                's3-user-script help status)',
            # It read the instance's user data from IMDS.
            ('replay', ''):
                'replay: FILE is empty: an empty value is never the default (see '
                's3-user-script help replay)',
            # It turned signature checks off: the unsigned object ran.
            ('replay', script, '--allowed-signers', ''):
                'replay: --allowed-signers is empty: an empty value is never the default (see '
                's3-user-script help replay)',
        }
        for args, expected in cases.items():
            proc = ru.run(list(args), env=env)
            self.assertEqual(self.one_error(proc, 2), expected)
            self.assertEqual(proc.stdout, '')
        # replay --help said /etc/cloud/cloud.cfg.d, where replay never writes.
        help_text = ru.run(['replay', '--help'], env=env).stdout
        self.assertIn('(default <state dir>/cloud.cfg.d)', help_text)
        self.assertNotIn('/etc/cloud', help_text)
        self.assertIn('(default /etc/cloud/cloud.cfg.d)', ru.run(['run', '--help'], env=env).stdout)
        # The man page's --max-parallel range is the binary's.
        said = self.one_error(ru.run(['plan', script, '--max-parallel', '0'], env=env), 2)
        accepted = re.search(r'from (\d+) to (\d+)', said).groups()
        with open(os.path.join(ru.SOURCE_DIR, 'packaging', 's3-user-script.1'),
                  encoding='utf-8') as f:
            man = f.read()
        self.assertIn('Objects fetched at once (%s to %s, default 16).' % accepted, man)


if __name__ == '__main__':
    ru.main()
