#!/usr/bin/python3
"""Writes the bad-input corpus: hostile user-data blobs (blobs/) and the S3 objects their
includes name (objects/<bucket>/<key>). Deterministic: the same bytes on every run.

    generate.py [--out DIR] [--large]

Without --large, the small blobs (committed in tests/data/bad/); with --large, only the big
ones (gzip bombs, huge lines and headers), which the corpus test writes into its temporary
directory instead of the repository. Expected outcomes: manifest.json.
"""

import argparse
import gzip
import io
import os
import struct
import zlib

SMALL, LARGE = {}, {}
OBJECTS = {}


def blob(name, large=False):
    def register(fn):
        (LARGE if large else SMALL)[name] = fn
        return fn
    return register


def gz(data, mtime=0):
    return gzip.compress(data, mtime=mtime)


def mime(parts, boundary='XX', preamble='', epilogue='', close=True):
    out = f'Content-Type: multipart/mixed; boundary="{boundary}"\nMIME-Version: 1.0\n\n'
    out += preamble
    for headers, body in parts:
        out += f'--{boundary}\n' + ''.join(h + '\n' for h in headers) + '\n' + body + '\n'
    if close:
        out += f'--{boundary}--\n'
    return (out + epilogue).encode('utf-8', 'surrogateescape')


def part(ctype='text/x-shellscript', filename='a.sh', body='#!/bin/sh\necho hi', extra=()):
    headers = [f'Content-Type: {ctype}']
    if filename is not None:
        headers.append(f'Content-Disposition: attachment; filename="{filename}"')
    return headers + list(extra), body


def include(*lines, head='#s3-include'):
    return (head + '\n' + ''.join(line + '\n' for line in lines)).encode('utf-8',
                                                                         'surrogateescape')


# --- MIME structure -------------------------------------------------------------------------
SMALL['mime-no-boundary-param'] = lambda: b'Content-Type: multipart/mixed\n\n--XX\n\nhi\n--XX--\n'
SMALL['mime-empty-boundary'] = lambda: b'Content-Type: multipart/mixed; boundary=""\n\n--\n\n--\n'
SMALL['mime-boundary-never-used'] = lambda: mime([part()]).replace(b'--XX', b'--YY')
SMALL['mime-no-closing-boundary'] = lambda: mime([part()], close=False)
SMALL['mime-boundary-71-chars'] = lambda: mime([part()], boundary='b' * 71)
SMALL['mime-boundary-with-space-end'] = lambda: mime([part()], boundary='ab ')
SMALL['mime-no-parts'] = lambda: mime([])
SMALL['mime-only-preamble'] = lambda: b'Content-Type: multipart/mixed; boundary=XX\n\npreamble only\n'
SMALL['mime-two-content-types'] = lambda: (
    b'Content-Type: multipart/mixed; boundary=AA\nContent-Type: multipart/mixed; boundary=BB\n'
    b'\n--AA\nContent-Type: text/x-shellscript\n\n#!/bin/sh\n--BB\n\n#!/bin/sh\n--AA--\n--BB--\n')
SMALL['mime-boundary-prefix-of-other'] = lambda: (
    b'Content-Type: multipart/mixed; boundary=AB\n\n--AB\n'
    b'Content-Type: multipart/mixed; boundary=ABC\n\n--ABC\nContent-Type: text/x-shellscript\n'
    b'\n#!/bin/sh\necho inner\n--ABC--\n--AB--\n')
SMALL['mime-header-no-colon'] = lambda: mime([(['Content-Type text/x-shellscript'], '#!/bin/sh')])
SMALL['mime-part-header-nul'] = lambda: mime([(['Content-Type: text/x-shell\0script'],
                                               '#!/bin/sh')])
SMALL['mime-ctype-no-subtype'] = lambda: mime([part(ctype='text')])
SMALL['mime-ctype-garbage'] = lambda: mime([part(ctype=';;;==;')])
SMALL['mime-ctype-unterminated-quote'] = lambda: (
    b'Content-Type: multipart/mixed; boundary="XX\n\n--XX\n\nhi\n--XX--\n')
