#!/usr/bin/python3
"""Writes N well-formed MIME user-data blobs made by Python's email package (what
`cloud-init devel make-mime` and most tools use), deterministic for a seed.

Usage: /usr/bin/python3 generate_mime.py OUTDIR SEED N

Random nesting, transfer encodings (7bit, base64, quoted-printable, gzip parts), charsets,
awkward filenames, preambles, epilogues and Merge-Type headers; bodies mix lines that look
like boundaries, headers or "From " lines. A third use CRLF; a tenth lost the closing
boundary (a common hand edit). Both MIME readers must accept every one and cloud-init must
read each the same way (tests/userdata/differential_test.cc).
"""
import gzip
import os
import random
import sys
from email import charset as cs
from email import encoders
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

LINES = ['#!/bin/sh', 'echo hi', '--verbose', '-- comment', 'From here on', '  indented: yes',
         '', 'Content-Type: text/plain', '=3D is not qp here', 'a' * 200, 'caf\u00e9 \u20ac',
         '\t tab', '---', 'boundary=fake', '--', 'MIME-Version: 1.0', 'runcmd: [ls]',
         '#cloud-config', '--==============', 'trailing blanks   ']
TYPES = ['text/x-shellscript', 'text/cloud-config', 'text/plain', 'text/x-s3-include',
         'text/cloud-boothook', 'text/x-unknown', 'application/octet-stream']
NAMES = ['a.sh', 'semi;colon.sh', 'sp ace.txt', 'caf\u00e9.sh', 'q"uote.sh', None, 'x' * 80]


class Generator:
    def __init__(self, seed):
        self.rnd = random.Random(seed)

    def body(self):
        lines = [self.rnd.choice(LINES) for _ in range(self.rnd.randint(0, 8))]
        return '\n'.join(lines) + self.rnd.choice(['', '\n'])

    def leaf(self):
        main, sub = self.rnd.choice(TYPES).split('/')
        text = self.body()
        kind = self.rnd.random()
        if main == 'application' or kind < 0.2:
            part = MIMEBase(main, sub)
            part.set_payload(text.encode())
            encoders.encode_base64(part)
        elif kind < 0.35:
            part = MIMEBase('application', 'x-gzip')
            part.set_payload(gzip.compress(text.encode(), mtime=0))
            encoders.encode_base64(part)
        elif kind < 0.5:
            qp = cs.Charset('utf-8')
            qp.body_encoding = cs.QP
            part = MIMEText('', sub)
            part.set_payload(text, qp)
        else:
            ascii_only = all(ord(c) < 128 for c in text)
            part = MIMEText(text, sub, 'us-ascii' if ascii_only else 'utf-8')
        name = self.rnd.choice(NAMES)
        if name:
            part.add_header('Content-Disposition', 'attachment', filename=name)
        if self.rnd.random() < 0.1:
            part.add_header('Merge-Type', 'list(append)+dict(recurse_array)+str()')
        return part

    def multipart(self, depth=0):
        msg = MIMEMultipart(self.rnd.choice(['mixed', 'alternative']))
        for _ in range(self.rnd.randint(1, 4)):
            nested = depth < 3 and self.rnd.random() < 0.25
            msg.attach(self.multipart(depth + 1) if nested else self.leaf())
        if self.rnd.random() < 0.2:
            msg.preamble = self.body()
        if self.rnd.random() < 0.2:
            msg.epilogue = self.body()
        return msg

    def blob(self):
        text = self.multipart().as_string()
        r = self.rnd.random()
        if r < 0.3:
            text = text.replace('\n', '\r\n')
        elif r < 0.4:
            text = text.rstrip('\n')
            text = text[:text.rfind('\n--')] + '\n'
        return text


def main():
    out, seed, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    gen = Generator(seed)
    for i in range(count):
        with open(os.path.join(out, 'generated-%04d' % i), 'w', encoding='utf-8',
                  newline='') as f:
            f.write(gen.blob())


if __name__ == '__main__':
    main()
