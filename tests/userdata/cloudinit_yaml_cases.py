#!/usr/bin/python3
"""Cloud-configs for the YAML differential (cloud_config_yaml_test.cc): N mutations of
cloud-configs seen in the wild, each with what real cloud-init's load_yaml makes of it.
Prints a JSON list of {"text", "loads"}; "loads" is false where load_yaml fails (it logs and
drops the config), raises, or finds no mapping. It loads with safeyaml.load, as load_yaml does.

Usage: /usr/bin/python3 cloudinit_yaml_cases.py SEED N
"""
import json
import random
import sys

from cloudinit import safeyaml

BASES = [
    "packages:\n  - jq\n  - curl\nruncmd:\n  - [sh, -c, 'echo hi']\n  - \"echo x: y\"\n",
    "write_files:\n  - path: /etc/x\n    content: |\n      line one\n      line: two\n"
    "    permissions: '0644'\n",
    "users:\n  - name: bob\n    groups: [adm, sudo]\n    ssh_authorized_keys:\n"
    "      - ssh-ed25519 AAAA bob@x\n",
    "a: &anc\n  b: 1\nc:\n  <<: *anc\n  d: 2\n",
    "bootcmd:\n  - echo 1\nfinal_message: \"done at $UPTIME\"\n",
    "k: {a: 1, b: [x, y], c: {d: e}}\nl: 2001-12-14\nm: 0x1F\nn: ~\n",
    "? complex\n: value\nplain: multi\n  line\nfolded: >\n  a\n  b\n",
    "write_files:\n  - path: /Makefile\n    content: |\n      all:\n      \tgcc -o x x.c\n"
    "      # c\tx\n    owner: 'root:root'  # the\towner\n",
    "runcmd:\n  - [\"sh\", \"-c\", \"printf 'a\\tb'\"]\n  - 'x\ty'\n# trailing\tcomment\n",
    "a: &x [1, 2]\nb: *x\nc: {k: v, 'q\tk': \"w\"}\nd: !!str 12\ne: !!map {f: g}\n",
    "merge:\n  base: &b {x: 1}\n  over:\n    <<: [*b, {y: 2}]\n    z: 3\n",
]
PIECES = [
    '\t', ' ', '  ', '\n', ':', ': ', '- ', '-', '[', ']', '{', '}', ',', '#', '"', "'", '&a ',
    '*a', '*b', '!!str ', '!!int ', '!foo ', '! ', '!!map ', '!!seq ', '!!null ', '<<: ', '<<',
    '=', '? ', '---\n', '...\n', '---', '%YAML 1.1\n', '2001-02-30', '2001-02-28',
    '2001-1-1 25:00:00', '0b', '0x_', '|', '>', '\\', '\x00', '\x07', '\u00a0', '\ufeff',
    '\u2028', '\x85', '@', '`', '%', '&a [1]', '&b {x: 1}', '\r', '\r\n', 'key: value\n',
    '- item\n', 'yes', '1:30', '.inf', '!!python/unicode ', '!!binary ', '!!set ',
    '!!timestamp ', '&a &b ', '*', '&', '"\\x41"', '"\\q"',
]


def mutate(rng, text):
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        pos = rng.randint(0, len(text))
        if op < 0.6:
            text = text[:pos] + rng.choice(PIECES) + text[pos:]
        elif op < 0.8 and text:
            text = text[:pos] + text[min(len(text), pos + rng.randint(1, 5)):]
        else:
            a = rng.randint(0, len(text))
            text = text[:pos] + text[a:min(len(text), a + rng.randint(1, 30))] + text[pos:]
    return text


def loads(text):
    """load_yaml's verdict: a mapping or nothing (None: an empty config) loads."""
    try:
        value = safeyaml.load(text)
    except Exception:  # a YAMLError is logged and the config dropped; others escape
        return False
    return value is None or isinstance(value, dict)


def main():
    seed, n = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    cases = []
    for _ in range(n):
        text = '#cloud-config\n' + mutate(rng, rng.choice(BASES))
        cases.append({'text': text, 'loads': loads(text)})
    json.dump(cases, sys.stdout)


if __name__ == '__main__':
    main()
