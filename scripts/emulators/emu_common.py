"""Shared plumbing of the loopback emulators: request statistics, atomic JSON files,
locked state files and the serve loop (127.0.0.1, port 0, port file, clean SIGTERM).

Not responsible for any protocol behaviour: imds.py and s3.py own that.
"""

import contextlib
import fcntl
import json
import os
import signal
import socket
import struct
import tempfile
import threading
import time
from http.server import ThreadingHTTPServer


def write_json_atomic(path, data):
    """Writes data as JSON to path through a temporary file and rename."""
    # One dumps (C encoder: json.dump and indent take the pure-Python one) and one write:
    # the stats file is rewritten before every answer, on the answer's critical path.
    text = json.dumps(data, sort_keys=True).encode('utf-8')
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_json(path, default):
    try:
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    except FileNotFoundError:
        return default


@contextlib.contextmanager
def file_lock(path):
    """Exclusive advisory lock shared between the emulators and the harness."""
    with open(path, 'a+') as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


class Stats:
    """Counts requests and concurrency; rewrites the stats file after each request."""

    def __init__(self, path):
        self._path = path
        self._lock = threading.Lock()
        self._data = {
            'total': 0,
            'by_request': {},
            'by_status': {},
            'in_flight': 0,
            'max_in_flight': 0,
        }
        self._flush_locked()

    def note(self, counter):
        """Counts an event at once (not at the end of its request), for tests to wait on."""
        with self._lock:
            self._data[counter] = self._data.get(counter, 0) + 1
            self._flush_locked()

    def begin(self):
        with self._lock:
            self._data['in_flight'] += 1
            self._data['max_in_flight'] = max(self._data['max_in_flight'],
                                              self._data['in_flight'])

    def end(self, method, path, status, counters=()):
        with self._lock:
            d = self._data
            d['in_flight'] -= 1
            d['total'] += 1
            for counter in counters:
                d[counter] = d.get(counter, 0) + 1
            name = f'{method} {path}'
            d['by_request'][name] = d['by_request'].get(name, 0) + 1
            d['by_status'][str(status)] = d['by_status'].get(str(status), 0) + 1
            self._flush_locked()

    def snapshot(self):
        with self._lock:
            return json.loads(json.dumps(self._data))

    def _flush_locked(self):
        if self._path:
            write_json_atomic(self._path, self._data)


class StatsMixin:
    """For BaseHTTPRequestHandler subclasses: a request is recorded when its headers are sent
    (before the body), so a client holding the whole answer always sees it in the stats."""

    def stats_begin(self, stats, path):
        self._stats, self._stats_path, self._status, self._recorded = stats, path, 0, False
        self.stats_counters = []
        stats.begin()

    def send_response(self, code, message=None):
        self._status = code
        super().send_response(code, message)

    def end_headers(self):
        self.stats_record()
        super().end_headers()

    def end_headers_with_body(self, body=b''):
        """Ends the headers and sends them with the body in one write, as a real server does:
        headers and body written apart make the client's delayed ACK (~40 ms) stall every
        response on a reused connection, which would measure the emulator, not the client.
        Fault paths that send part of a body on purpose use end_headers() and wfile instead."""
        self.stats_record()
        self._headers_buffer.append(b'\r\n')
        if body:
            self._headers_buffer.append(body)
        self.flush_headers()

    def stats_record(self):
        if getattr(self, '_stats', None) is not None and not self._recorded:
            self._recorded = True
            self._stats.end(self.command, self._stats_path, self._status, self.stats_counters)


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = True

    def get_request(self):
        # A response goes out in one write (end_headers_with_body); the fault paths that write
        # a body in pieces (reset mid-body, slow body) must not wait for the delayed ACK either.
        conn, addr = super().get_request()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn, addr


def serve(handler_class, port_file, delay_listen_seconds=0.0, port=0):
    """Binds 127.0.0.1:port (0: any), writes the port file, listens (after an optional delay
    during which connections are refused) and serves until SIGTERM or SIGINT."""
    server = LoopbackServer(('127.0.0.1', port), handler_class, bind_and_activate=False)
    server.server_bind()
    port = server.server_address[1]
    stopping = threading.Event()

    def on_signal(signum, frame):
        stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    write_port_file(port_file, port)
    # A bound socket that does not listen yet answers SYN with RST: "connection refused".
    deadline = time.monotonic() + delay_listen_seconds
    while not stopping.is_set() and time.monotonic() < deadline:
        time.sleep(0.02)
    if stopping.is_set():
        server.server_close()
        return
    server.server_activate()
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        server.server_close()


def write_port_file(path, port):
    if not path:
        print(port, flush=True)
        return
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='ascii') as f:
        f.write(f'{port}\n')
    os.replace(tmp, path)


def free_socket_abruptly(sock):
    """Closes a connection with RST instead of FIN (the peer sees a reset)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        sock.close()
