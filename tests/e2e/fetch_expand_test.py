#!/usr/bin/python3
"""End-to-end: #s3-include expansion through the real binary against the loopback emulators
(issue 6). Nested includes (MIME, gzip, multipart with more includes), role-default keys,
sha256 pins, versions, cycles, missing and damaged objects, and one-level parallelism."""

import json
import os
import re

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, E2ETest, gz, mime, sha256

FIRST = b'#!/bin/sh\necho first\n'
M1 = '#!/bin/sh\necho m1\n'
ONE = b'#!/bin/bash\necho one\n'
TWO = b'#cloud-config\nruncmd: [[touch, /tmp/two]]\n'
CLOUD_CONFIG = '#cloud-config\npackages: [jq]\n'
LAST = '#!/bin/sh\necho last\n'


def nested_user_data():
    return mime([('text/cloud-config', 'cc.yaml', CLOUD_CONFIG),
                 ('text/x-s3-include', 'inc.txt',
                  's3://bkt/gz/first.sh.gz\ns3://bkt/nested/multi.mime\n'),
                 ('text/x-shellscript', 'last.sh', LAST)], 'OUTER-BOUNDARY')


def nested_multipart():
    return mime([('text/x-shellscript', 'm1.sh', M1),
                 ('text/x-s3-include', None,
                  '#s3-include\ns3://bkt/leaf/one.sh\n# a comment\ns3://bkt/leaf/two.yaml\n')],
                'INNER-BOUNDARY')


def payload(text):
    # A MIME part's payload is its body without the line break before the boundary.
    return text.encode()


class NestedTest(E2ETest):
    def put_nested(self, emu):
        emu.put('bkt', 'gz/first.sh.gz', gz(FIRST))
        emu.put('bkt', 'nested/multi.mime', nested_multipart())
        emu.put('bkt', 'leaf/one.sh', ONE)
        emu.put('bkt', 'leaf/two.yaml', TWO)

    def test_nested_includes_give_the_expected_plan(self):
        with self.emulators(user_data=nested_user_data()) as emu:
            self.put_nested(emu)
            run = self.run_bin(emu, ['plan', '--json'])
            self.assertEqual(run.code, EXIT_OK, run)
            plan = json.loads(run.stdout)
            multi = 's3://bkt/nested/multi.mime'
            expected = [
                # (content type, filename, source url, sha256, origin urls)
                ('text/cloud-config', 'cc.yaml', None, sha256(payload(CLOUD_CONFIG)), []),
                ('text/x-shellscript', 'first.sh.gz', 's3://bkt/gz/first.sh.gz', sha256(FIRST),
                 ['s3://bkt/gz/first.sh.gz']),
                ('text/x-shellscript', 'm1.sh', multi, sha256(payload(M1)), [multi]),
                ('text/x-shellscript', 'one.sh', 's3://bkt/leaf/one.sh', sha256(ONE),
                 [multi, 's3://bkt/leaf/one.sh']),
                ('text/cloud-config', 'two.yaml', 's3://bkt/leaf/two.yaml', sha256(TWO),
                 [multi, 's3://bkt/leaf/two.yaml']),
                ('text/x-shellscript', 'last.sh', None, sha256(payload(LAST)), []),
            ]
            got = [(p['content_type'], p['filename'], p['source'] and p['source']['url'],
                    p['sha256'], [o['url'] for o in p['origin']]) for p in plan['parts']]
            self.assertEqual(got, expected)
            self.assertEqual([p['index'] for p in plan['parts']], [1, 2, 3, 4, 5, 6])
            self.assertEqual(plan['run_order'], [1, 2, 3, 4, 5, 6])
            self.assertEqual(plan['objects_fetched'], 4)
            # Include lines are counted as in the documents: the second URL of the outer
            # list, the fourth line of the inner #s3-include (after a comment).
            self.assertEqual([(o['part'], o['line']) for o in plan['parts'][4]['origin']],
                             [(2, 2), (2, 4)])
            for p in plan['parts'][1:5]:
                self.assertEqual(p['source']['bucket'], 'bkt')
                self.assertEqual(p['source']['region'], 'us-east-1')
                self.assertIn('content-length', p['source']['verified_by'])
            self.assertEqual(emu.stats('s3')['by_status'], {'200': 4})

            text = self.run_bin(emu, ['plan'])
            self.assertEqual(text.code, EXIT_OK, text)
            self.assertTrue(text.out.startswith('6 parts, 4 objects fetched'), text)
            # Include positions name their document; the parts they became, the plan's numbers.
            self.assertIn('include at line 2 of part 2 of the user data: '
                          's3://bkt/nested/multi.mime (parts 3-5)', text.out)

    def test_replay_dry_run_of_the_saved_blob_plans_the_same_parts(self):
        with self.emulators() as emu:
            self.put_nested(emu)
            blob = self.write('saved-user-data', nested_user_data())
            state = os.path.join(self.tmp, 'state')
            run = self.run_bin(emu, ['replay', '--dry-run', '--state-dir', state, blob])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertTrue(run.out.startswith('6 parts, 4 objects fetched'), run)
            for name in ('cc.yaml', 'first.sh.gz', 'm1.sh', 'one.sh', 'two.yaml', 'last.sh'):
                self.assertIn(name, run.out)
            self.assertEqual(emu.stats('s3')['by_status'], {'200': 4})


