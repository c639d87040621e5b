"""The Debian package end to end: makes it with CPack (from the build under test when that is
configured as a package build, as scripts/test.sh configures build/test, so the package holds
the binary every other test ran; else from a Release build of its own), runs lintian,
installs it with dpkg on this machine (CI runs as root on a disposable machine), and checks
the installed files the way a user meets them: the binary against the emulators, `man -l`,
the completion through bash-completion's loader, `systemd-analyze verify`, the unit skipped
where cloud-init runs, real cloud-init loading the handler from /var/lib/cloud/handlers, the
link back after `cloud-init clean` and from tmpfiles.d; then the unit enabled, and
`dpkg --purge` must leave nothing behind, not even the enable link, so that a reinstall finds
it disabled. One package test at a time on a machine (a lock file).

usage: package_test.py SOURCE_DIR --cpack-config BUILD/CPackConfig.cmake OUT_DIR
       package_test.py SOURCE_DIR --build BUILD_DIR [CMAKE_CXX_COMPILER_LAUNCHER]"""

import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import help_util  # noqa: E402

PACKAGE = 's3-user-script'
BIN = '/usr/bin/s3-user-script'
HANDLER_LINK = '/var/lib/cloud/handlers/s3_user_script.py'
HANDLER = '/usr/share/s3-user-script/cloudinit/s3_user_script.py'
UNIT = '/usr/lib/systemd/system/s3-user-script.service'
TMPFILES = '/usr/lib/tmpfiles.d/s3-user-script.conf'
CLEAN_HOOK = '/etc/cloud/clean.d/50-s3-user-script'
WANTS = '/etc/systemd/system/multi-user.target.wants/s3-user-script.service'
GENERATOR = '/lib/systemd/system-generators/cloud-init-generator'
MAN = '/usr/share/man/man1/s3-user-script.1.gz'
COMPLETION = '/usr/share/bash-completion/completions/s3-user-script'
DOC = '/usr/share/doc/s3-user-script'
STATE = '/var/lib/s3-user-script'
LOCK = '/run/lock/s3-user-script-package-test.lock'
START = time.monotonic()


def step(what):
    print(f'== {what} ({time.monotonic() - START:.0f} s)', flush=True)


def check(cond, what, detail=''):
    if not cond:
        raise AssertionError(f'{what}\n{detail}'.rstrip())
    print(f'ok - {what}', flush=True)


def sh(*args, ok=True, **kw):
    proc = subprocess.run(args, capture_output=True, text=True, timeout=kw.pop('timeout', 900),
                          **kw)
    if ok and proc.returncode != 0:
        raise AssertionError(f'{" ".join(args)} exited {proc.returncode}:\n'
                             f'{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}')
    return proc


def build_package(source, build, launcher):
    """A Release build of its own with prefix /usr; returns its CPackConfig.cmake."""
    step('configure a Release build with prefix /usr')
    args = ['cmake', '-S', source, '-B', build, '-DCMAKE_BUILD_TYPE=Release',
            '-DCMAKE_INSTALL_PREFIX=/usr', '-DS3US_DEBIAN_FLAGS=ON', '-DS3US_BUILD_TESTS=OFF']
    if launcher:
        args.append(f'-DCMAKE_CXX_COMPILER_LAUNCHER={launcher}')
    sh(*args)
    step('build s3-user-script (Release)')
    sh('cmake', '--build', build, '-j2', timeout=1500)
    return os.path.join(build, 'CPackConfig.cmake')


def make_package(cpack_config, out):
    """cpack -G DEB from a configured, built tree into `out`; returns the .deb."""
    step(f'cpack -G DEB --config {cpack_config}')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    sh('cpack', '-G', 'DEB', '--config', cpack_config, '-B', out, cwd=out)
    debs = [f for f in os.listdir(out) if f.endswith('.deb')]
    check(len(debs) == 1, f'one package built: {debs}')
    return os.path.join(out, debs[0])


