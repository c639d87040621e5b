#!/usr/bin/python3
"""Writes N odd or hostile user-data blobs, written byte by byte (not by Python's email
writer), deterministic for a seed: the inputs a hand edit, another tool or an attacker
makes, for the differential against cloud-init (tests/userdata/differential_test.cc).

Usage: /usr/bin/python3 generate_hostile.py OUTDIR SEED N

Headers: folding, odd whitespace, name and value case, comments, duplicated / missing /
quoted / RFC 2231 boundary, charset and filename parameters, Launch-Index values, late or
missing MIME-Version. Structure: nesting (message/rfc822 too), empty parts, preambles and
epilogues, lines that look like boundaries, LF / CRLF / mixed line ends, missing close
delimiters, transport padding. Payloads: every starts-with marker behind a BOM, blanks or a
CR, #include lists with comments and blanks, gzip parts, gzip of the whole blob, per-boot
types, unknown types. Each blob is either one of these or a plain (non-MIME) one.
"""
import base64
import gzip
import os
import quopri
import random
import sys

MARKERS = ['#!/bin/sh', '#cloud-config', '#include', '#include-once', '#s3-include',
           '#cloud-boothook', '#part-handler', '#cloud-config-archive', '#cloud-config-jsonp',
           '## template: jinja', '#upstart-job', '#!', '#Cloud-Config', '#INCLUDE',
           '#include-Once', 'text/x-shellscript-per-boot', 'hello', '', '#', '#cloud-confi']
LEADS = ['', '', '', '\ufeff', ' ', '\t', '\r\n', '\n', '  \n ', '\x00', '\u00a0', '\x0b']
LINES = ['echo hi', 'runcmd: [ls]', 'http://example.com/a.sh', '  # comment', '', '   ',
         '#include http://e.com/x', '#include-once  http://e.com/y', 's3://bkt/k.sh',
         '#', 'From nowhere', 'Content-Type: text/plain', '--', '---', 'launch-index: 2',
         '=41=\n', 'caf\u00e9', '\t', 'MIME-Version: 1.0', '#cloud-config', '>From x']
TYPES = ['text/x-shellscript', 'text/cloud-config', 'text/plain', 'text/x-s3-include',
         'text/cloud-boothook', 'text/x-unknown', 'application/octet-stream',
         'text/x-shellscript-per-boot', 'text/x-shellscript-per-instance',
         'text/x-shellscript-per-once', 'text/x-include-url', 'text/x-include-once-url',
         'text/part-handler', 'text/x-not-multipart', 'text/jinja2', 'application/x-gzip',
         'application/gzip', 'text/cloud-config-archive', 'TEXT/X-SHELLSCRIPT', 'text',
         'text/', '/plain', 'x-foo/bar', 'text/plain/extra', 'Text/Cloud-Config']
NAMES = ['a.sh', 'semi;colon.sh', 'sp ace.txt', 'caf\u00e9.sh', 'q"uote.sh', '../up.sh',
         '', 'x' * 90, 'dot.', 'a/b', '=?utf-8?q?enc=C3=A9.sh?=']
