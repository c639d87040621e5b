#!/usr/bin/python3
"""Writes N generated #cloud-config blobs, deterministic for a seed, most naming launch-index:
for the launch-index differential against cloud-init (PyYAML 6.0) through
hostile_differential.py (GENERATOR generate_yaml.py).

Usage: /usr/bin/python3 generate_yaml.py OUTDIR SEED N

Block mappings and sequences to depth 2, explicit keys, keys spelled with escapes; values
plain, single- and double-quoted (escapes, multi-line, '#' inside), block scalars with
indicators, flow collections, anchors; tabs where PyYAML reads them (quoted and block
text, comments) and where it fails (before a token, in a plain scalar); trailing
comments, document end and second document markers, a last line without ':'.
"""
import os
import random
import sys

SINGLE = ['a', 'b c', 'x # y', "it''s", 'q\tr', 'm\n  n', 'd\n\n  e', '#h', ' s ', '\u00e9', '\\']
DOUBLE = ['a', 'b\\tc', 'x\ty', '\\x41', '\\u00e9', 'p\n  q', 'l\\\n   m', '# h', '\\"', '\\\\',
          'z\n\t w', '\\/', '\u00e9']
FLOW = ['[1, 2]', '[a, "b\tc"]', '{k: v}', '{k: "v\tw"}', '[]', '{}', '[a,\tb]']
PLAIN = ['1', '2', 'yes', 'x y', 'a\tb', 'u # c\tv', 's3://b/k', 'echo a &b', '~', '0x1', 'tail\t',
         '"']
KEYS = ['a', 'b', 'launch-index', '"launch-index"', '"launch\\x2dindex"', "'k\tx'", 'c d', '? q']


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def scalar(self, depth):
        r, inner = self.r, '  ' * (depth + 1)
        c = r.random()
        if c < 0.25:
            return "'" + r.choice(SINGLE) + "'"
        if c < 0.5:
            return '"' + r.choice(DOUBLE) + '"'
        if c < 0.6:
            return (r.choice(['|', '|-', '>', '|2']) + r.choice(['', ' # c', ' #\tc']) + '\n' +
                    inner + r.choice(['a', 'a\tb', '# c', 'x: y']) + '\n' +
                    inner + r.choice(['b', '\tc', 'd']))
        if c < 0.7:
            return r.choice(FLOW)
        return r.choice(PLAIN + ['p\n' + inner + 'q'])

    def mapping(self, depth, n):
        r, ind, lines = self.r, '  ' * depth, []
        for _ in range(n):
            k = r.choice(KEYS)
            if k == '? q':
                lines.append(ind + '? q\n' + ind + ': ' + self.scalar(depth))
            elif depth < 2 and r.random() < 0.2:
                lines.append(ind + k + ':' + r.choice(['', ' # c', ' #\tc']) + '\n' +
                             self.mapping(depth + 1, r.randint(1, 3)))
            elif depth < 2 and r.random() < 0.15:
                lines.append(ind + k + ':\n' + '\n'.join(
                    ind + '  - ' + self.scalar(depth + 1) for _ in range(r.randint(1, 3))))
            else:
                sep = r.choice([': ', ': ', ':  ', ': ', ':\t']) if r.random() < 0.9 else ': '
                lines.append(ind + k + sep + self.scalar(depth) +
                             r.choice(['', '', ' # c', ' # c\td', '\t# c', '  #\t']))
            if r.random() < 0.1:
                lines.append(r.choice(['#\tc', ind + '# c\tx', '', ind + '  \t']))
        return '\n'.join(lines)

    def blob(self):
        r = self.r
        text = '#cloud-config\n' + self.mapping(0, r.randint(1, 5))
        if r.random() < 0.6:
            text += '\nlaunch-index: %d' % r.randint(0, 9)
        return text + r.choice(['\n', '\n', '', '\n...\n', '\n---\n'])


def main():
    out, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    gen = Gen(seed)
    for i in range(n):
        with open(os.path.join(out, 'yaml-%05d' % i), 'wb') as f:
            f.write(gen.blob().encode('utf-8'))


if __name__ == '__main__':
    main()
