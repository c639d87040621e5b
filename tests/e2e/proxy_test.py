#!/usr/bin/python3
"""Issue 17: proxy variables as the AWS CLI reads them, against a loopback forward proxy.

The S3 endpoint is named s3.proxied.test, a name only the proxy can reach (it forwards to the
emulator's port on loopback): a fetch that succeeds went through the proxy, one that goes
direct cannot resolve the name. IMDS is never proxied, even when only the proxy could reach it.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402
from loopback_proxy import LoopbackProxy  # noqa: E402

PREFIX = ru.ERROR_PREFIX
BODY = b'#!/bin/sh\necho proxied\n'


class Proxy(ru.EmulatorTestCase):
    @classmethod
    def load(cls, emu):
        emu.put('proxy-bucket', 'a.sh', BODY)

    def setUp(self):
        self.proxy = LoopbackProxy().__enter__()
        self.addCleanup(self.proxy.__exit__, None, None, None)
        self.s3_port = self.emu.s3_url.rsplit(':', 1)[1]
        self.out = os.path.join(self.runs, self._testMethodName)

    def get(self, scheme='http', **env):
        env.setdefault('AWS_ENDPOINT_URL_S3', f'{scheme}://s3.proxied.test:{self.s3_port}')
        env = {k: v.replace('PROXY_URL', self.proxy.url) for k, v in env.items()}
        return ru.run(['get', 's3://proxy-bucket/a.sh', '-o', self.out], self.emu,
                      env=dict(self.emu.env, AWS_MAX_ATTEMPTS='1', **env))

    def error(self, proc):
        return self.one_error(proc, 4)

    def test_http_proxy_in_either_case_carries_s3_and_never_imds(self):
        for name in ('http_proxy', 'HTTP_PROXY'):
            before = sum(self.emu.stats('imds')['by_request'].values())
            proc = self.get(**{name: 'PROXY_URL'})
            self.assertEqual(proc.returncode, 0, (name, proc.stderr))
            with open(self.out, 'rb') as f:
                self.assertEqual(f.read(), BODY)
            # Credentials came from IMDS (directly): the proxy saw the S3 request only.
            self.assertGreater(sum(self.emu.stats('imds')['by_request'].values()), before)
            self.assertEqual(self.proxy.seen,
                             [('GET', f'http://s3.proxied.test:{self.s3_port}/proxy-bucket/a.sh')])
            self.proxy.server.seen.clear()

    def test_imds_goes_direct_even_when_only_the_proxy_could_reach_it(self):
        imds_port = self.emu.imds_url.rsplit(':', 1)[1]
        proc = self.get(http_proxy='PROXY_URL',
                        AWS_EC2_METADATA_SERVICE_ENDPOINT=f'http://imds.proxied.test:{imds_port}')
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn('resolving imds.proxied.test:' + imds_port, proc.stderr)
        self.assertEqual([s for s in self.proxy.seen if 'imds' in s[1]], [])

    def test_no_proxy_in_either_case_sends_the_host_direct(self):
        for name, value in (('NO_PROXY', 'proxied.test'), ('no_proxy', '.proxied.test'),
                            ('no_proxy', '*')):
            proc = self.get(HTTP_PROXY='PROXY_URL', **{name: value})
            self.assertEqual(self.error(proc),
                             'fetching s3://proxy-bucket/a.sh: giving up after 1 attempt: resolving s3.proxied.test:'
                             f"{self.s3_port}: couldn't resolve host name (could not resolve "
                             'host: s3.proxied.test)')
            self.assertEqual(self.proxy.seen, [], (name, value))

    def test_lower_case_wins_and_cgi_ignores_upper_case_http_proxy(self):
        # An empty http_proxy turns the proxy off although HTTP_PROXY is set.
        proc = self.get(HTTP_PROXY='PROXY_URL', http_proxy='')
        self.assertIn('resolving s3.proxied.test', self.error(proc))
        # Under CGI (REQUEST_METHOD set) HTTP_PROXY may be a client's "Proxy:" header.
        proc = self.get(HTTP_PROXY='PROXY_URL', REQUEST_METHOD='GET')
        self.assertIn('resolving s3.proxied.test', self.error(proc))
        self.assertEqual(self.proxy.seen, [])
        proc = self.get(http_proxy='PROXY_URL', REQUEST_METHOD='GET')
        self.assertEqual(proc.returncode, 0, proc.stderr)
        # ALL_PROXY is not an AWS CLI variable (libcurl alone would honour it).
        proc = self.get(ALL_PROXY='PROXY_URL', all_proxy='PROXY_URL')
        self.assertIn('resolving s3.proxied.test', self.error(proc))
        self.assertEqual(len(self.proxy.seen), 1)

    def test_https_goes_through_https_proxy_and_its_refusal_names_it(self):
        proc = self.get('https', HTTPS_PROXY='PROXY_URL', HTTP_PROXY='http://127.0.0.1:9')
        port = self.proxy.url.rsplit(':', 1)[1]
        self.assertEqual(self.error(proc),
                         f'fetching s3://proxy-bucket/a.sh: giving up after 1 attempt: exchanging with s3.proxied.test:'
                         f'{self.s3_port} via proxy 127.0.0.1:{port} (from HTTPS_PROXY): failure '
                         'when receiving data from the peer (CONNECT tunnel failed, response 403)')
        self.assertEqual(self.proxy.seen, [('CONNECT', f's3.proxied.test:{self.s3_port}')])

    def test_an_unreachable_proxy_is_named_without_its_password(self):
        proc = self.get('https', https_proxy='http://user:hunter2@127.0.0.1:9')
        self.assertEqual(self.error(proc),
                         'fetching s3://proxy-bucket/a.sh: giving up after 1 attempt: connecting to proxy 127.0.0.1:9 (from '
                         f'https_proxy) for s3.proxied.test:{self.s3_port}: connection refused '
                         "(failed to connect to 127.0.0.1 port 9 after 0 ms: Couldn't connect to "
                         'server)')
        self.assertNotIn('hunter2', proc.stderr)


    def test_a_proxy_url_libcurl_cannot_use_is_one_setup_line_without_its_password(self):
        for bad in ('http://user:hunter2@127.0.0.1:3128x', 'htp://user:hunter2@127.0.0.1:3128'):
            with self.subTest(bad):
                proc = self.get('https', HTTPS_PROXY=bad)
                self.assertEqual(proc.returncode, 3, proc.stderr)
                lines = proc.stderr.splitlines()
                self.assertEqual(len(lines), 1, proc.stderr)
                self.assertTrue(lines[0].startswith(
                    PREFIX + 'HTTPS_PROXY is not a usable proxy URL: '), lines[0])
                self.assertNotIn('hunter2', proc.stderr)
                self.assertEqual(self.proxy.seen, [])

if __name__ == '__main__':
    ru.main()
