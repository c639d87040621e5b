#!/usr/bin/python3
"""Differential test against Debian's real cloud-init (issue 18): each document is given to
cloud-init twice, in two fresh cloud roots with the bridge installed system-wide:

  bridged: the user data as written, S3 objects behind text/x-s3-include parts;
  inlined: the same objects' parts written into the user data where the include part was.

An inlined part has no filename when its include part had none (cloud-init then numbers it,
as it numbers the include part), and `<include name>.<NNN>-<object name>` when the include
part was named (the bridge's documented rule: there is no other name that holds a named
part's place). `#include` / `#include-once` lines inside fetched objects stay cloud-init's
own include parts in the inlined document, so cloud-init fetches those itself.

What must be equal: what ran and in which order (every script, boothook, per-boot /
per-instance script and part handler appends a tag to $DIFF_LOG: boothooks while the user data
is consumed, the rest in cloud-init's scripts_* modules, run in its final-stage order), the merged
cloud-config (cloud-config.txt, parsed), the number of "Unhandled" warnings, and no ERROR.
Each document also states the run order it must give, so equal-but-wrong fails too.

argv: BINARY [--docs FIRST-LAST] | BINARY --consume ROOT (internal: one consume_data per process)."""
import base64
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bridge_common import (INSTANCE_ID, PYTHON, CloudRoot, binary_from_argv,  # noqa: E402
                           check, module_env)

from harness import Emulators, assert_no_secrets  # noqa: E402

BUCKET = 'diff-bkt'
MERGE = 'list(append)+dict(recurse_array)+str()'
MODULES = [('scripts_per_once', 'scripts/per-once'), ('scripts_per_boot', 'scripts/per-boot'),
           ('scripts_per_instance', 'scripts/per-instance'), ('scripts_user', None)]
# The clean_filename rule cloud-init applies (util.FN_ALLOWED), for the inlined names.
ALLOWED = set('_-.()0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')


def clean(name):
    return ''.join(c for c in name.replace('/', '_') if c in ALLOWED)


# --- parts and objects ------------------------------------------------------------------------
# A part is (ctype, filename or None, body bytes, extra headers dict).
def script(tag):
    return ('text/x-shellscript', None, b'#!/bin/sh\necho %s >> "$DIFF_LOG"\n' % tag.encode(), {})


def boothook(tag):
    return ('text/cloud-boothook', None,
            b'#cloud-boothook\n#!/bin/sh\necho boot-%s >> "$DIFF_LOG"\n' % tag.encode(), {})


def cloud_config(text, merge=None):
    return ('text/cloud-config', None, ('#cloud-config\n' + text).encode(),
            {'Merge-Type': merge} if merge else {})


def typed(ctype, tag):
    return (ctype, None, b'#!/bin/sh\necho %s >> "$DIFF_LOG"\n' % tag.encode(), {})


def jinja_script(tag):
    return ('text/jinja2', None, b'## template: jinja\n#!/bin/sh\n'
            b'echo %s-{{ v1.instance_id }} >> "$DIFF_LOG"\n' % tag.encode(), {})


PART_HANDLER = b'''#part-handler
import os
handler_version = 2
def list_types():
    return ["text/x-diff-custom"]
def handle_part(data, ctype, filename, payload, frequency):
    if ctype in ("__begin__", "__end__"):
        return
    with open(os.environ["DIFF_LOG"], "a") as f:
        f.write("custom-%s\\n" % payload.strip())
'''


def named(part, name):
    return (part[0], name, part[2], part[3])


def mime_bytes(parts):
    msg = MIMEMultipart()
    for ctype, name, body, headers in parts:
        main, sub = ctype.split('/', 1)
        if main == 'text':
            p = MIMEText(body.decode('utf-8'), sub, 'utf-8')
        else:
            p = MIMEBase(main, sub)
            p.set_payload(base64.b64encode(body).decode())
            p['Content-Transfer-Encoding'] = 'base64'
        if name is not None:
            p.add_header('Content-Disposition', 'attachment', filename=name)
        for k, v in headers.items():
            p[k] = v
        msg.attach(p)
    return msg.as_bytes()


class Obj:
    """An S3 object: its bytes, and the parts it stands for once resolved (with the names
    `resolve` gives them), or `cloud_init_part`: a part cloud-init keeps as is when inlined."""

    def __init__(self, key, data, parts, cloud_init_part=None):
        self.key, self.data, self.parts, self.cloud_init_part = key, data, parts, cloud_init_part


