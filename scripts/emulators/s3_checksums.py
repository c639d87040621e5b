"""The checksums S3 declares in x-amz-checksum-* answers, computed here in plain Python
(botocore needs awscrt for CRC32C and CRC64NVME, which Debian does not ship): an
implementation independent of the client's, table-driven, for objects of test size."""
import base64
import hashlib
import zlib


def _table(poly):
    table = []
    for b in range(256):
        c = b
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return table


_CRC32C = _table(0x82F63B78)
_CRC64NVME = _table(0x9A6C9329AC4BC9B5)


def _reflected_crc(table, width, data):
    mask = (1 << width) - 1
    c = mask
    for byte in data:
        c = (c >> 8) ^ table[(c ^ byte) & 0xff]
    return c ^ mask


def digest(algorithm, data):
    """The raw digest bytes S3 would base64 into x-amz-checksum-<algorithm>."""
    if algorithm == 'sha256':
        return hashlib.sha256(data).digest()
    if algorithm == 'sha1':
        return hashlib.sha1(data).digest()
    if algorithm == 'crc32':
        return zlib.crc32(data).to_bytes(4, 'big')
    if algorithm == 'crc32c':
        return _reflected_crc(_CRC32C, 32, data).to_bytes(4, 'big')
    if algorithm == 'crc64nvme':
        return _reflected_crc(_CRC64NVME, 64, data).to_bytes(8, 'big')
    raise ValueError(f'unknown checksum algorithm {algorithm}')


def header(algorithm, data):
    return (f'x-amz-checksum-{algorithm}', base64.b64encode(digest(algorithm, data)).decode())


ALGORITHMS = ('sha256', 'sha1', 'crc32', 'crc32c', 'crc64nvme')