BOUNDARIES = ['b', '==XyZ==', 'with space', 'a:b/c?d', "it's", '-' * 20 + 'x', 'B' * 69,
              '=_Part_0_123', '1', 'semi;colon', 'x' * 5]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.eol = '\n'

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def nl(self):
        if self.eol == 'mixed':
            return self.pick(['\n', '\r\n'])
        return self.eol

    def text_body(self, boundaries=()):
        lines = [self.pick(LEADS) + self.pick(MARKERS)]
        for _ in range(self.r.randint(0, 6)):
            if boundaries and self.chance(0.03):
                b = self.pick(boundaries)
                lines.append(self.pick(['--%s' % b[:-1], '--%sx' % b, ' --%s' % b,
                                        '--%s--x' % b, '-%s' % b, '--%s\t' % b]))
            else:
                lines.append(self.pick(LINES))
        end = self.pick(['', self.nl(), self.nl() * 2])
        return self.nl().join(lines) + end

    def ctype_value(self, ctype):
        v = ctype
        if self.chance(0.15):
            v = v.upper() if self.chance(0.5) else v.title()
        if self.chance(0.1):
            v = v.replace('/', ' / ') if self.chance(0.5) else v + ' (comment)'
        if self.chance(0.3):
            v += self.pick(['; charset=us-ascii', '; charset="utf-8"', '; charset=latin-1',
                            '; CHARSET=UTF-8', '; charset=bogus', '; charset*=utf-8\'\'x',
                            ';charset=utf-8;', '; name="n.sh"', '; name*=utf-8\'\'n%C3%A9.sh'])
        return v

    def fold(self, value):
        if self.chance(0.2) and ';' in value:
            sep = self.pick(['\n\t', '\n ', '\r\n ', '\n  \t'])
            return value.replace(';', ';' + sep, 1)
        return value

    def header(self, name, value):
        if self.chance(0.1):
            name = name.lower() if self.chance(0.5) else name.upper()
        colon = self.pick([': ', ': ', ':', ':  ', ':\t']) if self.chance(0.2) else ': '
        return name + colon + self.fold(value) + self.nl()

    def disposition(self):
        name = self.pick(NAMES)
        form = self.r.randint(0, 5)
        if form == 0:
            return 'attachment; filename="%s"' % name.replace('"', '\\"')
        if form == 1:
            return 'attachment; filename=%s' % name
        if form == 2:
            return "attachment; filename*=utf-8''%s" % ''.join(
                c if c.isalnum() or c in '.-' else '%%%02X' % b
                for c in name for b in c.encode())
        if form == 3:
            return 'attachment; filename*0="%s"; filename*1="tail.sh"' % name[:3]
        if form == 4:
            return 'inline; FILENAME="%s"; filename="second.sh"' % name
        return 'attachment'

    def encode(self, body, cte):
        data = body.encode('utf-8', 'surrogateescape')
        if cte == 'base64':
            enc = base64.encodebytes(data).decode()
            return enc.replace('\n', self.nl())
        if cte == 'quoted-printable':
            return quopri.encodestring(data).decode().replace('\n', self.nl())
        return body

    def leaf(self, boundaries):
        ctype = self.pick(TYPES)
        body = self.text_body(boundaries)
        headers = []
        if not self.chance(0.1):
            headers.append(('Content-Type', self.ctype_value(ctype)))
        cte = None
        if 'gzip' in ctype or self.chance(0.05):
            raw = gzip.compress(body.encode(), mtime=0)
            body = base64.encodebytes(raw).decode().replace('\n', self.nl())
            cte = 'base64'
            if 'gzip' not in ctype:
                headers[0:1] = [('Content-Type', 'application/x-gzip')]
        elif self.chance(0.25):
            cte = self.pick(['base64', 'quoted-printable', '7bit', '8bit', 'binary',
                             'Base64', 'x-uuencode'])
            body = self.encode(body, cte.lower())
        if cte:
            headers.append(('Content-Transfer-Encoding', cte))
        if self.chance(0.5):
            headers.append(('Content-Disposition', self.disposition()))
        if self.chance(0.2):
            headers.append(('Launch-Index', self.pick(['0', '1', ' 2 ', '-1', 'x', '007', '1.5',
                                                       '+3', '99999999999999999999'])))
            if self.chance(0.3):
                headers.append(('Launch-Index', self.pick(['4', 'y'])))
        if self.chance(0.1):
            headers.append(('Merge-Type', 'list(append)+dict(recurse_array)+str()'))
        self.r.shuffle(headers)
        head = ''.join(self.header(n, v) for n, v in headers)
        if not headers and self.chance(0.5):
            return self.nl() + body  # no headers at all
        return head + self.nl() + body

    def boundary_param(self, b):
        forms = ['boundary="%s"' % b, 'boundary=%s' % b, 'BOUNDARY="%s"' % b,
                 'boundary = "%s"' % b, "boundary*=''%s" % b.replace(' ', '%20'),
                 'boundary*0="%s"; boundary*1="%s"' % (b[:1], b[1:]),
                 'boundary="other"; boundary="%s"' % b, 'boundary="%s"; boundary="zz"' % b,
                 'boundary="%s" (c)' % b, 'boundary=""', '']
        weights = [40, 10, 5, 5, 3, 3, 3, 3, 2, 1, 1]
        return self.r.choices(forms, weights)[0]

    def multipart(self, depth, outer):
        b = self.pick(BOUNDARIES) + ('%d' % depth if self.chance(0.7) else '')
        boundaries = outer + (b,)
        sub = self.pick(['mixed', 'mixed', 'alternative', 'related', 'MIXED', 'x-odd'])
        ctype = 'multipart/%s; %s' % (sub, self.boundary_param(b))
        out = []
        if self.chance(0.2):
            out.append(self.text_body(boundaries) + self.nl())  # preamble
        for _ in range(self.r.randint(0 if self.chance(0.05) else 1, 4)):
            delim = '--' + b + (self.pick([' ', '\t', '  ']) if self.chance(0.1) else '')
            out.append(delim + self.nl())
            if self.chance(0.05):
                continue  # an empty part: two delimiters in a row
            if depth < 3 and self.chance(0.15):
                inner_ct, inner = self.multipart(depth + 1, boundaries)
                out.append(self.header('Content-Type', inner_ct) + self.nl() + inner)
            elif depth < 3 and self.chance(0.05):
                inner_ct, inner = self.multipart(depth + 1, boundaries)
                msg = self.header('Content-Type', inner_ct) + self.nl() + inner
                out.append(self.header('Content-Type', 'message/rfc822') + self.nl() + msg)
            else:
                out.append(self.leaf(boundaries))
            if not out[-1].endswith(('\n',)) or self.chance(0.5):
                out.append(self.nl())
        if not self.chance(0.1):
            out.append('--' + b + '--' + self.pick(['', '', ' ', self.nl()]))
            if self.chance(0.2):
                out.append(self.nl() + self.text_body(boundaries))  # epilogue
        return ctype, ''.join(out)

    def mime(self):
        ctype, body = self.multipart(0, ())
        heads = [self.header('Content-Type', ctype)]
        if not self.chance(0.03):
            mv = self.pick(['MIME-Version: 1.0', 'mime-version:1.0', 'MIME-Version: 1.0 (x)',
                            'Mime-Version :1.0'])
            heads.insert(self.r.randint(0, 1), mv + self.nl())
        if self.chance(0.1):
            heads.insert(0, self.pick(['From x', 'Subject: s', 'X-A: b', ' folded']) + self.nl())
        return ''.join(heads) + self.nl() + body

    def plain(self):
        return self.text_body()

    def blob(self):
        self.eol = self.pick(['\n', '\n', '\r\n', 'mixed'])
        text = self.mime() if self.chance(0.8) else self.plain()
        data = text.encode('utf-8', 'surrogateescape')
        if self.chance(0.08):
            data = gzip.compress(data, mtime=0)
        return data


def main():
    out, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    gen = Gen(seed)
    for i in range(count):
        with open(os.path.join(out, 'hostile-%05d' % i), 'wb') as f:
            f.write(gen.blob())


if __name__ == '__main__':
    main()
