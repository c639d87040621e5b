#!/usr/bin/python3
"""End-to-end: an interrupted run ends closed. SIGTERM while a part runs reaches the part's
process group (its background child too), the run is recorded "interrupted" and `status`
says so, exit 143; SIGINT while an include is being fetched ends the fetch at once, exit 130,
nothing ran, and the run is recorded "interrupted" with its line. Every wait is on an event
(a file, the emulator's stats); timeouts are hang guards."""

import contextlib
import fcntl
import json
import os
import select
import signal
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_util as ru  # noqa: E402

HANG_GUARD = 60  # seconds


def gone(pid):
    """No such process, or a zombie its new parent has yet to reap."""
    try:
        with open(f'/proc/{pid}/stat', encoding='ascii') as f:
            return f.read().rsplit(')', 1)[1].split()[0] == 'Z'
    except (FileNotFoundError, ProcessLookupError):
        return True


class Interrupt(ru.EmulatorTestCase):
    def interrupt(self, args, env, ready, what, sig):
        """Starts the binary, waits until ready(), sends sig; checks the exit code (128 +
        sig) and that stderr is one error line: that line without its prefix."""
        proc = subprocess.Popen([ru.BINARY] + args, env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            ru.wait_for(ready, what)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=HANG_GUARD)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        return self.one_error(proc, 128 + sig, err)

    def test_sigterm_while_a_part_runs_ends_its_group_and_records_the_run_interrupted(self):
        work = os.path.join(self.runs, 'term')
        state = os.path.join(work, 'state')
        os.makedirs(work)
        bg_pid, later = os.path.join(work, 'bg.pid'), os.path.join(work, 'later-ran')
        # A part that starts a background child of its own, then waits for ever.
        part = ('#!/usr/bin/python3\nimport os, subprocess, time\n'
                "bg = subprocess.Popen(['/bin/sleep', '600'])\n"
                f"with open({bg_pid!r} + '.tmp', 'w') as f:\n    f.write(str(bg.pid))\n"
                f"os.rename({bg_pid!r} + '.tmp', {bg_pid!r})\ntime.sleep(600)\n").encode()
        blob = os.path.join(work, 'user-data')
        with open(blob, 'wb') as f:
            f.write(ru.mime([('text/x-shellscript', 'long.py', part),
                             ('text/x-shellscript', 'later.sh',
                              f'#!/bin/sh\n: > {later}\n'.encode())]))
        line = self.interrupt(['replay', blob, '--state-dir', state, '-q'], dict(self.emu.env),
                              lambda: os.path.exists(bg_pid), 'the part to start its child',
                              signal.SIGTERM)
        self.assertEqual(line, 'interrupted by SIGTERM while running part 1 of 2 '
                               '(text/x-shellscript, filename long.py); later parts did not run')
        child = int(ru.read(bg_pid))
        ru.wait_for(lambda: gone(child), f'the part\'s background child {child} to end')
        self.assertFalse(os.path.exists(later))

        status = ru.run(['status', '--state-dir', state], env=ru.offline_env(self.tmp.name))
        self.assertEqual(status.returncode, 1, status.stderr)
        self.assertRegex(status.stdout, r'^last run: interrupted at ')
        self.assertIn('interrupted by SIGTERM: the next run runs again every part that did not '
                      'succeed\n', status.stdout)
        report = json.loads(ru.run(['status', '--json', '--state-dir', state],
                                   env=ru.offline_env(self.tmp.name)).stdout)
        self.assertEqual((report['status'], report['interrupted_by'], report['interrupted_part']),
                         ('interrupted', 'SIGTERM', 1))
        self.assertEqual(ru.outcomes(report), [(1, 'failed'), (2, 'not-run')])
        self.assertEqual(report['parts'][0]['message'], 'interrupted by SIGTERM')

    @contextlib.contextmanager
    def held_include(self, name):
        """A replay of one include whose GET the emulator holds unanswered (--hold-first 2:
        until a second GET arrives, 10 s at most). Yields (emu, args, state, ran, held): the
        replay's arguments, its state dir, the file its script makes, and a readiness test."""
        work = os.path.join(self.runs, name)
        state = os.path.join(work, 'state')
        os.makedirs(work)
        ran = os.path.join(work, 'ran')
        with ru.Emulators(work, s3_args=['--hold-first', '2']) as emu:
            emu.put('held-bucket', 'a.sh', f'#!/bin/sh\n: > {ran}\n'.encode())
            blob = os.path.join(work, 'user-data')
            with open(blob, 'w', encoding='ascii') as f:
                f.write('#s3-include\ns3://held-bucket/a.sh\n')
            yield (emu, ['replay', blob, '--state-dir', state, '-q'], state, ran,
                   lambda: emu.stats('s3').get('held', 0) >= 1)

    def test_sigint_during_a_held_fetch_ends_it_at_once_and_runs_nothing(self):
        with self.held_include('int') as (emu, args, state, ran, held):
            line = self.interrupt(args, dict(emu.env), held, 'the GET to be held', signal.SIGINT)
            # Ended while the GET was still held: the emulator never answered it.
            answered = [r for r in emu.stats('s3')['by_request'] if r.startswith('GET ')]
            self.assertEqual(answered, [])
        self.assertEqual(line, 'interrupted by SIGINT while reading, fetching and verifying the '
                               'user data; nothing ran')
        self.assertFalse(os.path.exists(ran))
        # Recorded: `status` shows this run interrupted, not the run before it (here: none).
        report = ru.load_report(state)
        self.assertEqual((report['status'], report['interrupted_by'], report['parts'],
                          report['error']), ('interrupted', 'SIGINT', [], line))
        status = ru.run(['status', '--state-dir', state], env=ru.offline_env(self.tmp.name))
        self.assertEqual(status.returncode, 1, status.stderr)
        self.assertIn(f'\nerror: {line}\n', status.stdout)

    def test_a_run_killed_during_a_fetch_leaves_a_work_dir_the_next_run_removes(self):
        # The first GET is held until the next run's arrives.
        with self.held_include('kill') as (emu, args, state, ran, held):
            proc = subprocess.Popen([ru.BINARY] + args, env=dict(emu.env),
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                ru.wait_for(held, 'the GET to be held')
                proc.kill()  # SIGKILL: no clean-up of ours runs
                proc.wait(timeout=HANG_GUARD)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            left = [n for n in os.listdir(state) if n.startswith('work-')]
            self.assertEqual(len(left), 1, os.listdir(state))
            # The next run, holding the lock, removes it; its own is gone when it ends.
            again = ru.run(args, emu=emu)
            self.assertEqual(again.returncode, 0, again.stderr)
        self.assertTrue(os.path.exists(ran))
        self.assertEqual([n for n in os.listdir(state) if n.startswith('work-')], [])

    def test_a_run_killed_while_a_part_runs_is_not_reported_as_the_run_before_it(self):
        work = os.path.join(self.runs, 'kill-part')
        state = os.path.join(work, 'state')
        os.makedirs(work)
        started = os.path.join(work, 'started')
        blob = os.path.join(work, 'user-data')
        with open(blob, 'w', encoding='ascii') as f:
            f.write('#!/bin/sh\necho ok\n')
        env = ru.offline_env(self.tmp.name)
        first = ru.run(['replay', blob, '--state-dir', state, '-q'], env=env)
        self.assertEqual(first.returncode, 0, first.stderr)
        with open(blob, 'w', encoding='ascii') as f:  # a changed script: it runs again
            f.write(f'#!/bin/sh\n: > {started}\nexec sleep 600\n')
        proc = subprocess.Popen([ru.BINARY, 'replay', blob, '--state-dir', state, '-q'],
                                env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            ru.wait_for(lambda: os.path.exists(started), 'the part to start')
            os.killpg(proc.pid, signal.SIGKILL)  # the OOM killer, a power loss: no clean-up
            proc.wait(timeout=HANG_GUARD)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        # `status` said "ok": the report of the run before it.
        status = ru.run(['status', '--state-dir', state], env=env)
        self.assertEqual(status.returncode, 1, status.stdout)
        self.assertTrue(status.stdout.startswith('last run: failed'), status.stdout)
        self.assertIn('error: the run did not finish: it was killed or crashed', status.stdout)

    def test_a_part_that_reads_the_terminal_fails_at_once_instead_of_stopping(self):
        # Started from a terminal, a part that read /dev/tty (a prompt, sudo) was a background
        # group of our session: SIGTTIN stopped it, and the run waited for ever, silent. A part
        # has no terminal now, as under cloud-init, and is no session leader either: a
        # terminal it opens does not become its own (whose hangup would end its jobs).
        work = os.path.join(self.runs, 'tty')
        os.makedirs(work)
        master, slave = os.openpty()
        script = ('#!/bin/sh\nif read answer < /dev/tty; then echo GOT-TTY; else echo NO-TTY; fi\n'
                  f'exec 3<> {os.ttyname(slave)}\n'
                  'read -r stat < /proc/$$/stat\nset -- $stat\n'
                  'echo "SESSION-LEADER=$([ "$6" = "$$" ] && echo yes || echo no) TTY=$7"\n')
        blob = os.path.join(work, 'user-data')
        with open(blob, 'wb') as f:
            f.write(ru.mime([('text/x-shellscript', 'ask.sh', script.encode())]))
        args = [ru.BINARY, 'replay', blob, '--state-dir', os.path.join(work, 'state')]
        env = ru.offline_env(self.tmp.name)
        pid = os.fork()
        if pid == 0:  # a session leader with the terminal as its own, as a login shell is
            try:
                os.close(master)
                os.setsid()
                fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
                for fd in (0, 1, 2):
                    os.dup2(slave, fd)
                os.execve(ru.BINARY, args, env)
            finally:
                os._exit(127)
        os.close(slave)
        out = b''
        done, status = 0, 0
        deadline = time.monotonic() + HANG_GUARD
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 1)
                if not ready:
                    continue
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: every writer closed the terminal
                    break
                if not chunk:
                    break
                out += chunk
            # The terminal closes a moment before the process exits: wait for the exit too.
            done, status = os.waitpid(pid, os.WNOHANG)
            while done == 0 and time.monotonic() < deadline:
                time.sleep(0.02)
                done, status = os.waitpid(pid, os.WNOHANG)
        finally:
            if done == 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            os.close(master)
        self.assertNotEqual(done, 0, 'the run was still waiting after %d s: %r' % (HANG_GUARD, out))
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, out)
        self.assertIn(b'NO-TTY', out)
        self.assertIn(b'SESSION-LEADER=no TTY=0', out)

if __name__ == '__main__':
    ru.main()