def check_package(deb, source):
    step('the package itself')
    info = sh('dpkg-deb', '--info', deb).stdout
    fields = dict(re.findall(r'^ ([A-Z][\w-]*): (.*)$', info, re.M))
    check(fields.get('Package') == PACKAGE and fields.get('Section') == 'admin',
          'package name and section', info)
    check('@' in fields.get('Maintainer', ''), 'a maintainer', info)
    depends = fields.get('Depends', '')
    for lib in ('libc6', 'libcurl4', 'libssl3', 'libmagic1', 'libyaml-cpp0.7', 'libyaml-0-2',
                'zlib1g'):
        check(re.search(rf'\b{re.escape(lib)}\b', depends) is not None,
              f'Depends (dpkg-shlibdeps) names {lib}', depends)
    contents = sh('dpkg-deb', '--contents', deb).stdout
    for path in (BIN, HANDLER_LINK, HANDLER, UNIT, TMPFILES, CLEAN_HOOK, MAN, COMPLETION,
                 f'{DOC}/README.md', f'{DOC}/copyright', f'{DOC}/changelog.gz'):
        check(re.search(rf' \.{re.escape(path)}( |$)', contents, re.M) is not None,
              f'the package holds {path}', contents)
    conffiles = sh('dpkg-deb', '--info', deb, 'conffiles').stdout.split()
    check(conffiles == [CLEAN_HOOK], f'{CLEAN_HOOK} is the one conffile', str(conffiles))
    step('lintian')
    proc = sh('lintian', '--display-info', '--tag-display-limit', '0', deb, ok=False)
    print(proc.stdout, end='', flush=True)
    errors = [line for line in proc.stdout.splitlines() if line.startswith('E:')]
    check(not errors, 'lintian reports no error', proc.stdout + proc.stderr)
    with open(os.path.join(source, 'docs', 'packaging.md'), encoding='utf-8') as f:
        explained = f.read()
    for line in proc.stdout.splitlines():
        if line.startswith('W:'):
            tag = line.split()[2]
            check(f'`{tag}`' in explained, f'lintian warning {tag} is explained in '
                  'docs/packaging.md', line)