def obj_part(key, part):
    """An object holding one part's body; resolve names it by the key's basename."""
    return Obj(key, part[2], [named(part, os.path.basename(key))])


def obj_mime(key, parts):
    return Obj(key, mime_bytes(parts),
               [named(p, p[1] or 'part-%03d' % i) for i, p in enumerate(parts, 1)])


def obj_include(key, objects):
    body = '#s3-include\n' + ''.join('s3://%s/%s\n' % (BUCKET, o.key) for o in objects)
    return Obj(key, body.encode(), [p for o in objects for p in o.parts])


class Include:
    """A text/x-s3-include part of the user data."""

    def __init__(self, objects, name=None, lines=None):
        self.objects, self.name = objects, name
        self.body = lines or '#s3-include\n' + ''.join('s3://%s/%s\n' % (BUCKET, o.key)
                                                       for o in objects)


def inlined_parts(include, place_name):
    """The parts that stand where `include` was: unnamed, or named by the documented rule."""
    parts = []
    for o in include.objects:
        parts.extend([o.cloud_init_part] if o.cloud_init_part else o.parts)
    if include.name is None:
        return [(c, None, b, h) for c, _, b, h in parts]
    width = max(3, len(str(len(parts))))
    return [(c, '%s.%0*d-%s' % (clean(place_name), width, i, clean(n) or 'part'), b, h)
            for i, (c, n, b, h) in enumerate(parts, 1)]


def user_data(items, inline):
    """items: parts and Includes -> (bridged or inlined) user data bytes."""
    out = []
    for item in items:
        if isinstance(item, Include):
            if inline:
                out.extend(inlined_parts(item, item.name))
            else:
                out.append(('text/x-s3-include', item.name, item.body.encode(), {}))
        else:
            out.append(item)
    return mime_bytes(out)


