"""#include-once bodies are cached per instance, so a later run works even when the URL no
longer serves them (pre-signed URLs expire), as cloud-init documents (issue 6)."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.environ['S3US_SOURCE_DIR'], 'scripts/emulators'))
from harness import Emulators, assert_no_secrets  # noqa: E402

BINARY = sys.argv[1] if len(sys.argv) > 1 else 'build/s3-user-script'


class IncludeOnce(unittest.TestCase):
    def test_second_run_uses_the_cached_body_and_does_not_fetch(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, s3_args=['--unsigned-prefix', 'public/']) as emu:
            out = os.path.join(tmp, 'out.txt')
            emu.put('web', 'public/step.sh', f'#!/bin/sh\necho v1 >> {out}\n'.encode())
            url = f'{emu.s3_url}/web/public/step.sh?X-Amz-Expires=60'
            blob = os.path.join(tmp, 'user-data')
            with open(blob, 'w') as f:
                f.write(f'#include-once\n{url}\n')
            state = os.path.join(tmp, 'state')
            cmd = [BINARY, 'replay', blob, '--state-dir', state, '--force']

            first = subprocess.run(cmd, env=emu.env, capture_output=True, text=True)
            self.assertEqual(first.returncode, 0, first.stderr)
            fetched = emu.stats('s3')['total']

            # The object changes (or the pre-signed URL expires): the cached body still runs.
            emu.put('web', 'public/step.sh', f'#!/bin/sh\necho v2 >> {out}\n'.encode())
            second = subprocess.run(cmd, env=emu.env, capture_output=True, text=True)
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertEqual(emu.stats('s3')['total'], fetched)
            with open(out) as f:
                self.assertEqual(f.read(), 'v1\nv1\n')

            cache = [os.path.join(dp, n) for dp, _, names in os.walk(state) for n in names
                     if 'include-once' in dp]
            self.assertEqual(len(cache), 1, cache)
            self.assertEqual(os.stat(cache[0]).st_mode & 0o777, 0o600)
            for proc in (first, second):
                assert_no_secrets(proc.stdout + proc.stderr, emu)

    def test_a_dry_run_shows_the_cached_body_and_writes_nothing(self):
        # A dry run ignored the cache: it showed the object S3 now holds, while the real run
        # ran the cached body (and failed on a deleted object the real run would not fetch).
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, s3_args=['--unsigned-prefix', 'public/']) as emu:
            v1 = b'#!/bin/sh\necho v1\n'
            emu.put('web', 'public/step.sh', v1)
            blob = os.path.join(tmp, 'user-data')
            with open(blob, 'w') as f:
                f.write(f'#include-once\n{emu.s3_url}/web/public/step.sh\n')
            state = os.path.join(tmp, 'state')
            cmd = [BINARY, 'replay', blob, '--state-dir', state]
            first = subprocess.run(cmd, env=emu.env, capture_output=True, text=True)
            self.assertEqual(first.returncode, 0, first.stderr)

            def cache_files():
                return sorted((os.path.join(dp, n), os.stat(os.path.join(dp, n)).st_mtime_ns)
                              for dp, _, names in os.walk(state) for n in names
                              if 'include-once' in dp)
            kept = cache_files()
            emu.put('web', 'public/step.sh', b'#!/bin/sh\necho v2\n')
            fetched = emu.stats('s3')['total']
            dry = subprocess.run(cmd + ['--dry-run', '--json', '--force'], env=emu.env,
                                 capture_output=True, text=True)
            self.assertEqual(dry.returncode, 0, dry.stderr)
            [part] = json.loads(dry.stdout)['parts']
            self.assertEqual(part['sha256'], hashlib.sha256(v1).hexdigest())
            self.assertEqual(emu.stats('s3')['total'], fetched)  # read from the cache
            self.assertEqual(cache_files(), kept)  # and nothing written to it

    def test_a_body_that_failed_its_plan_is_fetched_again(self):
        # Kept, it failed every later boot with the same line although S3 held a fixed one.
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, s3_args=['--unsigned-prefix', 'public/']) as emu:
            emu.put('web', 'public/cfg', b'#cloud-config\npackages: [jq\n')
            url = f'{emu.s3_url}/web/public/cfg'
            blob = os.path.join(tmp, 'user-data')
            with open(blob, 'w') as f:
                f.write(f'#include-once\n{url}\n')
            state = os.path.join(tmp, 'state')
            cmd = [BINARY, 'replay', blob, '--state-dir', state,
                   '--cloud-config-dir', os.path.join(tmp, 'cfg')]
            first = subprocess.run(cmd, env=emu.env, capture_output=True, text=True)
            self.assertEqual(first.returncode, 4, first.stderr)
            self.assertIn('invalid YAML', first.stderr)

            emu.put('web', 'public/cfg', b'#cloud-config\npackages: [jq]\n')
            second = subprocess.run(cmd, env=emu.env, capture_output=True, text=True)
            self.assertEqual(second.returncode, 0, second.stderr)
            self.assertEqual(emu.stats('s3')['by_request']['GET /web/public/cfg'], 2)
            left = [n for _, _, names in os.walk(state) for n in names if n.endswith('.staged')]
            self.assertEqual(left, [])

    def test_once_is_decided_line_by_line_as_cloud_init_does(self):
        # An "#include" line turns once off inside an #include-once part, and on the other way.
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, s3_args=['--unsigned-prefix', 'public/']) as emu:
            emu.put('web', 'public/a', b'#!/bin/sh\n')
            emu.put('web', 'public/b', b'#!/bin/sh\n')
            blob = os.path.join(tmp, 'user-data')
            with open(blob, 'w') as f:
                f.write(f'#include-once\n#include {emu.s3_url}/web/public/a\n'
                        f'#include-once {emu.s3_url}/web/public/b\n')
            cmd = [BINARY, 'replay', blob, '--state-dir', os.path.join(tmp, 'state')]
            for _ in range(2):
                run = subprocess.run(cmd, env=emu.env, capture_output=True, text=True)
                self.assertEqual(run.returncode, 0, run.stderr)
            by_request = emu.stats('s3')['by_request']
            self.assertEqual((by_request['GET /web/public/a'], by_request['GET /web/public/b']),
                             (2, 1))


if __name__ == '__main__':
    unittest.main(argv=[sys.argv[0], '-v'])
