#!/usr/bin/python3
"""Issue 17: with --json, stdout is exactly one JSON document, and it matches the published
schema (docs/json-schema.json) for every command: plan, run, run --dry-run, replay,
replay --dry-run, status (after a run and before any), validate."""

import json
import os
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

with open(os.path.join(ru.SOURCE_DIR, 'docs', 'json-schema.json'), encoding='utf-8') as f:
    SCHEMA = json.load(f)

NOISY = b'#!/bin/sh\necho "script stdout"\necho "script stderr" >&2\n'
BLOB = ru.mime([
    ('text/x-shellscript', 'local.sh', NOISY),
    ('text/x-s3-include', 'more', b'#s3-include\ns3://json-bucket/a.sh\n'),
    ('text/cloud-config', 'c.cfg', b'#cloud-config\nhostname: json\n'),
])


class JsonOutput(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        emu.put('json-bucket', 'a.sh', NOISY)
        cls.blob = os.path.join(cls.runs, 'user-data.mime')
        with open(cls.blob, 'wb') as f:
            f.write(BLOB)

    def state(self):
        return os.path.join(self.runs, self._testMethodName, 'state')

    def document(self, args, shape, code=0, env=None):
        """Runs args; asserts the exit code and that stdout is one JSON document of `shape`."""
        proc = ru.run(args + ['--json'], self.emu, env=env)
        self.assertEqual(proc.returncode, code, f'{args}: {proc.stderr}')
        doc = json.loads(proc.stdout)  # raises on two documents or stray text
        jsonschema.validate(doc, SCHEMA)
        jsonschema.validate(doc, {'$ref': f'#/$defs/{shape}', '$defs': SCHEMA['$defs']})
        return doc, proc

    def test_plan_and_dry_runs_print_one_document(self):
        doc, _ = self.document(['plan', self.blob], 'plan')
        self.assertEqual(len(doc['parts']), 3)
        doc, _ = self.document(['run', '--dry-run', '--user-data', self.blob, '--state-dir',
                                self.state()], 'plan')
        self.assertEqual(len(doc['parts']), 3)
        doc, proc = self.document(['replay', self.blob, '--dry-run', '--state-dir', self.state()],
                                  'report')
        self.assertTrue(doc['dry_run'])
        self.assertEqual([p['outcome'] for p in doc['parts']], ['dry-run'] * 3)
        self.assertNotIn('script stdout', proc.stdout + proc.stderr)

    def test_scripts_output_goes_to_stderr_not_into_the_document(self):
        doc, proc = self.document(['replay', self.blob, '--state-dir', self.state()], 'report')
        self.assertEqual(doc['status'], 'ok')
        self.assertEqual(proc.stderr.count('script stdout\n'), 2)
        self.assertEqual(proc.stderr.count('script stderr\n'), 2)
        with open(doc['log_path'], encoding='utf-8') as f:
            self.assertEqual(f.read().count('script stdout'), 2)
        doc, _ = self.document(['run', '--user-data', self.blob, '--state-dir', self.state(),
                                '--cloud-config-dir', self.state() + '-cfg', '--force'], 'report')
        self.assertEqual(doc['totals']['ok'], 3)

    def test_validate_prints_one_document(self):
        doc, _ = self.document(['validate', self.blob], 'validation')
        self.assertEqual((doc['valid'], len(doc['parts'])), (True, 3))
        bad = os.path.join(self.runs, 'bad.cfg')
        with open(bad, 'wb') as f:
            f.write(b'#cloud-config\npackages: [jq\n')
        doc, _ = self.document(['validate', bad], 'validation', code=4)
        self.assertEqual(doc['problems'][0]['line'], 3)
        doc, _ = self.document(['plan', '--offline', bad], 'validation', code=4)

    def test_status_always_answers(self):
        doc, _ = self.document(['status', '--state-dir', self.state()], 'status', code=3)
        self.assertEqual(doc, {'format': 1, 'status': 'not run', 'state_dir': self.state()})
        self.document(['replay', self.blob, '--state-dir', self.state()], 'report')
        doc, _ = self.document(['status', '--state-dir', self.state()], 'report')
        self.assertEqual(doc['status'], 'ok')


if __name__ == '__main__':
    ru.main()