SMALL['mime-base64-invalid'] = lambda: mime([part(extra=['Content-Transfer-Encoding: base64'],
                                                  body='!!!not*base64$$$')])
SMALL['mime-base64-truncated'] = lambda: mime([part(extra=['Content-Transfer-Encoding: base64'],
                                                    body='IyEvYmluL3NoCmVjaG8gaGk')])
SMALL['mime-qp-broken'] = lambda: mime([part(extra=['Content-Transfer-Encoding: '
                                                    'quoted-printable'], body='#!/bin/sh\n=ZZ=')])
SMALL['mime-unknown-cte'] = lambda: mime([part(extra=['Content-Transfer-Encoding: x-rot13'])])
SMALL['mime-nested-17'] = lambda: _nested(17)
SMALL['mime-nested-40'] = lambda: _nested(40)
SMALL['mime-multipart-no-body'] = lambda: b'Content-Type: multipart/mixed; boundary=XX\n'
SMALL['mime-crlf-lf-mixed'] = lambda: mime([part(), part(filename='b.sh')]).replace(
    b'\n--XX\n', b'\r\n--XX\r\n', 1)
SMALL['mime-folded-forever'] = lambda: (b'Content-Type: multipart/mixed;\n' +
                                        b' \n' * 3000 + b' boundary=XX\n\n--XX\n\nx\n--XX--\n')
SMALL['mime-rfc822-wrapped'] = lambda: mime([(['Content-Type: message/rfc822'],
                                              mime([part()], boundary='IN').decode())])
SMALL['mime-gzip-part-corrupt'] = lambda: mime([(['Content-Type: application/x-gzip',
                                                  'Content-Transfer-Encoding: base64'],
                                                 'H4sIAAAAAAAA/0tMTMzjAgAAAAA=')])


def _nested(depth):
    inner = '#!/bin/sh\necho deep'
    for i in range(depth):
        b = f'L{i}'
        inner = (f'Content-Type: multipart/mixed; boundary="{b}"\n\n--{b}\n'
                 f'{inner if inner.startswith("Content-Type") else "Content-Type: text/x-shellscript" + chr(10) + chr(10) + inner}'
                 f'\n--{b}--')
    return b'MIME-Version: 1.0\n' + inner.encode()


# --- part names: traversal and control characters -----------------------------------------
for i, name in enumerate(['../../../etc/passwd', '/etc/shadow', '..', '.', '',
                          'a\x1b[31mred', 'nul\\0name', 'new\nline', 'x' * 5000,
                          'dir/../../up', '\u202ertl-override.sh', 'con\x7fdel', '~/.ssh/keys',
                          '%2e%2e%2fenc']):
    SMALL[f'name-{i:02d}'] = (lambda name=name: mime([part(filename=name)]))
SMALL['name-rfc2231-traversal'] = lambda: mime([(['Content-Type: text/x-shellscript',
                                                  "Content-Disposition: attachment; "
                                                  "filename*=UTF-8''..%2F..%2Fetc%2Fcron.d%2Fx"],
                                                 '#!/bin/sh')])

# --- encodings ------------------------------------------------------------------------------
SMALL['enc-utf16-bom-script'] = lambda: '#!/bin/sh\necho hi\n'.encode('utf-16')
SMALL['enc-utf8-bom-script'] = lambda: b'\xef\xbb\xbf#!/bin/sh\necho hi\n'
SMALL['enc-nul-in-script'] = lambda: b'#!/bin/sh\necho a\0b\n'
SMALL['enc-nul-first'] = lambda: b'\0#!/bin/sh\n'
# Not UTF-8: cloud-init holds it with surrogate escapes, which PyYAML's reader refuses, so it
# drops the config; refused before anything runs.
SMALL['enc-latin1-cloud-config'] = lambda: b'#cloud-config\nfoo: caf\xe9\n'
SMALL['enc-overlong-utf8'] = lambda: b'#cloud-config\nx: \xc0\xaf\xe0\x80\xaf\n'
SMALL['enc-lone-surrogate'] = lambda: b'#!/bin/sh\necho \xed\xa0\x80\n'
SMALL['enc-only-bom'] = lambda: b'\xef\xbb\xbf'
SMALL['enc-binary-noise'] = lambda: bytes((i * 131 + 7) % 256 for i in range(4096))
SMALL['enc-whitespace-only'] = lambda: b' \n\t\n\r\n'
SMALL['enc-empty'] = lambda: b''
SMALL['enc-shebang-only'] = lambda: b'#!'
SMALL['enc-include-utf16'] = lambda: '#s3-include\ns3://bad/ok.sh\n'.encode('utf-16')
SMALL['enc-nul-in-mime-boundary'] = lambda: mime([part()], boundary='A\0B')


