#!/usr/bin/python3
"""End-to-end: #s3-include lines name S3 keys exactly as written (issue 18). The line is the
URL; only trailing `sha256=<hex>` tokens are options. Each character class (spaces, '+', '%',
'=', '&', '~', '?', '#', unicode, '//', './', '..') fetched exactly as written in s3:// and
arn: forms, percent-encoded in https forms; decoys sit where a decoded, normalised or
truncated spelling would land. The emulator checks every signature with botocore."""

import json
import os
from urllib.parse import quote

import e2e_util
from e2e_util import EXIT_FETCH, EXIT_OK, E2ETest, sha256

KEYS = [
    'dir/with space.sh',
    'two  spaces and\u00a0nbsp.sh',
    'plus+sign.txt',
    'pct%41%2F.txt',
    'k=v&w=z',
    'tilde~home.txt',
    '\u00fcn\u00efc\u00f8d\u00e9/\u2713 file.txt',
    'a//b',
    './x',
    '../y',
    'dir/./z/../w',
    'q?x=1#frag',
    'ends with sha256=' + 'e' * 64,
]
# Where a decoded, normalised, blank-split or option-stripped spelling would land.
DECOYS = ['dir/with', 'two', 'plus sign.txt', 'pctA/.txt', 'pctA%2F.txt', 'k', 'a/b', 'x', 'y',
          'dir/w', 'dir/z/../w', 'q', 'ends with', 'ends']


def content_for(key):
    return ('#!/bin/sh\n# key: ' + key + '\n').encode() + os.urandom(32)


class IncludeKeysTest(E2ETest):
    def check_plan(self, emu, lines, expected):
        blob = self.write('ud', ('#s3-include\n' + '\n'.join(lines) + '\n').encode())
        run = self.run_bin(emu, ['plan', '--json', blob])
        self.assertEqual(run.code, EXIT_OK, run)
        parts = json.loads(run.stdout)['parts']
        self.assertEqual([(p['source']['bucket'], p['source']['key'], p['sha256'])
                          for p in parts], [('bkt', k, sha256(d)) for k, d in expected])
        return parts

    def put_all(self, emu):
        for decoy in DECOYS:
            emu.put('bkt', decoy, b'decoy ' + decoy.encode())
        expected = [(k, content_for(k)) for k in KEYS]
        for key, data in expected:
            emu.put('bkt', key, data)
        return expected

    def test_s3_urls_take_keys_as_written(self):
        with self.emulators() as emu:
            expected = self.put_all(emu)
            # The last key ends in " sha256=<hex>" itself: a pin after it makes that part of
            # the key (options are taken from the end, each once).
            lines = ['s3://bkt/' + k for k in KEYS[:-1]]
            lines.append('s3://bkt/%s sha256=%s' % (KEYS[-1], sha256(expected[-1][1])))
            self.check_plan(emu, lines, expected)
            self.assertEqual(emu.stats('s3')['by_status'], {'200': len(KEYS)})
            self.assertNotIn('unsigned_requests', emu.stats('s3'))

    def test_s3_urls_with_pins_and_extra_blanks(self):
        with self.emulators() as emu:
            expected = self.put_all(emu)
            lines = ['  s3://bkt/%s \t sha256=%s  ' % (k, sha256(d).upper()) for k, d in expected]
            self.check_plan(emu, lines, expected)

    def test_arn_urls_take_keys_as_written(self):
        with self.emulators() as emu:
            expected = self.put_all(emu)
            lines = ['arn:aws:s3:::bkt/' + k for k in KEYS[:-1]]
            lines.append('arn:aws:s3:::bkt/%s sha256=%s' % (KEYS[-1], sha256(expected[-1][1])))
            self.check_plan(emu, lines, expected)

    def test_https_urls_are_percent_decoded_once(self):
        with self.emulators() as emu:
            expected = self.put_all(emu)
            lines = []
            for n, key in enumerate(KEYS):
                quoted = quote(key.encode(), safe='/')
                lines.append('https://bkt.s3.us-east-1.amazonaws.com/' + quoted if n % 2 else
                             'https://s3.us-east-1.amazonaws.com/bkt/' + quoted)
            self.check_plan(emu, lines, expected)

    def test_a_wrong_pin_on_a_key_with_spaces_fails_closed(self):
        with self.emulators() as emu:
            self.put_all(emu)
            blob = self.write('ud', ('#s3-include\ns3://bkt/dir/with space.sh sha256=%s\n'
                                     % ('0' * 64)).encode())
            run = self.run_bin(emu, ['plan', blob])
            self.assertEqual(run.code, EXIT_FETCH, run)
            self.assertEqual(len(run.error_lines()), 1, run)
            self.assertIn('s3://bkt/dir/with space.sh', run.err)
            self.assertIn('sha256', run.err)

    def test_a_key_with_a_question_mark_is_named_whole(self):
        # Messages, the plan and S3US_PART_SOURCE cut every URL at '?' and named s3://bkt/q.
        with self.emulators() as emu:
            self.put_all(emu)
            blob = self.write('ud', b'#s3-include\ns3://bkt/q?missing\n')
            run = self.run_bin(emu, ['plan', blob])
            line = self.assert_one_error(run, EXIT_FETCH, 's3://bkt/q?missing')
            self.assertNotIn('(s3://bkt/q)', line)
            blob = self.write('ud', b'#s3-include\ns3://bkt/q?x=1#frag\n')
            run = self.run_bin(emu, ['plan', '--json', blob])
            self.assertEqual(run.code, EXIT_OK, run)
            self.assertIn('"s3://bkt/q?x=1#frag"', run.out)
            self.assertNotIn('"s3://bkt/q"', run.out)


if __name__ == '__main__':
    e2e_util.main()
