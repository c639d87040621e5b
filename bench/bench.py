#!/usr/bin/python3
"""Benchmarks against what users run today: times IMDSv2 token + role credentials + fetching N
small objects from S3 (loopback emulators with 20 ms per response) with aws s3 cp, curl
--aws-sigv4, curl --parallel and s3-user-script, and writes a Markdown table.

    bench/run.sh [--quick] [--binary PATH] [--out FILE] [--reps K]

Wall clock of whole commands (time.perf_counter around fork..wait); peak RSS from GNU time's
%M on the first run of each cell (the largest process of the job's tree). Not responsible for
the commands themselves (bench_jobs.py) or the emulators (scripts/emulators).
"""

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, 'scripts', 'emulators'))
from harness import Emulators  # noqa: E402
from fast_emu import FastEmulators, build_floor_client, build_libcurl_floor  # noqa: E402
import bench_gate  # noqa: E402
import bench_jobs as bj  # noqa: E402
import bench_report as br  # noqa: E402

LATENCY_MS = 20
GNU_TIME = '/usr/bin/time'
CURL_BIG_ROW = br.CURL_BIG_ROW
# The large object's key per `get` row, and the checksum S3 declares for it (--key-checksum).
BIG_KEYS = {br.GET_SHA256_ROW: ('big.bin', 'sha256'),
            br.GET_CRC64_ROW: ('big-crc64nvme.bin', 'crc64nvme')}
S3_ARGS = [a for k, alg in BIG_KEYS.values() for a in ('--key-checksum', f'{k}={alg}')]
DEPTH = 1  # one level of includes: the blob names the objects directly


class RunFailed(Exception):
    pass


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_once(job, log_path, rss=False, cpu=None):
    """(seconds, peak RSS KiB or 0) of one whole run; RunFailed when it did not do the job.
    cpu: a list that gets the run's CPU seconds (user + system of the whole tree) appended.
    rss: run under GNU time, whose %M is the largest process of the tree. (ru_maxrss from our
    own wait4 would not do: a child forked from this Python process starts with its RSS.)"""
    job.prepare()
    argv = job.argv
    rss_file = log_path + '.rss'
    if rss and os.path.exists(GNU_TIME):
        argv = [GNU_TIME, '-f', '%M', '-o', rss_file] + argv
    with open(log_path, 'wb') as log:
        cpu0 = children_cpu()
        t0 = time.perf_counter()
        rc = subprocess.call(argv, env=job.env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=log)
        elapsed = time.perf_counter() - t0
        if cpu is not None:
            cpu.append(children_cpu() - cpu0)
    if rc != 0:
        with open(log_path, 'rb') as f:
            lines = f.read().decode('utf-8', 'replace').strip().splitlines()
        raise RunFailed(f'exit {rc}' + (f': {lines[-1][:160]}' if lines else ''))
    problem = job.check()
    if problem:
        raise RunFailed(problem)
    peak = 0
    if argv is not job.argv:
        with open(rss_file, encoding='ascii') as f:
            peak = int(f.read().split()[-1])
    return elapsed, peak


def request_count(emu):
    """(IMDS requests, S3 requests) so far; with the fast emulator also its peak of S3
    requests in flight since the last call (which resets it)."""
    if isinstance(emu, FastEmulators):
        st = emu.all_stats()
        return st['imds']['total'], st['s3']['total'], st['s3']['max_in_flight']
    return emu.stats('imds')['total'], emu.stats('s3')['total']


def emulators_cpu(emu):
    """CPU seconds the IMDS and S3 emulators have used so far (all their threads; clock-tick
    resolution)."""
    if isinstance(emu, FastEmulators):
        return emu.cpu_seconds()
    total = 0
    for proc in (emu._imds.proc, emu._s3.proc):  # noqa: SLF001 (no accessor in the harness)
        with open(f'/proc/{proc.pid}/stat', encoding='ascii') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf('SC_CLK_TCK')


def measure(jobs, emu, log_path):
    """Runs each (row, job, reps) interleaved, rep by rep, so machine load drifts evenly.
    Returns {row: Measurement}."""
    out = {row: br.Measurement() for row, _, _ in jobs}
    for rep in range(max(r for _, _, r in jobs)):
        for row, job, reps in jobs:
            m = out[row]
            if rep >= reps or m.failure:
                continue
            before = request_count(emu)
            emu_before = emulators_cpu(emu)
            try:
                t, rss = run_once(job, log_path, rss=rep == 0, cpu=m.cpu)
            except RunFailed as e:
                m.failure = str(e)
                continue
            m.emulator_cpu.append(emulators_cpu(emu) - emu_before)
            after = request_count(emu)
            if rep == 0:
                m.requests = (after[0] - before[0], after[1] - before[1])
            if len(after) > 2:  # the fast emulator's peak of S3 requests unanswered at once
                m.s3_in_flight.append(after[2])
            m.times.append(t)
            m.rss_kib = max(m.rss_kib, rss)
    return out


