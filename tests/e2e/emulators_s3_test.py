#!/usr/bin/python3
"""Self-tests of the loopback S3 emulator: signatures checked with botocore (accepting botocore-
and curl-signed requests, refusing tampered ones), S3 errors, regions, clock skew, versions,
awkward keys, faults and concurrency. argv[1] (the s3-user-script binary) is not needed."""

import base64
import concurrent.futures
import email.utils
import hashlib
import os
import random
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators_util as u  # noqa: E402
from harness import Emulators  # noqa: E402
import s3_checksums  # noqa: E402
import s3_store  # noqa: E402

AWKWARD_KEYS = ['a b+c.txt', '100%/a%2Fb', 'ünï/cödé ☃.sh', 'dir//double', './dot', '../up',
                'x/./y/../z', 'q?x=1&y=#frag', 'tilde~star*(paren)', 'trailing/']


class S3Default(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.emu = Emulators(cls.tmp.name, s3_args=[
            '--bucket-region', 'eu-bucket=eu-west-1', '--deny-bucket', 'denied',
            '--unsigned-prefix', 'public/'])
        cls.emu.__enter__()
        cls.emu.put('b1', 'hello.txt', b'hello world\n')
        cls.emu.put('eu-bucket', 'x', b'eu')
        cls.emu.put('denied', 'x', b'no')
        cls.emu.put('b1', 'public/open.sh', b'#!/bin/sh\n')

    @classmethod
    def tearDownClass(cls):
        cls.emu.__exit__(None, None, None)
        cls.tmp.cleanup()

    def creds(self):
        return u.fetch_credentials(self.emu.imds_url)

    def get(self, target, creds=None, **kw):
        return u.signed(self.emu.s3_url, kw.pop('method', 'GET'), target,
                        creds or self.creds(), **kw)

    def assert_error(self, response, status, code):
        self.assertEqual((response[0], u.xml_code(response[2])), (status, code), response[2])
        self.assertEqual(response[1]['content-type'], 'application/xml')
        self.assertTrue(response[1]['x-amz-request-id'])

    def test_botocore_signed_get_and_head_succeed_with_s3_headers(self):
        status, headers, body = self.get('/b1/hello.txt')
        self.assertEqual((status, body), (200, b'hello world\n'))
        self.assertEqual(headers['etag'], '"%s"' % hashlib.md5(body).hexdigest())
        self.assertEqual(headers['server'], 'AmazonS3')
        self.assertEqual(headers['content-length'], '12')
        for name in ('date', 'last-modified', 'x-amz-request-id', 'x-amz-id-2', 'content-type'):
            self.assertIn(name, headers)
        self.assertNotIn('x-amz-checksum-sha256', headers)
        self.assertNotIn('x-amz-version-id', headers)
        status, headers, body = self.get('/b1/hello.txt', method='HEAD')
        self.assertEqual((status, body, headers['content-length']), (200, b'', '12'))

    def test_curl_aws_sigv4_signed_get_succeeds(self):
        c = self.creds()
        out = subprocess.run(
            ['curl', '-sS', '--path-as-is', '--aws-sigv4', 'aws:amz:us-east-1:s3',
             '--user', f'{c.access_key}:{c.secret_key}',
             '-H', f'x-amz-content-sha256: {u.EMPTY_SHA256}',
             '-H', f'x-amz-security-token: {c.token}',
             '-w', '\n%{http_code}', self.emu.s3_url + '/b1/hello.txt'],
            capture_output=True, timeout=20, check=True).stdout
        self.assertEqual(out, b'hello world\n\n200')

    def test_tampered_path_or_signature_is_signature_does_not_match(self):
        c = self.creds()
        headers = u.sign(self.emu.s3_url, 'GET', '/b1/hello.txt', c)
        r = u.raw(self.emu.s3_url, 'GET', '/b1/hellO.txt', headers)
        self.assert_error(r, 403, 'SignatureDoesNotMatch')
        self.assertIn('/b1/hellO.txt', u.xml_field(r[2], 'CanonicalRequest'))
        tampered = []
        for name, value in headers:
            if name == 'Authorization':
                value = value[:-1] + ('0' if value[-1] != '0' else '1')
            tampered.append((name, value))
        self.assert_error(u.raw(self.emu.s3_url, 'GET', '/b1/hello.txt', tampered), 403,
                          'SignatureDoesNotMatch')
        self.assertGreaterEqual(self.emu.stats('s3')['error:SignatureDoesNotMatch'], 2)

    def test_wrong_region_is_authorization_header_malformed_with_bucket_region(self):
        r = self.get('/eu-bucket/x')
        self.assert_error(r, 400, 'AuthorizationHeaderMalformed')
        self.assertEqual(r[1]['x-amz-bucket-region'], 'eu-west-1')
        self.assertEqual(u.xml_field(r[2], 'Region'), 'eu-west-1')
        self.assertEqual(self.get('/eu-bucket/x', region='eu-west-1')[::2], (200, b'eu'))
        status, headers, _ = self.get('/eu-bucket', method='HEAD', region='eu-west-1')
        self.assertEqual((status, headers['x-amz-bucket-region']), (200, 'eu-west-1'))
        r = self.get('/x', host='eu-bucket.s3.us-east-1.amazonaws.com')
        self.assertEqual((r[0], u.xml_code(r[2]), r[1]['x-amz-bucket-region']),
                         (301, 'PermanentRedirect', 'eu-west-1'))
        r = self.get('/x', host='eu-bucket.s3.eu-west-1.amazonaws.com', region='eu-west-1')
        self.assertEqual(r[::2], (200, b'eu'))

    def test_skewed_request_is_request_time_too_skewed(self):
        old = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(time.time() - 20 * 60))
        r = self.get('/b1/hello.txt', timestamp=old)
        self.assert_error(r, 403, 'RequestTimeTooSkewed')
        self.assertEqual(u.xml_field(r[2], 'RequestTime'), old)
        self.assertEqual(u.xml_field(r[2], 'MaxAllowedSkewMilliseconds'), '900000')
        self.assertRegex(u.xml_field(r[2], 'ServerTime'), r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')
        self.assertAlmostEqual(email.utils.parsedate_to_datetime(r[1]['date']).timestamp(),
                               time.time(), delta=60)

    def test_expired_token_after_expire_credentials_then_fresh_ones_work(self):
        c = self.creds()
        self.assertEqual(self.get('/b1/hello.txt', c)[0], 200)
        self.emu.expire_credentials()
        self.assert_error(self.get('/b1/hello.txt', c), 400, 'ExpiredToken')
        fresh = self.creds()
        self.assertNotEqual(fresh.access_key, c.access_key)
        self.assertEqual(self.get('/b1/hello.txt', fresh)[0], 200)

    def test_unknown_key_and_unknown_token(self):
        c = self.creds()
        bad_key = u.Credentials('ASIAAAAAAAAAAAAAAAAA', c.secret_key, c.token)
        self.assert_error(self.get('/b1/hello.txt', bad_key), 403, 'InvalidAccessKeyId')
        bad_token = u.Credentials(c.access_key, c.secret_key, c.token[:-4] + 'AAAA')
        self.assert_error(self.get('/b1/hello.txt', bad_token), 400, 'InvalidToken')
        no_token = u.Credentials(c.access_key, c.secret_key)
        self.assert_error(self.get('/b1/hello.txt', no_token), 403, 'InvalidAccessKeyId')

    def test_missing_things_and_denied_bucket(self):
        self.assert_error(self.get('/b1/nope'), 404, 'NoSuchKey')
        self.assertEqual(u.xml_field(self.get('/b1/nope')[2], 'Key'), 'nope')
        self.assert_error(self.get('/no-bucket/k'), 404, 'NoSuchBucket')
        self.assert_error(self.get('/b1/hello.txt?versionId=v9'), 404, 'NoSuchVersion')
        self.assert_error(self.get('/denied/x'), 403, 'AccessDenied')
        status, _, body = self.get('/b1/nope', method='HEAD')
        self.assertEqual((status, body), (404, b''))

    def test_versions_are_selectable(self):
        self.emu.put('vb', 'obj', b'one', version_id='v1')
        self.emu.put('vb', 'obj', b'two', version_id='v2')
        status, headers, body = self.get('/vb/obj')
        self.assertEqual((status, body, headers['x-amz-version-id']), (200, b'two', 'v2'))
        status, headers, body = self.get('/vb/obj?versionId=v1')
        self.assertEqual((status, body, headers['x-amz-version-id']), (200, b'one', 'v1'))

    def test_checksum_header_only_when_checksum_mode_enabled(self):
        data = b'hello world\n'
        _, headers, _ = self.get('/b1/hello.txt', headers={'x-amz-checksum-mode': 'ENABLED'})
        self.assertEqual(headers['x-amz-checksum-sha256'],
                         base64.b64encode(hashlib.sha256(data).digest()).decode())

    def test_awkward_keys_round_trip_path_style_and_virtual_hosted(self):
        for i, key in enumerate(AWKWARD_KEYS):
            data = f'object {i} {key}'.encode()
            self.emu.put('keys', key, data)
            with self.subTest(key=key):
                self.assertEqual(self.get(u.key_path('keys', key))[::2], (200, data))
                host = f'keys.localhost:{u.port_of(self.emu.s3_url)}'
                target = u.key_path('keys', key)[len('/keys'):]
                self.assertEqual(self.get(target, host=host)[::2], (200, data))
        self.assert_error(self.get(u.key_path('keys', 'x/y/../z')), 404, 'NoSuchKey')

    def test_range_and_presigned_url(self):
        r = self.get('/b1/hello.txt', headers={'Range': 'bytes=0-4'})
        self.assertEqual((r[0], r[2], r[1]['content-range']), (206, b'hello', 'bytes 0-4/12'))
        target = u.presigned_target(self.emu.s3_url, '/b1/hello.txt', self.creds())
        self.assertEqual(u.raw(self.emu.s3_url, 'GET', target)[::2], (200, b'hello world\n'))
        self.assert_error(u.raw(self.emu.s3_url, 'GET', target.replace('hello', 'hellO')), 403,
                          'SignatureDoesNotMatch')

    def test_unsigned_prefix_allows_anonymous_get_only_under_it(self):
        self.assertEqual(u.raw(self.emu.s3_url, 'GET', '/b1/public/open.sh')[::2],
                         (200, b'#!/bin/sh\n'))
        self.assert_error(u.raw(self.emu.s3_url, 'GET', '/b1/hello.txt'), 403, 'AccessDenied')

    def test_signatures_seen_are_counted_and_listed_as_secrets(self):
        headers = u.sign(self.emu.s3_url, 'GET', '/b1/hello.txt', self.creds())
        sig = dict(headers)['Authorization'].rsplit('Signature=', 1)[1]
        self.assertEqual(u.raw(self.emu.s3_url, 'GET', '/b1/hello.txt', headers)[0], 200)
        self.assertIn(sig, self.emu.secrets())
        self.assertGreaterEqual(self.emu.stats('s3')['signatures_seen'], 1)


class S3Faults(unittest.TestCase):
    def test_slowdown_reset_corrupt_and_clock_skew(self):
        args = ['--slowdown', '1', '--reset-mid-body', '1', '--corrupt', 'bad.bin',
                '--clock-skew-seconds', '1200']
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp, s3_args=args) as emu:
            data = bytes(range(256)) * 40
            emu.put('b', 'k.bin', data)
            emu.put('b', 'bad.bin', data)
            c = u.fetch_credentials(emu.imds_url)
            ahead = time.strftime('%Y%m%dT%H%M%SZ', time.gmtime(time.time() + 1200))

            def get(target, **kw):
                return u.signed(emu.s3_url, 'GET', target, c, timestamp=ahead, **kw)

            r = get('/b/k.bin')
            self.assertEqual((r[0], u.xml_code(r[2])), (503, 'SlowDown'))
            headers = u.sign(emu.s3_url, 'GET', '/b/k.bin', c, timestamp=ahead)
            req = ('GET /b/k.bin HTTP/1.1\r\n' +
                   ''.join(f'{n}: {v}\r\n' for n, v in headers) + '\r\n').encode()
            reply = u.read_until_closed(u.port_of(emu.s3_url), req)
            head, _, body = reply.partition(b'\r\n\r\n')
            self.assertIn(f'Content-Length: {len(data)}'.encode(), head)
            self.assertEqual(body, data[:len(data) // 2])
            self.assertEqual(get('/b/k.bin')[::2], (200, data))
            status, hdrs, body = get('/b/bad.bin', headers={'x-amz-checksum-mode': 'ENABLED'})
            self.assertEqual((status, len(body)), (200, len(data)))
            self.assertNotEqual(body, data)
            self.assertEqual(sum(a != b for a, b in zip(body, data)), 1)
            self.assertEqual(hdrs['etag'], '"%s"' % hashlib.md5(data).hexdigest())
            self.assertEqual(hdrs['x-amz-checksum-sha256'],
                             base64.b64encode(hashlib.sha256(data).digest()).decode())
            r = u.signed(emu.s3_url, 'GET', '/b/k.bin', c)  # signed with the real clock
            self.assertEqual((r[0], u.xml_code(r[2])), (403, 'RequestTimeTooSkewed'))
            server = email.utils.parsedate_to_datetime(r[1]['date']).timestamp()
            self.assertAlmostEqual(server - time.time(), 1200, delta=60)

    def test_parallel_requests_show_in_max_in_flight(self):
        with tempfile.TemporaryDirectory() as tmp, \
                Emulators(tmp, s3_args=['--latency-ms', '400']) as emu:
            emu.put('b', 'k', b'data')
            c = u.fetch_credentials(emu.imds_url)
            signed = [u.sign(emu.s3_url, 'GET', '/b/k', c) for _ in range(32)]
            with concurrent.futures.ThreadPoolExecutor(32) as pool:
                results = list(pool.map(lambda h: u.raw(emu.s3_url, 'GET', '/b/k', h)[0],
                                        signed))
            self.assertEqual(results, [200] * 32)
            stats = emu.stats('s3')
            self.assertEqual(stats['by_request']['GET /b/k'], 32)
            self.assertGreaterEqual(stats['max_in_flight'], 16)

    def test_botocore_client_with_imds_credentials_works_in_harness_env(self):
        script = (
            'import os, botocore.session\n'
            'from botocore.config import Config\n'
            'c = botocore.session.get_session().create_client("s3", region_name="us-east-1",\n'
            '    endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"],\n'
            '    config=Config(s3={"addressing_style": "path"}))\n'
            'r = c.get_object(Bucket="bk", Key="dir/a b+c \\u00fc.txt", ChecksumMode="ENABLED")\n'
            'print(r["Body"].read().decode(), end="")\n')
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp) as emu:
            emu.put('bk', 'dir/a b+c ü.txt', b'payload')
            out = subprocess.run(['/usr/bin/python3', '-c', script], env=emu.env,
                                 capture_output=True, timeout=30)
            self.assertEqual((out.returncode, out.stdout), (0, b'payload'), out.stderr)
            self.assertEqual(emu.stats('imds')['by_request']['PUT /latest/api/token'], 1)

    def test_restart_s3_keeps_the_port_and_applies_new_flags(self):
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp) as emu:
            emu.put('b', 'k', b'data')
            url = emu.s3_url
            emu.restart_s3(['--deny-bucket', 'b'])
            self.assertEqual(emu.s3_url, url)
            r = u.signed(emu.s3_url, 'GET', '/b/k', u.fetch_credentials(emu.imds_url))
            self.assertEqual((r[0], u.xml_code(r[2])), (403, 'AccessDenied'))



