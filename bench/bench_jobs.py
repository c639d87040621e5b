"""Benchmark inputs and jobs: the objects, the user-data blobs and the command lines (shell
scripts for the competitors, argv for s3-user-script) that bench.py times.

A Job is one whole command: `prepare()` resets its outputs before each repetition, `check()`
says whether the run did the job (None when it did, else the reason). Not responsible for
timing, the emulators or the report (bench.py).
"""

import base64
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Callable, List, Optional

AWS = '/usr/bin/aws'  # awscli 2.9 from Debian; a pyenv `aws` (1.x) may come first on PATH
CURL = '/usr/bin/curl'
PYTHON = '/usr/bin/python3'
BUCKET = 'bench'
EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'


@dataclass
class Job:
    name: str
    argv: List[str]
    env: dict
    prepare: Callable[[], None] = lambda: None
    check: Callable[[], Optional[str]] = lambda: None
    out: str = ''  # the file it writes, when bench.py needs it


def key(i):
    return f'obj-{i:03d}.sh'


def object_body(i, size=1024):
    """A small user-data script of `size` bytes: a shebang, comment padding, `exit 0`."""
    body = f'#!/bin/sh\n# bench object {i}\n'.encode()
    tail = b'exit 0\n'
    while len(body) + len(tail) < size:
        room = size - len(body) - len(tail)
        body += b'#' + b'.' * (min(room, 72) - 2) + b'\n' if room >= 2 else b'\n'
    return body + tail


def include_blob(n):
    """N `#s3-include` lines naming the bench objects, as a user would write them."""
    return ('#s3-include\n' + ''.join(f's3://{BUCKET}/{key(i)}\n' for i in range(n))).encode()


def typical_blob():
    """About 16 KB of MIME multipart user data with 10 parts and no includes: shell scripts,
    cloud-config and one base64-encoded script, as seen in the wild."""
    boundary = '===============bench0123456789=='
    parts = []
    for i in range(7):
        lines = ['#!/bin/bash', 'set -euo pipefail', f'# step {i}: configure the instance']
        j = 0
        while sum(len(x) + 1 for x in lines) < 1450:
            lines.append(f'echo "step {i} line {j}: installing package-{j} and writing config" '
                         f'>> /var/log/bench-{i}.log')
            j += 1
        parts.append(('text/x-shellscript', f'step-{i}.sh', None, '\n'.join(lines) + '\n'))
    for i in range(2):
        lines = ['#cloud-config', 'package_update: true', 'packages:']
        lines += [f'  - package-{i}-{j}' for j in range(60)]
        lines += ['runcmd:', f'  - [sh, -c, "echo cloud-config {i}"]']
        parts.append(('text/cloud-config', f'config-{i}.yaml', None, '\n'.join(lines) + '\n'))
    script = '#!/bin/sh\n' + ''.join(f'echo "encoded line {j}"\n' for j in range(60))
    parts.append(('text/x-shellscript', 'encoded.sh', 'base64',
                  base64.encodebytes(script.encode()).decode()))
    out = [f'Content-Type: multipart/mixed; boundary="{boundary}"', 'MIME-Version: 1.0', '']
    for ctype, name, encoding, body in parts:
        out += [f'--{boundary}', f'Content-Type: {ctype}; charset="us-ascii"',
                'MIME-Version: 1.0',
                f'Content-Transfer-Encoding: {encoding or "7bit"}',
                f'Content-Disposition: attachment; filename="{name}"', '', body]
    out += [f'--{boundary}--', '']
    return '\n'.join(out).encode()


# What users hand-roll: IMDSv2 token, role name, role credentials with curl; JSON with python3.
_CURL_CREDENTIALS = f'''set -eu
TOKEN=$({CURL} -sS --fail -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 21600' \\
  "$IMDS/latest/api/token")
ROLE=$({CURL} -sS --fail -H "X-aws-ec2-metadata-token: $TOKEN" \\
  "$IMDS/latest/meta-data/iam/security-credentials/")
CREDS=$({CURL} -sS --fail -H "X-aws-ec2-metadata-token: $TOKEN" \\
  "$IMDS/latest/meta-data/iam/security-credentials/$ROLE")
eval "$(printf '%s' "$CREDS" | {PYTHON} -c 'import json, shlex, sys
c = json.load(sys.stdin)
for v, k in (("AK", "AccessKeyId"), ("SK", "SecretAccessKey"), ("TK", "Token")):
    print(v + "=" + shlex.quote(c[k]))')"
'''