def install(deb):
    step('dpkg -i')
    status = sh('dpkg-query', '-W', '-f=${Status}', PACKAGE, ok=False).stdout
    check('installed' not in status and not os.path.lexists(BIN) and
          not os.path.lexists(STATE) and not os.path.lexists(WANTS),
          f'{PACKAGE} is not installed yet, and neither {STATE} nor {WANTS} exists (this test '
          'installs, enables and purges the package)', status)
    sh('dpkg', '-i', deb, env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
    check(os.access(BIN, os.X_OK), f'{BIN} installed')
    check(os.path.realpath(HANDLER_LINK) == HANDLER, f'{HANDLER_LINK} links to {HANDLER}')
    described = sh('file', '-L', BIN).stdout
    check('stripped' in described and 'not stripped' not in described, f'{BIN} is stripped',
          described)


def check_binary_against_emulators(source):
    step('the installed binary against the emulators')
    sys.path.insert(0, os.path.join(source, 'scripts', 'emulators'))
    from harness import Emulators, assert_no_secrets
    with tempfile.TemporaryDirectory() as tmp:
        with Emulators(os.path.join(tmp, 'emu'),
                       user_data=b'#s3-include\ns3://pkg-bucket/hello.sh\n') as emu:
            mark = os.path.join(tmp, 'hello.out')
            emu.put('pkg-bucket', 'hello.sh', f'#!/bin/sh\necho "$0" > {mark}\n'.encode())
            # The default state directory, as the unit runs it: purge must remove it.
            cc = os.path.join(tmp, 'cc')
            proc = sh(BIN, 'run', '--cloud-config-dir', cc, env=emu.env, timeout=120, ok=False)
            assert_no_secrets(proc.stdout + proc.stderr, emu)
            check(proc.returncode == 0 and os.path.exists(mark),
                  'run fetched and ran the included script', proc.stdout + proc.stderr)
            status = sh(BIN, 'status', ok=False)
            check(os.path.isdir(STATE), f'the run kept its state in {STATE}')
            check(status.returncode == 0, 'status reports the run', status.stdout)
            os.remove(emu.user_data_file)  # IMDS answers 404
            proc = sh(BIN, 'run', '--state-dir', os.path.join(tmp, 'none'), env=emu.env,
                      timeout=120, ok=False)
            check(proc.returncode == 0 and len(proc.stderr.splitlines()) == 1,
                  'run without user data: exit 0, one line', proc.stderr)


def check_man_and_completion():
    step('man page and completion')
    env = dict(os.environ, MANWIDTH='80', LC_ALL='C.UTF-8', MAN_KEEP_STDERR='1')
    proc = sh('man', '--warnings', '-l', MAN, env=env, ok=False)
    check(proc.returncode == 0 and 'EXIT STATUS' in proc.stdout and not proc.stderr.strip(),
          'man -l renders the installed page without warnings', proc.stderr)
    proc = sh('man', '-w', PACKAGE, ok=False)
    check(proc.stdout.strip() == MAN, '`man s3-user-script` finds it', proc.stdout)
    problems = help_util.man_example_problems(MAN)
    check(not problems, 'every example renders as one unbroken command at 80 columns',
          '\n'.join(problems))
    help_ = help_util.Help(BIN)
    problems = help_util.man_problems(help_, help_util.read_man(MAN))
    check(not problems, 'the installed man page matches the installed --help',
          '\n'.join(problems))
    # As an interactive shell gets it: bash-completion's on-demand loader finds the file.
    script = ('source /usr/share/bash-completion/bash_completion; '
              '__load_completion s3-user-script && complete -p s3-user-script')
    proc = sh('bash', '--norc', '--noprofile', '-c', script, ok=False)
    check(proc.returncode == 0 and '-F _s3_user_script' in proc.stdout,
          'bash-completion loads the completion on demand', proc.stdout + proc.stderr)
    problems = help_util.completion_problems(help_, COMPLETION)
    check(not problems, 'the installed completion matches --help', '\n'.join(problems))


def check_unit_and_tmpfiles():
    step('systemd unit and tmpfiles.d entry')
    proc = sh('systemd-analyze', 'verify', '--man=no', UNIT, ok=False)
    check(proc.returncode == 0 and not proc.stderr.strip() and not proc.stdout.strip(),
          'systemd-analyze verify passes', proc.stdout + proc.stderr)
    check_disabled('the unit is disabled by default')
    check_skipped_where_cloud_init_runs()
    with tempfile.TemporaryDirectory() as root:
        # As after `cloud-init clean` in an AMI: the boot recreates the handler link.
        sh('systemd-tmpfiles', '--create', f'--root={root}', TMPFILES)
        link = os.path.join(root, HANDLER_LINK.lstrip('/'))
        check(os.path.islink(link) and os.readlink(link) == HANDLER,
              'systemd-tmpfiles recreates the handler link', str(os.listdir(root)))


def check_disabled(what):
    proc = sh('systemctl', '--root=/', 'is-enabled', 's3-user-script.service', ok=False)
    check(proc.stdout.strip() == 'disabled' and not os.path.lexists(WANTS), what,
          proc.stdout + proc.stderr)


def in_private_mounts(script, *args):
    """`script` (sh) as root in a mount namespace of its own: the tmpfs it mounts over /run or
    /var/lib, and what it writes there, this machine never sees."""
    return sh('unshare', '--mount', '--propagation', 'private', 'sh', '-euc', script, 'sh',
              *args, ok=False)


def check_skipped_where_cloud_init_runs():
    # The file Debian's cloud-init generator writes on a boot where cloud-init runs.
    with open(GENERATOR, encoding='utf-8') as f:
        generator = f.read()
    run_dir = re.search(r'^LOG_D="(.*)"$', generator, re.M).group(1)
    enabled = f'{run_dir}/' + re.search(r'^ENABLE="(.*)"$', generator, re.M).group(1)
    with open(UNIT, encoding='utf-8') as f:
        conditions = re.findall(r'^Condition\w+=.*$', f.read(), re.M)
    check(f'ConditionPathExists=!{enabled}' in conditions,
          f'the unit is conditioned on {enabled}, which {GENERATOR} writes', str(conditions))
    # systemd evaluates the installed unit's conditions, with and without the file.
    script = ('mount -t tmpfs tmpfs /run\n'
              'systemd-analyze condition --unit=s3-user-script.service && echo runs\n'
              'mkdir -p "$(dirname "$1")" && : > "$1"\n'
              'systemd-analyze condition --unit=s3-user-script.service || echo skipped\n')
    proc = in_private_mounts(script, enabled)
    check(proc.stdout.split() == ['runs', 'skipped'],
          'the unit runs without cloud-init and is skipped where cloud-init runs',
          proc.stdout + proc.stderr)


def check_clean_hook():
    step('cloud-init clean keeps the handler link')
    # Real `cloud-init clean` on a /var/lib/cloud of its own, with instance state in it.
    script = ('mount -t tmpfs tmpfs /run\n'
              'mount -t tmpfs tmpfs /var/lib/cloud\n'
              'mkdir -p /var/lib/cloud/handlers /var/lib/cloud/instances/i-0\n'
              'ln -s "$1" /var/lib/cloud/handlers/s3_user_script.py\n'
              ': > /var/lib/cloud/instances/i-0/sem\n'
              'cloud-init clean\n'
              'find /var/lib/cloud -printf "%p %l\\n"\n')
    proc = in_private_mounts(script, HANDLER)
    check(proc.returncode == 0 and sorted(proc.stdout.splitlines()) ==
          ['/var/lib/cloud ', '/var/lib/cloud/handlers ', f'{HANDLER_LINK} {HANDLER}'],
          f'cloud-init clean removed the instance state and {CLEAN_HOOK} made the link again',
          proc.stdout + proc.stderr)


def check_cloud_init(source):
    step("Debian's cloud-init with the installed handler")
    proc = sh('/usr/bin/python3', os.path.join(HERE, 'cloudinit_installed.py'), source,
              timeout=300, ok=False)
    print(proc.stdout, end='')
    check(proc.returncode == 0, 'cloud-init handled a raw #s3-include user data with the '
          'installed handler', proc.stderr[-4000:])
    check(os.path.isdir('/var/lib/cloud/handlers/__pycache__'),
          'cloud-init imported the handler from /var/lib/cloud/handlers (bytecode cache there)')


def check_enabled_unit_is_purged(deb, files_before):
    step('systemctl enable, dpkg -r, dpkg --purge, dpkg -i')
    sh('systemctl', '--root=/', 'enable', 's3-user-script.service')
    check(os.path.islink(WANTS), f'systemctl enable made {WANTS}')
    sh('dpkg', '-r', PACKAGE)
    check(os.path.exists(CLEAN_HOOK), f'{CLEAN_HOOK}, a conffile, outlives dpkg -r')
    # Without the handler the hook does nothing (on a /var/lib of its own).
    proc = in_private_mounts('mount -t tmpfs tmpfs /var/lib\n"$1"\n'
                             'test ! -e /var/lib/cloud && echo nothing', CLEAN_HOOK)
    check(proc.stdout.strip() == 'nothing', 'the hook makes no link once the package is removed',
          proc.stdout + proc.stderr)
    purge(files_before)
    install(deb)
    check_disabled('a reinstall after purge finds the unit disabled')


def purge(files_before):
    step('dpkg --purge')
    sh('dpkg', '--purge', PACKAGE)
    left = [p for p in (BIN, HANDLER_LINK, HANDLER, UNIT, TMPFILES, CLEAN_HOOK, MAN, COMPLETION,
                        DOC, WANTS, '/usr/share/s3-user-script', '/var/lib/cloud/handlers',
                        STATE) if os.path.lexists(p)]
    check(not left, 'nothing of the package is left', str(left))
    check(snapshot() == files_before, 'the watched directories are as before the install',
          str(snapshot() ^ files_before))


def snapshot():
    """Every path under the directories the package writes to."""
    paths = set()
    for top in ('/usr/bin', '/usr/share/doc', '/usr/share/bash-completion/completions',
                '/usr/lib/systemd/system', '/usr/lib/tmpfiles.d', '/usr/share/man/man1',
                '/var/lib/cloud', '/usr/share/s3-user-script', STATE, '/etc/cloud/clean.d',
                '/etc/systemd/system', '/var/lib/systemd/deb-systemd-helper-enabled'):
        for dirpath, dirs, files in os.walk(top):
            paths.update(os.path.join(dirpath, n) for n in dirs + files)
    return paths


def main():
    source, mode, where = os.path.abspath(sys.argv[1]), sys.argv[2], os.path.abspath(sys.argv[3])
    if mode == '--cpack-config':
        deb = make_package(where, os.path.abspath(sys.argv[4]))
    else:
        launcher = sys.argv[4] if len(sys.argv) > 4 else ''
        deb = make_package(build_package(source, where, launcher), os.path.join(where, 'deb'))
    check_package(deb, source)
    os.makedirs(os.path.dirname(LOCK), exist_ok=True)
    with open(LOCK, 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        before = snapshot()
        installed = False
        try:
            install(deb)
            installed = True
            check_binary_against_emulators(source)
            check_man_and_completion()
            check_unit_and_tmpfiles()
            check_clean_hook()
            check_cloud_init(source)
            check_enabled_unit_is_purged(deb, before)
        finally:
            try:
                if installed or os.path.lexists(BIN):
                    purge(before)
            finally:
                # Not there before the install: this test's `systemctl enable` made it, and a
                # purge that failed to remove it must not leave it to the next run.
                if os.path.islink(WANTS):
                    os.remove(WANTS)
    step('PASS')


if __name__ == '__main__':
    if shutil.which('lintian') is None or os.geteuid() != 0:
        sys.exit('package_test.py needs lintian (scripts/setup.sh) and root (it runs dpkg -i)')
    main()
