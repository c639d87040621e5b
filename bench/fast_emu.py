"""The compiled bench emulator (fast_emulator.cc) behind the interface bench.py uses of
scripts/emulators/harness.Emulators: env, imds_url, s3_url, root, put(), stats(), plus
cpu_seconds(). It is built here on first use (c++ -O2, OpenSSL's libcrypto) into
build/bench-emulator/ unless S3US_FAST_EMULATOR names a binary.

Why it exists: the Python emulators verify every signature with botocore (about 1.5 ms of CPU
each, one GIL), so past a few dozen requests in flight they, not the client, set the pace.
This one answers each request exactly L after reading it, all concurrently, each response in
one write(); it checks the credentials are the issued ones but not the signature.
Not responsible for fault injection, checksums other than SHA-256, or large objects.
"""

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request

from harness import client_env  # bench.py puts scripts/emulators on the path

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD_DIR = os.path.join(ROOT, 'build', 'bench-emulator')


def build(name='fast_emulator', override='S3US_FAST_EMULATOR', libs=('-lcrypto',)):
    """The path of bench/NAME.cc compiled, building it when missing or older than its source;
    the environment variable `override` may name another binary."""
    source = os.path.join(HERE, name + '.cc')
    default = os.path.join(BUILD_DIR, name)
    binary = os.environ.get(override) or default
    if binary != default or (os.path.exists(binary) and
                             os.path.getmtime(binary) >= os.path.getmtime(source)):
        return binary
    os.makedirs(BUILD_DIR, exist_ok=True)
    cxx = os.environ.get('CXX') or shutil.which('c++') or 'g++'
    subprocess.run([cxx, '-std=c++20', '-O2', '-o', binary + '.tmp', source, *libs], check=True)
    os.replace(binary + '.tmp', binary)
    return binary


def build_floor_client():
    """bench/floor_client.cc compiled (S3US_FLOOR_CLIENT names another binary)."""
    return build('floor_client', 'S3US_FLOOR_CLIENT', ())


def build_libcurl_floor():
    """bench/libcurl_floor.cc compiled (S3US_LIBCURL_FLOOR names another binary)."""
    return build('libcurl_floor', 'S3US_LIBCURL_FLOOR', ('-lcurl',))


class FastEmulators:
    def __init__(self, tmpdir, latency_ms):
        self.tmpdir = os.path.abspath(tmpdir)
        self.workdir = os.path.join(self.tmpdir, 'fast-emulator')
        self.root = os.path.join(self.workdir, 's3root')
        self.home = os.path.join(self.tmpdir, 'home')
        for d in (self.root, self.home):
            os.makedirs(d, exist_ok=True)
        self.latency_ms = latency_ms
        self.proc = None
        self.ports = None

    def __enter__(self):
        port_file = os.path.join(self.workdir, 'ports')
        log = open(os.path.join(self.workdir, 'log'), 'ab')
        self.proc = subprocess.Popen([build(), '--root', self.root, '--port-file', port_file,
                                      '--latency-ms', str(self.latency_ms)],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError('fast_emulator did not start (see its log)')
            time.sleep(0.01)
        with open(port_file, encoding='ascii') as f:
            self.ports = [int(x) for x in f.read().split()]
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=5)
        return False

    @property
    def imds_url(self):
        return f'http://127.0.0.1:{self.ports[0]}'

    @property
    def s3_url(self):
        return f'http://127.0.0.1:{self.ports[1]}'

    @property
    def env(self):
        return client_env(self.home, self.imds_url, self.s3_url)

    def put(self, bucket, key, data):
        path = os.path.join(self.root, bucket, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)

    def all_stats(self):
        """{'imds'|'s3': {'total', 'max_in_flight'}}; resets the max_in_flight peaks."""
        with urllib.request.urlopen(self.s3_url + '/__stats', timeout=10) as r:
            return json.load(r)

    def stats(self, which):
        return self.all_stats()[which]

    def cpu_seconds(self):
        with open(f'/proc/{self.proc.pid}/stat', encoding='ascii') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