# --- gzip -----------------------------------------------------------------------------------
def _corrupt_crc(data):
    g = bytearray(gz(data))
    g[-8] ^= 0xFF
    return bytes(g)


def _corrupt_isize(data):
    g = bytearray(gz(data))
    g[-1] ^= 0x01
    return bytes(g)


def _raw_gzip(flags, extra=b'', body=b'#!/bin/sh\n'):
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    deflated = comp.compress(body) + comp.flush()
    trailer = struct.pack('<II', zlib.crc32(body), len(body))
    return b'\x1f\x8b\x08' + bytes([flags]) + b'\0\0\0\0\0\xff' + extra + deflated + trailer


SCRIPT = b'#!/bin/sh\necho hello\n'
SMALL['gz-truncated'] = lambda: gz(SCRIPT * 50)[:40]
SMALL['gz-bad-crc'] = lambda: _corrupt_crc(SCRIPT)
SMALL['gz-bad-isize'] = lambda: _corrupt_isize(SCRIPT)
SMALL['gz-header-only'] = lambda: gz(SCRIPT)[:10]
SMALL['gz-magic-only'] = lambda: b'\x1f\x8b'
SMALL['gz-trailing-garbage'] = lambda: gz(SCRIPT) + b'garbage after the member'
SMALL['gz-empty-member'] = lambda: gz(b'')
SMALL['gz-reserved-flags'] = lambda: _raw_gzip(0xE0)
SMALL['gz-fname-unterminated'] = lambda: _raw_gzip(0x08, b'name-without-end')[:40]
SMALL['gz-fextra-overlong'] = lambda: _raw_gzip(0x04, struct.pack('<H', 60000) + b'x' * 10)
SMALL['gz-bad-method'] = lambda: b'\x1f\x8b\x07' + gz(SCRIPT)[3:]
SMALL['gz-deflate-garbage'] = lambda: gz(SCRIPT)[:10] + bytes(range(256)) + b'\0' * 8
SMALL['gz-nested-5'] = lambda: _nest_gz(SCRIPT, 5)
SMALL['gz-of-corrupt-gz'] = lambda: gz(_corrupt_crc(SCRIPT))
SMALL['gz-double-bomb'] = lambda: gz(gz_repeat(b'', b'\0', 200 << 20))
SMALL['gz-mime-of-bombs'] = lambda: gz(mime([(['Content-Type: application/x-gzip',
                                               'Content-Transfer-Encoding: base64'],
                                              _b64(gz_repeat(b'', b'#', 20 << 20)))] * 5))
SMALL['gz-include-truncated'] = lambda: gz(include('s3://bad/ok.sh'))[:-6]


