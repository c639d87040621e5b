#!/usr/bin/python3
"""Self-tests of the loopback IMDS emulator and the harness (the S3 emulator's are in
emulators_s3_test.py). argv[1] (the s3-user-script binary) is not needed here."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators_util as u  # noqa: E402
from harness import Emulators, assert_no_secrets  # noqa: E402

CREDS = '/latest/meta-data/iam/security-credentials/'


class ImdsDefault(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.emu = Emulators(cls.tmp.name, user_data=b'#!/bin/sh\necho hello\n\x00\xff')
        cls.emu.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.emu.__exit__(None, None, None)
        cls.tmp.cleanup()

    def test_token_put_returns_56_char_token_and_echoes_ttl(self):
        token, headers = u.imds_token(self.emu.imds_url, '300')
        self.assertEqual(len(token), 56)
        self.assertRegex(token, r'^[A-Za-z0-9_=-]+$')
        self.assertEqual(headers['x-aws-ec2-metadata-token-ttl-seconds'], '300')
        self.assertEqual(headers['server'], 'EC2ws')

    def test_role_and_credentials_are_served_like_real_imds(self):
        token, _ = u.imds_token(self.emu.imds_url)
        status, headers, body = u.imds_get(self.emu.imds_url, CREDS, token)
        self.assertEqual((status, body), (200, b'web-role'))
        self.assertEqual(headers['content-type'], 'text/plain')
        self.assertEqual(headers['server'], 'EC2ws')
        self.assertLessEqual(int(headers['x-aws-ec2-metadata-token-ttl-seconds']), 21600)
        status, headers, body = u.imds_get(self.emu.imds_url, CREDS + 'web-role', token)
        self.assertEqual(status, 200)
        self.assertIn(b'\n  "Code" : "Success",\n', body)
        doc = json.loads(body)
        self.assertEqual(doc['Type'], 'AWS-HMAC')
        self.assertRegex(doc['AccessKeyId'], r'^ASIA[A-Z2-7]{16}$')
        self.assertRegex(doc['Expiration'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        expires = time.mktime(time.strptime(doc['Expiration'], '%Y-%m-%dT%H:%M:%SZ')) - \
            time.timezone
        self.assertAlmostEqual(expires - time.time(), 6 * 3600, delta=120)
        self.assertIn(doc['SecretAccessKey'], self.emu.secrets())
        status, _, _ = u.imds_get(self.emu.imds_url, CREDS + 'other-role', token)
        self.assertEqual(status, 404)

    def test_instance_metadata_paths(self):
        token, _ = u.imds_token(self.emu.imds_url)
        expected = {
            '/latest/meta-data/instance-id': b'i-0123456789abcdef0',
            '/latest/meta-data/instance-type': b't3.micro',
            '/latest/meta-data/placement/region': b'us-east-1',
            '/latest/meta-data/placement/availability-zone': b'us-east-1a',
            '/latest/meta-data/services/domain': b'amazonaws.com',
            '/latest/meta-data/services/partition': b'aws',
        }
        for path, value in expected.items():
            with self.subTest(path=path):
                self.assertEqual(u.imds_get(self.emu.imds_url, path, token)[::2], (200, value))
        status, _, body = u.imds_get(self.emu.imds_url, '/latest/meta-data/iam/info', token)
        self.assertIn('instance-profile/web-role', json.loads(body)['InstanceProfileArn'])
        status, _, body = u.imds_get(self.emu.imds_url,
                                     '/latest/dynamic/instance-identity/document', token)
        doc = json.loads(body)
        self.assertEqual((doc['accountId'], doc['region'], doc['instanceId']),
                         ('123456789012', 'us-east-1', 'i-0123456789abcdef0'))

    def test_user_data_is_raw_octet_stream(self):
        token, _ = u.imds_token(self.emu.imds_url)
        status, headers, body = u.imds_get(self.emu.imds_url, '/latest/user-data', token)
        self.assertEqual((status, body), (200, b'#!/bin/sh\necho hello\n\x00\xff'))
        self.assertEqual(headers['content-type'], 'application/octet-stream')

    def test_get_without_or_with_bad_token_is_401(self):
        for headers in ([], [('X-aws-ec2-metadata-token', 'AQAEAnotarealtoken')]):
            with self.subTest(headers=headers):
                status, hdrs, body = u.raw(self.emu.imds_url, 'GET', CREDS, headers)
                self.assertEqual(status, 401)
                self.assertEqual(hdrs['content-type'], 'text/html')
                self.assertIn(b'<title>401 - Unauthorized</title>', body)

    def test_bad_ttl_is_400(self):
        for ttl in ('0', '21601', 'abc', '-5', ''):
            with self.subTest(ttl=ttl):
                headers = [('X-aws-ec2-metadata-token-ttl-seconds', ttl)] if ttl else []
                status, _, body = u.raw(self.emu.imds_url, 'PUT', '/latest/api/token', headers)
                self.assertEqual(status, 400)
                self.assertIn(b'<h1>400 - Bad Request</h1>', body)

    def test_x_forwarded_for_is_403(self):
        token, _ = u.imds_token(self.emu.imds_url)
        for method, path, headers in (
                ('PUT', '/latest/api/token', [('X-aws-ec2-metadata-token-ttl-seconds', '60')]),
                ('GET', CREDS, [('X-aws-ec2-metadata-token', token)])):
            with self.subTest(method=method):
                status, _, _ = u.raw(self.emu.imds_url, method, path,
                                     headers + [('X-Forwarded-For', '10.0.0.1')])
                self.assertEqual(status, 403)

    def test_unknown_path_is_xhtml_404(self):
        token, _ = u.imds_token(self.emu.imds_url)
        status, headers, body = u.imds_get(self.emu.imds_url, '/latest/meta-data/nope', token)
        self.assertEqual((status, headers['content-type']), (404, 'text/html'))
        self.assertIn(b'<title>404 - Not Found</title>', body)

    def test_stats_count_requests_by_method_and_path(self):
        before = self.emu.stats('imds')
        u.imds_token(self.emu.imds_url)
        after = self.emu.stats('imds')
        self.assertEqual(after['total'], before['total'] + 1)
        self.assertEqual(after['by_request']['PUT /latest/api/token'],
                         before['by_request'].get('PUT /latest/api/token', 0) + 1)


class ImdsFaults(unittest.TestCase):
    def test_down_seconds_refuses_then_answers_and_no_role_or_user_data_is_404(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, imds_args=['--down-seconds', '4', '--no-role']) as emu:
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(('127.0.0.1', u.port_of(emu.imds_url)), 1).close()
            deadline = time.monotonic() + 20
            while True:
                try:
                    token, _ = u.imds_token(emu.imds_url)
                    break
                except ConnectionRefusedError:
                    self.assertLess(time.monotonic(), deadline)
                    time.sleep(0.1)
            self.assertEqual(u.imds_get(emu.imds_url, CREDS, token)[0], 404)
            self.assertEqual(u.imds_get(emu.imds_url, '/latest/meta-data/iam/info', token)[0],
                             404)
            status, headers, body = u.imds_get(emu.imds_url, '/latest/user-data', token)
            self.assertEqual((status, headers['content-type']), (404, 'text/html'))
            self.assertIn(b'404 - Not Found', body)

    def test_failures_ttl_cap_and_rotation(self):
        args = ['--fail-500', '2', '--fail-429', '1', '--token-ttl-cap', '5',
                '--rotate-seconds', '1']
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp, imds_args=args) as emu:
            put = [('X-aws-ec2-metadata-token-ttl-seconds', '21600')]
            statuses = [u.raw(emu.imds_url, 'PUT', '/latest/api/token', put)[0]
                        for _ in range(3)]
            self.assertEqual(statuses, [500, 500, 429])
            token, headers = u.imds_token(emu.imds_url)
            self.assertEqual(headers['x-aws-ec2-metadata-token-ttl-seconds'], '5')
            first = json.loads(u.imds_get(emu.imds_url, CREDS + 'web-role', token)[2])
            time.sleep(5.3)
            self.assertEqual(u.imds_get(emu.imds_url, CREDS, token)[0], 401)
            token, _ = u.imds_token(emu.imds_url)
            second = json.loads(u.imds_get(emu.imds_url, CREDS + 'web-role', token)[2])
            self.assertNotEqual(first['AccessKeyId'], second['AccessKeyId'])

    def test_expire_credentials_makes_imds_issue_fresh_ones(self):
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp) as emu:
            a = u.fetch_credentials(emu.imds_url)
            self.assertEqual(u.fetch_credentials(emu.imds_url).access_key, a.access_key)
            emu.expire_credentials()
            b = u.fetch_credentials(emu.imds_url)
            self.assertNotEqual(a.access_key, b.access_key)
            self.assertEqual([c['expired'] for c in emu.credentials()], [True, False])

    def test_allow_v1_answers_without_token(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, imds_args=['--allow-v1', '--role', 'r2']) as emu:
            self.assertEqual(u.raw(emu.imds_url, 'GET', CREDS)[::2], (200, b'r2'))


class Harness(unittest.TestCase):
    def test_env_is_clean_and_points_at_the_emulators(self):
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp) as emu:
            env = emu.env
            self.assertEqual(env['AWS_EC2_METADATA_SERVICE_ENDPOINT'], emu.imds_url)
            self.assertEqual(env['AWS_ENDPOINT_URL_S3'], emu.s3_url)
            self.assertRegex(emu.s3_url, r'^http://127\.0\.0\.1:\d+$')
            self.assertFalse(os.path.exists(env['AWS_CONFIG_FILE']))
            self.assertFalse(os.path.exists(env['AWS_SHARED_CREDENTIALS_FILE']))
            self.assertEqual(env['HOME'], os.path.join(tmp, 'home'))
            for name in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
                         'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'):
                self.assertNotIn(name, env)
            procs = (emu._imds.proc, emu._s3.proc)
        self.assertEqual([p.returncode for p in procs], [0, 0])

    def test_assert_no_secrets_finds_leaks_without_printing_them(self):
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp) as emu:
            creds = u.fetch_credentials(emu.imds_url)
            assert_no_secrets('nothing to see', emu)
            for leak in (creds.secret_key, creds.token[:30], creds.token.replace('/', '%2F')):
                with self.assertRaises(AssertionError) as ctx:
                    assert_no_secrets(b'log: ' + leak.encode(), emu)
                self.assertNotIn(creds.secret_key[:8], str(ctx.exception))

    def test_serve_mode_prints_exports_and_stops_on_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            objects = os.path.join(tmp, 'objects', 'demo-bucket', 'dir')
            os.makedirs(objects)
            with open(os.path.join(objects, 'x.sh'), 'wb') as f:
                f.write(b'echo x\n')
            proc = subprocess.Popen(
                ['/usr/bin/python3', os.path.join(u.SOURCE_DIR, 'scripts/emulators/harness.py'),
                 'serve', '--dir', os.path.join(tmp, 'run'), '--objects',
                 os.path.join(tmp, 'objects')], stdout=subprocess.PIPE, text=True)
            try:
                env = {}
                for line in proc.stdout:
                    m = re.match(r"^export (\w+)='?([^']*)'?$", line.strip())
                    if m:
                        env[m.group(1)] = m.group(2)
                    if 'AWS_SHARED_CREDENTIALS_FILE' in env:
                        break
                creds = u.fetch_credentials(env['AWS_EC2_METADATA_SERVICE_ENDPOINT'])
                status, _, body = u.signed(env['AWS_ENDPOINT_URL_S3'], 'GET',
                                           '/demo-bucket/dir/x.sh', creds)
                self.assertEqual((status, body), (200, b'echo x\n'))
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=15), 0)
                proc.stdout.close()


if __name__ == '__main__':
    unittest.main(argv=[sys.argv[0], '-v'])
