#!/usr/bin/python3
"""The emulators send each response in one write (status line, headers and body together), as a
real server does: a response written in pieces meets the client's delayed ACK on a reused
connection and measures the emulator instead of the client. The fault paths that send part of
a body on purpose (reset mid-body) still write in pieces. The handlers run in-process on a
recording socket, so each write is seen as the server made it. argv[1] is not needed."""

import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulators_util  # noqa: E402,F401  (puts scripts/emulators on sys.path)
import imds  # noqa: E402
import s3  # noqa: E402
import s3_store  # noqa: E402
import sso  # noqa: E402
import sts  # noqa: E402


class RecordingSocket:
    """Enough of a socket for StreamRequestHandler: reads the request, records each sendall."""

    def __init__(self, request):
        self._request = request
        self.writes = []

    def makefile(self, mode, buffering=-1):
        return io.BytesIO(self._request)

    def sendall(self, data):
        self.writes.append(bytes(data))

    def setsockopt(self, *args):
        pass

    def settimeout(self, timeout):
        pass

    def close(self):
        pass


class Server:
    server_name = 'localhost'
    server_port = 0


def serve(handler_class, request):
    sock = RecordingSocket(request)
    handler_class(sock, ('127.0.0.1', 0), Server())
    return sock.writes


def get(target, headers=()):
    lines = [f'GET {target} HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', *headers]
    return ('\r\n'.join(lines) + '\r\n\r\n').encode()


class OneWrite(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.state = os.path.join(d, 'state')
        imds.Handler.imds = imds.Imds(imds.parse_args(
            ['--port-file', os.path.join(d, 'i'), '--state-dir', cls.state]))
        s3.Handler.s3 = s3.S3(s3.parse_args(
            ['--port-file', os.path.join(d, 's'), '--root', os.path.join(d, 'root'),
             '--state-dir', cls.state, '--unsigned-prefix', 'public/', '--reset-mid-body', '1']))
        s3_store.put(os.path.join(d, 'root'), 'b1', 'public/big', b'x' * (1 << 20))
        s3_store.put(os.path.join(d, 'root'), 'b1', 'public/huge',
                     b'y' * (s3_store.STREAM_THRESHOLD + 10))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_one_write(self, writes, status, body_size):
        self.assertEqual(len(writes), 1, [w[:80] for w in writes])
        head, _, body = writes[0].partition(b'\r\n\r\n')
        self.assertTrue(head.startswith(b'HTTP/1.1 %d ' % status), head[:80])
        self.assertEqual(len(body), body_size)

    def test_imds_token_and_error_responses_are_one_write(self):
        token = serve(imds.Handler, b'PUT /latest/api/token HTTP/1.1\r\nHost: x\r\n'
                      b'X-aws-ec2-metadata-token-ttl-seconds: 60\r\nConnection: close\r\n\r\n')
        self.assert_one_write(token, 200, 56)
        self.assert_one_write(serve(imds.Handler, get('/latest/meta-data/')), 401,
                              len(imds.xhtml_page(401)))

    def test_s3_object_and_error_responses_are_one_write(self):
        s3.Handler.s3.reset_mid_body = 0
        self.assert_one_write(serve(s3.Handler, get('/b1/public/big')), 200, 1 << 20)
        # not under the unsigned prefix and not signed: S3's error XML, also in one write
        self.assertEqual(len(serve(s3.Handler, get('/b1/private'))), 1)

    def test_s3_streamed_object_starts_with_headers_and_first_chunk_in_one_write(self):
        s3.Handler.s3.reset_mid_body = 0
        writes = serve(s3.Handler, get('/b1/public/huge'))
        head, _, first = writes[0].partition(b'\r\n\r\n')
        self.assertTrue(head.startswith(b'HTTP/1.1 200 '))
        self.assertEqual(len(first), 1 << 20)
        self.assertEqual(sum(map(len, writes[1:])) + len(first), s3_store.STREAM_THRESHOLD + 10)

    def test_s3_reset_mid_body_still_writes_headers_then_half_the_body(self):
        s3.Handler.s3.reset_mid_body = 1
        writes = serve(s3.Handler, get('/b1/public/big'))
        self.assertEqual(len(writes), 2)
        self.assertTrue(writes[0].endswith(b'\r\n\r\n'))
        self.assertEqual(len(writes[1]), (1 << 20) // 2)

    def test_sts_and_sso_errors_are_one_write(self):
        d = self.tmp.name
        sts.Handler.args = sts.parse_args(['--port-file', os.path.join(d, 't'),
                                           '--state-dir', self.state])
        sts.Handler.stats = s3.emu_common.Stats(None)
        writes = serve(sts.Handler, b'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n'
                       b'Connection: close\r\n\r\n')
        self.assertEqual(len(writes), 1)
        sso.Handler.args = sso.parse_args(['--port-file', os.path.join(d, 'o'),
                                           '--state-dir', self.state])
        sso.Handler.stats = s3.emu_common.Stats(None)
        self.assertEqual(len(serve(sso.Handler, get('/federation/credentials'))), 1)


if __name__ == '__main__':
    unittest.main(argv=sys.argv[:1])
