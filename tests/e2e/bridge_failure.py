#!/usr/bin/python3
"""Case 4: an include naming a missing key (between two good ones). Nothing fetched reaches
cloud-init; the bridge logs an ERROR with the binary's error line, writes it to the console,
installs 00-s3-user-script-failed in the scripts folder (so scripts_user fails) and re-raises
(cloud-init logs that as a warning). Nothing else is written."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import BUCKET, check, mime, run_case  # noqa: E402
from harness import assert_no_secrets  # noqa: E402

MARKER = '00-s3-user-script-failed'


def case(root, emu, env):
    include = ('#s3-include\ns3://%s/app/zz-first.sh\ns3://%s/app/no-such-key.sh\n'
               's3://%s/app/config.yaml\n' % (BUCKET, BUCKET, BUCKET))
    user_data = mime(
        ('#cloud-config\nfinal_message: bridge test\n', 'text/cloud-config', 'user.yaml'),
        ('#!/bin/sh\necho user >> %s\n' % root.path('order.log'), 'text/x-shellscript',
         'user.sh'),
        (include, 'text/x-s3-include', 'objects.s3'))
    root.consume(user_data, env)

    check(sorted(os.listdir(root.scripts)) == [MARKER, 'user.sh'],
          'scripts folder: the marker and the user script only', os.listdir(root.scripts))
    check(os.stat(os.path.join(root.scripts, MARKER)).st_mode & 0o777 == 0o700,
          'the marker is executable (0700)')
    cc = root.read(root.idir, 'cloud-config.txt')
    check('final_message' in cc and 'write_files' not in cc and 'config.yaml' not in cc,
          'cloud-config.txt holds the user cloud-config only', cc)
    log = root.log()
    error_lines = [ln for ln in log.splitlines() if ' ERROR ' in ln]
    check(any('no-such-key.sh' in ln and 'NoSuchKey' in ln for ln in log.splitlines()) and
          any('#s3-include part objects.s3 failed' in ln for ln in error_lines),
          "an ERROR in the cloud-init log with the binary's error line", log[-4000:])
    check('Failed calling handler' in log and 'S3IncludeError' in log,
          'the exception reached cloud-init (logged as a warning with its traceback)')
    console = root.read('console.log')
    check('NoSuchKey' in console and 'none of its parts were applied' in console,
          'the failure was written to the console', console)

    holding = []
    for f in root.all_files():
        with open(f, 'rb') as fh:
            data = fh.read()
        if b'echo first' in data or b'fetched via s3' in data:
            holding.append(os.path.relpath(f, root.root))
        assert_no_secrets(data, emu)
    check(holding == [], 'no fetched content in any file of the temp root', holding)
    check(not os.path.exists(os.path.join(root.idir, 'boothooks')), 'no boothook written')

    r = root.single('scripts_user', env)
    out = r.stdout.decode('utf-8', 'replace')
    check(r.returncode != 0, 'cloud-init single scripts_user fails', out[-3000:])
    check('NoSuchKey' in out and 'Runparts: 1 failures (%s)' % MARKER in out,
          'the marker printed the error and failed the module', out[-3000:])
    check(root.read('order.log').split() == ['user'],
          "the user's own script still ran (cloud-init's runparts keeps going)")
    assert_no_secrets(out, emu)


if __name__ == '__main__':
    run_case(case)
