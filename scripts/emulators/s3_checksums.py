"""The checksums S3 declares in x-amz-checksum-* answers, computed here in plain Python
(botocore needs awscrt for CRC32C and CRC64NVME, which Debian does not ship): an
implementation independent of the client's, table-driven, for objects of test size, with
one shortcut that keeps large sparse objects (the 1 GiB benchmark) cheap: a run of zero
bytes advances a CRC register by one multiplication, by x^(8·run) mod P, so its cost grows
with the logarithm of its length. Any data stays exact; only zeros go faster."""
import base64
import hashlib
import os
import re
import zlib


def _table(poly):
    table = []
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


# Zero runs shorter than this go through the table: a multiplication costs about as much.
_MIN_ZERO_RUN = 64
_ZERO_RUN = re.compile(b'\0{%d,}' % _MIN_ZERO_RUN)


class _ReflectedCrc:
    """A reflected CRC of `width` bits (bit i of a value is the coefficient of x^(width-1-i);
    initial value and final XOR all ones), streamed with update()."""

    def __init__(self, poly, width):
        self.poly, self.width = poly, width
        self.table = _table(poly)
        self._powers = [self._x_power(8)]  # x^(8·2^k) mod P, grown on demand

    def _times_x(self, a):
        return (a >> 1) ^ self.poly if a & 1 else a >> 1

    def _x_power(self, n):
        r = 1 << (self.width - 1)  # x^0
        for _ in range(n):
            r = self._times_x(r)
        return r

    def multiply(self, a, b):
        """a·b mod P, schoolbook: b times each power of x that a holds."""
        r = 0
        for i in range(self.width - 1, -1, -1):  # bit width-1 is x^0
            if a >> i & 1:
                r ^= b
            b = self._times_x(b)
        return r

    def zeros(self, reg, n):
        """The register after n zero bytes: reg·x^(8n) mod P, square-and-multiply."""
        k = 0
        while n:
            if k == len(self._powers):
                self._powers.append(self.multiply(self._powers[-1], self._powers[-1]))
            if n & 1:
                reg = self.multiply(reg, self._powers[k])
            n >>= 1
            k += 1
        return reg

    def table_bytes(self, reg, data):
        table = self.table
        for byte in data:
            reg = (reg >> 8) ^ table[(reg ^ byte) & 0xff]
        return reg

    def register(self, reg, data):
        """The register after data, zero runs of _MIN_ZERO_RUN bytes or more by zeros()."""
        pos = 0
        for run in _ZERO_RUN.finditer(data):
            reg = self.zeros(self.table_bytes(reg, data[pos:run.start()]), run.end() - run.start())
            pos = run.end()
        return self.table_bytes(reg, data[pos:])


_CRC32C = _ReflectedCrc(0x82F63B78, 32)
_CRC64NVME = _ReflectedCrc(0x9A6C9329AC4BC9B5, 64)


class _CrcHash:
    """hashlib's update()/digest() over a _ReflectedCrc."""

    def __init__(self, crc):
        self.crc = crc
        self.mask = (1 << crc.width) - 1
        self.reg = self.mask

    def update(self, data):
        self.reg = self.crc.register(self.reg, data)

    def digest(self):
        return (self.reg ^ self.mask).to_bytes(self.crc.width // 8, 'big')


class _Crc32Hash:
    def __init__(self):
        self.value = 0

    def update(self, data):
        self.value = zlib.crc32(data, self.value)

    def digest(self):
        return self.value.to_bytes(4, 'big')


def new(algorithm):
    """A hash object (update(), digest()) of the raw digest bytes S3 would base64 into
    x-amz-checksum-<algorithm>."""
    if algorithm in ('sha256', 'sha1'):
        return hashlib.new(algorithm)
    if algorithm == 'crc32':
        return _Crc32Hash()
    if algorithm == 'crc32c':
        return _CrcHash(_CRC32C)
    if algorithm == 'crc64nvme':
        return _CrcHash(_CRC64NVME)
    raise ValueError(f'unknown checksum algorithm {algorithm}')


def digest(algorithm, data):
    h = new(algorithm)
    h.update(data)
    return h.digest()


def header(algorithm, data):
    return (f'x-amz-checksum-{algorithm}', base64.b64encode(digest(algorithm, data)).decode())


_FILE_DIGESTS = {}  # (path, size, mtime, algorithm) -> digest


def file_header(algorithm, path):
    """header() of a file's bytes, read in 1 MiB pieces and cached by size and mtime, so a
    large object is neither held in memory nor digested twice."""
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns, algorithm)
    if key not in _FILE_DIGESTS:
        h = new(algorithm)
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(1 << 20), b''):
                h.update(chunk)
        _FILE_DIGESTS[key] = h.digest()
    return (f'x-amz-checksum-{algorithm}', base64.b64encode(_FILE_DIGESTS[key]).decode())


ALGORITHMS = ('sha256', 'sha1', 'crc32', 'crc32c', 'crc64nvme')