def plain_crc(poly, width, data):
    """A reflected CRC one byte at a time, without the emulator's zero-run shortcut."""
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    mask = (1 << width) - 1
    c = mask
    for byte in data:
        c = (c >> 8) ^ table[(c ^ byte) & 0xff]
    return (c ^ mask).to_bytes(width // 8, 'big')


class S3Checksums(unittest.TestCase):
    def test_zero_runs_give_the_plain_crc_at_any_length_and_split(self):
        rnd = random.Random(5)
        for trial in range(200):
            pieces = []
            for _ in range(rnd.randrange(6)):
                pieces.append(rnd.randbytes(rnd.randrange(40)))
                pieces.append(bytes(rnd.choice([0, 1, 63, 64, 65, 130, 1000, 4097])))
            data = b''.join(pieces)
            cut = rnd.randrange(len(data) + 1)
            for name, poly, width in (('crc32c', 0x82F63B78, 32),
                                      ('crc64nvme', 0x9A6C9329AC4BC9B5, 64)):
                h = s3_checksums.new(name)
                h.update(data[:cut])
                h.update(data[cut:])
                self.assertEqual(h.digest(), plain_crc(poly, width, data), (trial, name))
        self.assertEqual(s3_checksums.digest('crc64nvme', b'123456789').hex(),
                         'ae8b14860a799888')
        self.assertEqual(s3_checksums.digest('crc32c', b'123456789').hex(), 'e3069283')

    def test_key_checksum_chooses_the_algorithm_of_small_and_streamed_objects(self):
        size = s3_store.STREAM_THRESHOLD + 10
        with tempfile.TemporaryDirectory() as tmp, Emulators(tmp, s3_args=[
                '--key-checksum', 'big.bin=crc64nvme', '--key-checksum', 'small=crc32c']) as emu:
            os.makedirs(os.path.join(emu.root, 'b'))
            with open(os.path.join(emu.root, 'b', 'big.bin'), 'wb') as f:
                f.truncate(size)  # sparse, with a few bytes set: zero runs and table steps
                for at in (0, 1000, 5 << 20, size - 3):
                    f.seek(at)
                    f.write(b'\x01\xfe\x80')
            with open(os.path.join(emu.root, 'b', 'big.bin'), 'rb') as f:
                data = f.read()
            emu.put('b', 'small', b'hello')
            emu.put('b', 'other', b'hello')
            creds = u.fetch_credentials(emu.imds_url)
            mode = {'x-amz-checksum-mode': 'ENABLED'}
            answers = {k: u.signed(emu.s3_url, 'GET', f'/b/{k}', creds, headers=mode)[1]
                       for k in ('big.bin', 'small', 'other')}
        self.assertEqual(answers['big.bin']['x-amz-checksum-crc64nvme'],
                         base64.b64encode(plain_crc(0x9A6C9329AC4BC9B5, 64, data)).decode())
        self.assertNotIn('x-amz-checksum-sha256', answers['big.bin'])
        self.assertEqual(answers['small']['x-amz-checksum-crc32c'],
                         base64.b64encode(plain_crc(0x82F63B78, 32, b'hello')).decode())
        self.assertEqual(answers['other']['x-amz-checksum-sha256'],
                         base64.b64encode(hashlib.sha256(b'hello').digest()).decode())


if __name__ == '__main__':
    unittest.main(argv=[sys.argv[0], '-v'])
