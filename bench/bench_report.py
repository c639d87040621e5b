"""Benchmark results and their Markdown rendering: medians, spreads (min–max), ratios to
`curl --parallel`, peak RSS and the physical limit (3 + depth)·L. Not responsible for running
anything but the version probes of the machine context.
"""

import os
import platform
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

PARALLEL_ROW = 'curl --parallel (one process)'
SIGV4_ROW = 'curl --aws-sigv4, once per object'
AWS_ROW = 'aws s3 cp, once per object'
PLAN_ROW = 's3-user-script plan'
SAME_IN_FLIGHT_ROW = 's3-user-script plan --max-parallel 64'
FLOOR_ROW = 'floor: raw epoll client, all N in flight'
LIBCURL_FLOOR_ROW = 'floor: one libcurl multi handle, all N in flight'
ROW_ORDER = ['aws s3 cp, once per object', 'curl --aws-sigv4, once per object', PARALLEL_ROW,
             's3-user-script plan', 's3-user-script replay', 's3-user-script get', FLOOR_ROW,
             LIBCURL_FLOOR_ROW]
CURL_BIG_ROW = 'curl (credentials + one GET)'
# The same, then `sync FILE`: on the disk as durably as `get` leaves it (fsync, then rename).
CURL_SYNC_BIG_ROW = 'curl (credentials + one GET), then sync of the file'
# The large object twice, declaring the checksum `get` then verifies: SHA-256 (what the
# emulator declares by default) and CRC-64/NVME (S3's default for new objects since 2024).
GET_SHA256_ROW = 's3-user-script get, SHA-256 declared'
GET_CRC64_ROW = 's3-user-script get, CRC-64/NVME declared'


@dataclass
class Measurement:
    times: List[float] = field(default_factory=list)  # seconds, one per run
    rss_kib: int = 0  # peak RSS of the largest process (first run)
    requests: Optional[Tuple[int, int]] = None  # (IMDS, S3) requests of the first run
    failure: Optional[str] = None
    cpu: List[float] = field(default_factory=list)  # user + system seconds of the tree, per run
    emulator_cpu: List[float] = field(default_factory=list)  # the emulators' seconds, per run
    s3_in_flight: List[int] = field(default_factory=list)  # peak S3 requests unanswered, per run

    @property
    def median_ms(self):
        return statistics.median(self.times) * 1000

    def spread_ms(self):
        return min(self.times) * 1000, max(self.times) * 1000


def _version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
        text = (p.stdout or p.stderr).decode('utf-8', 'replace').strip().splitlines()
        return text[0] if text else f'exit {p.returncode}'
    except OSError as e:
        return f'not runnable ({e.strerror})'


def machine_context(binary):
    load = ', '.join(f'{x:.2f}' for x in os.getloadavg())
    return [
        f'date: {time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}; '
        f'{os.cpu_count()} CPUs; load average at start {load}; '
        f'{platform.system()} {platform.release()}',
        f'aws: `{_version(["/usr/bin/aws", "--version"])}`',
        f'curl: `{_version(["/usr/bin/curl", "--version"])}`',
        f's3-user-script: `{binary}`: `{_version([binary, "--version"])}`',
    ]


def _failure(text):
    text = text.replace('|', '\\|')
    return text if text.startswith('not available') else f'FAILED: {text}'


def _ms(x):
    return f'{x:.0f}' if x >= 10 else f'{x:.1f}'


def _cell(m, reference_ms, default_runs):
    if m is None:
        return '—'
    if m.failure:
        return _failure(m.failure)
    if not m.times:
        return '—'
    med = m.median_ms
    text = _ms(med)
    if len(m.times) > 1:
        lo, hi = m.spread_ms()
        text += f' ({_ms(lo)}–{_ms(hi)})'
    if reference_ms:
        text += f' ×{med / reference_ms:.1f}'
    if len(m.times) != default_runs:
        text += f' [{len(m.times)} run{"s" if len(m.times) > 1 else ""}]'
    return text


