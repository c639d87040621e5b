#!/usr/bin/python3
"""Case 5: a fetched #cloud-boothook runs during consume_data (cloud-init's BootHookPartHandler
writes it to <instance>/boothooks/ and runs it with INSTANCE_ID set); raw user data."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import BUCKET, INSTANCE_ID, check, run_case  # noqa: E402


def case(root, emu, env):
    out = root.path('boothook.out')
    emu.put(BUCKET, 'hooks/early.sh',
            ('#cloud-boothook\n#!/bin/sh\necho "hook $INSTANCE_ID" >> %s\n' % out).encode())
    emu.put(BUCKET, 'late.sh', ('#!/bin/sh\necho late >> %s\n' % out).encode())
    root.consume(('#s3-include\ns3://%s/hooks/early.sh\ns3://%s/late.sh\n' %
                  (BUCKET, BUCKET)).encode(), env)
    check(root.read('boothook.out') == 'hook %s\n' % INSTANCE_ID,
          'the fetched boothook ran during consume_data with INSTANCE_ID')
    check(os.listdir(os.path.join(root.idir, 'boothooks')) == ['part-001.001-early.sh'],
          "cloud-init's boothook handler wrote it named from the include part's name")
    check(os.listdir(root.scripts) == ['part-001.002-late.sh'],
          'the following script went to the scripts folder (not run yet)')


if __name__ == '__main__':
    run_case(case, standard_objects=False)
