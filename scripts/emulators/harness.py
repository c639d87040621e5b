#!/usr/bin/python3
"""Test and demo harness: starts the loopback IMDS and S3 emulators as subprocesses and gives
the environment for running s3-user-script against them.

    sys.path.insert(0, os.path.join(os.environ['S3US_SOURCE_DIR'], 'scripts/emulators'))
    from harness import Emulators, assert_no_secrets
    with Emulators(tmpdir, user_data=b'#!/bin/sh\\necho hi\\n') as emu:
        emu.put('bucket', 'dir/a b+c.sh', b'...')
        subprocess.run([binary, ...], env=emu.env)

Command line (for the demo): harness.py serve --dir D [--user-data F] [--objects DIR]
[--imds-arg=--flag ...] [--s3-arg=--flag ...] prints `export`/`unset` lines and stays up
until SIGTERM/SIGINT. Not responsible for protocol behaviour (imds.py, s3.py).
"""

import argparse
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from urllib.parse import quote

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import emu_state  # noqa: E402
import s3_store  # noqa: E402

PYTHON = '/usr/bin/python3'
_STRIPPED = ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
             'AWS_SECURITY_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
             'AWS_DEFAULT_PROFILE', 'AWS_EC2_METADATA_DISABLED', 'AWS_ENDPOINT_URL',
             'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
             'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_ROLE_SESSION_NAME',
             'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_SSO', 'AWS_STS_REGIONAL_ENDPOINTS')


class _Process:
    """One emulator subprocess with its port, stats and log files."""

    def __init__(self, name, workdir):
        self.name = name
        self.port_file = os.path.join(workdir, f'{name}.port')
        self.stats_file = os.path.join(workdir, f'{name}-stats.json')
        self.log_file = os.path.join(workdir, f'{name}.log')
        self.proc = None
        self.port = None

    def start(self, script, args, wait_listening=True, port=0):
        for f in (self.port_file,):
            if os.path.exists(f):
                os.unlink(f)
        cmd = [PYTHON, os.path.join(HERE, script), '--port-file', self.port_file,
               '--stats-file', self.stats_file, '--port', str(port)] + list(args)
        log = open(self.log_file, 'ab')
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'), 'PYTHONDONTWRITEBYTECODE': '1'}
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                     env=env, close_fds=True)
        log.close()
        deadline = time.monotonic() + 15
        while not os.path.exists(self.port_file):
            self._check_alive()
            if time.monotonic() > deadline:
                raise RuntimeError(f'{self.name} emulator wrote no port file')
            time.sleep(0.01)
        with open(self.port_file, encoding='ascii') as f:
            self.port = int(f.read().strip())
        while wait_listening:
            self._check_alive()
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f'{self.name} emulator is not listening')
                time.sleep(0.01)

    def _check_alive(self):
        if self.proc.poll() is not None:
            with open(self.log_file, encoding='utf-8', errors='replace') as f:
                raise RuntimeError(f'{self.name} emulator exited: {f.read()[-2000:]}')

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def stats(self):
        with open(self.stats_file, encoding='utf-8') as f:
            return json.load(f)


class Emulators:
    """IMDS + S3 emulators for one test. user_data: bytes (content) or a path (str/PathLike) or
    None (IMDS answers 404). imds_args/s3_args: extra command-line flags. latency_ms: added to
    every answer of both. sts_args/sso_args: when not None, also start the STS (sts.py) and
    IAM Identity Center portal (sso.py) emulators with these flags; env then points
    AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL_SSO at them."""

    def __init__(self, tmpdir, user_data=None, imds_args=(), s3_args=(), latency_ms=0,
                 sts_args=None, sso_args=None):
        self.tmpdir = os.path.abspath(tmpdir)
        self.workdir = os.path.join(self.tmpdir, 'emulators')
        self.state_dir = os.path.join(self.workdir, 'state')
        self.root = os.path.join(self.workdir, 's3root')
        self.home = os.path.join(self.tmpdir, 'home')
        for d in (self.state_dir, self.root, self.home):
            os.makedirs(d, exist_ok=True)
        self.user_data_file = os.path.join(self.workdir, 'user-data')
        if isinstance(user_data, (bytes, bytearray)):
            self.set_user_data(user_data)
        elif user_data is not None:
            self.user_data_file = os.path.abspath(os.fspath(user_data))
        latency = ['--latency-ms', str(latency_ms)] if latency_ms else []
        self.imds_args = ['--state-dir', self.state_dir, '--user-data',
                          self.user_data_file] + latency + list(imds_args)
        self.s3_args = ['--state-dir', self.state_dir, '--root', self.root] + latency + \
            list(s3_args)
        self._imds = _Process('imds', self.workdir)
        self._s3 = _Process('s3', self.workdir)
        self._extra = {}  # name -> (_Process, script, args)
        for name, args in (('sts', sts_args), ('sso', sso_args)):
            if args is not None:
                self._extra[name] = (_Process(name, self.workdir), f'{name}.py',
                                     ['--state-dir', self.state_dir] + list(args))

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        down = any(a == '--down-seconds' or a.startswith('--down-seconds=')
                   for a in self.imds_args)
        self._imds.start('imds.py', self.imds_args, wait_listening=not down)
        self._s3.start('s3.py', self.s3_args)
        for proc, script, args in self._extra.values():
            proc.start(script, args)

    def stop(self):
        for proc, _, _ in self._extra.values():
            proc.stop()
        self._s3.stop()
        self._imds.stop()

    def restart_s3(self, extra_args=()):
        """Restarts the S3 emulator on the same port with s3_args + extra_args."""
        self._s3.stop()
        self._s3.start('s3.py', self.s3_args + list(extra_args), port=self._s3.port)

    @property
    def imds_url(self):
        return f'http://127.0.0.1:{self._imds.port}'

    @property
    def s3_url(self):
        return f'http://127.0.0.1:{self._s3.port}'

    def url(self, which):
        """Base URL of an emulator: 'imds', 's3', 'sts' or 'sso'."""
        return f'http://127.0.0.1:{self._process(which).port}'

    def _process(self, which):
        if which in self._extra:
            return self._extra[which][0]
        return {'imds': self._imds, 's3': self._s3}[which]

    @property
    def env(self):
        extra = {f'AWS_ENDPOINT_URL_{name.upper()}': self.url(name) for name in self._extra}
        return extra | client_env(self.home, self.imds_url, self.s3_url)

    def set_user_data(self, data):
        with open(self.user_data_file, 'wb') as f:
            f.write(data)

    def put(self, bucket, key, data, version_id=None, content_type=s3_store.DEFAULT_CONTENT_TYPE):
        """Stores an object (exact key); returns its record (etag, version_id, size...)."""
        return s3_store.put(self.root, bucket, key, data, version_id, content_type)

    def make_bucket(self, bucket):
        s3_store.make_bucket(self.root, bucket)

    def stats(self, which):
        return self._process(which).stats()

    def credentials(self):
        """Every credential set issued so far (AccessKeyId, SecretAccessKey, Token, ...)."""
        return emu_state.load_credentials(self.state_dir)

    def expire_credentials(self):
        emu_state.expire_all(self.state_dir)

    def secrets(self):
        return sorted(set(emu_state.all_secrets(self.state_dir)))

    def log(self, which):
        with open(self._process(which).log_file, encoding='utf-8',
                  errors='replace') as f:
            return f.read()