# --- the documents -----------------------------------------------------------------------------
def documents(emu):
    objects = {}

    def put(o):
        objects[o.key] = o
        return o

    def inc_once_obj(key, tag, once=True):
        # An object holding cloud-init's own #include(-once) of a plain http URL.
        target = 'public/%s.sh' % tag
        emu.put(BUCKET, target, script(tag)[2])
        url = '%s/%s/%s' % (emu.s3_url, BUCKET, target)
        head = '#include-once' if once else '#include'
        body = ('%s\n%s\n' % (head, url)).encode()
        return put(Obj(key, body, [named(script(tag), '%s.sh' % tag)],
                       cloud_init_part=('text/x-include-once-url' if once
                                        else 'text/x-include-url', None, body, {})))

    b, c = put(obj_part('o/zz-b.sh', script('B'))), put(obj_part('o/aa-c.sh', script('C')))
    cc_s3 = put(obj_part('o/list.yaml', cloud_config('diff_list: [s3]\ndiff_dict: {s3: 1}\n')))
    cc_merge = put(obj_mime('o/merge.mime', [cloud_config(
        'diff_list: [s3]\ndiff_dict: {s3: 1}\n', MERGE)]))
    hook = put(obj_part('o/hook.sh', boothook('H')))
    leaf = put(obj_include('o/leaf.inc', [put(obj_part('o/zz-d2.sh', script('D2')))]))
    mid = put(obj_include('o/mid.inc', [put(obj_part('o/m1.sh', script('M1'))), leaf,
                                        put(obj_part('o/m2.sh', script('M2')))]))
    mime_with_inc = put(obj_mime('o/with-inc.mime', [
        named(script('W1'), 'w1.sh'),
        ('text/x-s3-include', None, ('#s3-include\ns3://%s/o/zz-b.sh\n' % BUCKET).encode(), {}),
        named(script('W2'), 'aa-w2.sh')]))
    mime_with_inc.parts = [named(script('W1'), 'w1.sh'), named(script('B'), 'zz-b.sh'),
                           named(script('W2'), 'aa-w2.sh')]
    once = inc_once_obj('o/once.txt', 'ONCE')
    plain_inc = inc_once_obj('o/plain-include.txt', 'INC', once=False)
    per = put(obj_mime('o/per.mime', [typed('text/x-shellscript-per-boot', 'PB'),
                                      typed('text/x-shellscript-per-instance', 'PI'),
                                      script('U')]))
    jinja = put(obj_part('o/tpl.sh', jinja_script('J')))
    jinja_cc = put(obj_part('o/tpl.yaml', ('text/jinja2', None, (
        '## template: jinja\n#cloud-config\ndiff_iid: "{{ v1.instance_id }}"\n').encode(), {})))
    handler = put(obj_mime('o/handler.mime', [
        ('text/part-handler', 'diff-handler.py', PART_HANDLER, {}),
        ('text/x-diff-custom', None, b'one\n', {}), script('AFTER')]))
    handler.parts = [named(p, n) for p, n in zip(
        [('text/part-handler', None, PART_HANDLER, {}), ('text/x-diff-custom', None, b'one\n', {}),
         script('AFTER')], ['diff-handler.py', 'part-002', 'part-003'])]
    gz = put(Obj('o/gz.sh.gz', gzip.compress(script('GZ')[2]), [named(script('GZ'), 'gz.sh.gz')]))
    archive_body = ('#cloud-config-archive\n- type: text/x-shellscript\n  content: |\n'
                    '    #!/bin/sh\n    echo ARC >> "$DIFF_LOG"\n'
                    '- content: "#cloud-config\\ndiff_arc: yes\\n"\n').encode()
    archive = put(Obj('o/archive.yaml', archive_body, [
        ('text/x-shellscript', 'part-001', b'#!/bin/sh\necho ARC >> "$DIFF_LOG"\n', {}),
        ('text/cloud-config', 'part-002', b'#cloud-config\ndiff_arc: yes\n', {})]))
    spaced = put(obj_part('o/with space+plus.sh', script('SP')))

    user_cc = cloud_config('diff_list: [user]\ndiff_dict: {user: 1}\n')
    docs = [
        ('issue case: [A, include -> (B, C), D], no filenames',
         [script('A'), Include([b, c]), script('D')], ['A', 'B', 'C', 'D']),
        ('named scripts around an unnamed include',
         [named(script('Z'), 'zz.sh'), Include([b, c]), named(script('AA'), 'aa.sh')],
         ['AA', 'B', 'C', 'Z']),
        ('named include between named scripts',
         [named(script('A'), 'a.sh'), Include([b, c], 'm.s3'), named(script('Z'), 'z.sh')],
         ['A', 'B', 'C', 'Z']),
        ('include name that cloud-init cleans',
         [named(script('A'), 'a.sh'), Include([b, c], 'b inc/\u00fc.s3'),
          named(script('Z'), 'c.sh')], ['A', 'B', 'C', 'Z']),
        ('cloud-config without merge header: replaced',
         [user_cc, Include([cc_s3]), script('A')], ['A']),
        ('cloud-config with Merge-Type from a fetched MIME object: appended',
         [user_cc, Include([cc_merge]), script('A')], ['A']),
        ('merge header on an inline part after the include',
         [Include([cc_s3]), cloud_config('diff_list: [late]\n', MERGE)], []),
        ('fetched boothook runs while user data is consumed',
         [script('A'), Include([hook, b]), script('D')], ['boot-H', 'A', 'B', 'D']),
        ('nested includes, two levels',
         [script('A'), Include([b, mid, c]), script('D')],
         ['A', 'B', 'M1', 'D2', 'M2', 'C', 'D']),
        ('fetched MIME with an include inside',
         [script('A'), Include([mime_with_inc]), script('D')], ['A', 'W1', 'B', 'W2', 'D']),
        ('#include-once inside a fetched object',
         [script('A'), Include([once]), script('D')], ['A', 'ONCE', 'D']),
        ('#include inside a fetched object', [Include([b, plain_inc]), script('D')],
         ['B', 'INC', 'D']),
        ('per-boot and per-instance scripts among fetched parts',
         [script('A'), Include([per])], ['PB', 'PI', 'A', 'U']),
        ('two include parts',
         [Include([c]), script('A'), Include([b], 'second.s3'), script('D')],
         ['C', 'A', 'D', 'B']),
        ('fetched jinja script is rendered by cloud-init',
         [script('A'), Include([jinja])], ['A', 'J-' + INSTANCE_ID]),
        ('fetched jinja cloud-config is rendered by cloud-init',
         [user_cc, Include([jinja_cc])], []),
        ('fetched part handler takes the custom part after it',
         [script('A'), Include([handler]), script('D')], ['custom-one', 'A', 'AFTER', 'D']),
        ('gzip object', [Include([gz]), script('D')], ['GZ', 'D']),
        ('cloud-config-archive object',
         [user_cc, Include([archive]), script('D')], ['ARC', 'D']),
        ('key with a space and a plus, pinned',
         [script('A'), Include([spaced], lines='#s3-include\ns3://%s/o/with space+plus.sh '
                               'sha256=%s\n' % (BUCKET, hashlib.sha256(spaced.data).hexdigest()))],
         ['A', 'SP']),
        ('empty include part',
         [script('A'), Include([], lines='#s3-include\n# nothing yet\n'), script('D')],
         ['A', 'D']),
        ('everything mixed',
         [user_cc, named(script('E1'), 'e1.sh'), Include([hook, cc_merge, b, mid], 'f.s3'),
          boothook('UH'), script('E2'), Include([c, jinja])],
         ['boot-H', 'boot-UH', 'E1', 'B', 'M1', 'D2', 'M2', 'E2', 'C', 'J-' + INSTANCE_ID]),
    ]
    for o in objects.values():
        emu.put(BUCKET, o.key, o.data)
    return docs


