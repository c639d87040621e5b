#!/usr/bin/python3
"""Case 1: the module installed system-wide (<cloud_dir>/handlers, by install-bridge.sh),
user data = MIME with #cloud-config + a shell script + a text/x-s3-include part: the fetched
scripts land in the scripts folder in document order and run in that order, the fetched
cloud-config is merged by cloud-init and its write_files takes effect. A fetched MIME object's
Merge-Type header reaches cloud-init's cloud-config handler (lists appended, not replaced)."""
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import (BUCKET, check, mime, run_case, standard_include,  # noqa: E402
                           verify_standard_effect)


def case(root, emu, env):
    emu.put(BUCKET, 'app/merge.mime', (
        b'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=M\n\n--M\n'
        b'Content-Type: text/cloud-config\nMerge-Type: list(append)+dict(recurse_array)+str()\n'
        b'\n#cloud-config\ns3us_merge: [s3]\n--M--\n'))
    user_data = mime(
        ('#cloud-config\nfinal_message: bridge test\ns3us_merge: [user]\n', 'text/cloud-config',
         'user.yaml'),
        ('#!/bin/sh\necho user >> %s\n' % root.path('order.log'), 'text/x-shellscript',
         'user.sh'),
        (standard_include(), 'text/x-s3-include', 'objects.s3'),
        ('#s3-include\ns3://%s/app/merge.mime\n' % BUCKET, 'text/x-s3-include', 'merge.s3'))
    root.consume(user_data, env)
    check('s3_user_script' in root.log() and 'Added custom handler' in root.log(),
          'cloud-init registered the system-wide module')
    check(not os.path.exists(os.path.join(root.idir, 'handlers', 'part-handler-000.py')),
          'no part handler came from user data')
    cc = root.read(root.idir, 'cloud-config.txt')
    check('final_message: bridge test' in cc, "the user's own cloud-config is merged too")
    merged = yaml.safe_load(cc).get('s3us_merge')
    check(merged == ['user', 's3'], 'Merge-Type of a fetched part reached cloud-init: %r' % merged)
    verify_standard_effect(root, env, emu, extra_scripts=['user.sh'])


if __name__ == '__main__':
    run_case(case)