def gz_repeat(prefix, fill, count):
    """gzip of prefix + fill * count, compressed in chunks (a bomb never sits in memory)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [comp.compress(prefix)]
    chunk = fill * (1 << 20)
    for _ in range(count >> 20):
        out.append(comp.compress(chunk))
    out.append(comp.compress(fill * (count & ((1 << 20) - 1))))
    out.append(comp.flush())
    return b''.join(out)


def _nest_gz(data, n):
    for _ in range(n):
        data = gz(data)
    return data


def _b64(data):
    import base64
    return base64.encodebytes(data).decode()


LARGE['gz-bomb-256m'] = lambda: gz_repeat(b'', b'\0', 256 << 20)
LARGE['gz-bomb-script-100m'] = lambda: gz_repeat(b'#!/bin/sh\n', b'#', 100 << 20)
LARGE['gz-bomb-include-lines'] = lambda: gz_repeat(b'#s3-include\n', b'#\n', 20 << 20)

# --- huge headers and lines ----------------------------------------------------------------
LARGE['huge-header-block'] = lambda: mime([part(extra=['X-Pad: ' + 'p' * (1 << 20)])])
LARGE['huge-header-many-fields'] = lambda: mime([part(extra=[f'X-{i}: v' for i in
                                                             range(200000)])])
LARGE['huge-top-header'] = lambda: (b'Content-Type: multipart/mixed; boundary=XX; x="' +
                                    b'q' * (2 << 20) + b'"\n\n--XX\n\nhi\n--XX--\n')
LARGE['huge-user-data-over-16m'] = lambda: b'#!/bin/sh\n' + b'#' * (16 << 20)
LARGE['huge-include-line'] = lambda: include('s3://bad/' + 'k' * (4 << 20))
LARGE['huge-include-line-nul'] = lambda: include('s3://bad/' + '\x00' * (4 << 20))
LARGE['huge-include-many-comments'] = lambda: b'#s3-include\n' + b'# c\n' * (3 << 20)
LARGE['huge-parts-5000'] = lambda: mime([part(filename=f'p{i}.sh') for i in range(5000)])
# Lines ended by CR alone: each was a scan to the end of the body for the next LF (minutes).
LARGE['huge-cr-only-lines'] = lambda: gz(mime([part(body='#!/bin/sh' + '\r' * (4 << 20))]))
LARGE['huge-boundaries-only'] = lambda: mime([]).replace(b'--XX--\n', b'--XX\n' * 400000 +
                                                          b'--XX--\n')

# --- include lines: URLs, buckets and ARNs -------------------------------------------------
BAD_LINES = {
    'url-bucket-uppercase': 's3://BadBucket/key',
    'url-bucket-too-short': 's3://ab/key',
    'url-bucket-too-long': 's3://' + 'b' * 64 + '/key',
    'url-bucket-ip': 's3://192.168.1.1/key',
    'url-bucket-xn': 's3://xn--bucket/key',
    'url-bucket-underscore': 's3://bad_bucket/key',
    'url-bucket-double-dot': 's3://bad..bucket/key',
    'url-bucket-dash-end': 's3://bucket-/key',
    'url-bucket-s3alias': 's3://bucket-s3alias/key',
    'url-bucket-bad-char': 's3://bad+bucket/key',
    'url-bucket-over-255': 's3://' + 'B' * 256 + '/key',
    'url-bucket-legacy-hosted': 'https://bad_bucket.s3.amazonaws.com/key',
    'url-no-bucket': 's3:///key',
    'url-empty': 's3://',
    'url-http-plain': 'http://bad.s3.amazonaws.com/ok.sh',
    'url-file': 'file:///etc/passwd',
    'url-ftp': 'ftp://example.com/x',
    'url-userinfo': 'https://user:pass@bad.s3.amazonaws.com/ok.sh',
    'url-foreign-host': 'https://example.com/ok.sh',
    'url-crlf-injection': 's3://bad/ok.sh%0d%0aX-Evil:%201',
    'url-control-char': 's3://bad/ok\x07.sh',
    'url-del-char': 's3://bad/ok\x7f.sh',
    'url-nul-esc-cr': 's3://bad/a\x00b\x1b[31mc\rd\x07.sh',
    'url-control-long': 's3://bad/' + '\x01' * 5000,
    'url-space-in-scheme': 's 3://bad/ok.sh',
    'url-bad-percent': 'https://bad.s3.amazonaws.com/%zz',
    'url-port-garbage': 'https://bad.s3.amazonaws.com:99999/ok.sh',
    'url-ipv6-garbage': 'https://[::1/ok.sh',
    'url-unicode-host': 'https://bäd.s3.amazonaws.com/ok.sh',
    'arn-china': 'arn:aws-cn:s3:::bad/ok.sh',
    'arn-govcloud': 'arn:aws-us-gov:s3:::bad/ok.sh',
    'arn-iam': 'arn:aws:iam::123456789012:role/x',
    'arn-no-key': 'arn:aws:s3:::bad',
    'arn-wildcard': 'arn:aws:s3:::bad/*',
    'arn-accesspoint-other-account': 'arn:aws:s3:us-east-1:999999999999:accesspoint/ap/object/k',
    'arn-garbage': 'arn:::::',
    'arn-unknown-partition': 'arn:evil:s3:::bad/ok.sh',
    'arn-lambda': 'arn:aws:lambda:us-east-1:123456789012:function:f',
    'opt-sha256-short': 's3://bad/ok.sh sha256=abc',
    'opt-sha256-nonhex': 's3://bad/ok.sh sha256=' + 'z' * 64,
    'opt-sha256-wrong': 's3://bad/ok.sh sha256=' + '0' * 64,
    'opt-unknown': 's3://bad/ok.sh colour=blue',
    'opt-sha256-twice': 's3://bad/ok.sh sha256=' + '0' * 64 + ' sha256=' + '1' * 64,
    'opt-version-empty': 's3://bad/ok.sh version=',
    'key-traversal-missing': 's3://bad/../../etc/passwd',
    'key-missing': 's3://bad/no-such-key',
    'bucket-missing': 's3://no-such-bucket-here/key',
}
for _name, _line in BAD_LINES.items():
    SMALL['inc-' + _name] = (lambda line=_line: include(line))
SMALL['inc-empty-list'] = lambda: include()
SMALL['inc-only-comments'] = lambda: include('# nothing', '#', '   ')
SMALL['inc-include-http'] = lambda: include('http://127.0.0.1:9/x', head='#include')
SMALL['inc-include-once-file'] = lambda: include('file:///etc/shadow', head='#include-once')
SMALL['inc-cycle-self'] = lambda: include('s3://bad/cycle-self')
SMALL['inc-cycle-two'] = lambda: include('s3://bad/cycle-a')
SMALL['inc-depth-9'] = lambda: include('s3://bad/depth-1')
SMALL['inc-gzip-bomb-object'] = lambda: include('s3://bad/bomb.gz')
SMALL['inc-bad-mime-object'] = lambda: include('s3://bad/bad-mime')
SMALL['inc-mime-part-bad-line'] = lambda: mime([(['Content-Type: text/x-s3-include'],
                                                 's3://B+D/x')])
SMALL['inc-ok-control'] = lambda: include('s3://bad/ok.sh')

OBJECTS['bad/ok.sh'] = SCRIPT
OBJECTS['bad/cycle-self'] = include('s3://bad/cycle-self')
OBJECTS['bad/cycle-a'] = include('s3://bad/cycle-b')
OBJECTS['bad/cycle-b'] = include('s3://bad/cycle-a')
for _i in range(1, 10):
    OBJECTS[f'bad/depth-{_i}'] = include(f's3://bad/depth-{_i + 1}')
OBJECTS['bad/depth-10'] = SCRIPT
OBJECTS['bad/bomb.gz'] = gz_repeat(b'#!/bin/sh\n', b'#', 80 << 20)
OBJECTS['bad/bad-mime'] = b'Content-Type: multipart/mixed; boundary=XX\n\n--XX\n\nno end\n'


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('--out', default=os.path.dirname(os.path.abspath(__file__)))
    p.add_argument('--large', action='store_true')
    args = p.parse_args()
    blobs = os.path.join(args.out, 'blobs')
    os.makedirs(blobs, exist_ok=True)
    for name, make in sorted((LARGE if args.large else SMALL).items()):
        with open(os.path.join(blobs, name), 'wb') as f:
            f.write(make())
    if not args.large:
        for path, data in sorted(OBJECTS.items()):
            full = os.path.join(args.out, 'objects', path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