class KeyTest(E2ETest):
    ROLE_SCRIPT = b'#!/bin/sh\necho role default\n'
    BOOT = b'#!/bin/sh\necho boot\n'

    def plan_parts(self, emu, blob_text, *flags):
        blob = self.write('ud', blob_text)
        run = self.run_bin(emu, ['plan', '--json', blob] + list(flags))
        self.assertEqual(run.code, EXIT_OK, run)
        return json.loads(run.stdout)['parts']

    def test_bucket_only_line_takes_the_role_default_key(self):
        with self.emulators() as emu:
            emu.put('bkt', 'web-role/user-script', self.ROLE_SCRIPT)
            emu.put('bkt', 'web-role/boot.sh', self.BOOT)
            emu.put('bkt', 'admin/user-script', b'#!/bin/sh\necho admin\n')
            parts = self.plan_parts(emu, b'#s3-include\ns3://bkt\n')
            self.assertEqual([(p['source']['key'], p['sha256']) for p in parts],
                             [('web-role/user-script', sha256(self.ROLE_SCRIPT))])
            parts = self.plan_parts(emu, b'#s3-include\ns3://bkt/\n',
                                    '--key-template', '{{.Role}}/boot.sh')
            self.assertEqual([(p['source']['key'], p['sha256']) for p in parts],
                             [('web-role/boot.sh', sha256(self.BOOT))])
            parts = self.plan_parts(emu, b'#s3-include\ns3://bkt\n', '--role', 'admin')
            self.assertEqual([p['source']['key'] for p in parts], ['admin/user-script'])
            self.assertEqual(emu.stats('s3')['by_request'],
                             {'GET /bkt/web-role/user-script': 1, 'GET /bkt/web-role/boot.sh': 1,
                              'GET /bkt/admin/user-script': 1})

    def test_sha256_pin_accepts_the_object_and_rejects_another(self):
        with self.emulators() as emu:
            emu.put('bkt', 'pinned.sh', self.BOOT)
            good = sha256(self.BOOT)
            parts = self.plan_parts(emu, f'#s3-include\ns3://bkt/pinned.sh sha256={good}\n'
                                    .encode())
            self.assertEqual([p['sha256'] for p in parts], [good])
            self.assertIn('sha256', parts[0]['source']['verified_by'])

            wrong = sha256(b'something else')
            blob = self.write('ud', f'#s3-include\ns3://bkt/pinned.sh sha256={wrong}\n'.encode())
            for flags in ([], ['--json']):
                run = self.run_bin(emu, ['plan', blob] + flags)
                self.assert_one_error(run, EXIT_FETCH, 's3://bkt/pinned.sh', 'sha256 mismatch',
                                      'expected ' + wrong, good)
                self.assert_no_plan(run)

    def test_version_id_selects_an_older_version(self):
        old, new = b'#!/bin/sh\necho v1\n', b'#!/bin/sh\necho v2\n'
        with self.emulators() as emu:
            v1 = emu.put('bkt', 'ver.sh', old, version_id='3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrH')
            emu.put('bkt', 'ver.sh', new, version_id='UIORUnfndfhnw89493jJFJ.xx.xxxxxx')
            parts = self.plan_parts(
                emu, f'#s3-include\ns3://bkt/ver.sh?versionId={v1["version_id"]}\n'.encode())
            self.assertEqual([(p['sha256'], p['source']['version_id']) for p in parts],
                             [(sha256(old), v1['version_id'])])
            parts = self.plan_parts(emu, b'#s3-include\ns3://bkt/ver.sh\n')
            self.assertEqual([p['sha256'] for p in parts], [sha256(new)])