# curl 7.88 signs with --aws-sigv4 but adds neither x-amz-content-sha256 (S3 requires it) nor
# the session token: both go in by hand.
_CURL_SIGV4 = (f'--aws-sigv4 aws:amz:us-east-1:s3 --user "$AK:$SK" '
               f'-H "x-amz-security-token: $TK" -H "x-amz-content-sha256: {EMPTY_SHA256}"')


def _write_script(path, body):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('#!/bin/sh\n' + body)
    os.chmod(path, 0o755)


def _fresh_dir(path):
    def prepare():
        shutil.rmtree(path, ignore_errors=True)
        os.makedirs(path)
    return prepare


def _check_objects(out_dir, n, bodies):
    def check():
        for i in range(n):
            p = os.path.join(out_dir, key(i))
            try:
                with open(p, 'rb') as f:
                    if f.read() != bodies[i]:
                        return f'{key(i)}: wrong content'
            except OSError as e:
                return f'{key(i)}: {e.strerror}'
        return None
    return check


def competitor_jobs(work, n, emu_env, imds_url, s3_url, bodies, sweep=()):
    """The three ways users fetch N objects today, as shell scripts under work/; the
    `curl --parallel` one at 64 in flight and at each value of sweep."""
    out = os.path.join(work, f'out-{n}')
    env = dict(emu_env, IMDS=imds_url, S3=s3_url, OUT=out,
               # awscli 2.9 joins this with 'latest/api/token' without a separator.
               AWS_EC2_METADATA_SERVICE_ENDPOINT=imds_url + '/')
    check = _check_objects(out, n, bodies)
    jobs = []

    aws = os.path.join(work, f'aws-cp-{n}.sh')
    # awscli 2.9 ignores AWS_ENDPOINT_URL_S3 (added in 2.13): --endpoint-url is needed.
    _write_script(aws, 'set -eu\n' + ''.join(
        f'{AWS} --endpoint-url "$S3" s3 cp s3://{BUCKET}/{key(i)} "$OUT/{key(i)}" >/dev/null\n'
        for i in range(n)))
    jobs.append(Job('aws s3 cp, once per object', [aws], env, _fresh_dir(out), check))

    serial = os.path.join(work, f'curl-serial-{n}.sh')
    _write_script(serial, _CURL_CREDENTIALS + ''.join(
        f'{CURL} -sS --fail {_CURL_SIGV4} -o "$OUT/{key(i)}" "$S3/{BUCKET}/{key(i)}"\n'
        for i in range(n)))
    jobs.append(Job('curl --aws-sigv4, once per object', [serial], env, _fresh_dir(out), check))

    # The reference row at 64 in flight, and one more per --max-parallel value swept.
    for k in [64] + [k for k in sweep if k != 64]:
        parallel = os.path.join(work, f'curl-parallel-{n}-{k}.sh')
        _write_script(parallel, _CURL_CREDENTIALS + (
            f'{CURL} --no-progress-meter --fail --parallel --parallel-max {k} {_CURL_SIGV4} \\\n'
            f'  -o "$OUT/obj-#1.sh" "$S3/{BUCKET}/obj-[000-{n - 1:03d}].sh"\n'))
        name = 'curl --parallel (one process)' if k == 64 else \
            f'curl --parallel --parallel-max {k}'
        jobs.append(Job(name, [parallel], env, _fresh_dir(out), check))
    return jobs


def floor_job(name, n, client, emu_env, imds_url, s3_url):
    """A floor client (bench/floor_client.cc on raw sockets, bench/libcurl_floor.cc on
    libcurl): the three IMDS round trips, then all N GETs at once (at most 512 in flight) on one
    thread, bodies kept in memory as `plan` keeps them, no signing or parsing. What the machine
    and the emulator (and libcurl) allow before any real client's cost; the fast emulator only
    (it checks no signature). It exits 1 unless every GET got a whole 200."""
    return Job(name, [client, imds_url, s3_url, BUCKET, str(n), str(min(n, 512))], emu_env)


