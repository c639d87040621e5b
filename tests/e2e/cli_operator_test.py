#!/usr/bin/python3
"""Issue 17: the operator interface of the real binary: one exit-code table and one error
printer, parse errors people understand, get -d all-or-nothing, status --wait/--long, and the
offline validate."""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

PREFIX = 's3-user-script: error: '


class Operator(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        emu.put('op-bucket', 'a.sh', b'#!/bin/sh\necho a\n')
        emu.put('op-bucket', 'dir1/same.sh', b'#!/bin/sh\necho one\n')
        emu.put('op-bucket', 'dir2/same.sh', b'#!/bin/sh\necho two\n')

    def path(self, *names):
        p = os.path.join(self.runs, self._testMethodName, *names)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        return p

    def one_error(self, proc, code):
        self.assertEqual(proc.returncode, code, proc.stderr)
        lines = proc.stderr.splitlines()
        self.assertEqual(len(lines), 1, proc.stderr)
        self.assertTrue(lines[0].startswith(PREFIX), lines[0])
        return lines[0][len(PREFIX):]

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


if __name__ == '__main__':
    ru.main()