class FailureTest(E2ETest):
    def test_include_cycle_is_one_line_naming_the_chain(self):
        with self.emulators() as emu:
            emu.put('bkt', 'cyc/a', b'#s3-include\ns3://bkt/cyc/b\n')
            emu.put('bkt', 'cyc/b', b'#s3-include\n\ns3://bkt/cyc/a\n')
            blob = self.write('ud', b'#s3-include\ns3://bkt/cyc/a\n')
            run = self.run_bin(emu, ['plan', '--json', blob])
            self.assert_one_error(
                run, EXIT_FETCH, 'include cycle: part 1 line 2 \u2192 s3://bkt/cyc/a line 2 '
                '\u2192 s3://bkt/cyc/b line 3 \u2192 s3://bkt/cyc/a')
            self.assert_no_plan(run)

    def test_missing_key_is_one_line_and_no_plan(self):
        with self.emulators() as emu:
            emu.put('bkt', 'present.sh', b'#!/bin/sh\necho here\n')
            blob = self.write('ud', b'#s3-include\ns3://bkt/present.sh\ns3://bkt/absent.sh\n')
            for flags in ([], ['--json']):
                run = self.run_bin(emu, ['plan', blob] + flags)
                line = self.assert_one_error(run, EXIT_FETCH, 'part 1 line 3',
                                             's3://bkt/absent.sh', 'NoSuchKey')
                self.assertNotIn('present.sh', line)
                self.assert_no_plan(run)
            self.assertEqual(emu.stats('s3')['error:NoSuchKey'], 2)

    def test_transfer_cut_every_time_fails_with_a_clear_line(self):
        with self.emulators(s3_args=['--reset-mid-body', '20']) as emu:
            emu.put('bkt', 'big.sh', b'#!/bin/sh\n' + b'#' * 300000 + b'\n')
            blob = self.write('ud', b'#s3-include\ns3://bkt/big.sh\n')
            run = self.run_bin(emu, ['plan', blob])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/big.sh', 'giving up after',
                                  'connection reset')
            self.assert_no_plan(run)
            s3 = emu.stats('s3')
            self.assertGreaterEqual(s3['resets'], 2)
            self.assertEqual(s3['resets'], s3['by_request']['GET /bkt/big.sh'])

    def test_corrupted_object_is_an_integrity_failure(self):
        with self.emulators(s3_args=['--corrupt', 'bad.sh']) as emu:
            emu.put('bkt', 'bad.sh', b'#!/bin/sh\necho flipped\n' * 10)
            blob = self.write('ud', b'#s3-include\ns3://bkt/bad.sh\n')
            run = self.run_bin(emu, ['plan', '--json', blob])
            self.assert_one_error(run, EXIT_FETCH, 's3://bkt/bad.sh', 'mismatch')
            self.assert_no_plan(run)
            self.assertEqual(emu.stats('s3')['by_status'], {'200': 1})


    def test_every_s3_checksum_algorithm_is_evidence_and_catches_a_flipped_bit(self):
        # S3 declares CRC64NVME by default for new objects; the emulator computes each
        # algorithm in Python, independently of the client's implementation.
        body = b'#!/bin/sh\necho checked\n' * 40
        for algorithm in ('crc64nvme', 'crc32c', 'sha1', 'crc32', 'sha256'):
            with self.subTest(algorithm=algorithm), self.emulators(
                    s3_args=['--checksum-algorithm', algorithm, '--corrupt', 'bad.sh']) as emu:
                emu.put('bkt', 'good.sh', body)
                emu.put('bkt', 'bad.sh', body)
                good = self.run_bin(emu, ['plan', '--json', self.write(
                    'good', b'#s3-include\ns3://bkt/good.sh\n')])
                self.assertEqual(good.code, EXIT_OK, good)
                source = json.loads(good.stdout)['parts'][0]['source']
                self.assertEqual(source['verified_by'],
                                 f'content-length, x-amz-checksum-{algorithm}')
                bad = self.run_bin(emu, ['plan', self.write(
                    'bad', b'#s3-include\ns3://bkt/bad.sh\n')])
                self.assert_one_error(bad, EXIT_FETCH, 's3://bkt/bad.sh', 'mismatch',
                                      f'x-amz-checksum-{algorithm}')


