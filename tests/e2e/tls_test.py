#!/usr/bin/python3
"""TLS is always verified, and a failure names the knob that fixes it: against a loopback
HTTPS server with a self-signed certificate, `get` fails closed with one line naming the
system CA store or AWS_CA_BUNDLE; with AWS_CA_BUNDLE pointing at that certificate the TLS
handshake succeeds (the server's 404 is what comes back)."""

import http.server
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import unittest

import e2e_util
from e2e_util import EXIT_FETCH


class NotFound(http.server.BaseHTTPRequestHandler):
    signatures = []  # the SigV4 signatures received, for the secret scan

    def do_GET(self):
        auth = self.headers.get('Authorization', '')
        if 'Signature=' in auth:
            NotFound.signatures.append(auth.split('Signature=', 1)[1])
        body = b'<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>'
        self.send_response(404)
        self.send_header('Content-Type', 'application/xml')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Tls(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='s3us-tls-')
        self.cert = os.path.join(self.tmp, 'cert.pem')
        key = os.path.join(self.tmp, 'key.pem')
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
                        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost',
                        '-keyout', key, '-out', self.cert], check=True, capture_output=True)
        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), NotFound)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def get(self, **extra):
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'HOME': self.tmp,
               'AWS_ACCESS_KEY_ID': 'AKIDTLSTEST', 'AWS_SECRET_ACCESS_KEY': 'tls-test-secret',
               'AWS_REGION': 'us-east-1', 'AWS_EC2_METADATA_DISABLED': 'true',
               'AWS_ENDPOINT_URL_S3': f'https://localhost:{self.server.server_address[1]}'}
        env.update(extra)
        proc = subprocess.run([e2e_util.BINARY, 'get', 's3://bkt/key', '-o',
                               os.path.join(self.tmp, 'out'), '--no-progress'],
                              env=env, capture_output=True, text=True, timeout=60)
        errors = [line for line in proc.stderr.splitlines() if 'error:' in line]
        self.assertEqual(len(errors), 1, proc.stderr)
        for secret in ['tls-test-secret'] + NotFound.signatures:
            self.assertNotIn(secret, proc.stdout + proc.stderr)
        return proc.returncode, errors[0]

    def test_an_untrusted_certificate_names_the_ca_store_and_aws_ca_bundle(self):
        code, line = self.get()
        self.assertEqual(code, EXIT_FETCH, line)
        self.assertIn('tls with localhost:', line)
        self.assertIn('not trusted by the system CA store', line)
        self.assertIn('set AWS_CA_BUNDLE', line)

    def test_an_unreadable_aws_ca_bundle_is_named(self):
        missing = os.path.join(self.tmp, 'missing.pem')
        code, line = self.get(AWS_CA_BUNDLE=missing)
        self.assertEqual(code, EXIT_FETCH, line)
        self.assertIn(f'AWS_CA_BUNDLE={missing}', line)

    def test_aws_ca_bundle_holding_the_ca_makes_the_handshake_succeed(self):
        code, line = self.get(AWS_CA_BUNDLE=self.cert)
        self.assertEqual(code, EXIT_FETCH, line)
        self.assertNotIn('tls with', line)
        self.assertIn('NoSuchKey', line)


if __name__ == '__main__':
    e2e_util.main()
