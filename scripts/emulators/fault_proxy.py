#!/usr/bin/python3
"""Fault-injecting HTTP proxy for the loopback emulators: stands in front of s3.py or imds.py
(--upstream PORT), forwards each request unchanged (Host header included, so SigV4 still
verifies upstream) and, by its flags, answers or mangles some of them instead:

  --after N                the first N requests pass untouched (faults start after them)
  --fail STATUS[:CODE]:N   the first N requests get STATUS (S3 error XML with CODE, or an
                           XHTML page for --flavour imds), repeatable, applied in order
  --retry-after S          a Retry-After header on those injected answers
  --short-body N           the first N 2xx bodies: full Content-Length, half the bytes, FIN
  --slow-body BPS          every 2xx body dripped at BPS bytes per second
  --redirect N             the first N requests get 307 TemporaryRedirect to an unknown host
  --rate-limit R[:B]       a token bucket of B requests (default R) refilled at R per second,
                           as S3 and IMDS throttle: a burst of B, then R/s; a request that
                           finds it empty gets 503 SlowDown (S3) or 429 (IMDS), never forwarded

Stats (same format as the emulators, plus `injected` and `forwarded`) go to --stats-file.
Not responsible for protocol behaviour: the upstream emulator answers everything forwarded.
"""

import argparse
import http.client
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emu_common  # noqa: E402

_HOP = {'connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'te', 'upgrade'}


class Proxy:
    """Configuration and fault counters of one proxy."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.fails = [_parse_fail(f) for f in args.fail]
        self.short_body = args.short_body
        self.redirect = args.redirect
        rate, _, burst = (args.rate_limit or '0').partition(':')
        self.rate, self.burst = float(rate), float(burst or rate)
        self.tokens = self.burst
        self.refilled = time.monotonic()
        self.after = args.after
        self.stats = emu_common.Stats(args.stats_file)

    def take_fail(self):
        with self.lock:
            for entry in self.fails:
                if entry[2] > 0:
                    entry[2] -= 1
                    return entry[0], entry[1]
        return None

    def take(self, counter):
        with self.lock:
            if getattr(self, counter) > 0:
                setattr(self, counter, getattr(self, counter) - 1)
                return True
        return False

    def over_rate(self):
        """True when the --rate-limit bucket has no token left for this request."""
        if not self.rate:
            return False
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.refilled) * self.rate)
            self.refilled = now
            if self.tokens < 1.0:
                return True
            self.tokens -= 1.0
        return False


def _parse_fail(spec):
    fields = spec.split(':')
    status, count = int(fields[0]), int(fields[-1])
    code = fields[1] if len(fields) == 3 else None
    return [status, code, count]


class Handler(emu_common.StatsMixin, BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    proxy = None  # set by main()

    def log_message(self, format, *args):
        pass

    def _handle(self):
        p = self.proxy
        target = self.requestline.split(' ')[1] if ' ' in self.requestline else '/'
        self.stats_begin(p.stats, target.split('?', 1)[0])
        try:
            length = int(self.headers.get('Content-Length') or 0)
            body = self.rfile.read(length) if length > 0 else b''
            if p.over_rate():
                limited = 503 if p.args.flavour == 's3' else 429
                return self._inject(limited, 'SlowDown' if limited == 503 else None)
            if p.take('after'):
                return self._forward(target, body)
            fail = p.take_fail()
            if fail:
                return self._inject(*fail)
            if p.take('redirect'):
                self.stats_counters.append('injected')
                self.send_response(307)
                self.send_header('Location', 'http://127.0.0.1:9/' + target.lstrip('/'))
                self.send_header('Content-Length', '0')
                return self.end_headers()
            self._forward(target, body)
        finally:
            self.stats_record()

    do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _handle

    def finish(self):
        super().finish()
        if getattr(self, '_upstream', None) is not None:
            self._upstream.close()

    def _inject(self, status, code=None):
        self.stats_counters.append('injected')
        if self.proxy.args.flavour == 's3':
            code = code or {500: 'InternalError', 503: 'SlowDown', 403: 'AccessDenied'}.get(
                status, 'InternalError')
            self.stats_counters.append('error:' + code)
            body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
                    f'<Message>injected by fault_proxy</Message><RequestId>0</RequestId>'
                    f'</Error>').encode()
            ctype = 'application/xml'
        else:
            body = f'<html><body><h1>{status}</h1></body></html>\n'.encode()
            ctype = 'text/html'
        self.send_response(status)
        self.send_header('Content-Type', ctype)
        if self.proxy.args.retry_after is not None:
            self.send_header('Retry-After', str(self.proxy.args.retry_after))
        if self.command == 'HEAD':
            return self.end_headers()
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _exchange(self, target, body):
        # One upstream connection per client connection, kept alive: a fleet of clients
        # costs the emulator behind one connection each, not one per request.
        conn = getattr(self, '_upstream', None)
        if conn is None:
            conn = self._upstream = http.client.HTTPConnection(
                '127.0.0.1', self.proxy.args.upstream, timeout=60)
        try:
            conn.putrequest(self.command, target, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP:
                    conn.putheader(name, value)
            conn.endheaders(body or None)
            resp = conn.getresponse()
            return resp, resp.read()
        except BaseException:
            conn.close()
            self._upstream = None
            raise

    def _forward(self, target, body):
        p = self.proxy
        reused = getattr(self, '_upstream', None) is not None
        try:
            resp, data = self._exchange(target, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            if not reused:
                raise
            resp, data = self._exchange(target, body)  # the kept-alive connection had closed
        self.stats_counters.append('forwarded')
        ok = 200 <= resp.status < 300 and self.command == 'GET' and data
        short = ok and p.take('short_body')
        self.send_response_only(resp.status, resp.reason)
        self._status = resp.status
        for name, value in resp.getheaders():
            if name.lower() not in _HOP and name.lower() not in ('date', 'server'):
                self.send_header(name, value)
        if short:
            self.stats_counters.append('injected')
            self.close_connection = True
        self.end_headers()
        if self.command == 'HEAD':
            return
        if short:
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            return
        if ok and p.args.slow_body:
            step = max(1, p.args.slow_body // 10)
            for i in range(0, len(data), step):
                self.wfile.write(data[i:i + step])
                self.wfile.flush()
                time.sleep(step / p.args.slow_body)
            return
        self.wfile.write(data)


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--port-file', required=True)
    p.add_argument('--port', type=int, default=0)
    p.add_argument('--stats-file')
    p.add_argument('--upstream', type=int, required=True, help='port of the emulator behind')
    p.add_argument('--flavour', choices=('s3', 'imds'), default='s3')
    p.add_argument('--after', type=int, default=0)
    p.add_argument('--fail', action='append', default=[], metavar='STATUS[:CODE]:N')
    p.add_argument('--retry-after', type=int)
    p.add_argument('--short-body', type=int, default=0)
    p.add_argument('--slow-body', type=int, default=0, metavar='BPS')
    p.add_argument('--redirect', type=int, default=0)
    p.add_argument('--rate-limit', metavar='R[:B]')
    return p.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    Handler.proxy = Proxy(args)
    emu_common.serve(Handler, args.port_file, port=args.port)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