# --- running cloud-init -------------------------------------------------------------------------
def consume_in_child(root_path):
    """consume_data, then the script modules in cloud-init's final-stage order, as
    `cloud-init single --name M --frequency always` runs each (a fresh Init that trusts the
    cached datasource), in this one process to spare a cloud-init start per module."""
    root = CloudRoot(root=root_path)
    with open(os.path.join(root_path, 'env.json')) as f:
        env = json.load(f)
    with open(os.path.join(root_path, 'user-data.bin'), 'rb') as f:
        data = f.read()
    root.consume(data, env)
    from cloudinit import stages
    from cloudinit.config.modules import Modules
    init = stages.Init(ds_deps=[])
    init.read_cfg()
    init.fetch(existing='trust')
    modules = Modules(init, [], reporter=init.reporter)
    for module, folder in MODULES:
        path = os.path.join(root.cloud_dir, folder) if folder else root.scripts
        if os.path.isdir(path) and os.listdir(path):
            _, failures = modules.run_single(module, None, 'always')
            if failures:
                sys.exit('%s failed: %s' % (module, failures))


def observe(root, data, env):
    """Runs cloud-init on `data` in a child process; returns what happened."""
    root.install_system_wide()
    env = dict(env, DIFF_LOG=root.path('diff.log'))
    with open(root.path('env.json'), 'w') as f:
        json.dump(env, f)
    with open(root.path('user-data.bin'), 'wb') as f:
        f.write(data)
    r = subprocess.run([PYTHON, os.path.abspath(__file__), sys.argv[1], '--consume', root.root],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300)
    if r.returncode != 0:
        raise AssertionError('cloud-init failed:\n' +
                             r.stdout.decode('utf-8', 'replace')[-3000:])
    log = root.log()
    cc_path = os.path.join(root.idir, 'cloud-config.txt')
    config = None
    if os.path.exists(cc_path):
        config = yaml.safe_load(root.read(root.idir, 'cloud-config.txt'))
    ran = root.read('diff.log').split() if os.path.exists(root.path('diff.log')) else []
    return {'ran': ran, 'config': config, 'unhandled': log.count('Unhandled'),
            'errors': [ln for ln in log.splitlines() if ' ERROR ' in ln]}


def main():
    if len(sys.argv) > 3 and sys.argv[2] == '--consume':
        consume_in_child(sys.argv[3])
        return
    binary = binary_from_argv()
    first, last = 1, None
    if len(sys.argv) > 3 and sys.argv[2] == '--docs':
        first, last = (int(x) for x in sys.argv[3].split('-'))
    with tempfile.TemporaryDirectory(prefix='s3us-diff-') as tmp, \
            Emulators(tmp, s3_args=['--unsigned-prefix', 'public/']) as emu:
        env = module_env(binary, emu)
        docs = documents(emu)
        check(len(docs) >= 20, '%d differential documents' % len(docs))
        for n, (title, items, expected) in enumerate(docs, 1):
            if n < first or (last is not None and n > last):
                continue
            seen = {}
            for variant in ('bridged', 'inlined'):
                with CloudRoot(prefix='s3us-diff-%02d-%s-' % (n, variant)) as root:
                    seen[variant] = observe(root, user_data(items, variant == 'inlined'), env)
                    for f in root.all_files():
                        with open(f, 'rb') as fh:
                            assert_no_secrets(fh.read(), emu)
            bridged, inlined = seen['bridged'], seen['inlined']
            detail = json.dumps(seen, indent=1, default=str)
            check(bridged == inlined, '%d %s: bridged == inlined' % (n, title), detail)
            check(bridged['ran'] == expected and not bridged['errors'],
                  '%d %s: ran %s, no ERROR' % (n, title, expected), detail)
    print('PASS')


if __name__ == '__main__':
    main()