def our_commands(binary):
    """{command: None if available else the reason}, from `BINARY COMMAND --help`."""
    result = {}
    for cmd in ('plan', 'replay', 'get'):
        try:
            p = subprocess.run([binary, cmd, '--help'], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=30)
        except OSError as e:
            result[cmd] = f'cannot run {binary}: {e.strerror}'
            continue
        text = (p.stdout + p.stderr).decode('utf-8', 'replace')
        # An unwired binary prints its top-level help (exit 0) without naming the command.
        if p.returncode != 0 or not re.search(rf'\b{cmd}\b', text):
            result[cmd] = f'`{os.path.basename(binary)} {cmd} --help` exit {p.returncode}, ' \
                'no such command'
        else:
            result[cmd] = None
    return result


def get_help(binary):
    p = subprocess.run([binary, 'get', '--help'], stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=30)
    return (p.stdout + p.stderr).decode('utf-8', 'replace')


def _content_check(path_expect=None):
    def check():
        if path_expect is None:
            return None
        path, body = path_expect
        try:
            with open(path, 'rb') as f:
                return None if f.read() == body else f'{path}: wrong content'
        except OSError as e:
            return f'{path}: {e.strerror}'
    return check


def our_jobs(work, n, binary, emu_env, sweep=()):
    """plan and replay of a blob of N #s3-include lines; one more plan per --max-parallel
    value in sweep."""
    blob = os.path.join(work, f'includes-{n}.txt')
    with open(blob, 'wb') as f:
        f.write(include_blob(n))
    state = os.path.join(work, f'state-{n}')
    # Past the default --max-objects (256) a user raises it, as here.
    limit = ['--max-objects', str(n)] if n > 256 else []
    return {
        'plan': Job('s3-user-script plan', [binary, 'plan', blob] + limit, emu_env),
        'replay': Job('s3-user-script replay', [binary, 'replay', blob, '--state-dir',
                                                os.path.join(state, 's')] + limit,
                      emu_env, _fresh_dir(state)),
    } | {
        f'plan-{k}': Job(f's3-user-script plan --max-parallel {k}',
                         [binary, 'plan', blob, '--max-parallel', str(k)] + limit, emu_env)
        for k in sweep
    }


def get_job(work, binary, emu_env, body, url=f's3://{BUCKET}/{key(0)}', extra=(),
            name='s3-user-script get', out_dir_name='get-out'):
    out_dir = os.path.join(work, out_dir_name)
    out = os.path.join(out_dir, 'object')
    check = _content_check((out, body) if body is not None else None)
    return Job(name, [binary, 'get', url, '-o', out] + list(extra), emu_env,
               _fresh_dir(out_dir), check, out=out)


def dry_run_job(work, binary, emu_env, blob):
    state = os.path.join(work, 'state-dry')
    return Job('s3-user-script replay --dry-run', [binary, 'replay', blob, '--dry-run',
                                                   '--state-dir', os.path.join(state, 's')],
               emu_env, _fresh_dir(state))


def big_curl_job(work, env, key_name, name, durable=False):
    """Credentials with curl, then one signed GET of a large object to a file; `durable`:
    then `sync FILE` (fsync), which `get` does before its rename and curl does not."""
    suffix = '-sync' if durable else ''
    out_dir = os.path.join(work, 'big-curl' + suffix)
    script = os.path.join(work, f'curl-big{suffix}.sh')
    _write_script(script, _CURL_CREDENTIALS +
                  f'{CURL} -sS --fail {_CURL_SIGV4} -o "$OUT/{key_name}" '
                  f'"$S3/{BUCKET}/{key_name}"\n' +
                  (f'sync "$OUT/{key_name}"\n' if durable else ''))
    return Job(name, [script], dict(env, OUT=out_dir), _fresh_dir(out_dir),
               out=os.path.join(out_dir, key_name))