class Report:
    def __init__(self, args, latency_ms, depth):
        self.args = args
        self.latency_ms = latency_ms
        self.depth = depth
        self.context = []
        self.fetch = {}  # N -> {row: Measurement}
        self.unavailable = {}  # row -> reason
        self.startup = {}  # name -> Measurement
        self.dry_run = None
        self.big = {}  # row -> Measurement
        self.notes = []
        self.targets = {}  # ratio name -> target (bench_gate.TARGETS)
        self.elapsed = 0.0

    @property
    def limit_ms(self):
        return (3 + self.depth) * self.latency_ms

    def failures(self):
        found = []
        dry = {'dry run': self.dry_run} if self.dry_run else {}
        for table in list(self.fetch.values()) + [self.big, self.startup, dry]:
            found += [f'{row}: {m.failure}' for row, m in table.items()
                      if m.failure and not m.failure.startswith('not available')]
        return found

    def _fetch_table(self):
        sizes = sorted(self.fetch)
        top = sizes[-1]
        lines = ['| job | ' + ' | '.join(f'N={n}' for n in sizes) +
                 f' | requests IMDS+S3 (N={top}) |',
                 '|---|' + '---|' * len(sizes) + '---|']
        extra = sorted({r for n in sizes for r in self.fetch[n] if r not in ROW_ORDER},
                       key=lambda r: (int(r.rsplit(' ', 1)[-1]) if r[-1].isdigit() else 0, r))
        rows = [r for r in ROW_ORDER + extra if any(r in self.fetch[n] for n in sizes) or
                r in self.unavailable]
        for row in rows:
            if row in self.unavailable and not any(row in self.fetch[n] for n in sizes):
                lines.append(f'| {row} | not available: {self.unavailable[row]} |' +
                             ' |' * len(sizes))
                continue
            cells = []
            for n in sizes:
                ref = self.fetch[n].get(PARALLEL_ROW)
                ref_ms = ref.median_ms if ref and ref.times and row != PARALLEL_ROW else None
                cells.append(_cell(self.fetch[n].get(row), ref_ms, self.args.reps))
            m = self.fetch[top].get(row) or self.fetch[sizes[0]].get(row)
            req = f'{m.requests[0]}+{m.requests[1]}' if m and m.requests else '—'
            if row == 's3-user-script get':
                req += ' (N=1)'
            lines.append(f'| {row} | ' + ' | '.join(cells) + f' | {req} |')
        cells = []
        for n in sizes:
            ref = self.fetch[n].get(PARALLEL_ROW)
            ratio = f' ×{self.limit_ms / ref.median_ms:.1f}' if ref and ref.times else ''
            cells.append(f'{self.limit_ms}{ratio}')
        lines.append(f'| physical limit (3 + depth)·L, depth {self.depth}, L = '
                     f'{self.latency_ms} ms | ' + ' | '.join(cells) + ' | 3+1 |')
        return lines

    def _cpu_table(self):
        """Where the CPU goes: the job's own and the emulators' (which answer every job alike:
        when theirs nears the wall time, the emulators, not the client, set the pace)."""
        sizes = sorted(self.fetch)
        lines = ['## CPU per run, ms (median): the job / the emulators', '',
                 '| job | ' + ' | '.join(f'N={n}' for n in sizes) + ' |',
                 '|---|' + '---|' * len(sizes)]
        rows = [r for r in self._all_rows() if any(self.fetch[n].get(r) for n in sizes)]
        for row in rows:
            cells = []
            for n in sizes:
                m = self.fetch[n].get(row)
                if not m or not m.cpu or not m.emulator_cpu:
                    cells.append('—')
                    continue
                cells.append(f'{statistics.median(m.cpu) * 1000:.0f} / '
                             f'{statistics.median(m.emulator_cpu) * 1000:.0f}')
            lines.append(f'| {row} | ' + ' | '.join(cells) + ' |')
        return lines

    def _in_flight_table(self):
        """Peak S3 requests the emulator held unanswered at once (fast emulator only)."""
        sizes = sorted(self.fetch)
        rows = [r for r in self._all_rows() if any(
            self.fetch[n].get(r) and self.fetch[n][r].s3_in_flight for n in sizes)]
        if not rows:
            return []
        lines = ['## Peak S3 requests in flight (seen by the emulator; median of the runs)', '',
                 '| job | ' + ' | '.join(f'N={n}' for n in sizes) + ' |',
                 '|---|' + '---|' * len(sizes)]
        for row in rows:
            cells = []
            for n in sizes:
                m = self.fetch[n].get(row)
                cells.append(f'{statistics.median(m.s3_in_flight):.0f}'
                             if m and m.s3_in_flight else '—')
            lines.append(f'| {row} | ' + ' | '.join(cells) + ' |')
        return lines + ['']

    def _all_rows(self):
        names = {r for rows in self.fetch.values() for r in rows}
        return [r for r in ROW_ORDER if r in names] + sorted(
            names - set(ROW_ORDER),
            key=lambda r: (int(r.rsplit(' ', 1)[-1]) if r[-1].isdigit() else 0, r))

    def ratios(self):
        """{name: ratio} of our medians to each peer's median in this same run; the names
        are those of bench_gate.TARGETS."""
        out = {}

        def ratio(name, ours, peer):
            if ours and peer and ours.times and peer.times and not ours.failure:
                out[name] = ours.median_ms / peer.median_ms

        for n, rows in sorted(self.fetch.items()):
            plan = rows.get(PLAN_ROW)
            # With the same requests in flight as curl --parallel-max 64: the default (16)
            # is that already up to N=16; past it, the sweep's 64 row when there is one.
            same = rows.get(SAME_IN_FLIGHT_ROW) if n > 16 else None
            ratio(f'plan N={n} / curl --parallel', same or plan, rows.get(PARALLEL_ROW))
            ratio(f'plan N={n} / curl --aws-sigv4', plan, rows.get(SIGV4_ROW))
            ratio(f'plan N={n} / aws s3 cp', plan, rows.get(AWS_ROW))
            if plan and plan.times:
                out[f'plan N={n} / (3 + depth)·L'] = plan.median_ms / self.limit_ms
            # Shown, not gated: how far this machine and emulator let any client get, and any
            # client on libcurl.
            for label, row in (('floor', FLOOR_ROW), ('libcurl floor', LIBCURL_FLOOR_ROW)):
                floor = rows.get(row)
                if floor and floor.times and not floor.failure:
                    out[f'{label} N={n} / (3 + depth)·L'] = floor.median_ms / self.limit_ms
            # Each swept in-flight count K: plan --max-parallel K beside curl --parallel-max K.
            for k in getattr(self.args, 'sweep', ()):
                ours = rows.get(f'{PLAN_ROW} --max-parallel {k}')
                peer = rows.get(PARALLEL_ROW if k == 64 else f'curl --parallel --parallel-max {k}')
                ratio(f'plan N={n} --max-parallel {k} / curl --parallel-max {k}', ours, peer)
                if ours and ours.times and not ours.failure:
                    out[f'plan N={n} --max-parallel {k} / (3 + depth)·L'] = \
                        ours.median_ms / self.limit_ms
        curl_version = self.startup.get('curl --version')
        ratio('--version / curl --version', self.startup.get('s3-user-script --version'),
              curl_version)
        ratio('dry-run replay / curl --version', self.dry_run, curl_version)
        # Gated: the object as S3 stores new ones (CRC-64/NVME). SHA-256 declared is shown: its
        # hash (0.8 s of CPU per GiB) is the floor on a small machine that also runs the sender.
        ratio('get large object / curl', self.big.get(GET_CRC64_ROW), self.big.get(CURL_BIG_ROW))
        ratio('get large object, SHA-256 declared / curl', self.big.get(GET_SHA256_ROW),
              self.big.get(CURL_BIG_ROW))
        # Shown, not gated: `get` fsyncs before its rename, curl does not; when the disk
        # writes durably slower than the network delivers, this is the like-for-like ratio.
        ratio('get large object / curl then sync', self.big.get(GET_CRC64_ROW),
              self.big.get(CURL_SYNC_BIG_ROW))
        return out

    def _ratio_table(self, targets):
        lines = ['## Ratios to the peers in this run (lower is better)', '',
                 '| ours / peer | ratio | target |', '|---|---|---|']
        for name, value in self.ratios().items():
            target = targets.get(name)
            lines.append(f'| {name} | {value:.2f} | {f"≤ {target}" if target else "—"} |')
        return lines

    def _rss_table(self):
        n = 32 if 32 in self.fetch else max(self.fetch)
        lines = [f'## Peak RSS at N={n} (largest process of the job)', '',
                 '| job | peak RSS MiB |', '|---|---|']
        for row in ROW_ORDER:
            m = self.fetch[n].get(row) or (self.fetch[1].get(row) if row.endswith('get')
                                           and 1 in self.fetch else None)
            if m and m.times:
                suffix = ' (N=1)' if row.endswith('get') else ''
                lines.append(f'| {row}{suffix} | {m.rss_kib / 1024:.1f} |')
        return lines

    def _simple_table(self, title, table, head):
        lines = [title, '', f'| {head} | ms: median (min–max) | runs | peak RSS MiB |',
                 '|---|---|---|---|']
        for row, m in table.items():
            if m.failure:
                lines.append(f'| {row} | {_failure(m.failure)} | | |')
            else:
                lo, hi = m.spread_ms()
                rss = f'{m.rss_kib / 1024:.1f}' if m.rss_kib else '—'
                lines.append(f'| {row} | {_ms(m.median_ms)} ({_ms(lo)}–{_ms(hi)}) | '
                             f'{len(m.times)} | {rss} |')
        return lines

    def markdown(self):
        a = self.args
        out = ['# s3-user-script benchmarks' + (' (quick mode)' if a.quick else ''), '']
        out += [f'- {c}' for c in self.context]
        emulators = ('the compiled bench emulator (bench/fast_emulator.cc: one write per '
                     'response, no signature check, the issued credentials required)'
                     if getattr(a, 'emulator', 'python') == 'fast' else
                     'the Python emulators (scripts/emulators: botocore signature checks)')
        out += [f'- fetch table: loopback IMDS and S3, {emulators}, answering every request '
                f'after {self.latency_ms} ms; start-up, dry run and large object: the Python '
                'emulators; objects: 1 KiB `#!/bin/sh` scripts in bucket '
                f'`bench`; {a.reps} runs per cell unless marked', '',
                '## Fetch N objects: IMDSv2 token + role credentials + N signed GETs', '',
                'Wall clock of the whole command, ms: median (min–max), ×ratio to '
                '`curl --parallel` at the same N.', '']
        out += self._fetch_table() + ['']
        out += self._ratio_table(self.targets) + ['']
        out += self._cpu_table() + ['']
        out += self._in_flight_table()
        out += self._rss_table() + ['']
        if not self.startup and not self.big:
            out += ['## Notes', ''] + [f'- {n}' for n in NOTES + self.notes]
            out += ['', f'Run took {self.elapsed:.0f} s.', '']
            return '\n'.join(out)
        out += self._simple_table('## Start-up (hyperfine -N, --warmup 3; the short commands '
                                  'alternately, in 5 batches)', self.startup,
                                  'command') + ['']
        if self.dry_run is not None:
            out += self._simple_table(
                '## Dry-run replay of a 16 KB, 10-part MIME blob (no includes)',
                {'s3-user-script replay --dry-run': self.dry_run}, 'command') + ['']
        out += self._simple_table(f'## One {a.big_mib} MiB object (sparse file on the emulator)',
                                  self.big, 'job') + ['']
        out += ['## Notes', ''] + [f'- {n}' for n in NOTES + self.notes]
        out += ['', f'Run took {self.elapsed:.0f} s.', '']
        return '\n'.join(out)


