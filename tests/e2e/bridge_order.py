#!/usr/bin/python3
"""Fetched parts keep the include part's place in cloud-init's order (Debian's real
cloud-init): the bridge names them `<include part's name>.<NNN>-<object name>`, cleaned as
cloud-init cleans file names, so scripts_user (which runs the scripts folder sorted by name)
runs [script A, include -> (B, C), script D] as A, B, C, D; the same holds for a user-given
include name, a nested include, and a boothook / cloud-config among the fetched parts.

argv: BINARY [unnamed|named]; without a case name, runs both cases each in its own process
(cloud-init imports part handlers once per interpreter)."""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import BUCKET, PYTHON, check, mime, run_case  # noqa: E402


def script(root, tag):
    return '#!/bin/sh\necho %s >> %s\n' % (tag, root.path('order.log'))


def run_scripts(root, env):
    r = root.single('scripts_user', env)
    check(r.returncode == 0, 'cloud-init single scripts_user succeeds',
          r.stdout.decode('utf-8', 'replace')[-3000:])
    return root.read('order.log').split()


def unnamed(root, emu, env):
    # Object names that sort against document order, so only the include's place orders them.
    emu.put(BUCKET, 'order/zz-b.sh', script(root, 'B').encode())
    emu.put(BUCKET, 'order/aa-c.sh', script(root, 'C').encode())
    user_data = mime(
        (script(root, 'A'), 'text/x-shellscript', None),
        ('#s3-include\ns3://%s/order/zz-b.sh\ns3://%s/order/aa-c.sh\n' % (BUCKET, BUCKET),
         'text/x-s3-include', None),
        (script(root, 'D'), 'text/x-shellscript', None))
    root.consume(user_data, env)
    names = sorted(os.listdir(root.scripts))
    check(names == ['part-001', 'part-002.001-zz-b.sh', 'part-002.002-aa-c.sh', 'part-003'],
          "fetched scripts are named from the include part's own name: %s" % names)
    order = run_scripts(root, env)
    check(order == ['A', 'B', 'C', 'D'], 'scripts_user ran A, B, C, D: %s' % order)


def named(root, emu, env):
    emu.put(BUCKET, 'named/config.yaml', b'#cloud-config\ns3us_order: fetched\n')
    emu.put(BUCKET, 'named/hook.sh', ('#cloud-boothook\n#!/bin/sh\necho hook >> %s\n' %
                                       root.path('hook.log')).encode())
    emu.put(BUCKET, 'named/x+\u00fc.sh', script(root, 'X').encode())
    emu.put(BUCKET, 'named/inner.txt', ('#s3-include\ns3://%s/named/zz-y.sh\n'
                                         's3://%s/named/aa-z.sh\n' % (BUCKET, BUCKET)).encode())
    emu.put(BUCKET, 'named/zz-y.sh', script(root, 'Y').encode())
    emu.put(BUCKET, 'named/aa-z.sh', script(root, 'Z').encode())
    lines = ['#s3-include'] + ['s3://%s/named/%s' % (BUCKET, k) for k in
                               ('config.yaml', 'hook.sh', 'x+\u00fc.sh', 'inner.txt')]
    user_data = mime(
        (script(root, 'a'), 'text/x-shellscript', 'a.sh'),
        # cloud-init cleans this to `binc_.s3`, which sorts between a.sh and c.sh.
        ('\n'.join(lines) + '\n', 'text/x-s3-include', 'b inc/\u00fc.s3'),
        (script(root, 'c'), 'text/x-shellscript', 'c.sh'),
        (script(root, 'd'), 'text/x-shellscript', None))
    root.consume(user_data, env)
    names = sorted(os.listdir(root.scripts))
    check(names == ['a.sh', 'binc_.s3.003-x.sh', 'binc_.s3.004-zz-y.sh', 'binc_.s3.005-aa-z.sh',
                    'c.sh', 'part-004'],
          'a user-given include name, cleaned, prefixes every fetched part, nested ones '
          'numbered in document order: %s' % names)
    hooks = os.listdir(os.path.join(root.idir, 'boothooks'))
    check(hooks == ['binc_.s3.002-hook.sh'] and root.read('hook.log') == 'hook\n',
          'the fetched boothook ran under the same rule: %s' % hooks)
    cc = root.read(root.idir, 'cloud-config.txt')
    check('binc_.s3.001-config.yaml' in cc and 's3us_order: fetched' in cc,
          'the fetched cloud-config was merged under the same rule')
    order = run_scripts(root, env)
    check(order == ['a', 'X', 'Y', 'Z', 'c', 'd'], 'scripts_user ran in document order: %s'
          % order)


CASES = {'unnamed': unnamed, 'named': named}

if __name__ == '__main__':
    if len(sys.argv) > 2:
        run_case(CASES[sys.argv[2]], standard_objects=False)
    else:
        for name in CASES:
            r = subprocess.run([PYTHON, os.path.abspath(__file__), sys.argv[1], name])
            if r.returncode != 0:
                sys.exit('case %s failed' % name)
        print('PASS')
