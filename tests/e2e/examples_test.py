#!/usr/bin/python3
"""Every file in examples/ replayed (and planned) against the loopback emulators serving
examples/s3, as scripts/demo.sh does: what ran, in what order, exit codes, report.json."""

import email
import glob
import gzip
import hashlib
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

S3_DIR = os.path.join(ru.EXAMPLES, 's3')
EXAMPLE_FILES = ['01-s3-include.txt', '02-mixed-mime.txt', '03-nested.txt', '04-pinned.txt',
                 '05-predecessor.sh']


def load_objects(emu):
    for bucket in sorted(os.listdir(S3_DIR)):
        bdir = os.path.join(S3_DIR, bucket)
        if not os.path.isdir(bdir):
            continue
        for dirpath, _, files in os.walk(bdir):
            for name in files:
                path = os.path.join(dirpath, name)
                with open(path, 'rb') as f:
                    emu.put(bucket, os.path.relpath(path, bdir), f.read())


class Examples(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        load_objects(emu)

    def replay(self, name, *extra, env=None):
        state = os.path.join(self.runs, self._testMethodName)
        cc = os.path.join(self.runs, self._testMethodName + '-cloud.cfg.d')
        proc = ru.run(['replay', os.path.join(ru.EXAMPLES, name), '--state-dir', state,
                       '--cloud-config-dir', cc] + list(extra), self.emu, env=env)
        return proc, state, cc

    def trail(self, state):
        return ru.read(os.path.join(state, 'demo', 'trail.log')).splitlines()

    def assert_all_ok(self, proc, report, count):
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(report['status'], 'ok')
        self.assertEqual(report['totals']['parts'], count)
        self.assertEqual(report['totals']['ok'], count)
        self.assertEqual(report['instance_id'], ru.INSTANCE_ID)
        for p in report['parts']:
            if p['handler'] != 'cloud-config':  # cloud-config is written, not run
                self.assertEqual(p['exit_status'], 0, p)

    def test_every_example_plans_and_is_in_the_readme(self):
        readme = ru.read(os.path.join(ru.EXAMPLES, 'README.md'))
        found = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ru.EXAMPLES, '0*')))
        self.assertEqual(found, EXAMPLE_FILES)
        for name in EXAMPLE_FILES:
            self.assertIn(name, readme)
            with open(os.path.join(ru.EXAMPLES, name), encoding='utf-8') as f:
                head = f.read(400)
            self.assertIn(f'Example {name[1]}', head, f'{name} opens with what it shows')
            proc = ru.run(['plan', os.path.join(ru.EXAMPLES, name)], self.emu)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn('handler shell-script', proc.stdout)

    def test_01_pure_include_runs_three_objects_in_line_order(self):
        proc, state, _ = self.replay('01-s3-include.txt')
        report = ru.load_report(state)
        self.assert_all_ok(proc, report, 3)
        self.assertEqual([p['source']['url'] for p in report['parts']],
                         ['s3://demo-bucket/common/base.sh',
                          'arn:aws:s3:::demo-bucket/common/motd.sh',
                          's3://demo-bucket/web-role/user-script'])
        self.assertEqual([p['source']['key'] for p in report['parts']],
                         ['common/base.sh', 'common/motd.sh', 'web-role/user-script'])
        self.assertEqual(self.trail(state), [
            f'base.sh (part 1 of 3) on {ru.INSTANCE_ID} in us-east-1',
            'motd.sh wrote motd', 'web-role/user-script wrote web.conf'])
        self.assertEqual(ru.read(os.path.join(state, 'demo', 'motd')),
                         f'Welcome to {ru.INSTANCE_ID}, fetched from '
                         'arn:aws:s3:::demo-bucket/common/motd.sh\n')
        self.assertIn('base: would run: apt-get install -y nginx jq', proc.stdout)
        self.assertEqual(ru.mode_of(os.path.join(state, 'report.json')), 0o600)

    def test_02_mixed_mime_runs_boothook_first_and_passes_cloud_config_through(self):
        proc, state, cc = self.replay('02-mixed-mime.txt')
        report = ru.load_report(state)
        self.assert_all_ok(proc, report, 4)
        self.assertEqual(ru.outcomes(report), [(2, 'ok'), (1, 'ok'), (3, 'ok'), (4, 'ok')])
        self.assertEqual([p['handler'] for p in report['parts']],
                         ['cloud-config', 'boothook', 'shell-script', 'shell-script'])
        self.assertEqual(report['parts'][3]['source']['url'], 's3://demo-bucket/app/configure.sh')
        self.assertEqual(self.trail(state), [f'boothook early.sh on {ru.INSTANCE_ID}',
                                             'hostname.sh', 'configure.sh wrote app.env'])
        self.assertEqual(ru.read(os.path.join(state, 'demo', 'app.env')),
                         f'APP_PORT=8080\nAPP_INSTANCE={ru.INSTANCE_ID}\n')
        with open(os.path.join(ru.EXAMPLES, '02-mixed-mime.txt'), 'rb') as f:
            msg = email.message_from_bytes(f.read())
        cloud = [p for p in msg.walk() if p.get_content_type() == 'text/cloud-config'][0]
        self.assertEqual(os.listdir(cc), ['90-s3-user-script-001.cfg'])
        with open(os.path.join(cc, '90-s3-user-script-001.cfg'), 'rb') as f:
            self.assertEqual(f.read(), cloud.get_payload(decode=True))

    def test_03_nested_includes_and_gzip_run_in_document_order(self):
        proc, state, _ = self.replay('03-nested.txt')
        report = ru.load_report(state)
        self.assert_all_ok(proc, report, 3)
        self.assertEqual(self.trail(state), [
            'users.sh from s3://demo-bucket/nested/bundle.mime', "cleanup.sh (was gzip'd)",
            'tail.sh'])
        gz = report['parts'][1]
        self.assertEqual([(o['part'], o['line'], o['url']) for o in gz['origin']],
                         [(1, 6, 's3://demo-bucket/nested/bundle.mime'),
                          (2, 2, 's3://demo-bucket/nested/cleanup.sh.gz')])
        with open(os.path.join(S3_DIR, 'demo-bucket/nested/cleanup.sh.gz'), 'rb') as f:
            stored = f.read()
        self.assertEqual(gz['source']['sha256'], hashlib.sha256(stored).hexdigest())
        self.assertEqual(gz['sha256'], hashlib.sha256(gzip.decompress(stored)).hexdigest())
        self.assertIn('cleanup.sh: would run: apt-get clean', proc.stdout)

    def test_03_fixture_script_regenerates_the_committed_gzip(self):
        out = os.path.join(self.tmp.name, 'fixtures')
        subprocess.run(['sh', os.path.join(S3_DIR, 'make_fixtures.sh'), out], check=True,
                       timeout=30)
        with open(os.path.join(out, 'demo-bucket/nested/cleanup.sh.gz'), 'rb') as f:
            made = gzip.decompress(f.read())
        with open(os.path.join(S3_DIR, 'demo-bucket/nested/cleanup.sh.gz'), 'rb') as f:
            committed = gzip.decompress(f.read())
        self.assertEqual(made, committed)

    def test_04_pin_matches_the_committed_object_and_a_wrong_pin_runs_nothing(self):
        with open(os.path.join(S3_DIR, 'demo-bucket/releases/app-1.2.3.sh'), 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        text = ru.read(os.path.join(ru.EXAMPLES, '04-pinned.txt'))
        self.assertIn(f'sha256={digest}', text)
        proc, state, _ = self.replay('04-pinned.txt')
        report = ru.load_report(state)
        self.assert_all_ok(proc, report, 1)
        self.assertIn('sha256 pin', report['parts'][0]['source']['verified_by'])
        self.assertEqual(ru.read(os.path.join(state, 'demo', 'app-version')), '1.2.3\n')

        wrong = os.path.join(self.tmp.name, 'wrong-pin.txt')
        with open(wrong, 'w', encoding='utf-8') as f:
            f.write(text.replace(digest, '0' * 64))
        bad_state = os.path.join(self.runs, 'wrong-pin')
        proc = ru.run(['replay', wrong, '--state-dir', bad_state], self.emu)
        self.assertEqual(proc.returncode, 4, proc.stderr)
        self.assertRegex(proc.stderr, r's3-user-script: error: .*sha256')
        # Nothing ran; the report says so (`status` shows this failure, not an older run).
        report = ru.load_report(bad_state)
        self.assertEqual((report['status'], report['parts']), ('failed', []))
        self.assertIn('sha256', report['error'])
        self.assertFalse(os.path.exists(os.path.join(bad_state, 'demo')))

    def test_05_predecessor_script_execs_legacy_mode_found_through_path(self):
        # PATH without the build directory: the executor puts the binary's directory first.
        work_tmp = os.path.join(self.runs, 'legacy-tmp')
        os.makedirs(work_tmp)
        env = dict(self.emu.env, PATH='/usr/bin:/bin', TMPDIR=work_tmp)
        proc, state, _ = self.replay('05-predecessor.sh', env=env)
        report = ru.load_report(state)
        self.assert_all_ok(proc, report, 1)
        self.assertEqual(report['parts'][0]['content_type'], 'text/x-shellscript')
        self.assertIsNone(report['parts'][0]['source'])
        self.assertIn('web-role/user-script: configuring the web tier', proc.stdout)
        confs = glob.glob(os.path.join(work_tmp, 's3-user-script-replay-*', 'demo', 'web.conf'))
        self.assertEqual(len(confs), 1, os.listdir(work_tmp))
        self.assertEqual(ru.read(confs[0]), f'listen 8080\nserver_name {ru.INSTANCE_ID}\n')
        log = ru.read(report['log_path'])
        self.assertIn('web-role/user-script: configuring the web tier', log)
        self.assertTrue(re.search(r'exited with status 0', log))


if __name__ == '__main__':
    ru.main()