def aws_reps(n, reps):
    """aws s3 cp costs about a second of CPU per object: fewer repetitions at large N."""
    return reps if n <= 8 else min(reps, 3) if n <= 32 else 1


def hyperfine(argv, runs, env, work):
    """Measurement of a short command with hyperfine (Python loop when it is missing)."""
    m = br.Measurement()
    exe = shutil.which('hyperfine')
    if exe is None:
        job = bj.Job(' '.join(argv), argv, env)
        for i in range(runs):
            t, rss = run_once(job, os.path.join(work, 'hf.log'), rss=i == 0)
            m.times.append(t)
            m.rss_kib = max(m.rss_kib, rss)
        return m
    export = os.path.join(work, 'hyperfine.json')
    cmd = ' '.join(argv)
    subprocess.run([exe, '-N', '--style', 'none', '--warmup', '3', '--runs', str(runs),
                    '--export-json', export, cmd], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(export, encoding='utf-8') as f:
        m.times = json.load(f)['results'][0]['times']
    m.rss_kib = run_once(bj.Job(cmd, argv, env), os.path.join(work, 'hf.log'), rss=True)[1]
    return m


def interleaved_hyperfine(commands, runs, env, work, rounds=5):
    """{name: Measurement} of short commands timed alternately, `rounds` batches each, so
    that a drift of the machine (frequency, a background task) falls on all of them alike."""
    out = {}
    for _ in range(rounds):
        for name, argv in commands.items():
            m = hyperfine(argv, max(1, runs // rounds), env, work)
            total = out.setdefault(name, br.Measurement())
            total.times += m.times
            total.rss_kib = max(total.rss_kib, m.rss_kib)
    return out


def vm_hwm_kib(pid):
    try:
        with open(f'/proc/{pid}/status', encoding='ascii') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def big_object(emu, work, binary, available, size, env_curl, reps=1):
    """Fetching one large object (a sparse file the emulator streams in 1 MiB writes): curl,
    and `get` of it declaring each checksum of BIG_KEYS (curl checks nothing), interleaved,
    `reps` runs each. Peak RSS of the first run."""
    rows, notes = {}, []
    bucket_dir = os.path.join(emu.root, bj.BUCKET)
    os.makedirs(bucket_dir, exist_ok=True)
    paths = [os.path.join(bucket_dir, k) for k, _ in BIG_KEYS.values()]
    for path in paths:
        with open(path, 'wb') as f:
            f.truncate(size)
    log = os.path.join(work, 'big.log')

    def size_check(out):
        return lambda: None if os.path.getsize(out) == size else f'{out}: wrong size'

    jobs = []
    for row, durable in ((CURL_BIG_ROW, False), (br.CURL_SYNC_BIG_ROW, True)):
        curl_job = bj.big_curl_job(work, env_curl, 'big.bin', row, durable)
        curl_job.check = size_check(curl_job.out)
        jobs.append((row, curl_job, reps))
    extra = []
    if not available['get'] and '--max-object-size' in bj.get_help(binary):
        extra = ['--max-object-size', str(size * 2)]
    for row, (key_name, _) in BIG_KEYS.items():
        if available['get']:
            rows[row] = br.Measurement(failure='not available: ' + available['get'])
            continue
        job = bj.get_job(work, binary, emu.env, None, f's3://{bj.BUCKET}/{key_name}', extra,
                         name=row, out_dir_name=f'get-{key_name}')
        job.check = size_check(job.out)
        jobs.append((row, job, reps))
    # Unmeasured: the emulator digests each file on its first GET (the ETag's MD5, then the
    # declared checksum; seconds for 1 GiB, in Python), which would otherwise land on
    # whichever row runs first.
    for _, job, _ in jobs:
        try:
            run_once(job, log)
        except RunFailed:
            pass  # the measured runs report it
    rows.update(measure(jobs, emu, log))
    for _, job, _ in jobs:
        if os.path.exists(job.out):
            os.unlink(job.out)
    hwm = vm_hwm_kib(emu._s3.proc.pid)  # noqa: SLF001 (the harness offers no accessor)
    if hwm:
        notes.append(f'S3 emulator peak RSS after this: {hwm // 1024} MiB.')
    for path in paths:
        os.unlink(path)
    return rows, notes


def get_only(args):
    """`--get-only`: the large-object rows alone at each size, with CPU seconds per run."""
    lines = ['# get of a large object: s3-user-script vs curl --aws-sigv4', '',
             *(f'- {c}' for c in br.machine_context(args.binary)), '',
             '| size | row | wall s, median (min–max) | CPU s, median | peak RSS MiB |'
             ' wall ratio | CPU ratio |', '|---|---|---|---|---|---|---|']
    available = bj.our_commands(args.binary)
    with tempfile.TemporaryDirectory(prefix='s3us-bench-') as tmp:
        work = os.path.join(tmp, 'work')
        os.makedirs(work)
        with Emulators(tmp, latency_ms=LATENCY_MS, s3_args=S3_ARGS) as emu:
            env_curl = dict(emu.env, IMDS=emu.imds_url, S3=emu.s3_url)
            for mib in args.get_only:
                print(f'bench: get of {mib} MiB', file=sys.stderr, flush=True)
                rows, _ = big_object(emu, work, args.binary, available, mib << 20, env_curl,
                                     args.reps)
                curl = rows[CURL_BIG_ROW]
                for name, m in rows.items():
                    if m.failure or not m.times:
                        lines.append(f'| {mib} MiB | {name} | {m.failure} | | | | |')
                        continue
                    wall = statistics.median(m.times)
                    cpu = statistics.median(m.cpu)
                    ratios = ['', '']
                    if name != CURL_BIG_ROW and curl.times:
                        ratios = [f'{wall / statistics.median(curl.times):.2f}',
                                  f'{cpu / statistics.median(curl.cpu):.2f}']
                    lines.append(f'| {mib} MiB | {name} | {wall:.2f} ({min(m.times):.2f}–'
                                 f'{max(m.times):.2f}) | {cpu:.2f} | {m.rss_kib / 1024:.1f} | '
                                 f'{ratios[0]} | {ratios[1]} |')
    load = ', '.join(f'{x:.2f}' for x in os.getloadavg())
    lines += ['', f'{args.reps} runs per row, interleaved; load average at the end {load}. CPU '
              'is user + system of the whole job (the curl row includes its credential '
              'steps: three curl calls and a python3 JSON parse).']
    text = '\n'.join(lines) + '\n'
    print(text)
    if args.out:
        with open(args.out, 'w', encoding='utf-8') as f:
            f.write(text)
    return 1 if any('FAILED' in x or '| None |' in x for x in lines) else 0


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--quick', action='store_true', help='N in 1, 8; fewer repetitions')
    p.add_argument('--binary', default=os.path.join(ROOT, 'build', 'release', 's3-user-script'))
    p.add_argument('--out', help='default bench/results.md; with --get-only, stdout only')
    p.add_argument('--get-only', help='comma-separated MiB: only the large-object get rows, '
                   'at each size (default 3 runs each)')
    p.add_argument('--reps', type=int, help='repetitions per cell (default 5, quick 2)')
    p.add_argument('--big-mib', type=int, help='large object size (default 1024, quick 64)')
    p.add_argument('--sizes', help='comma-separated N (default 1,8,32,128; quick 1,8)')
    p.add_argument('--sweep', default='', help='comma-separated --max-parallel values: one '
                   'more plan row each, and a `curl --parallel --parallel-max K` row beside it')
    p.add_argument('--emulator', choices=('fast', 'python'), default='fast',
                   help='the fetch table\'s emulators: fast (bench/fast_emulator.cc, compiled, '
                   'not the bottleneck; default) or python (scripts/emulators, botocore '
                   'signature checks); the large object and the dry run use python')
    p.add_argument('--fetch-only', action='store_true', help='only the fetch table (no '
                   'start-up, dry run or large object)')
    p.add_argument('--ratios-json', help='also write {ratio name: value} here')
    p.add_argument('--skip-aws', action='store_true', help='leave out the aws s3 cp row '
                   '(about a second of CPU per object)')
    args = p.parse_args(argv)
    args.sizes = [int(x) for x in args.sizes.split(',')] if args.sizes else \
        [1, 8] if args.quick else [1, 8, 32, 128]
    args.sweep = [int(x) for x in args.sweep.split(',') if x]
    args.get_only = [int(x) for x in args.get_only.split(',')] if args.get_only else []
    if not args.out and not args.get_only:
        args.out = os.path.join(HERE, 'results.md')
    args.reps = args.reps or (2 if args.quick else 3 if args.get_only else 5)
    args.big_mib = args.big_mib or (64 if args.quick else 1024)
    args.binary = os.path.abspath(args.binary)
    return args


def fetch_table(args, report, available, emu, work, log):
    """The fetch table: every row at every N of args.sizes, against emu."""
    bodies = [bj.object_body(i) for i in range(max(args.sizes))]
    for i, body in enumerate(bodies):
        emu.put(bj.BUCKET, bj.key(i), body)
    for n in args.sizes:
        print(f'bench: N={n}', file=sys.stderr, flush=True)
        comp = bj.competitor_jobs(work, n, emu.env, emu.imds_url, emu.s3_url, bodies,
                                  args.sweep)
        jobs = [] if args.skip_aws else [(comp[0].name, comp[0], aws_reps(n, args.reps))]
        jobs += [(j.name, j, args.reps) for j in comp[1:]]
        ours = bj.our_jobs(work, n, args.binary, emu.env, args.sweep)
        for cmd, job in ours.items():
            if available[cmd.split('-')[0]]:
                report.unavailable[job.name] = available[cmd.split('-')[0]]
            else:
                jobs.append((job.name, job, args.reps))
        if args.emulator == 'fast':
            for row, client in ((br.FLOOR_ROW, build_floor_client()),
                                (br.LIBCURL_FLOOR_ROW, build_libcurl_floor())):
                job = bj.floor_job(row, n, client, emu.env, emu.imds_url, emu.s3_url)
                jobs.append((job.name, job, args.reps))
        if n == 1 and not available['get']:
            job = bj.get_job(work, args.binary, emu.env, bodies[0])
            jobs.append((job.name, job, args.reps))
        elif n == 1:
            report.unavailable['s3-user-script get'] = available['get']
        report.fetch[n] = measure(jobs, emu, log)


def main(argv):
    args = parse_args(argv)
    if args.get_only:
        return get_only(args)
    start = time.monotonic()
    available = bj.our_commands(args.binary)
    report = br.Report(args, LATENCY_MS, DEPTH)
    report.targets = bench_gate.TARGETS
    report.context = br.machine_context(args.binary)
    with tempfile.TemporaryDirectory(prefix='s3us-bench-') as tmp:
        work = os.path.join(tmp, 'work')
        os.makedirs(work)
        log = os.path.join(work, 'run.log')
        with contextlib.ExitStack() as stack:
            emu = stack.enter_context(Emulators(tmp, latency_ms=LATENCY_MS, s3_args=S3_ARGS))
            fetch_emu = emu
            if args.emulator == 'fast':
                fetch_emu = stack.enter_context(FastEmulators(tmp, LATENCY_MS))
            fetch_table(args, report, available, fetch_emu, work, log)
            if args.fetch_only:
                stack.close()
                return finish(args, report, start)
            print('bench: start-up, dry run, large object', file=sys.stderr, flush=True)
            runs = 30 if args.quick else 200
            report.startup['aws --version'] = hyperfine([bj.AWS, '--version'],
                                                        2 if args.quick else 5, emu.env, work)
            short = {'curl --version': [bj.CURL, '--version']}
            if os.access(args.binary, os.X_OK):
                short['s3-user-script --version'] = [args.binary, '--version']
            else:
                report.startup['s3-user-script --version'] = br.Measurement(
                    failure=f'not available: no executable at {args.binary}')
            if available['replay']:
                report.dry_run = br.Measurement(failure='not available: ' + available['replay'])
            else:
                blob = os.path.join(work, 'typical.txt')
                with open(blob, 'wb') as f:
                    f.write(bj.typical_blob())
                # A dry run writes nothing, so every run meets the same empty state directory.
                job = bj.dry_run_job(work, args.binary, emu.env, blob)
                job.prepare()
                short['dry run'] = job.argv
            timed = interleaved_hyperfine(short, runs, emu.env, work)
            report.dry_run = timed.pop('dry run', report.dry_run)
            report.startup.update(timed)
            env_curl = dict(emu.env, IMDS=emu.imds_url, S3=emu.s3_url)
            report.big, notes = big_object(emu, work, args.binary, available,
                                           args.big_mib << 20, env_curl)
            report.notes += notes
    return finish(args, report, start)


def finish(args, report, start):
    report.elapsed = time.monotonic() - start
    report.notes.append('Load average at the end: ' +
                        ', '.join(f'{x:.2f}' for x in os.getloadavg()) + '.')
    text = report.markdown()
    print(text)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w', encoding='utf-8') as f:
        f.write(text)
    if args.ratios_json:
        with open(args.ratios_json, 'w', encoding='utf-8') as f:
            json.dump(report.ratios(), f, indent=2)
    print(f'bench: wrote {args.out} in {report.elapsed:.0f} s', file=sys.stderr)
    return 1 if report.failures() else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