class ParallelTest(E2ETest):
    def test_32_includes_at_one_level_are_fetched_concurrently(self):
        n = 32
        # The first 8 GETs are answered once all 8 are in flight: a loaded 2-core box may
        # stagger the starts past the 20 ms each takes; a binary that fetched fewer than 8 at
        # a time would hold the first for 10 s and show fewer.
        with self.emulators(latency_ms=20, s3_args=['--hold-first', '8']) as emu:
            for i in range(n):
                emu.put('bkt', f'many/{i:02}.sh', f'#!/bin/sh\necho {i}\n'.encode())
            blob = self.write('ud', ('#s3-include\n' + ''.join(
                f's3://bkt/many/{i:02}.sh\n' for i in range(n))).encode())
            run = self.run_bin(emu, ['plan', '-v', '--json', blob])
            self.assertEqual(run.code, EXIT_OK, run)
            plan = json.loads(run.stdout)
            self.assertEqual([p['source']['key'] for p in plan['parts']],
                             [f'many/{i:02}.sh' for i in range(n)])
            s3 = emu.stats('s3')
            self.assertEqual(s3['by_status'], {'200': n})
            self.assertGreaterEqual(s3['max_in_flight'], 8)
            self.timing(f'plan of {n} includes at 20 ms latency (default --max-parallel), '
                        f'whole process', run.seconds)
            self.timing('of which expansion (fetches)', fetch_ms(run) / 1000)
            serial = self.run_bin(emu, ['plan', '-v', '--json', '--max-parallel', '1', blob])
            self.assertEqual(serial.code, EXIT_OK, serial)
            self.assertEqual(json.loads(serial.stdout)['parts'], plan['parts'])
            self.timing(f'plan of {n} includes at 20 ms latency with --max-parallel 1, '
                        f'whole process', serial.seconds)
            self.timing('of which expansion (fetches)', fetch_ms(serial) / 1000)


def fetch_ms(run):
    """The expansion time the binary logs at -v ("plan: … in N ms")."""
    match = re.search(r'info: plan: \d+ parts, \d+ objects fetched \(\d+ bytes\) in (\d+) ms',
                      run.err)
    if not match:
        raise AssertionError(f'no plan timing in {run!r}')
    return int(match.group(1))


if __name__ == '__main__':
    e2e_util.main()