def client_env(home, imds_url, s3_url):
    """The environment of a client of these emulators: their endpoints, and no AWS
    configuration of the machine's."""
    return {
        'PATH': os.environ.get('PATH', '/usr/local/bin:/usr/bin:/bin'),
        'HOME': home,
        'LANG': 'C.UTF-8',
        'AWS_EC2_METADATA_SERVICE_ENDPOINT': imds_url,
        'AWS_ENDPOINT_URL_S3': s3_url,
        'AWS_CONFIG_FILE': os.path.join(home, 'no-such-aws-config'),
        'AWS_SHARED_CREDENTIALS_FILE': os.path.join(home, 'no-such-aws-credentials'),
    }


def _secret_forms(secret):
    """What to look for: the secret and its percent-encodings, each by its first 24
    characters (a form that holds them is found through them; one find instead of two)."""
    return {form[:24] for form in (secret, quote(secret, safe=''), quote(secret, safe='/'))}


def assert_no_secrets(text, emu):
    """Raises AssertionError if any issued secret, token, IMDS token or seen signature (whole,
    percent-encoded, or its first 24 characters) occurs in text; the message names the kind
    and the position only."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode('utf-8', 'replace')
    # Also the percent-decoded text: a secret with only some characters encoded (a '/' as
    # %2F, a '+' kept) matches none of the forms below, but decodes to the secret itself.
    texts = (text, urllib.parse.unquote(text)) if '%' in text else (text,)
    for secret in emu.secrets():
        for form in _secret_forms(secret):
            pos = max(t.find(form) for t in texts)
            if pos >= 0:
                kind = 'signature' if len(secret) == 64 and all(
                    c in '0123456789abcdef' for c in secret) else 'secret/token'
                raise AssertionError(f'a {kind} ({len(secret)} chars) leaked at offset {pos}')


def _load_objects(emu, objects_dir):
    for bucket in sorted(os.listdir(objects_dir)):
        bdir = os.path.join(objects_dir, bucket)
        if not os.path.isdir(bdir):
            continue
        emu.make_bucket(bucket)
        for dirpath, _, files in os.walk(bdir):
            for name in files:
                path = os.path.join(dirpath, name)
                key = os.path.relpath(path, bdir).replace(os.sep, '/')
                with open(path, 'rb') as f:
                    emu.put(bucket, key, f.read())


def _serve_main(argv):
    p = argparse.ArgumentParser(prog='harness.py serve')
    p.add_argument('--dir', required=True)
    p.add_argument('--user-data')
    p.add_argument('--objects', help='DIR/<bucket>/<key...> files to upload')
    p.add_argument('--imds-arg', action='append', default=[])
    p.add_argument('--s3-arg', action='append', default=[])
    args = p.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with Emulators(args.dir, user_data=args.user_data, imds_args=args.imds_arg,
                   s3_args=args.s3_arg) as emu:
        if args.objects:
            _load_objects(emu, args.objects)
        for name in _STRIPPED:
            print(f'unset {name}')
        for name, value in emu.env.items():
            print(f'export {name}={shlex.quote(value)}')
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == '__main__':
    if len(sys.argv) >= 2 and sys.argv[1] == 'serve':
        sys.exit(_serve_main(sys.argv[2:]))
    print('usage: harness.py serve --dir D [--user-data F] [--objects DIR] '
          '[--imds-arg=--flag] [--s3-arg=--flag]', file=sys.stderr)
    sys.exit(2)