NOTES = [
    'aws s3 cp: awscli 2.9 ignores `AWS_ENDPOINT_URL_S3` (only 2.13+ reads it): each call '
    'passes `--endpoint-url`. `AWS_EC2_METADATA_SERVICE_ENDPOINT` is honoured but must end in '
    '`/` (2.9 appends `latest/api/token` without a separator: "Invalid endpoint"). No region is '
    'configured: awscli asks IMDS for the availability zone, with its own token, on every call.',
    'aws s3 cp runs are capped (N ≤ 8: all; N = 32: 3; N = 128: 1) because each call costs '
    'about a second of CPU on this machine.',
    'curl rows: `curl -X PUT` token, GET role, GET credentials, JSON through /usr/bin/python3 '
    '(jq is not a project dependency); curl 7.88 `--aws-sigv4 aws:amz:us-east-1:s3` with '
    '`x-amz-security-token` and `x-amz-content-sha256` added by hand. The parallel row is one '
    '`curl --parallel --parallel-max 64` with a URL glob `obj-[000-NNN].sh`; with --sweep, '
    'one more `curl --parallel --parallel-max K` row per swept K other than 64.',
    'Ratio of plan to curl --parallel: with the same requests in flight, as the targets '
    'ask (the sweep\'s `--max-parallel 64` row past N=16 when the run has it; the default '
    '16 is the same up to N=16).',
    'Physical limit: 3 IMDS round trips (token, role, credentials) + one round trip per '
    'include level, each at least L.',
    'Floor row (fast emulator only): bench/floor_client.cc, a C++ client that gets the '
    'credentials in three round trips on one connection, then sends all N GETs at once (at '
    'most 512) on fresh keep-alive connections from one epoll thread, keeping the bodies in '
    'memory as `plan` does (written to files, as the curl rows do, 512 bodies cost it about '
    '100 ms more here). It signs, parses and verifies nothing, so it is not a competitor: it '
    'is the least any client pays on this machine beside the emulator, and shows what is '
    'left of the (3 + depth)·L target once that is paid.',
    'libcurl floor row (fast emulator only): bench/libcurl_floor.cc, the same work on one '
    'libcurl multi handle driven from one thread as net/curl_transport.cc drives its own '
    '(curl_multi_perform, then curl_multi_poll). What the HTTP stack we ship on costs before '
    'any signing, parsing or verifying of ours.',
    'Peak RSS: GNU time `%M` on the first run of each cell (that run is timed too; time adds '
    'about a millisecond): the largest single process of the job, not the sum. In the curl '
    'rows that may be python3 parsing the credentials (about 10 MiB) rather than curl.',
]
