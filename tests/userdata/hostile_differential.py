#!/usr/bin/python3
"""Bulk differential against cloud-init: writes N blobs with generate_hostile.py (in batches),
runs the hidden "[.bulk]" case of differential_test.cc on each batch and sorts what differs.
A tool, not a CI test. Each blob we read differently from cloud-init (or accept where it
fails) is copied to OUTDIR/diverge/, each we refuse while cloud-init reads it is counted by
our error message (numbers dropped) and the first few are kept in OUTDIR/refused/.

Usage: /usr/bin/python3 hostile_differential.py S3US_TESTS OUTDIR SEED N [BATCH [GENERATOR]]
GENERATOR: a generator script here (generate_hostile.py; generate_yaml.py for cloud-configs
naming launch-index).
"""
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Refusals of ours that are deliberate (docs/design.md "Parsing user data"): cloud-init
# drops content silently there, or the two MIME readers disagree.
FAILED = re.compile(r"^.*?: failed: (.*)$")
MESSAGE = re.compile(r"'((?:[^']|'')*)'")


def failures(binary, directory):
    env = dict(os.environ, S3US_DIFFERENTIAL_DIR=directory)
    run = subprocess.run(['nice', binary, '[.bulk]', '-r', 'compact'], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=3600)
    by_file = collections.defaultdict(list)
    for line in run.stdout.decode('utf-8', 'replace').splitlines():
        m = FAILED.match(line)
        if not m:
            continue
        messages = MESSAGE.findall(m.group(1))
        files = [x[5:] for x in messages if x.startswith('file ')]
        if files:
            by_file[files[0]].append(m.group(1))
    return by_file


def main():
    binary, out, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    batch = int(sys.argv[5]) if len(sys.argv) > 5 else 500
    generator = sys.argv[6] if len(sys.argv) > 6 else 'generate_hostile.py'
    for sub in ('diverge', 'refused'):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    refusals, diverging, done = collections.Counter(), 0, 0
    kept = collections.Counter()
    while done < count:
        n = min(batch, count - done)
        with tempfile.TemporaryDirectory(prefix='s3us-hostile-') as tmp:
            subprocess.run(['/usr/bin/python3', os.path.join(HERE, generator), tmp,
                            str(seed * 1000003 + done), str(n)], check=True)
            for name, fails in sorted(failures(binary, tmp).items()):
                text = ' | '.join(fails)
                refused = len(fails) == 1 and text.startswith('explicitly with')
                if refused:
                    reason = re.sub(r"'[^']*'|\d+", '#', MESSAGE.findall(text)[-1])
                    refusals[reason] += 1
                    if kept[reason] < 3:
                        kept[reason] += 1
                        shutil.copy(os.path.join(tmp, name),
                                    os.path.join(out, 'refused', '%d-%s' % (seed, name)))
                    continue
                diverging += 1
                dest = os.path.join(out, 'diverge', '%d-%d-%s' % (seed, done, name))
                shutil.copy(os.path.join(tmp, name), dest)
                with open(dest + '.why', 'w') as f:
                    f.write('\n'.join(fails) + '\n')
        done += n
        print('%d blobs: %d diverge, %d refused' % (done, diverging, sum(refusals.values())),
              flush=True)
    for reason, k in refusals.most_common():
        print('%6d refused: %s' % (k, reason))


if __name__ == '__main__':
    main()
